// The WebAssembly core, loaded once, on the first call that needs it.
//
// The module is a standalone .wasm with a plain C ABI (wasm/src/bindings.cpp):
// strings and bytes cross as one buffer of length-prefixed fields, numbers as
// doubles, and every call answers 0 or an error code with its reply in the same
// fields format. Nothing here runs at import time, so server renders and edge
// runtimes can import the package freely.

import { SesameError } from './errors.js';

const FIELD_LENGTH_BYTES = 4;
const POLICY_FIELDS = ['refreshAfterPermille', 'refreshMarginMs', 'maxJitterMs', 'maxDelayMs', 'retryBaseDelayMs', 'retryMaxDelayMs'];
const QR_ERROR_CORRECTION = ['low', 'medium', 'quartile', 'high'];

let configuredSource;
let defaultSource;  // set by the Edge entry points (lib/*.edge.js) to the bundler's WebAssembly.Module
let loading;

/**
 * Where the .wasm comes from, for bundlers and CDNs: a URL (string or URL),
 * its bytes (ArrayBuffer or a typed array), a compiled WebAssembly.Module, or a
 * Response / Promise of one. Call it before the first call that uses the core;
 * by default the file in this package's `dist/` is fetched in browsers and read
 * from the package on Node (the Edge runtime gets it from the bundler).
 */
export function configureWasm(source) {
  if (loading) throw new SesameError('invalid_argument', 'configureWasm must be called before the core is first used');
  configuredSource = source;
}

/** The Edge entry points hand over the module their bundler compiled (Edge refuses to compile bytes). */
export function useDefaultWasm(source) {
  defaultSource = source;
}

/** Starts loading the core now (e.g. on page load) instead of at first use. */
export function loadCore() {
  loading ??= instantiate(configuredSource ?? defaultSource).catch((error) => {
    loading = undefined;  // a later call may try again (the network may be back)
    throw error instanceof SesameError ? error : new SesameError('wasm_load_failed', String(error?.message ?? error), { cause: error });
  });
  return loading;
}

// Realm-safe type checks: a Module, buffer or Response made in another JavaScript
// realm (Next.js's Edge sandbox, an iframe, node:vm) fails `instanceof` here.
const tagOf = (value) => Object.prototype.toString.call(value);
const isWasmModule = (value) => tagOf(value) === '[object WebAssembly.Module]';
const isBuffer = (value) => tagOf(value) === '[object ArrayBuffer]' || tagOf(value) === '[object SharedArrayBuffer]';
const isResponse = (value) => value !== null && typeof value === 'object' && typeof value.arrayBuffer === 'function'
  && typeof value.ok === 'boolean' && typeof value.status === 'number';
const isBytes = (value) => ArrayBuffer.isView(value) && tagOf(value) === '[object Uint8Array]';
const isUrl = (value) => typeof value === 'string' || tagOf(value) === '[object URL]';

// Node, not a browser: a bundler's server build rewrites the package's
// `new URL(…, import.meta.url)` into a path of its own (/_next/static/media/…),
// which names nothing on disk and cannot be fetched, so the file is read from the
// installed package instead. Deno and Bun also answer to this and read files alike.
const onNode = () => typeof globalThis.process?.versions?.node === 'string' && typeof globalThis.document === 'undefined';

// The specifiers are variables so that bundlers leave these Node-only imports alone.
const nodeImport = (name) => import(/* webpackIgnore: true */ /* @vite-ignore */ name);

async function readPackageWasm(url) {
  const fsModule = 'node:fs/promises';
  const { readFile } = await nodeImport(fsModule);
  if (url?.protocol === 'file:') {
    try {
      return await readFile(url);
    } catch (error) {
      if (error?.code !== 'ENOENT') throw error;  // else: a bundler's copy of this file, placed elsewhere
    }
  }
  // Resolved as the application would import it: from its working directory
  // (where next start and node run), then from wherever this module is.
  const moduleModule = 'node:module';
  const { createRequire } = await nodeImport(moduleModule);
  const bases = [`${globalThis.process.cwd()}/`];
  if (url?.protocol === 'file:') bases.push(url.href);
  for (const base of bases) {
    let file;
    try {
      file = createRequire(base).resolve('sesame-auth/sesame_core.wasm');
    } catch {
      continue;
    }
    return readFile(file);
  }
  throw new SesameError('wasm_load_failed', 'sesame_core.wasm was not found: install sesame-auth, or call configureWasm()');
}

// The package's own file. Bundlers see this `new URL(…, import.meta.url)` and
// emit the .wasm as an asset; what they turn it into is not always a URL.
function packageWasmUrl() {
  try {
    return new URL('../dist/sesame_core.wasm', import.meta.url);
  } catch {
    return undefined;
  }
}

