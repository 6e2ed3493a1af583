// Coordination between the tabs (and clients) of one origin: an exclusive lock
// around each refresh, a channel to share its result, and a small non-secret
// record saying a refresh happened, so a tab that waited for the lock knows a
// result is on its way instead of refreshing again.

/**
 * A Web Locks stand-in for where navigator.locks is absent (Node, older
 * browsers): the same request(name, options, callback) with `signal`, `steal`
 * and `ifAvailable`, for the clients given the same instance (by default, every
 * client of this JavaScript realm). It does not reach other tabs; there the
 * server's refresh grace interval absorbs the rare concurrent refresh.
 */
export function createLocalLocks() {
  const queues = new Map();  // name -> [{grant}]: the head holds the lock
  const release = (name, entry) => {
    const queue = queues.get(name);
    const index = queue ? queue.indexOf(entry) : -1;
    if (index === -1) return;
    queue.splice(index, 1);
    if (index === 0 && queue.length > 0) queue[0].grant();
    if (queue.length === 0) queues.delete(name);
  };
  return {
    request(name, options, callback) {
      if (typeof options === 'function') [options, callback] = [{}, options];
      const { signal, steal = false, ifAvailable = false } = options ?? {};
      return new Promise((resolve, reject) => {
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        if (signal?.aborted) return reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
        if (ifAvailable && queue.length > 0) return Promise.resolve(callback(null)).then(resolve, reject);
        const entry = {};
        entry.grant = () => {
          signal?.removeEventListener('abort', onAbort);
          Promise.resolve()
            .then(() => callback({ name, mode: 'exclusive' }))
            .then(resolve, reject)
            .finally(() => release(name, entry));
        };
        const onAbort = () => {
          release(name, entry);
          reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        if (steal) {
          // The holder keeps running but no longer holds the lock (as in Web Locks).
          queue.splice(0, 1, entry);
          entry.grant();
        } else {
          queue.push(entry);
          if (queue.length === 1) entry.grant();
        }
      });
    },
  };
}

const realmLocks = createLocalLocks();
const realmRecords = new Map();

/**
 * Runs `critical` under the named lock. A holder that keeps it longer than
 * `timeoutMs` (a frozen tab, one closed mid-refresh) is overtaken: the lock is
 * stolen and `critical` runs anyway, so no caller waits forever.
 */
export async function withLock(locks, name, timeoutMs, critical) {
  const signal = AbortSignal.timeout(timeoutMs);
  let granted = false;
  try {
    return await locks.request(name, { mode: 'exclusive', signal }, (lock) => {
      granted = true;
      return critical(lock);
    });
  } catch (error) {
    if (granted || !signal.aborted) throw error;
    return locks.request(name, { mode: 'exclusive', steal: true }, critical);
  }
}

/** The coordination parts a client uses; each can be replaced (tests, other hosts). */
export function tabCoordination({ name, locks, BroadcastChannel: Channel, records } = {}) {
  const ChannelType = Channel ?? globalThis.BroadcastChannel;
  const channel = typeof ChannelType === 'function' ? new ChannelType(name) : null;
  // Under Node an open channel would keep the process alive after the app is done.
  channel?.unref?.();
  return {
    name,
    locks: locks ?? globalThis.navigator?.locks ?? realmLocks,
    channel,
    records: records ?? localStorageRecords() ?? realmRecords,
  };
}

// The refresh record lives in localStorage when there is one: it holds a counter
// and a time, never a token.
function localStorageRecords() {
  try {
    const storage = globalThis.localStorage;
    if (!storage) return null;
    return {
      get: (key) => storage.getItem(key),
      set: (key, value) => storage.setItem(key, value),
    };
  } catch {
    return null;  // storage disabled (privacy modes): fall back to this realm
  }
}
