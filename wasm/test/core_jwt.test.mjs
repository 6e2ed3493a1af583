// Access-token verification in the package (lib/verify.js: the JSON read in
// JavaScript, the signature and the time, issuer and audience rules in the core),
// on the same vector tables as tests/core/jwt_test.cpp: rfc8037.json (RFC 8037
// Appendix A) and jwt_negative.json (tokens and JWK sets made independently with
// Python). Signing stays on the server; tokens made here are signed with Node's
// crypto, and the core's own verify_access_token (the parity build, as in
// parity.test.mjs) is asked where this file claims the two agree.
//
// Where lib/verify.js deliberately differs from the core:
//  - jwt_negative.json's decode_error column: the SDK has no decode-only call
//    (decodeJwt stays on the server), so only verify_error is checked.
//  - jwks_invalid rows "not JSON" and "duplicate member name" cannot be handed to
//    importJwks, which takes a parsed document (JSON.parse already kept one of the
//    duplicates); they, and every other row, run through the jwksUrl path, where
//    the SDK reads the JWKS text by the core's rules.
//  - NumericDates above 2^53 - 1 (the year 285,428,751) are refused with
//    jwt_malformed, where the core takes them up to 2^63 - 1: JavaScript numbers
//    and the wasm ABI are doubles. See `deliberateDifferences` below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { asyncOutcome, loadCore, loadSdk, outcome, vectorTable, utf8, hex, unhex } from './support/core.mjs';

const sdk = await loadSdk();
const core = await loadCore();

const fromBase64url = (text) => new Uint8Array(Buffer.from(text, 'base64url'));
const toBase64url = (bytes) => Buffer.from(bytes).toString('base64url');



// Ed25519 keys from 32-byte seeds, with Node's crypto (PKCS #8 around the seed).
function keyPairFromSeed(seed) {
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]), format: 'der', type: 'pkcs8',
  });
  return { privateKey, x: crypto.createPublicKey(privateKey).export({ format: 'jwk' }).x };
}

// A compact JWS of exactly these header and payload texts.
function signJws(headerText, payloadText, privateKey) {
  const signingInput = `${toBase64url(utf8(headerText))}.${toBase64url(utf8(payloadText))}`;
  return `${signingInput}.${toBase64url(crypto.sign(null, Buffer.from(signingInput), privateKey))}`;
}

// The two keys of jwt_negative.json, and the JWK set the tokens are checked against
// (what the server publishes: kty, crv, x, kid, alg, use).
const tableKeys = await vectorTable('jwt_negative.json', 'keys');
const tableJwk = (index) => ({
  kty: 'OKP', crv: 'Ed25519', x: toBase64url(unhex(tableKeys[index].public_hex)), kid: tableKeys[index].kid, alg: 'EdDSA', use: 'sig',
});
const tableJwks = { keys: tableKeys.map((_, index) => tableJwk(index)) };
const tablePrivateKey = (index) => keyPairFromSeed(unhex(tableKeys[index].seed_hex)).privateKey;
const [tableOptionsRow] = await vectorTable('jwt_negative.json', 'verify_options');
const tableOptions = {
  issuer: tableOptionsRow.issuer,
  audience: tableOptionsRow.audience,
  nowSeconds: tableOptionsRow.now_unix_seconds,
  leewaySeconds: tableOptionsRow.leeway_seconds,
};
const tokens = await vectorTable('jwt_negative.json', 'tokens');
const [baseline] = tokens;

const now = 1700000000;
const issuer = 'https://auth.sesame.test';
const audience = 'sesame-api';
const optionsAt = (nowSeconds, more = {}) => ({ keys: tableJwks, issuer, audience, nowSeconds, ...more });
const accessHeader = (kid = tableKeys[0].kid) => JSON.stringify({ alg: 'EdDSA', typ: 'at+jwt', kid });
const sampleClaims = () => ({
  iss: issuer, sub: 'user-123', aud: audience, exp: now + 900, iat: now, jti: 'jti-1', sid: 'sid-1', tenant_id: 'tenant-1',
  roles: ['member', 'admin'], amr: ['pwd', 'otp'],
});
const sign = (claims, { index = 0, kid = tableKeys[index].kid } = {}) =>
  signJws(accessHeader(kid), JSON.stringify(claims), tablePrivateKey(index));

