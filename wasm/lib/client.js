// AuthClient: the Sesame HTTP contract for browser apps, with token storage and
// silent refresh.
//
// Silent refresh follows Supabase's auth-js: one refresh in flight per client
// (callers share its promise), one at a time across tabs (an exclusive lock), and
// the result shared with the other tabs (a broadcast). When to refresh comes from
// the core's refresh plan; how long to back off after a failure from its retry
// plan. Event callbacks run after the lock is released, so they may call the
// client again.

import { loadCore } from './core.js';
import { AuthApiError, NetworkError, SesameError } from './errors.js';
import { memoryStorage } from './storage.js';
import { tabCoordination, withLock } from './tabs.js';
import { totpEnrolment } from './totp.js';

const API = '/api/v1/auth';
const CSRF_HEADER = 'X-Sesame-Csrf';
// Body delivery: this device's token (the lockout counts a known device apart) and the
// refresh token held, whose session a new sign-in ends (cookie delivery: the cookies do both).
const DEVICE_HEADER = 'X-Sesame-Device';
const HELD_REFRESH_HEADER = 'X-Sesame-Refresh';
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
// How long a tab that waited for the lock waits for the holder's broadcast.
const SHARED_RESULT_WAIT_MS = 2_000;
// 401 and 403 from the refresh endpoint mean the session is over (revoked,
// reused, expired); anything else (network, 429, 5xx) may pass.
const SESSION_OVER_STATUSES = new Set([401, 403]);
// The codes of a bearer token the server refused, which a refresh may cure.
const TOKEN_REFUSED_CODES = new Set(['token_expired', 'invalid_token']);
// The scope of an access token that SESAME_REQUIRE_MFA limits to enrolling TOTP.
const ENROLMENT_SCOPE = 'mfa_enrolment';

// The `scope` claim of an access token ('' when absent or unreadable). Read
// for the UI only: the server enforces it, and verifyAccessToken checks tokens.
function scopeOf(accessToken) {
  try {
    const payload = accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
    return typeof claims.scope === 'string' ? claims.scope : '';
  } catch {
    return '';
  }
}

const systemClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle),
};

export const AuthEvent = Object.freeze({
  SIGNED_IN: 'SIGNED_IN',
  TOKEN_REFRESHED: 'TOKEN_REFRESHED',
  MFA_REQUIRED: 'MFA_REQUIRED',
  SIGNED_OUT: 'SIGNED_OUT',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
});

export class AuthClient {
  #url;
  #delivery;
  #storage;
  #storageKey;
  #deviceStorageKey;
  #fetch;
  #clock;
  #random;
  #refreshPolicy;
  #requestTimeoutMs;
  #lockTimeoutMs;
  #autoRefresh;
  #host;
  #coordination;
  #coordinationOptions;

  #state = 'signed_out';  // the core's session states
  #session = null;
  #challenge = null;
  #listeners = new Set();
  #inflight = null;
  #timer = null;
  #retryAttempt = 0;
  #tenant;  // {tenant_id} for the calls that name an account, or {} for the default tenant
  #started = false;
  #seenSeq = 0;  // the newest session change (by number) this client has heard of or started after
  #adoptedSeq = 0;  // the newest one it took from another tab
  #sharedWaiters = new Set();
  #unlisten = [];

  /**
   * @param {object} options see types/index.d.ts (AuthClientOptions)
   */
  constructor({
    url = '',
    delivery = 'cookie',
    storage,
    storageKey = 'sesame.refresh_token',
    deviceStorageKey = 'sesame.device_token',
    fetch: fetchImpl,
    clock = systemClock,
    random = Math.random,
    refreshPolicy,
    requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
    lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
    autoRefresh = true,
    host,
    coordination,
    tenantId,
  } = {}) {
    if (delivery !== 'cookie' && delivery !== 'body') throw new SesameError('invalid_argument', 'delivery must be "cookie" or "body"');
    this.#url = String(url).replace(/\/+$/, '');
    this.#delivery = delivery;
    this.#storage = storage ?? memoryStorage();
    this.#storageKey = storageKey;
    this.#deviceStorageKey = deviceStorageKey;
    this.#fetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));
    this.#clock = clock;
    this.#random = random;
    this.#refreshPolicy = refreshPolicy;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.#lockTimeoutMs = lockTimeoutMs;
    this.#autoRefresh = autoRefresh;
    this.#host = host;
    this.#coordinationOptions = coordination ?? {};
    this.#tenant = tenantId === undefined ? {} : { tenant_id: String(tenantId) };
  }

