// Password policy, backup codes, refresh planning and the session state machine
// through the wasm module, on the same vector tables as tests/core/
// password_policy_test.cpp, backup_codes_test.cpp, refresh_test.cpp and
// session_state_test.cpp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore, vectorTable, unhex } from './support/core.mjs';

const core = await loadCore();

function okValue(result, what) {
  assert.equal(result.ok, true, `${what}: ${result.code} ${result.detail}`);
  return result.value;
}

function assertError(result, code, what) {
  assert.equal(result.ok, false, `${what}: expected ${code}, got ${JSON.stringify(result.value)}`);
  assert.equal(result.code, code, what);
  assert.ok(result.detail.length > 0, what);
}

// ---------------------------------------------------------------------------
// Password policy

// Rows given as `password_hex` are raw bytes, most of them not UTF-8, which no JS string
// can carry. They are not skipped: embind hands the bytes of a Uint8Array to a
// std::string parameter unchanged, so checkPassword sees exactly the native bytes.
const passwordOf = (row) => ('password' in row ? row.password : unhex(row.password_hex));

test('password verdicts match the table, including the raw-byte (invalid UTF-8) rows', async () => {
  for (const row of await vectorTable('password_policy.json', 'verdicts')) {
    const options = {};
    if ('min_length' in row) options.minLength = row.min_length;
    if ('max_length' in row) options.maxLength = row.max_length;
    if ('email' in row) options.email = row.email;
    if ('extra_words' in row) options.extraWords = row.extra_words;
    const verdict = okValue(core.checkPassword(passwordOf(row), options), row.why);
    assert.deepEqual(verdict.violations.map((violation) => violation.code), row.violations, row.why);
    assert.equal(verdict.acceptable, row.violations.length === 0, row.why);
    assert.equal(verdict.length, row.length, row.why);
    for (const violation of verdict.violations) {
      assert.equal(violation.minLength, row.applied_min ?? 8, row.why);
      assert.equal(violation.maxLength, row.applied_max ?? 64, row.why);
      assert.equal(violation.length, verdict.length, row.why);
    }
  }
});

test('validatePasswordPolicy refuses bounds below NIST or a minimum above the maximum', async () => {
  for (const { min_length: minLength, max_length: maxLength, valid } of await vectorTable('password_policy.json', 'policies')) {
    const result = core.validatePasswordPolicy({ minLength, maxLength });
    assert.equal(result.ok, valid, `min ${minLength} max ${maxLength}`);
    if (!valid) assertError(result, 'invalid_argument', `min ${minLength} max ${maxLength}`);
  }
});

test('checkPassword applies the NIST floors to any policy, as the core does', async () => {
  for (const { min_length: minLength, max_length: maxLength } of await vectorTable('password_policy.json', 'policies')) {
    const verdict = okValue(core.checkPassword('', { minLength, maxLength }), `min ${minLength} max ${maxLength}`);
    const [violation] = verdict.violations;
    assert.equal(violation.code, 'password_too_short');
    assert.equal(violation.minLength, Math.max(8, minLength), `min ${minLength} max ${maxLength}`);
    assert.equal(violation.maxLength, Math.max(64, maxLength, Math.max(8, minLength)), `min ${minLength} max ${maxLength}`);
  }
});

// ---------------------------------------------------------------------------
// Backup codes

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

// Plays back `script`, then counts upwards from 0, like the native ScriptedRandom.
function scriptedSource(script = []) {
  let position = 0;
  let counter = 0;
  return (n) => Uint8Array.from({ length: n }, () => (position < script.length ? script[position++] : (position++, counter++ & 0xff)));
}

// splitmix64, as the native SeededRandom: well mixed, deterministic.
function splitmixSource(seed) {
  const mask = 0xffffffffffffffffn;
  let state = seed;
  return (n) => Uint8Array.from({ length: n }, () => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return Number((z ^ (z >> 31n)) & 0xffn);
  });
}

test('formatBackupCode groups by five as the table shows', async () => {
  for (const { code, display } of await vectorTable('backup_codes.json', 'format')) {
    assert.equal(core.formatBackupCode(code), display, JSON.stringify(code));
  }
});

test('normalizeBackupCode accepts what people type', async () => {
  for (const { typed, code } of await vectorTable('backup_codes.json', 'normalize')) {
    assert.equal(okValue(core.normalizeBackupCode(typed), JSON.stringify(typed)), code, JSON.stringify(typed));
  }
});

