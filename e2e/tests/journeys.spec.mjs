// The demo page's journeys, as a person would make them, with axe-core on
// every screen and a screenshot of each main one (build/e2e/screenshots).
import { expect, test } from '@playwright/test';

import {
  NEW_PASSWORD, PASSWORD, checkScreen, countRequests, enrol, expectScreen, linkFromMailbox, register, screen,
  serverUrl, signIn, totpCode, uniqueEmail,
} from '../support/demo.mjs';

const ACCESS_TOKEN_TTL_S = 30;

test('register, verify the email, enrol TOTP, sign out, then sign in with a code and with a backup code', async ({ page }) => {
  const email = uniqueEmail('journey');
  await page.goto(serverUrl('/#/register'));
  await screen(page, 'register').getByLabel('Password').fill('password1');
  await expect(screen(page, 'register').locator('.rules .unmet')).toContainText(['Not one of the most common passwords']);
  await checkScreen(page, 'register');
  await register(page, email);
  await expect(page.locator('#verify-banner')).toBeVisible();

  // The verification mail's link lands on the page, which verifies the address.
  await page.goto(await linkFromMailbox(email, 'verify-email'));
  await expect(page.locator('#status')).toHaveText('Your email address is verified.');
  await expect(page).not.toHaveURL(/token=/);
  await expectScreen(page, 'Your account');
  await expect(page.locator('#profile-email')).toHaveText(`${email} (verified)`);
  await expect(page.locator('#verify-banner')).toBeHidden();

  const { secret, backupCodes } = await enrol(page);
  await checkScreen(page, 'enrol-backup-codes');
  await page.getByRole('button', { name: 'I saved them' }).click();
  await expect(page.locator('#mfa-status')).toHaveText('On. 10 backup codes left.');
  await expect(page.getByRole('link', { name: 'Set up an authenticator app' })).toBeHidden();
  await checkScreen(page, 'account');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expectScreen(page, 'Sign in');

  await signIn(page, email);
  await expectScreen(page, 'Two-factor check');
  await checkScreen(page, 'mfa');
  const mfa = screen(page, 'mfa');
  const nearCodes = [-30, 0, 30, 60].map((offset) => totpCode(secret, offset));
  await mfa.getByLabel('Authenticator code').fill(['000000', '111111', '222222', '333333', '444444'].find((c) => !nearCodes.includes(c)));
  await mfa.getByRole('button', { name: 'Verify' }).click();
  await expect(mfa.locator('#mfa-code-error')).toContainText('not right');
  await expect(mfa.getByLabel('Authenticator code')).toBeFocused();
  // The code that confirmed enrolment is spent (RFC 6238 §5.2): the next one.
  await mfa.getByLabel('Authenticator code').fill(totpCode(secret, 30));
  await mfa.getByRole('button', { name: 'Verify' }).click();
  await expectScreen(page, 'Your account');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();

  await signIn(page, email);
  await page.getByRole('button', { name: 'Use a backup code instead' }).click();
  await expect(mfa.getByLabel('Backup code')).toBeFocused();
  await mfa.getByLabel('Backup code').fill(backupCodes[0].toUpperCase());
  await mfa.getByRole('button', { name: 'Verify' }).click();
  await expectScreen(page, 'Your account');
  await expect(page.locator('#mfa-status')).toHaveText('On. 9 backup codes left.');
});

test('silent refresh replaces the access token with no failed call and no reload', async ({ page }) => {
  const email = uniqueEmail('refresh');
  const tokens = [];
  page.on('response', async (response) => {
    const pathname = new URL(response.url()).pathname;
    if (response.ok() && ['/api/v1/auth/token', '/api/v1/auth/refresh'].includes(pathname)) {
      tokens.push((await response.json()).access_token);
    }
  });
  let navigations = 0;
  page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations += 1; });
  await register(page, email);
  // From here on (a signed-out start asks /refresh once, and is refused).
  const calls = countRequests(page, '/api/v1/auth/refresh');
  const navigationsBefore = navigations;
  const tokensBefore = tokens.length;
  // Planned before expiry: within the token's lifetime.
  await expect(page.locator('#event-log')).toContainText('Silent refresh', { timeout: ACCESS_TOKEN_TTL_S * 1000 });
  expect(tokens.length).toBeGreaterThan(tokensBefore);
  expect(new Set(tokens).size).toBe(tokens.length);
  expect(calls.failures).toEqual([]);
  expect(navigations).toBe(navigationsBefore);
  await expect(page.locator('#token-refreshed')).toContainText('Last refreshed at');
  // "Refresh now" does it on demand.
  const before = calls.count;
  await page.getByRole('button', { name: 'Refresh now' }).click();
  await expect(page.locator('#status')).toHaveText('The access token was refreshed.');
  expect(calls.count).toBe(before + 1);
});

