// How the web UI fails: a server that cannot share shows the administrator's guidance in the
// page (nothing changes on it); problems with the account or the port stop `calshare ui` in the
// terminal with the usual exit codes, before any page is served.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { CYRUS, RADICALE, ROOT, ensureStaging } from '../helpers/staging.js';
import { dav } from '../helpers/dav.js';
import { calshare } from '../helpers/cli.js';
import { launchBrowser, startUi, type Browser, type RunningUi } from '../helpers/browser.js';

let ui: RunningUi;
let browser: Browser;
let page: Page;

before(async () => {
  ensureStaging('radicale');
  ui = await startUi('alice', RADICALE.url);
  browser = await launchBrowser();
  page = await browser.context.newPage();
});

after(async () => {
  await browser?.close();
  if (ui) assert.equal(await ui.stop(), 0);
});

const bobSees = async () =>
  (await dav('bob', 'PROPFIND', RADICALE.calendar, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:propfind>', { depth: '0' })).status;

test('a server that cannot share: the page says so and shows what an administrator can do', async () => {
  const before = await bobSees();
  assert.notEqual(before, 207, 'bob has no access to start with');
  await page.goto(ui.launchUrl);
  await page.getByRole('link', { name: "Alice's calendar" }).click();
  await page.getByLabel('E-mail address').fill('bob@example.test');
  await page.getByRole('radio', { name: /Edit/ }).check();
  await page.getByRole('button', { name: 'Share' }).click();
  const box = page.locator('#result .problem');
  await box.waitFor();
  assert.equal(await box.getAttribute('data-kind'), 'unsupported');
  assert.equal(await box.getByRole('heading').innerText(), 'This server cannot share this calendar over CalDAV');
  const text = await box.innerText();
  assert.match(text, /Radicale cannot share/);
  assert.match(text, /What an administrator can do: Ask the administrator to add to the rights file/);
  assert.match(text, /permissions: rw/, 'the rights-file section for edit access is shown');
  await page.screenshot({ path: `${ROOT}/${process.env.CALSHARE_SCREENSHOTS ?? 'test-results/screenshots'}/error-unsupported.png`, fullPage: true });
  assert.equal(await bobSees(), before, 'nothing changed for bob');
});

test('a wrong password stops `calshare ui` with exit 3 before serving anything', async () => {
  ensureStaging('cyrus');
  const r = await calshare(['ui', '--no-open', '--url', CYRUS.url, '--username', 'alice'], { env: { CALSHARE_PASSWORD: 'not-the-password' } });
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, '', 'no link printed');
  assert.match(r.stderr, /rejected the user name or password/);
  assert.equal(r.stderr.includes('not-the-password'), false);
});

test('a bad or busy --port is a usage error naming the fix (exit 2)', async () => {
  const env = { CALSHARE_PASSWORD: 'alice-pw' };
  const bad = await calshare(['ui', '--no-open', '--port', '70000', '--url', CYRUS.url, '--username', 'alice'], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--port must be a whole number from 0 to 65535/);
  const busy = await calshare(['ui', '--no-open', '--port', String(ui.port), '--url', CYRUS.url, '--username', 'alice'], { env });
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, new RegExp(`port ${ui.port} on 127.0.0.1 is in use[\\s\\S]*hint: Choose another with --port N`));
});
