// The Sesame demo: every screen uses only the browser SDK (sesame-auth, served
// by this server at /sdk/). The refresh token lives in an HttpOnly cookie; the
// access token only in the SDK's memory. Screens are picked by the URL's hash
// (#/sign-in, #/account, ...); links from mails arrive as ?action=...&token=...
import { AuthApiError, AuthClient, NetworkError, checkPassword, formatSecret } from '/sdk/lib/index.js';
import {
  $, announce, busy, clearErrors, describeDevice, formatDuration, formatTime, linkifiedText,
  renderBackupCodes, renderPasswordRules, setFieldError, showFormError, showScreen,
} from '/demo/ui.js';

const auth = new AuthClient();  // this origin, cookie delivery
const COUNTDOWN_INTERVAL_MS = 1000;
const PASSWORD_CHECK_DELAY_MS = 120;
// The server's SESAME_PRODUCT_NAME (its default): a context word of every password.
const PRODUCT_NAME = 'Sesame';
const ENROLMENT_SCOPE = 'mfa_enrolment';
const SIGNED_IN_SCREENS = new Set(['account', 'enrol']);

let resetToken = null;       // from a reset link, kept in memory only
let pendingEmail = '';       // the address of the sign-in in progress (for the mailbox and messages)
let enrolmentStarted = false;

// ---- messages ---------------------------------------------------------------

/** Words for an SDK error, with the wait time where the server gave one. */
function describe(error) {
  if (error instanceof NetworkError) return 'The server cannot be reached. Check the connection and try again.';
  const wait = error.retryAfterSeconds ? ` Try again in ${formatDuration(error.retryAfterSeconds)}.` : '';
  switch (error.code) {
    case 'invalid_credentials': return 'The email or password is wrong.';
    case 'account_locked': return `Too many failed attempts for this account.${wait || ' Try again later.'}`;
    case 'rate_limited': return `Too many requests from this address.${wait || ' Try again later.'}`;
    case 'server_busy': return `The server is busy.${wait || ' Try again in a moment.'}`;
    case 'account_disabled': return 'This account is disabled.';
    case 'email_not_verified': return 'Verify your email address first: open the link we mailed you.';
    case 'email_taken': return 'An account with this email already exists.';
    case 'invalid_mfa_code': return 'That code is not right, or it was used already. Wait for the next one.';
    case 'mfa_token_invalid': return 'This sign-in took too long or had too many tries. Start again.';
    case 'reset_token_invalid': return 'This reset link is expired or was used already. Ask for a new one.';
    case 'verification_token_invalid': return 'This verification link is expired or was replaced by a newer one.';
    case 'reauthentication_required': return 'Enter your password again to continue.';
    case 'password_breached': return 'This password appeared in a data breach. Choose another one.';
    case 'session_revoked': return 'Your session has ended. Sign in again.';
    default: return error.message || 'Something went wrong.';
  }
}

/** Server-side password violations (422) under the password field. */
function passwordViolation(error) {
  if (!(error instanceof AuthApiError)) return null;
  if (error.code === 'password_breached') return describe(error);
  if (error.code !== 'password_policy_violation') return null;
  return error.violations.map((v) => v.detail ?? v.code).join('; ') || describe(error);
}

// ---- live password rules ------------------------------------------------------

// The context the server checks a new password against (ASVS 6.2.11).
function passwordContext(email, name) {
  return { email, name, extraWords: [PRODUCT_NAME] };
}

function watchPassword(inputId, listId, emailOf, nameOf = () => '') {
  let timer = null;
  $(inputId).addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const verdict = await checkPassword($(inputId).value, passwordContext(emailOf(), nameOf()));
      renderPasswordRules($(listId), verdict);
    }, PASSWORD_CHECK_DELAY_MS);
  });
}

async function passwordAcceptable(inputId, listId, email, name = '') {
  const verdict = await checkPassword($(inputId).value, passwordContext(email, name));
  renderPasswordRules($(listId), verdict);
  if (!verdict.acceptable) setFieldError(inputId, 'The password does not meet the rules above.');
  return verdict.acceptable;
}

// ---- routing -------------------------------------------------------------------

function go(screen) {
  if (location.hash !== `#/${screen}`) location.hash = `#/${screen}`;
  else route();
}

