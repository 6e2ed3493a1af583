// The example app as its users meet it: built with Turbopack and with webpack,
// each build started with `next start`, driven in Debian's Chromium against a
// real sesame-server. Per bundler: the server render imports the SDK, sign-up
// and sign-in without and with MFA (TOTP enrolled on the account page), the
// route guard (proxy.ts, Node runtime) answering for a valid token and refusing
// a missing, tampered, expired and wrong-role one, the Edge route verifying
// bearer tokens, and sign-out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { BUNDLERS, buildApp, createAdmin, freePort, guardEnv, PASSWORD, startApp, startSesame, uniqueEmail } from './support/stack.mjs';
import { claimsOf, resigned, tampered, totp } from './support/tokens.mjs';
import { firstLoad, kib } from './support/first-load.mjs';

const CHROMIUM = process.env.SESAME_CHROMIUM ?? '/usr/bin/chromium';
const ACCESS_COOKIE = 'sesame_access';
const WAIT_MS = 20_000;

const ports = Object.fromEntries(await Promise.all(BUNDLERS.map(async (bundler) => [bundler, await freePort()])));
const origins = BUNDLERS.map((bundler) => `http://127.0.0.1:${ports[bundler]}`);
let sesame;
let browser;

before(async () => {
  sesame = await startSesame(origins);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Never a downloaded browser, and no traffic but to loopback.
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
});

// A page whose console errors and failed requests are collected.
async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  return { context, page, consoleErrors };
}

async function accessCookie(context) {
  return (await context.cookies()).find((cookie) => cookie.name === ACCESS_COOKIE)?.value;
}

