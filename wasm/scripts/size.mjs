#!/usr/bin/env node
// What sesame-auth costs a page: the whole package entry ('sesame-auth', every
// export of lib/index.js) bundled and minified by esbuild for the browser, the
// .wasm it loads, and the two together; plus 'sesame-auth/verify' reduced to
// verifyAccessToken (what a Next.js middleware bundles; it loads the same .wasm).
// Sizes are raw and gzip level 9, each file compressed on its own (as served).
//
//   node wasm/scripts/size.mjs [--json]
//
// Measures the staged package (build/wasm/package, or SESAME_SDK_DIR), resolved
// by name through its exports map; run `scripts/build.sh wasm` first.
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const wasmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(wasmDir, '..');
const esbuild = createRequire(path.join(wasmDir, 'package.json'))('esbuild');

const json = process.argv.includes('--json');
const unknown = process.argv.slice(2).filter((arg) => arg !== '--json');
if (unknown.length > 0) {
  console.error(`usage: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))} [--json]`);
  process.exit(2);
}

const sdkDir = path.resolve(process.env.SESAME_SDK_DIR ?? path.join(repoRoot, 'build/wasm/package'));
const wasmPath = path.join(sdkDir, 'dist/sesame_core.wasm');
let wasm;
try {
  wasm = await fs.readFile(wasmPath);
} catch {
  console.error(`${wasmPath} is missing: run scripts/build.sh wasm (or set SESAME_SDK_DIR)`);
  process.exit(1);
}

const measure = (bytes) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });

// A throwaway project whose node_modules/sesame-auth is the staged package, so
// that esbuild resolves it as a user's bundler would.
const project = await fs.mkdtemp(path.join(os.tmpdir(), 'sesame-size-'));
try {
  await fs.mkdir(path.join(project, 'node_modules'));
  await fs.symlink(sdkDir, path.join(project, 'node_modules/sesame-auth'), 'dir');

  const bundle = async (contents) => {
    const result = await esbuild.build({
      stdin: { contents, resolveDir: project, sourcefile: 'entry.js', loader: 'js' },
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      logLevel: 'error',
    });
    return result.outputFiles[0].contents;
  };

  const js = measure(await bundle("export * from 'sesame-auth';"));
  const verifyJs = measure(await bundle("export { verifyAccessToken } from 'sesame-auth/verify';"));
  const wasmSize = measure(wasm);
  const sizes = {
    sdkDir,
    esbuild: esbuild.version,
    js,
    wasm: wasmSize,
    total: { raw: js.raw + wasmSize.raw, gzip: js.gzip + wasmSize.gzip },
    verifyJs,
  };

  if (json) {
    console.log(JSON.stringify(sizes, null, 2));
  } else {
    const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
    const rows = [
      ['JS bundle (all of sesame-auth, minified)', js],
      ['sesame_core.wasm', wasmSize],
      ['total', sizes.total],
      ["verifyAccessToken alone ('sesame-auth/verify', JS)", verifyJs],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log(`sesame-auth sizes (${path.relative(process.cwd(), sdkDir) || '.'}, esbuild ${esbuild.version}, gzip -9)`);
    console.log(`${''.padEnd(width)}  ${'raw'.padStart(22)}  ${'gzip'.padStart(22)}`);
    for (const [name, size] of rows) {
      const cell = (bytes) => `${bytes} B (${kib(bytes)})`.padStart(22);
      console.log(`${name.padEnd(width)}  ${cell(size.raw)}  ${cell(size.gzip)}`);
    }
  }
} finally {
  await fs.rm(project, { recursive: true, force: true });
}