test('normalizeBackupCode refuses wrong lengths and characters with invalid_backup_code', async () => {
  for (const { typed, why } of await vectorTable('backup_codes.json', 'normalize_invalid')) {
    assertError(core.normalizeBackupCode(typed), 'invalid_backup_code', why);
  }
  assertError(core.normalizeBackupCode('a'.repeat(1_000_000)), 'invalid_backup_code', 'a million characters');
});

// backup_codes.json has no byte stream for generation; these pin it to scripted bytes,
// as the native suite does.
test('each character of a generated code comes from one byte modulo 32', () => {
  const codes = okValue(core.generateBackupCodes(scriptedSource(), 16), 'generate');
  assert.equal(codes.length, 16);
  codes.forEach((code, i) => {
    const expected = Array.from({ length: 10 }, (_, j) => alphabet[(i * 10 + j) % 32]).join('');
    assert.equal(code, expected, `code ${i}`);
  });
});

test('every symbol gets exactly 8 of the 256 byte values', () => {
  const perSymbol = new Map();
  for (let value = 0; value < 256; value++) {
    const [code] = okValue(core.generateBackupCodes(scriptedSource(new Array(10).fill(value)), 1), `byte ${value}`);
    assert.equal(code, code[0].repeat(10), `byte ${value}`);
    perSymbol.set(code[0], (perSymbol.get(code[0]) ?? 0) + 1);
  }
  assert.equal(perSymbol.size, 32);
  for (const [symbol, count] of perSymbol) assert.equal(count, 8, symbol);
});

test('generated codes are ten distinct codes of ten characters that survive format and normalize', () => {
  const codes = okValue(core.generateBackupCodes(splitmixSource(1n), 10), 'generate');
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const code of codes) {
    assert.match(code, /^[0-9a-hjkmnp-tv-z]{10}$/);
    assert.equal(okValue(core.normalizeBackupCode(core.formatBackupCode(code)), code), code);
  }
});

test('different randomness gives different codes', () => {
  assert.notDeepEqual(okValue(core.generateBackupCodes(splitmixSource(1n), 10), 'seed 1'),
    okValue(core.generateBackupCodes(splitmixSource(2n), 10), 'seed 2'));
});

test('a duplicate code is drawn again', () => {
  const script = [...Array(10).keys(), ...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 10 + i)];
  assert.deepEqual(okValue(core.generateBackupCodes(scriptedSource(script), 2), 'generate'), ['0123456789', 'abcdefghjk']);
});

test('a source that repeats itself is an invalid_argument, not a hang', () => {
  const constant = (n) => new Uint8Array(n).fill(0x2a);
  assert.deepEqual(okValue(core.generateBackupCodes(constant, 1), 'one code'), [alphabet[0x2a % 32].repeat(10)]);
  assertError(core.generateBackupCodes(constant, 2), 'invalid_argument', 'two codes');
});

