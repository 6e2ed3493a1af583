// Loads the wasm core built by `scripts/build.sh wasm` and the shared vector
// tables (tests/vectors/*.json, the same files the native suites read).
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const distDir = path.resolve(process.env.SESAME_WASM_DIST ?? path.join(repoRoot, 'build/wasm/dist'));

// libsodium's own generator feeds only sodium_init()'s start-up canary; the core
// takes randomness as a parameter. Draws are counted so a test can pin that.
export const libsodiumRandomDraws = { count: 0 };

let corePromise;
export function loadCore() {
  corePromise ??= (async () => {
    const { default: createSesameCore } = await import(pathToFileURL(path.join(distDir, 'sesame_core.mjs')).href);
    return createSesameCore({
      wasmBinary: await readFile(path.join(distDir, 'sesame_core.wasm')),
      getRandomValue: () => {
        libsodiumRandomDraws.count += 1;
        return globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
      },
    });
  })();
  return corePromise;
}

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
