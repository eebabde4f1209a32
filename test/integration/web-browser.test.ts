// The web UI end to end: Debian's chromium drives the real `calshare ui` server against staging
// Cyrus, and every sharing effect is proven by logging in AS THE SHAREE over CalDAV.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { CYRUS, ROOT, ensureStaging } from '../helpers/staging.js';
import { canRead, dav, deleteCalendar, freshCalendar, tryWrite } from '../helpers/dav.js';
import { launchBrowser, startUi, type Browser, type RunningUi } from '../helpers/browser.js';

// Screenshots land in test-results/ on every run (CALSHARE_SCREENSHOTS elsewhere). The README's come from
// `npm run screenshots` (a demo account), never from a test: tests leave t-xxxxxxxx calendars around.
const SHOTS = `${ROOT}/${process.env.CALSHARE_SCREENSHOTS ?? 'test-results/screenshots'}`;
const bob = `bob@${CYRUS.domain}`;
const carol = `carol@${CYRUS.domain}`;
// A display name that would run script if any page interpolated it as markup.
const HOSTILE = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script> & "quoted"`;

let ui: RunningUi;
let browser: Browser;
let page: Page;
let cal: { url: string; name: string; eventUrl: string };
let hostileUrl: string;
const pageErrors: string[] = [];
let step = '';
beforeEach((t) => void (step = t.name));
const dialogs: string[] = [];

const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

before(async () => {
  ensureStaging('cyrus');
  cal = await freshCalendar('alice');
  hostileUrl = `${CYRUS.home('alice')}x-${randomUUID().slice(0, 8)}/`;
  const mk = await dav('alice', 'MKCALENDAR', hostileUrl,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${xmlText(HOSTILE)}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201);
  ui = await startUi('alice');
  browser = await launchBrowser();
  page = await browser.context.newPage();
  // Console errors include CSP violations: htmx must work without inline style or eval.
  page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(`${step}: ${m.text()}`)));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});

after(async () => {
  await browser?.close();
  const code = await ui?.stop();
  assert.equal(code, 0, `calshare ui should stop cleanly on SIGTERM:\n${ui?.stderr()}`);
  if (cal) await deleteCalendar('alice', cal.url);
  if (hostileUrl) await deleteCalendar('alice', hostileUrl);
});

const row = (email: string) => page.locator(`#sharees tbody tr[data-person="${email}"]`);
// The Access cell holds a level selector: its level is the cell's data-level.
const cell = async (r: Locator, label: string) => {
  const td = r.locator(`td[data-label="${label}"]`);
  return (await td.getAttribute('data-level')) ?? td.innerText();
};

/** Moves focus with the Tab key only, as a keyboard user would, until `target` has it. */
async function tabTo(target: Locator): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail('the control cannot be reached with the Tab key');
}

/** The share form, driven by keyboard only: Tab to the address, type, choose level with arrows, Enter. */
async function shareByKeyboard(email: string, level: 'view' | 'edit'): Promise<void> {
  const field = page.getByLabel('E-mail address');
  await tabTo(field);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab'); // into the radio group: focus lands on the checked radio
  const wanted = page.getByRole('radio', { name: level === 'edit' ? /Edit/ : /View only/ });
  for (let i = 0; i < 2 && !(await wanted.isChecked()); i++) await page.keyboard.press('ArrowDown'); // arrows move and check
  assert.equal(await wanted.isChecked(), true);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Share');
  await page.keyboard.press('Enter');
}

async function waitForResult(email: string, result: string): Promise<void> {
  await page.locator(`#result .outcome tr[data-person="${email}"][data-result="${result}"]`).waitFor();
}

test('the launch link logs in once and leaves a clean address', async () => {
  await page.goto(ui.launchUrl);
  await page.waitForURL(ui.base);
  assert.equal(page.url(), ui.base, 'the token is gone from the address bar');
  await page.getByRole('heading', { name: 'Your calendars' }).waitFor();
  const cookies = await browser.context.cookies(ui.base);
  const sid = cookies.find((c) => c.name === `calshare_ui_${ui.port}`);
  assert.ok(sid && sid.httpOnly && sid.sameSite === 'Strict', 'session cookie is HttpOnly and SameSite=Strict');
});

test('the calendar list names each calendar, its owner and how many people have it', async () => {
  const link = page.getByRole('link', { name: cal.name, exact: true });
  const tr = page.locator('table.calendars tr', { has: link });
  assert.equal(await cell(tr, 'Owner'), 'you');
  assert.equal(await cell(tr, 'Shared with'), 'nobody');
  await page.screenshot({ path: `${SHOTS}/calendar-list.png` }); // the first screenful: alice may have many test calendars
});

test('server text with markup shows as text and runs nothing', async () => {
  const link = page.getByRole('link', { name: HOSTILE, exact: true });
  assert.equal(await link.innerText(), HOSTILE);
  assert.equal(await page.locator('main script, main img').count(), 0);
  await link.click();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), HOSTILE);
  assert.equal(await page.locator('main script, main img').count(), 0);
  assert.equal(await page.title(), `${HOSTILE} · calshare`);
  assert.deepEqual(dialogs, []);
});