async function route() {
  const requested = location.hash.replace(/^#\//, '') || (auth.session ? 'account' : 'sign-in');
  let screen = requested;
  if (SIGNED_IN_SCREENS.has(screen) && !auth.session) screen = 'sign-in';
  if (['sign-in', 'register'].includes(screen) && auth.session) screen = 'account';
  if (screen === 'mfa' && auth.state !== 'mfa_pending') screen = 'sign-in';
  if (screen === 'reset' && !resetToken) screen = 'forgot';
  if (auth.session?.scope === ENROLMENT_SCOPE && screen === 'account') screen = 'enrol';
  if (!$(`screen-${screen}`)) screen = auth.session ? 'account' : 'sign-in';
  showScreen(screen);
  if (screen === 'account') await loadAccount();
  if (screen === 'enrol') await startEnrolment();
  if (screen === 'mailbox' && pendingEmail && !$('mailbox-to').value) $('mailbox-to').value = pendingEmail;
}

// ---- sign-in, MFA, registration -------------------------------------------------

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const email = $('sign-in-email').value.trim();
  const password = $('sign-in-password').value;
  if (!email) return showFormError(form, 'Enter your email address.', 'sign-in-email');
  if (!password) return showFormError(form, 'Enter your password.', 'sign-in-password');
  return busy(form, async () => {
    try {
      pendingEmail = email;
      const result = await auth.signIn({ email, password });
      $('sign-in-password').value = '';
      if (result.mfaRequired) {
        go('mfa');
        return;
      }
      announce('You are signed in.', 'success');
      go(auth.session.scope === ENROLMENT_SCOPE ? 'enrol' : 'account');
    } catch (error) {
      showFormError(form, describe(error));
    }
  });
});

let mfaWithBackupCode = false;
$('mfa-toggle').addEventListener('click', () => {
  mfaWithBackupCode = !mfaWithBackupCode;
  $('mfa-code-field').hidden = mfaWithBackupCode;
  $('mfa-backup-field').hidden = !mfaWithBackupCode;
  $('mfa-toggle').textContent = mfaWithBackupCode ? 'Use the authenticator app instead' : 'Use a backup code instead';
  clearErrors($('mfa-form'));
  $(mfaWithBackupCode ? 'mfa-backup' : 'mfa-code').focus();
});

$('mfa-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const inputId = mfaWithBackupCode ? 'mfa-backup' : 'mfa-code';
  const value = $(inputId).value.trim();
  if (!value) return showFormError(form, mfaWithBackupCode ? 'Enter a backup code.' : 'Enter the 6-digit code.', inputId);
  return busy(form, async () => {
    try {
      await auth.verifyMfa(mfaWithBackupCode ? { backupCode: value } : { code: value });
      $(inputId).value = '';
      announce(mfaWithBackupCode ? 'Signed in with a backup code. It will not work again.' : 'You are signed in.', 'success');
      go('account');
    } catch (error) {
      if (error.code === 'mfa_token_invalid') {
        announce(describe(error), 'error');
        go('sign-in');
        return;
      }
      $(inputId).value = '';
      showFormError(form, describe(error), error.code === 'invalid_mfa_code' || error.code === 'invalid_backup_code' ? inputId : undefined);
    }
  });
});

$('mfa-cancel').addEventListener('click', () => { auth.signOut().catch(() => {}); });

watchPassword('register-password', 'register-password-rules', () => $('register-email').value.trim(),
  () => $('register-name').value.trim());
$('register-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const name = $('register-name').value.trim();
  const email = $('register-email').value.trim();
  const password = $('register-password').value;
  if (!email.includes('@')) return showFormError(form, 'Enter a valid email address.', 'register-email');
  return busy(form, async () => {
    if (!(await passwordAcceptable('register-password', 'register-password-rules', email, $('register-name').value.trim()))) {
      $('register-password').focus();
      return;
    }
    try {
      await auth.register({ email, password, ...(name ? { name } : {}) });
      pendingEmail = email;
      try {
        await auth.signIn({ email, password });
        announce('Welcome! We mailed you a link to verify your address.', 'success');
        go(auth.session.scope === ENROLMENT_SCOPE ? 'enrol' : 'account');
      } catch (error) {
        // e.g. SESAME_REQUIRE_VERIFIED_EMAIL: the account exists, sign-in waits for the link.
        announce(`Your account is ready. ${describe(error)}`, 'info');
        $('sign-in-email').value = email;
        go('sign-in');
      }
    } catch (error) {
      if (error.code === 'email_taken') return showFormError(form, describe(error), 'register-email');
      const violation = passwordViolation(error);
      if (violation) return showFormError(form, violation, 'register-password');
      return showFormError(form, describe(error));
    }
  });
});

