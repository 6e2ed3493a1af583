// The package in a real browser: Debian's Chromium, headless, loads a plain page
// whose <script type="module"> imports the staged package, against a real
// sesame-server proxied behind the page's origin (cookie delivery, the HttpOnly
// cookie, Web Locks and BroadcastChannel are the browser's own).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { packageDir } from './support/core.mjs';
import { PASSWORD, startServer, uniqueEmail } from './support/server.mjs';

const CHROMIUM = process.env.SESAME_CHROMIUM ?? '/usr/bin/chromium';
const PAGE_TIMEOUT_MS = 30_000;
const CONTENT_TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

let server;
let site;
const refreshes = { count: 0 };
const exchanges = [];  // "METHOD /path status", for failure reports
let reportResult;
const pageResult = new Promise((resolve) => { reportResult = resolve; });

// Two clients on one page stand for two tabs: each has its own channel object,
// and they share the browser's Web Locks and localStorage as tabs do.
const page = (email) => `<!doctype html><meta charset="utf-8"><title>sdk</title>
<script type="module">
  import { AuthClient, checkPassword, totpEnrolment } from '/sdk/lib/index.js';
  const out = { webLocks: Boolean(navigator.locks) };
  // The authenticator app: RFC 6238 with the browser's own HMAC-SHA-1.
  async function totpNow(secret) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bits = [...secret].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
    const key = await crypto.subtle.importKey('raw', new Uint8Array(bits.match(/.{8}/g).map((b) => parseInt(b, 2))),
                                              { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    const counter = new DataView(new ArrayBuffer(8));
    counter.setBigUint64(0, BigInt(Math.floor(Date.now() / 30000)));
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, counter.buffer));
    const at = mac[19] & 15;
    const number = ((mac[at] & 127) << 24 | mac[at + 1] << 16 | mac[at + 2] << 8 | mac[at + 3]) % 1000000;
    return String(number).padStart(6, '0');
  }
  try {
    const first = new AuthClient();
    const second = new AuthClient();
    await first.register({ email: ${JSON.stringify(email)}, password: ${JSON.stringify(PASSWORD)} });
    out.signIn = (await first.signIn({ email: ${JSON.stringify(email)}, password: ${JSON.stringify(PASSWORD)} })).mfaRequired;
    out.cookieReadable = document.cookie.includes('sesame_refresh');
    out.me = (await first.me()).email;
    out.restored = (await second.initialize()) !== null;
    const [a, b] = await Promise.all([first.refreshSession(), second.refreshSession()]);
    out.sameToken = a.accessToken === b.accessToken && a.accessToken === first.session.accessToken;
    out.policy = (await checkPassword('password1')).violations.map((v) => v.code);
    out.qr = (await totpEnrolment({ secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/Sesame:alice?secret=JBSWY3DPEHPK3PXP&issuer=Sesame' })).qrSvg.startsWith('<svg');
    const enrolment = await first.setupTotp();
    out.enrolment = [enrolment.qrSvg.startsWith('<svg'), enrolment.issuer, enrolment.digits];
    const backupCodes = await first.confirmTotp({ code: await totpNow(enrolment.secret) });
    out.backupCodes = backupCodes.length;
    const secondOut = new Promise((resolve) => second.onAuthStateChange((event) => event === 'SIGNED_OUT' && resolve()));
    await first.signOut();
    await secondOut;
    out.bothSignedOut = first.session === null && second.session === null;
    // The two-step sign-in with cookie delivery, finished with a backup code.
    out.mfaRequired = (await first.signIn({ email: ${JSON.stringify(email)}, password: ${JSON.stringify(PASSWORD)} })).mfaRequired;
    out.mfaStates = [first.state];
    await first.verifyMfa({ backupCode: backupCodes[0].toUpperCase() });
    out.mfaStates.push(first.state);
    out.mfaMe = await first.me();
    await first.signOut();
    out.localStorage = Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)]);
  } catch (error) {
    out.error = String(error.code) + ': ' + error.message;
  }
  await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
</script>`;

