// The web UI's Delegates panel against staging SabreDAV (delegation is all it can do): chromium
// drives the real `calshare ui` as erin, and each effect is proven by the delegate, frank, with
// his own password over CalDAV: he reads erin's events (by SUMMARY) in both of her fresh calendars,
// his writes are refused, and after the removal he is refused everywhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { ensureStaging } from '../helpers/staging.js';
import { launchBrowser, startUi, type Browser, type RunningUi } from '../helpers/browser.js';
import { dav, ics } from '../helpers/dav.js';

const SABRE = 'http://127.0.0.1:8500/';
const owner = { user: 'erin', password: 'erin-pw' };
const delegate = { user: 'frank', password: 'frank-pw' };
const frank = 'frank@example.test';
let ui: RunningUi;
let browser: Browser;
let page: Page;
const cals: { url: string; eventUrl: string; summary: string; name: string }[] = [];

async function makeCalendar() {
  const id = randomUUID().slice(0, 8);
  const name = `web-deleg ${id}`;
  const url = `${SABRE}calendars/erin/wdeleg-${id}/`;
  const mk = await dav(owner, 'MKCALENDAR', url, `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201, mk.body);
  const summary = `Web delegation secret ${randomUUID()}`;
  const eventUrl = `${url}ev.ics`;
  const put = await dav(owner, 'PUT', eventUrl, ics(`wdeleg-${id}-${randomUUID()}`, summary), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.ok([201, 204].includes(put.status));
  return { url, eventUrl, summary, name };
}

const frankReads = async (c: (typeof cals)[number]) => {
  const r = await dav(delegate, 'GET', c.eventUrl);
  return r.status === 200 && r.body.includes(c.summary);
};
const frankWrites = async (c: (typeof cals)[number]) => {
  const uid = randomUUID();
  return (await dav(delegate, 'PUT', `${c.url}${uid}.ics`, ics(uid, 'by frank'), { 'content-type': 'text/calendar; charset=utf-8', 'if-none-match': '*' })).status;
};
/** The groups straight from the server, as erin: frank's href in either? */
const inGroups = async () => {
  const bodies = await Promise.all(['read', 'write'].map((k) => dav(owner, 'PROPFIND', `${SABRE}principals/erin/calendar-proxy-${k}/`, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:group-member-set/></d:prop></d:propfind>', { depth: '0' })));
  return bodies.some((b) => b.body.includes('/principals/frank'));
};

before(async () => {
  ensureStaging('sabredav');
  cals.push(await makeCalendar(), await makeCalendar());
  // Whatever an aborted earlier run left: frank starts as no delegate of erin.
  for (const k of ['read', 'write']) {
    await dav(owner, 'PROPPATCH', `${SABRE}principals/erin/calendar-proxy-${k}/`, '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:group-member-set/></d:prop></d:set></d:propertyupdate>');
  }
  ui = await startUi('erin', SABRE);
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

after(async () => {
  await browser?.close();
  await ui?.stop();
  for (const k of ['read', 'write']) {
    await dav(owner, 'PROPPATCH', `${SABRE}principals/erin/calendar-proxy-${k}/`, '<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:group-member-set/></d:prop></d:set></d:propertyupdate>');
  }
  for (const c of cals) await dav(owner, 'DELETE', c.url);
});

test('the Delegates page warns that delegation reaches every calendar', async () => {
  await page.goto(ui.launchUrl);
  await page.getByRole('link', { name: 'Delegates' }).click();
  await page.getByRole('heading', { name: 'Delegates', level: 1 }).waitFor();
  await page.getByText(/EVERY calendar of your account/).first().waitFor();
  await page.getByText('No delegates: nobody has access to all of your calendars.').waitFor();
  for (const c of cals) assert.equal(await frankReads(c), false, 'frank cannot read before');
});

test('delegate view to frank: he reads both calendars with his own password, his writes are refused', async () => {
  await page.getByLabel('E-mail address').fill(frank);
  await page.getByRole('radio', { name: /View only/ }).check();
  await page.getByRole('button', { name: 'Delegate all calendars' }).click();
  await page.locator(`#result .outcome tr[data-person="${frank}"][data-result="shared"]`).waitFor();
  await page.locator(`#delegates tbody tr[data-person="${frank}"]`).getByText('all calendars').waitFor();
  for (const c of cals) {
    assert.equal(await frankReads(c), true, `frank reads ${c.url}`);
    assert.equal(await frankWrites(c), 403, `frank's write to ${c.url} is refused`);
  }
});

test('a calendar page lists frank as a delegate with "all calendars"', async () => {
  await page.getByRole('link', { name: '← All calendars' }).click();
  await page.getByRole('link', { name: cals[0]!.name, exact: true }).click();
  await page.locator(`#calendar-delegates tr[data-person="${frank}"]`).getByText('all calendars').waitFor();
});

test('remove frank from the panel (with a confirm step): he is refused everywhere', async () => {
  await page.goto(new URL('delegates', ui.base).href);
  await page.getByLabel(`Select ${frank}`).check();
  await page.getByRole('button', { name: 'Remove delegation…' }).click();
  await page.getByRole('button', { name: 'Yes, remove delegation' }).click();
  await page.locator(`#result .outcome tr[data-person="${frank}"][data-result="removed"]`).waitFor();
  assert.equal(await inGroups(), false, 'frank is in neither proxy group');
  for (const c of cals) {
    assert.equal(await frankReads(c), false, `frank cannot read ${c.url}`);
    assert.equal(await frankWrites(c), 403, `frank cannot write to ${c.url}`);
  }
  await page.reload();
  await page.getByText('No delegates: nobody has access to all of your calendars.').waitFor();
});

test('a POST without the CSRF token is refused and delegates nobody', async () => {
  const r = await page.request.post(new URL('delegates/add', ui.base).href, { form: { email: frank, level: 'edit' }, headers: { origin: ui.origin } });
  assert.ok(r.status() >= 400, `refused: ${r.status()}`);
  assert.equal(await inGroups(), false);
});
