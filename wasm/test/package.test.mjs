// The staged npm package (build/wasm/package, or SESAME_SDK_DIR) as its users
// meet it, always by name through its exports map:
//   (a) the declarations type-check a strict application (test/types/), with
//       NodeNext and with bundler resolution, and 'sesame-auth/verify' alone
//       needs no DOM types;
//   (b) a plain page bundles with esbuild for the browser, with no warning and
//       no Node built-in left to resolve;
//   (c) Node 20 imports it and finds the .wasm at its default place;
//   (d) `npm pack` ships lib/, types/, dist/sesame_core.wasm and README.md, and
//       nothing else of the source tree;
//   (e) scripts/size.mjs measures it, and it stays within its 50 KiB gzip budget.
// Run `scripts/build.sh wasm` first: the build stages lib/, types/ and the .wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const wasmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(wasmDir, '..');
const sdkDir = await fs.realpath(path.resolve(process.env.SESAME_SDK_DIR ?? path.join(repoRoot, 'build/wasm/package')))
  .catch(() => assert.fail(`no staged package at ${process.env.SESAME_SDK_DIR ?? 'build/wasm/package'}: run scripts/build.sh wasm`));
// typescript and esbuild: the package's devDependencies (npm ci --prefix wasm).
const tsc = path.join(wasmDir, 'node_modules/.bin/tsc');
await fs.access(tsc).catch(() => assert.fail(`${tsc} is missing: run npm ci --prefix wasm`));
const esbuild = createRequire(path.join(wasmDir, 'package.json'))('esbuild');
const manifest = JSON.parse(await fs.readFile(path.join(sdkDir, 'package.json'), 'utf8'));

// A user's project: node_modules/sesame-auth links to the staged package.
const project = await fs.mkdtemp(path.join(os.tmpdir(), 'sesame-package-test-'));
process.on('exit', () => rmSync(project, { recursive: true, force: true }));
await fs.mkdir(path.join(project, 'node_modules'));
await fs.symlink(sdkDir, path.join(project, 'node_modules', manifest.name), 'dir');
await fs.writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'sesame-package-test', private: true, type: 'module' }));