test('the code count must be between 1 and 100', () => {
  for (const count of [0, 101, 2 ** 40]) {
    assertError(core.generateBackupCodes(splitmixSource(3n), count), 'invalid_argument', `count ${count}`);
  }
  for (const count of [1, 100]) {
    const codes = okValue(core.generateBackupCodes(splitmixSource(3n), count), `count ${count}`);
    assert.equal(new Set(codes).size, count);
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

const planOf = (row) => core.planRefresh(row.issued_at, row.expires_at, row.now_ms, policyOf(row), row.jitter_unit);

test('refresh plans match the table', async () => {
  for (const row of await vectorTable('refresh.json', 'plans')) {
    assert.deepEqual(okValue(planOf(row), row.why), { refreshAtMs: row.refresh_at_ms, delayMs: row.delay_ms, expired: row.expired },
      row.why);
  }
});

test('degenerate refresh inputs of the table are refused with invalid_argument', async () => {
  for (const row of await vectorTable('refresh.json', 'plan_errors')) {
    assertError(planOf(row), 'invalid_argument', row.why);
  }
});

test('NaN and infinite jitter are refused with invalid_argument', () => {
  for (const jitter of [NaN, Infinity, -Infinity, -0.0001]) {
    assertError(core.planRefresh(0, 900, 0, {}, jitter), 'invalid_argument', String(jitter));
    assertError(core.retryDelayMs(1, {}, jitter), 'invalid_argument', String(jitter));
  }
});

test('a plan is never after expiry nor a negative delay', () => {
  const issuedAt = 1_700_000_000;
  for (const lifetime of [1, 2, 7, 20, 59, 60, 61, 300, 900, 3600, 86400, 2_592_000, 31_536_000]) {
    for (const refreshAfterPermille of [1, 500, 800, 1000]) {
      for (const refreshMarginMs of [0, 1, 30_000, 86_400_000]) {
        const expiresAtMs = (issuedAt + lifetime) * 1000;
        for (const nowMs of [issuedAt * 1000 - 5000, issuedAt * 1000, issuedAt * 1000 + lifetime * 500, expiresAtMs - 1, expiresAtMs,
          expiresAtMs + 1]) {
          for (const jitter of [0, 0.5, 0.999999]) {
            const what = `lifetime ${lifetime} permille ${refreshAfterPermille} margin ${refreshMarginMs} now ${nowMs} jitter ${jitter}`;
            const plan = okValue(core.planRefresh(issuedAt, issuedAt + lifetime, nowMs, { refreshAfterPermille, refreshMarginMs }, jitter),
              what);
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
    assert.equal(okValue(core.retryDelayMs(row.attempt, policyOf(row), row.jitter_unit), what), row.delay_ms, what);
  }
});

test('invalid retry inputs of the table are refused with invalid_argument', async () => {
  for (const row of await vectorTable('refresh.json', 'retry_errors')) {
    assertError(core.retryDelayMs(row.attempt, policyOf(row), row.jitter_unit), 'invalid_argument', row.why);
  }
});

test('retry delays grow to the cap and stay below it', () => {
  let previous = 0;
  for (let attempt = 1; attempt <= 200; attempt++) {
    const delay = okValue(core.retryDelayMs(attempt, {}, 0.999999), `attempt ${attempt}`);
    assert.ok(delay >= previous && delay < 60_000, `attempt ${attempt}: ${delay}`);
    previous = delay;
  }
  assert.equal(previous, 59_999);
});

// ---------------------------------------------------------------------------
// Session state machine

test('every state name of the table is known (signed_out is accepted in every state)', async () => {
  for (const { name } of await vectorTable('session_state.json', 'states')) {
    assert.equal(okValue(core.sessionTransition(name, 'signed_out'), name), 'signed_out', name);
  }
});

test('every event name of the table is known in some state', async () => {
  const states = (await vectorTable('session_state.json', 'states')).map(({ name }) => name);
  for (const { name } of await vectorTable('session_state.json', 'events')) {
    const codes = states.map((state) => { const r = core.sessionTransition(state, name); return r.ok ? 'ok' : r.code; });
    assert.ok(!codes.includes('invalid_argument'), `${name}: ${codes}`);
    assert.ok(codes.includes('ok'), `${name} is accepted somewhere`);
  }
});

test('unknown state and event names are refused with invalid_argument', () => {
  for (const name of ['', 'SIGNED_IN', 'signed-in', 'signed_in ', 'logged_in', 'refresh_failed_transient']) {
    assertError(core.sessionTransition(name, 'signed_out'), 'invalid_argument', `state '${name}'`);
    assertError(core.sessionTransition('signed_in', name), 'invalid_argument', `event '${name}'`);
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
    const result = core.sessionTransition(row.state, row.event);
    if ('next' in row) {
      assert.equal(okValue(result, pair), row.next, pair);
    } else {
      assertError(result, row.error, pair);
      assert.ok(result.detail.includes(row.state) && result.detail.includes(row.event), `${pair}: detail '${result.detail}'`);
    }
  }
  assert.equal(seen.size, states.length * events.length);
});

test('a typical session runs through the machine', () => {
  let state = 'signed_out';
  for (const [event, expected] of [['mfa_required', 'mfa_pending'], ['mfa_verified', 'signed_in'], ['refresh_started', 'refreshing'],
    ['refresh_failed_transient_token_valid', 'signed_in'], ['refresh_started', 'refreshing'], ['refresh_succeeded', 'signed_in'],
    ['token_expired', 'expired'], ['refresh_started', 'refreshing'], ['refresh_rejected', 'signed_out']]) {
    state = okValue(core.sessionTransition(state, event), event);
    assert.equal(state, expected, event);
  }
});

test('a stale refresh result after a new sign-in is refused', () => {
  const refreshing = okValue(core.sessionTransition('signed_in', 'refresh_started'), 'refresh_started');
  const signedIn = okValue(core.sessionTransition(refreshing, 'sign_in_succeeded'), 'sign_in_succeeded');
  assertError(core.sessionTransition(signedIn, 'refresh_succeeded'), 'invalid_session_transition', 'stale refresh_succeeded');
});
