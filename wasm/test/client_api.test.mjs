// AuthClient against a real sesame-server: every call of the contract the
// server offers, both token deliveries, the storage adapters, the fetch
// wrapper, typed errors, and verifyAccessToken with the server's JWKS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

import { base32Decode } from './support/base32.mjs';
import { loadSdk } from './support/core.mjs';
import { cookieFetch, countingFetch, nextEvent, recordEvents } from './support/fakes.mjs';
import { AUDIENCE, ISSUER, PASSWORD, startServer, uniqueEmail } from './support/server.mjs';

let server;
let sdk;
let group = 0;

before(async () => {
  sdk = await loadSdk();
  server = await startServer();
});
after(async () => server?.stop());

function makeClient(options = {}) {
  return new sdk.AuthClient({ url: server.url, delivery: 'body', coordination: { name: `api-${group++}` }, ...options });
}

async function signedIn(options) {
  const client = makeClient(options);
  const email = uniqueEmail('api');
  await client.register({ email, password: PASSWORD, name: 'Ada' });
  await client.signIn({ email, password: PASSWORD });
  return { client, email };
}

test('register, sign in, me, sessions and sign out in body mode', async (t) => {
  const storage = sdk.memoryStorage();
  const client = makeClient({ storage });
  t.after(() => client.dispose());
  const events = recordEvents(client);
  const email = uniqueEmail('body');

  const user = await client.register({ email, password: PASSWORD, name: 'Ada' });
  assert.equal(user.email, email);
  const result = await client.signIn({ email, password: PASSWORD });
  assert.equal(result.mfaRequired, false);
  assert.match(result.session.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal(client.state, 'signed_in');
  assert.ok(await storage.getItem('sesame.refresh_token'), 'body mode keeps the refresh token in the adapter');

  const me = await client.me();
  assert.equal(me.email, email);
  assert.equal(me.name, 'Ada');
  const sessions = await client.sessions();
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0].current, true);
  assert.equal(sessions[0].id, client.session.sessionId);

  await client.signOut();
  assert.equal(client.session, null);
  assert.equal(client.state, 'signed_out');
  assert.equal(await storage.getItem('sesame.refresh_token'), null);
  assert.deepEqual(events, ['SIGNED_IN', 'SIGNED_OUT']);
  await assert.rejects(client.me(), { code: 'unauthorized' });
});

test('cookie mode keeps the refresh token out of JavaScript and restores the session from the cookie', async (t) => {
  const fetch = cookieFetch();
  const storage = { writes: 0, getItem: () => null, setItem() { this.writes += 1; }, removeItem() {} };
  const first = makeClient({ delivery: 'cookie', fetch, storage });
  t.after(() => first.dispose());
  const email = uniqueEmail('cookie');
  await first.register({ email, password: PASSWORD });
  const { session } = await first.signIn({ email, password: PASSWORD });
  assert.ok(fetch.jar.has('sesame_refresh'), 'the server set its HttpOnly cookie');
  assert.equal(storage.writes, 0, 'no token reaches the storage adapter');
  assert.ok(!JSON.stringify(session).includes(fetch.jar.get('sesame_refresh')), 'the session object holds no refresh token');

  // A page reload: a new client, the same cookie jar.
  const reloaded = makeClient({ delivery: 'cookie', fetch });
  t.after(() => reloaded.dispose());
  const restored = await reloaded.initialize();
  assert.ok(restored);
  assert.equal((await reloaded.me()).email, email);

  await reloaded.signOut();
  assert.ok(!fetch.jar.has('sesame_refresh'), 'sign-out clears the cookie');
  const afterSignOut = makeClient({ delivery: 'cookie', fetch });
  t.after(() => afterSignOut.dispose());
  assert.equal(await afterSignOut.initialize(), null);
});

test('the refresh cookie is sent only with the CSRF header', async () => {
  const fetch = cookieFetch();
  const client = makeClient({ delivery: 'cookie', fetch });
  const email = uniqueEmail('csrf');
  await client.register({ email, password: PASSWORD });
  await client.signIn({ email, password: PASSWORD });
  client.dispose();
  const bare = await fetch(`${server.url}/api/v1/auth/refresh`, { method: 'POST' });
  assert.equal(bare.status, 403);
  assert.equal((await bare.json()).code, 'csrf_check_failed');
});