// Runs a command to its end; never throws (the caller asserts on `code`).
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 64 << 20, ...options }, (error, stdout, stderr) => {
      const code = error ? (Number.isInteger(error.code) ? error.code : `${error.code ?? error.message}`) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const output = ({ stdout, stderr }) => `${stdout}${stderr}`.trim();

const sourceFiles = async (dir, suffix) => (await fs.readdir(path.join(wasmDir, dir))).filter((name) => name.endsWith(suffix)).sort();

test('the package is named and staged as the tests expect', async () => {
  assert.equal(manifest.name, 'sesame-auth');
  assert.equal(manifest.type, 'module');
  // Every target of the exports map exists in the staged package.
  const targets = [];
  const collect = (value) => {
    if (typeof value === 'string') targets.push(value);
    else for (const nested of Object.values(value)) collect(nested);
  };
  collect(manifest.exports);
  collect({ types: manifest.types });
  for (const target of targets) await fs.access(path.join(sdkDir, target));
  // The modules and declarations staged are those of the source tree.
  for (const [dir, suffix] of [['lib', '.js'], ['types', '.d.ts']]) {
    const staged = (await fs.readdir(path.join(sdkDir, dir))).filter((name) => name.endsWith(suffix)).sort();
    const sources = await sourceFiles(dir, suffix);
    assert.deepEqual(staged, sources, `${dir}/ of ${sdkDir} differs from wasm/${dir}/: rebuild (scripts/build.sh wasm)`);
    for (const name of sources) {
      const [stagedText, sourceText] = await Promise.all([sdkDir, wasmDir].map((root) => fs.readFile(path.join(root, dir, name), 'utf8')));
      assert.ok(stagedText === sourceText, `${dir}/${name} of ${sdkDir} is stale: rebuild (scripts/build.sh wasm)`);
    }
  }
});

// ---------------------------------------------------------------------------
// (a) types

const typesDir = path.join(project, 'types');
await fs.mkdir(typesDir);
for (const name of await fs.readdir(path.join(wasmDir, 'test/types'))) {
  if (/\.(ts|json)$/.test(name) && !name.endsWith('.d.ts')) await fs.copyFile(path.join(wasmDir, 'test/types', name), path.join(typesDir, name));
}

async function typeCheck(config, extraArgs = []) {
  const result = await run(tsc, ['-p', path.join(typesDir, config), '--pretty', 'false', '--listFiles', ...extraArgs], { cwd: project });
  const lines = output(result).split('\n');
  const isListedFile = (line) => path.isAbsolute(line) && !line.includes('(');  // --listFiles, not a diagnostic
  assert.equal(result.code, 0, `tsc -p ${config} ${extraArgs.join(' ')} failed:\n${lines.filter((line) => !isListedFile(line)).join('\n')}`);
  // The declarations checked are the staged package's, reached through node_modules.
  const files = lines.map((line) => line.trim()).filter(isListedFile);
  return files.filter((file) => file.startsWith(`${sdkDir}${path.sep}`)).map((file) => path.relative(sdkDir, file)).sort();
}

test('(a) the declarations type-check a strict application (NodeNext)', async () => {
  const declarations = await typeCheck('tsconfig.json');
  assert.deepEqual(declarations, ['types/errors.d.ts', 'types/index.d.ts', 'types/verify.d.ts']);
});

test('(a) the declarations type-check a strict application (bundler resolution)', async () => {
  const declarations = await typeCheck('tsconfig.json', ['--module', 'preserve', '--moduleResolution', 'bundler']);
  assert.deepEqual(declarations, ['types/errors.d.ts', 'types/index.d.ts', 'types/verify.d.ts']);
});

test("(a) 'sesame-auth/verify' type-checks without the DOM library", async () => {
  const declarations = await typeCheck('tsconfig.server.json');
  assert.deepEqual(declarations, ['types/errors.d.ts', 'types/verify.d.ts']);
});

// ---------------------------------------------------------------------------
// (b) bundling for a plain page

async function bundle(contents) {
  let result;
  try {
    result = await esbuild.build({
      stdin: { contents, resolveDir: project, sourcefile: 'page.js', loader: 'js' },
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
  } catch (error) {
    const messages = await esbuild.formatMessages(error.errors ?? [], { kind: 'error' }).catch(() => []);
    assert.fail(`esbuild failed:\n${messages.join('\n') || error.message}`);
  }
  const warnings = await esbuild.formatMessages(result.warnings, { kind: 'warning' });
  assert.deepEqual(warnings, [], `esbuild warned:\n${warnings.join('\n')}`);
  const [outputFile] = result.outputFiles;
  const [meta] = Object.values(result.metafile.outputs);
  // What was bundled comes from the staged package, resolved through its exports.
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(input));
  return { text: outputFile.text, imports: meta.imports, inputs };
}

test('(b) a plain page bundles for the browser without warnings', async () => {
  const page = [
    "import { AuthClient, totpEnrolment } from 'sesame-auth';",
    "const client = new AuthClient({ url: 'https://auth.example.com' });",
    "client.onAuthStateChange((event) => { document.body.dataset.auth = event; });",
    "document.querySelector('#enrol')?.addEventListener('click', async () => {",
    "  const setup = await (await client.fetch('/api/v1/auth/mfa/totp/setup', { method: 'POST' })).json();",
    "  document.querySelector('#qr').innerHTML = (await totpEnrolment(setup)).qrSvg;",
    '});',
    'await client.initialize();',
  ].join('\n');
  const { text, imports, inputs } = await bundle(page);
  assert.ok(inputs.includes(path.join(sdkDir, 'lib/index.js')), `bundled from elsewhere:\n${inputs.join('\n')}`);
  assert.ok(inputs.includes(path.join(sdkDir, 'lib/client.js')));
  // No Node built-in is imported: the Node-only file read in lib/core.js stays a
  // dynamic import of a variable, which neither fails to resolve nor is bundled.
  assert.deepEqual(imports.filter((entry) => entry.path.startsWith('node:') || entry.external), []);
  assert.doesNotMatch(text, /\bfrom\s*["']node:/);
  assert.doesNotMatch(text, /\bimport\s*\(\s*["']node:/);
  assert.doesNotMatch(text, /\brequire\s*\(\s*["']node:/);
  assert.match(text, /sesame_core\.wasm/);  // the default location is kept
});

test("(b) 'sesame-auth/verify' bundles on its own, without the client", async () => {
  const { inputs } = await bundle("export { verifyAccessToken } from 'sesame-auth/verify';");
  assert.ok(inputs.includes(path.join(sdkDir, 'lib/verify.js')));
  assert.ok(!inputs.includes(path.join(sdkDir, 'lib/client.js')), 'the verify entry pulls in the client');
});

// ---------------------------------------------------------------------------
// (c) Node

test('(c) Node imports the package by name and loads the .wasm from its default place', async () => {
  assert.ok(Number(process.versions.node.split('.')[0]) >= 20, `Node ${process.version}: the package needs Node 20`);
  const script = path.join(project, 'check.mjs');
  await fs.writeFile(script, `
    import { checkPassword, AuthClient, verifyAccessToken as fromMain } from 'sesame-auth';
    import { verifyAccessToken } from 'sesame-auth/verify';
    const verdict = await checkPassword('correct horse battery staple');
    const weak = await checkPassword('password');
    let hidden = null;
    try {
      await import('sesame-auth/lib/core.js');
    } catch (error) {
      hidden = error.code;
    }
    console.log(JSON.stringify({
      verdict,
      weak: weak.violations.map((v) => v.code),
      client: typeof AuthClient,
      sameVerify: fromMain === verifyAccessToken,
      wasm: import.meta.resolve('sesame-auth/sesame_core.wasm'),
      main: import.meta.resolve('sesame-auth'),
      hidden,
    }));
  `);
  const result = await run(process.execPath, [script], { cwd: project });
  assert.equal(result.code, 0, `node failed:\n${output(result)}`);
  const answer = JSON.parse(result.stdout);
  assert.deepEqual(answer.verdict, { acceptable: true, length: 28, violations: [] });
  assert.ok(answer.weak.includes('password_common'), answer.weak.join());
  assert.equal(answer.client, 'function');
  assert.equal(answer.sameVerify, true);
  assert.equal(fileURLToPath(answer.main), path.join(sdkDir, 'lib/index.js'));
  assert.equal(fileURLToPath(answer.wasm), path.join(sdkDir, 'dist/sesame_core.wasm'));
  assert.equal(answer.hidden, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test('(c) configureWasm takes a WebAssembly.Module, an ArrayBuffer and bytes made in another realm (node:vm)', async () => {
  const script = path.join(project, 'foreign-realm.mjs');
  await fs.writeFile(script, `
    import vm from 'node:vm';
    import { readFile } from 'node:fs/promises';
    import { checkPassword, configureWasm } from 'sesame-auth';
    const bytes = await readFile(new URL(import.meta.resolve('sesame-auth/sesame_core.wasm')));
    const expressions = {
      module: 'new WebAssembly.Module(Uint8Array.from(bytes))',
      arrayBuffer: 'Uint8Array.from(bytes).buffer',
      uint8Array: 'Uint8Array.from(bytes)',
    };
    const foreign = vm.runInContext(expressions[process.env.SOURCE_KIND], vm.createContext({ bytes: [...bytes] }));
    configureWasm(foreign);
    let answer;
    try {
      answer = { foreign: !(foreign instanceof Object), verdict: (await checkPassword('password')).violations.map((v) => v.code) };
    } catch (error) {
      answer = { error: error.code + ': ' + error.message };
    }
    console.log(JSON.stringify(answer));
  `);
  // One process per source: the core is loaded once per process.
  for (const kind of ['module', 'arrayBuffer', 'uint8Array']) {
    const result = await run(process.execPath, [script], { cwd: project, env: { ...process.env, SOURCE_KIND: kind } });
    assert.equal(result.code, 0, `${kind}: node failed:\n${output(result)}`);
    assert.deepEqual(JSON.parse(result.stdout), { foreign: true, verdict: ['password_common'] }, kind);
  }
});

test('(c) bundled for Node, the package reads its .wasm from node_modules whatever the bundler made of the URL', async () => {
  // As webpack does in a Next.js server bundle: import.meta.url (and so the
  // .wasm's URL) no longer points into the package. The bundle lives elsewhere.
  for (const [label, importMetaUrl] of [['a bundle in another folder', undefined],
    ['a rewritten URL', JSON.stringify('http://localhost/_next/static/chunks/app.js')]]) {
    const outfile = path.join(project, 'out', `${label.replace(/\W+/g, '-')}.mjs`);
    await esbuild.build({
      stdin: { contents: "import { checkPassword } from 'sesame-auth'; console.log(JSON.stringify((await checkPassword('password')).violations.map((v) => v.code)));", resolveDir: project, loader: 'js' },
      bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent',
      define: importMetaUrl ? { 'import.meta.url': importMetaUrl } : {},
    });
    const bundled = await fs.readFile(outfile, 'utf8');
    assert.ok(!bundled.includes(sdkDir), `${label}: the bundle names the package's folder`);
    const result = await run(process.execPath, [outfile], { cwd: project });
    assert.equal(result.code, 0, `${label}: node failed:\n${output(result)}`);
    assert.deepEqual(JSON.parse(result.stdout), ['password_common'], label);
  }
});

// ---------------------------------------------------------------------------
// (d) what npm packs

test('(d) npm pack ships lib/, types/, dist/sesame_core.wasm and README.md only', async () => {
  const result = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: sdkDir,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' },
  });
  assert.equal(result.code, 0, `npm pack failed:\n${output(result)}`);
  const [pack] = JSON.parse(result.stdout);
  assert.equal(pack.name, 'sesame-auth');
  const files = pack.files.map((file) => file.path).sort();
  const expected = [
    'README.md',
    'dist/sesame_core.wasm',
    ...(await sourceFiles('lib', '.js')).map((name) => `lib/${name}`),
    'package.json',
    ...(await sourceFiles('types', '.d.ts')).map((name) => `types/${name}`),
  ].sort();
  assert.deepEqual(files, expected);
  for (const file of files) assert.doesNotMatch(file, /^(test|src|scripts|node_modules)\//);
  assert.ok(files.includes('types/index.d.ts') && files.includes('types/verify.d.ts'));
});

// ---------------------------------------------------------------------------
// (e) the size measurement

test('(e) scripts/size.mjs measures the package', async () => {
  const result = await run(process.execPath, [path.join(wasmDir, 'scripts/size.mjs'), '--json'], {
    env: { ...process.env, SESAME_SDK_DIR: sdkDir },
  });
  assert.equal(result.code, 0, `size.mjs failed:\n${output(result)}`);
  const sizes = JSON.parse(result.stdout);
  for (const part of ['js', 'wasm', 'total', 'verifyJs']) {
    assert.ok(sizes[part].raw > 0 && sizes[part].gzip > 0 && sizes[part].gzip < sizes[part].raw, `${part}: ${JSON.stringify(sizes[part])}`);
  }
  assert.equal(sizes.total.raw, sizes.js.raw + sizes.wasm.raw);
  assert.equal(sizes.total.gzip, sizes.js.gzip + sizes.wasm.gzip);
  assert.equal(sizes.wasm.raw, (await fs.stat(path.join(sdkDir, 'dist/sesame_core.wasm'))).size);
  // The budget (wasm/README.md, Size): the SDK and its core under 50 KiB gzip.
  assert.ok(sizes.total.gzip <= 50 * 1024, `over the 50 KiB gzip budget: ${JSON.stringify(sizes.total)}`);
});
