// Password policy, backup codes, refresh planning and the session state machine
// through the package's core (and the lib/totp.js wrappers), on the same vector
// tables as tests/core/password_policy_test.cpp, backup_codes_test.cpp,
// refresh_test.cpp and session_state_test.cpp. Backup code generation stays on
// the server (ctest and parity.test.mjs cover it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore, loadSdk, refusal, vectorTable, unhex } from './support/core.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const nativeBuild = path.resolve(process.env.SESAME_NATIVE_BUILD ?? path.join(repoRoot, 'build/native'));

const sdk = await loadSdk();
const core = await loadCore();


function assertRefused(call, code, what) {
  const error = refusal(call, what);
  assert.equal(error.code, code, `${what}: ${error.message}`);
  assert.notEqual(error.message, error.code, `${what}: no detail`);
  return error;
}

// ---------------------------------------------------------------------------
// Password policy

test('the browser refuses every entry of the server\'s blocklist (the native build\'s list)', async () => {
  const entries = (await fs.readFile(path.join(nativeBuild, 'core/generated/password_blocklist.txt'), 'utf8'))
    .split('\n').filter((entry) => entry !== '');
  assert.ok(entries.length >= 3000, `${entries.length} entries`);
  for (const entry of entries) {
    for (const typed of [entry, entry.toUpperCase()]) {
      const verdict = core.checkPassword(typed);
      assert.ok(verdict.violations.some((violation) => violation.code === 'password_common'), `not refused: ${typed}`);
    }
  }
});

test('the name option is a context word, as the server passes the user\'s name', async () => {
  for (const check of [core.checkPassword.bind(core), sdk.checkPassword]) {
    const refused = await check('AliceSmith1990', { name: 'Alice Smith' });
    assert.deepEqual(refused.violations.map((violation) => violation.code), ['password_matches_context']);
    const words = await check('smith!2024', { name: 'Alice Smith', extraWords: ['Sesame'] });
    assert.deepEqual(words.violations.map((violation) => violation.code), ['password_matches_context']);
    assert.equal((await check('AliceSmith1990', { name: 'Bob Jones' })).acceptable, true);
  }
  assert.throws(() => core.checkPassword('AliceSmith1990', { name: 42 }), /name/);
});

// Rows given as `password_hex` are raw bytes. Those that are valid UTF-8 are
// decoded into the JS string they stand for. The invalid ones (a stray byte, a
// truncated or overlong sequence, an encoded surrogate, a code point above
// U+10FFFF, a lone continuation byte) cannot be expressed: a JS string is UTF-16
// and checkPassword takes only strings, whose UTF-8 encoding (TextEncoder) is
// always valid. They are skipped here, and the test after the table pins what
// the SDK does instead; the native suite covers password_invalid_utf8.
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
function passwordOf(row) {
  if ('password' in row) return row.password;
  try {
    return utf8Strict.decode(unhex(row.password_hex));
  } catch {
    return undefined;
  }
}

function optionsOf(row) {
  const options = {};
  if ('min_length' in row) options.minLength = row.min_length;
  if ('max_length' in row) options.maxLength = row.max_length;
  if ('email' in row) options.email = row.email;
  if ('extra_words' in row) options.extraWords = row.extra_words;
  if ('name' in row) options.name = row.name;
  return options;
}

test('password verdicts match the table (raw-byte rows that are valid UTF-8 included)', async () => {
  const rows = await vectorTable('password_policy.json', 'verdicts');
  let rawRows = 0;
  for (const row of rows) {
    const password = passwordOf(row);
    if (password === undefined) {
      assert.ok(row.violations.includes('password_invalid_utf8'), `${row.why}: only invalid UTF-8 rows are skipped`);
      continue;
    }
    if ('password_hex' in row) rawRows += 1;
    for (const [what, verdict] of [['core', core.checkPassword(password, optionsOf(row))],
      ['totp.js', await sdk.checkPassword(password, optionsOf(row))]]) {
      assert.deepEqual(verdict.violations.map((violation) => violation.code), row.violations, `${what}: ${row.why}`);
      assert.equal(verdict.acceptable, row.violations.length === 0, `${what}: ${row.why}`);
      assert.equal(verdict.length, row.length, `${what}: ${row.why}`);
      for (const violation of verdict.violations) {
        assert.equal(violation.minLength, row.applied_min ?? 8, `${what}: ${row.why}`);
        assert.equal(violation.maxLength, row.applied_max ?? 64, `${what}: ${row.why}`);
        assert.equal(violation.length, verdict.length, `${what}: ${row.why}`);
      }
    }
  }
  assert.ok(rawRows >= 2, 'the valid UTF-8 raw-byte rows ran');
});

