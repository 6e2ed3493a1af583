// EdDSA compact JWS and at+jwt access tokens through the wasm module, on the same
// vector tables as tests/core/jwt_test.cpp: rfc8037.json (RFC 8037 Appendix A) and
// jwt_negative.json (tokens and JWK sets made independently with Python).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore, vectorTable, utf8, hex, unhex } from './support/core.mjs';

const core = await loadCore();

const fromBase64url = (text) => new Uint8Array(Buffer.from(text, 'base64url'));
const textOf = (bytes) => new TextDecoder().decode(bytes);
const segmentJson = (token, index) => JSON.parse(textOf(fromBase64url(token.split('.')[index])));

function okValue(result, what) {
  assert.equal(result.ok, true, `${what}: ${result.code} ${result.detail}`);
  return result.value;
}

function outcome(result) {
  return result.ok ? 'ok' : result.code;
}

// The two keys of jwt_negative.json as seeds and as the JWK set the tokens are checked
// against (what the server publishes: kty, crv, x, kid, alg, use).
const tableKeys = await vectorTable('jwt_negative.json', 'keys');
const tableJwks = JSON.stringify({
  keys: tableKeys.map(({ seed_hex: seed, kid }) => JSON.parse(okValue(core.publicJwkFromSeed(unhex(seed), kid), kid))),
});
const tableJwk = (index) => JSON.parse(tableJwks).keys[index];
const tableSeed = (index) => unhex(tableKeys[index].seed_hex);
const [tableOptionsRow] = await vectorTable('jwt_negative.json', 'verify_options');
const tableOptions = {
  issuer: tableOptionsRow.issuer,
  audience: tableOptionsRow.audience,
  nowSeconds: tableOptionsRow.now_unix_seconds,
  leewaySeconds: tableOptionsRow.leeway_seconds,
};

const now = 1700000000;
const issuer = 'https://auth.sesame.test';
const audience = 'sesame-api';
const optionsAt = (nowSeconds, more = {}) => ({ issuer, audience, nowSeconds, ...more });
const jwksOf = (...jwks) => JSON.stringify({ keys: jwks });

function sampleClaims() {
  return {
    iss: issuer,
    sub: 'user-123',
    aud: audience,
    iat: now,
    exp: now + 900,
    jti: 'jti-1',
    sid: 'sid-1',
    tenant_id: 'tenant-1',
    roles: ['member', 'admin'],
    amr: ['pwd', 'otp'],
  };
}

function sign(claims, extraJson = '', index = 0) {
  return okValue(core.signAccessToken(claims, extraJson, tableSeed(index), tableKeys[index].kid), 'signAccessToken');
}

// ---------------------------------------------------------------------------
// RFC 8037 Appendix A

test('RFC 8037 A.1: the seed d gives the published public key x', async () => {
  for (const row of await vectorTable('rfc8037.json', 'private_keys')) {
    const seed = fromBase64url(row.d);
    assert.equal(hex(seed), row.seed_hex, row.section);
    const jwk = JSON.parse(okValue(core.publicJwkFromSeed(seed, 'a1'), row.section));
    assert.equal(jwk.x, row.x, row.section);
    assert.equal(hex(fromBase64url(jwk.x)), row.public_hex, row.section);
  }
});

test('RFC 8037 A.1: the private JWK is refused in a JWK set with jwt_invalid_key', async () => {
  const token = sign(sampleClaims());
  for (const row of await vectorTable('rfc8037.json', 'private_keys')) {
    const result = core.verifyAccessToken(token, jwksOf(JSON.parse(row.jwk)), optionsAt(now));
    assert.equal(outcome(result), 'jwt_invalid_key', row.section);
  }
});

test('RFC 8037 A.2: publicJwkFromSeed emits the published public JWK (with kid, alg and use)', async () => {
  const [privateKey] = await vectorTable('rfc8037.json', 'private_keys');
  for (const row of await vectorTable('rfc8037.json', 'public_keys')) {
    const published = JSON.parse(row.jwk);
    const emitted = JSON.parse(okValue(core.publicJwkFromSeed(fromBase64url(privateKey.d), 'a2'), row.section));
    assert.deepEqual(emitted, { ...published, kid: 'a2', alg: 'EdDSA', use: 'sig' }, row.section);
    assert.equal(hex(fromBase64url(emitted.x)), row.public_hex, row.section);
  }
});

