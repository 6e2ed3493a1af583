// The public API of 'sesame-auth' as an application uses it. Type-checked only
// (never run) by wasm/test/package.test.mjs: every `@ts-expect-error` line is
// misuse the declarations must reject, and an unused one fails the check.
import {
  AuthApiError,
  AuthClient,
  AuthEvent,
  NetworkError,
  SesameError,
  checkPassword,
  configureWasm,
  createLocalLocks,
  formatBackupCodes,
  formatSecret,
  importJwks,
  loadCore,
  memoryStorage,
  normalizeBackupCode,
  sessionStorageAdapter,
  totpCountdown,
  totpEnrolment,
  verifyAccessToken,
} from 'sesame-auth';
import type {
  AccessTokenClaims,
  AuthClientOptions,
  AuthEventName,
  AuthStateChangeCallback,
  Clock,
  MfaChallengeInfo,
  PasswordVerdict,
  RefreshPolicy,
  SesameCore,
  SesameErrorCode,
  Session,
  SessionInfo,
  SessionState,
  SignInResult,
  StorageAdapter,
  TabLocks,
  TotpCountdown,
  TotpEnrolment,
  User,
  VerifiedAccessToken,
  VerifyOptions,
  WasmSource,
} from 'sesame-auth';
import * as verify from 'sesame-auth/verify';
import type { SesameError as VerifySesameError } from 'sesame-auth/verify';

// Exact types: Equal<A, B> is true only when A and B are the same type.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

// ---------------------------------------------------------------------------
// Construction

const client = new AuthClient({ url: 'https://auth.example.com' });
new AuthClient();
new AuthClient({});
new AuthClient({ url: new URL('https://auth.example.com/') });

const asyncStorage: StorageAdapter = {
  async getItem(key) { return key.length > 0 ? 'token' : null; },
  async setItem() {},
  async removeItem() {},
};
const timers = new Map<number, () => void>();
const fakeClock: Clock = {
  now: () => 1_700_000_000_000,
  setTimeout: (callback: () => void) => { timers.set(timers.size, callback); return timers.size - 1; },
  clearTimeout: (handle: number) => { timers.delete(handle); },
};
const policy: RefreshPolicy = { refreshAfterPermille: 750, refreshMarginMs: 20_000, maxJitterMs: 1_000, maxDelayMs: 60_000, retryBaseDelayMs: 500, retryMaxDelayMs: 30_000 };
const bodyOptions: AuthClientOptions = {
  url: 'https://auth.example.com',
  delivery: 'body',
  storage: asyncStorage,
  storageKey: 'app.refresh',
  fetch: (input, init) => fetch(input, init),
  clock: fakeClock,
  random: () => 0.5,
  refreshPolicy: policy,
  requestTimeoutMs: 5_000,
  lockTimeoutMs: 2_000,
  autoRefresh: false,
  host: window,
  coordination: { locks: navigator.locks, BroadcastChannel, records: new Map<string, string>() },
};
const bodyClient = new AuthClient(bodyOptions);
new AuthClient({ delivery: 'body', storage: sessionStorageAdapter() });
new AuthClient({ delivery: 'body', storage: localStorage });
new AuthClient({ delivery: 'cookie', storage: memoryStorage(), coordination: { locks: createLocalLocks() } });
new AuthClient({ host: { navigator: { onLine: true } }, coordination: {} });
new AuthClient({ clock: { now: Date.now, setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) } });

// @ts-expect-error: only "cookie" and "body" exist
new AuthClient({ delivery: 'header' });
// @ts-expect-error: an unknown option is a typo
new AuthClient({ refreshPolicyy: {} });
// @ts-expect-error: the policy is numbers
new AuthClient({ refreshPolicy: { maxJitterMs: '5s' } });
// @ts-expect-error: an unknown policy field
new AuthClient({ refreshPolicy: { jitter: 5 } });
// @ts-expect-error: storage needs removeItem too
new AuthClient({ storage: { getItem: () => null, setItem: () => {} } });
// @ts-expect-error: the url is a string or a URL
new AuthClient({ url: 8080 });

// ---------------------------------------------------------------------------
// State and events

const state: SessionState = client.state;
const current: Session | null = client.session;
expectType<Equal<typeof client.session, Session | null>>();
if (current) {
  const token: string = current.accessToken;
  const refreshEnds: number | null = current.refreshExpiresAtMs;
  void token, refreshEnds;
  // @ts-expect-error: a session is frozen
  current.accessToken = 'x';
}
// @ts-expect-error: state is read-only
client.state = 'signed_in';
// @ts-expect-error: not a state
const badState: SessionState = 'signed-in';