test('sessionStorageAdapter reads sessionStorage at call time and survives a reload of the tab', async (t) => {
  const items = new Map();
  globalThis.sessionStorage = {
    getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k),
  };
  t.after(() => { delete globalThis.sessionStorage; });
  const { client } = await signedIn({ storage: sdk.sessionStorageAdapter() });
  t.after(() => client.dispose());
  assert.ok(items.get('sesame.refresh_token'));
  const reloaded = makeClient({ storage: sdk.sessionStorageAdapter() });
  t.after(() => reloaded.dispose());
  assert.ok(await reloaded.initialize());
  assert.notEqual(items.get('sesame.refresh_token'), undefined);
});

test('nothing secret is written to localStorage', async (t) => {
  const writes = [];
  globalThis.localStorage = { getItem: () => null, setItem: (k, v) => writes.push([k, v]), removeItem() {} };
  t.after(() => { delete globalThis.localStorage; });
  const { client } = await signedIn();
  t.after(() => client.dispose());
  await client.refreshSession();
  assert.ok(writes.length > 0, 'the refresh counter is shared through localStorage');
  for (const [key, value] of writes) {
    assert.match(key, /\.(refreshed|signed_in)$/);
    assert.match(value, /^\d+$/, 'a counter or the signed-in mark, never a token');
  }
});

test('errors are typed with the server\'s stable codes', async (t) => {
  const client = makeClient();
  t.after(() => client.dispose());
  const email = uniqueEmail('errors');
  await client.register({ email, password: PASSWORD });
  await assert.rejects(client.register({ email, password: PASSWORD }), { name: 'AuthApiError', code: 'email_taken', status: 409 });
  await assert.rejects(client.register({ email: uniqueEmail(), password: 'short' }), (error) => {
    assert.equal(error.code, 'password_policy_violation');
    assert.equal(error.status, 422);
    assert.ok(error.violations.some((v) => v.code === 'password_too_short'));
    return true;
  });
  await assert.rejects(client.signIn({ email, password: 'wrong password here' }), { code: 'invalid_credentials', status: 401 });
  const offline = new sdk.AuthClient({ url: 'http://127.0.0.1:9', delivery: 'body' });
  t.after(() => offline.dispose());
  await assert.rejects(offline.signIn({ email, password: PASSWORD }), (error) => error instanceof sdk.NetworkError && error.code === 'network_error');
});

test('the password check of the SDK gives the verdict the server gives', async (t) => {
  const client = makeClient();
  t.after(() => client.dispose());
  for (const password of ['short', 'password123', 'x'.repeat(65), PASSWORD]) {
    const email = uniqueEmail('policy');
    const verdict = await sdk.checkPassword(password, { email });
    const server = await client.register({ email, password }).then(() => [], (error) => error.violations.map((v) => v.code));
    assert.deepEqual(verdict.violations.map((v) => v.code), server, password);
  }
});

test('changePassword revokes the other sessions and keeps this one', async (t) => {
  const { client, email } = await signedIn();
  const other = makeClient();
  t.after(() => { client.dispose(); other.dispose(); });
  await other.signIn({ email, password: PASSWORD });
  const otherOut = nextEvent(other, 'SIGNED_OUT');
  await client.changePassword({ currentPassword: PASSWORD, newPassword: `${PASSWORD} 2` });
  assert.equal((await client.me()).email, email);
  await assert.rejects(other.refreshSession(), { status: 401 });
  await otherOut;
});

test('revokeSession ends one session, revokeOtherSessions all but this one', async (t) => {
  const { client, email } = await signedIn();
  const second = makeClient();
  const third = makeClient();
  t.after(() => { client.dispose(); second.dispose(); third.dispose(); });
  await second.signIn({ email, password: PASSWORD });
  await third.signIn({ email, password: PASSWORD });
  assert.equal((await client.sessions()).length, 3);
  await client.revokeSession(second.session.sessionId);
  assert.equal((await client.sessions()).length, 2);
  // The revoked client learns it on its next call and signs itself out.
  const signedOut = nextEvent(second, 'SIGNED_OUT');
  await assert.rejects(second.me(), { code: 'session_revoked', status: 401 });
  await signedOut;
  assert.equal(second.session, null);
  assert.equal(second.state, 'signed_out');
  await client.revokeOtherSessions();
  assert.deepEqual((await client.sessions()).map((s) => s.current), [true]);
  await assert.rejects(third.refreshSession(), { status: 401 });
});

