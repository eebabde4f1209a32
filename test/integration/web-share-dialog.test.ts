// The web UI's share dialog on par with Nextcloud's and Apple's (issue 16 §4): per-row level
// selector and Remove button applied at once, autocomplete, filter and select-all, the address
// field clearing after a share, forgiving input, a narrow window, keyboard use, and a launch link
// that keeps working for the browser that redeemed it. Every effect is proven on the server AS
// THE SHAREE by the event's content (chromium = Debian's, driven by playwright-core).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { as } from '../helpers/cli.js';
import { dav, deleteCalendar, freshCalendar, ics } from '../helpers/dav.js';
import { CYRUS, ROOT, ensureStaging, type User } from '../helpers/staging.js';
import { startUi, type RunningUi } from '../helpers/browser.js';

const SHOTS = `${ROOT}/${process.env.CALSHARE_SCREENSHOTS ?? 'test-results/screenshots'}`;
const bob = `bob@${CYRUS.domain}`;
const carol = `carol@${CYRUS.domain}`;
const summary = `Dialog check ${randomUUID().slice(0, 8)}`;
let cal: { url: string; name: string; eventUrl: string };
let eventUrl: string;
let ui: RunningUi;
let profile: string;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const openProfile = (dir: string) => chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1000, height: 800 }, args: ARGS });

/** What the sharee can do, by content: read the real SUMMARY? create an event? */
async function asSharee(who: User): Promise<{ reads: boolean; writes: boolean }> {
  const r = await dav(who, 'GET', eventUrl);
  const w = await dav(who, 'PUT', `${cal.url}${who}-${randomUUID()}.ics`, ics(`w-${randomUUID()}`, 'written by the sharee'), { 'content-type': 'text/calendar; charset=utf-8' });
  return { reads: r.status === 200 && r.body.includes(`SUMMARY:${summary}`), writes: w.status === 201 || w.status === 204 };
}

const row = (email: string) => page.locator(`#sharees tbody tr[data-person="${email}"]`);
const result = (email: string, kind: string) => page.locator(`#result .outcome tr[data-person="${email}"][data-result="${kind}"]`).waitFor();
const calendarPage = () => page.goto(`${ui.base}calendar?path=${encodeURIComponent(new URL(cal.url).pathname)}`);

