// What the package may touch and how it fails: importing it reads no browser
// global; the .wasm imports and exports only the C ABI the loader uses; bad
// argument types are SesameError invalid_argument, thrown before the module is
// entered; a flood of refused calls leaves the module working; and configureWasm
// takes every documented source once, before the core loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { loadCore, loadSdk, packageDir, vectorTable, unhex } from './support/core.mjs';

const sdk = await loadSdk();
const core = await loadCore();
const wasmFile = path.join(packageDir, 'dist/sesame_core.wasm');
const indexUrl = pathToFileURL(path.join(packageDir, 'lib/index.js')).href;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Runs an ES module script in a fresh Node process (the loaded core is module
// state) and returns the JSON it prints last.
async function inChild(script, env = {}) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, SESAME_INDEX_URL: indexUrl, SESAME_WASM_FILE: wasmFile, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

// ---------------------------------------------------------------------------
// Import

const browserGlobals = ['window', 'self', 'document', 'crypto', 'navigator', 'location', 'localStorage', 'sessionStorage',
  'BroadcastChannel', 'fetch'];

test('importing lib/index.js or lib/verify.js touches no browser global', async () => {
  for (const file of ['lib/index.js', 'lib/verify.js']) {
    const report = await inChild(`
      const touched = [];
      for (const name of ${JSON.stringify(browserGlobals)}) {
        delete globalThis[name];
        Object.defineProperty(globalThis, name, {
          configurable: true,
          get() { touched.push(name); throw new Error('browser global ' + name + ' read'); },
          set() { touched.push(name); throw new Error('browser global ' + name + ' written'); },
        });
      }
      let exports;
      try {
        exports = await import(process.env.SESAME_MODULE_URL);
      } catch (error) {
        console.log(JSON.stringify({ importError: String(error), touched }));
        process.exit(0);
      }
      const touchedByImport = touched.slice();
      let controlThrew = false;
      try { globalThis.window; } catch { controlThrew = true; }
      console.log(JSON.stringify({ touched: touchedByImport, exports: Object.keys(exports).sort(), controlThrew,
        controlSeen: touched.includes('window') }));
    `, { SESAME_MODULE_URL: pathToFileURL(path.join(packageDir, file)).href });
    assert.equal(report.importError, undefined, `${file}: the import failed: ${report.importError}`);
    assert.deepEqual(report.touched, [], `${file}: globals read or written by the import`);
    assert.ok(report.exports.includes('verifyAccessToken') && report.exports.includes('importJwks'), `${file}: ${report.exports}`);
    assert.ok(report.controlThrew && report.controlSeen, 'the poisoned globals are in effect');
  }
});

// ---------------------------------------------------------------------------
// The .wasm's interface

// The C ABI: every EMSCRIPTEN_KEEPALIVE function of wasm/src/bindings.cpp.
const entryPoints = [...(await readFile(path.join(repoRoot, 'wasm/src/bindings.cpp'), 'utf8'))
  .matchAll(/EMSCRIPTEN_KEEPALIVE [^(]*?\b(sesame_\w+)\(/g)].map((match) => match[1]).sort();
// What Emscripten's runtime adds to a standalone module (the table, errno, the stack).
const runtimeExports = ['__errno_location', '__indirect_function_table', 'stackAlloc', 'stackRestore', 'stackSave'];

test('the .wasm imports exactly the two functions lib/core.js provides', async () => {
  const module = new WebAssembly.Module(await readFile(wasmFile));
  assert.deepEqual(WebAssembly.Module.imports(module), [
    { module: 'env', name: 'emscripten_notify_memory_growth', kind: 'function' },
    { module: 'wasi_snapshot_preview1', name: 'proc_exit', kind: 'function' },
  ]);
});

test('the .wasm exports the sesame_* entry points of bindings.cpp, memory and _initialize, and only the runtime besides', async () => {
  const module = new WebAssembly.Module(await readFile(wasmFile));
  const exports = WebAssembly.Module.exports(module);
  assert.ok(entryPoints.length >= 16, `${entryPoints.length} entry points`);
  assert.deepEqual(exports.filter(({ name }) => name.startsWith('sesame_')).map(({ name }) => name).sort(), entryPoints);
  for (const { name, kind } of exports) {
    if (name.startsWith('sesame_')) assert.equal(kind, 'function', name);
  }
  assert.deepEqual(exports.filter(({ name }) => !name.startsWith('sesame_')).map(({ name, kind }) => `${name}:${kind}`).sort(),
    ['_initialize:function', 'memory:memory', ...runtimeExports.map((name) => `${name}:${name.includes('table') ? 'table' : 'function'}`)]
      .sort());
  // And lib/core.js calls nothing else.
  const used = new Set((await readFile(path.join(packageDir, 'lib/core.js'), 'utf8')).match(/\bsesame_(?!core\b)\w+/g));
  assert.deepEqual([...used].sort(), entryPoints);
});

// ---------------------------------------------------------------------------
// Bad argument types

const [rfc8037] = await vectorTable('rfc8037.json', 'signatures');
const rfcMessage = new TextEncoder().encode(rfc8037.signing_input);
const rfcSignature = new Uint8Array(Buffer.from(rfc8037.signature, 'base64url'));
const rfcKey = new Uint8Array(Buffer.from(rfc8037.x, 'base64url'));
const uri = 'otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP';
const times = { issuedAt: 1_700_000_000, expiresAt: 1_700_000_900, nowMs: 1_700_000_000_000, jitterUnit: 0.5 };
const validity = { iss: 'i', audiences: ['a'], exp: 1_700_000_900, iat: 1_700_000_000 };
const validityOptions = { issuer: 'i', audience: 'a', nowSeconds: 1_700_000_000, leewaySeconds: 60 };

// Each call has a wrong type somewhere; each must throw SesameError invalid_argument
// from JavaScript, before the module is entered.
const badCalls = {
  'base64urlDecode(number)': () => core.base64urlDecode(5),
  'base64urlDecode()': () => core.base64urlDecode(),
  'base64urlDecode(bytes)': () => core.base64urlDecode(new Uint8Array(2)),

  'parseOtpauthUri(undefined)': () => core.parseOtpauthUri(undefined),
  'parseOtpauthUri(String object)': () => core.parseOtpauthUri(new String(uri)),
  'parseOtpauthUri(URL)': () => core.parseOtpauthUri(new URL(uri)),

  'qrSvg(number)': () => core.qrSvg(5),
  'qrSvg(options as number)': () => core.qrSvg(uri, 5),
  'qrSvg(options as array)': () => core.qrSvg(uri, []),
  'qrSvg(border as string)': () => core.qrSvg(uri, { border: '2' }),
  'qrSvg(border NaN)': () => core.qrSvg(uri, { border: NaN }),
  'qrSvg(border BigInt)': () => core.qrSvg(uri, { border: 1n }),
  'qrSvg(border true)': () => core.qrSvg(uri, { border: true }),
  'qrSvg(border object)': () => core.qrSvg(uri, { border: {} }),
  'qrSvg(errorCorrection as number)': () => core.qrSvg(uri, { errorCorrection: 1 }),

  'checkPassword(number)': () => core.checkPassword(12345678),
  'checkPassword(options as string)': () => core.checkPassword('x', 'strict'),
  'checkPassword(minLength as string)': () => core.checkPassword('x', { minLength: '8' }),
  'checkPassword(maxLength NaN)': () => core.checkPassword('x', { maxLength: NaN }),
  'checkPassword(minLength BigInt)': () => core.checkPassword('x', { minLength: 8n }),
  'checkPassword(email as number)': () => core.checkPassword('x', { email: 5 }),
  'checkPassword(extraWords as string)': () => core.checkPassword('x', { extraWords: 'sesame' }),
  'checkPassword(extraWords with a number)': () => core.checkPassword('x', { extraWords: ['sesame', 1] }),
  'checkPassword(extraWords with a hole)': () => core.checkPassword('x', { extraWords: [undefined] }),

  'formatBackupCode(number)': () => core.formatBackupCode(5),
  'normalizeBackupCode(undefined)': () => core.normalizeBackupCode(undefined),

  'planRefresh()': () => core.planRefresh(),
  'planRefresh(null)': () => core.planRefresh(null),
  'planRefresh(number)': () => core.planRefresh(5),
  'planRefresh(issuedAt as string)': () => core.planRefresh({ ...times, issuedAt: '1700000000' }),
  'planRefresh(issuedAt BigInt)': () => core.planRefresh({ ...times, issuedAt: 1_700_000_000n }),
  'planRefresh(nowMs null)': () => core.planRefresh({ ...times, nowMs: null }),
  'planRefresh(jitterUnit as string)': () => core.planRefresh({ ...times, jitterUnit: '0.5' }),
  'planRefresh(jitterUnit undefined)': () => core.planRefresh({ ...times, jitterUnit: undefined }),
  'planRefresh(policy as number)': () => core.planRefresh({ ...times, policy: 5 }),
  'planRefresh(refreshMarginMs as string)': () => core.planRefresh({ ...times, policy: { refreshMarginMs: '1' } }),
  'planRefresh(maxDelayMs BigInt)': () => core.planRefresh({ ...times, policy: { maxDelayMs: 1n } }),
  'planRefresh(refreshAfterPermille NaN)': () => core.planRefresh({ ...times, policy: { refreshAfterPermille: NaN } }),
  'retryDelayMs()': () => core.retryDelayMs(),
  'retryDelayMs(attempt as string)': () => core.retryDelayMs('1', 0.5),
  'retryDelayMs(attempt BigInt)': () => core.retryDelayMs(1n, 0.5),
  'retryDelayMs(jitterUnit as string)': () => core.retryDelayMs(1, '0.5'),
  'retryDelayMs(policy as string)': () => core.retryDelayMs(1, 0.5, 'fast'),
  'retryDelayMs(retryBaseDelayMs as string)': () => core.retryDelayMs(1, 0.5, { retryBaseDelayMs: '500' }),

  'sessionTransition(number state)': () => core.sessionTransition(1, 'signed_out'),
  'sessionTransition(event undefined)': () => core.sessionTransition('signed_in'),

  'verifyEd25519(message as number)': () => core.verifyEd25519(5, rfcSignature, rfcKey),
  'verifyEd25519(message as ArrayBuffer)': () => core.verifyEd25519(rfcMessage.buffer, rfcSignature, rfcKey),
  'verifyEd25519(signature as array)': () => core.verifyEd25519(rfcMessage, [...rfcSignature], rfcKey),
  'verifyEd25519(key as Uint16Array)': () => core.verifyEd25519(rfcMessage, rfcSignature, new Uint16Array(16)),
  'verifyEd25519(key undefined)': () => core.verifyEd25519(rfcMessage, rfcSignature),

  'checkAccessTokenValidity()': () => core.checkAccessTokenValidity(),
  'checkAccessTokenValidity(options undefined)': () => core.checkAccessTokenValidity(validity),
  'checkAccessTokenValidity(audiences as string)': () => core.checkAccessTokenValidity({ ...validity, audiences: 'a' }, validityOptions),
  'checkAccessTokenValidity(audiences undefined)': () => core.checkAccessTokenValidity({ ...validity, audiences: undefined }, validityOptions),
  'checkAccessTokenValidity(audiences with a number)': () => core.checkAccessTokenValidity({ ...validity, audiences: [5] }, validityOptions),
  'checkAccessTokenValidity(iss as number)': () => core.checkAccessTokenValidity({ ...validity, iss: 5 }, validityOptions),
  'checkAccessTokenValidity(exp as string)': () => core.checkAccessTokenValidity({ ...validity, exp: '1700000900' }, validityOptions),
  'checkAccessTokenValidity(exp BigInt)': () => core.checkAccessTokenValidity({ ...validity, exp: 1_700_000_900n }, validityOptions),
  'checkAccessTokenValidity(nbf NaN)': () => core.checkAccessTokenValidity({ ...validity, nbf: NaN }, validityOptions),
  'checkAccessTokenValidity(nowSeconds as string)': () => core.checkAccessTokenValidity(validity, { ...validityOptions, nowSeconds: '1' }),
  'checkAccessTokenValidity(issuer undefined)': () => core.checkAccessTokenValidity(validity, { ...validityOptions, issuer: undefined }),
};

// Values of the right type that the core itself refuses (the module is entered).
const refusedByTheCore = {
  'base64urlDecode(padding)': () => core.base64urlDecode('-_8='),
  'parseOtpauthUri(64 KiB)': () => core.parseOtpauthUri(`${uri}&image=${'a'.repeat(64 * 1024)}`),
  'qrSvg(border 1.5)': () => core.qrSvg(uri, { border: 1.5 }),
  'qrSvg(border 33)': () => core.qrSvg(uri, { border: 33 }),
  'qrSvg(empty text)': () => core.qrSvg(''),
  'checkPassword(minLength 8.5)': () => core.checkPassword('x', { minLength: 8.5 }),
  'checkPassword(maxLength Infinity)': () => core.checkPassword('x', { maxLength: Infinity }),
  'normalizeBackupCode(64 KiB)': () => core.normalizeBackupCode('a'.repeat(64 * 1024)),
  'planRefresh(issuedAt 1.5)': () => core.planRefresh({ ...times, issuedAt: 1.5 }),
  'planRefresh(jitterUnit NaN)': () => core.planRefresh({ ...times, jitterUnit: NaN }),
  'planRefresh(refreshMarginMs -1)': () => core.planRefresh({ ...times, policy: { refreshMarginMs: -1 } }),
  'retryDelayMs(attempt -1)': () => core.retryDelayMs(-1, 0.5),
  'retryDelayMs(attempt 2^32)': () => core.retryDelayMs(2 ** 32, 0.5),
  'sessionTransition(unknown state)': () => core.sessionTransition('logged_in', 'signed_out'),
  'verifyEd25519(key of 31 bytes)': () => core.verifyEd25519(rfcMessage, rfcSignature, rfcKey.subarray(1)),
  'verifyEd25519(flipped signature)': () => core.verifyEd25519(rfcMessage, rfcSignature.map((byte, i) => (i ? byte : byte ^ 1)), rfcKey),
  'checkAccessTokenValidity(exp 1.5)': () => core.checkAccessTokenValidity({ ...validity, exp: 1.5 }, validityOptions),
  'checkAccessTokenValidity(leeway 301)': () => core.checkAccessTokenValidity(validity, { ...validityOptions, leewaySeconds: 301 }),
};

// The SesameError a call threw, and whether the module was entered (the binding's
// or the core's detail) or not.
function refusal(label, call) {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof sdk.SesameError, `${label}: threw ${error?.name}: ${error?.message}`);
    assert.notEqual(error.message, error.code, `${label}: no detail`);
    return error;
  }
  assert.fail(`${label}: accepted`);
}

// The answers of some ordinary calls, to compare before and after abuse.
const ordinaryAnswers = () => ({
  base64url: [...core.base64urlDecode('-_8')],
  otpauth: { ...core.parseOtpauthUri(uri), secret: [...core.parseOtpauthUri(uri).secret] },
  qr: core.qrSvg(uri, { border: 2, errorCorrection: 'high' }),
  password: core.checkPassword('password', { email: 'a@b.c', extraWords: ['Sesame'], minLength: 10 }),
  backup: [core.formatBackupCode('abcdefghjk'), core.normalizeBackupCode('ABCDE-FGHJK')],
  plan: core.planRefresh({ ...times, policy: { maxJitterMs: 1000 } }),
  retry: core.retryDelayMs(3, 0.5, { retryBaseDelayMs: 500 }),
  session: core.sessionTransition('signed_in', 'refresh_started'),
  signature: (core.verifyEd25519(rfcMessage, rfcSignature, rfcKey), 'verified'),
  validity: (core.checkAccessTokenValidity(validity, validityOptions), 'valid'),
});
const answersBefore = ordinaryAnswers();

test('the ordinary answers are the expected ones', () => {
  assert.deepEqual(answersBefore.base64url, [0xfb, 0xff]);
  assert.deepEqual(answersBefore.otpauth, {
    issuer: 'Example', account: 'alice', secret: [...unhex('48656c6c6f21deadbeef')], algorithm: 'SHA1', digits: 6, period: 30,
  });
  assert.ok(answersBefore.qr.startsWith('<svg '));
  assert.deepEqual(answersBefore.password.violations.map(({ code }) => code), ['password_too_short', 'password_common']);
  assert.deepEqual(answersBefore.backup, ['abcde-fghjk', 'abcdefghjk']);
  assert.deepEqual(answersBefore.plan, { refreshAtMs: 1_700_000_719_500, delayMs: 719_500, expired: false });
  assert.equal(answersBefore.retry, 1000);
  assert.equal(answersBefore.session, 'refreshing');
});

test('every core method has bad calls, each refused with invalid_argument before the module is entered', async () => {
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(core)).filter((name) => name !== 'constructor').sort();
  assert.deepEqual([...new Set(Object.keys(badCalls).map((label) => label.split('(')[0]))].sort(), methods,
    'every method has bad calls');
  for (const [label, call] of Object.entries(badCalls)) {
    const error = refusal(label, call);
    assert.equal(error.code, 'invalid_argument', `${label}: ${error.message}`);
    // The loader's details name the argument; the binding's name the call ("qrSvg(text, ...)", "planRefresh: ...").
    assert.doesNotMatch(error.message, /^\w+(\(|: )/, `${label}: refused inside the module (${error.message})`);
  }
  assert.equal(await sdk.loadCore(), core, 'the core was not dropped and reloaded');
  assert.deepEqual(ordinaryAnswers(), answersBefore);
});

test('undefined and null options mean the defaults where options are optional', () => {
  for (const absent of [undefined, null]) {
    assert.equal(core.qrSvg(uri, absent), core.qrSvg(uri, {}));
    assert.equal(core.qrSvg(uri, { border: absent, errorCorrection: absent }), core.qrSvg(uri, { border: 4, errorCorrection: 'medium' }));
    assert.deepEqual(core.checkPassword('bob', absent), core.checkPassword('bob', {}));
    assert.deepEqual(core.checkPassword('bob@x.io', { email: absent, extraWords: absent, minLength: absent }),
      core.checkPassword('bob@x.io', { email: '', extraWords: [], minLength: 8 }));
    assert.deepEqual(core.planRefresh({ ...times, policy: absent }), core.planRefresh({ ...times, policy: {} }));
    assert.equal(core.retryDelayMs(2, 0.5, absent), core.retryDelayMs(2, 0.5, {}));
    assert.equal(core.retryDelayMs(2, 0.5, { retryBaseDelayMs: absent }), core.retryDelayMs(2, 0.5, { retryBaseDelayMs: 1000 }));
  }
});

test('a hundred thousand refused calls leave the module working with the same answers', () => {
  // The calls the core refuses enter the module, with inputs up to 64 KiB: had any
  // call leaked its buffers, 100k of them would exhaust the 4 GiB of wasm32.
  const calls = [...Object.values(badCalls), ...Object.values(refusedByTheCore)];
  for (const [label, call] of Object.entries(refusedByTheCore)) {
    assert.notEqual(refusal(label, call).code, 'internal_error', label);
  }
  const large = [refusedByTheCore['parseOtpauthUri(64 KiB)'], refusedByTheCore['normalizeBackupCode(64 KiB)']];
  let made = 0;
  const codes = new Map();
  while (made < 100_000) {
    for (const call of made % 10 === 0 ? calls : large) {
      try {
        call();
      } catch (error) {
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
      made += 1;
    }
  }
  assert.ok(!codes.has('internal_error') && !codes.has(undefined), JSON.stringify([...codes]));
  assert.deepEqual(ordinaryAnswers(), answersBefore);
  assert.equal(core.qrSvg('a'.repeat(2331), { border: 0 }).length > 0, true, 'a large reply still fits');
});

// ---------------------------------------------------------------------------
// configureWasm

// Each scenario runs in its own process: configureWasm(source) before the first
// use, then an ordinary call; prints what happened.
function configureScenario(makeSource) {
  return `
    import { readFile } from 'node:fs/promises';
    import { pathToFileURL } from 'node:url';
    const sdk = await import(process.env.SESAME_INDEX_URL);
    const wasmFile = process.env.SESAME_WASM_FILE;
    const outcome = async (promise) => { try { await promise; return 'ok'; } catch (error) {
      return error instanceof sdk.SesameError ? error.code : 'not a SesameError: ' + error; } };
    const steps = [];
    ${makeSource}
    let core;
    steps.push(await outcome((async () => { core = await sdk.loadCore(); })()));
    steps.push(core ? [...core.base64urlDecode('-_8')].join(',') : 'no core');
    steps.push(await outcome((async () => sdk.configureWasm(pathToFileURL(wasmFile)))()));
    steps.push((await sdk.loadCore()) === core ? 'same core' : 'another core');
    console.log(JSON.stringify(steps));
  `;
}

test('configureWasm accepts every kind of source and refuses reconfiguration after load', async () => {
  const loaded = ['ok', '251,255', 'invalid_argument', 'same core'];
  for (const [why, setup] of [
    ['bytes (Uint8Array)', 'sdk.configureWasm(new Uint8Array(await readFile(wasmFile)));'],
    ['bytes (Buffer)', 'sdk.configureWasm(await readFile(wasmFile));'],
    ['an ArrayBuffer', 'const b = await readFile(wasmFile); sdk.configureWasm(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));'],
    ['a file: URL string', 'sdk.configureWasm(pathToFileURL(wasmFile).href);'],
    ['a URL object', 'sdk.configureWasm(pathToFileURL(wasmFile));'],
    ['a WebAssembly.Module', 'sdk.configureWasm(new WebAssembly.Module(await readFile(wasmFile)));'],
    ['a Response', 'sdk.configureWasm(new Response(await readFile(wasmFile)));'],
    ['a promise of bytes', 'sdk.configureWasm(readFile(wasmFile));'],
    ['nothing: the file next to lib/', ''],
  ]) {
    assert.deepEqual(await inChild(configureScenario(setup)), loaded, why);
  }
});

test('configureWasm is refused as soon as loading has started, and a failed load can be reconfigured', async () => {
  assert.deepEqual(await inChild(`
    import { pathToFileURL } from 'node:url';
    const sdk = await import(process.env.SESAME_INDEX_URL);
    const code = (call) => { try { call(); return 'ok'; } catch (error) { return error.code; } };
    const steps = [];
    sdk.configureWasm(pathToFileURL(process.env.SESAME_WASM_FILE + '.missing'));
    const failed = await sdk.loadCore().then(() => 'ok', (error) => error.code);
    steps.push(failed);
    steps.push(code(() => sdk.configureWasm(pathToFileURL(process.env.SESAME_WASM_FILE))));
    const pending = sdk.loadCore();
    steps.push(code(() => sdk.configureWasm(new Uint8Array(8))));
    const core = await pending;
    steps.push(core.sessionTransition('signed_out', 'sign_in_succeeded'));
    console.log(JSON.stringify(steps));
  `), ['wasm_load_failed', 'ok', 'invalid_argument', 'signed_in']);
});

test('a source that is not a wasm module fails the load with wasm_load_failed and says why', async () => {
  for (const [why, setup, detail] of [
    ['bytes that are not wasm', 'sdk.configureWasm(new Uint8Array([1, 2, 3]));', /WebAssembly/],
    ['a Response with an HTTP error', 'sdk.configureWasm(new Response("not found", { status: 404 }));', /404/],
    ['a file that does not exist', 'sdk.configureWasm(pathToFileURL(wasmFile + ".missing"));', /ENOENT/],
    ['a URL that cannot be one', 'sdk.configureWasm("http://[bad");', /not a usable wasm URL/],
  ]) {
    const [code, message] = await inChild(`
      import { pathToFileURL } from 'node:url';
      const sdk = await import(process.env.SESAME_INDEX_URL);
      const wasmFile = process.env.SESAME_WASM_FILE;
      ${setup}
      const failure = await sdk.loadCore().then(() => ['ok', ''], (error) => [error.code, error.message]);
      console.log(JSON.stringify(failure));
    `);
    assert.equal(code, why === 'a URL that cannot be one' ? 'invalid_argument' : 'wasm_load_failed', why);
    assert.match(message, detail, why);
  }
});
