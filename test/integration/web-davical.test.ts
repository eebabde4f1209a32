// The web UI against staging DAViCal: chromium drives the real `calshare ui`, and each effect is
// proven by bob logging in over CalDAV with his own password and reading the event's SUMMARY.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DAVICAL, ensureStaging } from '../helpers/staging.js';
import { launchBrowser, removeFromPage, shareViewOnlyFromPage, startUi, type Browser, type RunningUi } from '../helpers/browser.js';
import { dav, email, freshCalendar, provesNoAccess, provesRead, provesWriteRefused, type Cal } from '../helpers/davical.js';

const bob = email('bob');
let ui: RunningUi;
let browser: Browser;
let page: Page;
let cal: Cal;
let name: string;

before(async () => {
  ensureStaging('davical');
  cal = await freshCalendar();
  name = cal.path.split('/').filter(Boolean).pop()!;
  ui = await startUi('alice', DAVICAL.url);
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

after(async () => {
  await browser?.close();
  await ui?.stop();
  if (cal) await dav('alice', 'DELETE', cal.url);
});

test('the calendar list shows alice\'s calendars and no scheduling inbox or outbox', async () => {
  await page.goto(ui.launchUrl);
  await page.getByRole('heading', { name: 'Your calendars' }).waitFor();
  await page.getByRole('link', { name, exact: true }).waitFor();
  const links = await page.locator('table.calendars a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  assert.equal(links.filter((h) => /\/\.(in|out)\/?$/.test(decodeURIComponent(h))).length, 0, `no .in/.out: ${links.join(' ')}`);
  assert.equal(await page.getByRole('link', { name: /Inbox|Outbox/ }).count(), 0);
});

test('share view-only with bob from the page: bob reads the real event, his write is refused', async () => {
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByText('Not shared with anyone.').waitFor();
  await shareViewOnlyFromPage(page, bob);
  await provesRead('bob', cal);
  await provesWriteRefused('bob', cal);
});

test('remove bob from the page: he is refused and no longer listed', async () => {
  await removeFromPage(page, bob);
  await provesNoAccess('bob', cal);
  await page.reload();
  await page.getByText('Not shared with anyone.').waitFor();
});
