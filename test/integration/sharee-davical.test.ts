// Issue 18 on staging DAViCal: a share works at alice's URL but nothing appears in bob's home
// unless he BINDs it there (shared/staging/DAVICAL.md §5.5, §6.4). Proven with bob's own
// credentials and ending in python3-caldav (no part of calshare) started from bob's home. DAViCal's
// BIND checks no privilege on the source, so calshare binds only after proving the grant: carol,
// never shared with, gets nothing in her home.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calshare } from '../helpers/cli.js';
import { DAVICAL, ensureStaging } from '../helpers/staging.js';
import { dav, freshCalendar, pw, type Who } from '../helpers/davical.js';
import { thirdParty } from '../helpers/third-party.js';

const as = (who: Who) => (args: string[]) =>
  calshare([...args, '--url', DAVICAL.url, '--username', who], { env: { CALSHARE_PASSWORD: pw(who) }, timeoutMs: 120_000 });
const appOf = (who: Who) => thirdParty(DAVICAL.home(who), who, pw(who));

test('DAViCal: alice shares, bob `calshare accept`s by BIND; his own app lists and reads it; after revoke it is refused', async (t) => {
  ensureStaging('davical');
  const cal = await freshCalendar();
  t.after(async () => void (await dav('alice', 'DELETE', cal.url)));
  const name = cal.path.split('/').filter(Boolean).pop()!;

  const shared = await as('alice')(['share', cal.path, 'bob@example.test', '--view', '--json']);
  assert.equal(shared.code, 0, shared.stderr);
  const step = JSON.parse(shared.stdout).results[0].shareeStep;
  assert.deepEqual([step.step, step.command, step.url], ['bind', `calshare accept ${cal.url}`, cal.url], 'the owner is told what bob must do');
  const text = await as('alice')(['share', cal.path, 'bob@example.test', '--view']);
  assert.match(text.stderr, /bob@example\.test can add it to their calendar list with `calshare accept http:\/\/127\.0\.0\.1:8100\/caldav\.php\/alice\//);

  const bobsApp = appOf('bob');
  assert.ok(!(await bobsApp.list()).some((c) => c.url.includes(name)), 'DAViCal lists nothing in bob\'s home before the BIND');
  const inbox = JSON.parse((await as('bob')(['invites', '--json'])).stdout);
  assert.deepEqual([inbox.server.invitations, inbox.server.howSharesArrive], [false, 'bind'], 'invites says plainly that this server sends none');

  const accepted = await as('bob')(['accept', cal.url, '--json']);
  assert.equal(accepted.code, 0, accepted.stderr);
  const out = JSON.parse(accepted.stdout);
  assert.equal(out.action, 'bind');
  assert.equal(out.inYourHome, `${DAVICAL.home('bob')}alice.${name}/`, 'the binding names owner and calendar');
  const again = JSON.parse((await as('bob')(['accept', cal.url, '--json'])).stdout);
  assert.equal(again.action, 'none', 'a second accept finds it already there');

  const listedByCalshare = (JSON.parse((await as('bob')(['calendars', '--json'])).stdout).calendars as { url: string; mine: boolean; owner: string; origin: string }[]).find((c) => c.url === out.inYourHome);
  assert.deepEqual(listedByCalshare && [listedByCalshare.mine, listedByCalshare.owner, listedByCalshare.origin], [false, 'alice@example.test', 'binding']);
  // DAViCal hides current-user-privilege-set from a sharee: the level is said to be not shown, never guessed.
  const table = await as('bob')(['calendars']);
  assert.match(table.stdout, new RegExp(`^${name} .*  not shown  .*/alice\\.${name}/$`, 'm'));
  assert.match(table.stderr, /"not shown" = the server does not tell you your own level/);

  assert.ok((await bobsApp.list()).some((c) => c.url === out.inYourHome), 'python3-caldav lists alice\'s calendar in bob\'s home');
  const read = await bobsApp.read(out.inYourHome);
  assert.ok(read.summaries?.includes(cal.summary), `python3-caldav reads alice's real event: ${JSON.stringify(read)}`);

  const revoked = await as('alice')(['unshare', cal.path, 'bob@example.test', '--yes']);
  assert.equal(revoked.code, 0, revoked.stderr);
  const after = await bobsApp.read(out.inYourHome);
  assert.ok(after.refused || !(after.summaries ?? []).includes(cal.summary), `python3-caldav no longer reads it: ${JSON.stringify(after)}`);
  assert.equal(after.refused, true, `python3-caldav is refused: ${JSON.stringify(after)}`);
  const left = (JSON.parse((await as('bob')(['calendars', '--json'])).stdout).calendars as { url: string; level: string }[]).filter((c) => c.url === out.inYourHome);
  assert.ok(left.every((c) => c.level === 'no access'), `no dead entry shown as working: ${JSON.stringify(left)}`);
});

test('DAViCal: no BIND without a grant (DAViCal\'s own BIND would accept it)', async (t) => {
  ensureStaging('davical');
  const cal = await freshCalendar();
  t.after(async () => void (await dav('alice', 'DELETE', cal.url)));
  const r = await as('carol')(['accept', cal.url]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /not shared with you/);
  const name = cal.path.split('/').filter(Boolean).pop()!;
  assert.ok(!(await appOf('carol').list()).some((c) => c.url.includes(name)), 'nothing bound into carol\'s home');
});
