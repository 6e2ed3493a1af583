// Silent refresh against a real sesame-server, with a fake clock in the client:
// when refreshes happen, single flight, backoff, pausing, and tabs sharing one
// refresh through a lock and a channel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { loadSdk } from './support/core.mjs';
import { countingFetch, fakeClock, nextEvent, recordEvents } from './support/fakes.mjs';
import { PASSWORD, startServer, uniqueEmail } from './support/server.mjs';

const ACCESS_TTL_SECONDS = 600;
let server;
let sdk;
let tabGroup = 0;

before(async () => {
  sdk = await loadSdk();
  server = await startServer({ SESAME_ACCESS_TOKEN_TTL: String(ACCESS_TTL_SECONDS) });
});
after(async () => server?.stop());

// A client as one tab would make it; tabs of one test share `coordination` and `storage`.
function makeClient({ clock = fakeClock(), fetch = countingFetch(), random = () => 0.5, coordination, storage, ...rest } = {}) {
  return new sdk.AuthClient({
    url: server.url,
    delivery: 'body',
    clock,
    fetch,
    random,
    storage: storage ?? sdk.memoryStorage(),
    coordination: coordination ?? { name: `tabs-${tabGroup++}` },
    ...rest,
  });
}

async function registeredEmail() {
  const email = uniqueEmail('refresh');
  await makeClient().register({ email, password: PASSWORD });
  return email;
}

test('the refresh is planned before expiry from the core plan, and runs when due', async (t) => {
  const clock = fakeClock();
  const fetch = countingFetch();
  const client = makeClient({ clock, fetch });
  t.after(() => client.dispose());
  const { session } = await client.signIn({ email: await registeredEmail(), password: PASSWORD });

  const core = await sdk.loadCore();
  const plan = core.planRefresh({ issuedAt: Math.floor(clock.now() / 1000), expiresAt: Math.floor(clock.now() / 1000) + ACCESS_TTL_SECONDS, nowMs: clock.now(), jitterUnit: 0.5 });
  assert.deepEqual(clock.pending(), [plan.delayMs]);
  assert.ok(plan.delayMs < ACCESS_TTL_SECONDS * 1000, 'planned before expiry');

  clock.advance(plan.delayMs - 1);
  assert.equal(fetch.count('/refresh'), 0, 'not before the plan');
  const refreshed = nextEvent(client, 'TOKEN_REFRESHED');
  clock.advance(1);
  const next = await refreshed;
  assert.equal(fetch.count('/refresh'), 1);
  assert.notEqual(next.accessToken, session.accessToken);
  assert.equal(clock.pending().length, 1, 'the next refresh is planned');
});

test('for any jitter the timer fires before the token expires, never after', async (t) => {
  for (const jitter of [0, 0.25, 0.999]) {
    const clock = fakeClock();
    const client = makeClient({ clock, random: () => jitter });
    t.after(() => client.dispose());
    await client.signIn({ email: await registeredEmail(), password: PASSWORD });
    const [delay] = clock.pending();
    assert.ok(delay > 0 && delay < ACCESS_TTL_SECONDS * 1000, `jitter ${jitter}: ${delay} ms`);
    assert.ok(clock.now() + delay < client.session.expiresAtMs);
  }
});

test('concurrent refreshSession calls share one request and one result', async (t) => {
  const fetch = countingFetch();
  const client = makeClient({ fetch });
  t.after(() => client.dispose());
  await client.signIn({ email: await registeredEmail(), password: PASSWORD });
  const results = await Promise.all(Array.from({ length: 5 }, () => client.refreshSession()));
  assert.equal(fetch.count('/refresh'), 1);
  assert.ok(results.every((s) => s === results[0]));
});

test('network failures are retried with exponential backoff and jitter, then the session goes on', async (t) => {
  const clock = fakeClock();
  const fetch = countingFetch();
  const client = makeClient({ clock, fetch });  // jitter 0.5: half of 1 s, 2 s, 4 s ...
  t.after(() => client.dispose());
  const events = recordEvents(client);
  await client.signIn({ email: await registeredEmail(), password: PASSWORD });

  fetch.failNext('/refresh', 3);
  await assert.rejects(client.refreshSession(), { name: 'NetworkError', code: 'network_error' });
  assert.deepEqual(clock.pending(), [500]);
  for (const [attempt, delay] of [[2, 1000], [3, 2000]]) {
    clock.advance(clock.pending()[0]);
    await waitFor(() => fetch.count('/refresh') === attempt && clock.pending()[0] === delay);
  }
  const refreshed = nextEvent(client, 'TOKEN_REFRESHED');
  clock.advance(2000);
  await refreshed;
  assert.equal(fetch.count('/refresh'), 4);
  assert.equal(client.state, 'signed_in');
  assert.ok(clock.pending()[0] > 60_000, 'back on the normal plan');
  assert.deepEqual(events, ['SIGNED_IN', 'TOKEN_REFRESHED']);
});

