// The Next.js section of wasm/README.md works when pasted: its code blocks that
// start with a file name (`// lib/auth.ts`, `// proxy.ts` ...) are written into
// a copy of this app (.variant-readme/, the example's other pages kept), which
// is built with Turbopack (type-checked, the server component prerendered by the
// core) and started. The README's guard points at auth.example.com, so only the
// answers that need no JWKS are checked: nothing reaches beyond loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildApp, exampleDir, freePort, repoRoot, startApp } from './support/stack.mjs';

const variantDir = path.join(exampleDir, '.variant-readme');
let app;
let files;

// `// path` or `// path, after …` (appended to that file) on a block's first line.
function readmeFiles(markdown) {
  const section = markdown.slice(markdown.indexOf('## Next.js'), markdown.indexOf('## Tokens: where they live'));
  const out = new Map();
  for (const [, code] of section.matchAll(/```tsx?\n([\s\S]*?)```/g)) {
    const match = /^\/\/ ([\w./[\]-]+\.tsx?)(,? after [^\n]*)?(?: \(.*\))?\n/.exec(code);
    if (!match) continue;
    const [, file, appended] = match;
    out.set(file, appended ? `${out.get(file) ?? ''}\n${code}` : code);
  }
  return out;
}

before(async () => {
  files = readmeFiles(await fs.readFile(path.join(repoRoot, 'wasm/README.md'), 'utf8'));
  await fs.rm(variantDir, { recursive: true, force: true });
  await fs.mkdir(variantDir);
  for (const entry of ['app/layout.tsx', 'app/icon.svg', 'app/signin/page.tsx', 'app/account', 'app/admin', 'next.config.ts', 'tsconfig.json', 'package.json']) {
    await fs.cp(path.join(exampleDir, entry), path.join(variantDir, entry), { recursive: true });
  }
  await fs.symlink(path.join(exampleDir, 'node_modules'), path.join(variantDir, 'node_modules'), 'dir');
  for (const [file, code] of files) {
    await fs.mkdir(path.dirname(path.join(variantDir, file)), { recursive: true });
    await fs.writeFile(path.join(variantDir, file), code);
  }
  // No Sesame server is asked: the README's guard and route fail before fetching keys.
  await buildApp('turbopack', 'http://127.0.0.1:9', variantDir);
  app = await startApp('turbopack', await freePort(), {}, variantDir);
});

after(async () => {
  await app?.stop();
  await fs.rm(variantDir, { recursive: true, force: true });
});

test('the README names the files of an app', () => {
  assert.deepEqual([...files.keys()].sort(), ['app/api/whoami/route.ts', 'app/page.tsx', 'app/signin/sign-in-form.tsx', 'lib/auth.ts', 'proxy.ts']);
});

test("the README's server component renders the core's verdict", async () => {
  const answer = await fetch(`${app.url}/`);
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /password_common/);
});

test("the README's proxy.ts sends a visitor without a token to the sign-in page", async () => {
  const answer = await fetch(`${app.url}/account`, { redirect: 'manual' });
  assert.equal(answer.status, 307);
  const location = new URL(answer.headers.get('location'), app.url);
  assert.equal(`${location.pathname}${location.search}`, '/signin?next=%2Faccount&reason=jwt_malformed');
});

test("the README's Edge route refuses a request without a bearer token", async () => {
  const answer = await fetch(`${app.url}/api/whoami`);
  assert.deepEqual([answer.status, await answer.json()], [401, { code: 'jwt_malformed' }]);
});