// ---- recovery --------------------------------------------------------------------

$('forgot-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const email = $('forgot-email').value.trim();
  if (!email.includes('@')) return showFormError(form, 'Enter a valid email address.', 'forgot-email');
  return busy(form, async () => {
    try {
      await auth.requestPasswordReset({ email });
      pendingEmail = email;
      announce('If an account uses this address, a reset link is on its way. It works for 30 minutes.', 'success');
    } catch (error) {
      showFormError(form, describe(error));
    }
  });
});

watchPassword('reset-password', 'reset-password-rules', () => '');
$('reset-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  return busy(form, async () => {
    if (!(await passwordAcceptable('reset-password', 'reset-password-rules', ''))) return $('reset-password').focus();
    try {
      await auth.completePasswordReset({ token: resetToken, newPassword: $('reset-password').value });
      resetToken = null;
      $('reset-password').value = '';
      announce('Your password is changed and every session has ended. Sign in with the new password.', 'success');
      go('sign-in');
    } catch (error) {
      const violation = passwordViolation(error);
      if (violation) return showFormError(form, violation, 'reset-password');
      return showFormError(form, describe(error));
    }
  });
});

/** A link from a mail: ?action=verify-email|reset-password&token=... (removed from the address bar at once). */
async function followMailLink() {
  const query = new URLSearchParams(location.search);
  const token = query.get('token');
  const action = query.get('action');
  if (!token) return null;
  history.replaceState(null, '', location.pathname + location.hash);
  if (action === 'reset-password') {
    resetToken = token;
    return 'reset';
  }
  try {
    await auth.verifyEmail({ token });
    announce('Your email address is verified.', 'success');
  } catch (error) {
    announce(describe(error), 'error');
  }
  return null;
}

$('resend-verification').addEventListener('click', async () => {
  try {
    await auth.resendVerification();
    announce('A new verification link is on its way; the old one no longer works.', 'success');
  } catch (error) {
    announce(describe(error), 'error');
  }
});

// ---- the account page -----------------------------------------------------------

async function loadAccount() {
  try {
    const [me, sessions] = await Promise.all([auth.me(), auth.sessions()]);
    $('profile-name').textContent = me.name ?? '(not set)';
    $('profile-email').textContent = `${me.email}${me.email_verified ? ' (verified)' : ' (not verified)'}`;
    $('profile-roles').textContent = me.roles.join(', ');
    $('profile-created').textContent = formatTime(me.created_at);
    $('verify-banner').hidden = me.email_verified;
    $('mfa-status').textContent = me.mfa_enabled
      ? `On. ${me.backup_codes_remaining} backup code${me.backup_codes_remaining === 1 ? '' : 's'} left.`
      : 'Off. Sign-in asks only for your password.';
    $('enrol-link').hidden = me.mfa_enabled;
    $('regenerate-open').hidden = !me.mfa_enabled;
    $('disable-open').hidden = !me.mfa_enabled;
    renderSessions(sessions);
  } catch (error) {
    announce(describe(error), 'error');
  }
}

function renderSessions(sessions) {
  const body = $('sessions-body');
  body.replaceChildren();
  for (const session of sessions) {
    const row = document.createElement('tr');
    const device = document.createElement('td');
    device.textContent = describeDevice(session.user_agent);
    if (session.current) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'this device';
      device.append(' ', badge);
    }
    const cells = [session.ip || 'unknown', formatTime(session.created_at), formatTime(session.last_active_at)].map((text) => {
      const cell = document.createElement('td');
      cell.textContent = text;
      return cell;
    });
    const action = document.createElement('td');
    if (!session.current) {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'secondary small';
      revoke.textContent = 'Sign out';
      revoke.setAttribute('aria-label', `Sign out ${describeDevice(session.user_agent)}, signed in ${formatTime(session.created_at)}`);
      revoke.addEventListener('click', async () => {
        try {
          await auth.revokeSession(session.id);
          announce('That session has ended.', 'success');
          await loadAccount();
          $('sessions-title').focus();
        } catch (error) {
          announce(describe(error), 'error');
        }
      });
      action.append(revoke);
    }
    row.append(device, ...cells, action);
    body.append(row);
  }
  $('revoke-others').hidden = sessions.length < 2;
}
$('sessions-title').tabIndex = -1;

$('revoke-others').addEventListener('click', async () => {
  try {
    await auth.revokeOtherSessions();
    announce('Every other session has ended.', 'success');
    await loadAccount();
  } catch (error) {
    announce(describe(error), 'error');
  }
});