test('a lone surrogate reaches the core as U+FFFD, so the SDK never sends invalid UTF-8', () => {
  for (const [password, replaced] of [['kx7#qm2p\uD800', 'kx7#qm2p\uFFFD'], ['\uDC00kx7#qm2p', '\uFFFDkx7#qm2p'],
    ['pass\uD83D', 'pass\uFFFD']]) {
    const verdict = core.checkPassword(password);
    assert.deepEqual(verdict, core.checkPassword(replaced), JSON.stringify(password));
    assert.ok(!verdict.violations.some((violation) => violation.code === 'password_invalid_utf8'), JSON.stringify(password));
  }
});

test('checkPassword applies the NIST floors to any policy, as the core does', async () => {
  for (const { min_length: minLength, max_length: maxLength } of await vectorTable('password_policy.json', 'policies')) {
    const what = `min ${minLength} max ${maxLength}`;
    const verdict = core.checkPassword('', { minLength, maxLength });
    assert.deepEqual(verdict.violations, [{
      code: 'password_too_short',
      minLength: Math.max(8, minLength),
      maxLength: Math.max(64, maxLength, Math.max(8, minLength)),
      length: 0,
    }], what);
  }
});

test('checkPassword without options is the default policy with no email or context words', () => {
  for (const password of ['', 'password', 'correct horse battery staple', 'x'.repeat(65)]) {
    assert.deepEqual(core.checkPassword(password), core.checkPassword(password, { email: '', extraWords: [], minLength: 8, maxLength: 64 }),
      JSON.stringify(password));
  }
});

// ---------------------------------------------------------------------------
// Backup codes

test('formatBackupCode groups by five as the table shows', async () => {
  for (const { code, display } of await vectorTable('backup_codes.json', 'format')) {
    assert.equal(core.formatBackupCode(code), display, JSON.stringify(code));
  }
  const table = await vectorTable('backup_codes.json', 'format');
  assert.deepEqual(await sdk.formatBackupCodes(table.map(({ code }) => code)), table.map(({ display }) => display), 'totp.js');
});

test('normalizeBackupCode accepts what people type', async () => {
  for (const { typed, code } of await vectorTable('backup_codes.json', 'normalize')) {
    assert.equal(core.normalizeBackupCode(typed), code, JSON.stringify(typed));
    assert.equal(await sdk.normalizeBackupCode(typed), code, `totp.js: ${JSON.stringify(typed)}`);
  }
});

test('normalizeBackupCode refuses wrong lengths and characters with invalid_backup_code', async () => {
  for (const { typed, why } of await vectorTable('backup_codes.json', 'normalize_invalid')) {
    assertRefused(() => core.normalizeBackupCode(typed), 'invalid_backup_code', why);
    await assert.rejects(sdk.normalizeBackupCode(typed), (error) => error instanceof sdk.SesameError && error.code === 'invalid_backup_code',
      `totp.js: ${why}`);
  }
  assertRefused(() => core.normalizeBackupCode('a'.repeat(1_000_000)), 'invalid_backup_code', 'a million characters');
});

test('a formatted code normalises back to itself', async () => {
  for (const { code } of await vectorTable('backup_codes.json', 'normalize')) {
    assert.equal(core.normalizeBackupCode(core.formatBackupCode(code)), code, code);
  }
});

// ---------------------------------------------------------------------------
// Refresh planning

const policyKeys = {
  refresh_after_permille: 'refreshAfterPermille',
  refresh_margin_ms: 'refreshMarginMs',
  max_jitter_ms: 'maxJitterMs',
  max_delay_ms: 'maxDelayMs',
  retry_base_delay_ms: 'retryBaseDelayMs',
  retry_max_delay_ms: 'retryMaxDelayMs',
};

function policyOf(row) {
  const policy = {};
  for (const [key, value] of Object.entries(row.policy ?? {})) {
    assert.ok(key in policyKeys, `unknown policy field ${key}`);
    policy[policyKeys[key]] = value;
  }
  return policy;
}

const planOf = (row) => core.planRefresh({
  issuedAt: row.issued_at, expiresAt: row.expires_at, nowMs: row.now_ms, jitterUnit: row.jitter_unit, policy: policyOf(row),
});

