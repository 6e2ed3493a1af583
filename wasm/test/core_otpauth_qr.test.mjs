// otpauth:// URIs and QR codes through the package's core, on the same vector
// tables as tests/core/otpauth_test.cpp and qr_test.cpp, and the TOTP enrolment
// helpers of lib/totp.js built on them. The browser only parses URIs and draws
// QR codes; building URIs and computing codes stay on the server (ctest and
// parity.test.mjs cover them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncOutcome, loadCore, loadSdk, outcome, refusal, vectorTable, hex } from './support/core.mjs';

const sdk = await loadSdk();
const core = await loadCore();




// ---------------------------------------------------------------------------
// otpauth:// URIs

function assertParsedAs(parsed, row) {
  assert.deepEqual({ ...parsed, secret: hex(parsed.secret) }, {
    issuer: row.issuer,
    account: row.account,
    secret: row.secret_hex,
    algorithm: row.algorithm,
    digits: row.digits,
    period: row.period,
  }, row.why);
  assert.ok(parsed.secret instanceof Uint8Array, row.why);
}

const padded = (row) => row.uri_prefix.padEnd(row.length, row.pad_char);

test('parseOtpauthUri accepts the common variants of the table with their fields', async () => {
  for (const row of await vectorTable('otpauth.json', 'parse')) {
    assertParsedAs(core.parseOtpauthUri(row.uri), row);
  }
});

test('parseOtpauthUri reads back every URI the server builds (the table\'s build rows)', async () => {
  for (const row of await vectorTable('otpauth.json', 'build')) {
    assertParsedAs(core.parseOtpauthUri(row.uri), row);
  }
});

test('parseOtpauthUri refuses every malformed URI with its code and a detail that never repeats the secret', async () => {
  for (const { uri, code, why } of await vectorTable('otpauth.json', 'invalid')) {
    const error = refusal(() => core.parseOtpauthUri(uri), why);
    assert.equal(error.code, code, why);
    assert.notEqual(error.message, error.code, `${why}: no detail`);
    assert.ok(!error.message.includes('JBSWY3DP'), `${why}: the detail echoes the secret`);
    assert.match(error.message, /^[ -~]+$/, `${why}: the detail is printable ASCII`);
  }
});

test('parseOtpauthUri caps the input at 2048 characters', async () => {
  for (const row of await vectorTable('otpauth.json', 'too_long')) {
    assert.equal(outcome(() => core.parseOtpauthUri(padded(row))), row.code, row.why);
  }
  for (const row of await vectorTable('otpauth.json', 'at_cap')) {
    const uri = padded(row);
    assert.equal(uri.length, 2048);
    assert.equal(outcome(() => core.parseOtpauthUri(uri)), 'ok', row.why);
  }
});

// ---------------------------------------------------------------------------
// QR codes

const qrUri = 'otpauth://totp/Sesame:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Sesame' +
  '&algorithm=SHA1&digits=6&period=30';

const qr = (text, options) => core.qrSvg(text, options);

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
function paintedModules(d) {
  const painted = new Set();
  const run = /M(\d+) (\d+)h(\d+)v1h-(\d+)z/gy;
  let match;
  let consumed = 0;
  while ((match = run.exec(d)) !== null) {
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
  assert.equal(consumed, d.length, 'the path is only runs');
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
  assert.equal(qr(qrUri), qr(qrUri, {}));
  assert.equal(qr(qrUri, { border: 4, errorCorrection: 'medium' }), qr(qrUri), 'the defaults are border 4, medium');
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
      assert.equal(outcome(() => qr(text, { errorCorrection })), 'qr_data_too_long', errorCorrection);
    }
  }
});

test('qrSvg refuses empty text with invalid_argument', () => {
  assert.equal(outcome(() => qr('')), 'invalid_argument');
});

test('qrSvg refuses borders outside 0..32 and unknown error correction levels with invalid_argument', () => {
  for (const options of [{ border: -1 }, { border: 33 }, { border: 1.5 }, { border: 2 ** 40 }, { errorCorrection: 'extreme' },
    { errorCorrection: 'L' }, { errorCorrection: 'Low' }]) {
    assert.equal(outcome(() => qr(qrUri, options)), 'invalid_argument', JSON.stringify(options));
  }
});

test('qrSvg encodes the bytes after a NUL and any UTF-8', () => {
  assert.notEqual(qr('a\0b'), qr('a'));
  assert.notEqual(qr('a\0b'), qr('a\0c'));
  assert.equal(outcome(() => qr('Bücher & Co 🔐')), 'ok');
  assert.notEqual(qr('Bücher'), qr('Bucher'));
});

test('higher error correction never shrinks the symbol', () => {
  let previous = 0;
  for (const errorCorrection of ['low', 'medium', 'quartile', 'high']) {
    const size = extent(qr(qrUri, { errorCorrection }));
    assert.ok(size >= previous, errorCorrection);
    previous = size;
  }
});

// ---------------------------------------------------------------------------
// lib/totp.js: enrolment, secret formatting, countdown

// What POST /mfa/totp/setup answers, for a URI of the table.
const setupOf = (uri) => ({ secret: new URL(uri).searchParams.get('secret'), otpauth_uri: uri });

test('totpEnrolment gives the URI\'s fields, the core\'s QR code and the formatted secret', async () => {
  const rows = [...await vectorTable('otpauth.json', 'build'), ...await vectorTable('otpauth.json', 'parse')];
  for (const row of rows) {
    const setup = setupOf(row.uri);
    const enrolment = await sdk.totpEnrolment(setup);
    const { countdown, ...fields } = enrolment;
    assert.deepEqual(fields, {
      otpauthUri: row.uri,
      qrSvg: core.qrSvg(row.uri),
      secret: setup.secret,
      formattedSecret: sdk.formatSecret(setup.secret),
      issuer: row.issuer,
      account: row.account,
      algorithm: row.algorithm,
      digits: row.digits,
      period: row.period,
    }, row.why);
    const nowMs = 1_700_000_012_345;
    assert.deepEqual(countdown(nowMs), sdk.totpCountdown(row.period, nowMs), row.why);
  }
});

