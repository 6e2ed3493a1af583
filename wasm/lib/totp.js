// TOTP enrolment and the second step's inputs: the QR code is drawn here by the
// core, so the secret never goes to a third-party QR service; backup codes are
// formatted and normalised by the same code the server runs.

import { loadCore } from './core.js';
import { SesameError } from './errors.js';

const SECRET_GROUP_CHARS = 4;

/** "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": easier to type into an app by hand. */
export function formatSecret(secret) {
  if (typeof secret !== 'string') throw new SesameError('invalid_argument', 'the secret is a base32 string');
  const compact = secret.replace(/[\s=]/g, '').toUpperCase();
  return compact.match(new RegExp(`.{1,${SECRET_GROUP_CHARS}}`, 'g'))?.join(' ') ?? '';
}

/** Where `nowMs` falls in its TOTP period: {step, secondsRemaining, progress (0..1)}. */
export function totpCountdown(periodSeconds = 30, nowMs = Date.now()) {
  const periodMs = periodSeconds * 1000;
  const intoPeriodMs = ((nowMs % periodMs) + periodMs) % periodMs;
  return {
    step: Math.floor(nowMs / periodMs),
    secondsRemaining: Math.ceil((periodMs - intoPeriodMs) / 1000),
    progress: intoPeriodMs / periodMs,
  };
}

/**
 * From the answer of POST /mfa/totp/setup ({secret, otpauth_uri}): the QR code as
 * SVG, the URI's fields, the secret formatted for manual entry, and a countdown.
 * `qr` passes {border, errorCorrection} to the core's QR encoder.
 */
export async function totpEnrolment(setup, { qr } = {}) {
  const core = await loadCore();
  const uri = core.parseOtpauthUri(setup?.otpauth_uri);
  uri.secret.fill(0);  // the bytes are not needed here; the base32 text is shown instead
  return {
    otpauthUri: setup.otpauth_uri,
    qrSvg: core.qrSvg(setup.otpauth_uri, qr),
    secret: setup.secret,
    formattedSecret: formatSecret(setup.secret),
    issuer: uri.issuer,
    account: uri.account,
    algorithm: uri.algorithm,
    digits: uri.digits,
    period: uri.period,
    countdown: (nowMs = Date.now()) => totpCountdown(uri.period, nowMs),
  };
}

/** Backup codes as people should read them ("abcde-fghjk"). */
export async function formatBackupCodes(codes) {
  if (!Array.isArray(codes)) throw new SesameError('invalid_argument', 'backup codes come as an array of strings');
  const core = await loadCore();
  return codes.map((code) => core.formatBackupCode(code));
}

/** What a person typed ("ABCDE FGHJK", "abcde-fghjk") as the server expects it; rejects invalid_backup_code. */
export async function normalizeBackupCode(typed) {
  return (await loadCore()).normalizeBackupCode(typed);
}

/**
 * The server's password rules (NIST SP 800-63B: length, common passwords, not the
 * email), checked by the same core: {acceptable, length, violations: [{code, minLength, maxLength, length}]}.
 */
export async function checkPassword(password, options) {
  return (await loadCore()).checkPassword(password, options);
}
