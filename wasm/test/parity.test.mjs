// Native/wasm parity: the same evaluator (tests/parity/parity_ops.cpp) built by
// g++ (parity_dump) and by Emscripten (sesame_parity.mjs) must answer every
// case in tests/parity/cases.json with the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nativeBuild = path.resolve(process.env.SESAME_NATIVE_BUILD ?? path.join(repoRoot, 'build/native'));
const wasmBuild = path.resolve(process.env.SESAME_WASM_BUILD ?? path.join(repoRoot, 'build/wasm'));
const casesFile = path.join(repoRoot, 'tests/parity/cases.json');

test('wasm core answers every parity case byte for byte like the native core', async () => {
  const cases = JSON.parse(await readFile(casesFile, 'utf8'));
  assert.ok(cases.length > 1000, 'the parity table is unexpectedly small');

  const nativeLines = execFileSync(path.join(nativeBuild, 'tests/parity/parity_dump'), [casesFile], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  }).split('\n');
  assert.equal(nativeLines.pop(), '', 'native output ends with a newline');
  assert.equal(nativeLines.length, cases.length, 'one native answer per case');

  const parityDir = path.join(wasmBuild, 'parity');
  const { default: createSesameParity } = await import(pathToFileURL(path.join(parityDir, 'sesame_parity.mjs')).href);
  const wasm = await createSesameParity({
    wasmBinary: await readFile(path.join(parityDir, 'sesame_parity.wasm')),
    getRandomValue: () => globalThis.crypto.getRandomValues(new Uint32Array(1))[0],
  });

  const mismatches = [];
  const ops = new Map();
  cases.forEach((c, i) => {
    const wasmLine = wasm.evaluateCase(JSON.stringify(c));
    ops.set(c.op, (ops.get(c.op) ?? 0) + 1);
    if (wasmLine !== nativeLines[i]) mismatches.push({ case: c, native: nativeLines[i], wasm: wasmLine });
  });
  assert.deepEqual(mismatches.slice(0, 5), [], `${mismatches.length} of ${cases.length} cases differ`);

  // Every op must have been exercised, and each must have produced some successes.
  for (const [op, count] of ops) {
    const successes = nativeLines.filter((line, i) => cases[i].op === op && line.startsWith('{"ok":true')).length;
    assert.ok(successes > 0, `${op}: none of its ${count} cases succeeded, so parity of results was never compared`);
  }
});