const unsubscribe: () => void = client.onAuthStateChange((event, session) => {
  if (event === AuthEvent.SIGNED_IN || event === 'TOKEN_REFRESHED') {
    // The event narrows the session.
    const expires: number = session.expiresAtMs;
    void expires;
  } else if (event === 'SIGNED_OUT') {
    expectType<Equal<typeof session, null>>();
  }
});
unsubscribe();
const wide = (event: AuthEventName, session: Session | null): void => { void event, session; };
client.onAuthStateChange(wide);
const typed: AuthStateChangeCallback = (event, session) => { void event, session; };
client.onAuthStateChange(typed);
client.onAuthStateChange((event, session) => {
  // @ts-expect-error: SIGNED_OUT and MFA_REQUIRED come without a session
  void session.accessToken;
  void event;
});
client.onAuthStateChange((event) => {
  // @ts-expect-error: not an event name
  if (event === 'SIGNED_UP') return;
});
expectType<Equal<AuthEventName, 'SIGNED_IN' | 'TOKEN_REFRESHED' | 'MFA_REQUIRED' | 'SIGNED_OUT' | 'SESSION_EXPIRED'>>();
expectType<Equal<typeof AuthEvent.SESSION_EXPIRED, 'SESSION_EXPIRED'>>();
// @ts-expect-error: AuthEvent is frozen
AuthEvent.SIGNED_IN = 'SIGNED_OUT';

// ---------------------------------------------------------------------------
// Sign-in, MFA and the account

async function signInFlow(email: string, password: string, readCode: () => Promise<string>): Promise<Session> {
  const restored: Session | null = await client.initialize();
  if (restored) return restored;
  const result: SignInResult = await client.signIn({ email, password });
  // @ts-expect-error: the session exists only once mfaRequired is false
  void result.session;
  if (result.mfaRequired) {
    const challenge: MfaChallengeInfo = result.challenge;
    const methods: string[] = challenge.methods;
    const seconds: number = challenge.expiresIn;
    void methods, seconds;
    // @ts-expect-error: no session while the second factor is pending
    void result.session;
    if (challenge.methods.includes('totp')) return (await client.verifyMfa({ code: await readCode() })).session;
    const { session } = await client.verifyMfa({ backupCode: 'abcde-fghjk' });
    return session;
  }
  return result.session;
}

async function account(): Promise<void> {
  const user: User = await client.register({ email: 'a@example.com', password: 'correct horse battery staple', name: 'Ada' });
  await client.register({ email: 'b@example.com', password: 'correct horse battery staple' });
  const id: string = user.id;
  const name: string | null = user.name;
  const roles: string[] = user.roles;
  const verified: boolean = user.email_verified && user.mfa_enabled;
  const tenant: string = user.tenant_id;
  const extra: unknown = user['future_member'];
  void id, name, roles, verified, tenant, extra;
  // @ts-expect-error: name may be null
  user.name.toUpperCase();

  const me: User = await client.me();
  const sessions: SessionInfo[] = await client.sessions();
  for (const s of sessions) {
    if (!s.current) await client.revokeSession(s.id);
    const when: string = s.last_active_at;
    void when, s.created_at, s.ip, s.user_agent;
  }
  await client.revokeOtherSessions();
  await client.changePassword({ currentPassword: 'old one', newPassword: 'new one' });
  await client.requestPasswordReset({ email: me.email });
  await client.completePasswordReset({ token: 't', newPassword: 'n' });
  await client.verifyEmail({ token: 't' });
  await client.resendVerification();
  await client.resendVerification({ email: me.email });
  // @ts-expect-error the address is a string
  await client.resendVerification({ email: 42 });

  const enrolment: TotpEnrolment = await client.setupTotp();
  await client.setupTotp({ qr: { border: 2, errorCorrection: 'quartile' } });
  const svg: string = enrolment.qrSvg;
  const digits: number = enrolment.digits;
  const left: number = enrolment.countdown().secondsRemaining;
  void svg, digits, left, enrolment.formattedSecret, enrolment.otpauthUri, enrolment.account, enrolment.issuer;
  const codes: string[] = await client.confirmTotp({ code: '123456' });
  const again: string[] = await client.regenerateBackupCodes({ code: '123456' });
  await client.disableTotp({ password: 'pw', code: '123456' });
  await client.disableTotp({ password: 'pw', backupCode: 'abcde-fghjk' });
  await client.setupTotp({ password: 'pw' });
  void codes, again;

  const response: Response = await client.fetch('/api/things', { method: 'POST', body: '{}' });
  await client.fetch(new URL('https://api.example.com/things'));
  await client.fetch(new Request('https://api.example.com/things'));
  const token: string | null = await client.getAccessToken();
  const refreshed: Session = await client.refreshSession();
  void response, token, refreshed;
  await client.signOut();
  client.dispose();
  bodyClient.dispose();

  // @ts-expect-error: signIn needs the email
  await client.signIn({ password: 'pw' });
  // @ts-expect-error: the email is a string
  await client.signIn({ email: 42, password: 'pw' });
  // @ts-expect-error: signIn takes an object
  await client.signIn('a@example.com', 'pw');
  // @ts-expect-error: a code or a backup code, not both
  await client.verifyMfa({ code: '123456', backupCode: 'abcde-fghjk' });
  // @ts-expect-error: one of them is needed
  await client.verifyMfa({});
  // @ts-expect-error: disabling TOTP needs a second factor too
  await client.disableTotp({ password: 'pw' });
  // @ts-expect-error: register needs a password
  await client.register({ email: 'a@example.com' });
  // @ts-expect-error: the wire name is not the option name
  await client.changePassword({ current_password: 'a', new_password: 'b' });
  // @ts-expect-error: revokeSession takes the id
  await client.revokeSession();
  // @ts-expect-error: signOut resolves to nothing
  const nothing: Session = await client.signOut();
  // @ts-expect-error: sessions resolves to SessionInfo[]
  const wrongSessions: User[] = await client.sessions();
  // @ts-expect-error: not an error-correction level
  await client.setupTotp({ qr: { errorCorrection: 'max' } });
  void nothing, wrongSessions;
}

