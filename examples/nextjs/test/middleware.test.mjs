// variants/middleware.ts: the same guard as a middleware.ts on the Edge
// runtime, in a copy of the app without proxy.ts (.variant-middleware/, its
// node_modules a link to the example's), built with Turbopack and with webpack
// and started. The guard's answers are checked over HTTP with tokens the real
// server issued: a valid one (on Edge), a missing, a tampered and a wrong-role one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BUNDLERS, buildApp, createAdmin, exampleDir, freePort, guardEnv, PASSWORD, startApp, startSesame, uniqueEmail } from './support/stack.mjs';
import { tampered } from './support/tokens.mjs';

const variantDir = path.join(exampleDir, '.variant-middleware');
const ports = Object.fromEntries(await Promise.all(BUNDLERS.map(async (bundler) => [bundler, await freePort()])));
let sesame;
const tokens = {};

// Body delivery: the test is the client, and the token is all it needs.
async function signIn(email) {
  const answer = await fetch(`${sesame.url}/api/v1/auth/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(answer.status, 200, await answer.clone().text());
  return (await answer.json()).access_token;
}

before(async () => {
  await fs.rm(variantDir, { recursive: true, force: true });
  await fs.mkdir(variantDir);
  for (const entry of ['app', 'lib', 'next.config.ts', 'tsconfig.json', 'package.json']) {
    await fs.cp(path.join(exampleDir, entry), path.join(variantDir, entry), { recursive: true });
  }
  await fs.symlink(path.join(exampleDir, 'node_modules'), path.join(variantDir, 'node_modules'), 'dir');
  await fs.copyFile(path.join(exampleDir, 'variants/middleware.ts'), path.join(variantDir, 'middleware.ts'));

  sesame = await startSesame(BUNDLERS.map((bundler) => `http://127.0.0.1:${ports[bundler]}`));
  const user = uniqueEmail('next-middleware');
  const registered = await fetch(`${sesame.url}/api/v1/auth/register`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: user, password: PASSWORD }),
  });
  assert.equal(registered.status, 201, await registered.text());
  tokens.user = await signIn(user);
  const admin = uniqueEmail('next-middleware-admin');
  await createAdmin(sesame.dataDir, admin, PASSWORD);
  tokens.admin = await signIn(admin);
});

after(async () => {
  await sesame?.stop();
  await fs.rm(variantDir, { recursive: true, force: true });
});

async function guardAnswer(app, pagePath, token) {
  const answer = await fetch(`${app.url}${pagePath}`, {
    redirect: 'manual',
    headers: token === undefined ? {} : { Cookie: `sesame_access=${token}` },
  });
  const body = await answer.text();
  return {
    status: answer.status,
    guard: answer.headers.get('x-sesame-guard'),
    runtime: answer.headers.get('x-sesame-guard-runtime'),
    body,
  };
}

for (const bundler of BUNDLERS) {
  describe(`middleware.ts (Edge), ${bundler} build`, () => {
    let app;
    before(async () => {
      const { output } = await buildApp(bundler, sesame.url, variantDir);
      assert.match(output, /Middleware/, 'the build found the middleware');
      app = await startApp(bundler, ports[bundler], guardEnv(sesame), variantDir);
    });
    after(async () => { await app?.stop(); });

    test('a valid token passes, verified on the Edge runtime', async () => {
      const answer = await guardAnswer(app, '/account', tokens.user);
      assert.deepEqual([answer.status, answer.guard, answer.runtime], [200, null, 'edge']);
      const admin = await guardAnswer(app, '/admin', tokens.admin);
      assert.deepEqual([admin.status, admin.runtime], [200, 'edge']);
      assert.match(admin.body, /admin,user/);
    });

    test('a missing, tampered or wrong-role token is refused', async () => {
      const pick = ({ status, guard }) => ({ status, guard });
      assert.deepEqual(pick(await guardAnswer(app, '/account')), { status: 307, guard: 'token_missing' });
      assert.deepEqual(pick(await guardAnswer(app, '/admin', tampered(tokens.user, { roles: ['admin', 'user'] }))),
        { status: 307, guard: 'jwt_invalid_signature' });
      assert.deepEqual(pick(await guardAnswer(app, '/admin', tokens.user)), { status: 403, guard: 'role_missing' });
    });
  });
}