before(async () => {
  const email = uniqueEmail('browser');
  site = createServer(async (request, response) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname === '/') {
      response.setHeader('Content-Type', 'text/html');
      return response.end(page(email));
    }
    if (url.pathname === '/result') {
      const chunks = [];
      for await (const chunk of request) chunks.push(chunk);
      reportResult(JSON.parse(Buffer.concat(chunks).toString()));
      return response.end();
    }
    if (url.pathname.startsWith('/sdk/')) {
      const file = path.join(packageDir, path.normalize(url.pathname.slice('/sdk/'.length)));
      if (!file.startsWith(packageDir)) return response.writeHead(404).end();
      try {
        const body = await readFile(file);
        response.setHeader('Content-Type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream');
        return response.end(body);
      } catch {
        return response.writeHead(404).end();
      }
    }
    // Everything else goes to sesame-server, so that the page and the API share an origin.
    if (url.pathname === '/api/v1/auth/refresh') refreshes.count += 1;
    const exchange = [request.method, url.pathname, request.headers.origin ?? '-'];
    exchanges.push(exchange);
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const headers = { ...request.headers };
    delete headers.host;
    const answer = await fetch(`${server.url}${request.url}`, {
      method: request.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const out = {};
    answer.headers.forEach((value, name) => { if (name !== 'set-cookie' && name !== 'content-encoding') out[name] = value; });
    const cookies = answer.headers.getSetCookie();
    if (cookies.length) out['set-cookie'] = cookies;
    const answerBody = Buffer.from(await answer.arrayBuffer());
    exchange.push(answer.status >= 400 ? `${answer.status} ${answerBody}` : answer.status);
    response.writeHead(answer.status, out);
    response.end(answerBody);
  });
  await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
  // The proxy does not keep the Host header, so the server is told the page's
  // origin may use the refresh cookie (as for an app on another origin).
  server = await startServer({ SESAME_CORS_ORIGINS: `http://127.0.0.1:${site.address().port}` });
});

after(async () => {
  site?.closeAllConnections();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
  await server?.stop();
});

test('a plain page signs in with cookie delivery, shares one refresh between two clients, enrols TOTP, signs both out and signs in with a backup code', async () => {
  const profile = await mkdtemp(path.join(tmpdir(), 'sesame-chromium-'));
  // Real time, not --virtual-time-budget: that runs timers ahead while requests
  // are in flight, which would fire the SDK's own timeouts early.
  const browser = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
    `http://127.0.0.1:${site.address().port}/`,
  ], { stdio: 'ignore' });
  const exited = new Promise((resolve) => browser.once('exit', resolve));
  try {
    let timer;
    const out = await Promise.race([
      pageResult,
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the page reported nothing')), PAGE_TIMEOUT_MS); }),
      exited.then((code) => { throw new Error(`chromium exited (${code}) before the page reported`); }),
    ]).finally(() => clearTimeout(timer));
    const report = `${JSON.stringify(out)}\n${exchanges.map((e) => e.join(' ')).join('\n')}`;
    assert.equal(out.error, undefined, report);
    assert.equal(out.webLocks, true, report);
    assert.equal(out.signIn, false, report);
    assert.equal(out.cookieReadable, false, `the refresh cookie is HttpOnly: ${report}`);
    assert.match(out.me, /^browser-/, report);
    assert.equal(out.restored, true, report);
    assert.equal(out.sameToken, true, report);
    assert.equal(refreshes.count, 2, `one refresh to restore the second client, one shared by both: ${report}`);
    assert.deepEqual(out.policy, ['password_common'], report);
    assert.equal(out.qr, true, report);
    assert.equal(out.bothSignedOut, true, report);
    assert.deepEqual(out.enrolment, [true, '127.0.0.1', 6], report);
    assert.equal(out.backupCodes, 10, report);
    assert.equal(out.mfaRequired, true, report);
    assert.deepEqual(out.mfaStates, ['mfa_pending', 'signed_in'], report);
    assert.equal(out.mfaMe.mfa_enabled, true, report);
    assert.equal(out.mfaMe.backup_codes_remaining, 9, report);
    for (const [key, value] of out.localStorage) assert.match(`${key}=${value}`, /\.refreshed=\d+$/, report);
  } finally {
    browser.kill('SIGTERM');
    await exited;
    await rm(profile, { recursive: true, force: true });
  }
});