watchPassword('password-new', 'password-new-rules', () => $('profile-email').textContent.split(' ')[0]);
$('password-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  if (!$('password-current').value) return showFormError(form, 'Enter your current password.', 'password-current');
  return busy(form, async () => {
    const email = $('profile-email').textContent.split(' ')[0];
    if (!(await passwordAcceptable('password-new', 'password-new-rules', email))) return $('password-new').focus();
    try {
      await auth.changePassword({ currentPassword: $('password-current').value, newPassword: $('password-new').value });
      form.reset();
      $('password-new-rules').replaceChildren();
      announce('Your password is changed. Your other sessions have ended.', 'success');
      await loadAccount();
    } catch (error) {
      if (error.code === 'invalid_credentials') return showFormError(form, 'The current password is wrong.', 'password-current');
      const violation = passwordViolation(error);
      if (violation) return showFormError(form, violation, 'password-new');
      return showFormError(form, describe(error), 'password-current');
    }
  });
});

$('sign-out').addEventListener('click', async () => {
  try {
    await auth.signOut();
  } catch (error) {
    announce(describe(error), 'error');
  }
});

$('refresh-now').addEventListener('click', async () => {
  try {
    await auth.refreshSession();
    announce('The access token was refreshed.', 'success');
  } catch (error) {
    announce(describe(error), 'error');
  }
});

// ---- two-factor sign-in: enrol, regenerate, turn off ---------------------------------

async function startEnrolment(password) {
  if (enrolmentStarted && password === undefined) return;
  $('enrol-done').hidden = true;
  $('enrol-banner').hidden = auth.session?.scope !== ENROLMENT_SCOPE;
  try {
    const enrolment = await auth.setupTotp(password === undefined ? {} : { password });
    enrolmentStarted = true;
    $('reauth-form').hidden = true;
    $('enrol-qr').innerHTML = enrolment.qrSvg;  // drawn by the SDK's core from the otpauth URI
    $('enrol-secret').textContent = formatSecret(enrolment.secret);
    $('enrol-secret').dataset.secret = enrolment.secret;
    $('enrol-steps').hidden = false;
    const tick = () => { $('enrol-countdown').textContent = String(enrolment.countdown().secondsRemaining); };
    tick();
    clearInterval(startEnrolment.timer);
    startEnrolment.timer = setInterval(tick, COUNTDOWN_INTERVAL_MS);
    $('confirm-code').focus();
  } catch (error) {
    if (error.code === 'reauthentication_required') {
      $('reauth-form').hidden = false;
      $('enrol-steps').hidden = true;
      $('reauth-password').focus();
      return;
    }
    if (password !== undefined && error.code === 'invalid_credentials') {
      setFieldError('reauth-password', 'The password is wrong.');
      $('reauth-password').focus();
      return;
    }
    if (error.code === 'mfa_already_enabled') {
      announce('Two-factor sign-in is already on.', 'info');
      go('account');
      return;
    }
    announce(describe(error), 'error');
  }
}

$('reauth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors(event.currentTarget);
  return busy(event.currentTarget, () => startEnrolment($('reauth-password').value));
});

$('confirm-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const code = $('confirm-code').value.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) return showFormError(form, 'Enter the 6-digit code the app shows.', 'confirm-code');
  return busy(form, async () => {
    try {
      const codes = await auth.confirmTotp({ code });
      clearInterval(startEnrolment.timer);
      enrolmentStarted = false;
      $('enrol-steps').hidden = true;
      $('enrol-banner').hidden = true;
      $('confirm-code').value = '';
      announce('Two-factor sign-in is on.', 'success');
      renderBackupCodes($('enrol-done'), codes, { onDone: () => go('account') });
    } catch (error) {
      $('confirm-code').value = '';
      showFormError(form, describe(error), 'confirm-code');
    }
  });
});

for (const [button, form, first] of [['regenerate-open', 'regenerate-form', 'regenerate-code'], ['disable-open', 'disable-form', 'disable-password']]) {
  $(button).addEventListener('click', () => {
    $(form).hidden = !$(form).hidden;
    $(button).setAttribute('aria-expanded', String(!$(form).hidden));
    if (!$(form).hidden) $(first).focus();
  });
}

