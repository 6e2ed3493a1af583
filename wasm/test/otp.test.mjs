// HOTP/TOTP, otpauth:// URIs and QR codes through the wasm module, on the same
// vector tables as tests/core/totp_test.cpp, otpauth_test.cpp and qr_test.cpp.
// SHA-1 and HMAC are not bound: the RFC 4226/6238 values below cover them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore, vectorTable, utf8, hex, unhex } from './support/core.mjs';

const core = await loadCore();

const rfcSecret = utf8('12345678901234567890');

function okValue(result, what) {
  assert.equal(result.ok, true, `${what}: ${result.code} ${result.detail}`);
  return result.value;
}

function codeAt(unixSeconds, options = {}) {
  return okValue(core.totp(rfcSecret, unixSeconds, options), `totp at ${unixSeconds}`);
}

function verify(code, unixSeconds, options = {}) {
  return okValue(core.totpVerify(rfcSecret, code, unixSeconds, options), `verify '${code}' at ${unixSeconds}`);
}

// ---------------------------------------------------------------------------
// HOTP / TOTP values

test('hotp reproduces RFC 4226 Appendix D and its truncated values at 7 and 8 digits', async () => {
  for (const { count, hotp, truncated_decimal: truncated } of await vectorTable('rfc4226.json', 'hotp')) {
    assert.equal(okValue(core.hotp(rfcSecret, count, 'SHA1', 6), `count ${count}`), hotp, `count ${count}`);
    const seven = okValue(core.hotp(rfcSecret, count, 'SHA1', 7), `count ${count}`);
    const eight = okValue(core.hotp(rfcSecret, count, 'SHA1', 8), `count ${count}`);
    assert.equal(seven, String(truncated % 10_000_000).padStart(7, '0'), `count ${count}, 7 digits`);
    assert.equal(eight, String(truncated % 100_000_000).padStart(8, '0'), `count ${count}, 8 digits`);
  }
});

test('totp reproduces RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512 with 8 digits', async () => {
  for (const { unix_time: time, step_hex: stepHex, algorithm, seed_ascii: seed, totp } of await vectorTable('rfc6238.json', 'totp')) {
    const what = `${algorithm} at ${time}`;
    assert.equal(okValue(core.totp(utf8(seed), time, { algorithm, digits: 8, period: 30 }), what), totp, what);
    // HOTP at the table's step (floor(T / 30)) is the same value.
    assert.equal(okValue(core.hotp(utf8(seed), Number.parseInt(stepHex, 16), algorithm, 8), what), totp, `${what}, step ${stepHex}`);
  }
});

test('totp refuses time before the epoch and periods outside 1..3600 with invalid_otp_parameters', () => {
  for (const [time, options] of [[-1, {}], [-30, {}], [59, { period: 0 }], [59, { period: -30 }], [59, { period: 3601 }],
    [59, { digits: 5 }], [59, { digits: 9 }], [59, { digits: 0 }], [59, { algorithm: 'MD5' }]]) {
    const result = core.totp(rfcSecret, time, options);
    assert.equal(result.ok, false, JSON.stringify([time, options]));
    assert.equal(result.code, 'invalid_otp_parameters', JSON.stringify([time, options]));
    assert.ok(result.detail.length > 0);
  }
});

test('hotp and totp report an unknown algorithm name alike, as invalid_otp_parameters', () => {
  assert.equal(core.hotp(rfcSecret, 0, 'MD5', 6).code, 'invalid_otp_parameters');
  assert.equal(core.totp(rfcSecret, 59, { algorithm: 'MD5' }).code, 'invalid_otp_parameters');
});

test('otp parameter bounds are inclusive: 6..8 digits, 1..3600 s', () => {
  for (const digits of [6, 7, 8]) {
    for (const period of [1, 30, 3600]) {
      const code = okValue(core.totp(rfcSecret, 1234567890, { algorithm: 'SHA256', digits, period }), `${digits}/${period}`);
      assert.match(code, new RegExp(`^[0-9]{${digits}}$`));
    }
  }
});