before(async () => {
  ensureStaging('cyrus');
  cal = await freshCalendar('alice');
  eventUrl = `${cal.url}dialog.ics`;
  const put = await dav('alice', 'PUT', eventUrl, ics(`dialog-${cal.name}`, summary), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.ok(put.status === 201 || put.status === 204);
  const alice = as('alice', CYRUS.url);
  assert.equal((await alice(['share', cal.name, bob, carol, '--view'])).code, 0);
  ui = await startUi('alice');
  profile = await mkdtemp(join(tmpdir(), 'calshare-dialog-'));
  context = await openProfile(profile);
  page = await context.newPage();
  page.setDefaultTimeout(120_000); // a loaded 2-core CI machine
  page.on('console', (m) => void (m.type() === 'error' && !/status of 422/.test(m.text()) && pageErrors.push(m.text())));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(ui.launchUrl);
  await page.getByRole('heading', { name: 'Your calendars' }).waitFor();
});

after(async () => {
  await context?.close();
  await ui?.stop();
  if (profile) await rm(profile, { recursive: true, force: true });
  if (cal) await deleteCalendar('alice', cal.url);
});

test('per-row level selector: bob to edit, applied at once and verified; bob can now write', async () => {
  await calendarPage();
  assert.deepEqual(await asSharee('bob'), { reads: true, writes: false });
  await page.getByLabel(`Access for ${bob}`).selectOption('edit');
  await result(bob, 'changed');
  await page.locator(`#sharees tbody tr[data-person="${bob}"][data-level="edit"]`).waitFor();
  assert.deepEqual(await asSharee('bob'), { reads: true, writes: true });
  await page.screenshot({ path: `${SHOTS}/dialog-level-changed.png`, fullPage: true });
});

test('per-row Remove: carol removed at once and verified; carol can no longer read', async () => {
  assert.equal((await asSharee('carol')).reads, true);
  await page.getByRole('button', { name: `Remove ${carol}` }).click();
  await result(carol, 'removed');
  await row(carol).waitFor({ state: 'detached' });
  assert.deepEqual(await asSharee('carol'), { reads: false, writes: false });
});

test('autocomplete offers people shared with before; Cyrus says its directory is hidden', async () => {
  assert.match(await page.locator('#directory-note').innerText(), /does not let calshare search its directory/);
  const field = page.getByLabel('E-mail address');
  await field.fill('');
  await field.pressSequentially('bo', { delay: 50 });
  await page.locator(`#people option[value="${bob}"]`).waitFor({ state: 'attached' });
});

test('an unknown address next to a good one: nothing shared, all named, the good one kept; then shared and the field clears', async () => {
  const nobody = `nobody-${randomUUID().slice(0, 6)}@${CYRUS.domain}`;
  const field = page.getByLabel('E-mail address');
  await field.fill(`${carol}, ${nobody}`);
  await page.getByRole('button', { name: 'Share' }).click();
  const box = page.locator('#result .problem');
  await box.waitFor();
  assert.match(await box.innerText(), new RegExp(`Nothing was shared[\\s\\S]*no user ${nobody} on this server`));
  // The page's script puts the accepted addresses back once htmx has settled the answer.
  await page.waitForFunction((want) => (document.getElementById('email') as HTMLInputElement).value === want, carol, { timeout: 30_000 }).catch(async () =>
    assert.fail(`field holds "${await field.inputValue()}"; errors: ${pageErrors.join(' | ')}; app.js: ${await page.evaluate(() => document.querySelectorAll('script[src$="app.js"]').length)}`),
  );
  assert.equal((await asSharee('carol')).reads, false, 'carol was not shared with');
  await page.getByRole('button', { name: 'Share' }).click();
  await result(carol, 'shared');
  assert.equal(await field.inputValue(), '', 'the address field clears after a share');
  assert.deepEqual(await asSharee('carol'), { reads: true, writes: false });
});

test('filter and select-all act on the people shown', async () => {
  await calendarPage();
  await page.getByLabel('Filter').fill('carol');
  await row(bob).waitFor({ state: 'hidden' });
  await page.getByLabel('Select all shown').check();
  assert.equal(await page.getByLabel(`Select ${carol}`).isChecked(), true);
  assert.equal(await page.getByLabel(`Select ${bob}`).isChecked(), false, 'a filtered-out person is not selected');
  await page.getByLabel('Filter').fill('');
  await page.getByLabel('Select all shown').uncheck();
});

test('keyboard only in a narrow window: Tab to bob’s level, arrow to view-only; verified as bob', async () => {
  await page.setViewportSize({ width: 360, height: 800 });
  await calendarPage();
  const overflow = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 360 px (overflow ${overflow})`);
  const select = page.getByLabel(`Access for ${bob}`);
  for (let i = 0; i < 40 && !(await select.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  assert.equal(await select.evaluate((el) => el === document.activeElement), true, 'reachable with Tab');
  await page.keyboard.press('ArrowUp'); // edit → view-only
  await result(bob, 'changed');
  assert.deepEqual(await asSharee('bob'), { reads: true, writes: false });
  await page.screenshot({ path: `${SHOTS}/dialog-narrow.png`, fullPage: true });
  await page.setViewportSize({ width: 1000, height: 800 });
});

test('the launch link keeps working for the browser that redeemed it, also after a browser restart; another browser is refused', async () => {
  const again = await context.newPage();
  await again.goto(ui.launchUrl);
  await again.getByRole('heading', { name: 'Your calendars' }).waitFor();
  await again.close();
  await context.close();
  context = await openProfile(profile); // same profile: a browser restart
  page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(ui.launchUrl);
  await page.getByRole('heading', { name: 'Your calendars' }).waitFor();
  await calendarPage();
  await page.getByRole('button', { name: `Remove ${bob}` }).click();
  await result(bob, 'removed');
  assert.deepEqual(await asSharee('bob'), { reads: false, writes: false });

  const otherDir = await mkdtemp(join(tmpdir(), 'calshare-dialog-other-'));
  const other = await openProfile(otherDir);
  try {
    const p = await other.newPage();
    const res = await p.goto(ui.launchUrl);
    assert.equal(res?.status(), 403);
    await p.getByRole('heading', { name: 'This link has expired' }).waitFor();
  } finally {
    await other.close();
    await rm(otherDir, { recursive: true, force: true });
  }
  assert.deepEqual(pageErrors, []);
});