// A JWKS served at a fresh URL (no cache shared between checks) by a fake fetch.
let jwksUrls = 0;
const servedJwks = (text) => ({
  jwksUrl: `https://jwks.test/${jwksUrls++}/jwks.json`,
  fetch: async () => ({ ok: true, status: 200, text: async () => text }),
});

// The core's own verify_access_token (JwkSet::parse of the JWKS text first), from
// the parity build of the same sources.
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const parityDir = path.join(path.resolve(process.env.SESAME_WASM_BUILD ?? path.join(repoRoot, 'build/wasm')), 'parity');
const { default: createSesameParity } = await import(pathToFileURL(path.join(parityDir, 'sesame_parity.mjs')).href);
const parity = await createSesameParity({
  wasmBinary: await readFile(path.join(parityDir, 'sesame_parity.wasm')),
  getRandomValue: () => globalThis.crypto.getRandomValues(new Uint32Array(1))[0],
});
function coreVerdict(token, jwksText, options) {
  const answer = JSON.parse(parity.evaluateCase(JSON.stringify({
    op: 'jwt_verify', token, jwks: jwksText, issuer: options.issuer, audience: options.audience, now: options.nowSeconds,
    leeway: options.leewaySeconds ?? 60,
  })));
  return answer.ok ? 'ok' : answer.code;
}

// ---------------------------------------------------------------------------
// RFC 8037 Appendix A

test('the table\'s public keys are the ones its seeds give', () => {
  for (const [index, { kid, public_hex: publicHex }] of tableKeys.entries()) {
    assert.equal(hex(fromBase64url(keyPairFromSeed(unhex(tableKeys[index].seed_hex)).x)), publicHex, kid);
  }
});

test('RFC 8037 A.5: verifyEd25519 accepts the published JWS under the published key', async () => {
  for (const row of await vectorTable('rfc8037.json', 'verifications')) {
    const [header, payload, signature] = row.jws.split('.');
    assert.equal(outcome(() => core.verifyEd25519(utf8(`${header}.${payload}`), fromBase64url(signature), fromBase64url(row.x))), 'ok',
      row.section);
    assert.equal(outcome(() => core.verifyEd25519(`${header}.${payload}`, fromBase64url(signature), fromBase64url(row.x))), 'ok',
      `${row.section}: the message as a string`);
    assert.equal(Buffer.from(fromBase64url(header)).toString(), row.protected_header, row.section);
    assert.equal(Buffer.from(fromBase64url(payload)).toString(), row.payload, row.section);
  }
  for (const row of await vectorTable('rfc8037.json', 'signatures')) {
    assert.equal(outcome(() => core.verifyEd25519(utf8(row.signing_input), fromBase64url(row.signature), fromBase64url(row.x))), 'ok',
      row.section);
  }
});

test('RFC 8037 A.5: the JWS fails under another key and after any single bit flip of message or signature', async () => {
  const otherKey = fromBase64url(tableJwk(0).x);
  for (const row of await vectorTable('rfc8037.json', 'verifications')) {
    const [header, payload, signatureText] = row.jws.split('.');
    const message = utf8(`${header}.${payload}`);
    const signature = fromBase64url(signatureText);
    const key = fromBase64url(row.x);
    assert.equal(outcome(() => core.verifyEd25519(message, signature, otherKey)), 'jwt_invalid_signature', row.section);
    const outcomes = new Map();
    for (const [what, bytes] of [['signature', signature], ['message', message]]) {
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const flipped = bytes.slice();
        flipped[bit >> 3] ^= 1 << (bit & 7);
        const code = what === 'signature' ? outcome(() => core.verifyEd25519(message, flipped, key))
          : outcome(() => core.verifyEd25519(flipped, signature, key));
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
      }
    }
    assert.deepEqual([...outcomes], [['jwt_invalid_signature', (signature.length + message.length) * 8]], row.section);
  }
});