test('RFC 8037 A.3: jwkThumbprint gives the published thumbprint, which is the default kid', async () => {
  const [privateKey] = await vectorTable('rfc8037.json', 'private_keys');
  for (const row of await vectorTable('rfc8037.json', 'thumbprints')) {
    const thumbprint = okValue(core.jwkThumbprint(fromBase64url(row.x)), row.section);
    assert.equal(thumbprint, row.thumbprint, row.section);
    assert.equal(hex(fromBase64url(thumbprint)), row.sha256_hex, row.section);
    // Without a kid, a signing key and a JWK set entry are known by the thumbprint.
    const jwk = JSON.parse(okValue(core.publicJwkFromSeed(fromBase64url(privateKey.d), ''), row.section));
    assert.equal(jwk.kid, row.thumbprint, row.section);
    const token = okValue(core.signAccessToken(sampleClaims(), '', fromBase64url(privateKey.d), ''), row.section);
    assert.equal(segmentJson(token, 0).kid, row.thumbprint, row.section);
    const bare = jwksOf({ kty: 'OKP', crv: 'Ed25519', x: row.x });
    assert.equal(outcome(core.verifyAccessToken(token, bare, optionsAt(now))), 'ok', row.section);
  }
});

test('RFC 8037 A.4: signCompactJws with the A.1 seed reproduces the published JWS', async () => {
  for (const row of await vectorTable('rfc8037.json', 'signatures')) {
    const jws = okValue(core.signCompactJws(row.protected_header, utf8(row.payload), fromBase64url(row.d)), row.section);
    assert.equal(jws, row.jws, row.section);
    const parts = jws.split('.');
    assert.equal(parts.length, 3);
    assert.equal(parts[0], row.encoded_header);
    assert.equal(parts[1], row.encoded_payload);
    assert.equal(`${parts[0]}.${parts[1]}`, row.signing_input);
    assert.equal(parts[2], row.signature);
  }
});

test('RFC 8037 A.5: the published JWS verifies with verifyCompactJws', async () => {
  for (const row of await vectorTable('rfc8037.json', 'verifications')) {
    const verified = okValue(core.verifyCompactJws(row.jws, fromBase64url(row.x)), row.section);
    assert.deepEqual(JSON.parse(verified.headerJson), JSON.parse(row.protected_header), row.section);
    assert.equal(textOf(verified.payload), row.payload, row.section);
  }
});

test('RFC 8037 A.5: the JWS fails under another key and after any single signature bit flip', async () => {
  for (const row of await vectorTable('rfc8037.json', 'verifications')) {
    const otherKey = fromBase64url(JSON.parse(okValue(core.publicJwkFromSeed(unhex('77'.repeat(32)), 'o'), 'other')).x);
    assert.equal(outcome(core.verifyCompactJws(row.jws, otherKey)), 'jwt_invalid_signature', row.section);

    const [header, payload, signature] = row.jws.split('.');
    const bytes = fromBase64url(signature);
    const outcomes = new Set();
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = bytes.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const token = `${header}.${payload}.${Buffer.from(flipped).toString('base64url')}`;
      outcomes.add(outcome(core.verifyCompactJws(token, fromBase64url(row.x))));
    }
    assert.deepEqual([...outcomes], ['jwt_invalid_signature'], row.section);
  }
});

// ---------------------------------------------------------------------------
// jwt_negative.json

test('the table keys: each seed gives its public key', () => {
  for (const [index, { kid, public_hex: publicHex }] of tableKeys.entries()) {
    assert.equal(tableJwk(index).kid, kid);
    assert.equal(hex(fromBase64url(tableJwk(index).x)), publicHex, kid);
  }
});

test('every token of the table decodes and verifies to the expected code or success', async () => {
  for (const { why, token, decode_error: decodeError, verify_error: verifyError } of await vectorTable('jwt_negative.json', 'tokens')) {
    assert.equal(outcome(core.decodeJwt(token)), decodeError ?? 'ok', `decodeJwt: ${why}`);
    assert.equal(outcome(core.verifyAccessToken(token, tableJwks, tableOptions)), verifyError ?? 'ok', `verifyAccessToken: ${why}`);
  }
});

test('the baseline token decodes and verifies to its claims', async () => {
  const [baseline] = await vectorTable('jwt_negative.json', 'tokens');
  const expected = {
    kid: 'sesame-test-1',
    claims: {
      iss: issuer, sub: 'user-123', aud: audience, exp: 1700000900, iat: 1700000000, jti: 'jti-1', sid: 'sid-1',
      tenant_id: 'tenant-1', roles: ['member'], amr: ['pwd'],
    },
    extraJson: '{}',
  };
  assert.deepEqual(okValue(core.decodeJwt(baseline.token), 'decode'), expected);
  assert.deepEqual(okValue(core.verifyAccessToken(baseline.token, tableJwks, tableOptions), 'verify'), expected);
});