// ---------------------------------------------------------------------------
// Errors

function explain(error: unknown): string {
  if (error instanceof AuthApiError) {
    const status: number = error.status;
    const retry: number | undefined = error.retryAfterSeconds;
    const rules: string[] = error.violations.map((v) => v.code);
    const detail: string | undefined = error.problem?.detail;
    void status, retry, rules, detail;
    if (error.code === 'email_taken') return 'That address already has an account.';
    if (error.code === 'password_policy_violation') return rules.join(', ');
    if (error.code === 'some_code_of_a_newer_server') return 'newer';
  }
  if (error instanceof NetworkError) {
    expectType<Equal<typeof error.code, 'network_error'>>();
    return 'offline';
  }
  if (error instanceof SesameError) {
    const code: SesameErrorCode = error.code;
    // @ts-expect-error: codes are read-only
    error.code = 'x';
    return code;
  }
  return String(error);
}
void new SesameError('invalid_argument', 'message', { cause: new Error('x') });
void new AuthApiError({ code: 'rate_limited', detail: 'slow down' }, 429, 30);
void new AuthApiError(null, 502);
void new NetworkError(new TypeError('Failed to fetch'));
// @ts-expect-error: a status is a number
void new AuthApiError(null, '500');

// ---------------------------------------------------------------------------
// The core, TOTP helpers and passwords

