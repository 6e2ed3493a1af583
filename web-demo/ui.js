// DOM helpers of the demo: screens, messages next to the field that caused
// them, the password rules, backup codes, and readable times. Text is always
// set with textContent; the only markup inserted is the QR code's SVG, which
// the SDK's core draws.

const $ = (id) => document.getElementById(id);
export { $ };

const SCREENS = ['sign-in', 'mfa', 'register', 'forgot', 'reset', 'account', 'enrol', 'mailbox'];

/** Shows one screen, hides the others, and moves the focus to its heading. */
export function showScreen(name, { focus = true } = {}) {
  for (const screen of SCREENS) $(`screen-${screen}`).hidden = screen !== name;
  const heading = document.querySelector(`#screen-${name} h1`);
  document.title = `${heading.textContent} · Sesame demo`;
  if (focus) heading.focus();
}

/** The page-wide message (announced by the status region). */
export function announce(text, kind = 'info') {
  const status = $('status');
  status.textContent = text;
  status.className = `status ${kind}`;
}

/** A message under one input, tied to it with aria-describedby and aria-invalid. */
export function setFieldError(inputId, text) {
  const input = $(inputId);
  const error = $(`${inputId}-error`);
  error.textContent = text ?? '';
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** Clears a form's field and form messages. */
export function clearErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  for (const message of form.querySelectorAll('.field-error, .form-error')) message.textContent = '';
}

/** The form-level message, or the first field's message; focus goes to what needs fixing. */
export function showFormError(form, text, inputId) {
  if (inputId) {
    setFieldError(inputId, text);
    $(inputId).focus();
    return;
  }
  const message = form.querySelector('.form-error');
  if (message) message.textContent = text;
  else announce(text, 'error');
}

/** Disables a form's buttons while `work` runs, so a double click sends nothing twice. */
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  for (const button of buttons) button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const button of buttons) button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/** "4 min 10 s", "45 s": for Retry-After and the token countdown. */
export function formatDuration(totalSeconds) {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

export function formatTime(rfc3339) {
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? rfc3339 : date.toLocaleString();
}

/** "Chrome on Linux" from a User-Agent header, for the sessions list. */
export function describeDevice(userAgent) {
  if (!userAgent) return 'Unknown device';
  const browser = [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari'], ['curl/', 'curl']]
    .find(([marker]) => userAgent.includes(marker))?.[1] ?? 'A browser';
  const system = [['Android', 'Android'], ['iPhone', 'iOS'], ['Windows', 'Windows'], ['Mac OS', 'macOS'], ['Linux', 'Linux']]
    .find(([marker]) => userAgent.includes(marker))?.[1];
  return system ? `${browser} on ${system}` : browser;
}

const RULE_TEXT = {
  password_too_short: (v) => `At least ${v?.minLength ?? 8} characters`,
  password_common: () => 'Not one of the most common passwords',
  password_matches_email: () => 'Not your email address',
};

// Rules shown only when broken.
const EXTRA_RULE_TEXT = {
  password_too_long: (v) => `At most ${v.maxLength} characters`,
  password_matches_context: () => 'Not built on your name, your email or the name of this site',
};

/**
 * Lists the policy's rules for a typed password with the core's verdict (the
 * one the server will give): met or not, in words, not colour alone.
 */
export function renderPasswordRules(list, verdict) {
  list.replaceChildren();
  const violated = new Map(verdict.violations.map((v) => [v.code, v]));
  for (const [code, text] of Object.entries(RULE_TEXT)) {
    const item = document.createElement('li');
    const met = !violated.has(code);
    item.className = met ? 'met' : 'unmet';
    item.textContent = `${met ? '✓' : '✗'} ${text(violated.get(code) ?? verdict.violations[0])}`;
    const state = document.createElement('span');
    state.className = 'visually-hidden';
    state.textContent = met ? ' (met)' : ' (not met)';
    item.append(state);
    list.append(item);
  }
  for (const violation of verdict.violations) {
    if (RULE_TEXT[violation.code]) continue;
    const item = document.createElement('li');
    item.className = 'unmet';
    item.textContent = `✗ ${EXTRA_RULE_TEXT[violation.code]?.(violation) ?? violation.code}`;
    list.append(item);
  }
}

/** The backup codes, shown once, with copy and download. */
export function renderBackupCodes(container, codes, { onDone } = {}) {
  container.replaceChildren();
  const heading = document.createElement('h2');
  heading.textContent = 'Save your backup codes';
  heading.tabIndex = -1;
  const intro = document.createElement('p');
  intro.textContent = 'Each code signs you in once if you lose your phone. They are shown only now.';
  const list = document.createElement('ol');
  list.className = 'codes';
  for (const code of codes) {
    const item = document.createElement('li');
    const text = document.createElement('code');
    text.textContent = code;
    item.append(text);
    list.append(item);
  }
  const actions = document.createElement('div');
  actions.className = 'actions';
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'secondary';
  copy.textContent = 'Copy';
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      announce('The backup codes are copied.', 'success');
    } catch {
      announce('Copying is not allowed here: select the codes, or download them.', 'error');
    }
  });
  const download = document.createElement('a');
  download.className = 'button secondary';
  download.textContent = 'Download';
  download.download = 'sesame-backup-codes.txt';
  download.href = URL.createObjectURL(new Blob([`Sesame backup codes\n\n${codes.join('\n')}\n`], { type: 'text/plain' }));
  actions.append(copy, download);
  if (onDone) {
    const done = document.createElement('button');
    done.type = 'button';
    done.textContent = 'I saved them';
    done.addEventListener('click', onDone);
    actions.append(done);
  }
  container.append(heading, intro, list, actions);
  container.hidden = false;
  heading.focus();
}

/** A mail's text with its links clickable (built as nodes, never as HTML). */
export function linkifiedText(text) {
  const paragraph = document.createElement('p');
  paragraph.className = 'mail-text';
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    paragraph.append(text.slice(last, match.index));
    const link = document.createElement('a');
    link.href = match[0];
    link.textContent = match[0];
    paragraph.append(link);
    last = match.index + match[0].length;
  }
  paragraph.append(text.slice(last));
  return paragraph;
}
