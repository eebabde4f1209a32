// The web UI on Nextcloud, replayed: chromium drives the real `calshare ui`, which talks to a loopback
// server answering with exchanges recorded from a real Nextcloud 31.0.2 while this same flow ran
// (test/fixtures/nextcloud/web-groups.json; test/helpers/replay.ts). CI cannot run Nextcloud (no
// Debian or npm package). A request the real server never saw fails the test.
//
// Recording (outside CI): CALSHARE_NEXTCLOUD_RECORD names the recording proxy in front of the real
// server, and CALSHARE_NEXTCLOUD_URL the server itself: then every step is also proven as the
// sharees with their own credentials (carol is in group "team", dave in "Team A"), by the seed
// event's SUMMARY in their own copy of the calendar, and writes refused (Nextcloud answers 404) or
// accepted by level.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, startUi, type Browser, type RunningUi } from '../helpers/browser.js';
import { asSharee, nextcloudTarget, type NextcloudTarget } from '../helpers/replay.js';

let target: NextcloudTarget;
let ui: RunningUi;
let browser: Browser;
let page: Page;

before(async () => {
  target = await nextcloudTarget('web-groups');
  ui = await startUi('alice', target.url);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(120_000);
});

after(async () => {
  await browser?.close();
  await ui?.stop();
  await target?.close();
});

const groupRow = (name: string) => page.locator(`#sharees tbody tr[data-group="${name}"]`);
const outcome = (name: string, result: string) => page.locator(`#result .outcome tr[data-group="${name}"][data-result="${result}"]`);

function noMisses(): void {
  if (target.replay) assert.deepEqual(target.replay.misses, [], 'every request calshare sent was one the real server answered');
}

test('share "Fixture" with bob by address from the page: looked up, shared view-only, listed as a person', async () => {
  await page.goto(ui.launchUrl);
  await page.getByRole('heading', { name: 'Your calendars' }).waitFor();
  await page.getByRole('link', { name: 'Fixture', exact: true }).click();
  await page.getByText('Not shared with anyone.').waitFor();
  await page.getByLabel('E-mail address').fill('bob@example.test');
  await page.getByRole('radio', { name: /View only/ }).check();
  await page.getByRole('button', { name: 'Share' }).click();
  await page.locator('#result .outcome tr[data-person="bob@example.test"][data-result="shared"]').waitFor();
  await page.locator('#sharees tbody tr[data-person="bob@example.test"][data-level="view-only"]').waitFor();
  const bob = await asSharee('bob');
  if (bob) assert.deepEqual(bob, { read: true, write: 404 }, 'bob reads the seed event; his write is refused');
  noMisses();
});

test('share with group team view-only from the page: listed as a group with its level, here and in the calendar list', async () => {
  await page.getByLabel('Group', { exact: true }).fill('team');
  await page.getByRole('radio', { name: /View only/ }).check();
  await page.getByRole('button', { name: 'Share' }).click();
  await outcome('team', 'shared').waitFor();
  const row = groupRow('team');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-level'), 'view-only');
  assert.match(await row.innerText(), /group team/);
  assert.equal(await page.getByLabel('Group', { exact: true }).inputValue(), '', 'the field clears once the share is verified');
  const carol = await asSharee('carol');
  if (carol) assert.deepEqual(carol, { read: true, write: 404 }, 'carol (in team) reads the seed event; her write is refused');
  // The calendar list counts the group as a group, not as a person.
  await page.getByRole('link', { name: '← All calendars' }).click();
  const listed = page.locator('table.calendars tr', { hasText: 'Fixture' });
  await listed.getByText('1 person + group team (view-only)').waitFor();
  await page.getByRole('link', { name: 'Fixture', exact: true }).click();
  await groupRow('team').waitFor();
  noMisses();
});

test('share with group "Team A" (a space in its name) for editing, then change team to edit from its row', async () => {
  await page.getByLabel('Group', { exact: true }).fill('Team A');
  await page.getByRole('radio', { name: /Edit/ }).check();
  await page.getByRole('button', { name: 'Share' }).click();
  await outcome('Team A', 'shared').waitFor();
  await groupRow('Team A').waitFor();
  assert.equal(await groupRow('Team A').getAttribute('data-level'), 'edit');
  const dave = await asSharee('dave');
  if (dave) assert.deepEqual(dave, { read: true, write: 201 }, 'dave (in Team A) reads and writes');

  await page.getByLabel('Access for group team', { exact: true }).selectOption('edit');
  await outcome('team', 'changed').waitFor();
  await page.locator('#sharees tbody tr[data-group="team"][data-level="edit"]').waitFor();
  const carol = await asSharee('carol');
  if (carol) assert.deepEqual(carol, { read: true, write: 201 }, 'carol now writes');
  noMisses();
});

test('an unknown group is refused and nothing is written', async () => {
  await page.getByLabel('Group', { exact: true }).fill('No Such Group');
  await page.getByRole('radio', { name: /View only/ }).check();
  await page.getByRole('button', { name: 'Share' }).click();
  await page.locator('#result').getByText(/no group "No Such Group"/).waitFor();
  if (target.replay) assert.equal(target.replay.received.filter((x) => x.method === 'POST').length, 4, 'no POST for the unknown group');
  noMisses();
});

test('remove group Team A with its Remove button, team through the selection and confirm step, then bob', async () => {
  await page.getByRole('button', { name: 'Remove group Team A' }).click();
  await outcome('Team A', 'removed').waitFor();
  await groupRow('Team A').waitFor({ state: 'detached' });
  const dave = await asSharee('dave');
  if (dave) assert.equal(dave.read, false, 'dave lost access');

  await page.getByLabel('Select group team', { exact: true }).check();
  await page.getByRole('button', { name: 'Remove selected…' }).click();
  await page.getByRole('heading', { name: 'Remove access for group team?' }).waitFor();
  await page.getByRole('button', { name: 'Yes, remove access' }).click();
  await outcome('team', 'removed').waitFor();
  await groupRow('team').waitFor({ state: 'detached' });
  const carol = await asSharee('carol');
  if (carol) assert.equal(carol.read, false, 'carol lost access');

  // bob last, once no group is shared (on Nextcloud, removing a member while his group stays shared hides the group from him too).
  await page.getByRole('button', { name: 'Remove bob@example.test' }).click();
  await page.locator('#result .outcome tr[data-person="bob@example.test"][data-result="removed"]').waitFor();
  await page.getByText('Not shared with anyone.').waitFor();
  const bob = await asSharee('bob');
  if (bob) assert.equal(bob.read, false, 'bob lost access');
  noMisses();
  if (target.replay) assert.deepEqual(target.replay.unusedWrites(), [], 'every recorded write was sent again');
});