test('refresh plans match the table', async () => {
  for (const row of await vectorTable('refresh.json', 'plans')) {
    assert.deepEqual(planOf(row), { refreshAtMs: row.refresh_at_ms, delayMs: row.delay_ms, expired: row.expired }, row.why);
  }
});

test('degenerate refresh inputs of the table are refused with invalid_argument', async () => {
  for (const row of await vectorTable('refresh.json', 'plan_errors')) {
    assertRefused(() => planOf(row), 'invalid_argument', row.why);
  }
});

test('NaN and infinite jitter are refused with invalid_argument', () => {
  for (const jitterUnit of [NaN, Infinity, -Infinity, -0.0001]) {
    assertRefused(() => core.planRefresh({ issuedAt: 0, expiresAt: 900, nowMs: 0, jitterUnit }), 'invalid_argument', String(jitterUnit));
    assertRefused(() => core.retryDelayMs(1, jitterUnit), 'invalid_argument', String(jitterUnit));
  }
});

test('times that are not whole numbers are refused with invalid_argument', () => {
  const base = { issuedAt: 1_700_000_000, expiresAt: 1_700_000_900, nowMs: 1_700_000_000_000, jitterUnit: 0 };
  for (const change of [{ issuedAt: 1.5 }, { expiresAt: NaN }, { nowMs: Infinity }, { nowMs: 2 ** 53 }, { issuedAt: undefined },
    { policy: { refreshMarginMs: 0.5 } }, { policy: { maxDelayMs: Infinity } }]) {
    assertRefused(() => core.planRefresh({ ...base, ...change }), 'invalid_argument', JSON.stringify(change));
  }
  for (const attempt of [1.5, -1, 2 ** 32, NaN]) assertRefused(() => core.retryDelayMs(attempt, 0.5), 'invalid_argument', String(attempt));
});

test('a plan is never after expiry nor a negative delay', () => {
  const issuedAt = 1_700_000_000;
  for (const lifetime of [1, 2, 7, 20, 59, 60, 61, 300, 900, 3600, 86400, 2_592_000, 31_536_000]) {
    for (const refreshAfterPermille of [1, 500, 800, 1000]) {
      for (const refreshMarginMs of [0, 1, 30_000, 86_400_000]) {
        const expiresAtMs = (issuedAt + lifetime) * 1000;
        for (const nowMs of [issuedAt * 1000 - 5000, issuedAt * 1000, issuedAt * 1000 + lifetime * 500, expiresAtMs - 1, expiresAtMs,
          expiresAtMs + 1]) {
          for (const jitterUnit of [0, 0.5, 0.999999]) {
            const what = `lifetime ${lifetime} permille ${refreshAfterPermille} margin ${refreshMarginMs} now ${nowMs} jitter ${jitterUnit}`;
            const plan = core.planRefresh({
              issuedAt, expiresAt: issuedAt + lifetime, nowMs, jitterUnit, policy: { refreshAfterPermille, refreshMarginMs },
            });
            assert.ok(plan.delayMs >= 0 && plan.delayMs <= 2_147_483_647, what);
            assert.equal(plan.refreshAtMs, nowMs + plan.delayMs, what);
            assert.equal(plan.expired, nowMs >= expiresAtMs, what);
            if (plan.expired) assert.equal(plan.delayMs, 0, what);
            else assert.ok(plan.refreshAtMs < expiresAtMs, what);
            if (nowMs === issuedAt * 1000) assert.ok(plan.delayMs > 0, what);
          }
        }
      }
    }
  }
});

test('retry delays match the table', async () => {
  for (const row of await vectorTable('refresh.json', 'retries')) {
    const what = `attempt ${row.attempt} jitter ${row.jitter_unit} ${JSON.stringify(row.policy ?? {})}`;
    assert.equal(core.retryDelayMs(row.attempt, row.jitter_unit, policyOf(row)), row.delay_ms, what);
  }
});

test('invalid retry inputs of the table are refused with invalid_argument', async () => {
  for (const row of await vectorTable('refresh.json', 'retry_errors')) {
    assertRefused(() => core.retryDelayMs(row.attempt, row.jitter_unit, policyOf(row)), 'invalid_argument', row.why);
  }
});

test('retry delays grow to the cap and stay below it', () => {
  let previous = 0;
  for (let attempt = 1; attempt <= 200; attempt++) {
    const delay = core.retryDelayMs(attempt, 0.999999);
    assert.ok(delay >= previous && delay < 60_000, `attempt ${attempt}: ${delay}`);
    previous = delay;
  }
  assert.equal(previous, 59_999);
});