test('verifyEd25519 refuses keys that are not valid Ed25519 public keys with jwt_invalid_key', async () => {
  const [row] = await vectorTable('rfc8037.json', 'signatures');
  for (const key of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33), new Uint8Array(32), unhex(`01${'00'.repeat(31)}`),
    unhex(`ed${'ff'.repeat(30)}7f`)]) {
    assert.equal(outcome(() => core.verifyEd25519(utf8(row.signing_input), fromBase64url(row.signature), key)), 'jwt_invalid_key',
      hex(key));
  }
  for (const length of [0, 63, 65]) {
    assert.equal(outcome(() => core.verifyEd25519(utf8(row.signing_input), new Uint8Array(length), fromBase64url(row.x))),
      'jwt_invalid_signature', `signature of ${length} bytes`);
  }
});

test('RFC 8037 A.1/A.2: an access token signed by the A.1 key verifies under the A.2 public JWK', async () => {
  const [privateRow] = await vectorTable('rfc8037.json', 'private_keys');
  const { privateKey, x } = keyPairFromSeed(fromBase64url(privateRow.d));
  assert.equal(x, privateRow.x);
  assert.equal(hex(fromBase64url(privateRow.d)), privateRow.seed_hex);
  const token = signJws(accessHeader('a2'), JSON.stringify(sampleClaims()), privateKey);
  for (const row of await vectorTable('rfc8037.json', 'public_keys')) {
    const jwks = { keys: [{ ...JSON.parse(row.jwk), kid: 'a2' }] };
    assert.equal(hex(fromBase64url(jwks.keys[0].x)), row.public_hex, row.section);
    const verified = await sdk.verifyAccessToken(token, optionsAt(now, { keys: jwks }));
    assert.deepEqual(verified, { kid: 'a2', claims: { ...sampleClaims() } }, row.section);
  }
});

test('RFC 8037 A.1: the private JWK is refused in a JWK set with jwt_invalid_key', async () => {
  const token = sign(sampleClaims());
  for (const row of await vectorTable('rfc8037.json', 'private_keys')) {
    const jwks = { keys: [JSON.parse(row.jwk), tableJwk(0)] };
    assert.equal(await asyncOutcome(() => sdk.importJwks(jwks)), 'jwt_invalid_key', row.section);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now, { keys: jwks }))), 'jwt_invalid_key', row.section);
  }
});

test('RFC 8037 A.3: a key without kid is known by its RFC 7638 thumbprint, as on the server', async () => {
  const [privateRow] = await vectorTable('rfc8037.json', 'private_keys');
  const { privateKey } = keyPairFromSeed(fromBase64url(privateRow.d));
  for (const row of await vectorTable('rfc8037.json', 'thumbprints')) {
    const jwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: row.x }] };
    const keys = await sdk.importJwks(jwks);
    assert.deepEqual([...keys.keys()], [row.thumbprint], row.section);
    assert.equal(hex(fromBase64url(row.thumbprint)), row.sha256_hex, row.section);
    assert.equal(hex(crypto.createHash('sha256').update(row.canonical_json).digest()), row.sha256_hex, row.section);
    const token = signJws(accessHeader(row.thumbprint), JSON.stringify(sampleClaims()), privateKey);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now, { keys: jwks }))), 'ok', row.section);
    assert.equal(coreVerdict(token, JSON.stringify(jwks), optionsAt(now)), 'ok', `${row.section}: the core agrees`);
  }
});

// ---------------------------------------------------------------------------
// jwt_negative.json