test('a verified aud array reports the matching audience; decoding reports the first', async () => {
  const rows = (await vectorTable('jwt_negative.json', 'tokens')).filter((row) => row.why === 'aud array that contains the audience');
  assert.equal(rows.length, 1);
  assert.equal(okValue(core.verifyAccessToken(rows[0].token, tableJwks, tableOptions), 'verify').claims.aud, audience);
  assert.equal(okValue(core.decodeJwt(rows[0].token), 'decode').claims.aud, 'other');
});

test('every malformed JWK set of the table is refused with its code', async () => {
  const [baseline] = await vectorTable('jwt_negative.json', 'tokens');
  for (const { why, jwks, error } of await vectorTable('jwt_negative.json', 'jwks_invalid')) {
    assert.equal(outcome(core.verifyAccessToken(baseline.token, jwks, tableOptions)), error, why);
  }
});

test('keys that cannot verify EdDSA are skipped, not refused, and never used', async () => {
  const [baseline] = await vectorTable('jwt_negative.json', 'tokens');
  const [privateKey] = await vectorTable('rfc8037.json', 'private_keys');
  for (const { why, jwk } of await vectorTable('jwt_negative.json', 'jwks_skipped')) {
    const jwks = jwksOf(jwk, tableJwk(0));
    assert.equal(outcome(core.verifyAccessToken(baseline.token, jwks, tableOptions)), 'ok', why);
    // Signed under the skipped key's kid by the RFC 8037 key (the x of the Ed25519 rows):
    // had the key been kept, this would verify.
    const token = okValue(core.signAccessToken(sampleClaims(), '', fromBase64url(privateKey.d), jwk.kid), why);
    assert.equal(outcome(core.verifyAccessToken(token, jwks, optionsAt(now))), 'jwt_unknown_key', why);
  }
});

// ---------------------------------------------------------------------------
// Signing and verifying access tokens

test('signAccessToken then verifyAccessToken round-trips every claim and the extra claims', () => {
  const claims = { ...sampleClaims(), nbf: now - 5 };
  const extra = { email: 'ada@example.test', org: { id: 7, tags: ['a', 'b'] } };
  const token = sign(claims, JSON.stringify(extra));
  const verified = okValue(core.verifyAccessToken(token, tableJwks, optionsAt(now)), 'verify');
  assert.equal(verified.kid, 'sesame-test-1');
  assert.deepEqual(verified.claims, claims);
  assert.deepEqual(JSON.parse(verified.extraJson), extra);
});

test('the header is exactly {alg: EdDSA, typ: at+jwt, kid}; aud is a string, exp an integer, nbf absent', () => {
  const token = sign(sampleClaims());
  assert.deepEqual(segmentJson(token, 0), { alg: 'EdDSA', typ: 'at+jwt', kid: 'sesame-test-1' });
  const payload = segmentJson(token, 1);
  assert.equal(typeof payload.aud, 'string');
  assert.ok(Number.isInteger(payload.exp));
  assert.ok(!('nbf' in payload));
});

test('optional claims may be absent', () => {
  const { tenant_id: _, ...claims } = { ...sampleClaims(), roles: [], amr: [] };
  const token = sign(claims);
  assert.ok(!('tenant_id' in segmentJson(token, 1)));
  const decoded = okValue(core.decodeJwt(token), 'decode');
  assert.ok(!('tenant_id' in decoded.claims));
  assert.ok(!('nbf' in decoded.claims));
  assert.deepEqual(decoded.claims.roles, []);
  assert.equal(decoded.extraJson, '{}');
});

test('decodeJwt reads claims without checking the signature or time; verifyAccessToken says expired', () => {
  const token = sign({ ...sampleClaims(), iat: 1000, exp: 2000 });
  const decoded = okValue(core.decodeJwt(token), 'decode');
  assert.equal(decoded.kid, 'sesame-test-1');
  assert.equal(decoded.claims.exp, 2000);
  assert.equal(decoded.claims.iat, 1000);
  assert.equal(outcome(core.verifyAccessToken(token, tableJwks, optionsAt(now))), 'jwt_expired');
});