test('share view-only with bob: listed, and bob can read but not write', async () => {
  await page.goto(ui.base);
  await page.getByRole('link', { name: cal.name, exact: true }).click();
  await page.getByText('Not shared with anyone.').waitFor();
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false, 'bob has no access before');

  await page.getByLabel('E-mail address').fill(bob);
  await page.getByRole('radio', { name: /View only/ }).check();
  await page.getByRole('button', { name: 'Share' }).click();
  await waitForResult(bob, 'shared');
  await row(bob).waitFor();
  assert.equal(await cell(row(bob), 'Access'), 'view-only');
  await page.screenshot({ path: `${SHOTS}/share-result.png`, fullPage: true });

  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true, 'bob reads the seed event');
  const w = await tryWrite('bob', cal.url);
  assert.ok(w.create === 403 || w.create === 401, `bob's write is refused (got ${w.create})`);
});

test('keyboard only: share with carol, then change bob to edit; bob can now write', async () => {
  await shareByKeyboard(carol, 'view');
  await waitForResult(carol, 'shared');
  await shareByKeyboard(bob, 'edit');
  await waitForResult(bob, 'changed');
  await page.locator(`#sharees tr[data-person="${bob}"] td[data-label="Access"][data-level="edit"]`).waitFor();
  assert.equal(await cell(row(carol), 'Access'), 'view-only');

  const w = await tryWrite('bob', cal.url);
  assert.ok([201, 204].includes(w.create), `bob creates an event (got ${w.create})`);
  assert.ok(w.change !== undefined && [201, 204].includes(w.change), `bob changes it (got ${w.change})`);
  assert.ok(w.remove !== undefined && [200, 204].includes(w.remove), `bob deletes it (got ${w.remove})`);
  assert.equal(await canRead('carol', cal.url, cal.eventUrl), true, 'carol reads');

  await page.reload();
  await row(carol).waitFor();
  await page.screenshot({ path: `${SHOTS}/calendar-sharees.png`, fullPage: true });
});

test('the address is checked in the page before anything is sent', async () => {
  const posts: string[] = [];
  const onRequest = (r: { method(): string; url(): string }) => void (r.method() === 'POST' && posts.push(r.url()));
  page.on('request', onRequest);
  const field = page.getByLabel('E-mail address');
  for (const bad of ['bob', 'bob@localhost', 'bob smith@example.test']) {
    await field.fill(bad);
    await page.getByRole('button', { name: 'Share' }).click();
    assert.equal(await field.evaluate((el) => (el as HTMLInputElement).validity.valid), false, `"${bad}" is invalid in the page`);
  }
  page.off('request', onRequest);
  assert.deepEqual(posts, []);
});

test('an address the server does not know is an error in plain words, nothing changes', async () => {
  const nobody = `nobody-${randomUUID().slice(0, 6)}@${CYRUS.domain}`;
  await page.getByLabel('E-mail address').fill(nobody);
  await page.getByRole('button', { name: 'Share' }).click();
  const box = page.locator('#result .problem');
  await box.waitFor();
  assert.equal(await box.getByRole('heading').innerText(), 'Please check what you entered');
  assert.match(await box.innerText(), new RegExp(`no user ${nobody} on this server`));
  assert.equal(await box.getAttribute('data-kind'), 'usage');
  assert.equal(await page.locator('#sharees tbody tr').count(), 2, 'still exactly bob and carol');
  await page.screenshot({ path: `${SHOTS}/error-unknown-user.png`, fullPage: true });
});

test('revoke bob and carol in one action, confirmed; both disappear and are refused', async () => {
  await page.getByLabel(`Select ${bob}`).check();
  await tabTo(page.getByLabel(`Select ${carol}`));
  await page.keyboard.press('Space');
  assert.equal(await page.getByLabel(`Select ${carol}`).isChecked(), true);
  await page.getByRole('button', { name: 'Remove selected…' }).click();
  const yes = page.getByRole('button', { name: 'Yes, remove access' });
  await yes.waitFor();
  assert.match(await page.locator('.confirm').innerText(), /Remove access for 2 people\?/);
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true, 'nothing is revoked before the confirmation');
  // htmx applies autofocus when the swap settles, a moment after the button shows: wait for it.
  const focused = await page
    .waitForFunction(() => document.activeElement?.textContent === 'Yes, remove access', null, { timeout: 5_000 })
    .then(() => true, () => false);
  assert.equal(focused, true, 'the confirm button has focus');
  await page.screenshot({ path: `${SHOTS}/revoke-confirm.png`, fullPage: true });
  await page.keyboard.press('Enter');

  await waitForResult(bob, 'removed');
  await waitForResult(carol, 'removed');
  await page.getByText('Not shared with anyone.').waitFor();
  await page.screenshot({ path: `${SHOTS}/revoke-result.png`, fullPage: true });

  for (const who of ['bob', 'carol'] as const) {
    assert.equal(await canRead(who, cal.url, cal.eventUrl), false, `${who} can no longer read`);
    const w = await tryWrite(who, cal.url);
    assert.ok(w.create >= 400, `${who}'s write is refused (got ${w.create})`);
  }
});

test('readable on a narrow window: no sideways scrolling', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.getByLabel('E-mail address').fill(bob);
  await page.getByRole('button', { name: 'Share' }).click();
  await waitForResult(bob, 'shared');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
  await page.screenshot({ path: `${SHOTS}/narrow-window.png`, fullPage: true });
  await page.goto(ui.base);
  const listOverflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(listOverflow <= 0, `calendar list is ${listOverflow}px wider than the window`);
});

test('no console errors: no CSP violation, no script error, nothing missing', () => {
  // The one expected: the 422 answer that carries the unknown-address explanation.
  const expected = /^an address the server does not know.*: Failed to load resource: .* 422 /;
  assert.deepEqual(pageErrors.filter((e) => !expected.test(e)), []);
});
