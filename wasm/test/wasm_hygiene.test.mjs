// What the module may touch and how it fails: importing it reads no browser global,
// the core draws no randomness of its own, and bad argument types come back as
// invalid_argument results or BindingErrors without damaging the module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { loadCore, libsodiumRandomDraws, vectorTable, utf8, unhex } from './support/core.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const distDir = path.resolve(process.env.SESAME_WASM_DIST ?? path.join(repoRoot, 'build/wasm/dist'));

const core = await loadCore();
const drawsAfterLoad = libsodiumRandomDraws.count;

// Every function the module binds (embind gives them an argCount).
const boundNames = Object.keys(core).filter((name) => typeof core[name] === 'function' && core[name].argCount !== undefined);

// ---------------------------------------------------------------------------
// Valid arguments for every binding.

const secret = utf8('12345678901234567890');
const [jwtKey] = await vectorTable('jwt_negative.json', 'keys');
const seed = unhex(jwtKey.seed_hex);
const [baseline] = await vectorTable('jwt_negative.json', 'tokens');
const jwks = JSON.stringify({ keys: [JSON.parse(core.publicJwkFromSeed(seed, jwtKey.kid).value)] });
const publicKey = unhex(jwtKey.public_hex);
const verifyOptions = { issuer: 'https://auth.sesame.test', audience: 'sesame-api', nowSeconds: 1700000000 };
const claims = {
  iss: 'https://auth.sesame.test', sub: 'user-123', aud: 'sesame-api', iat: 1700000000, exp: 1700000900, jti: 'jti-1', sid: 'sid-1',
};
const jws = core.signCompactJws('{"alg":"EdDSA"}', utf8('payload'), seed).value;
const counting = (n) => Uint8Array.from({ length: n }, (_, i) => i);
const otpauthFields = { issuer: 'Example', account: 'alice@example.com', secret };

// Functions that take a random source (`fill`); the core draws only from it.
const takesRandomSource = {
  generateTotpSecret: () => core.generateTotpSecret(counting, 'SHA1'),
  generateBackupCodes: () => core.generateBackupCodes(counting, 10),
};