  // ---- state ----

  /** The current session, or null: {accessToken, tokenType, sessionId, kid, issuedAtMs, expiresAtMs, refreshExpiresAtMs}. */
  get session() { return this.#session; }

  /** The core's session state: signed_out, mfa_pending, signed_in, refreshing or expired. */
  get state() { return this.#state; }

  /** Calls `callback(event, session)` on every change; returns the unsubscribe function. */
  onAuthStateChange(callback) {
    this.#listeners.add(callback);
    return () => { this.#listeners.delete(callback); };
  }

  /**
   * Restores the session after a page load (from the refresh cookie, or from the
   * storage adapter in body mode) and starts listening to other tabs. Resolves
   * to the session or null; never rejects for a missing or refused session.
   */
  async initialize() {
    this.#start();
    if (this.#session) return this.#session;
    if (this.#delivery === 'body' && !(await this.#storage.getItem(this.#storageKey))) return null;
    if (this.#delivery === 'cookie' && this.#sessionHint() === false) return null;
    try {
      return await this.refreshSession();
    } catch (error) {
      if (error instanceof AuthApiError) return null;
      throw error;
    }
  }

  /** Stops timers and listeners and closes the channel. The session stays on the server. */
  dispose() {
    this.#cancelTimer();
    for (const undo of this.#unlisten) undo();
    this.#unlisten = [];
    this.#coordination?.channel?.close();
    this.#coordination = null;
    this.#started = false;
  }

  // ---- the contract ----

  /** POST /register: resolves to the new user. 409 email_taken, 422 with violations. */
  async register({ email, password, name } = {}) {
    const body = { email, password, ...(name === undefined ? {} : { name }), ...this.#tenant };
    return (await this.#request('POST', '/register', { body })).user;
  }

  /**
   * The password step. Resolves to {session} or, when the account has a second
   * factor, {mfaRequired: true, challenge: {methods, expiresIn}}; finish with verifyMfa().
   */
  async signIn({ email, password } = {}) {
    this.#start();
    const answer = await this.#request('POST', '/token', {
      body: { email, password, delivery: this.#delivery, ...this.#tenant },
      headers: await this.#signInHeaders(),
    });
    if (answer.mfa_required === true) {
      const core = await loadCore();
      this.#challenge = { mfaToken: answer.mfa_token, methods: answer.methods ?? [], expiresIn: answer.expires_in };
      this.#state = core.sessionTransition(this.#state, 'mfa_required');
      this.#emit([[AuthEvent.MFA_REQUIRED, null]]);
      return { mfaRequired: true, challenge: { methods: this.#challenge.methods, expiresIn: this.#challenge.expiresIn } };
    }
    const events = await this.#accept(answer, 'sign_in_succeeded', AuthEvent.SIGNED_IN);
    this.#shareSession();
    this.#emit(events);
    return { mfaRequired: false, session: this.#session };
  }

  /** The second step: {code} from the authenticator app, or {backupCode}. */
  async verifyMfa({ code, backupCode } = {}) {
    if (!this.#challenge) throw new SesameError('mfa_token_invalid', 'no MFA challenge is pending: sign in first');
    if ((code === undefined) === (backupCode === undefined)) throw new SesameError('invalid_argument', 'give either code or backupCode');
    const core = await loadCore();
    const body = { mfa_token: this.#challenge.mfaToken, delivery: this.#delivery };
    if (backupCode !== undefined) body.backup_code = core.normalizeBackupCode(backupCode);
    else body.code = String(code).replace(/\s+/g, '');
    let answer;
    try {
      answer = await this.#request('POST', '/mfa/verify', { body, headers: await this.#signInHeaders() });
    } catch (error) {
      // A wrong code leaves the challenge open (5 tries); a dead challenge means signing in again.
      if (error instanceof AuthApiError && error.code === 'mfa_token_invalid') this.#abandonChallenge();
      throw error;
    }
    this.#challenge = null;
    const events = await this.#accept(answer, this.#state === 'mfa_pending' ? 'mfa_verified' : 'sign_in_succeeded', AuthEvent.SIGNED_IN);
    this.#shareSession();
    this.#emit(events);
    return { mfaRequired: false, session: this.#session };
  }

  /**
   * Ends the session on the server and signs out this tab and every other tab.
   * The local sign-out happens even when the server cannot be reached.
   */
  async signOut() {
    this.#start();
    const token = await this.getAccessToken();
    let failure = null;
    try {
      await this.#request('POST', '/logout', { token, csrf: !token });
    } catch (error) {
      // Already signed out on the server is still signed out.
      if (!(error instanceof AuthApiError && error.status === 401)) failure = error;
    }
    const sessionId = this.#session?.sessionId;
    await this.#clear();
    this.#broadcast({ type: 'signed_out', sessionId });
    this.#emit([[AuthEvent.SIGNED_OUT, null]]);
    if (failure) throw failure;
  }

  /** GET /me. */
  me() { return this.#authorized('GET', '/me'); }

  /** GET /sessions: this user's sessions, the current one marked. */
  async sessions() { return (await this.#authorized('GET', '/sessions')).sessions; }

  /**
   * DELETE /sessions/{id}. Another session than this one needs a sign-in younger than
   * 10 minutes or `password` (else 403 reauthentication_required).
   */
  async revokeSession(id, { password } = {}) {
    await this.#authorized('DELETE', `/sessions/${encodeURIComponent(id)}`, password === undefined ? undefined : { password });
  }

  /** DELETE /sessions: every session but this one; needs a recent sign-in or `password`, like revokeSession. */
  async revokeOtherSessions({ password } = {}) {
    await this.#authorized('DELETE', '/sessions', password === undefined ? undefined : { password });
  }

  /**
   * POST /introspect (RFC 7662): whether an access token is active right now, its session
   * included, which verifyAccessToken cannot see. Resolves to {active: false} or
   * {active: true, sub, sid, exp, iat, iss, aud, jti, roles, amr, tenant_id?, scope?}.
   */
  async introspectToken(token) {
    return this.#request('POST', '/introspect', { body: { token } });
  }

  /** The server revokes the other sessions; this one stays signed in. */
  async changePassword({ currentPassword, newPassword } = {}) {
    await this.#authorized('POST', '/password/change', { current_password: currentPassword, new_password: newPassword });
  }

  /** Always resolves (202) whether or not the address has an account. */
  async requestPasswordReset({ email } = {}) {
    await this.#request('POST', '/password/reset/initiate', { body: { email, ...this.#tenant } });
  }

  /** With the token from the reset mail; every session of the account ends. */
  async completePasswordReset({ token, newPassword } = {}) {
    await this.#request('POST', '/password/reset/complete', { body: { token, new_password: newPassword } });
  }

  async verifyEmail({ token } = {}) { await this.#request('POST', '/email/verify', { body: { token } }); }

  /**
   * A new verification link; older ones stop working. Signed in: for this user.
   * With `email` (and no session): for an account whose sign-in is refused with
   * `email_not_verified`; resolves whether or not the address has an account.
   */
  async resendVerification({ email } = {}) {
    if (email === undefined) {
      await this.#authorized('POST', '/email/verify/resend');
    } else {
      await this.#request('POST', '/email/verify/resend', { body: { email } });
    }
  }

  /**
   * Starts TOTP enrolment: the QR code (drawn here, by the core), the parsed URI and the secret for typing in.
   * `password` is needed when the sign-in is older than 10 minutes (else `reauthentication_required`).
   */
  async setupTotp({ qr, password } = {}) {
    return totpEnrolment(await this.#authorized('POST', '/mfa/totp/setup', password === undefined ? {} : { password }), { qr });
  }

  /**
   * Confirms enrolment with a first code; resolves to the backup codes, shown once. A session that
   * SESAME_REQUIRE_MFA limited to enrolment is refreshed at once, so its next token opens everything.
   */
  async confirmTotp({ code } = {}) {
    const { backup_codes: codes } = await this.#authorized('POST', '/mfa/totp/confirm', { code });
    if (this.#session?.scope === ENROLMENT_SCOPE) await this.refreshSession();
    return codes;
  }

  /** Turns TOTP off: the password and a current code, or a backup code. The other sessions end. */
  async disableTotp({ password, code, backupCode } = {}) {
    if ((code === undefined) === (backupCode === undefined)) throw new SesameError('invalid_argument', 'give either code or backupCode');
    const core = await loadCore();
    const body = backupCode === undefined ? { password, code } : { password, backup_code: core.normalizeBackupCode(backupCode) };
    await this.#authorized('POST', '/mfa/totp/disable', body);
  }

  async regenerateBackupCodes({ code } = {}) {
    return (await this.#authorized('POST', '/mfa/backup-codes/regenerate', { code })).backup_codes;
  }

  /**
   * fetch() with the bearer token. A 401 answer gets one refresh and one retry
   * (so `init.body` must be replayable: a string, FormData, Blob...).
   */
  async fetch(input, init = {}) {
    const token = await this.getAccessToken();
    const response = await this.#fetch(input, withBearer(init, token));
    if (response.status !== 401 || !token) return response;
    let refreshed;
    try {
      refreshed = await this.refreshSession();
    } catch {
      return response;
    }
    return this.#fetch(input, withBearer(init, refreshed.accessToken));
  }

  /** A usable access token (refreshing first when it has expired), or null when signed out. */
  async getAccessToken() {
    if (!this.#session) return null;
    if (this.#clock.now() < this.#session.expiresAtMs) return this.#session.accessToken;
    try {
      return (await this.refreshSession()).accessToken;
    } catch {
      return null;
    }
  }

  /**
   * Refreshes now. Concurrent callers share one refresh; across tabs one runs at
   * a time and the others take its result. Rejects with AuthApiError when the
   * server refuses (the user is then signed out everywhere) and NetworkError
   * when it cannot be reached (a retry is scheduled).
   */
  refreshSession() {
    this.#inflight ??= this.#refreshAcrossTabs().then(({ events, failure }) => {
      // Settled before the callbacks run, so a callback that refreshes starts a new refresh.
      this.#inflight = null;
      this.#emit(events);
      if (failure) throw failure;
      if (!this.#session) throw new SesameError('session_revoked', 'signed out while refreshing');
      return this.#session;
    }, (error) => {
      this.#inflight = null;
      throw error;
    });
    return this.#inflight;
  }

  // ---- refresh ----

  async #refreshAcrossTabs() {
    this.#start();
    const core = await loadCore();
    const seqBefore = this.#sessionChangeCount();
    // Broadcasts of refreshes up to this one are older than what this refresh brings.
    this.#seenSeq = Math.max(this.#seenSeq, seqBefore);
    const before = this.#state;
    this.#state = core.sessionTransition(this.#state, 'refresh_started');
    let events = [];
    let failure = null;
    await withLock(this.#coordination.locks, `${this.#coordination.name}.refresh`, this.#lockTimeoutMs, async () => {
      if (this.#state !== 'refreshing') {  // signed out (here or in another tab) while waiting
        failure = new SesameError('session_revoked', 'signed out while waiting to refresh');
        return;
      }
      // Another tab refreshed while this one waited: its result is on the channel.
      const seqNow = this.#sessionChangeCount();
      if (seqNow !== seqBefore && await this.#sharedResult(seqNow)) {
        // Adopted (#onBroadcast emitted the event); the refresh settles the state.
        if (this.#state === 'refreshing') this.#state = core.sessionTransition(this.#state, 'refresh_succeeded');
        return;
      }
      try {
        const answer = await this.#request('POST', '/refresh', await this.#refreshRequest());
        events = await this.#accept(answer, 'refresh_succeeded', before === 'signed_out' ? AuthEvent.SIGNED_IN : AuthEvent.TOKEN_REFRESHED);
        this.#shareSession();
      } catch (error) {
        failure = error;
        events = await this.#refreshFailed(error, core);
      }
    });
    return { events, failure };  // the events are emitted after the lock is released
  }

  async #refreshRequest() {
    if (this.#delivery === 'cookie') return { csrf: true };
    const refreshToken = await this.#storage.getItem(this.#storageKey);
    if (!refreshToken) throw new AuthApiError({ code: 'invalid_token', detail: 'no refresh token is stored' }, 401);
    return { body: { refresh_token: refreshToken } };
  }

  // Waits (bounded) for the broadcast of refresh number `seq`; true once adopted.
  async #sharedResult(seq) {
    if (this.#seenSeq >= seq) return this.#adoptedSeq >= seq;  // its broadcast came already
    return new Promise((resolve) => {
      const waiter = { seq, resolve };
      const handle = this.#clock.setTimeout(() => {
        this.#sharedWaiters.delete(waiter);
        resolve(false);
      }, SHARED_RESULT_WAIT_MS);
      waiter.resolve = (adopted) => {
        this.#clock.clearTimeout(handle);
        resolve(adopted);
      };
      this.#sharedWaiters.add(waiter);
    });
  }

  async #refreshFailed(error, core) {
    if (error?.code === 'invalid_session_transition') return [];  // a stale result, dropped
    if (error instanceof AuthApiError && SESSION_OVER_STATUSES.has(error.status)) {
      const sessionId = this.#session?.sessionId;
      this.#state = core.sessionTransition(this.#state, 'refresh_rejected');
      await this.#clear();
      this.#broadcast({ type: 'signed_out', sessionId });
      return sessionId ? [[AuthEvent.SIGNED_OUT, null]] : [];
    }
    // Transient (network, 429, 5xx): keep the session while the token lasts, retry with backoff.
    const valid = this.#session !== null && this.#clock.now() < this.#session.expiresAtMs;
    const stateBefore = this.#state;
    this.#state = core.sessionTransition(this.#state,
      valid ? 'refresh_failed_transient_token_valid' : 'refresh_failed_transient_token_expired');
    this.#retryAttempt += 1;
    const delay = Math.max(core.retryDelayMs(this.#retryAttempt, this.#random(), this.#refreshPolicy),
      (error.retryAfterSeconds ?? 0) * 1000);
    this.#scheduleIn(delay);
    return this.#state === 'expired' && stateBefore !== 'expired' && this.#session ? [[AuthEvent.SESSION_EXPIRED, this.#session]] : [];
  }

  // Stores a TokenResponse; returns the events to emit.
  async #accept(answer, coreEvent, authEvent) {
    const core = await loadCore();
    if (typeof answer?.access_token !== 'string' || !Number.isSafeInteger(answer.expires_in)) {
      throw new SesameError('invalid_response', 'the server answered without tokens');
    }
    // A result that no longer fits (signed out meanwhile) is dropped here, before anything changes.
    const next = core.sessionTransition(this.#state, coreEvent);
    const nowMs = this.#clock.now();
    this.#session = Object.freeze({
      accessToken: answer.access_token,
      tokenType: answer.token_type ?? 'Bearer',
      sessionId: answer.session_id,
      kid: answer.kid,
      // Local times: the client's clock may disagree with the server's.
      issuedAtMs: nowMs,
      expiresAtMs: nowMs + answer.expires_in * 1000,
      refreshExpiresAtMs: Number.isSafeInteger(answer.refresh_expires_in) ? nowMs + answer.refresh_expires_in * 1000 : null,
      scope: scopeOf(answer.access_token),
    });
    if (this.#delivery === 'body' && typeof answer.refresh_token === 'string') {
      await this.#storage.setItem(this.#storageKey, answer.refresh_token);
    }
    // Kept after sign-out too: the device stays known to the lockout.
    if (this.#delivery === 'body' && typeof answer.device_token === 'string') {
      await this.#storage.setItem(this.#deviceStorageKey, answer.device_token);
    }
    if (this.#delivery === 'cookie') this.#setSessionHint(true);
    this.#state = next;
    this.#retryAttempt = 0;
    await this.#schedule();
    return [[authEvent, this.#session]];
  }

  // The MFA challenge can no longer be finished (expired, used, out of tries).
  #abandonChallenge() {
    this.#challenge = null;
    if (this.#state === 'mfa_pending') this.#state = 'signed_out';
  }

  async #clear() {
    this.#cancelTimer();
    this.#session = null;
    this.#challenge = null;
    this.#state = 'signed_out';
    if (this.#delivery === 'body') await this.#storage.removeItem(this.#storageKey);
    else this.#setSessionHint(false);
  }

  // A signed-out page load must not ask /refresh: its 401 is logged by the browser
  // as a console error on every load. So in cookie mode a non-secret mark in
  // localStorage ("1", never a token) says that this browser got a refresh cookie
  // through this client and has not signed out since. Without localStorage (Node,
  // storage disabled) it is unknown (undefined) and initialize() asks the server.
  #hintStorage() {
    try {
      const storage = this.#hostObject()?.localStorage;
      return typeof storage?.getItem === 'function' ? storage : null;
    } catch {
      return null;  // storage disabled (privacy modes)
    }
  }

  #sessionHintKey() { return `sesame:${this.#url || 'same-origin'}.signed_in`; }

  #sessionHint() {
    const storage = this.#hintStorage();
    try {
      return storage ? storage.getItem(this.#sessionHintKey()) === '1' : undefined;
    } catch {
      return undefined;
    }
  }

  #setSessionHint(signedIn) {
    const storage = this.#hintStorage();
    try {
      if (signedIn) storage?.setItem(this.#sessionHintKey(), '1');
      else storage?.removeItem(this.#sessionHintKey());
    } catch {
      // a full or disabled storage: initialize() then asks the server, as without one
    }
  }

  // ---- scheduling ----

  async #schedule() {
    this.#cancelTimer();
    if (!this.#autoRefresh || !this.#session || !this.#active()) return;
    const core = await loadCore();
    const session = this.#session;
    const plan = core.planRefresh({
      issuedAt: Math.floor(session.issuedAtMs / 1000),
      expiresAt: Math.floor(session.issuedAtMs / 1000) + Math.round((session.expiresAtMs - session.issuedAtMs) / 1000),
      nowMs: this.#clock.now(),
      jitterUnit: this.#random(),
      policy: this.#refreshPolicy,
    });
    this.#scheduleIn(plan.delayMs);
  }

  #scheduleIn(delayMs) {
    this.#cancelTimer();
    if (!this.#autoRefresh || !this.#active()) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.refreshSession().catch(() => {});  // failures reschedule or sign out themselves
    }, delayMs);
  }

  #cancelTimer() {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  // Paused while the page is hidden or offline: nothing is refreshed for nobody.
  #active() {
    const host = this.#hostObject();
    if (host?.document?.visibilityState === 'hidden') return false;
    if (host?.navigator && host.navigator.onLine === false) return false;
    return true;
  }

  #hostObject() { return this.#host ?? globalThis; }

  // Called by the first operation that needs it, never at import or construction.
  #start() {
    if (this.#started) return;
    this.#started = true;
    this.#coordination = tabCoordination({ name: `sesame:${this.#url || 'same-origin'}`, ...this.#coordinationOptions });
    const channel = this.#coordination.channel;
    if (channel) {
      const onMessage = (event) => this.#onBroadcast(event.data);
      channel.addEventListener('message', onMessage);
      this.#unlisten.push(() => channel.removeEventListener('message', onMessage));
    }
    const host = this.#hostObject();
    const resume = () => {
      if (this.#session && this.#active()) this.#schedule().catch(() => {});
    };
    const pause = () => { if (!this.#active()) this.#cancelTimer(); };
    for (const [target, type, handler] of [[host?.document, 'visibilitychange', () => (this.#active() ? resume() : pause())],
      [host, 'online', resume], [host, 'offline', pause]]) {
      if (typeof target?.addEventListener !== 'function') continue;
      target.addEventListener(type, handler);
      this.#unlisten.push(() => target.removeEventListener(type, handler));
    }
  }

  // Session changes are numbered in a record all tabs read (never a token): a tab
  // that waited for the lock sees the number moved and waits for the broadcast.
  #sessionChangeCount() {
    return Number(this.#coordination.records.get(`${this.#coordination.name}.refreshed`) ?? 0);
  }

  #shareSession() {
    const seq = this.#sessionChangeCount() + 1;
    this.#coordination.records.set(`${this.#coordination.name}.refreshed`, String(seq));
    this.#seenSeq = Math.max(this.#seenSeq, seq);
    this.#broadcast({ type: 'session', seq, session: this.#session });
  }

  #broadcast(message) { this.#coordination?.channel?.postMessage(message); }

  // With the cookie, every tab of the browser has the one session it holds. In
  // body mode each tab has the session of its own storage; other sessions' news
  // is not for it.
  #sharesSession(sessionId) {
    return this.#delivery === 'cookie' || (this.#session !== null && this.#session.sessionId === sessionId);
  }

  async #onBroadcast(message) {
    if (message?.type === 'signed_out') {
      if (!this.#session && this.#state === 'signed_out') return;
      if (!this.#sharesSession(message.sessionId)) return;
      await this.#clear();
      this.#emit([[AuthEvent.SIGNED_OUT, null]]);
    } else if (message?.type === 'session' && message.session && Number.isSafeInteger(message.seq)) {
      // A late broadcast of an older change must not replace a newer session.
      if (message.seq <= this.#seenSeq) return;
      this.#seenSeq = message.seq;
      if (!this.#sharesSession(message.session.sessionId)) {
        this.#settleWaiters(message.seq, false);
        return;
      }
      this.#adoptedSeq = message.seq;
      const hadSession = this.#session !== null;
      this.#session = Object.freeze({ ...message.session });
      // A refresh in flight here settles the state itself when it adopts this result.
      if (this.#state !== 'refreshing') this.#state = 'signed_in';
      this.#retryAttempt = 0;
      await this.#schedule();
      this.#settleWaiters(message.seq, true);
      // A refresh waiting for this result emits nothing itself: one event per change.
      this.#emit([[hadSession ? AuthEvent.TOKEN_REFRESHED : AuthEvent.SIGNED_IN, this.#session]]);
    }
  }

  #settleWaiters(seq, adopted) {
    for (const waiter of [...this.#sharedWaiters]) {
      if (waiter.seq > seq) continue;
      this.#sharedWaiters.delete(waiter);
      waiter.resolve(adopted);
    }
  }

  #emit(events) {
    for (const [event, session] of events) {
      for (const listener of [...this.#listeners]) {
        try {
          listener(event, session);
        } catch (error) {
          // A broken listener must not break the client or the other listeners.
          this.#clock.setTimeout(() => { throw error; }, 0);
        }
      }
    }
  }

  // ---- HTTP ----

  async #authorized(method, path, body) {
    const token = await this.getAccessToken();
    if (!token) throw new SesameError('unauthorized', 'not signed in');
    try {
      return await this.#request(method, path, { body, token });
    } catch (error) {
      if (error instanceof AuthApiError && error.code === 'session_revoked') {
        // The session ended elsewhere (revoked, password changed): the refresh that this
        // triggers is refused, which signs out this tab and the others.
        await this.refreshSession().catch(() => {});
        throw error;
      }
      // Only a refused token is worth a refresh: a wrong password or code would be sent twice.
      if (!(error instanceof AuthApiError) || !TOKEN_REFUSED_CODES.has(error.code)) throw error;
      const refreshed = await this.refreshSession();
      return this.#request(method, path, { body, token: refreshed.accessToken });
    }
  }

  // Body delivery: what a sign-in carries besides the credentials (see DEVICE_HEADER).
  async #signInHeaders() {
    if (this.#delivery !== 'body') return {};
    const headers = {};
    const device = await this.#storage.getItem(this.#deviceStorageKey);
    if (device) headers[DEVICE_HEADER] = device;
    const held = await this.#storage.getItem(this.#storageKey);
    if (held) headers[HELD_REFRESH_HEADER] = held;
    return headers;
  }

  // One call of the contract: JSON in, JSON (or nothing) out, problem+json as AuthApiError.
  async #request(method, path, { body, token, csrf = false, headers: extra = {} } = {}) {
    const headers = { Accept: 'application/json', ...extra };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    if (csrf) headers[CSRF_HEADER] = '1';
    let response;
    try {
      response = await this.#fetch(`${this.#url}${API}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // The refresh cookie must travel with cross-origin calls too.
        credentials: this.#delivery === 'cookie' ? 'include' : 'same-origin',
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
    } catch (error) {
      throw new NetworkError(error);
    }
    const text = await response.text().catch(() => '');
    let parsed = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('Retry-After'));
      throw new AuthApiError(parsed, response.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    return parsed ?? {};
  }
}

function withBearer(init, token) {
  if (!token) return init;
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers };
}
