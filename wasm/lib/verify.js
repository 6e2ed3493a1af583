// Access-token verification for frontends' servers (Node, Next.js middleware):
// the same checks as the server's verify_access_token, with the JSON read here
// and the signature and the time, issuer and audience rules from the core.
// Only EdDSA (Ed25519) is accepted, whatever the token says.

import { loadCore } from './core.js';
import { SesameError } from './errors.js';

const MAX_TOKEN_BYTES = 8 * 1024;
const MAX_JSON_DEPTH = 16;
const DEFAULT_LEEWAY_SECONDS = 60;
const DEFAULT_JWKS_MAX_AGE_MS = 10 * 60_000;
// An unknown kid refetches the key set, at most this often (a stream of bogus
// kids must not turn into a stream of requests).
const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
const MAX_JWKS_BYTES = 64 * 1024;
const MAX_KID_BYTES = 256;
const MAX_LEEWAY_SECONDS = 300;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
const jwksCache = new Map();  // url -> {keys, fetchedAtMs, pending}

const fail = (code, detail) => { throw new SesameError(code, detail); };

// JSON.parse keeps the last of duplicate members, reads 1.0 as 1 and lets "\ud800"
// through; a JWS must not leave such choices to the parser (RFC 7515 §5.2). The
// text is scanned as the core's parser (nlohmann/json) sees it: duplicate member
// names, nesting deeper than the core's limit and strings holding a lone
// surrogate are refused, and top-level members whose number has a fraction or an
// exponent are noted (the core reads them as floats, never as NumericDates).
// Returns {value, floats}.
function parseStrictJson(textValue, what, code) {
  let value;
  try {
    value = JSON.parse(textValue);
  } catch {
    fail(code, `${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(code, `${what} is not a JSON object`);
  const open = [];  // member names of each open container (null for arrays)
  const floats = new Set();
  let expectKey = false;
  let member;  // the last member name read in the top-level object
  // As the core counts: a container opened, a member name or a value at a depth
  // beyond the limit (an empty container at the limit is fine).
  const checkDepth = () => { if (open.length > MAX_JSON_DEPTH) fail(code, `${what} is nested too deeply`); };
  for (let i = 0; i < textValue.length; i++) {
    const c = textValue[i];
    if (c === '"') {
      checkDepth();
      let end = i + 1;
      while (textValue[end] !== '"') end += textValue[end] === '\\' ? 2 : 1;
      const text = JSON.parse(textValue.slice(i, end + 1));
      if (LONE_SURROGATE.test(text)) fail(code, `${what} holds a lone UTF-16 surrogate`);
      if (expectKey) {
        const names = open[open.length - 1];
        if (names.has(text)) fail(code, `${what} repeats the member "${text}"`);
        names.add(text);
        if (open.length === 1) member = text;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      checkDepth();
      open.push(c === '{' ? new Set() : null);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open[open.length - 1] instanceof Set;
    } else if (/[-0-9a-z]/.test(c)) {  // a number, true, false or null
      checkDepth();
      let end = i + 1;
      while (/[-+.0-9a-zA-Z]/.test(textValue[end] ?? '')) end += 1;
      if (open.length === 1 && /[.eE]/.test(textValue.slice(i, end))) floats.add(member);
      i = end - 1;
    }
  }
  return { value, floats };
}

function parseStrictObject(bytes, what) {
  let textValue;
  try {
    textValue = decoder.decode(bytes);
  } catch {
    fail('jwt_malformed', `${what} is not UTF-8`);
  }
  return parseStrictJson(textValue, what, 'jwt_malformed');
}

const isString = (value) => typeof value === 'string';

function requiredString(claims, name) {
  if (!(name in claims)) fail('jwt_missing_claim', `${name} is missing`);
  if (!isString(claims[name])) fail('jwt_malformed', `${name} must be a string`);
  if (claims[name] === '') fail('jwt_missing_claim', `${name} is empty`);
  return claims[name];
}

// NumericDate as whole seconds: the core refuses strings and numbers written with
// a fraction or an exponent (`floats`, even 1.0). Beyond 2^53 the SDK refuses
// what the core would take up to 2^63: the wasm ABI carries doubles.
function numericDate(value, name, floats) {
  if (floats.has(name) || !Number.isSafeInteger(value)) fail('jwt_malformed', `${name} must be an integer number of seconds`);
  return value;
}

function stringArray(value, name) {
  if (!Array.isArray(value) || !value.every(isString)) fail('jwt_malformed', `${name} must be an array of strings`);
  return value;
}

function readClaims({ value: claims, floats }) {
  const out = {};
  for (const name of ['iss', 'sub', 'jti', 'sid']) out[name] = requiredString(claims, name);
  if (!('aud' in claims)) fail('jwt_missing_claim', 'aud is missing');
  const audiences = isString(claims.aud) ? [claims.aud] : stringArray(claims.aud, 'aud');
  if (audiences.length === 0 || audiences[0] === '') fail('jwt_missing_claim', 'aud is empty');
  for (const name of ['exp', 'iat']) {
    if (!(name in claims)) fail('jwt_missing_claim', `${name} is missing`);
    out[name] = numericDate(claims[name], name, floats);
  }
  if ('nbf' in claims) out.nbf = numericDate(claims.nbf, 'nbf', floats);
  if ('tenant_id' in claims) {
    if (!isString(claims.tenant_id)) fail('jwt_malformed', 'tenant_id must be a string');
    out.tenant_id = claims.tenant_id;
  }
  out.roles = 'roles' in claims ? stringArray(claims.roles, 'roles') : [];
  out.amr = 'amr' in claims ? stringArray(claims.amr, 'amr') : [];
  return { claims: { ...claims, ...out }, audiences };
}

function isAccessTokenType(typ) {
  return isString(typ) && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());
}

// A member that is present (a JSON null counts, as for the core; undefined does not).
const has = (object, name) => Object.hasOwn(object, name) && object[name] !== undefined;
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const isValidKid = (kid) => kid.length >= 1 && kid.length <= MAX_KID_BYTES && /^[ -~]*$/.test(kid);

function base64urlEncode(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// The key's bytes, checked as the core checks a public key (32 bytes, a canonical
// point that is not of small order). The core runs that check when it verifies
// with a key, so an empty message and an all-zero signature (which never verifies)
// make it report the key's fault, if any, as jwt_invalid_key.
function publicKeyBytes(core, x) {
  let bytes;
  try {
    bytes = core.base64urlDecode(x);
  } catch {
    fail('jwt_invalid_key', 'x is not base64url');
  }
  try {
    core.verifyEd25519(new Uint8Array(0), new Uint8Array(64), bytes);
  } catch (error) {
    if (error.code !== 'jwt_invalid_signature') throw error;
  }
  return bytes;
}

// RFC 7638: a key without kid is known by its thumbprint, as on the server.
async function thumbprint(x) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) fail('jwt_invalid_key', 'a key without kid needs crypto.subtle for its RFC 7638 thumbprint');
  // x is canonical base64url here (the core's decoder refuses any other spelling).
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  return base64urlEncode(new Uint8Array(await subtle.digest('SHA-256', encoder.encode(canonical))));
}

/**
 * Ed25519 keys by kid, from a JWKS document, by the server's rules
 * (JwkSet::parse): keys of another type, curve, use or algorithm are skipped; a
 * malformed set or key, private key material, an invalid public key or kid, or
 * two keys with one kid refuse the whole set with jwt_invalid_key. A key without
 * kid is known by its RFC 7638 thumbprint. Returns Map<kid, Uint8Array>.
 */
export async function importJwks(jwks) {
  const core = await loadCore();
  if (!isObject(jwks)) fail('jwt_invalid_key', 'a JWKS is a JSON object');
  if (!Array.isArray(jwks.keys)) fail('jwt_invalid_key', 'a JWKS has a "keys" array');
  const keys = new Map();
  for (const jwk of jwks.keys) {
    if (!isObject(jwk)) fail('jwt_invalid_key', 'a JWK is a JSON object');
    if (!isString(jwk.kty)) fail('jwt_invalid_key', 'kty must be a string');
    if (jwk.kty !== 'OKP') continue;  // RSA, EC, oct: not ours to use
    if (!isString(jwk.crv)) fail('jwt_invalid_key', 'crv must be a string');
    if (jwk.crv !== 'Ed25519') continue;  // Ed448, X25519, X448
    if (has(jwk, 'use')) {
      if (!isString(jwk.use)) fail('jwt_invalid_key', 'use must be a string');
      if (jwk.use !== 'sig') continue;
    }
    if (has(jwk, 'alg')) {
      if (!isString(jwk.alg)) fail('jwt_invalid_key', 'alg must be a string');
      if (jwk.alg !== 'EdDSA') continue;  // declared for another algorithm
    }
    if (has(jwk, 'd')) fail('jwt_invalid_key', 'private key material in a public JWK');
    if (has(jwk, 'kid') && (!isString(jwk.kid) || jwk.kid === '')) fail('jwt_invalid_key', 'kid must be a non-empty string');
    if (!isString(jwk.x)) fail('jwt_invalid_key', 'x is missing');
    const x = publicKeyBytes(core, jwk.x);
    const kid = has(jwk, 'kid') ? jwk.kid : await thumbprint(jwk.x);
    if (!isValidKid(kid)) fail('jwt_invalid_key', 'kid must be 1-256 printable ASCII characters');
    if (keys.has(kid)) fail('jwt_invalid_key', `two keys share the kid ${kid}`);
    keys.set(kid, x);
  }
  return keys;
}

async function fetchJwks(url, fetchImpl) {
  let response;
  let body;
  try {
    response = await fetchImpl(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    if (response.ok) body = await response.text();
  } catch (error) {
    throw new SesameError('jwks_unavailable', `${url} could not be fetched`, { cause: error });
  }
  if (!response.ok) fail('jwks_unavailable', `${url} answered ${response.status}`);
  if (encoder.encode(body).length > MAX_JWKS_BYTES) fail('input_too_large', 'the JWKS is too large');
  // Read as the server reads a JWKS: duplicate members and deep nesting refuse it.
  return importJwks(parseStrictJson(body, 'the JWKS', 'jwt_invalid_key').value);
}

// The cached keys for a URL; refetched when stale, or when `kid` is unknown and
// the last fetch is old enough. Concurrent callers share one fetch.
async function keysFrom(url, kid, { fetchImpl, nowMs, cacheMaxAgeMs, cooldownMs }) {
  let entry = jwksCache.get(url);
  const stale = !entry || nowMs - entry.fetchedAtMs > cacheMaxAgeMs;
  const unknown = entry && !entry.keys.has(kid) && nowMs - entry.fetchedAtMs >= cooldownMs;
  if (stale || unknown) {
    entry ??= { keys: new Map(), fetchedAtMs: -Infinity };
    entry.pending ??= fetchJwks(url, fetchImpl)
      .then((keys) => { Object.assign(entry, { keys, fetchedAtMs: nowMs }); })
      .finally(() => { entry.pending = null; });
    jwksCache.set(url, entry);
    await entry.pending;
  }
  return entry.keys;
}

/**
 * Verifies a Sesame access token. options: {issuer, audience} and either
 * {jwksUrl} (fetched, cached, refetched for an unknown kid) or {keys} (a JWKS
 * document or the Map from importJwks); optional leewaySeconds (60), nowSeconds,
 * fetch, cacheMaxAgeMs (10 min) and cooldownMs (30 s: the least time between two
 * fetches caused by unknown kids). Resolves to {kid, claims}; rejects with a SesameError whose code is the
 * core's (jwt_expired, jwt_invalid_signature, jwt_unknown_key ...).
 */
export async function verifyAccessToken(token, options = {}) {
  const core = await loadCore();
  const { issuer, audience, jwksUrl, keys, fetch: fetchImpl = globalThis.fetch } = options ?? {};
  const leewaySeconds = options?.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  const nowSeconds = options?.nowSeconds ?? Math.floor(Date.now() / 1000);
  const cacheMaxAgeMs = options?.cacheMaxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS;
  const cooldownMs = options?.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS;
  // The options first, as the core checks them before the token.
  if (!isString(issuer) || issuer === '' || !isString(audience) || audience === '' || (!jwksUrl && !keys)) {
    fail('invalid_argument', 'issuer, audience and jwksUrl or keys are required');
  }
  if (!Number.isSafeInteger(leewaySeconds) || leewaySeconds < 0 || leewaySeconds > MAX_LEEWAY_SECONDS) {
    fail('invalid_argument', `leewaySeconds must be a whole number from 0 to ${MAX_LEEWAY_SECONDS}`);
  }
  if (!Number.isSafeInteger(nowSeconds)) fail('invalid_argument', 'nowSeconds must be a whole number');
  if (!(cacheMaxAgeMs >= 0) || !(cooldownMs >= 0)) fail('invalid_argument', 'cacheMaxAgeMs and cooldownMs must be numbers >= 0');
  if (!isString(token)) fail('jwt_malformed', 'the token must be a string');
  if (encoder.encode(token).length > MAX_TOKEN_BYTES) fail('input_too_large', 'token longer than the limit');

  // The structure, in the core's order.
  const parts = token.split('.');
  if (parts.length !== 3) fail('jwt_malformed', parts.length < 3 ? 'not three segments' : 'more than three segments');
  const [headerText, payloadText, signatureText] = parts;
  if (headerText === '') fail('jwt_malformed', 'empty header');
  const decode = (segment, what) => {
    try {
      return core.base64urlDecode(segment);
    } catch {
      return fail('jwt_malformed', `${what} is not base64url`);
    }
  };
  const { value: header } = parseStrictObject(decode(headerText, 'header'), 'header');
  if (header.alg !== 'EdDSA') fail('jwt_unsupported_algorithm', 'alg must be EdDSA');
  if ('crit' in header) fail('jwt_malformed', 'crit header parameter is not supported');
  const payload = decode(payloadText, 'payload');
  if (signatureText === '') fail('jwt_malformed', 'empty signature');
  const signature = decode(signatureText, 'signature');
  if (signature.length !== 64) fail('jwt_invalid_signature', 'an Ed25519 signature is 64 bytes');
  if (!isAccessTokenType(header.typ)) fail('jwt_unsupported_type', 'typ must be at+jwt');
  if (!('kid' in header)) fail('jwt_unknown_key', 'no kid in the header');
  if (!isString(header.kid)) fail('jwt_malformed', 'kid must be a string');

  const keyMap = keys ? (Object.prototype.toString.call(keys) === '[object Map]' ? keys : await importJwks(keys))
    : await keysFrom(String(jwksUrl), header.kid, { fetchImpl, nowMs: Date.now(), cacheMaxAgeMs, cooldownMs });
  const key = keyMap.get(header.kid);
  if (!key) fail('jwt_unknown_key', 'no key with this kid');
  // Nothing in the payload is read before the signature holds.
  core.verifyEd25519(encoder.encode(`${headerText}.${payloadText}`), signature, key);

  const { claims, audiences } = readClaims(parseStrictObject(payload, 'payload'));
  core.checkAccessTokenValidity({ iss: claims.iss, audiences, exp: claims.exp, nbf: claims.nbf, iat: claims.iat },
    { issuer, audience, nowSeconds, leewaySeconds });
  return { kid: header.kid, claims: { ...claims, aud: audience } };
}
