// Where the refresh token lives in body mode. An adapter has getItem, setItem and
// removeItem, synchronous or returning promises (the Web Storage shape).
// In cookie mode (the browser default) the refresh token never reaches
// JavaScript: it stays in the server's HttpOnly cookie.

/** Forgotten when the page goes away: the safest choice, and the default. */
export function memoryStorage() {
  const items = new Map();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => { items.set(key, String(value)); },
    removeItem: (key) => { items.delete(key); },
  };
}

/** Survives reloads of this tab, not other tabs; read at call time, so importing on a server is safe. */
export function sessionStorageAdapter() {
  const storage = () => {
    if (!globalThis.sessionStorage) throw new Error('sessionStorage is not available here');
    return globalThis.sessionStorage;
  };
  return {
    getItem: (key) => storage().getItem(key),
    setItem: (key, value) => storage().setItem(key, value),
    removeItem: (key) => storage().removeItem(key),
  };
}