test('a token that expires while the server is unreachable gives SESSION_EXPIRED, then recovers', async (t) => {
  const clock = fakeClock();
  const fetch = countingFetch();
  const client = makeClient({ clock, fetch });
  t.after(() => client.dispose());
  await client.signIn({ email: await registeredEmail(), password: PASSWORD });
  clock.advance(ACCESS_TTL_SECONDS * 1000);  // the timer fires: this refresh succeeds
  await waitFor(() => fetch.count('/refresh') === 1 && client.state === 'signed_in');

  fetch.failNext('/refresh', 1);
  const expired = nextEvent(client, 'SESSION_EXPIRED');
  clock.advance(ACCESS_TTL_SECONDS * 1000 + 1);
  await expired;
  assert.equal(client.state, 'expired');
  const back = nextEvent(client, 'TOKEN_REFRESHED');
  clock.advance(clock.pending()[0]);
  await back;
  assert.equal(client.state, 'signed_in');
});

test('refreshing pauses while the page is hidden or offline and catches up on return', async (t) => {
  const clock = fakeClock();
  const fetch = countingFetch();
  const host = new EventTarget();
  host.document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  host.navigator = { onLine: true };
  const client = makeClient({ clock, fetch, host });
  t.after(() => client.dispose());
  await client.signIn({ email: await registeredEmail(), password: PASSWORD });

  host.document.visibilityState = 'hidden';
  host.document.dispatchEvent(new Event('visibilitychange'));
  assert.deepEqual(clock.pending(), []);
  clock.advance(ACCESS_TTL_SECONDS * 1000);
  assert.equal(fetch.count('/refresh'), 0, 'nothing while hidden');

  host.navigator.onLine = false;
  host.document.visibilityState = 'visible';
  host.document.dispatchEvent(new Event('visibilitychange'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(clock.pending(), [], 'still offline');

  host.navigator.onLine = true;
  const refreshed = nextEvent(client, 'TOKEN_REFRESHED');
  host.dispatchEvent(new Event('online'));
  await waitFor(() => clock.pending().length === 1);
  assert.deepEqual(clock.pending(), [0], 'overdue: refresh at once');
  clock.advance(0);
  await refreshed;
  assert.equal(fetch.count('/refresh'), 1);
});

test('two tabs sharing a lock and a channel make one network refresh and both get its result', async (t) => {
  const fetch = countingFetch();
  const shared = { storage: sdk.memoryStorage(), coordination: { name: `tabs-${tabGroup++}` }, fetch };
  const first = makeClient(shared);
  const second = makeClient(shared);
  t.after(() => { first.dispose(); second.dispose(); });
  await first.signIn({ email: await registeredEmail(), password: PASSWORD });
  assert.equal(await second.initialize() !== null, true, 'the second tab restores from the shared storage');
  assert.equal(fetch.count('/refresh'), 1);
  await waitFor(() => first.session?.accessToken === second.session?.accessToken);

  const [a, b] = await Promise.all([first.refreshSession(), second.refreshSession()]);
  assert.equal(fetch.count('/refresh'), 2, 'one more network refresh for both tabs');
  assert.equal(a.accessToken, b.accessToken);
});

test('a lock held too long by a frozen tab is taken over', async (t) => {
  const name = `tabs-${tabGroup++}`;
  const locks = sdk.createLocalLocks();
  let frozen;
  locks.request(`${name}.refresh`, () => new Promise((resolve) => { frozen = resolve; }));
  const client = makeClient({ coordination: { name, locks }, lockTimeoutMs: 200 });
  t.after(() => { client.dispose(); frozen?.(); });
  await client.signIn({ email: await registeredEmail(), password: PASSWORD });
  const started = Date.now();
  await client.refreshSession();
  assert.ok(Date.now() - started >= 190, 'waited for the lock first');
});

test('event callbacks run after the lock is released, so they may refresh again', async (t) => {
  const fetch = countingFetch();
  const client = makeClient({ fetch, lockTimeoutMs: 60_000 });
  t.after(() => client.dispose());
  await client.signIn({ email: await registeredEmail(), password: PASSWORD });
  let nested;
  const off = client.onAuthStateChange((event) => {
    if (event === 'TOKEN_REFRESHED' && !nested) nested = client.refreshSession();
  });
  t.after(off);
  await client.refreshSession();
  await nested;  // a callback run under the lock would wait for itself for a minute
  assert.equal(fetch.count('/refresh'), 2);
});

test('a refused refresh signs out this tab and the other tabs', async (t) => {
  const shared = { storage: sdk.memoryStorage(), coordination: { name: `tabs-${tabGroup++}` } };
  const first = makeClient(shared);
  const second = makeClient(shared);
  t.after(() => { first.dispose(); second.dispose(); });
  const email = await registeredEmail();
  await first.signIn({ email, password: PASSWORD });
  await second.initialize();

  // Another device revokes this session.
  const other = makeClient();
  t.after(() => other.dispose());
  await other.signIn({ email, password: PASSWORD });
  await other.revokeOtherSessions();

  const secondOut = nextEvent(second, 'SIGNED_OUT');
  const firstOut = nextEvent(first, 'SIGNED_OUT');
  await assert.rejects(first.refreshSession(), (error) => error.name === 'AuthApiError' && error.status === 401);
  await Promise.all([firstOut, secondOut]);
  assert.equal(first.session, null);
  assert.equal(second.session, null);
  assert.equal(await shared.storage.getItem('sesame.refresh_token'), null);
});

async function waitFor(condition, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
