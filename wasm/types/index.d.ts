// sesame-auth: the browser SDK for Sesame (lib/index.js). Importing it does
// nothing; the wasm core loads on the first call that needs it.
//
// Written by hand against lib/*.js; wasm/test/types/usage.ts checks them.
// Uses the DOM's fetch types (Response, RequestInit, URL, AbortSignal) and
// WebAssembly.Module; 'sesame-auth/verify' alone needs no DOM types.

export { AuthApiError, NetworkError, SesameError } from './errors.js';
export type { Problem, ProblemViolation, SesameErrorCode } from './errors.js';
export { importJwks, verifyAccessToken } from './verify.js';
export type {
  AccessTokenClaims,
  Ed25519Keys,
  JsonWebKeyLike,
  JsonWebKeySet,
  JwksFetch,
  JwksResponse,
  VerifiedAccessToken,
  VerifyOptions,
} from './verify.js';

// ---------------------------------------------------------------------------
// Sessions, users and events

/** The core's session states (AuthClient#state). */
export type SessionState = 'signed_out' | 'mfa_pending' | 'signed_in' | 'refreshing' | 'expired';

/** The core's session events (SesameCore#sessionTransition). */
export type SessionEvent =
  | 'sign_in_succeeded'
  | 'mfa_required'
  | 'mfa_verified'
  | 'refresh_started'
  | 'refresh_succeeded'
  | 'refresh_failed_transient_token_valid'
  | 'refresh_failed_transient_token_expired'
  | 'refresh_rejected'
  | 'token_expired'
  | 'signed_out';

/**
 * The signed-in session this client holds (frozen). Times are milliseconds on
 * this machine's clock, taken when the tokens arrived: the client's clock may
 * disagree with the server's.
 */
export interface Session {
  /** The bearer token for API calls. */
  readonly accessToken: string;
  /** Always "Bearer" today. */
  readonly tokenType: string;
  /** The server-side session's id (compare with SessionInfo.id). */
  readonly sessionId: string;
  /** The id of the key that signed the access token. */
  readonly kid: string;
  readonly issuedAtMs: number;
  /** When the access token expires; it is refreshed before that. */
  readonly expiresAtMs: number;
  /** When the refresh token expires, when the server said; null otherwise. */
  readonly refreshExpiresAtMs: number | null;
  /**
   * The access token's scope: "" for full access, "mfa_enrolment" when the server requires MFA
   * and this user has none yet (only me, TOTP setup/confirm and signOut work until confirmTotp).
   */
  readonly scope: string;
}

/** The second-factor challenge signIn returned (the MFA token itself stays inside the client). */
export interface MfaChallengeInfo {
  /** What verifyMfa accepts, e.g. ["totp", "backup_code"]. */
  methods: string[];
  /** Seconds left to finish the second step. */
  expiresIn: number;
}

/** What signIn resolves to: tokens, or an MFA challenge to finish with verifyMfa. Narrow on `mfaRequired`. */
export type SignInResult =
  | { mfaRequired: false; session: Session }
  | { mfaRequired: true; challenge: MfaChallengeInfo };

/** A user as the API shows it (GET /me, POST /register). */
export interface User {
  id: string;
  email: string;
  /** null when not set. */
  name: string | null;
  tenant_id: string;
  roles: string[];
  email_verified: boolean;
  mfa_enabled: boolean;
  disabled: boolean;
  /** RFC 3339 UTC, e.g. "2026-11-22T02:15:36Z". */
  created_at: string;
  /** Unused backup codes: on me() when MFA is on. */
  backup_codes_remaining?: number;
  /**
   * An admin chose the password: until changePassword(), the server answers
   * only me, changePassword and signOut (403 password_change_required);
   * refresh after the change for a full token.
   */
  password_must_change: boolean;
  /** Members a newer server may add. */
  [member: string]: unknown;
}