test('hotp refuses 5 and 9 digits with invalid_otp_parameters', () => {
  for (const digits of [5, 9]) {
    const result = core.hotp(rfcSecret, 0, 'SHA1', digits);
    assert.equal(result.ok, false);
    assert.equal(result.code, 'invalid_otp_parameters');
  }
});

test('secrets shorter than 10 or longer than 128 bytes are refused by hotp, totp and the verifier', () => {
  for (const size of [0, 9, 129]) {
    const secret = new Uint8Array(size).fill(0x31);
    for (const result of [core.hotp(secret, 0, 'SHA1', 6), core.totp(secret, 59, {}), core.totpVerify(secret, '123456', 59, {})]) {
      assert.equal(result.ok, false, `${size} bytes`);
      assert.equal(result.code, 'invalid_otp_parameters', `${size} bytes`);
    }
  }
  for (const size of [10, 128]) assert.equal(core.hotp(new Uint8Array(size), 0, 'SHA1', 6).ok, true, `${size} bytes`);
});

test('generateTotpSecret takes the hash size of bytes from the random source', () => {
  for (const [algorithm, size] of [['SHA1', 20], ['SHA256', 32], ['SHA512', 64], [undefined, 20]]) {
    const requests = [];
    const fill = (n) => {
      requests.push(n);
      return Uint8Array.from({ length: n }, (_, i) => (7 + i) & 0xff);
    };
    const secret = okValue(core.generateTotpSecret(fill, algorithm), String(algorithm));
    assert.deepEqual(secret, Uint8Array.from({ length: size }, (_, i) => 7 + i), String(algorithm));
    assert.deepEqual(requests, [size]);
  }
});

// ---------------------------------------------------------------------------
// TOTP verification

test('the verifier accepts the current code and reports its step with no drift', () => {
  const now = 1111111111; // step 0x23523ED
  assert.deepEqual(verify(codeAt(now), now), { outcome: 'accepted', step: 0x23523ed, driftSteps: 0 });
});

test('the verifier accepts the RFC 6238 SHA-512 8-digit code at 59 s with a zero window', () => {
  const seed = utf8('1234567890123456789012345678901234567890123456789012345678901234');
  const result = okValue(core.totpVerify(seed, '90693936', 59, { algorithm: 'SHA512', digits: 8, windowSteps: 0 }), 'verify');
  assert.deepEqual(result, { outcome: 'accepted', step: 1, driftSteps: 0 });
});

test('the verifier accepts neighbouring steps inside the window and reports the drift', () => {
  const now = 1234567890;
  const current = Math.floor(now / 30);
  for (const drift of [-1, 1]) {
    assert.deepEqual(verify(codeAt(now + 30 * drift), now, { windowSteps: 1 }),
      { outcome: 'accepted', step: current + drift, driftSteps: drift }, `drift ${drift}`);
  }
});

test('the verifier rejects steps outside the window with step -1', () => {
  const now = 1234567890;
  for (const window of [0, 1, 3]) {
    for (const drift of [-(window + 1), window + 1, 100]) {
      const result = verify(codeAt(now + 30 * drift), now, { windowSteps: window });
      assert.equal(result.outcome, 'rejected', `window ${window}, drift ${drift}`);
      assert.equal(result.step, -1);
    }
  }
});

test('the verifier rejects a wrong code', () => {
  const now = 2000000000;
  const code = codeAt(now);
  const wrong = code.slice(0, -1) + (code.at(-1) === '9' ? '0' : String(Number(code.at(-1)) + 1));
  assert.equal(verify(wrong, now, { windowSteps: 1 }).outcome, 'rejected');
});

