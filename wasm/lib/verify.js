// Access-token verification for frontends' servers (Node, Next.js middleware):
// the same checks as the server's verify_access_token, with the JSON read here
// and the signature and the time, issuer and audience rules from the core.
// Only EdDSA (Ed25519) is accepted, whatever the token says.

import { loadCore } from './core.js';
import { SesameError } from './errors.js';

const MAX_TOKEN_BYTES = 8 * 1024;
const MAX_JSON_DEPTH = 16;
const DEFAULT_LEEWAY_SECONDS = 60;
const JWKS_MAX_AGE_MS = 10 * 60_000;
// An unknown kid refetches the key set, at most this often (a stream of bogus
// kids must not turn into a stream of requests).
const JWKS_MIN_REFETCH_INTERVAL_MS = 30_000;
const MAX_JWKS_BYTES = 64 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();
const jwksCache = new Map();  // url -> {keys, fetchedAtMs, pending}

const fail = (code, detail) => { throw new SesameError(code, detail); };

// JSON.parse keeps the last of duplicate members; a JWS must not leave that
// choice to the parser (RFC 7515 §5.2), so duplicates and deep nesting are
// refused before parsing, as the core does.
function parseStrictObject(bytes, what) {
  let textValue;
  try {
    textValue = decoder.decode(bytes);
  } catch {
    fail('jwt_malformed', `${what} is not UTF-8`);
  }
  let value;
  try {
    value = JSON.parse(textValue);
  } catch {
    fail('jwt_malformed', `${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('jwt_malformed', `${what} is not a JSON object`);
  const open = [];  // member names of each open container (null for arrays)
  let expectKey = false;
  for (let i = 0; i < textValue.length; i++) {
    const c = textValue[i];
    if (c === '"') {
      let end = i + 1;
      while (textValue[end] !== '"') end += textValue[end] === '\\' ? 2 : 1;
      if (expectKey) {
        const name = JSON.parse(textValue.slice(i, end + 1));
        const names = open[open.length - 1];
        if (names.has(name)) fail('jwt_malformed', `${what} repeats the member "${name}"`);
        names.add(name);
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      open.push(c === '{' ? new Set() : null);
      if (open.length > MAX_JSON_DEPTH) fail('jwt_malformed', `${what} is nested too deeply`);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
  return value;
}

const isString = (value) => typeof value === 'string';

function requiredString(claims, name) {
  if (!(name in claims)) fail('jwt_missing_claim', `${name} is missing`);
  if (!isString(claims[name])) fail('jwt_malformed', `${name} must be a string`);
  if (claims[name] === '') fail('jwt_missing_claim', `${name} is empty`);
  return claims[name];
}

// NumericDate as whole seconds (the core refuses fractions and strings).
function numericDate(value, name) {
  if (!Number.isSafeInteger(value)) fail('jwt_malformed', `${name} must be an integer number of seconds`);
  return value;
}

function stringArray(value, name) {
  if (!Array.isArray(value) || !value.every(isString)) fail('jwt_malformed', `${name} must be an array of strings`);
  return value;
}

function readClaims(claims) {
  const out = {};
  for (const name of ['iss', 'sub', 'jti', 'sid']) out[name] = requiredString(claims, name);
  if (!('aud' in claims)) fail('jwt_missing_claim', 'aud is missing');
  const audiences = isString(claims.aud) ? [claims.aud] : stringArray(claims.aud, 'aud');
  if (audiences.length === 0 || audiences[0] === '') fail('jwt_missing_claim', 'aud is empty');
  for (const name of ['exp', 'iat']) {
    if (!(name in claims)) fail('jwt_missing_claim', `${name} is missing`);
    out[name] = numericDate(claims[name], name);
  }
  if ('nbf' in claims) out.nbf = numericDate(claims.nbf, 'nbf');
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

/**
 * Ed25519 keys by kid, from a JWKS document: keys of another type, curve, use or
 * algorithm are skipped, as by the server. Returns Map<kid, Uint8Array>.
 */
export async function importJwks(jwks) {
  const core = await loadCore();
  if (!jwks || !Array.isArray(jwks.keys)) fail('jwt_invalid_key', 'a JWKS has a "keys" array');
  const keys = new Map();
  for (const jwk of jwks.keys) {
    if (jwk?.kty !== 'OKP' || jwk.crv !== 'Ed25519') continue;
    if (jwk.use !== undefined && jwk.use !== 'sig') continue;
    if (jwk.alg !== undefined && jwk.alg !== 'EdDSA') continue;
    if ('d' in jwk) fail('jwt_invalid_key', 'private key material in a public JWK');
    if (!isString(jwk.kid) || !isString(jwk.x)) fail('jwt_invalid_key', 'a key needs string kid and x');
    if (keys.has(jwk.kid)) fail('jwt_invalid_key', `two keys share the kid ${jwk.kid}`);
    let x;
    try {
      x = core.base64urlDecode(jwk.x);
    } catch {
      fail('jwt_invalid_key', 'x is not base64url');
    }
    keys.set(jwk.kid, x);
  }
  return keys;
}

async function fetchJwks(url, fetchImpl) {
  let response;
  try {
    response = await fetchImpl(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new SesameError('jwks_unavailable', `${url} could not be fetched`, { cause: error });
  }
  if (!response.ok) fail('jwks_unavailable', `${url} answered ${response.status}`);
  const body = await response.text();
  if (body.length > MAX_JWKS_BYTES) fail('input_too_large', 'the JWKS is too large');
  let document;
  try {
    document = JSON.parse(body);
  } catch {
    fail('jwt_invalid_key', 'the JWKS is not JSON');
  }
  return importJwks(document);
}

// The cached keys for a URL; refetched when stale, or when `kid` is unknown and
// the last fetch is old enough. Concurrent callers share one fetch.
async function keysFrom(url, kid, fetchImpl, nowMs) {
  let entry = jwksCache.get(url);
  const stale = !entry || nowMs - entry.fetchedAtMs > JWKS_MAX_AGE_MS;
  const unknown = entry && !entry.keys.has(kid) && nowMs - entry.fetchedAtMs > JWKS_MIN_REFETCH_INTERVAL_MS;
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
 * fetch. Resolves to {kid, claims}; rejects with a SesameError whose code is the
 * core's (jwt_expired, jwt_invalid_signature, jwt_unknown_key ...).
 */
export async function verifyAccessToken(token, options = {}) {
  const core = await loadCore();
  const { issuer, audience, jwksUrl, keys, leewaySeconds = DEFAULT_LEEWAY_SECONDS, fetch: fetchImpl = globalThis.fetch } = options;
  if (!isString(issuer) || !isString(audience) || (!jwksUrl && !keys)) {
    fail('invalid_argument', 'issuer, audience and jwksUrl or keys are required');
  }
  const nowSeconds = options.nowSeconds ?? Math.floor(Date.now() / 1000);
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
  const header = parseStrictObject(decode(headerText, 'header'), 'header');
  if (header.alg !== 'EdDSA') fail('jwt_unsupported_algorithm', 'alg must be EdDSA');
  if ('crit' in header) fail('jwt_malformed', 'crit header parameter is not supported');
  const payload = decode(payloadText, 'payload');
  if (signatureText === '') fail('jwt_malformed', 'empty signature');
  const signature = decode(signatureText, 'signature');
  if (signature.length !== 64) fail('jwt_invalid_signature', 'an Ed25519 signature is 64 bytes');
  if (!isAccessTokenType(header.typ)) fail('jwt_unsupported_type', 'typ must be at+jwt');
  if (!('kid' in header)) fail('jwt_unknown_key', 'no kid in the header');
  if (!isString(header.kid)) fail('jwt_malformed', 'kid must be a string');

  const keyMap = keys ? (keys instanceof Map ? keys : await importJwks(keys))
    : await keysFrom(String(jwksUrl), header.kid, fetchImpl, Date.now());
  const key = keyMap.get(header.kid);
  if (!key) fail('jwt_unknown_key', 'no key with this kid');
  // Nothing in the payload is read before the signature holds.
  core.verifyEd25519(encoder.encode(`${headerText}.${payloadText}`), signature, key);

  const { claims, audiences } = readClaims(parseStrictObject(payload, 'payload'));
  core.checkAccessTokenValidity({ iss: claims.iss, audiences, exp: claims.exp, nbf: claims.nbf, iat: claims.iat },
    { issuer, audience, nowSeconds, leewaySeconds });
  return { kid: header.kid, claims: { ...claims, aud: audience } };
}