/** One of the user's sessions (GET /sessions). */
export interface SessionInfo {
  id: string;
  /** True for the session of this client. */
  current: boolean;
  /** RFC 3339 UTC. */
  created_at: string;
  /** RFC 3339 UTC. */
  last_active_at: string;
  /** Empty when unknown. */
  ip: string;
  /** Empty when unknown. */
  user_agent: string;
}

/** The names of the events onAuthStateChange reports. */
export declare const AuthEvent: Readonly<{
  SIGNED_IN: 'SIGNED_IN';
  TOKEN_REFRESHED: 'TOKEN_REFRESHED';
  MFA_REQUIRED: 'MFA_REQUIRED';
  SIGNED_OUT: 'SIGNED_OUT';
  SESSION_EXPIRED: 'SESSION_EXPIRED';
}>;

/** 'SIGNED_IN' | 'TOKEN_REFRESHED' | 'MFA_REQUIRED' | 'SIGNED_OUT' | 'SESSION_EXPIRED'. */
export type AuthEventName = (typeof AuthEvent)[keyof typeof AuthEvent];

/**
 * The arguments of an auth-state callback: SIGNED_IN, TOKEN_REFRESHED and
 * SESSION_EXPIRED come with the session; MFA_REQUIRED and SIGNED_OUT with null.
 */
export type AuthStateChange =
  | [event: 'SIGNED_IN' | 'TOKEN_REFRESHED' | 'SESSION_EXPIRED', session: Session]
  | [event: 'MFA_REQUIRED' | 'SIGNED_OUT', session: null];

/**
 * Called as `callback(event, session)`; checking `event` narrows `session`.
 * A `(event: AuthEventName, session: Session | null) => void` fits too. An
 * exception thrown here is rethrown asynchronously and does not stop the client.
 */
export type AuthStateChangeCallback = (...change: AuthStateChange) => void;

// ---------------------------------------------------------------------------
// AuthClient options

/**
 * Where the refresh token lives in body mode: the Web Storage shape, each
 * method synchronous or returning a promise (localStorage fits, so does an
 * async store). Not used in cookie mode.
 */