async function wasmSource(source) {
  source = await source;
  if (isWasmModule(source) || isBuffer(source) || ArrayBuffer.isView(source)) return source;
  if (isResponse(source)) {
    if (!source.ok) throw new SesameError('wasm_load_failed', `${source.url || 'the wasm Response'}: HTTP ${source.status}`);
    return source.arrayBuffer();
  }
  if (source === undefined) {
    const url = packageWasmUrl();
    if (onNode()) return readPackageWasm(url?.protocol === 'file:' ? url : undefined);
    if (url === undefined) throw new SesameError('wasm_load_failed', 'no default location of sesame_core.wasm: call configureWasm()');
    return fetchWasm(url);
  }
  if (!isUrl(source)) throw new SesameError('invalid_argument', `not a usable wasm source: ${tagOf(source)}`);
  let url;
  try {
    url = new URL(String(source), globalThis.location?.href);
  } catch {
    throw new SesameError('invalid_argument', `not a usable wasm URL: ${String(source)}`);
  }
  if (url.protocol === 'file:') {
    const fsModule = 'node:fs/promises';
    const { readFile } = await nodeImport(fsModule);
    return readFile(url);
  }
  return fetchWasm(url);
}

async function fetchWasm(url) {
  const response = await fetch(url);
  if (!response.ok) throw new SesameError('wasm_load_failed', `${url}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

async function instantiate(source) {
  const bytesOrModule = await wasmSource(source);
  const imports = {
    // Views are made afresh for every call, so growth needs no bookkeeping.
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: {
      proc_exit(code) { throw new SesameError('internal_error', `the wasm core exited (${code})`); },
    },
  };
  const instance = isWasmModule(bytesOrModule)
    ? await WebAssembly.instantiate(bytesOrModule, imports)
    : (await WebAssembly.instantiate(bytesOrModule, imports)).instance;
  instance.exports._initialize();
  return new Core(instance.exports);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeFields(values) {
  const parts = values.map((value) => {
    if (typeof value === 'string') return encoder.encode(value);
    if (isBytes(value)) return value;
    throw new SesameError('invalid_argument', 'expected a string or a Uint8Array');
  });
  const out = new Uint8Array(parts.reduce((size, part) => size + FIELD_LENGTH_BYTES + part.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.length, true);
    out.set(part, at + FIELD_LENGTH_BYTES);
    at += FIELD_LENGTH_BYTES + part.length;
  }
  parts.forEach((part, i) => { if (part !== values[i]) part.fill(0); });  // our own UTF-8 copies
  return out;
}

function decodeFields(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let at = 0; at < bytes.length;) {
    const length = view.getUint32(at, true);
    at += FIELD_LENGTH_BYTES;
    out.push(bytes.slice(at, at + length));
    at += length;
  }
  return out;
}

const text = (bytes) => decoder.decode(bytes);
const int = (bytes) => Number(text(bytes));
const invalid = (detail) => { throw new SesameError('invalid_argument', detail); };
const absent = (value) => value === undefined || value === null;

// Arguments are checked here, so that a wrong type is an invalid_argument and
// never reaches the wasm boundary, where JavaScript would convert it ('8' to 8,
// true to 1, {} to NaN: "absent") or throw (a BigInt), and the core would be
// reloaded. undefined and null mean "absent: the default" for optional ones.
function requireString(value, what) {
  if (typeof value !== 'string') invalid(`${what} must be a string`);
  return value;
}

function requireNumber(value, what) {
  if (typeof value !== 'number') invalid(`${what} must be a number`);
  return value;
}

// NaN stands for "absent" in the ABI, so a NaN given on purpose is refused.
function optionalNumber(value, what) {
  if (absent(value)) return NaN;
  if (typeof value !== 'number' || Number.isNaN(value)) invalid(`${what} must be a number`);
  return value;
}

function optionsObject(value, what) {
  if (absent(value)) return {};
  if (typeof value !== 'object' || Array.isArray(value)) invalid(`${what} must be an object`);
  return value;
}

function requireObject(value, what) {
  if (absent(value)) invalid(`${what} is required`);
  return optionsObject(value, what);
}

function stringList(value, what) {
  if (!Array.isArray(value)) invalid(`${what} must be an array of strings`);
  return value.map((item) => requireString(item, `${what}[]`));
}

// The typed calls. Each is synchronous once the core is loaded.
class Core {
  #exports;
  constructor(exports) { this.#exports = exports; }

  // Calls one entry point with a fields buffer and numbers; `doubles`, when given,
  // is passed as a pointer to that many f64s after the numbers.
  #call(name, fields, numbers = [], doubles) {
    const e = this.#exports;
    const input = encodeFields(fields);
    const inputPtr = e.sesame_alloc(input.length);
    const doublesPtr = doubles ? e.sesame_alloc(doubles.length * 8) : 0;
    let status;
    try {
      new Uint8Array(e.memory.buffer, inputPtr, input.length).set(input);
      input.fill(0);
      if (doubles) new Float64Array(e.memory.buffer, doublesPtr, doubles.length).set(doubles);
      status = doubles ? e[name](...numbers, doublesPtr) : e[name](inputPtr, input.length, ...numbers);
    } catch (error) {
      loading = undefined;  // a trapped instance is not used again
      throw new SesameError('internal_error', `the wasm core failed in ${name}`, { cause: error });
    } finally {
      e.sesame_free(inputPtr, input.length);
      if (doubles) e.sesame_free(doublesPtr, doubles.length * 8);
    }
    const reply = decodeFields(new Uint8Array(e.memory.buffer, e.sesame_reply_data(), e.sesame_reply_size()));
    e.sesame_reply_wipe();
    if (status !== 0) throw new SesameError(text(reply[0]), text(reply[1]));
    return reply;
  }

  base64urlDecode(value) {
    return this.#call('sesame_base64url_decode', [requireString(value, 'text')])[0];
  }

  parseOtpauthUri(uri) {
    const [issuer, account, secret, algorithm, digits, period] = this.#call('sesame_parse_otpauth_uri', [requireString(uri, 'uri')]);
    return { issuer: text(issuer), account: text(account), secret, algorithm: text(algorithm), digits: int(digits), period: int(period) };
  }

  qrSvg(value, options) {
    const { border, errorCorrection } = optionsObject(options, 'options');
    const level = absent(errorCorrection) ? NaN : QR_ERROR_CORRECTION.indexOf(errorCorrection);
    if (level === -1) invalid('errorCorrection must be low, medium, quartile or high');
    return text(this.#call('sesame_qr_svg', [requireString(value, 'text')], [optionalNumber(border, 'border'), level])[0]);
  }

  checkPassword(password, options) {
    const { email, name, extraWords, minLength, maxLength } = optionsObject(options, 'options');
    // The user's name is one more context word for the core, as on the server.
    const [length, ...rest] = this.#call('sesame_check_password',
      [requireString(password, 'password'), absent(email) ? '' : requireString(email, 'email'),
        ...(absent(extraWords) ? [] : stringList(extraWords, 'extraWords')),
        ...(absent(name) ? [] : [requireString(name, 'name')])],
      [optionalNumber(minLength, 'minLength'), optionalNumber(maxLength, 'maxLength')]);
    const violations = [];
    for (let i = 0; i < rest.length; i += 4) {
      violations.push({ code: text(rest[i]), minLength: int(rest[i + 1]), maxLength: int(rest[i + 2]), length: int(rest[i + 3]) });
    }
    return { acceptable: violations.length === 0, length: int(length), violations };
  }

  formatBackupCode(code) {
    return text(this.#call('sesame_format_backup_code', [requireString(code, 'code')])[0]);
  }

  normalizeBackupCode(typed) {
    return text(this.#call('sesame_normalize_backup_code', [requireString(typed, 'code')])[0]);
  }

  #policy(policy) {
    const fields = optionsObject(policy, 'policy');
    return POLICY_FIELDS.map((name) => optionalNumber(fields[name], `policy.${name}`));
  }

  planRefresh(times) {
    const { issuedAt, expiresAt, nowMs, jitterUnit, policy } = requireObject(times, 'planRefresh\'s argument');
    const [refreshAtMs, delayMs, expired] = this.#call('sesame_plan_refresh', [],
      [requireNumber(issuedAt, 'issuedAt'), requireNumber(expiresAt, 'expiresAt'), requireNumber(nowMs, 'nowMs'),
        requireNumber(jitterUnit, 'jitterUnit')], this.#policy(policy));
    return { refreshAtMs: int(refreshAtMs), delayMs: int(delayMs), expired: int(expired) === 1 };
  }

  retryDelayMs(attempt, jitterUnit, policy) {
    return int(this.#call('sesame_retry_delay_ms', [],
      [requireNumber(attempt, 'attempt'), requireNumber(jitterUnit, 'jitterUnit')], this.#policy(policy))[0]);
  }

  sessionTransition(state, event) {
    return text(this.#call('sesame_session_transition', [requireString(state, 'state'), requireString(event, 'event')])[0]);
  }

  verifyEd25519(message, signature, publicKey) {
    this.#call('sesame_verify_ed25519', [message, signature, publicKey]);
  }

  checkAccessTokenValidity(claims, options) {
    const { iss, audiences, exp, nbf, iat } = requireObject(claims, 'claims');
    const { issuer, audience, nowSeconds, leewaySeconds } = requireObject(options, 'options');
    this.#call('sesame_check_access_token_validity',
      [requireString(iss, 'iss'), requireString(issuer, 'issuer'), requireString(audience, 'audience'), ...stringList(audiences, 'audiences')],
      [requireNumber(exp, 'exp'), optionalNumber(nbf, 'nbf'), requireNumber(iat, 'iat'), requireNumber(nowSeconds, 'nowSeconds'),
        requireNumber(leewaySeconds, 'leewaySeconds')]);
  }
}