test('the fetch wrapper adds the bearer token and, on a 401, refreshes once and retries once', async (t) => {
  const { client } = await signedIn();
  t.after(() => client.dispose());
  const seen = [];
  let refuse = 1;
  const api = await listen((request, response) => {
    seen.push(request.headers.authorization);
    response.statusCode = refuse-- > 0 ? 401 : 200;
    response.end();
  });
  t.after(() => api.stop());
  const url = `${api.url}/data`;

  const first = client.session.accessToken;
  assert.equal((await client.fetch(url)).status, 200);
  assert.deepEqual(seen, [`Bearer ${first}`, `Bearer ${client.session.accessToken}`]);
  assert.notEqual(client.session.accessToken, first);

  refuse = 5;  // still refused after the refresh: the 401 is returned, no loop
  seen.length = 0;
  assert.equal((await client.fetch(url, { headers: { 'X-Custom': '1' } })).status, 401);
  assert.equal(seen.length, 2);
});

test('verifyAccessToken checks the server\'s tokens with its cached JWKS, refetched for an unknown kid after a cooldown', async (t) => {
  const { client } = await signedIn();
  t.after(() => client.dispose());
  const jwksUrl = `${server.url}/.well-known/jwks.json`;
  const fetch = countingFetch();
  const verified = await sdk.verifyAccessToken(client.session.accessToken, { jwksUrl, issuer: ISSUER, audience: AUDIENCE, fetch });
  assert.equal(verified.claims.sid, client.session.sessionId);
  assert.equal(verified.kid, client.session.kid);
  await sdk.verifyAccessToken(client.session.accessToken, { jwksUrl, issuer: ISSUER, audience: AUDIENCE, fetch });
  assert.equal(fetch.count('/.well-known/jwks.json'), 1, 'cached');

  await assert.rejects(sdk.verifyAccessToken(client.session.accessToken, { jwksUrl, issuer: ISSUER, audience: 'other', fetch }),
    { code: 'jwt_invalid_audience' });
  await assert.rejects(sdk.verifyAccessToken(client.session.accessToken, { jwksUrl, issuer: 'https://evil.example', audience: AUDIENCE, fetch }),
    { code: 'jwt_invalid_issuer' });
  await assert.rejects(sdk.verifyAccessToken(client.session.accessToken, {
    keys: await (await fetch(jwksUrl)).json(), issuer: ISSUER, audience: AUDIENCE, nowSeconds: Math.floor(Date.now() / 1000) + 86_400,
  }), { code: 'jwt_expired' });

  // A token signed with a key the cached set does not hold (another server's key
  // ring behind the same URL): refetched for its kid, but not within the cooldown.
  const other = await startServer();
  t.after(() => other.stop());
  let upstream = server.url;
  const proxy = await listen(async (request, response) => {
    const answer = await globalThis.fetch(`${upstream}/.well-known/jwks.json`);
    response.setHeader('Content-Type', 'application/json');
    response.end(await answer.text());
  });
  t.after(() => proxy.stop());
  const options = { jwksUrl: `${proxy.url}/.well-known/jwks.json`, issuer: ISSUER, audience: AUDIENCE, fetch };
  await sdk.verifyAccessToken(client.session.accessToken, options);
  const stranger = new sdk.AuthClient({ url: other.url, delivery: 'body', coordination: { name: `api-${group++}` } });
  t.after(() => stranger.dispose());
  const email = uniqueEmail('other');
  await stranger.register({ email, password: PASSWORD });
  const { session } = await stranger.signIn({ email, password: PASSWORD });
  upstream = other.url;
  const fetchesBefore = fetch.count('/.well-known/jwks.json');
  await assert.rejects(sdk.verifyAccessToken(session.accessToken, options), { code: 'jwt_unknown_key' });
  assert.equal(fetch.count('/.well-known/jwks.json'), fetchesBefore, 'no refetch within the cooldown');
  const verifiedLater = await sdk.verifyAccessToken(session.accessToken, { ...options, cooldownMs: 0 });
  assert.equal(verifiedLater.kid, session.kid);
  assert.equal(fetch.count('/.well-known/jwks.json'), fetchesBefore + 1);
});

// What an authenticator app shows for the secret at `unixSeconds` (RFC 6238, SHA-1).
function totpCode(secret, unixSeconds, digits = 6, period = 30) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / period)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits).padStart(digits, '0');
}
const nowSeconds = () => Date.now() / 1000;
// Confirming uses the current step; the next step's code is still inside the window.
const nextCode = (secret) => totpCode(secret, nowSeconds() + 30);
const notACurrentCode = (secret) => ['000000', '111111', '222222'].find((code) => ![-30, 0, 30].some((offset) => totpCode(secret, nowSeconds() + offset) === code));