async function fillPassword(page, app, email, { register = false } = {}) {
  await page.goto(`${app.url}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: register ? 'Create account' : 'Sign in', exact: true }).click();
}

// What the guard answers for a page request with this access cookie (or none).
async function guardAnswer(app, path, token) {
  const answer = await fetch(`${app.url}${path}`, {
    redirect: 'manual',
    headers: token === undefined ? {} : { Cookie: `${ACCESS_COOKIE}=${token}` },
  });
  await answer.arrayBuffer();
  return { status: answer.status, guard: answer.headers.get('x-sesame-guard'), location: answer.headers.get('location') };
}

for (const bundler of BUNDLERS) {
  describe(`${bundler} build`, () => {
    let app;
    const user = { email: uniqueEmail(`next-${bundler}`) };

    before(async () => {
      const { seconds } = await buildApp(bundler, sesame.url);
      app = await startApp(bundler, ports[bundler], guardEnv(sesame));
      console.log(`# ${bundler}: next build took ${seconds.toFixed(1)} s`);
    });

    after(async () => { await app?.stop(); });

    test('a server component imports the SDK and runs its core in the server render', async () => {
      const answer = await fetch(`${app.url}/`);
      const html = await answer.text();
      assert.equal(answer.status, 200, `the home page failed to render:\n${app.log.slice(-20).join('\n')}`);
      assert.ok(/refused \(password_common\)/.test(html), 'the server render shows the core\'s verdict');
    });

    test('a signed-out visit to the sign-in page logs no console error', async () => {
      const { context, page, consoleErrors } = await newPage();
      try {
        await page.goto(`${app.url}/signin`);
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
        assert.deepEqual(consoleErrors, []);
      } finally {
        await context.close();
      }
    });

    test('a signed-out visit to the sign-in page fetches no .wasm (the core loads at first use)', async (t) => {
      const load = await firstLoad(browser, `${app.url}/signin`, 'button[value="signin"]');
      assert.ok(load.scripts > 0 && load.gzip > 0, JSON.stringify(load));
      assert.equal(load.wasmFetched, false);
      t.diagnostic(`${bundler}: /signin First Load JS ${kib(load.raw)} raw, ${kib(load.gzip)} gzip -9 (${load.scripts} scripts)`);
    });

    test('sign-up and sign-in without MFA reach the account page; the guard lets the token through', async () => {
      const { context, page, consoleErrors } = await newPage();
      try {
        await fillPassword(page, app, user.email, { register: true });
        await page.waitForURL(`${app.url}/account`);
        await assert.doesNotReject(page.getByTestId('email').filter({ hasText: user.email }).waitFor());
        assert.equal(await page.getByTestId('roles').textContent(), 'user');
        user.token = await accessCookie(context);
        assert.ok(user.token, 'the client copied the access token into its cookie');
        assert.deepEqual(await guardAnswer(app, '/account', user.token), { status: 200, guard: null, location: null });
        // A full page load: the token in memory is gone, the page restores the session from the refresh cookie.
        const reloaded = await context.newPage();
        reloaded.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
        await reloaded.goto(`${app.url}/account`);
        await reloaded.getByTestId('email').filter({ hasText: user.email }).waitFor({ timeout: WAIT_MS });
        // An access cookie that expired (a tab left open): the guard sends the visitor to the
        // sign-in page, which renews the session from the refresh cookie and comes back.
        const now = Math.floor(Date.now() / 1000);
        const expired = await resigned(user.token, { iat: now - 3600, exp: now - 1800 }, sesame.dataDir);
        await context.addCookies([{ name: ACCESS_COOKIE, value: expired, url: app.url, sameSite: 'Strict' }]);
        const navigations = [];
        reloaded.on('framenavigated', (frame) => { if (frame === reloaded.mainFrame()) navigations.push(new URL(frame.url()).pathname + new URL(frame.url()).search); });
        await reloaded.goto(`${app.url}/account`);
        await reloaded.waitForURL(`${app.url}/account`);
        await reloaded.getByTestId('email').filter({ hasText: user.email }).waitFor();
        assert.equal(navigations[0], '/signin?next=%2Faccount&reason=jwt_expired', navigations.join(' → '));
        const renewed = await accessCookie(context);
        assert.ok(renewed !== expired && claimsOf(renewed).exp > now, 'a fresh access token in the cookie');
        assert.deepEqual(consoleErrors, []);
      } finally {
        await context.close();
      }
    });

    test('the guard refuses a missing, tampered, expired and wrong-role token', async () => {
      assert.ok(user.token, 'needs the token of the sign-in test');
      const refused = (path, code) => ({ status: 307, guard: code, location: `/signin?next=${encodeURIComponent(path)}&reason=${code}` });
      const normalise = (answer) => ({ ...answer, location: answer.location && answer.location.replace(/^https?:\/\/[^/]+/, '') });
      assert.deepEqual(normalise(await guardAnswer(app, '/account')), refused('/account', 'token_missing'));
      const forged = tampered(user.token, { roles: ['admin', 'user'] });
      assert.deepEqual(normalise(await guardAnswer(app, '/admin', forged)), refused('/admin', 'jwt_invalid_signature'));
      const now = Math.floor(Date.now() / 1000);
      const expired = await resigned(user.token, { iat: now - 3600, exp: now - 1800 }, sesame.dataDir);
      assert.deepEqual(normalise(await guardAnswer(app, '/account', expired)), refused('/account', 'jwt_expired'));
      // The control: the same re-signing with the claims left alone is let through.
      assert.equal((await guardAnswer(app, '/account', await resigned(user.token, {}, sesame.dataDir))).status, 200);
      assert.deepEqual(await guardAnswer(app, '/admin', user.token), { status: 403, guard: 'role_missing', location: null });

      // In the browser, the refusal is the sign-in page, which names the reason.
      const { context, page } = await newPage();
      try {
        await page.goto(`${app.url}/account`);
        await page.waitForURL(`${app.url}/signin?next=%2Faccount&reason=token_missing`);
        assert.match(await page.getByTestId('guard-reason').textContent(), /token_missing/);
      } finally {
        await context.close();
      }
    });

    test('the Edge route verifies the bearer token', async () => {
      assert.ok(user.token, 'needs the token of the sign-in test');
      const ask = async (token) => {
        const answer = await fetch(`${app.url}/api/whoami`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
        return { status: answer.status, body: await answer.json() };
      };
      assert.deepEqual(await ask(user.token), { status: 200, body: { sub: claimsOf(user.token).sub, roles: ['user'], runtime: 'edge' } });
      assert.deepEqual(await ask(tampered(user.token, { sub: 'someone-else' })), { status: 401, body: { code: 'jwt_invalid_signature' } });
      assert.deepEqual(await ask(undefined), { status: 401, body: { code: 'token_missing' } });
    });

    test('TOTP enrolment on the account page, then sign-in with the MFA step, then sign-out', async () => {
      const email = uniqueEmail(`next-mfa-${bundler}`);
      const { context, page, consoleErrors } = await newPage();
      try {
        await fillPassword(page, app, email, { register: true });
        await page.waitForURL(`${app.url}/account`);
        await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
        const secret = (await page.getByTestId('totp-secret').textContent()).replace(/\s/g, '');
        assert.match(await page.locator('svg').first().evaluate((svg) => svg.outerHTML), /^<svg/);
        const enrolledAt = Date.now();
        await page.getByLabel('First code').fill(totp(secret, enrolledAt));
        await page.getByRole('button', { name: 'Turn on' }).click();
        await page.getByTestId('mfa').filter({ hasText: 'on' }).waitFor();
        assert.equal(await page.getByTestId('backup-codes').locator('li').count(), 10);

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${app.url}/signin`);
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
        assert.equal(await accessCookie(context), undefined, 'sign-out removes the access cookie');

        await fillPassword(page, app, email);
        await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
        // The enrolment used this period's code, and a code counts once: the next
        // period's (within the server's one-step window) stands for the app's next code.
        await page.getByLabel(/Code from your authenticator app/).fill(totp(secret, enrolledAt + 30_000));
        await page.getByRole('button', { name: 'Verify' }).click();
        await page.waitForURL(`${app.url}/account`);
        await page.getByTestId('mfa').filter({ hasText: 'on' }).waitFor();
        const token = await accessCookie(context);
        assert.ok(claimsOf(token).amr.length > 1, `amr: ${claimsOf(token).amr}`);
        assert.equal((await guardAnswer(app, '/account', token)).status, 200);

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${app.url}/signin`);
        await page.goto(`${app.url}/account`);
        await page.waitForURL(/\/signin\?next=%2Faccount&reason=token_missing$/);
        // The refresh cookie's session was revoked too: the sign-in page stays.
        await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
        assert.deepEqual(consoleErrors, []);
      } finally {
        await context.close();
      }
    });

    test('an admin reaches the admin page, which shows the verified claims', async () => {
      const email = uniqueEmail(`next-admin-${bundler}`);
      await createAdmin(sesame.dataDir, email, PASSWORD);
      const { context, page } = await newPage();
      try {
        await fillPassword(page, app, email);
        await page.waitForURL(`${app.url}/account`);
        await page.goto(`${app.url}/admin`);
        assert.equal(await page.getByTestId('admin-roles').textContent(), 'admin,user');
        const token = await accessCookie(context);
        assert.equal(await page.getByTestId('admin-user').textContent(), `Signed in as ${claimsOf(token).sub}`);
      } finally {
        await context.close();
      }
    });
  });
}
