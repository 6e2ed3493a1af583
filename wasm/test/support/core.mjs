// The staged SDK package (build/wasm/package, or SESAME_SDK_DIR), imported as a
// user would, and the shared vector tables (tests/vectors/*.json, the same files
// the native suites read).
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const packageDir = path.resolve(process.env.SESAME_SDK_DIR ?? path.join(repoRoot, 'build/wasm/package'));

export const loadSdk = () => import(pathToFileURL(path.join(packageDir, 'lib/index.js')).href);
export const loadCore = async () => (await loadSdk()).loadCore();

// Returns a vector table and refuses an empty one, so no test passes vacuously.
export async function vectorTable(file, key) {
  const all = JSON.parse(await readFile(path.join(repoRoot, 'tests/vectors', file), 'utf8'));
  const table = all[key];
  if (!Array.isArray(table) || table.length === 0) throw new Error(`${file}: table '${key}' is empty`);
  return table;
}

export const utf8 = (text) => new TextEncoder().encode(text);
export const hex = (bytes) => Buffer.from(bytes).toString('hex');
export const unhex = (text) => new Uint8Array(Buffer.from(text, 'hex'));

// What a call of the SDK came to: 'ok', or the code of the SesameError it threw.
// Any other error fails the test: the SDK only throws SesameErrors.
const { SesameError } = await loadSdk();

function codeOf(error) {
  if (!(error instanceof SesameError)) throw new Error(`not a SesameError: ${error?.stack ?? error}`);
  return error.code;
}

export function outcome(call) {
  try {
    call();
    return 'ok';
  } catch (error) {
    return codeOf(error);
  }
}

export async function asyncOutcome(call) {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return codeOf(error);
  }
}

// The SesameError a call threw; fails the test when it returned or threw anything else.
export function refusal(call, what) {
  try {
    call();
  } catch (error) {
    if (!(error instanceof SesameError)) throw new Error(`${what}: not a SesameError: ${error?.stack ?? error}`);
    return error;
  }
  throw new Error(`${what}: accepted`);
}