test('a code of an accepted step is replayed, in its step and the next; a later step is still accepted', () => {
  const now = 1111111109;
  const code = codeAt(now);
  const first = verify(code, now, { windowSteps: 1 });
  assert.equal(first.outcome, 'accepted');
  for (const later of [now, now + 30]) {
    const again = verify(code, later, { windowSteps: 1, lastAcceptedStep: first.step });
    assert.equal(again.outcome, 'replayed', `at ${later}`);
    assert.equal(again.step, first.step);
  }
  const older = verify(codeAt(now - 30), now, { windowSteps: 1, lastAcceptedStep: first.step });
  assert.equal(older.outcome, 'replayed');
  const next = verify(codeAt(now + 30), now + 30, { windowSteps: 1, lastAcceptedStep: first.step });
  assert.deepEqual(next, { outcome: 'accepted', step: first.step + 1, driftSteps: 0 });
});

test('malformed codes are reported as malformed, never accepted', () => {
  const now = 1234567890;
  const valid = codeAt(now);
  const malformed = [
    '', valid.slice(0, 5), valid + '0', ' ' + valid.slice(1), valid.slice(0, 5) + 'a',
    valid.slice(0, 3) + '-' + valid.slice(4), '\uFF11\uFF12', valid.slice(0, 5) + '\0', '+12345',
  ];
  for (const code of malformed) {
    assert.equal(verify(code, now).outcome, 'malformed', JSON.stringify(code));
  }
});

test('the verifier refuses windows outside 0..10, bad parameters and negative time', () => {
  const now = 1234567890;
  const code = codeAt(now);
  for (const options of [{ windowSteps: -1 }, { windowSteps: 11 }, { digits: 10 }, { period: 0 }]) {
    const result = core.totpVerify(rfcSecret, code, now, options);
    assert.equal(result.ok, false, JSON.stringify(options));
    assert.equal(result.code, 'invalid_otp_parameters', JSON.stringify(options));
  }
  const negative = core.totpVerify(rfcSecret, code, -1, {});
  assert.equal(negative.code, 'invalid_otp_parameters');
  assert.equal(verify(code, now, { windowSteps: 10 }).outcome, 'accepted');
});

test('the verifier window stops at the epoch', () => {
  assert.deepEqual(verify(codeAt(0), 0, { windowSteps: 2 }), { outcome: 'accepted', step: 0, driftSteps: 0 });
  assert.deepEqual(verify(codeAt(60), 0, { windowSteps: 2 }), { outcome: 'accepted', step: 2, driftSteps: 2 });
});

// ---------------------------------------------------------------------------
// otpauth:// URIs

function fieldsOf(row) {
  return {
    issuer: row.issuer,
    account: row.account,
    secret: unhex(row.secret_hex),
    algorithm: row.algorithm,
    digits: row.digits,
    period: row.period,
  };
}

function assertParsedAs(parsed, row) {
  assert.equal(parsed.issuer, row.issuer, row.why);
  assert.equal(parsed.account, row.account, row.why);
  assert.equal(hex(parsed.secret), row.secret_hex, row.why);
  assert.equal(parsed.algorithm, row.algorithm, row.why);
  assert.equal(parsed.digits, row.digits, row.why);
  assert.equal(parsed.period, row.period, row.why);
}

function padded(row) {
  return row.uri_prefix.padEnd(row.length, row.pad_char);
}

test('buildOtpauthUri writes the Key Uri Format exactly as the table', async () => {
  for (const row of await vectorTable('otpauth.json', 'build')) {
    assert.equal(okValue(core.buildOtpauthUri(fieldsOf(row)), row.why), row.uri, row.why);
  }
});

test('parseOtpauthUri reads back every URI buildOtpauthUri writes', async () => {
  for (const row of await vectorTable('otpauth.json', 'build')) {
    assertParsedAs(okValue(core.parseOtpauthUri(row.uri), row.why), row);
  }
});

test('parseOtpauthUri accepts the common variants of the table', async () => {
  for (const row of await vectorTable('otpauth.json', 'parse')) {
    assertParsedAs(okValue(core.parseOtpauthUri(row.uri), row.why), row);
  }
});

