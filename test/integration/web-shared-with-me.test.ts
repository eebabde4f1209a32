// The web UI's "Shared with me" view, driven in chromium as the sharee (bob) on staging Cyrus:
// alice shares two fresh calendars; bob accepts one and declines the other from the page. Each
// effect is proven outside the page: alice's own `sharees` shows accepted/declined, and the
// accepted calendar is listed in bob's home by python3-caldav (no part of calshare).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { CYRUS, USERS, ensureStaging } from '../helpers/staging.js';
import { launchBrowser, startUi, type Browser, type RunningUi } from '../helpers/browser.js';
import { deleteCalendar, freshCalendar } from '../helpers/dav.js';
import { as } from '../helpers/cli.js';
import { thirdParty } from '../helpers/third-party.js';

const alice = as('alice', CYRUS.url);
let ui: RunningUi;
let browser: Browser;
let page: Page;
let one: { url: string; name: string };
let two: { url: string; name: string };

async function inviteState(url: string): Promise<string | null> {
  const r = await alice(['sharees', new URL(url).pathname, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout).calendars[0].sharees as { email: string; invite: string | null }[]).find((s) => s.email === 'bob@example.test')?.invite ?? null;
}

before(async () => {
  ensureStaging('cyrus');
  one = await freshCalendar('alice');
  two = await freshCalendar('alice');
  for (const c of [one, two]) {
    const r = await alice(['share', new URL(c.url).pathname, 'bob@example.test', '--view']);
    assert.equal(r.code, 0, r.stderr);
  }
  ui = await startUi('bob', CYRUS.url);
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

after(async () => {
  await browser?.close();
  await ui?.stop();
  for (const c of [one, two]) if (c) await deleteCalendar('alice', c.url);
});

const invite = (name: string) => page.locator(`table.invitations tr[data-calendar="${name}"]`);

test('bob sees both invitations and accepts one: alice sees "accepted", bob\'s own app lists it', async () => {
  await page.goto(ui.launchUrl);
  await page.getByRole('link', { name: 'Shared with me' }).click();
  await page.getByRole('heading', { name: 'Shared with me' }).waitFor();
  assert.equal(await invite(one.name).getAttribute('data-status'), 'pending');
  assert.equal(await invite(two.name).getAttribute('data-status'), 'pending');
  await invite(one.name).getByRole('button', { name: 'Accept' }).click();
  await page.locator('#result .outcome[data-answer="accept"]').waitFor();
  const inHome = (await page.locator('#result code.in-home').textContent())!.trim();
  assert.equal(inHome, `${CYRUS.home('bob')}alice.${one.name}/`);
  assert.equal(await invite(one.name).getAttribute('data-status'), 'accepted');
  await page.locator(`table.shared tr[data-url="${inHome}"]`).waitFor();
  assert.equal(await inviteState(one.url), 'accepted');
  assert.ok((await thirdParty(CYRUS.home('bob'), 'bob', USERS.bob).list()).some((c) => c.url === inHome), 'python3-caldav lists it in bob\'s home');
});

test('bob declines the other after a confirm step: alice sees "declined"', async () => {
  await invite(two.name).getByRole('button', { name: 'Decline…' }).click();
  await page.getByRole('button', { name: 'Yes, decline' }).click();
  await page.locator('#result .outcome[data-answer="decline"]').waitFor();
  assert.equal(await invite(two.name).getAttribute('data-status'), 'declined');
  assert.equal(await inviteState(two.url), 'declined');
});