test('an absent policy, or absent fields, mean the core\'s defaults', async () => {
  const [row] = await vectorTable('refresh.json', 'plans');
  const times = { issuedAt: row.issued_at, expiresAt: row.expires_at, nowMs: row.now_ms, jitterUnit: row.jitter_unit };
  const defaults = { refreshAfterPermille: 800, refreshMarginMs: 30_000, maxJitterMs: 5_000, maxDelayMs: 2_147_483_647,
    retryBaseDelayMs: 1_000, retryMaxDelayMs: 60_000 };
  assert.deepEqual(core.planRefresh(times), core.planRefresh({ ...times, policy: {} }));
  assert.deepEqual(core.planRefresh(times), core.planRefresh({ ...times, policy: defaults }), 'the defaults are the ones written here');
  assert.deepEqual(core.planRefresh(times), { refreshAtMs: row.refresh_at_ms, delayMs: row.delay_ms, expired: row.expired });
  for (const attempt of [1, 3, 9]) {
    assert.equal(core.retryDelayMs(attempt, 0.5), core.retryDelayMs(attempt, 0.5, {}), `attempt ${attempt}`);
    assert.equal(core.retryDelayMs(attempt, 0.5), core.retryDelayMs(attempt, 0.5, defaults), `attempt ${attempt}`);
  }
});

// ---------------------------------------------------------------------------
// Session state machine

test('every state name of the table is known (signed_out is accepted in every state)', async () => {
  for (const { name } of await vectorTable('session_state.json', 'states')) {
    assert.equal(core.sessionTransition(name, 'signed_out'), 'signed_out', name);
  }
});

test('every event name of the table is known in some state', async () => {
  const states = (await vectorTable('session_state.json', 'states')).map(({ name }) => name);
  for (const { name } of await vectorTable('session_state.json', 'events')) {
    const codes = states.map((state) => {
      try {
        core.sessionTransition(state, name);
        return 'ok';
      } catch (error) {
        return error.code;
      }
    });
    assert.ok(!codes.includes('invalid_argument'), `${name}: ${codes}`);
    assert.ok(codes.includes('ok'), `${name} is accepted somewhere`);
  }
});

test('unknown state and event names are refused with invalid_argument', () => {
  for (const name of ['', 'SIGNED_IN', 'signed-in', 'signed_in ', 'logged_in', 'refresh_failed_transient', 'signed_in\0']) {
    assertRefused(() => core.sessionTransition(name, 'signed_out'), 'invalid_argument', `state ${JSON.stringify(name)}`);
    assertRefused(() => core.sessionTransition('signed_in', name), 'invalid_argument', `event ${JSON.stringify(name)}`);
  }
});

test('the whole transition table: every state and event once, with its next state or error', async () => {
  const table = await vectorTable('session_state.json', 'transitions');
  const states = await vectorTable('session_state.json', 'states');
  const events = await vectorTable('session_state.json', 'events');
  const seen = new Set();
  for (const row of table) {
    const pair = `${row.state} + ${row.event}`;
    assert.ok(!seen.has(pair), `${pair} twice`);
    seen.add(pair);
    if ('next' in row) {
      assert.equal(core.sessionTransition(row.state, row.event), row.next, pair);
    } else {
      const error = assertRefused(() => core.sessionTransition(row.state, row.event), row.error, pair);
      assert.ok(error.message.includes(row.state) && error.message.includes(row.event), `${pair}: detail '${error.message}'`);
    }
  }
  assert.equal(seen.size, states.length * events.length);
});

test('a typical session runs through the machine', () => {
  let state = 'signed_out';
  for (const [event, expected] of [['mfa_required', 'mfa_pending'], ['mfa_verified', 'signed_in'], ['refresh_started', 'refreshing'],
    ['refresh_failed_transient_token_valid', 'signed_in'], ['refresh_started', 'refreshing'], ['refresh_succeeded', 'signed_in'],
    ['token_expired', 'expired'], ['refresh_started', 'refreshing'], ['refresh_rejected', 'signed_out']]) {
    state = core.sessionTransition(state, event);
    assert.equal(state, expected, event);
  }
});

test('a stale refresh result after a new sign-in is refused', () => {
  const refreshing = core.sessionTransition('signed_in', 'refresh_started');
  const signedIn = core.sessionTransition(refreshing, 'sign_in_succeeded');
  assertRefused(() => core.sessionTransition(signedIn, 'refresh_succeeded'), 'invalid_session_transition', 'stale refresh_succeeded');
});