test('two tabs stay in sync, share one refresh, and sign out together', async ({ context }) => {
  const email = uniqueEmail('tabs');
  const first = await context.newPage();
  await register(first, email);
  const second = await context.newPage();
  await second.goto(serverUrl('/'));
  await expectScreen(second, 'Your account');  // restored from the HttpOnly cookie (a refresh the first tab adopts)
  const refreshesSeen = (page) => page.locator('#event-log li', { hasText: 'Silent refresh' }).count();
  const firstBefore = await refreshesSeen(first);
  const calls = countRequests(context, '/api/v1/auth/refresh');
  // The next planned refresh: one tab makes it, the other takes its result.
  await expect.poll(() => refreshesSeen(second), { timeout: ACCESS_TOKEN_TTL_S * 1000 }).toBeGreaterThan(0);
  await expect.poll(() => refreshesSeen(first)).toBeGreaterThan(firstBefore);
  expect(calls.count, 'one network refresh for both tabs').toBe(1);
  expect(calls.failures).toEqual([]);

  await first.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expectScreen(first, 'Sign in');
  await expectScreen(second, 'Sign in');
});

test('revoking a session on one device signs that device out', async ({ browser }) => {
  const email = uniqueEmail('revoke');
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  await register(laptop, email);
  await signIn(phone, email);
  await expectScreen(phone, 'Your account');
  await laptop.reload();
  await expectScreen(laptop, 'Your account');
  const rows = laptop.locator('#sessions-body tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'this device' })).toHaveCount(1);
  await rows.filter({ hasNotText: 'this device' }).getByRole('button', { name: /^Sign out/ }).click();
  await expect(laptop.locator('#status')).toHaveText('That session has ended.');
  await expect(rows).toHaveCount(1);
  // The phone learns it at its next refresh, without anyone touching it.
  await expect(phone.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible({ timeout: ACCESS_TOKEN_TTL_S * 1000 });
  await expect(phone.locator('#status')).toHaveText('You are signed out.');
});

test('a forgotten password is reset through the mailed link', async ({ page }) => {
  const email = uniqueEmail('reset');
  await register(page, email);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expectScreen(page, 'Reset your password');
  await checkScreen(page, 'forgot');
  await screen(page, 'forgot').getByLabel('Email').fill(email);
  await screen(page, 'forgot').getByRole('button', { name: 'Send the link' }).click();
  await expect(page.locator('#status')).toContainText('a reset link is on its way');

  // The dev mailbox shows the mail readably, with the link clickable.
  await page.getByRole('link', { name: 'Dev mailbox' }).click();
  await expectScreen(page, 'Dev mailbox');
  await screen(page, 'mailbox').getByLabel('Address').fill(email);
  await screen(page, 'mailbox').getByRole('button', { name: 'Show mail' }).click();
  const resetLink = page.locator('#mailbox-messages a[href*="action=reset-password"]').first();
  await expect(resetLink).toBeVisible();
  await checkScreen(page, 'mailbox');
  await resetLink.click();

  await expectScreen(page, 'Choose a new password');
  await expect(page).not.toHaveURL(/token=/);
  await screen(page, 'reset').getByLabel('New password').fill(NEW_PASSWORD);
  await checkScreen(page, 'reset');
  await screen(page, 'reset').getByRole('button', { name: 'Set the password' }).click();
  await expectScreen(page, 'Sign in');
  await expect(page.locator('#status')).toContainText('Your password is changed');
  await signIn(page, email, PASSWORD);
  await expect(screen(page, 'sign-in').locator('#sign-in-error')).toHaveText('The email or password is wrong.');
  await signIn(page, email, NEW_PASSWORD);
  await expectScreen(page, 'Your account');
});

test('wrong passwords lock the account, and the page says how long to wait', async ({ page }) => {
  const email = uniqueEmail('lockout');
  await register(page, email);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await signIn(page, email, `not the password ${attempt}`);
    await expect(screen(page, 'sign-in').locator('#sign-in-error')).toHaveText('The email or password is wrong.');
  }
  await signIn(page, email);
  await expect(screen(page, 'sign-in').locator('#sign-in-error'))
    .toHaveText(/^Too many failed attempts for this account\. Try again in (1[0-5] min|\d+ min \d+ s)\.$/);
  await checkScreen(page, 'sign-in-locked');
});

test('signing in works from the keyboard alone', async ({ page }) => {
  const email = uniqueEmail('keyboard');
  await register(page, email);
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.goto(serverUrl('/'));
  await expectScreen(page, 'Sign in');
  await checkScreen(page, 'sign-in');
  const emailField = screen(page, 'sign-in').getByLabel('Email');
  for (let presses = 0; presses < 10 && !(await emailField.evaluate((el) => el === document.activeElement)); presses += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(emailField).toBeFocused();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await expect(screen(page, 'sign-in').getByLabel('Password')).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expectScreen(page, 'Your account');
  await expect(page.getByRole('heading', { level: 1, name: 'Your account' })).toBeFocused();
});

test('the page fits a phone screen', async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await register(page, uniqueEmail('phone'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
  await checkScreen(page, 'account-phone');
});