test('parseOtpauthUri refuses every malformed URI with its code and a safe detail', async () => {
  for (const { uri, code, why } of await vectorTable('otpauth.json', 'invalid')) {
    const parsed = core.parseOtpauthUri(uri);
    assert.equal(parsed.ok, false, why);
    assert.equal(parsed.code, code, why);
    assert.ok(parsed.detail.length > 0, why);
    assert.ok(!parsed.detail.includes('JBSWY3DP'), `${why}: the detail echoes the secret`);
    assert.match(parsed.detail, /^[ -~]+$/, `${why}: the detail is printable ASCII`);
  }
});

test('parseOtpauthUri caps the input at 2048 characters', async () => {
  for (const row of await vectorTable('otpauth.json', 'too_long')) {
    const parsed = core.parseOtpauthUri(padded(row));
    assert.equal(parsed.ok, false, row.why);
    assert.equal(parsed.code, row.code, row.why);
  }
  for (const row of await vectorTable('otpauth.json', 'at_cap')) {
    const uri = padded(row);
    assert.equal(uri.length, 2048);
    assert.equal(core.parseOtpauthUri(uri).ok, true, row.why);
  }
});

test('otpauth URIs round-trip every algorithm, digit and period bound and secret size', () => {
  const recommended = { SHA1: 20, SHA256: 32, SHA512: 64 };
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512']) {
    for (const digits of [6, 8]) {
      for (const period of [1, 30, 3600]) {
        for (const size of [10, recommended[algorithm], 128]) {
          const secret = Uint8Array.from({ length: size }, (_, i) => (i * 151 + 7) & 0xff);
          const fields = { issuer: 'Sesame Demo', account: 'user name+tag@example.org', secret, algorithm, digits, period };
          const what = `${algorithm} ${digits} digits ${period} s ${size} bytes`;
          const parsed = okValue(core.parseOtpauthUri(okValue(core.buildOtpauthUri(fields), what)), what);
          assert.deepEqual(parsed, fields, what);
        }
      }
    }
  }
});

test('buildOtpauthUri refuses labels that cannot round-trip with invalid_otpauth_uri', () => {
  // Labels with bytes that are not UTF-8 (the native suite's "al\xFFice", "\xC3") cannot
  // be written as JS strings, so they are not repeated here.
  const base = { issuer: 'Example', account: 'alice@example.com', secret: new Uint8Array(20).fill(0x5a) };
  for (const change of [{ account: '' }, { account: 'alice:bob' }, { account: 'al\nice' }, { issuer: 'Exa:mple' },
    { issuer: 'Exa\x01mple' }]) {
    const built = core.buildOtpauthUri({ ...base, ...change });
    assert.equal(built.ok, false, JSON.stringify(change));
    assert.equal(built.code, 'invalid_otpauth_uri', JSON.stringify(change));
    assert.ok(built.detail.length > 0);
  }
});

test('buildOtpauthUri refuses invalid parameters and secret sizes with invalid_otp_parameters', () => {
  const base = { issuer: 'Example', account: 'alice@example.com', secret: new Uint8Array(20).fill(0x5a) };
  for (const change of [{ digits: 5 }, { period: 0 }, { algorithm: 'SHA384' }, { secret: new Uint8Array(0) },
    { secret: new Uint8Array(9) }, { secret: new Uint8Array(129) }]) {
    const built = core.buildOtpauthUri({ ...base, ...change });
    assert.equal(built.ok, false, JSON.stringify(change));
    assert.equal(built.code, 'invalid_otp_parameters', JSON.stringify(change));
  }
});

test('buildOtpauthUri refuses URIs longer than parse accepts with input_too_large', () => {
  const base = { issuer: 'Example', secret: new Uint8Array(20).fill(0x5a) };
  const tooLong = core.buildOtpauthUri({ ...base, account: 'a'.repeat(2000) });
  assert.equal(tooLong.ok, false);
  assert.equal(tooLong.code, 'input_too_large');
  const fits = okValue(core.buildOtpauthUri({ ...base, account: 'a'.repeat(1000) }), '1000 characters');
  assert.ok(fits.length <= 2048);
  assert.equal(core.parseOtpauthUri(fits).ok, true);
});

