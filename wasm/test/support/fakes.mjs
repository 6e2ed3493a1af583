// Test stand-ins for what the browser provides and the tests must control: a
// clock whose timers run only when told, a cookie jar for Node's fetch, and a
// fetch wrapper that counts calls and can fail them as a network would.

export function fakeClock(startMs = 1_700_000_000_000) {
  let nowMs = startMs;
  let nextId = 1;
  const timers = new Map();  // id -> {atMs, callback, delayMs}
  const clock = {
    scheduled: [],  // every delay ever asked for, in order
    now: () => nowMs,
    setTimeout(callback, delayMs) {
      const id = nextId++;
      timers.set(id, { atMs: nowMs + Math.max(0, delayMs), callback, delayMs });
      clock.scheduled.push(delayMs);
      return id;
    },
    clearTimeout(id) { timers.delete(id); },
    pending: () => [...timers.values()].map((t) => t.atMs - nowMs).sort((a, b) => a - b),
    // Moves time forward, running each timer that falls due, in order.
    advance(ms) {
      const target = nowMs + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.atMs <= target).sort((a, b) => a[1].atMs - b[1].atMs)[0];
        if (!due) break;
        timers.delete(due[0]);
        nowMs = Math.max(nowMs, due[1].atMs);
        due[1].callback();
      }
      nowMs = target;
    },
  };
  return clock;
}

// Keeps the cookies a browser would (name=value only; enough for one origin).
export function cookieFetch(inner = globalThis.fetch) {
  const jar = new Map();
  const wrapped = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await inner(url, { ...init, headers });
    for (const line of response.headers.getSetCookie?.() ?? []) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = pair.split('=');
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim())) || value === '';
      if (expired) jar.delete(name.trim());
      else jar.set(name.trim(), value.trim());
    }
    return response;
  };
  wrapped.jar = jar;
  return wrapped;
}

// Counts calls per API path; `failNext(path, n)` makes the next n calls to a
// path fail as an unreachable network does.
export function countingFetch(inner = globalThis.fetch) {
  const counts = new Map();
  const failures = new Map();
  const wrapped = async (url, init) => {
    const pathname = new URL(url).pathname.replace('/api/v1/auth', '');
    counts.set(pathname, (counts.get(pathname) ?? 0) + 1);
    const failing = failures.get(pathname) ?? 0;
    if (failing > 0) {
      failures.set(pathname, failing - 1);
      throw new TypeError('fetch failed (injected)');
    }
    return inner(url, init);
  };
  wrapped.count = (pathname) => counts.get(pathname) ?? 0;
  wrapped.failNext = (pathname, times) => failures.set(pathname, times);
  return wrapped;
}

export function nextEvent(client, name, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${name} within ${timeoutMs} ms`)); }, timeoutMs);
    const off = client.onAuthStateChange((event, session) => {
      if (event !== name) return;
      clearTimeout(timer);
      off();
      resolve(session);
    });
  });
}

export function recordEvents(client) {
  const events = [];
  client.onAuthStateChange((event) => events.push(event));
  return events;
}