test('expiry is checked with the leeway', () => {
  const token = sign(sampleClaims());
  const exp = now + 900;
  for (const leeway of [0, 1, 60, 300]) {
    assert.equal(outcome(core.verifyAccessToken(token, tableJwks, optionsAt(exp + leeway - 1, { leewaySeconds: leeway }))), 'ok',
      `leeway ${leeway}`);
    assert.equal(outcome(core.verifyAccessToken(token, tableJwks, optionsAt(exp + leeway, { leewaySeconds: leeway }))), 'jwt_expired',
      `leeway ${leeway}`);
  }
});

test('nbf and iat are checked with the default 60 s leeway', () => {
  const token = sign({ ...sampleClaims(), nbf: now + 100 });
  assert.equal(outcome(core.verifyAccessToken(token, tableJwks, optionsAt(now + 40))), 'ok');
  assert.equal(outcome(core.verifyAccessToken(token, tableJwks, optionsAt(now + 39))), 'jwt_not_yet_valid');
  const fresh = sign(sampleClaims());
  assert.equal(outcome(core.verifyAccessToken(fresh, tableJwks, optionsAt(now - 60))), 'ok');
  assert.equal(outcome(core.verifyAccessToken(fresh, tableJwks, optionsAt(now - 61))), 'jwt_issued_in_future');
});

test('issuer and audience must match exactly', () => {
  const token = sign(sampleClaims());
  assert.equal(outcome(core.verifyAccessToken(token, tableJwks, { ...optionsAt(now), issuer: `${issuer}/` })), 'jwt_invalid_issuer');
  assert.equal(outcome(core.verifyAccessToken(token, tableJwks, { ...optionsAt(now), audience: 'sesame-admin' })), 'jwt_invalid_audience');
});

test('verifyAccessToken refuses an empty issuer or audience and a leeway outside 0..300 with invalid_argument', () => {
  const token = sign(sampleClaims());
  for (const options of [{ ...optionsAt(now), issuer: '' }, { ...optionsAt(now), audience: '' }, optionsAt(now, { leewaySeconds: -1 }),
    optionsAt(now, { leewaySeconds: 301 })]) {
    assert.equal(outcome(core.verifyAccessToken(token, tableJwks, options)), 'invalid_argument', JSON.stringify(options));
  }
});

test('a token from a key outside the set is an unknown key, also for an empty set', () => {
  const outsider = okValue(core.signAccessToken(sampleClaims(), '', unhex('ee'.repeat(32)), 'outsider'), 'sign');
  assert.equal(outcome(core.verifyAccessToken(outsider, tableJwks, optionsAt(now))), 'jwt_unknown_key');
  assert.equal(outcome(core.verifyAccessToken(outsider, '{"keys":[]}', optionsAt(now))), 'jwt_unknown_key');
});

test('no single bit flip in any segment of a signed token verifies', () => {
  const token = sign(sampleClaims());
  assert.equal(outcome(core.verifyAccessToken(token, tableJwks, optionsAt(now))), 'ok');
  const parts = token.split('.');
  let tried = 0;
  for (let segment = 0; segment < 3; segment++) {
    const original = fromBase64url(parts[segment]);
    for (let bit = 0; bit < original.length * 8; bit++) {
      const flipped = original.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const copy = parts.slice();
      copy[segment] = Buffer.from(flipped).toString('base64url');
      const result = core.verifyAccessToken(copy.join('.'), tableJwks, optionsAt(now));
      assert.equal(result.ok, false, `segment ${segment}, bit ${bit}`);
      tried += 1;
    }
  }
  assert.ok(tried > 2000, `${tried} flips`);
});

test('oversized tokens are refused before parsing with input_too_large', () => {
  const huge = 'A'.repeat(8 * 1024 + 1);
  assert.equal(outcome(core.decodeJwt(huge)), 'input_too_large');
  assert.equal(outcome(core.verifyAccessToken(huge, tableJwks, optionsAt(now))), 'input_too_large');
});

test('signAccessToken refuses claims that would make a bad token', () => {
  const cases = [
    ['empty iss', { iss: '' }], ['empty sub', { sub: '' }], ['empty aud', { aud: '' }], ['empty jti', { jti: '' }],
    ['empty sid', { sid: '' }], ['exp equal to iat', { exp: now }], ['exp before iat', { exp: now - 1 }],
  ];
  for (const [why, change] of cases) {
    assert.equal(outcome(core.signAccessToken({ ...sampleClaims(), ...change }, '', tableSeed(0), 'k')), 'invalid_argument', why);
  }
  for (const [why, extraJson] of [['extra is an array', '[1]'], ['extra repeats sub', '{"sub":"admin"}'],
    ['extra repeats roles', '{"roles":["admin"]}'], ['extra is not JSON', '{']]) {
    assert.equal(outcome(core.signAccessToken(sampleClaims(), extraJson, tableSeed(0), 'k')), 'invalid_argument', why);
  }
  const tooBig = JSON.stringify({ blob: 'x'.repeat(8 * 1024) });
  assert.equal(outcome(core.signAccessToken(sampleClaims(), tooBig, tableSeed(0), 'k')), 'input_too_large');
});