test('the otpauth secret is unpadded base32', () => {
  const secret = new Uint8Array(16).fill(0xa5); // 16 bytes would need "======"
  const uri = okValue(core.buildOtpauthUri({ issuer: 'Example', account: 'alice@example.com', secret }), 'build');
  assert.ok(uri.includes(`secret=${core.base32Encode(secret, false).value}&`), uri);
  assert.ok(!uri.includes('=='), uri);
});

// ---------------------------------------------------------------------------
// QR codes

const qrUri = 'otpauth://totp/Sesame:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Sesame' +
  '&algorithm=SHA1&digits=6&period=30';

function qr(text, options = {}) {
  return okValue(core.qrSvg(text, options), `qrSvg of ${text.length} characters`);
}

function attribute(svg, element, name) {
  const start = svg.indexOf(`<${element} `);
  assert.ok(start >= 0, `no <${element}>`);
  const tag = svg.slice(start, svg.indexOf('>', start));
  const match = tag.match(new RegExp(` ${name}="([^"]*)"`));
  assert.ok(match, `<${element}> has no ${name}`);
  return match[1];
}

function extent(svg) {
  const viewBox = attribute(svg, 'svg', 'viewBox').split(' ').map(Number);
  assert.equal(viewBox[0], 0);
  assert.equal(viewBox[1], 0);
  assert.equal(viewBox[2], viewBox[3]);
  return viewBox[2];
}

// The path is a list of "Mx yhNv1h-Nz" runs; returns the painted modules as "x,y".
function paintedModules(path) {
  const painted = new Set();
  const run = /M(\d+) (\d+)h(\d+)v1h-(\d+)z/gy;
  let match;
  let consumed = 0;
  while ((match = run.exec(path)) !== null) {
    const [, x, y, length, back] = match.map(Number);
    assert.equal(length, back);
    assert.ok(length > 0);
    for (let i = 0; i < length; i++) {
      const key = `${x + i},${y}`;
      assert.ok(!painted.has(key), `module ${key} painted twice`);
      painted.add(key);
    }
    consumed = run.lastIndex;
  }
  assert.equal(consumed, path.length, 'the path is only runs');
  return painted;
}

function finderPatternAt(painted, size, border, left, top) {
  for (let dy = -1; dy <= 7; dy++) {
    for (let dx = -1; dx <= 7; dx++) {
      const x = left + dx;
      const y = top + dy;
      if (x < 0 || y < 0 || x >= size || y >= size) continue;
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      const dark = ring !== 2 && ring <= 3;
      if (painted.has(`${x + border},${y + border}`) !== dark) return false;
    }
  }
  return true;
}

test('qrSvg is one standalone document: svg, rect and one path, no newline', () => {
  const svg = qr(qrUri);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" '));
  assert.ok(svg.endsWith('</svg>'));
  assert.equal(svg.split('<svg').length - 1, 1);
  assert.equal(svg.split('<path ').length - 1, 1);
  assert.equal(svg.split('<rect ').length - 1, 1);
  assert.equal(svg.split('<').length, svg.split('>').length);
  assert.equal(attribute(svg, 'svg', 'shape-rendering'), 'crispEdges');
  assert.equal(attribute(svg, 'path', 'fill'), '#000');
  assert.equal(attribute(svg, 'rect', 'fill'), '#fff');
  assert.ok(!svg.includes('\n'));
});

test('qrSvg is deterministic and depends on the text', () => {
  assert.equal(qr(qrUri), qr(qrUri));
  assert.notEqual(qr(qrUri), qr(qrUri + 'x'));
});