// Every other binding, with arguments it accepts. Each must answer {ok: true}.
const deterministic = {
  base32Encode: () => ({ ok: core.base32Encode(secret, true).value === 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' }),
  base32Decode: () => core.base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'),
  base64urlEncode: () => ({ ok: core.base64urlEncode(Uint8Array.of(0xfb, 0xff)).value === '-_8' }),
  base64urlDecode: () => core.base64urlDecode('-_8'),
  hotp: () => core.hotp(secret, 0, 'SHA1', 6),
  totp: () => core.totp(secret, 59, { algorithm: 'SHA512', digits: 8 }),
  totpVerify: () => core.totpVerify(secret, '287082', 59, { windowSteps: 1, lastAcceptedStep: 0 }),
  buildOtpauthUri: () => core.buildOtpauthUri(otpauthFields),
  parseOtpauthUri: () => core.parseOtpauthUri('otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP'),
  qrSvg: () => core.qrSvg('otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP', { border: 2, errorCorrection: 'high' }),
  checkPassword: () => core.checkPassword('correct horse battery staple', { email: 'a@b.c', extraWords: ['Sesame'] }),
  validatePasswordPolicy: () => core.validatePasswordPolicy({ minLength: 12, maxLength: 128 }),
  formatBackupCode: () => ({ ok: core.formatBackupCode('abcdefghjk') === 'abcde-fghjk' }),
  normalizeBackupCode: () => core.normalizeBackupCode('ABCDE-FGHJK'),
  planRefresh: () => core.planRefresh(1700000000, 1700000900, 1700000000000, { maxJitterMs: 1000 }, 0.5),
  retryDelayMs: () => core.retryDelayMs(3, { retryBaseDelayMs: 500 }, 0.5),
  sessionTransition: () => core.sessionTransition('signed_in', 'refresh_started'),
  signAccessToken: () => core.signAccessToken({ ...claims, roles: ['member'], amr: ['pwd'] }, '{"email":"a@b.c"}', seed, 'k'),
  decodeJwt: () => core.decodeJwt(baseline.token),
  verifyAccessToken: () => core.verifyAccessToken(baseline.token, jwks, verifyOptions),
  signCompactJws: () => core.signCompactJws('{"alg":"EdDSA"}', utf8('payload'), seed),
  verifyCompactJws: () => core.verifyCompactJws(jws, publicKey),
  publicJwkFromSeed: () => core.publicJwkFromSeed(seed, 'k'),
  jwkThumbprint: () => core.jwkThumbprint(publicKey),
};

// ---------------------------------------------------------------------------
// (1) Import

test('importing the module file touches no browser global (window, self, document, crypto, navigator, location)', () => {
  const script = `
    const poisoned = ['window', 'self', 'document', 'crypto', 'navigator', 'location'];
    const touched = [];
    for (const name of poisoned) {
      delete globalThis[name];
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() { touched.push(name); throw new Error('browser global ' + name + ' read'); },
        set() { touched.push(name); throw new Error('browser global ' + name + ' written'); },
      });
    }
    let imported;
    try {
      imported = await import(process.env.SESAME_MODULE_URL);
    } catch (error) {
      console.log(JSON.stringify({ importError: String(error), touched }));
      process.exit(0);
    }
    const touchedByImport = touched.slice();
    let controlThrew = false;
    try { globalThis.window; } catch { controlThrew = true; }
    console.log(JSON.stringify({
      touched: touchedByImport, factory: typeof imported.default, controlThrew, controlSeen: touched.includes('window'),
    }));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, SESAME_MODULE_URL: pathToFileURL(path.join(distDir, 'sesame_core.mjs')).href },
    encoding: 'utf8',
  });
  const report = JSON.parse(output.trim().split('\n').at(-1));
  assert.equal(report.importError, undefined, `the import failed: ${report.importError}`);
  assert.deepEqual(report.touched, [], 'globals read or written by the import');
  assert.equal(report.factory, 'function', 'the default export is the module factory');
  assert.ok(report.controlThrew && report.controlSeen, 'the poisoned globals are in effect');
});

// ---------------------------------------------------------------------------
// (2) Randomness

test('every bound function is covered here: deterministic or taking a random source', () => {
  const covered = [...Object.keys(deterministic), ...Object.keys(takesRandomSource)].sort();
  assert.deepEqual([...boundNames].sort(), covered);
});

test('functions without a random source draw nothing from libsodium\'s generator', () => {
  assert.ok(drawsAfterLoad > 0, 'sodium_init draws at start-up: the counter is wired');
  assert.equal(libsodiumRandomDraws.count, drawsAfterLoad, 'nothing drew between loading and this test');
  for (let round = 0; round < 3; round++) {
    for (const [name, call] of Object.entries(deterministic)) {
      const result = call();
      assert.equal(result.ok, true, `${name}: ${result.code} ${result.detail}`);
      assert.equal(libsodiumRandomDraws.count, drawsAfterLoad, `${name} drew from libsodium's generator`);
    }
  }
});

test('functions with a random source draw only from it, never from libsodium\'s generator', () => {
  const before = libsodiumRandomDraws.count;
  for (const [name, call] of Object.entries(takesRandomSource)) {
    const result = call();
    assert.equal(result.ok, true, `${name}: ${result.code} ${result.detail}`);
  }
  const requested = [];
  const recording = (n) => { requested.push(n); return counting(n); };
  assert.equal(core.generateTotpSecret(recording, 'SHA256').ok, true);
  assert.deepEqual(requested, [32]);
  assert.equal(libsodiumRandomDraws.count, before);
});

// ---------------------------------------------------------------------------
// (3) Bad argument types