test('every token of the table verifies to the table\'s code, or succeeds', async () => {
  const keyMap = await sdk.importJwks(tableJwks);
  assert.deepEqual([...keyMap.keys()], tableKeys.map(({ kid }) => kid));
  for (const { why, token, verify_error: verifyError } of tokens) {
    const expected = verifyError ?? 'ok';
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, { keys: tableJwks, ...tableOptions })), expected, `JWKS document: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, { keys: keyMap, ...tableOptions })), expected, `importJwks Map: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, { ...servedJwks(JSON.stringify(tableJwks)), ...tableOptions })), expected,
      `jwksUrl: ${why}`);
  }
});

test('the baseline token verifies to its claims', async () => {
  assert.deepEqual(await sdk.verifyAccessToken(baseline.token, { keys: tableJwks, ...tableOptions }), {
    kid: 'sesame-test-1',
    claims: {
      iss: issuer, sub: 'user-123', aud: audience, exp: 1700000900, iat: 1700000000, jti: 'jti-1', sid: 'sid-1',
      tenant_id: 'tenant-1', roles: ['member'], amr: ['pwd'],
    },
  });
});

test('a verified aud array reports the audience that was checked', async () => {
  const rows = tokens.filter((row) => row.why === 'aud array that contains the audience');
  assert.equal(rows.length, 1);
  const verified = await sdk.verifyAccessToken(rows[0].token, { keys: tableJwks, ...tableOptions });
  assert.equal(verified.claims.aud, audience);
  assert.deepEqual(JSON.parse(Buffer.from(fromBase64url(rows[0].token.split('.')[1])).toString()).aud.includes(audience), true);
});

test('every malformed JWK set of the table is refused with its code', async () => {
  for (const { why, jwks, error } of await vectorTable('jwt_negative.json', 'jwks_invalid')) {
    // As text, through jwksUrl: every row, with the core's reading of the text.
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { ...servedJwks(jwks), ...tableOptions })), error, `jwksUrl: ${why}`);
    // As a parsed document, where JSON.parse keeps what the row is about (see the top of the file).
    if (why === 'not JSON' || why === 'duplicate member name') continue;
    assert.equal(await asyncOutcome(() => sdk.importJwks(JSON.parse(jwks))), error, `importJwks: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { keys: JSON.parse(jwks), ...tableOptions })), error, `keys: ${why}`);
  }
});

// The table's keys mostly have no kid; a kid (and the table key beside them) makes
// sure each is refused for its own fault, not for the missing kid.
test('every malformed key of the table is refused for its own fault, also with a kid', async () => {
  let checked = 0;
  for (const { why, jwks, error } of await vectorTable('jwt_negative.json', 'jwks_invalid')) {
    const document = JSON.parse(jwks === 'keys' ? 'null' : jwks);
    if (!Array.isArray(document?.keys) || document.keys.length !== 1 || typeof document.keys[0] !== 'object' || 'kid' in document.keys[0]) {
      continue;
    }
    const withKid = { keys: [{ ...document.keys[0], kid: 'k' }, tableJwk(0)] };
    assert.equal(coreVerdict(baseline.token, JSON.stringify(withKid), tableOptions), error, `the core: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.importJwks(withKid)), error, why);
    checked += 1;
  }
  assert.ok(checked >= 12, `${checked} rows`);
});

test('keys that cannot verify EdDSA are skipped, not refused, and never used', async () => {
  const [privateRow] = await vectorTable('rfc8037.json', 'private_keys');
  const { privateKey } = keyPairFromSeed(fromBase64url(privateRow.d));
  for (const { why, jwk } of await vectorTable('jwt_negative.json', 'jwks_skipped')) {
    const jwks = { keys: [jwk, tableJwk(0)] };
    assert.deepEqual([...(await sdk.importJwks(jwks)).keys()], ['sesame-test-1'], why);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { keys: jwks, ...tableOptions })), 'ok', why);
    // Signed under the skipped key's kid by the RFC 8037 key (the x of the Ed25519
    // rows): had the key been kept, this would verify.
    const token = signJws(accessHeader(jwk.kid), JSON.stringify(sampleClaims()), privateKey);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now, { keys: jwks }))), 'jwt_unknown_key', why);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, { ...optionsAt(now), keys: undefined, ...servedJwks(JSON.stringify(jwks)) })),
      'jwt_unknown_key', `jwksUrl: ${why}`);
  }
});