test('totpEnrolment passes the qr options to the core\'s QR encoder', async () => {
  const [row] = await vectorTable('otpauth.json', 'build');
  for (const qrOptions of [{ border: 0 }, { border: 32, errorCorrection: 'high' }, { errorCorrection: 'low' }]) {
    const enrolment = await sdk.totpEnrolment(setupOf(row.uri), { qr: qrOptions });
    assert.equal(enrolment.qrSvg, core.qrSvg(row.uri, qrOptions), JSON.stringify(qrOptions));
  }
  assert.equal(await asyncOutcome(() => sdk.totpEnrolment(setupOf(row.uri), { qr: { border: 33 } })), 'invalid_argument');
});

test('totpEnrolment refuses every malformed URI of the table with its code', async () => {
  for (const { uri, code, why } of await vectorTable('otpauth.json', 'invalid')) {
    assert.equal(await asyncOutcome(() => sdk.totpEnrolment({ secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: uri })), code, why);
  }
  for (const setup of [undefined, null, {}, { secret: 'JBSWY3DPEHPK3PXP' }, { otpauth_uri: 5 }]) {
    assert.equal(await asyncOutcome(() => sdk.totpEnrolment(setup)), 'invalid_argument', JSON.stringify(setup));
  }
});

// Renders the SVG to PNG and scans it with a real decoder, as tests/core/qr_decodes_test.sh does.
function decodeQr(svg, widthPixels) {
  const work = mkdtempSync(path.join(tmpdir(), 'sesame-qr-'));
  try {
    writeFileSync(path.join(work, 'code.svg'), svg);
    execFileSync('rsvg-convert', ['--width', String(widthPixels), '--format', 'png', '--output', path.join(work, 'code.png'),
      path.join(work, 'code.svg')]);
    const decoded = execFileSync('zbarimg', ['--quiet', '--raw', '--nodbus', '-Sdisable', '-Sqrcode.enable', '-Sbinary',
      path.join(work, 'code.png')]);
    // --raw ends the text with a newline.
    return decoded.subarray(0, decoded.at(-1) === 0x0a ? -1 : undefined).toString('utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const hasTool = (name) => {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missingTools = ['rsvg-convert', 'zbarimg'].filter((name) => !hasTool(name));

test('the enrolment QR code decodes back to the exact otpauth URI', async (t) => {
  if (missingTools.length > 0) {
    t.skip(`${missingTools.join(' and ')} not installed (apt-get install librsvg2-bin zbar-tools)`);
    return;
  }
  for (const row of await vectorTable('otpauth.json', 'build')) {
    for (const errorCorrection of ['low', 'high']) {
      const enrolment = await sdk.totpEnrolment(setupOf(row.uri), { qr: { errorCorrection } });
      assert.equal(decodeQr(enrolment.qrSvg, 600), row.uri, `${row.why} (${errorCorrection})`);
    }
  }
});

test('formatSecret groups the base32 secret by four, upper case, without spaces or padding', () => {
  for (const [secret, formatted] of [
    ['JBSWY3DPEHPK3PXP', 'JBSW Y3DP EHPK 3PXP'],
    ['jbswy3dpehpk3pxp', 'JBSW Y3DP EHPK 3PXP'],
    ['JBSW Y3DP EHPK 3PXP', 'JBSW Y3DP EHPK 3PXP'],
    ['AAAQEAYEAUDAOCAJBIFQYDIOB4======', 'AAAQ EAYE AUDA OCAJ BIFQ YDIO B4'],
    ['HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ', 'HXDM VJEC JJWS RB3H WIZR 4IFU GFTM XBOZ'],
    ['ABCDE', 'ABCD E'],
    ['ABC', 'ABC'],
    ['', ''],
    [' \t= ', ''],
  ]) {
    assert.equal(sdk.formatSecret(secret), formatted, JSON.stringify(secret));
  }
});

test('totpCountdown places a time in its period: step, whole seconds left (rounded up) and progress', () => {
  for (const [period, nowMs, expected] of [
    [30, 0, { step: 0, secondsRemaining: 30, progress: 0 }],
    [30, 1, { step: 0, secondsRemaining: 30, progress: 1 / 30_000 }],
    [30, 29_000, { step: 0, secondsRemaining: 1, progress: 29_000 / 30_000 }],
    [30, 29_999, { step: 0, secondsRemaining: 1, progress: 29_999 / 30_000 }],
    [30, 30_000, { step: 1, secondsRemaining: 30, progress: 0 }],
    [30, 59_000, { step: 1, secondsRemaining: 1, progress: 29_000 / 30_000 }],
    [30, 1_111_111_109_000, { step: 0x23523ec, secondsRemaining: 1, progress: 29_000 / 30_000 }],
    [60, 1_700_000_000_123, { step: 28_333_333, secondsRemaining: 40, progress: 20_123 / 60_000 }],
    [1, 1_500, { step: 1, secondsRemaining: 1, progress: 0.5 }],
    [30, -1, { step: -1, secondsRemaining: 1, progress: 29_999 / 30_000 }],
  ]) {
    assert.deepEqual(sdk.totpCountdown(period, nowMs), expected, `${period} s at ${nowMs} ms`);
  }
  assert.deepEqual(sdk.totpCountdown(undefined, 45_000), sdk.totpCountdown(30, 45_000), 'the period defaults to 30 s');
});