const badCalls = {
  'base32Decode(number)': () => core.base32Decode(5),
  'base32Decode(undefined)': () => core.base32Decode(undefined),
  'base64urlDecode(NaN)': () => core.base64urlDecode(NaN),
  'base32Encode()': () => core.base32Encode(),
  'base64urlEncode(bytes, extra)': () => core.base64urlEncode(secret, true),
  'base32Encode(string)': () => core.base32Encode('abc', true),
  'base64urlEncode(undefined)': () => core.base64urlEncode(undefined),

  'hotp(secret as string)': () => core.hotp('12345678901234567890', 0, 'SHA1', 6),
  'hotp(secret as number)': () => core.hotp(5, 0, 'SHA1', 6),
  'hotp(secret undefined)': () => core.hotp(undefined, 0, 'SHA1', 6),
  'hotp(counter 1.5)': () => core.hotp(secret, 1.5, 'SHA1', 6),
  'hotp(counter NaN)': () => core.hotp(secret, NaN, 'SHA1', 6),
  'hotp(counter Infinity)': () => core.hotp(secret, Infinity, 'SHA1', 6),
  'hotp(counter as string)': () => core.hotp(secret, '1', 'SHA1', 6),
  'hotp(algorithm as number)': () => core.hotp(secret, 0, 1, 6),
  'hotp(digits 6.5)': () => core.hotp(secret, 0, 'SHA1', 6.5),
  'hotp(digits as string)': () => core.hotp(secret, 0, 'SHA1', '6'),

  'totp(secret as array)': () => core.totp([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 59, {}),
  'totp(time 1.5)': () => core.totp(secret, 1.5, {}),
  'totp(time NaN)': () => core.totp(secret, NaN, {}),
  'totp(time undefined)': () => core.totp(secret, undefined, {}),
  'totp(digits 1.5)': () => core.totp(secret, 59, { digits: 1.5 }),
  'totp(digits as string)': () => core.totp(secret, 59, { digits: '8' }),
  'totp(period NaN)': () => core.totp(secret, 59, { period: NaN }),
  'totp(algorithm as number)': () => core.totp(secret, 59, { algorithm: 1 }),

  'totpVerify(code as number)': () => core.totpVerify(secret, 287082, 59, {}),
  'totpVerify(secret undefined)': () => core.totpVerify(undefined, '287082', 59, {}),
  'totpVerify(time 59.5)': () => core.totpVerify(secret, '287082', 59.5, {}),
  'totpVerify(windowSteps 1.5)': () => core.totpVerify(secret, '287082', 59, { windowSteps: 1.5 }),
  'totpVerify(lastAcceptedStep NaN)': () => core.totpVerify(secret, '287082', 59, { lastAcceptedStep: NaN }),

  'generateTotpSecret(fill as number)': () => core.generateTotpSecret(5, 'SHA1'),
  'generateTotpSecret(fill undefined)': () => core.generateTotpSecret(undefined, 'SHA1'),
  'generateTotpSecret(algorithm as number)': () => core.generateTotpSecret(counting, 1),

  'buildOtpauthUri(undefined)': () => core.buildOtpauthUri(undefined),
  'buildOtpauthUri(null)': () => core.buildOtpauthUri(null),
  'buildOtpauthUri(account as number)': () => core.buildOtpauthUri({ ...otpauthFields, account: 5 }),
  'buildOtpauthUri(issuer as number)': () => core.buildOtpauthUri({ ...otpauthFields, issuer: 5 }),
  'buildOtpauthUri(secret as base32 string)': () => core.buildOtpauthUri({ ...otpauthFields, secret: 'JBSWY3DPEHPK3PXP' }),
  'buildOtpauthUri(secret undefined)': () => core.buildOtpauthUri({ ...otpauthFields, secret: undefined }),
  'buildOtpauthUri(digits 6.5)': () => core.buildOtpauthUri({ ...otpauthFields, digits: 6.5 }),

  'parseOtpauthUri(number)': () => core.parseOtpauthUri(5),
  'parseOtpauthUri(undefined)': () => core.parseOtpauthUri(undefined),

  'qrSvg(number)': () => core.qrSvg(5, {}),
  'qrSvg(border 1.5)': () => core.qrSvg('x', { border: 1.5 }),
  'qrSvg(border NaN)': () => core.qrSvg('x', { border: NaN }),
  'qrSvg(errorCorrection as number)': () => core.qrSvg('x', { errorCorrection: 1 }),

  'checkPassword(number)': () => core.checkPassword(12345678, {}),
  'checkPassword(minLength 8.5)': () => core.checkPassword('x', { minLength: 8.5 }),
  'checkPassword(maxLength NaN)': () => core.checkPassword('x', { maxLength: NaN }),
  'checkPassword(email as number)': () => core.checkPassword('x', { email: 5 }),
  'checkPassword(extraWords as string)': () => core.checkPassword('x', { extraWords: 'sesame' }),
  'checkPassword(extraWords with a number)': () => core.checkPassword('x', { extraWords: ['sesame', 1] }),
  'checkPassword(extraWords with a hole)': () => core.checkPassword('x', { extraWords: [undefined] }),
  'validatePasswordPolicy(minLength as string)': () => core.validatePasswordPolicy({ minLength: '8' }),

  'generateBackupCodes(count 1.5)': () => core.generateBackupCodes(counting, 1.5),
  'generateBackupCodes(count NaN)': () => core.generateBackupCodes(counting, NaN),
  'generateBackupCodes(count as string)': () => core.generateBackupCodes(counting, '10'),
  'generateBackupCodes(fill undefined)': () => core.generateBackupCodes(undefined, 10),
  'formatBackupCode(number)': () => core.formatBackupCode(5),
  'normalizeBackupCode(undefined)': () => core.normalizeBackupCode(undefined),

  'planRefresh(issuedAt 1.5)': () => core.planRefresh(1.5, 900, 0, {}, 0),
  'planRefresh(expiresAt NaN)': () => core.planRefresh(0, NaN, 0, {}, 0),
  'planRefresh(nowMs as string)': () => core.planRefresh(0, 900, '0', {}, 0),
  'planRefresh(jitterUnit as string)': () => core.planRefresh(0, 900, 0, {}, '0.5'),
  'planRefresh(jitterUnit undefined)': () => core.planRefresh(0, 900, 0, {}, undefined),
  'planRefresh(refreshMarginMs 1.5)': () => core.planRefresh(0, 900, 0, { refreshMarginMs: 1.5 }, 0),
  'planRefresh(refreshAfterPermille NaN)': () => core.planRefresh(0, 900, 0, { refreshAfterPermille: NaN }, 0),
  'retryDelayMs(attempt 1.5)': () => core.retryDelayMs(1.5, {}, 0.5),
  'retryDelayMs(attempt NaN)': () => core.retryDelayMs(NaN, {}, 0.5),
  'retryDelayMs(jitterUnit as string)': () => core.retryDelayMs(1, {}, '0.5'),
  'retryDelayMs(retryBaseDelayMs 0.5)': () => core.retryDelayMs(1, { retryBaseDelayMs: 0.5 }, 0.5),

  'sessionTransition(number state)': () => core.sessionTransition(1, 'signed_out'),
  'sessionTransition(event undefined)': () => core.sessionTransition('signed_in', undefined),

  'signAccessToken(claims undefined)': () => core.signAccessToken(undefined, '', seed, 'k'),
  'signAccessToken(claims null)': () => core.signAccessToken(null, '', seed, 'k'),
  'signAccessToken(exp 1.5)': () => core.signAccessToken({ ...claims, exp: 1700000900.5 }, '', seed, 'k'),
  'signAccessToken(iat NaN)': () => core.signAccessToken({ ...claims, iat: NaN }, '', seed, 'k'),
  'signAccessToken(sub as number)': () => core.signAccessToken({ ...claims, sub: 5 }, '', seed, 'k'),
  'signAccessToken(roles as string)': () => core.signAccessToken({ ...claims, roles: 'admin' }, '', seed, 'k'),
  'signAccessToken(amr with a number)': () => core.signAccessToken({ ...claims, amr: [5] }, '', seed, 'k'),
  'signAccessToken(extraJson as number)': () => core.signAccessToken(claims, 5, seed, 'k'),
  'signAccessToken(seed as hex string)': () => core.signAccessToken(claims, '', jwtKey.seed_hex, 'k'),
  'signAccessToken(kid as number)': () => core.signAccessToken(claims, '', seed, 5),

  'decodeJwt(number)': () => core.decodeJwt(5),
  'verifyAccessToken(options undefined)': () => core.verifyAccessToken(baseline.token, jwks, undefined),
  'verifyAccessToken(options null)': () => core.verifyAccessToken(baseline.token, jwks, null),
  'verifyAccessToken(issuer as number)': () => core.verifyAccessToken(baseline.token, jwks, { ...verifyOptions, issuer: 5 }),
  'verifyAccessToken(nowSeconds 1.5)': () => core.verifyAccessToken(baseline.token, jwks, { ...verifyOptions, nowSeconds: 1.5 }),
  'verifyAccessToken(nowSeconds NaN)': () => core.verifyAccessToken(baseline.token, jwks, { ...verifyOptions, nowSeconds: NaN }),
  'verifyAccessToken(nowSeconds undefined)': () => core.verifyAccessToken(baseline.token, jwks, { ...verifyOptions, nowSeconds: undefined }),
  'verifyAccessToken(leewaySeconds as string)': () => core.verifyAccessToken(baseline.token, jwks, { ...verifyOptions, leewaySeconds: '60' }),
  'verifyAccessToken(token as number)': () => core.verifyAccessToken(5, jwks, verifyOptions),
  'verifyAccessToken(jwks as object)': () => core.verifyAccessToken(baseline.token, JSON.parse(jwks), verifyOptions),

  'signCompactJws(payload as string)': () => core.signCompactJws('{"alg":"EdDSA"}', 'payload', seed),
  'signCompactJws(seed undefined)': () => core.signCompactJws('{"alg":"EdDSA"}', utf8('payload'), undefined),
  'signCompactJws(header as object)': () => core.signCompactJws({ alg: 'EdDSA' }, utf8('payload'), seed),
  'verifyCompactJws(key as base64url string)': () => core.verifyCompactJws(jws, 'A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg'),
  'verifyCompactJws(key undefined)': () => core.verifyCompactJws(jws, undefined),
  'verifyCompactJws(token as number)': () => core.verifyCompactJws(5, publicKey),
  'publicJwkFromSeed(seed as string)': () => core.publicJwkFromSeed(jwtKey.seed_hex, 'k'),
  'publicJwkFromSeed(kid as number)': () => core.publicJwkFromSeed(seed, 5),
  'jwkThumbprint(undefined)': () => core.jwkThumbprint(undefined),
  'jwkThumbprint(number)': () => core.jwkThumbprint(5),
};

// A bad call must come back as {ok: false, code: 'invalid_argument'} or throw a
// BindingError from embind's argument checks, before the module runs: nothing may
// unwind through wasm frames (that leaks their stack and emval handles, and after some
// thousands of calls corrupts the module).
function assertRefusedCleanly(label, call) {
  const handles = core.count_emval_handles();
  const stackTraceLimit = Error.stackTraceLimit;
  let result;
  try {
    // A JS error that unwound through the module carries wasm frames in its stack;
    // keep enough frames to see them behind embind's own.
    Error.stackTraceLimit = 50;
    result = call();
  } catch (error) {
    assert.ok(error instanceof core.BindingError, `${label}: threw ${error?.name}: ${error?.message}`);
    assert.doesNotMatch(error.stack, /wasm-function|wasm:\/\//, `${label}: the BindingError unwound through the module`);
    return 'threw';
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  assert.equal(result?.ok, false, `${label}: accepted, ${JSON.stringify(result)}`);
  assert.equal(result.code, 'invalid_argument', `${label}: ${result.code} ${result.detail}`);
  assert.ok(result.detail.length > 0, label);
  assert.equal(core.count_emval_handles(), handles, `${label}: leaked emval handles`);
  return 'refused';
}

test('bad argument types give invalid_argument or a BindingError, never an error from inside the module', () => {
  assert.deepEqual([...new Set(Object.keys(badCalls).map((label) => label.split('(')[0]))].sort(), [...boundNames].sort(),
    'every bound function has bad calls');
  const outcomes = { threw: 0, refused: 0 };
  for (const [label, call] of Object.entries(badCalls)) outcomes[assertRefusedCleanly(label, call)] += 1;
  assert.ok(outcomes.threw > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
  assert.equal(core.hotp(secret, 1, 'SHA1', 6).value, '287082', 'the module still answers');
});

test('undefined options mean the defaults where options are optional', () => {
  const same = (label, withUndefined, withEmpty) => assert.deepEqual(withUndefined, withEmpty, label);
  same('totp', core.totp(secret, 59, undefined), core.totp(secret, 59, {}));
  same('totpVerify', core.totpVerify(secret, '287082', 59, undefined), core.totpVerify(secret, '287082', 59, {}));
  same('qrSvg', core.qrSvg('x', undefined), core.qrSvg('x', {}));
  same('checkPassword', core.checkPassword('bob', undefined), core.checkPassword('bob', {}));
  same('validatePasswordPolicy', core.validatePasswordPolicy(undefined), core.validatePasswordPolicy({}));
  same('planRefresh', core.planRefresh(0, 900, 0, undefined, 0), core.planRefresh(0, 900, 0, {}, 0));
  same('retryDelayMs', core.retryDelayMs(2, undefined, 0.5), core.retryDelayMs(2, {}, 0.5));
  assert.equal(core.totp(secret, 59, undefined).value, '287082');
});

test('a hundred thousand bad calls into the module leave it working', () => {
  // The calls that get past embind's argument checks and run module code (a
  // BindingError is thrown in JS before the module is entered).
  const entering = Object.values(badCalls).filter((call) => {
    try {
      call();
      return true;
    } catch (error) {
      return !(error instanceof core.BindingError);
    }
  });
  assert.ok(entering.length >= 50, `${entering.length} calls enter the module`);
  for (let round = 0; round < 100_000 / entering.length; round++) {
    for (const call of entering) {
      try {
        call();
      } catch {
        // Pinned by the test above; here only the module's survival counts.
      }
    }
  }
  assert.equal(core.hotp(secret, 1, 'SHA1', 6).value, '287082');
  assert.equal(core.verifyAccessToken(baseline.token, jwks, verifyOptions).ok, true);
  assert.equal(core.qrSvg('otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP', {}).ok, true);
});