// ---------------------------------------------------------------------------
// Signed tokens: claims, time, issuer, audience

test('every claim survives verification; aud becomes the checked audience', async () => {
  const claims = { ...sampleClaims(), nbf: now - 5, aud: ['other', audience], email: 'ada@example.test', org: { id: 7, tags: ['a'] } };
  const verified = await sdk.verifyAccessToken(sign(claims), optionsAt(now));
  assert.deepEqual(verified, { kid: 'sesame-test-1', claims: { ...claims, aud: audience } });
});

test('optional claims may be absent: roles and amr read as empty lists', async () => {
  const { tenant_id: _tenant, roles: _roles, amr: _amr, ...claims } = sampleClaims();
  const verified = await sdk.verifyAccessToken(sign(claims), optionsAt(now));
  assert.deepEqual(verified.claims, { ...claims, roles: [], amr: [] });
  assert.ok(!('tenant_id' in verified.claims) && !('nbf' in verified.claims));
});

test('expiry is checked with the leeway', async () => {
  const token = sign(sampleClaims());
  const exp = now + 900;
  for (const leewaySeconds of [0, 1, 60, 300]) {
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(exp + leewaySeconds - 1, { leewaySeconds }))), 'ok',
      `leeway ${leewaySeconds}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(exp + leewaySeconds, { leewaySeconds }))), 'jwt_expired',
      `leeway ${leewaySeconds}`);
  }
});

test('nbf and iat are checked with the default 60 s leeway', async () => {
  const early = sign({ ...sampleClaims(), nbf: now + 100 });
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(early, optionsAt(now + 40))), 'ok');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(early, optionsAt(now + 39))), 'jwt_not_yet_valid');
  const fresh = sign(sampleClaims());
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(fresh, optionsAt(now - 60))), 'ok');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(fresh, optionsAt(now - 61))), 'jwt_issued_in_future');
});

test('issuer and audience must match exactly', async () => {
  const token = sign(sampleClaims());
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now, { issuer: `${issuer}/` }))), 'jwt_invalid_issuer');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now, { audience: 'sesame-admin' }))), 'jwt_invalid_audience');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(sign({ ...sampleClaims(), aud: ['a', 'b'] }), optionsAt(now))), 'jwt_invalid_audience');
});

test('invalid options are refused with invalid_argument before the token is read, as by the core', async () => {
  const goodToken = sign(sampleClaims());
  for (const token of [goodToken, 'not a token', baseline.token.replace('eyJ', 'xyz')]) {
    for (const [why, options] of [
      ['empty issuer', optionsAt(now, { issuer: '' })], ['empty audience', optionsAt(now, { audience: '' })],
      ['issuer not a string', optionsAt(now, { issuer: 5 })], ['no keys', optionsAt(now, { keys: undefined })],
      ['leeway -1', optionsAt(now, { leewaySeconds: -1 })], ['leeway 301', optionsAt(now, { leewaySeconds: 301 })],
      ['leeway 1.5', optionsAt(now, { leewaySeconds: 1.5 })], ['leeway as a string', optionsAt(now, { leewaySeconds: '60' })],
      ['now 1.5', optionsAt(1.5)], ['now NaN', optionsAt(NaN)], ['now as a string', optionsAt(String(now))],
    ]) {
      assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, options)), 'invalid_argument', `${why}, token ${token.slice(0, 12)}`);
    }
  }
  assert.equal(coreVerdict('not a token', JSON.stringify(tableJwks), optionsAt(now, { issuer: '' })), 'invalid_argument', 'the core agrees');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(goodToken, null)), 'invalid_argument');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(goodToken)), 'invalid_argument');
});

test('a token from a key outside the set is an unknown key, also for an empty set', async () => {
  const outsider = signJws(accessHeader('outsider'), JSON.stringify(sampleClaims()), keyPairFromSeed(unhex('ee'.repeat(32))).privateKey);
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(outsider, optionsAt(now))), 'jwt_unknown_key');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(outsider, optionsAt(now, { keys: { keys: [] } }))), 'jwt_unknown_key');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(outsider, optionsAt(now, { keys: new Map() }))), 'jwt_unknown_key');
});

test('a token under a kid of the set but signed by another key is an invalid signature', async () => {
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(sign(sampleClaims(), { index: 1, kid: tableKeys[0].kid }), optionsAt(now))),
    'jwt_invalid_signature');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(sign(sampleClaims(), { index: 1 }), optionsAt(now))), 'ok');
});

test('every single-bit flip in any segment of a signed token fails', async () => {
  const token = sign(sampleClaims());
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now))), 'ok');
  const parts = token.split('.');
  let tried = 0;
  for (let segment = 0; segment < 3; segment++) {
    const original = fromBase64url(parts[segment]);
    for (let bit = 0; bit < original.length * 8; bit++) {
      const flipped = original.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const copy = parts.slice();
      copy[segment] = toBase64url(flipped);
      assert.notEqual(await asyncOutcome(() => sdk.verifyAccessToken(copy.join('.'), optionsAt(now))), 'ok', `segment ${segment}, bit ${bit}`);
      tried += 1;
    }
  }
  assert.ok(tried > 2000, `${tried} flips`);
});

test('tokens over 8 KiB of UTF-8 are refused with input_too_large, before parsing', async () => {
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken('A'.repeat(8 * 1024 + 1), optionsAt(now))), 'input_too_large');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken('é'.repeat(4 * 1024 + 1), optionsAt(now))), 'input_too_large', '8194 bytes');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken('A'.repeat(8 * 1024), optionsAt(now))), 'jwt_malformed', 'at the limit');
  const padded = sign({ ...sampleClaims(), pad: 'x'.repeat(6000) });
  assert.ok(padded.length > 8 * 1024);
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(padded, optionsAt(now))), 'input_too_large', 'a well-signed token');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(5, optionsAt(now))), 'jwt_malformed', 'not a string');
});

test('multilingual UTF-8 claims survive verification', async () => {
  const sub = 'Zoë 東京 🔑';
  assert.equal((await sdk.verifyAccessToken(sign({ ...sampleClaims(), sub }), optionsAt(now))).claims.sub, sub);
});

// ---------------------------------------------------------------------------
// Where JSON.parse and the core's parser read the same text differently

const claimsText = (more = '', exp = String(now + 900)) =>
  `{"iss":"${issuer}","sub":"user-123","aud":"${audience}","exp":${exp},"iat":${now},"jti":"j","sid":"s"${more}}`;
const nested = (depth, inner = '') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

// [why, header text, payload text, the core's verdict]
const parserCases = [
  ['exp written with a fraction, 1.0', accessHeader(), claimsText('', `${now + 900}.0`), 'jwt_malformed'],
  ['exp written with an exponent', accessHeader(), claimsText('', '1.7000009e9'), 'jwt_malformed'],
  ['exp written with an upper-case exponent', accessHeader(), claimsText('', '17000009E2'), 'jwt_malformed'],
  ['nbf written as 1.0', accessHeader(), claimsText(',"nbf":1.0'), 'jwt_malformed'],
  ['a fraction in another claim is fine', accessHeader(), claimsText(',"score":1.5,"n":[1.0]'), 'ok'],
  ['exp -0 is an integer', accessHeader(), claimsText('', '-0'), 'jwt_expired'],
  ['a lone surrogate escape in sub', accessHeader(), claimsText().replace('user-123', '\\ud800'), 'jwt_malformed'],
  ['a lone low surrogate escape in another claim', accessHeader(), claimsText(',"x":"\\udc00"'), 'jwt_malformed'],
  ['a lone surrogate escape in a member name', accessHeader(), claimsText(',"\\ud83d":1'), 'jwt_malformed'],
  ['a surrogate pair escape is fine', accessHeader(), claimsText(',"x":"\\ud83d\\udd11"'), 'ok'],
  ['a lone surrogate escape in the header', '{"alg":"EdDSA","typ":"at+jwt","kid":"sesame-test-1","x":"\\ud800"}', claimsText(), 'jwt_malformed'],
  ['a byte order mark before the header', `\uFEFF${accessHeader()}`, claimsText(), 'ok'],
  ['payload nested to the limit (16 containers inside the object, innermost empty)', accessHeader(), claimsText(`,"x":${nested(16)}`), 'ok'],
  ['payload nested to the limit with a value inside', accessHeader(), claimsText(`,"x":${nested(16, '1')}`), 'jwt_malformed'],
  ['payload nested one beyond the limit', accessHeader(), claimsText(`,"x":${nested(17)}`), 'jwt_malformed'],
  ['header nested beyond the limit', `{"alg":"EdDSA","typ":"at+jwt","kid":"sesame-test-1","x":${nested(16, '1')}}`, claimsText(),
    'jwt_malformed'],
  ['a duplicate member in a nested object', accessHeader(), claimsText(',"x":{"a":1,"a":2}'), 'jwt_malformed'],
  ['a duplicate member spelled with an escape', accessHeader(), claimsText(',"x":{"a":1,"\\u0061":2}'), 'jwt_malformed'],
  ['a duplicate member in the header', '{"alg":"EdDSA","typ":"at+jwt","kid":"sesame-test-1","kid":"sesame-test-1"}', claimsText(),
    'jwt_malformed'],
  ['braces and quotes inside strings are not structure', accessHeader(), claimsText(',"x":"{\\"a\\":[1,","y":"]}"'), 'ok'],
  ['whitespace after the payload', accessHeader(), `${claimsText()} \n`, 'ok'],
  ['text after the payload', accessHeader(), `${claimsText()}x`, 'jwt_malformed'],
  ['an empty member name', accessHeader(), claimsText(',"":1'), 'ok'],
  ['a __proto__ member is only a member', accessHeader(), claimsText(',"__proto__":{"iss":"x"}'), 'ok'],
  ['exp that overflows a double', accessHeader(), claimsText('', '1e400'), 'jwt_malformed'],
];

// [why, payload text, the SDK's verdict, the core's verdict]: see the top of the file.
const deliberateDifferences = [
  ['exp 2^53, beyond what a double holds exactly', claimsText('', String(2 ** 53)), 'jwt_malformed', 'ok'],
  ['exp 2^62, inside int64', claimsText('', '4611686018427387904'), 'jwt_malformed', 'ok'],
];

test('the token\'s JSON is read as the core reads it (numbers, surrogates, nesting, duplicates)', async () => {
  const jwksText = JSON.stringify(tableJwks);
  for (const [why, headerText, payloadText, expected] of parserCases) {
    const token = signJws(headerText, payloadText, tablePrivateKey(0));
    assert.equal(coreVerdict(token, jwksText, optionsAt(now)), expected, `the core: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now))), expected, why);
  }
  for (const [why, payloadText, sdkVerdict, coreSays] of deliberateDifferences) {
    const token = signJws(accessHeader(), payloadText, tablePrivateKey(0));
    assert.equal(coreVerdict(token, jwksText, optionsAt(now)), coreSays, `the core: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(token, optionsAt(now))), sdkVerdict, why);
  }
});

// [why, JWKS text, the core's verdict for the baseline token]
const jwksCases = [
  ['a key without kid beside the table key', { keys: [{ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
    tableJwk(0)] }, 'ok'],
  ['the table key twice, once known by its thumbprint', { keys: [tableJwk(0), { ...tableJwk(0), kid: undefined }] }, 'ok'],
  ['use null', { keys: [{ ...tableJwk(0), use: null }] }, 'jwt_invalid_key'],
  ['alg null', { keys: [{ ...tableJwk(0), alg: null }] }, 'jwt_invalid_key'],
  ['kty null', { keys: [{ ...tableJwk(0), kty: null }] }, 'jwt_invalid_key'],
  ['kid null', { keys: [{ ...tableJwk(0), kid: null }] }, 'jwt_invalid_key'],
  ['d null', { keys: [{ ...tableJwk(0), d: null }] }, 'jwt_invalid_key'],
  ['a kid that is not ASCII', { keys: [{ ...tableJwk(0), kid: 'é' }] }, 'jwt_invalid_key'],
  ['a kid of 256 characters is fine', { keys: [tableJwk(0), { ...tableJwk(1), kid: 'k'.repeat(256) }] }, 'ok'],
  ['a skipped key is not checked further', { keys: [{ kty: 'OKP', crv: 'X25519', x: 5, d: 'x' }, { kty: 'RSA', crv: null }, tableJwk(0)] },
    'ok'],
  ['an Ed25519 key for encryption with a bad x is skipped', { keys: [{ kty: 'OKP', crv: 'Ed25519', use: 'enc', x: 5 }, tableJwk(0)] }, 'ok'],
  ['an empty key set', { keys: [] }, 'jwt_unknown_key'],
  ['other members of the document are ignored', { keys: [tableJwk(0)], x: JSON.parse(nested(15)) }, 'ok'],
];

test('the JWKS is read as the core reads it, from a document and from its text', async () => {
  for (const [why, document, expected] of jwksCases) {
    const text = JSON.stringify(document);
    assert.equal(coreVerdict(baseline.token, text, tableOptions), expected, `the core: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { keys: document, ...tableOptions })), expected, `keys: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { ...servedJwks(text), ...tableOptions })), expected, `jwksUrl: ${why}`);
  }
  for (const [why, text] of [['nested beyond the limit', `{"keys":[],"x":${nested(16, '1')}}`],
    ['a lone surrogate escape', '{"keys":[],"x":"\\ud800"}'], ['a JSON string', '"keys"'], ['an empty body', '']]) {
    assert.equal(coreVerdict(baseline.token, text, tableOptions), 'jwt_invalid_key', `the core: ${why}`);
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { ...servedJwks(text), ...tableOptions })), 'jwt_invalid_key',
      `jwksUrl: ${why}`);
  }
});

test('a JWKS over 64 KiB is refused with input_too_large; an unreachable one with jwks_unavailable', async () => {
  const document = JSON.stringify(tableJwks);
  const padding = ' '.repeat(64 * 1024 - document.length);
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { ...servedJwks(document + padding), ...tableOptions })), 'ok');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { ...servedJwks(`${document + padding} `), ...tableOptions })),
    'input_too_large');
  assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { ...servedJwks(`${document}${'é'.repeat(32 * 1024)}`), ...tableOptions })),
    'input_too_large', 'counted in UTF-8 bytes');
  for (const [why, fetch] of [
    ['fetch rejects', async () => { throw new TypeError('offline'); }],
    ['HTTP 503', async () => ({ ok: false, status: 503, text: async () => '' })],
    ['the body cannot be read', async () => ({ ok: true, status: 200, text: async () => { throw new TypeError('reset'); } })],
  ]) {
    assert.equal(await asyncOutcome(() => sdk.verifyAccessToken(baseline.token, { jwksUrl: `https://jwks.test/${jwksUrls++}`, fetch, ...tableOptions })),
      'jwks_unavailable', why);
  }
});