export interface StorageAdapter {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/**
 * The time source of the client (tests pass a fake one). Its methods are called
 * as methods of this object: wrap the host's timers (`(f, ms) => setTimeout(f, ms)`)
 * rather than passing `window.setTimeout` itself, which browsers refuse to run
 * with another `this`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Returns a handle for clearTimeout. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The refresh plan and the retry backoff, passed to the core. Every field is
 * optional (the core's default applies) and must be an integer; an invalid
 * policy makes the refresh fail with `invalid_argument`.
 */
export interface RefreshPolicy {
  /** Refresh once this share of the token's lifetime has passed, in thousandths (1..1000). Default 800. */
  refreshAfterPermille?: number | undefined;
  /** ...but no later than this long before expiry (capped at half the lifetime). Default 30000. */
  refreshMarginMs?: number | undefined;
  /** Refresh up to this much earlier, at random, so tabs and clients spread out. Default 5000. */
  maxJitterMs?: number | undefined;
  /** The longest delay planned. Default 2^31 - 1 (the most setTimeout honours). */
  maxDelayMs?: number | undefined;
  /** After the n-th failed refresh, wait a random share of min(retryMaxDelayMs, retryBaseDelayMs * 2^(n-1)). Default 1000. */
  retryBaseDelayMs?: number | undefined;
  /** Default 60000. */
  retryMaxDelayMs?: number | undefined;
}

/** The held lock passed to a lock callback (the Web Locks `Lock`). */
export interface LockInfo {
  readonly name: string;
  readonly mode: 'exclusive' | 'shared';
}

/** Options of TabLocks#request (the Web Locks `LockOptions`). */
export interface TabLockOptions {
  mode?: 'exclusive' | 'shared' | undefined;
  signal?: AbortSignal | undefined;
  steal?: boolean | undefined;
  ifAvailable?: boolean | undefined;
}

/**
 * The part of the Web Locks API the client uses: `navigator.locks` fits, and so
 * does createLocalLocks().
 */
export interface TabLocks {
  request<T>(name: string, callback: (lock: LockInfo | null) => T): Promise<T>;
  request<T>(name: string, options: TabLockOptions, callback: (lock: LockInfo | null) => T): Promise<T>;
}

/** The part of a BroadcastChannel the client uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
}

/**
 * Where a non-secret record of each refresh is kept (a counter, never a token),
 * so that a tab that waited for the lock knows a result is on its way. A
 * Map<string, string> fits. Default: localStorage, else this JavaScript realm.
 */
export interface RefreshRecords {
  get(key: string): string | null | undefined;
  set(key: string, value: string): unknown;
}

/** Replacements for the parts that coordinate the tabs of one origin (tests, other hosts). */
export interface TabCoordinationOptions {
  /**
   * Names the lock, the channel and the refresh record. Default: derived from `url`,
   * so every client of one server shares them; give clients that must not share
   * (two apps on one origin, tests) different names.
   */
  name?: string | undefined;
  /** Default: navigator.locks, else a lock shared within this JavaScript realm only. */
  locks?: TabLocks | undefined;
  /** The constructor; default: the global BroadcastChannel, else none (no sharing between tabs). */
  BroadcastChannel?: (new (name: string) => BroadcastChannelLike) | undefined;
  /** Default: localStorage, else a Map shared within this JavaScript realm. */
  records?: RefreshRecords | undefined;
}

/** An object with addEventListener/removeEventListener (window, document). */
export interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/**
 * Where the client looks for visibility and connectivity (default: globalThis):
 * refresh pauses while `document.visibilityState` is "hidden" or
 * `navigator.onLine` is false, and resumes on visibilitychange / online.
 */
export interface HostLike extends Partial<EventTargetLike> {
  document?: ({ readonly visibilityState?: string } & Partial<EventTargetLike>) | undefined;
  navigator?: { readonly onLine?: boolean } | undefined;
}

/** The fetch the client uses for its own calls and for AuthClient#fetch. */
export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Options of `new AuthClient(options)`; all optional. */
/** What introspectToken resolves to: only `active` for a token that is not. */
export type TokenIntrospection =
  | { active: false }
  | {
      active: true;
      token_type: 'Bearer';
      sub: string;
      sid: string;
      exp: number;
      iat: number;
      iss: string;
      aud: string;
      jti: string;
      roles: string[];
      amr: string[];
      tenant_id?: string;
      /** Only for an enrolment-only session (SESAME_REQUIRE_MFA). */
      scope?: string;
    };

export interface AuthClientOptions {
  /** The server's origin, e.g. "https://auth.example.com". Default: "" (same origin). */
  url?: string | URL | undefined;
  /**
   * Where the refresh token goes. "cookie" (the default, for browsers): the
   * server keeps it in an HttpOnly cookie and JavaScript never sees it.
   * "body": it is returned in the JSON body and kept in `storage`.
   */
  delivery?: 'cookie' | 'body' | undefined;
  /** Body mode: where the refresh token is kept. Default: memoryStorage() (gone on reload). */
  storage?: StorageAdapter | undefined;
  /** Body mode: the storage key. Default: "sesame.refresh_token". */
  storageKey?: string | undefined;
  /**
   * Body mode: the storage key of this device's token, kept across sign-outs and
   * sent with every sign-in so that strangers' failed sign-ins never lock this
   * device out. Default: "sesame.device_token".
   */
  deviceStorageKey?: string | undefined;
  /** Default: the global fetch. */
  fetch?: FetchFunction | undefined;
  /** Default: Date.now and the global timers. */
  clock?: Clock | undefined;
  /** A source of numbers in [0, 1) for the refresh jitter. Default: Math.random. */
  random?: (() => number) | undefined;
  /** When to refresh and how to back off; default: the core's. */
  refreshPolicy?: RefreshPolicy | undefined;
  /** Each HTTP call is aborted after this long (a NetworkError). Default: 15000. */
  requestTimeoutMs?: number | undefined;
  /** A tab holding the refresh lock longer than this is overtaken. Default: 10000. */
  lockTimeoutMs?: number | undefined;
  /** Refresh on a timer before the access token expires. Default: true. */
  autoRefresh?: boolean | undefined;
  /** Where visibility and connectivity are read. Default: globalThis. */
  host?: HostLike | undefined;
  /** Replacements for the tab coordination (locks, channel, records). */
  coordination?: TabCoordinationOptions | undefined;
  /**
   * The tenant whose accounts this app signs in (sent with register, signIn and
   * requestPasswordReset). Default: the server's "default" tenant.
   */
  tenantId?: string | undefined;
}

// ---------------------------------------------------------------------------
// AuthClient

/**
 * The Sesame HTTP contract for browser apps, with token storage and silent
 * refresh. One refresh in flight per client (callers share it), one at a time
 * across tabs (an exclusive lock), the result shared with the other tabs (a
 * broadcast). Nothing runs at construction: the first call that needs it
 * starts the timers and listeners.
 *
 * Every method rejects with an AuthApiError (the server answered with an
 * error), a NetworkError (no answer) or another SesameError.
 */
export declare class AuthClient {
  /** @throws {SesameError} `invalid_argument` when `delivery` is neither "cookie" nor "body". */
  constructor(options?: AuthClientOptions);