test('multilingual UTF-8 claims survive signing and decoding', () => {
  const sub = 'Zoë 東京 🔑';
  assert.equal(okValue(core.decodeJwt(sign({ ...sampleClaims(), sub })), 'decode').claims.sub, sub);
});

test('seeds and keys of the wrong length and invalid kids are refused with jwt_invalid_key', () => {
  for (const length of [0, 16, 31, 33, 64]) {
    assert.equal(outcome(core.publicJwkFromSeed(new Uint8Array(length).fill(1), 'k')), 'jwt_invalid_key', `seed of ${length}`);
    assert.equal(outcome(core.signCompactJws('{"alg":"EdDSA"}', utf8('x'), new Uint8Array(length).fill(1))), 'jwt_invalid_key');
  }
  for (const key of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), new Uint8Array(32),
    unhex('01' + '00'.repeat(31)), unhex('ed' + 'ff'.repeat(30) + '7f')]) {
    assert.equal(outcome(core.jwkThumbprint(key)), 'jwt_invalid_key', hex(key));
    assert.equal(outcome(core.verifyCompactJws('a.b.c', key)), 'jwt_invalid_key', hex(key));
  }
  for (const kid of ['k'.repeat(257), 'a\nb', 'tab\t', 'café', '\0']) {
    assert.equal(outcome(core.publicJwkFromSeed(tableSeed(0), kid)), 'jwt_invalid_key', JSON.stringify(kid));
  }
  assert.equal(outcome(core.publicJwkFromSeed(tableSeed(0), 'k'.repeat(256))), 'ok');
});

test('signCompactJws refuses headers that are not EdDSA objects', () => {
  const cases = [
    ['{}', 'jwt_unsupported_algorithm'], ['{"alg":"none"}', 'jwt_unsupported_algorithm'],
    ['{"alg":"HS256"}', 'jwt_unsupported_algorithm'], ['{"alg":"eddsa"}', 'jwt_unsupported_algorithm'],
    ['{"alg":"EdDSA","crit":["b64"],"b64":false}', 'invalid_argument'], ['{"alg":"EdDSA","alg":"EdDSA"}', 'invalid_argument'],
    ['["alg","EdDSA"]', 'invalid_argument'], ['not json', 'invalid_argument'], ['', 'invalid_argument'],
  ];
  for (const [header, code] of cases) {
    assert.equal(outcome(core.signCompactJws(header, utf8('x'), tableSeed(0))), code, header);
  }
});

test('compact JWS round-trips binary and empty payloads; signatures are deterministic', () => {
  const jwk = tableJwk(0);
  for (const payload of [new Uint8Array(0), Uint8Array.of(0, 0xff, 0x2e, 0), new Uint8Array(1000).fill(0x2e)]) {
    const header = '{"alg":"EdDSA","cty":"application/octet-stream"}';
    const jws = okValue(core.signCompactJws(header, payload, tableSeed(0)), 'sign');
    assert.equal(okValue(core.signCompactJws(header, payload, tableSeed(0)), 'sign again'), jws);
    assert.deepEqual(okValue(core.verifyCompactJws(jws, fromBase64url(jwk.x)), 'verify').payload, payload);
  }
});

test('verifyCompactJws checks a kid in the header against the key', () => {
  const publicKey = fromBase64url(tableJwk(0).x);
  const signed = (header) => okValue(core.signCompactJws(header, utf8('p'), tableSeed(0)), header);
  assert.equal(outcome(core.verifyCompactJws(signed('{"alg":"EdDSA","kid":"sesame-test-1"}'), publicKey)), 'jwt_unknown_key',
    'a key made from bytes has the thumbprint as its kid');
  const thumbprint = okValue(core.jwkThumbprint(publicKey), 'thumbprint');
  assert.equal(outcome(core.verifyCompactJws(signed(`{"alg":"EdDSA","kid":"${thumbprint}"}`), publicKey)), 'ok');
  assert.equal(outcome(core.verifyCompactJws(signed('{"alg":"EdDSA","kid":7}'), publicKey)), 'jwt_malformed');
});