test('the viewBox is the modules plus twice the border, 4 by default', () => {
  const modules = extent(qr(qrUri, { border: 0 }));
  assert.ok(modules >= 21 && modules <= 177, `size ${modules}`);
  assert.equal((modules - 17) % 4, 0, `size ${modules} is 4 * version + 17`);
  for (const border of [0, 1, 4, 32]) {
    const svg = qr(qrUri, { border });
    assert.equal(extent(svg), modules + 2 * border, `border ${border}`);
    assert.equal(attribute(svg, 'rect', 'width'), String(modules + 2 * border));
    assert.equal(attribute(svg, 'rect', 'height'), String(modules + 2 * border));
  }
  assert.equal(extent(qr(qrUri)), modules + 8);
});

test('the symbol is the smallest version that holds the bytes (14 bytes fit version 1 at medium)', () => {
  assert.equal(extent(qr('a'.repeat(14), { border: 0 })), 21);
  assert.equal(extent(qr('a'.repeat(15), { border: 0 })), 25);
  assert.equal(extent(qr('a'.repeat(2331), { border: 0 })), 177);
});

test('the path paints inside the quiet zone and draws the three finder patterns', () => {
  for (const border of [0, 4]) {
    for (const errorCorrection of ['low', 'high']) {
      const svg = qr(qrUri, { border, errorCorrection });
      const size = extent(svg) - 2 * border;
      const painted = paintedModules(attribute(svg, 'path', 'd'));
      assert.ok(painted.size > 0);
      for (const key of painted) {
        const [x, y] = key.split(',').map(Number);
        assert.ok(x >= border && y >= border && x < border + size && y < border + size, `module ${key} outside`);
      }
      assert.ok(finderPatternAt(painted, size, border, 0, 0), 'top left');
      assert.ok(finderPatternAt(painted, size, border, size - 7, 0), 'top right');
      assert.ok(finderPatternAt(painted, size, border, 0, size - 7), 'bottom left');
      assert.ok(!finderPatternAt(painted, size, border, size - 7, size - 7), 'no finder pattern bottom right');
    }
  }
});

test('qrSvg fits exactly the version 40 byte capacity and refuses one byte more with qr_data_too_long', () => {
  for (const [errorCorrection, capacity] of [['low', 2953], ['medium', 2331], ['quartile', 1663], ['high', 1273]]) {
    assert.equal(extent(qr('a'.repeat(capacity), { border: 4, errorCorrection })), 185, errorCorrection);
    for (const text of ['a'.repeat(capacity + 1), '7'.repeat(capacity + 1)]) {
      const over = core.qrSvg(text, { errorCorrection });
      assert.equal(over.ok, false, errorCorrection);
      assert.equal(over.code, 'qr_data_too_long', errorCorrection);
    }
  }
});

test('qrSvg refuses empty text with invalid_argument', () => {
  const empty = core.qrSvg('', {});
  assert.equal(empty.ok, false);
  assert.equal(empty.code, 'invalid_argument');
});

test('qrSvg refuses borders outside 0..32 and unknown error correction levels with invalid_argument', () => {
  for (const options of [{ border: -1 }, { border: 33 }, { errorCorrection: 'extreme' }, { errorCorrection: 'L' }]) {
    const svg = core.qrSvg(qrUri, options);
    assert.equal(svg.ok, false, JSON.stringify(options));
    assert.equal(svg.code, 'invalid_argument', JSON.stringify(options));
  }
});

test('qrSvg encodes the bytes after a NUL and any UTF-8', () => {
  assert.notEqual(qr('a\0b'), qr('a'));
  assert.equal(core.qrSvg('Bücher & Co 🔐', {}).ok, true);
});

test('higher error correction never shrinks the symbol', () => {
  let previous = 0;
  for (const errorCorrection of ['low', 'medium', 'quartile', 'high']) {
    const size = extent(qr(qrUri, { errorCorrection }));
    assert.ok(size >= previous, errorCorrection);
    previous = size;
  }
});