  /** The current session, or null. */
  get session(): Session | null;

  /** The core's session state: signed_out, mfa_pending, signed_in, refreshing or expired. */
  get state(): SessionState;

  /** Calls `callback(event, session)` on every change; returns the unsubscribe function. */
  onAuthStateChange(callback: AuthStateChangeCallback): () => void;
  /** The same, for a callback that reads only the event. */
  onAuthStateChange(callback: (event: AuthEventName) => void): () => void;

  /**
   * Restores the session after a page load (from the refresh cookie, or from the
   * storage adapter in body mode) and starts listening to other tabs. Resolves
   * to the session or null; never rejects for a missing or refused session
   * (it may reject with a NetworkError). In cookie mode it asks the server only
   * when this browser's localStorage marks a session this client started and
   * did not end (a non-secret "1"), so a signed-out page load makes no request
   * that fails; without localStorage it always asks.
   */
  initialize(): Promise<Session | null>;

  /** Stops timers and listeners and closes the channel. The session stays on the server. */
  dispose(): void;

  /** POST /register: resolves to the new user. 409 email_taken, 422 with violations. */
  register(account: { email: string; password: string; name?: string | undefined }): Promise<User>;

  /**
   * The password step. Resolves to `{mfaRequired: false, session}` or, when the
   * account has a second factor, `{mfaRequired: true, challenge}`; finish with verifyMfa().
   */
  signIn(credentials: { email: string; password: string }): Promise<SignInResult>;

  /**
   * The second step: `{code}` from the authenticator app, or `{backupCode}` (as
   * typed: spaces, dashes and case are normalised). Rejects with
   * `mfa_token_invalid` when no challenge is pending.
   */
  verifyMfa(
    factor: { code: string; backupCode?: undefined } | { backupCode: string; code?: undefined },
  ): Promise<{ mfaRequired: false; session: Session }>;

  /**
   * Ends the session on the server and signs out this tab and every other tab.
   * The local sign-out happens even when the server cannot be reached (the
   * promise then rejects with that error).
   */
  signOut(): Promise<void>;

  /** GET /me. */
  me(): Promise<User>;

  /** GET /sessions: this user's sessions, the current one marked. */
  sessions(): Promise<SessionInfo[]>;

  /**
   * DELETE /sessions/{id}. Another session than this one needs a sign-in younger
   * than 10 minutes or `password` (else 403 `reauthentication_required`).
   */
  revokeSession(id: string, proof?: { password?: string | undefined }): Promise<void>;

  /** DELETE /sessions: every session but this one; needs a recent sign-in or `password`, like revokeSession. */
  revokeOtherSessions(proof?: { password?: string | undefined }): Promise<void>;

