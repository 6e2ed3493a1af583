// What the journeys share: the server's URL, TOTP codes as an authenticator
// app computes them, the dev mailbox, accessibility checks and screenshots.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { expect } from '@playwright/test';

export const PASSWORD = 'violet staircase under 42 lanterns';
export const NEW_PASSWORD = 'seven quiet harbours at dawn 19';
const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../build/e2e/screenshots');

export const serverUrl = (pathname = '/') => `${process.env.SESAME_E2E_URL}${pathname}`;
export const uniqueEmail = (label) => `${label}-${randomBytes(5).toString('hex')}@example.test`;

/** RFC 6238 (SHA-1, 6 digits, 30 s) from the base32 secret the page shows, at now + offsetSeconds. */
export function totpCode(secret, offsetSeconds = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...secret.replace(/\s+/g, '')].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + offsetSeconds) / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The newest mail to `email` whose text holds a link with `action`; its URL. */
export async function linkFromMailbox(email, action) {
  let link = null;
  await expect.poll(async () => {
    const response = await fetch(serverUrl(`/api/v1/dev/mailbox?to=${encodeURIComponent(email)}`));
    const { messages = [] } = await response.json();
    for (const message of [...messages].reverse()) {
      const match = new RegExp(`https?://\\S+action=${action}\\S*`).exec(message.text);
      if (match) {
        link = match[0];
        return true;
      }
    }
    return false;
  }, { message: `a mail to ${email} with an ${action} link`, timeout: 15_000 }).toBe(true);
  return link;
}

/** Runs axe on the page as it is; fails on any serious or critical violation. Keeps a screenshot. */
export async function checkScreen(page, name) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `accessibility of ${name}`).toEqual([]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** One screen of the page (the other screens hold fields of the same names). */
export const screen = (page, name) => page.locator(`#screen-${name}`);

export async function expectScreen(page, title) {
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
}

/** Registers through the form; lands on the account page. */
export async function register(page, email, { name = 'Ada Lovelace' } = {}) {
  await page.goto(serverUrl('/#/register'));
  await expectScreen(page, 'Create an account');
  const form = screen(page, 'register');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expectScreen(page, 'Your account');
}

export async function signIn(page, email, password = PASSWORD) {
  await page.goto(serverUrl('/#/sign-in'));
  await expectScreen(page, 'Sign in');
  const form = screen(page, 'sign-in');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

/** TOTP enrolment from the account page: the secret read off the page, and the backup codes shown. */
export async function enrol(page) {
  await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
  await expectScreen(page, 'Set up an authenticator app');
  await expect(page.locator('#enrol-qr svg')).toBeVisible();
  await checkScreen(page, 'enrol');
  const secret = (await page.locator('#enrol-secret').textContent()).replace(/\s+/g, '');
  await screen(page, 'enrol').getByLabel('Code from the app').fill(totpCode(secret));
  await screen(page, 'enrol').getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.getByRole('heading', { name: 'Save your backup codes' })).toBeFocused();
  const backupCodes = await page.locator('.codes code').allTextContents();
  expect(backupCodes).toHaveLength(10);
  return { secret, backupCodes };
}

/** Counts the requests of a page or context to one API path. */
export function countRequests(target, pathname) {
  const counter = { count: 0, failures: [] };
  target.on('request', (request) => { if (new URL(request.url()).pathname === pathname) counter.count += 1; });
  target.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/') && response.status() >= 400) {
      counter.failures.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
    }
  });
  return counter;
}