// A user with TOTP on: signed in on `client`, with the secret and the backup codes.
async function enrolled(options) {
  const { client, email } = await signedIn(options);
  const enrolment = await client.setupTotp();
  const backupCodes = await client.confirmTotp({ code: totpCode(enrolment.secret, nowSeconds()) });
  return { client, email, secret: enrolment.secret, backupCodes };
}

test('TOTP enrolment: the QR code is drawn by the core, a wrong code is refused without a refresh, me shows MFA', async (t) => {
  const fetch = countingFetch();
  const { client, email } = await signedIn({ fetch });
  t.after(() => client.dispose());
  const enrolment = await client.setupTotp();
  assert.match(enrolment.qrSvg, /^<svg /);
  assert.equal(enrolment.account, email);
  assert.equal(enrolment.issuer, '127.0.0.1');
  assert.deepEqual([enrolment.algorithm, enrolment.digits, enrolment.period], ['SHA1', 6, 30]);
  assert.match(enrolment.formattedSecret, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  assert.equal(enrolment.qrSvg, (await sdk.loadCore()).qrSvg(enrolment.otpauthUri), 'the same SVG as the core draws for the URI');

  const refreshesBefore = fetch.count('/refresh');
  await assert.rejects(client.confirmTotp({ code: notACurrentCode(enrolment.secret) }), { code: 'invalid_mfa_code', status: 401 });
  assert.equal(fetch.count('/refresh'), refreshesBefore, 'a wrong code is not a reason to refresh');
  assert.equal(fetch.count('/mfa/totp/confirm'), 1, 'and is not sent twice');
  const backupCodes = await client.confirmTotp({ code: totpCode(enrolment.secret, nowSeconds()) });
  assert.equal(backupCodes.length, 10);
  for (const code of backupCodes) assert.match(code, /^[0-9a-z]{5}-[0-9a-z]{5}$/);
  const me = await client.me();
  assert.equal(me.mfa_enabled, true);
  assert.equal(me.backup_codes_remaining, 10);
  await assert.rejects(client.setupTotp(), { code: 'mfa_already_enabled', status: 409 });
});

test('MFA sign-in in body mode: MFA_REQUIRED, mfa_pending, a wrong code keeps the challenge, the right one signs in', async (t) => {
  const user = await enrolled();
  t.after(() => user.client.dispose());
  const storage = sdk.memoryStorage();
  const again = makeClient({ storage });
  t.after(() => again.dispose());
  const events = recordEvents(again);
  const first = await again.signIn({ email: user.email, password: PASSWORD });
  assert.equal(first.mfaRequired, true);
  assert.deepEqual(first.challenge.methods, ['totp', 'backup_code']);
  assert.equal(first.challenge.expiresIn, 300);
  assert.equal(again.state, 'mfa_pending');
  assert.equal(again.session, null);
  assert.equal(await storage.getItem('sesame.refresh_token'), null);

  await assert.rejects(again.verifyMfa({ code: notACurrentCode(user.secret) }), { code: 'invalid_mfa_code' });
  assert.equal(again.state, 'mfa_pending');
  const { session } = await again.verifyMfa({ code: nextCode(user.secret) });
  assert.equal(again.state, 'signed_in');
  assert.equal(session.scope, '');
  assert.ok(await storage.getItem('sesame.refresh_token'));
  assert.deepEqual(events, ['MFA_REQUIRED', 'SIGNED_IN']);
  const decoded = JSON.parse(Buffer.from(session.accessToken.split('.')[1], 'base64url'));
  assert.deepEqual(decoded.amr, ['pwd', 'otp']);
  assert.equal((await again.me()).email, user.email);
  await assert.rejects(again.verifyMfa({ code: '123456' }), { code: 'mfa_token_invalid' }, 'the challenge is used up');
});

test('MFA sign-in in cookie mode with a backup code typed as on paper; a dead challenge signs out', async (t) => {
  const user = await enrolled();
  t.after(() => user.client.dispose());
  const fetch = cookieFetch();
  const client = makeClient({ delivery: 'cookie', fetch });
  t.after(() => client.dispose());
  const mfa = nextEvent(client, 'MFA_REQUIRED');
  assert.equal((await client.signIn({ email: user.email, password: PASSWORD })).mfaRequired, true);
  await mfa;
  const signedIn = nextEvent(client, 'SIGNED_IN');
  const typed = ` ${user.backupCodes[2].toUpperCase().replace('-', ' ')} `;
  await client.verifyMfa({ backupCode: typed });
  await signedIn;
  assert.equal(client.state, 'signed_in');
  assert.ok(fetch.jar.has('sesame_refresh'), 'the refresh token lives in the HttpOnly cookie');
  assert.equal((await client.me()).backup_codes_remaining, 9);
  // The session survives a reload from the cookie alone.
  const reloaded = makeClient({ delivery: 'cookie', fetch });
  t.after(() => reloaded.dispose());
  await reloaded.initialize();
  assert.equal(reloaded.state, 'signed_in');

  const later = makeClient({ delivery: 'cookie', fetch: cookieFetch() });
  t.after(() => later.dispose());
  await later.signIn({ email: user.email, password: PASSWORD });
  await assert.rejects(later.verifyMfa({ backupCode: user.backupCodes[2] }), { code: 'invalid_mfa_code' }, 'a backup code works once');
  for (let attempt = 2; attempt <= 5; ++attempt) {
    await assert.rejects(later.verifyMfa({ code: notACurrentCode(user.secret) }), { code: 'invalid_mfa_code' });
  }
  await assert.rejects(later.verifyMfa({ code: nextCode(user.secret) }), { code: 'mfa_token_invalid' }, 'five tries per challenge');
  assert.equal(later.state, 'signed_out');
  await assert.rejects(later.verifyMfa({ code: '123456' }), { code: 'mfa_token_invalid' });
});

test('backup codes are regenerated with a code, and TOTP is disabled with the password and a backup code', async (t) => {
  const user = await enrolled();
  t.after(() => user.client.dispose());
  const fresh = await user.client.regenerateBackupCodes({ code: nextCode(user.secret) });
  assert.equal(fresh.length, 10);
  assert.ok(fresh.every((code) => !user.backupCodes.includes(code)));
  await assert.rejects(user.client.disableTotp({ password: 'not the password', backupCode: fresh[0] }), { code: 'invalid_credentials' });
  await assert.rejects(user.client.disableTotp({ password: PASSWORD, backupCode: user.backupCodes[0] }), { code: 'invalid_mfa_code' });
  await user.client.disableTotp({ password: PASSWORD, backupCode: fresh[0] });
  assert.equal((await user.client.me()).mfa_enabled, false);
  const plain = makeClient();
  t.after(() => plain.dispose());
  assert.equal((await plain.signIn({ email: user.email, password: PASSWORD })).mfaRequired, false);
});

test('when the server requires MFA, a user without TOTP gets an enrolment-only session until confirmTotp', async (t) => {
  const strict = await startServer({ SESAME_REQUIRE_MFA: '1' });
  t.after(() => strict.stop());
  const client = new sdk.AuthClient({ url: strict.url, delivery: 'body', coordination: { name: `api-${group++}` } });
  t.after(() => client.dispose());
  const email = uniqueEmail('strict');
  await client.register({ email, password: PASSWORD });
  const { session } = await client.signIn({ email, password: PASSWORD });
  assert.equal(session.scope, 'mfa_enrolment');
  await assert.rejects(client.sessions(), { code: 'mfa_enrollment_required', status: 403 });
  assert.equal((await client.me()).mfa_enabled, false);
  const enrolment = await client.setupTotp();
  await client.confirmTotp({ code: totpCode(enrolment.secret, nowSeconds()) });
  assert.equal(client.session.scope, '', 'confirmTotp refreshed into a full session');
  assert.equal((await client.sessions()).length, 1);
});

// The token of the newest mail to `email` whose link goes to `action`, from the
// server's dev mailbox (SESAME_DEV=1).
async function mailedToken(email, action) {
  const response = await fetch(`${server.url}/api/v1/dev/mailbox?to=${encodeURIComponent(email)}`);
  assert.equal(response.status, 200);
  const texts = (await response.json()).messages.map((m) => m.text).filter((text) => text.includes(`action=${action}`));
  assert.ok(texts.length > 0, `no ${action} mail to ${email}`);
  const match = texts.at(-1).match(/[?&]token=([A-Za-z0-9_-]{43})/);
  assert.ok(match, texts.at(-1));
  return match[1];
}

test('password reset and email verification with the tokens of real mails', async (t) => {
  const email = uniqueEmail('recover');
  const client = makeClient();
  t.after(() => client.dispose());
  await client.register({ email, password: PASSWORD });
  await client.signIn({ email, password: PASSWORD });
  assert.equal((await client.me()).email_verified, false);

  // A new link voids the first one.
  const first = await mailedToken(email, 'verify-email');
  await client.resendVerification();
  const second = await mailedToken(email, 'verify-email');
  assert.notEqual(first, second);
  await assert.rejects(client.verifyEmail({ token: first }), { code: 'verification_token_invalid' });
  await client.verifyEmail({ token: second });
  const me = await client.me();
  assert.equal(me.email_verified, true);
  await assert.rejects(client.verifyEmail({ token: second }), { code: 'verification_token_invalid' });

  // Reset: unknown addresses resolve the same way; the real one gets a link.
  await client.requestPasswordReset({ email: uniqueEmail('nobody') });
  await client.requestPasswordReset({ email });
  const token = await mailedToken(email, 'reset-password');
  await assert.rejects(client.completePasswordReset({ token: 'not-a-token', newPassword: `${PASSWORD}!` }), { code: 'reset_token_invalid' });
  await assert.rejects(client.completePasswordReset({ token, newPassword: 'short' }), (error) => {
    assert.equal(error.code, 'password_policy_violation');
    assert.ok(error.problem.violations.some((v) => v.code === 'password_too_short'));
    return true;
  });
  const newPassword = `${PASSWORD} again`;
  const other = makeClient();
  t.after(() => other.dispose());
  await other.completePasswordReset({ token, newPassword });
  await assert.rejects(other.completePasswordReset({ token, newPassword }), { code: 'reset_token_invalid' });
  // Every session ended: the first client's session is refused by the server.
  const response = await fetch(`${server.url}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${await client.getAccessToken()}` } });
  assert.equal(response.status, 401);
  await assert.rejects(other.signIn({ email, password: PASSWORD }), { code: 'invalid_credentials' });
  await other.signIn({ email, password: newPassword });

  // Without a session, a new verification link by address.
  await other.signOut();
  await other.resendVerification({ email: uniqueEmail('nobody') });
});