  /**
   * POST /introspect (RFC 7662): whether an access token is active right now,
   * its session included, which verifyAccessToken cannot see (ASVS 7.4.1).
   */
  introspectToken(token: string): Promise<TokenIntrospection>;

  /** The server revokes the other sessions; this one stays signed in. */
  changePassword(change: { currentPassword: string; newPassword: string }): Promise<void>;

  /** Always resolves (202) whether or not the address has an account. */
  requestPasswordReset(request: { email: string }): Promise<void>;

  /** With the token from the reset mail; every session of the account ends. */
  completePasswordReset(reset: { token: string; newPassword: string }): Promise<void>;

  /** With the token from the verification mail. */
  verifyEmail(verification: { token: string }): Promise<void>;

  /**
   * A new verification link (older ones stop working): for the signed-in user,
   * or, with `email` and no session, for an account whose sign-in is refused
   * with `email_not_verified` (resolves whether or not the address has an account).
   */
  resendVerification(request?: { email?: string }): Promise<void>;

  /** Starts TOTP enrolment: the QR code (drawn here, by the core), the parsed URI and the secret for typing in. */
  setupTotp(options?: { qr?: QrOptions | undefined; password?: string | undefined }): Promise<TotpEnrolment>;

  /**
   * Confirms enrolment with a first code; resolves to the backup codes, shown once. An
   * enrolment-only session (scope "mfa_enrolment") is refreshed into a full one.
   */
  confirmTotp(confirmation: { code: string }): Promise<string[]>;

  /** Turns TOTP off: the password and a current code, or a backup code. The other sessions end. */
  disableTotp(confirmation: { password: string; code: string } | { password: string; backupCode: string }): Promise<void>;

  /** New backup codes (the old ones stop working), shown once. */
  regenerateBackupCodes(confirmation: { code: string }): Promise<string[]>;

  /**
   * fetch() with the bearer token. A 401 answer gets one refresh and one retry
   * (so `init.body` must be replayable: a string, FormData, Blob...).
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;

  /** A usable access token (refreshing first when it has expired), or null when signed out. */
  getAccessToken(): Promise<string | null>;

