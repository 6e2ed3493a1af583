// A signed-out start asks the server nothing: in cookie mode initialize() calls
// /refresh only when this browser's localStorage marks a session this client
// started and did not end (a signed-out visit's 401 would be a console error in
// the browser on every page load). Without localStorage it asks, as before.
// Against a real sesame-server, with cookie delivery and a cookie jar.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { loadSdk } from './support/core.mjs';
import { cookieFetch, countingFetch } from './support/fakes.mjs';
import { PASSWORD, startServer, uniqueEmail } from './support/server.mjs';

const sdk = await loadSdk();
let server;
let group = 0;

before(async () => { server = await startServer(); });
after(async () => server?.stop());

// What a browser tab has: localStorage (shared by its clients) and a cookie jar.
function browserLike({ withLocalStorage = true } = {}) {
  const items = new Map();
  const localStorage = {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, String(value)); },
    removeItem: (key) => { items.delete(key); },
  };
  return { host: withLocalStorage ? { localStorage } : {}, items, fetch: countingFetch(cookieFetch()) };
}

function clientIn(browser) {
  const client = new sdk.AuthClient({
    url: server.url, delivery: 'cookie', host: browser.host, fetch: browser.fetch, coordination: { name: `start-${group++}` },
  });
  return client;
}

test('a signed-out start with localStorage makes no request', async (t) => {
  const browser = browserLike();
  const client = clientIn(browser);
  t.after(() => client.dispose());
  assert.equal(await client.initialize(), null);
  assert.equal(browser.fetch.count('/refresh'), 0);
  assert.equal(client.state, 'signed_out');
});

test('sign-in marks the session, a new client restores it from the cookie, sign-out removes the mark', async (t) => {
  const browser = browserLike();
  const first = clientIn(browser);
  t.after(() => first.dispose());
  const email = uniqueEmail('start');
  await first.register({ email, password: PASSWORD });
  await first.signIn({ email, password: PASSWORD });
  const marks = [...browser.items].filter(([key]) => key.endsWith('.signed_in'));
  assert.deepEqual(marks, [[`sesame:${server.url}.signed_in`, '1']]);

  const reloaded = clientIn(browser);  // a page load: nothing in memory
  t.after(() => reloaded.dispose());
  const session = await reloaded.initialize();
  assert.ok(session?.accessToken, 'restored from the refresh cookie');
  assert.equal(browser.fetch.count('/refresh'), 1);

  await reloaded.signOut();
  assert.deepEqual([...browser.items].filter(([key]) => key.endsWith('.signed_in')), []);
  const afterSignOut = clientIn(browser);
  t.after(() => afterSignOut.dispose());
  assert.equal(await afterSignOut.initialize(), null);
  assert.equal(browser.fetch.count('/refresh'), 1, 'no request after sign-out');
});

test('without localStorage, initialize() asks the server', async (t) => {
  const browser = browserLike({ withLocalStorage: false });
  const client = clientIn(browser);
  t.after(() => client.dispose());
  assert.equal(await client.initialize(), null);
  assert.equal(browser.fetch.count('/refresh'), 1);
});
