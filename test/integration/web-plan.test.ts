// The sharing-plan page of the web UI on staging Cyrus: chromium pastes a plan (or reads a plan
// file), sees the difference, applies it, sees per-calendar verdicts; bob and carol prove the
// result by reading the events with their own passwords. The page's POSTs pass the same CSRF gate as every other form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { CYRUS, ensureStaging } from '../helpers/staging.js';
import { launchBrowser, startUi, type Browser, type RunningUi } from '../helpers/browser.js';
import { canRead, dav, deleteCalendar, freshCalendar, tryWrite } from '../helpers/dav.js';

const BOB = 'bob@example.test';
let ui: RunningUi;
let browser: Browser;
let page: Page;
let cals: { url: string; name: string; eventUrl: string }[] = [];

before(async () => {
  ensureStaging('cyrus');
  cals = [await freshCalendar('alice', `wplan-${randomUUID().slice(0, 8)}`), await freshCalendar('alice', `wplan-${randomUUID().slice(0, 8)}`)];
  ui = await startUi('alice', CYRUS.url);
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

after(async () => {
  await browser?.close();
  await ui?.stop();
  for (const c of cals) await deleteCalendar('alice', c.url);
});

test('paste a plan, see the difference, apply it, see the verdicts; bob proves them', async () => {
  const [a, b] = cals.map((c) => new URL(c.url).pathname);
  await page.goto(ui.launchUrl);
  await page.getByRole('link', { name: /Sharing plan/ }).click();
  await page.getByLabel('Plan (YAML, JSON or CSV)').fill(`calendars:\n  - calendar: ${a}\n    sharees:\n      - { email: ${BOB}, level: view }\n  - calendar: ${b}\n    sharees:\n      - { email: ${BOB}, level: edit }\n`);
  await page.getByRole('button', { name: 'Show the difference' }).click();
  await page.locator(`section[data-calendar="${a}"][data-status="planned"] tr[data-person="${BOB}"][data-action="add"]`).waitFor();
  assert.equal(await canRead('bob', cals[0]!.url, cals[0]!.eventUrl), false, 'the difference sends nothing');
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await page.locator(`section[data-calendar="${a}"][data-status="applied"] tr[data-person="${BOB}"][data-result="shared"]`).waitFor();
  await page.locator(`section[data-calendar="${b}"][data-status="applied"] tr[data-person="${BOB}"][data-result="shared"]`).waitFor();
  await page.getByText('Done: every calendar matches the plan.').waitFor();
  const got = await dav('bob', 'GET', cals[0]!.eventUrl);
  assert.match(got.body, /SUMMARY:Seed event/);
  assert.equal((await tryWrite('bob', cals[0]!.url)).create, 403);
  assert.ok([201, 204].includes((await tryWrite('bob', cals[1]!.url)).create), 'bob writes to the edit calendar');

  // Again: nothing to change.
  await page.getByRole('button', { name: 'Show the difference' }).click();
  await page.getByText('Nothing to change.').waitFor();
});

test('the plan POSTs pass the CSRF gate: without the token nothing is applied', async () => {
  const c = cals[0]!;
  const res = await page.request.post(new URL('plan/apply', ui.base).href, {
    form: { plan: `calendars:\n  - calendar: ${new URL(c.url).pathname}\n    sharees: []\n`, prune: '1' },
  });
  assert.equal(res.status(), 403);
  assert.ok(await canRead('bob', c.url, c.eventUrl), 'bob still has access: nothing was pruned');
});

test('read a plan file (CSV, columns in any order, told apart by its name), see the difference, apply; carol proves it', async () => {
  const CAROL = 'carol@example.test';
  const c = cals[0]!;
  await page.goto(ui.launchUrl);
  await page.getByRole('link', { name: /Sharing plan/ }).click();
  // Too large for the page: said so, the field keeps what it had.
  await page.getByLabel('Plan (YAML, JSON or CSV)').fill('calendars: []');
  await page.getByLabel('Read a plan file').setInputFiles({ name: 'huge.yaml', mimeType: 'text/yaml', buffer: Buffer.alloc(60 * 1024, 'x') });
  await page.getByText('huge.yaml is larger than 48 KiB').waitFor();
  assert.equal(await page.getByLabel('Plan (YAML, JSON or CSV)').inputValue(), 'calendars: []');

  // No "calendar," first: only the file's name says this is CSV.
  const csv = `email,level,calendar\n${CAROL},view,${new URL(c.url).pathname}\n`;
  await page.getByLabel('Read a plan file').setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByText('Read team.csv into the plan below').waitFor();
  assert.equal(await page.getByLabel('Plan (YAML, JSON or CSV)').inputValue(), csv, 'the field shows exactly what will be sent');
  await page.getByRole('button', { name: 'Show the difference' }).click();
  await page.locator(`section[data-status="planned"] tr[data-person="${CAROL}"][data-action="add"]`).waitFor();
  assert.equal(await canRead('carol', c.url, c.eventUrl), false, 'the difference sends nothing');
  await page.getByRole('button', { name: 'Apply these changes' }).click();
  await page.locator(`section[data-status="applied"] tr[data-person="${CAROL}"][data-result="shared"]`).waitFor();
  const got = await dav('carol', 'GET', c.eventUrl);
  assert.match(got.body, /SUMMARY:Seed event/, 'carol reads the real event');
  assert.equal((await tryWrite('carol', c.url)).create, 403, 'view-only: carol cannot write');
});