// An HTTP server of the app's own on an ephemeral port; stop() also ends kept-alive connections.
async function listen(handler) {
  const http = createServer(handler);
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    stop: () => new Promise((resolve) => { http.closeAllConnections(); http.close(resolve); }),
  };
}

test('a tenant\'s app signs in with tenantId, and verifyAccessToken hands the app its tenant_id and roles', async (t) => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(`${tmpdir()}/sesame-admin-`);
  const adminEmail = uniqueEmail('operator');
  await writeFile(`${dir}/password`, `${PASSWORD}\n`, { mode: 0o600 });
  const tenanted = await startServer({ SESAME_ADMIN_EMAIL: adminEmail, SESAME_ADMIN_PASSWORD_FILE: `${dir}/password` });
  t.after(async () => { await tenanted.stop(); await rm(dir, { recursive: true, force: true }); });
  const client = (options) => new sdk.AuthClient({ url: tenanted.url, delivery: 'body', coordination: { name: `api-${group++}` }, ...options });

  const operator = client();
  t.after(() => operator.dispose());
  await operator.signIn({ email: adminEmail, password: PASSWORD });
  const created = await operator.fetch(`${tenanted.url}/api/v1/admin/tenants`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'acme' }),
  });
  assert.equal(created.status, 201);

  const acme = client({ tenantId: 'acme' });
  t.after(() => acme.dispose());
  const email = uniqueEmail('acme');
  assert.equal((await acme.register({ email, password: PASSWORD })).tenant_id, 'acme');
  await acme.signIn({ email, password: PASSWORD });
  const { claims } = await sdk.verifyAccessToken(acme.session.accessToken, {
    jwksUrl: `${tenanted.url}/.well-known/jwks.json`, issuer: ISSUER, audience: AUDIENCE,
  });
  assert.equal(claims.tenant_id, 'acme');
  assert.deepEqual(claims.roles, ['user']);
  // The same address in the default tenant is another account (none here).
  const outsider = client();
  t.after(() => outsider.dispose());
  await assert.rejects(outsider.signIn({ email, password: PASSWORD }), { code: 'invalid_credentials' });
});
