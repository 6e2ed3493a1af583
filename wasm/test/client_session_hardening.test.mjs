// AuthClient against a real sesame-server: the device token that keeps the
// owner out of strangers' lockouts, a new sign-in ending the held session
// (ASVS 7.2.4), session revocation with a password (7.5.2), introspectToken
// (7.4.1) and `sesame-server sessions revoke-all` (7.4.5).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { loadSdk } from './support/core.mjs';
import { PASSWORD, serverBinary, startServer, uniqueEmail } from './support/server.mjs';

let server;
let sdk;
let group = 0;

before(async () => {
  sdk = await loadSdk();
  server = await startServer();
});
after(async () => server?.stop());

function makeClient(options = {}) {
  return new sdk.AuthClient({ url: server.url, delivery: 'body', coordination: { name: `hardening-${group++}` }, ...options });
}

async function codeOf(promise) {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error.code;
  }
}

test('the owner signs in on a known device while strangers are locked out', async (t) => {
  const storage = sdk.memoryStorage();
  const owner = makeClient({ storage });
  t.after(() => owner.dispose());
  const email = uniqueEmail('owner');
  await owner.register({ email, password: PASSWORD });
  await owner.signIn({ email, password: PASSWORD });
  assert.ok(await storage.getItem('sesame.device_token'), 'the device token is kept');
  await owner.signOut();
  assert.ok(await storage.getItem('sesame.device_token'), 'and survives sign-out');

  const attacker = makeClient();
  t.after(() => attacker.dispose());
  for (let i = 0; i < 5; i++) assert.equal(await codeOf(attacker.signIn({ email, password: 'a wrong guess!' })), 'invalid_credentials');
  let locked;
  try {
    await attacker.signIn({ email, password: PASSWORD });
  } catch (error) {
    locked = error;
  }
  assert.equal(locked?.code, 'account_locked');
  assert.ok(locked.retryAfterSeconds > 0);

  const result = await owner.signIn({ email, password: PASSWORD });
  assert.equal(result.mfaRequired, false);
  assert.equal((await owner.me()).email, email);
});

test('signing in again ends the session the client held', async (t) => {
  const client = makeClient();
  t.after(() => client.dispose());
  const email = uniqueEmail('again');
  await client.register({ email, password: PASSWORD });
  await client.signIn({ email, password: PASSWORD });
  const first = client.session;
  await client.signIn({ email, password: PASSWORD });
  assert.notEqual(client.session.sessionId, first.sessionId);
  const sessions = await client.sessions();
  assert.deepEqual(sessions.map((s) => s.id), [client.session.sessionId]);
  assert.deepEqual(await client.introspectToken(first.accessToken), { active: false });
});

// The 10-minute window itself is pinned by the server's suite (it moves the clock).
test('revoking other sessions after a recent sign-in, with or without the password, and introspection sees it', async (t) => {
  const here = makeClient();
  const there = makeClient();
  t.after(() => { here.dispose(); there.dispose(); });
  const email = uniqueEmail('revoke');
  await here.register({ email, password: PASSWORD });
  await here.signIn({ email, password: PASSWORD });
  await there.signIn({ email, password: PASSWORD });
  const active = await here.introspectToken(there.session.accessToken);
  assert.equal(active.active, true);
  assert.equal(active.sid, there.session.sessionId);
  assert.deepEqual(active.roles, ['user']);

  // A recent sign-in needs no password.
  await here.revokeSession(there.session.sessionId);
  assert.deepEqual(await here.introspectToken(there.session.accessToken), { active: false });
  // The password goes along in the body when given.
  await there.signIn({ email, password: PASSWORD });
  await here.revokeOtherSessions({ password: PASSWORD });
  assert.deepEqual(await here.introspectToken(there.session.accessToken), { active: false });
});

test('sesame-server sessions revoke-all ends every session at once', async (t) => {
  const one = makeClient();
  const two = makeClient();
  t.after(() => { one.dispose(); two.dispose(); });
  for (const client of [one, two]) {
    const email = uniqueEmail('incident');
    await client.register({ email, password: PASSWORD });
    await client.signIn({ email, password: PASSWORD });
  }
  const { stdout } = await promisify(execFile)(serverBinary, ['sessions', 'revoke-all'], {
    env: { ...process.env, SESAME_DATA_DIR: server.dataDir },
  });
  assert.match(stdout, /^revoked \d+ session\(s\)/);
  for (const client of [one, two]) {
    assert.deepEqual(await client.introspectToken(client.session.accessToken), { active: false });
    assert.equal(await codeOf(client.me()), 'session_revoked');
  }
});