$('regenerate-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  return busy(form, async () => {
    try {
      const codes = await auth.regenerateBackupCodes({ code: $('regenerate-code').value.replace(/\s+/g, '') });
      form.reset();
      form.hidden = true;
      renderBackupCodes($('fresh-codes'), codes, { onDone: async () => { $('fresh-codes').hidden = true; await loadAccount(); } });
      await loadAccount();
    } catch (error) {
      showFormError(form, describe(error), 'regenerate-code');
    }
  });
});

$('disable-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const password = $('disable-password').value;
  const second = $('disable-code').value.trim();
  if (!password) return showFormError(form, 'Enter your password.', 'disable-password');
  if (!second) return showFormError(form, 'Enter a code from the app, or a backup code.', 'disable-code');
  return busy(form, async () => {
    try {
      const factor = /^[\d\s]+$/.test(second) ? { code: second.replace(/\s+/g, '') } : { backupCode: second };
      await auth.disableTotp({ password, ...factor });
      form.reset();
      form.hidden = true;
      announce('Two-factor sign-in is off. Your other sessions have ended.', 'success');
      await loadAccount();
    } catch (error) {
      if (error.code === 'invalid_credentials') return showFormError(form, 'The password is wrong.', 'disable-password');
      return showFormError(form, describe(error), 'disable-code');
    }
  });
});

// ---- dev mailbox ---------------------------------------------------------------

$('mailbox-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const to = $('mailbox-to').value.trim();
  if (!to.includes('@')) return showFormError(form, 'Enter the address the mail went to.', 'mailbox-to');
  const response = await fetch(`/api/v1/dev/mailbox?to=${encodeURIComponent(to)}`, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return showFormError(form, body.detail ?? `The mailbox answered ${response.status}.`, 'mailbox-to');
  const list = $('mailbox-messages');
  list.replaceChildren();
  const messages = [...(body.messages ?? [])].reverse();  // newest first
  if (messages.length === 0) {
    const empty = document.createElement('p');
    empty.textContent = `No mail to ${to} yet.`;
    list.append(empty);
  }
  for (const message of messages) {
    const item = document.createElement('article');
    item.className = 'card mail';
    const subject = document.createElement('h2');
    subject.textContent = message.subject;
    const meta = document.createElement('p');
    meta.className = 'hint';
    meta.textContent = `To ${message.to} · ${formatTime(message.created_at)}`;
    item.append(subject, meta, linkifiedText(message.text));
    list.append(item);
  }
  return undefined;
});

// ---- the access token's life, shown ----------------------------------------------

function log(text) {
  const entry = document.createElement('li');
  entry.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('event-log').prepend(entry);
  while ($('event-log').children.length > 8) $('event-log').lastElementChild.remove();
}

auth.onAuthStateChange((event, session) => {
  const words = {
    SIGNED_IN: 'Signed in.',
    TOKEN_REFRESHED: 'Silent refresh: a new access token.',
    MFA_REQUIRED: 'Password accepted; the second factor is next.',
    SIGNED_OUT: 'Signed out.',
    SESSION_EXPIRED: 'The access token expired while the server was unreachable.',
  };
  log(words[event] ?? event);
  if (event === 'TOKEN_REFRESHED' && session) $('token-refreshed').textContent = `Last refreshed at ${new Date(session.issuedAtMs).toLocaleTimeString()}.`;
  if (event === 'SIGNED_OUT') {
    const wasSignedIn = SIGNED_IN_SCREENS.has(location.hash.replace(/^#\//, ''));
    if (wasSignedIn) announce('You are signed out.', 'info');
    enrolmentStarted = false;
    go('sign-in');
  }
  if (event === 'SIGNED_IN' && !SIGNED_IN_SCREENS.has(location.hash.replace(/^#\//, '')) && location.hash !== '#/mfa') {
    // Another tab signed in: this one follows.
    go('account');
  }
});

setInterval(() => {
  const session = auth.session;
  $('token-countdown').textContent = session ? formatDuration((session.expiresAtMs - Date.now()) / 1000) : '–';
}, COUNTDOWN_INTERVAL_MS);

// ---- start ---------------------------------------------------------------------

async function start() {
  window.addEventListener('hashchange', () => { route(); });
  // The dev mailbox exists only in dev mode; elsewhere it is a 404.
  fetch('/api/v1/dev/mailbox?to=probe%40example.invalid')
    .then((response) => { $('mailbox-link').hidden = response.status === 404; })
    .catch(() => {});
  const fromMail = await followMailLink();
  await auth.initialize();
  if (fromMail) go(fromMail);
  else await route();
  document.documentElement.dataset.ready = 'true';
}

start().catch((error) => announce(describe(error), 'error'));