async function helpers(): Promise<void> {
  configureWasm('/assets/sesame_core.wasm');
  configureWasm(new URL('https://cdn.example.com/sesame_core.wasm'));
  configureWasm(fetch('/assets/sesame_core.wasm'));
  configureWasm(new Uint8Array(8));
  configureWasm(await WebAssembly.compile(new ArrayBuffer(8)));
  const source: WasmSource = Promise.resolve(new ArrayBuffer(8));
  configureWasm(source);
  // @ts-expect-error: not a wasm source
  configureWasm(42);

  const core: SesameCore = await loadCore();
  const bytes: Uint8Array = core.base64urlDecode('AQID');
  const uri = core.parseOtpauthUri('otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example');
  uri.secret.fill(0);
  const algorithm: 'SHA1' | 'SHA256' | 'SHA512' = uri.algorithm;
  const svg: string = core.qrSvg('hello', { errorCorrection: 'low' });
  const verdict: PasswordVerdict = core.checkPassword('hunter2', { email: 'a@example.com', extraWords: ['example'] });
  const plan = core.planRefresh({ issuedAt: 1, expiresAt: 901, nowMs: 1000, jitterUnit: 0.5 });
  const delay: number = core.retryDelayMs(1, 0.5, policy);
  const next: SessionState = core.sessionTransition('signed_in', 'refresh_started');
  core.verifyEd25519(bytes, new Uint8Array(64), new Uint8Array(32));
  core.checkAccessTokenValidity({ iss: 'i', audiences: ['a'], exp: 2, iat: 1 }, { issuer: 'i', audience: 'a', nowSeconds: 1, leewaySeconds: 60 });
  const formatted: string = core.formatBackupCode('abcdefghjk');
  const normalized: string = core.normalizeBackupCode('ABCDE FGHJK');
  void algorithm, svg, verdict, delay, next, formatted, normalized, plan.delayMs, plan.expired;
  // @ts-expect-error: not a session event
  core.sessionTransition('signed_in', 'refresh');

  const enrolment = await totpEnrolment({ secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP' }, { qr: { border: 0 } });
  const countdown: TotpCountdown = enrolment.countdown(Date.now());
  const progress: number = totpCountdown().progress + totpCountdown(60).step + totpCountdown(30, 0).secondsRemaining;
  const secret: string = formatSecret('JBSWY3DPEHPK3PXP');
  const readable: string[] = await formatBackupCodes(['abcdefghjk']);
  const typedIn: string = await normalizeBackupCode('ABCDE-FGHJK');
  void countdown, progress, secret, readable, typedIn;
  // @ts-expect-error: totpEnrolment needs the setup answer's otpauth_uri
  await totpEnrolment({ secret: 'JBSWY3DPEHPK3PXP' });

  const check = await checkPassword('correct horse battery staple', { email: 'a@example.com', minLength: 12, maxLength: 128 });
  if (!check.acceptable) {
    for (const v of check.violations) {
      if (v.code === 'password_too_short') void `at least ${v.minLength} characters, you typed ${v.length}`;
    }
  }
  // @ts-expect-error: the password is a string
  await checkPassword(12345678);

  const locks: TabLocks = createLocalLocks();
  const answer: number = await locks.request('x', { mode: 'exclusive', signal: AbortSignal.timeout(10) }, () => 42);
  const held: string | undefined = await locks.request('y', (lock) => lock?.name);
  void answer, held;
  const storage: StorageAdapter = memoryStorage();
  const syncValue: string | null = memoryStorage().getItem('k');
  void storage, syncValue;
}

// ---------------------------------------------------------------------------
// Verification from the main entry and from 'sesame-auth/verify'

async function verifyBoth(token: string): Promise<void> {
  const options: VerifyOptions = { issuer: 'https://auth.example.com', audience: 'api', jwksUrl: 'https://auth.example.com/.well-known/jwks.json' };
  const result: VerifiedAccessToken = await verifyAccessToken(token, options);
  const claims: AccessTokenClaims = result.claims;
  const viaSubpath = await verify.verifyAccessToken(token, { ...options, leewaySeconds: 5, nowSeconds: 1_700_000_000, fetch });
  expectType<Equal<typeof viaSubpath, VerifiedAccessToken>>();
  const keys: Map<string, Uint8Array> = await importJwks({ keys: [{ kty: 'OKP', crv: 'Ed25519', kid: 'k1', x: 'AQID' }] });
  await verifyAccessToken(token, { issuer: 'i', audience: 'a', keys });
  await verify.verifyAccessToken(token, { issuer: 'i', audience: 'a', keys: { keys: [] } });
  const sameClass: VerifySesameError = new SesameError('jwt_expired');
  void claims.sub, claims.roles, claims.exp, sameClass;
  // @ts-expect-error: the keys are required, as a URL or a key set
  await verifyAccessToken(token, { issuer: 'i', audience: 'a' });
  // @ts-expect-error: one source of keys, not both
  await verifyAccessToken(token, { issuer: 'i', audience: 'a', keys, jwksUrl: 'https://x' });
  // @ts-expect-error: the audience is required
  await verify.verifyAccessToken(token, { issuer: 'i', jwksUrl: 'https://x' });
  // @ts-expect-error: the options are required
  await verify.verifyAccessToken(token);
  // @ts-expect-error: the subpath exports the error classes as types only
  void new verify.SesameError('x');
  // @ts-expect-error: the AuthClient is not part of the subpath
  void verify.AuthClient;
}

// ---------------------------------------------------------------------------
// A Next.js-middleware-like function: 'sesame-auth/verify' only.

const issuer = 'https://auth.example.com';
const jwksUrl = `${issuer}/.well-known/jwks.json`;

export async function middleware(request: Request): Promise<Response> {
  const header = request.headers.get('authorization') ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
  if (!token) return new Response('sign in first', { status: 401 });
  try {
    const { claims, kid } = await verify.verifyAccessToken(token, { issuer, audience: 'example-app', jwksUrl });
    if (!claims.roles.includes('admin') && new URL(request.url).pathname.startsWith('/admin')) {
      return new Response('forbidden', { status: 403 });
    }
    const headers = new Headers({ 'x-user-id': claims.sub, 'x-session-id': claims.sid, 'x-key-id': kid });
    if (claims.tenant_id !== undefined) headers.set('x-tenant-id', claims.tenant_id);
    // @ts-expect-error: tenant_id may be absent
    headers.set('x-tenant', claims.tenant_id);
    return new Response(null, { headers });
  } catch (error) {
    const code = (error as VerifySesameError).code;
    const status = code === 'jwks_unavailable' ? 503 : 401;
    return new Response(code === 'jwt_expired' ? 'expired' : 'invalid token', { status });
  }
}

void signInFlow, account, explain, helpers, verifyBoth, state, badState;