  /**
   * Refreshes now. Concurrent callers share one refresh; across tabs one runs at
   * a time and the others take its result. Rejects with AuthApiError when the
   * server refuses (the user is then signed out everywhere) and NetworkError
   * when it cannot be reached (a retry is scheduled).
   */
  refreshSession(): Promise<Session>;
}

// ---------------------------------------------------------------------------
// The wasm core

/**
 * A .wasm as configureWasm takes it: a URL (string or URL, resolved against the
 * page), its bytes, a compiled WebAssembly.Module or a Response, from this
 * JavaScript realm or another (an Edge sandbox, an iframe, node:vm).
 * (`& object`: lib.dom declares WebAssembly.Module as an empty interface, which
 * alone would admit any value.)
 */
export type WasmSourceValue = string | URL | ArrayBuffer | ArrayBufferView | (WebAssembly.Module & object) | Response;

/** A WasmSourceValue or a promise of one. */
export type WasmSource = WasmSourceValue | PromiseLike<WasmSourceValue>;

/**
 * Where the .wasm comes from, for bundlers and CDNs. Call it before the first
 * call that uses the core. By default the package's `dist/sesame_core.wasm` is
 * fetched in browsers (bundlers rewrite its URL to their asset), read from the
 * installed package on Node (whatever a server bundle made of the URL), and on
 * the Edge runtime taken from the bundler (the `edge-light` entries import it
 * with `?module`): Next.js needs no call at all.
 *
 * @throws {SesameError} `invalid_argument` once the core has started loading.
 */
export declare function configureWasm(source: WasmSource): void;

/**
 * Starts loading the core now (e.g. on page load) instead of at first use, and
 * resolves to it. Rejects with `wasm_load_failed` (a later call tries again).
 */
export declare function loadCore(): Promise<SesameCore>;

/** The fields of an otpauth:// URI. */
export interface OtpauthUri {
  issuer: string;
  account: string;
  /** The decoded secret (wipe it with `.fill(0)` when done). */
  secret: Uint8Array;
  algorithm: OtpAlgorithmName;
  digits: number;
  /** Seconds. */
  period: number;
}

export type OtpAlgorithmName = 'SHA1' | 'SHA256' | 'SHA512';

/** Options of the QR encoder. */
export interface QrOptions {
  /** Quiet zone, in modules. */
  border?: number | undefined;
  errorCorrection?: 'low' | 'medium' | 'quartile' | 'high' | undefined;
}

/** The server's password rules, with optional overrides. */
export interface PasswordCheckOptions {
  /**
   * The account's email: a password equal to it or to its local part (any ASCII case) is
   * refused (password_matches_email), and so is one built on its words (password_matches_context).
   */
  email?: string | undefined;
  /** The user's name: a password built on it, or on a word of it, is refused (password_matches_context). */
  name?: string | undefined;
  /**
   * Words a password must not be built on, such as the site's name (the server uses
   * SESAME_PRODUCT_NAME, default "Sesame"): pass it here for the same verdict.
   */
  extraWords?: readonly string[] | undefined;
  /** In code points; default 8, and never less (NIST SP 800-63B). */
  minLength?: number | undefined;
  /** In code points; default 64, and never less. */
  maxLength?: number | undefined;
}

/** The names of the password rules (the same as in a 422's violations). */
export type PasswordViolationCode =
  | 'password_invalid_utf8'
  | 'password_too_short'
  | 'password_too_long'
  | 'password_common'
  | 'password_matches_email'
  | 'password_matches_context'
  | (string & {});

/** One broken password rule, with what a message needs ("at least 8 characters, you typed 5"). */
export interface PasswordViolation {
  code: PasswordViolationCode;
  minLength: number;
  maxLength: number;
  /** The password's length in code points. */
  length: number;
}

/** The verdict of checkPassword. */
export interface PasswordVerdict {
  /** True when no rule is broken. */
  acceptable: boolean;
  /** In code points. */
  length: number;
  /** Every rule broken, in a fixed order. */
  violations: PasswordViolation[];
}

/** Input of SesameCore#planRefresh. */
export interface RefreshPlanInput {
  /** Unix seconds. */
  issuedAt: number;
  /** Unix seconds. */
  expiresAt: number;
  nowMs: number;
  /** A number in [0, 1). */
  jitterUnit: number;
  policy?: RefreshPolicy | undefined;
}

/** When to refresh. */
export interface RefreshPlan {
  refreshAtMs: number;
  delayMs: number;
  /** The token has already expired. */
  expired: boolean;
}

/** The claims checkAccessTokenValidity reads. */
export interface AccessTokenValidityClaims {
  iss: string;
  audiences: readonly string[];
  exp: number;
  nbf?: number | undefined;
  iat: number;
}

/** The expectations checkAccessTokenValidity applies. */
export interface AccessTokenValidityOptions {
  issuer: string;
  audience: string;
  nowSeconds: number;
  leewaySeconds: number;
}

/**
 * The loaded wasm core (the Core class of lib/core.js). Every call is
 * synchronous and throws a SesameError with the core's code on failure.
 */
export interface SesameCore {
  /** Unpadded base64url text to bytes; throws `invalid_base64url`. */
  base64urlDecode(value: string): Uint8Array;
  /** Throws `invalid_otpauth_uri`. */
  parseOtpauthUri(uri: string): OtpauthUri;
  /** The QR code of `value` as an SVG document; throws `qr_data_too_long`. */
  qrSvg(value: string, options?: QrOptions): string;
  checkPassword(password: string, options?: PasswordCheckOptions): PasswordVerdict;
  /** A backup code as people should read it ("abcde-fghjk"). */
  formatBackupCode(code: string): string;
  /** What a person typed, as the server expects it; throws `invalid_backup_code`. */
  normalizeBackupCode(typed: string): string;
  planRefresh(input: RefreshPlanInput): RefreshPlan;
  /** The backoff before retry number `attempt` (from 1). */
  retryDelayMs(attempt: number, jitterUnit: number, policy?: RefreshPolicy): number;
  /** The next state; throws `invalid_session_transition`. */
  sessionTransition(state: SessionState, event: SessionEvent): SessionState;
  /** Returns when the signature holds; throws `jwt_invalid_signature` (or `jwt_invalid_key`). */
  verifyEd25519(message: Uint8Array | string, signature: Uint8Array, publicKey: Uint8Array): void;
  /** Returns when exp, nbf, iat, issuer and audience hold; throws `jwt_expired`, `jwt_invalid_audience`... */
  checkAccessTokenValidity(claims: AccessTokenValidityClaims, options: AccessTokenValidityOptions): void;
}

// ---------------------------------------------------------------------------
// Storage and tabs

/** Forgotten when the page goes away: the safest choice, and the default. */
export declare function memoryStorage(): {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
};

/** Survives reloads of this tab, not other tabs; read at call time, so importing on a server is safe. */
export declare function sessionStorageAdapter(): StorageAdapter;

/**
 * A Web Locks stand-in for where navigator.locks is absent (Node, older
 * browsers): the same request(name, options, callback) with `signal`, `steal`
 * and `ifAvailable`, shared by every client that uses the returned object. It
 * does not reach other tabs.
 */
export declare function createLocalLocks(): TabLocks;

// ---------------------------------------------------------------------------
// TOTP, backup codes and passwords

/** What POST /mfa/totp/setup answers (other members are ignored). */
export interface TotpSetup {
  /** Base32. */
  secret: string;
  otpauth_uri: string;
  [member: string]: unknown;
}

/** Where a moment falls in its TOTP period. */
export interface TotpCountdown {
  /** The TOTP time step (floor(now / period)). */
  step: number;
  /** Whole seconds until the next code, 1..period. */
  secondsRemaining: number;
  /** The share of the period gone, 0 (inclusive) to 1 (exclusive). */
  progress: number;
}

/** Everything an enrolment screen shows. */
export interface TotpEnrolment {
  otpauthUri: string;
  /** The QR code as an SVG document, drawn locally. */
  qrSvg: string;
  /** Base32, as the server sent it. */
  secret: string;
  /** "JBSW Y3DP EHPK 3PXP": for typing into an app by hand. */
  formattedSecret: string;
  issuer: string;
  account: string;
  algorithm: OtpAlgorithmName;
  digits: number;
  /** Seconds. */
  period: number;
  /** The countdown for this enrolment's period; `nowMs` defaults to Date.now(). */
  countdown(nowMs?: number): TotpCountdown;
}

/** "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": easier to type into an app by hand. */
export declare function formatSecret(secret: string): string;

/** Where `nowMs` (default Date.now()) falls in its TOTP period of `periodSeconds` (default 30). */
export declare function totpCountdown(periodSeconds?: number, nowMs?: number): TotpCountdown;

/**
 * From the answer of POST /mfa/totp/setup ({secret, otpauth_uri}): the QR code as
 * SVG, the URI's fields, the secret formatted for manual entry, and a countdown.
 * `qr` passes {border, errorCorrection} to the core's QR encoder.
 */
export declare function totpEnrolment(setup: TotpSetup, options?: { qr?: QrOptions | undefined }): Promise<TotpEnrolment>;

/** Backup codes as people should read them ("abcde-fghjk"). */
export declare function formatBackupCodes(codes: readonly string[]): Promise<string[]>;

/** What a person typed ("ABCDE FGHJK", "abcde-fghjk") as the server expects it; rejects with `invalid_backup_code`. */
export declare function normalizeBackupCode(typed: string): Promise<string>;

/**
 * The server's password rules (NIST SP 800-63B: length, common passwords, not
 * the email), checked by the same core, so a form can explain them before
 * submitting.
 */
export declare function checkPassword(password: string, options?: PasswordCheckOptions): Promise<PasswordVerdict>;
