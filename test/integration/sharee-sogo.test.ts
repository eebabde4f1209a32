// Issue 18 on staging SOGo 5.8: a share works at alice's URL but nothing appears in bob's home
// until bob subscribes (<subscribe/> of inverse-dav, as bob: shared/staging/SOGO.md §6). Proven with
// bob's own credentials and ending in python3-caldav (no part of calshare) started from bob's home.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { request } from 'undici';
import { calshare } from '../helpers/cli.js';
import { SOGO, ensureStaging } from '../helpers/staging.js';
import { ics } from '../helpers/dav.js';
import { thirdParty } from '../helpers/third-party.js';

type Who = (typeof SOGO.users)[number];
const pw = (u: Who) => `${u}-pw`;
const as = (who: Who) => (args: string[]) => calshare([...args, '--url', SOGO.url, '--username', who], { env: { CALSHARE_PASSWORD: pw(who) }, timeoutMs: 120_000 });
const appOf = (who: Who) => thirdParty(SOGO.home(who), who, pw(who));

async function raw(who: Who, method: string, url: string, body?: string, headers: Record<string, string> = {}) {
  const res = await request(url, { method: method as 'GET', headers: { authorization: `Basic ${Buffer.from(`${who}:${pw(who)}`).toString('base64')}`, ...headers }, body: body ?? null });
  return { status: res.statusCode, body: await res.body.text() };
}

/** A fresh calendar of alice's with an event whose SUMMARY only this test knows; deleted after the test. */
async function calendarWithSecret(t: TestContext) {
  ensureStaging('sogo');
  const name = `t${randomUUID().slice(0, 8)}`;
  const url = `${SOGO.home('alice')}${name}/`;
  const mk = await raw('alice', 'MKCALENDAR', url);
  assert.equal(mk.status, 201, `MKCALENDAR → ${mk.status}`);
  t.after(async () => void (await raw('alice', 'DELETE', url)));
  const secret = `Alice plan ${randomUUID().slice(0, 8)}`;
  const put = await raw('alice', 'PUT', `${url}plan.ics`, ics(`plan-${name}`, secret), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.ok([201, 204].includes(put.status), `PUT → ${put.status}`);
  return { name, url, secret };
}

test('SOGo: alice shares, bob `calshare accept`s by subscribing; his own app lists and reads it; after revoke it is refused', async (t) => {
  const { name, url, secret } = await calendarWithSecret(t);

  const shared = await as('alice')(['share', new URL(url).pathname, 'bob@example.test', '--view', '--json']);
  assert.equal(shared.code, 0, shared.stderr);
  const step = JSON.parse(shared.stdout).results[0].shareeStep;
  assert.deepEqual([step.step, step.command], ['subscribe', `calshare accept ${url}`], 'the owner is told what bob must do');
  assert.match(step.text, /bob@example\.test must add it to their calendar list/);

  const bobsApp = appOf('bob');
  assert.ok(!(await bobsApp.list()).some((c) => c.url.includes(`alice_${name}`)), 'SOGo lists nothing in bob\'s home before he subscribes');
  const inbox = JSON.parse((await as('bob')(['invites', '--json'])).stdout);
  assert.deepEqual([inbox.server.invitations, inbox.server.howSharesArrive], [false, 'subscribe'], 'invites says plainly that this server sends none');

  const accepted = await as('bob')(['accept', url, '--json']);
  assert.equal(accepted.code, 0, accepted.stderr);
  const out = JSON.parse(accepted.stdout);
  assert.equal(out.action, 'subscribe');
  assert.equal(out.inYourHome, `${SOGO.home('bob')}alice_${name}/`);
  const mine = (JSON.parse((await as('bob')(['calendars', '--json'])).stdout).calendars as { url: string; mine: boolean; owner: string; level: string; origin: string }[]).find((c) => c.url === out.inYourHome);
  assert.deepEqual(mine && [mine.mine, mine.owner, mine.level, mine.origin], [false, 'alice@example.test', 'view-only', 'subscription']);

  assert.ok((await bobsApp.list()).some((c) => c.url === out.inYourHome), 'python3-caldav lists alice\'s calendar in bob\'s home');
  const read = await bobsApp.read(out.inYourHome);
  assert.ok(read.summaries?.includes(secret), `python3-caldav reads alice's real event: ${JSON.stringify(read)}`);

  const revoked = await as('alice')(['unshare', new URL(url).pathname, 'bob@example.test', '--yes']);
  assert.equal(revoked.code, 0, revoked.stderr);
  const after = await bobsApp.read(out.inYourHome);
  assert.equal(after.refused, true, `python3-caldav is refused after the revoke: ${JSON.stringify(after)}`);
  assert.ok(!(await bobsApp.list()).some((c) => c.url === out.inYourHome), 'the subscription vanished with the revoke');
  const left = (JSON.parse((await as('bob')(['calendars', '--json'])).stdout).calendars as { url: string; level: string }[]).filter((c) => c.url === out.inYourHome);
  assert.ok(left.every((c) => c.level === 'no access'), 'no dead entry shown as working');
});

test('SOGo: bob `calshare decline`s a calendar he subscribed to: unsubscribed (his app no longer lists it), his access and alice\'s view unchanged', async (t) => {
  const { name, url, secret } = await calendarWithSecret(t);
  const shared = await as('alice')(['share', new URL(url).pathname, 'bob@example.test', '--view', '--json']);
  assert.equal(shared.code, 0, shared.stderr);

  const accepted = await as('bob')(['accept', url, '--json']);
  assert.equal(accepted.code, 0, accepted.stderr);
  const entry = JSON.parse(accepted.stdout).inYourHome as string;
  assert.equal(entry, `${SOGO.home('bob')}alice_${name}/`);
  const bobsApp = appOf('bob');
  assert.ok((await bobsApp.list()).some((c) => c.url === entry), 'subscribed: python3-caldav lists it');

  const noYes = await as('bob')(['decline', url]);
  assert.equal(noYes.code, 2, `decline without --yes off a terminal is a usage error: ${noYes.stderr}`);
  const declined = await as('bob')(['decline', url, '--yes', '--json', '-v']);
  assert.equal(declined.code, 0, declined.stderr);
  const out = JSON.parse(declined.stdout);
  assert.deepEqual([out.answer, out.action, out.inYourHome], ['decline', 'unsubscribe', null]);
  assert.match(out.note, /removed from your calendar list; the owner's calendar and your access are unchanged/);
  assert.match(declined.stderr, /POST \S*\/alice\/Calendar\/t[0-9a-f]{8}\//, 'the unsubscribe goes to alice\'s calendar, as bob');

  assert.ok(!(await bobsApp.list()).some((c) => c.url === entry || c.url.includes(`alice_${name}`)), 'python3-caldav no longer lists it in bob\'s home');
  const mine = JSON.parse((await as('bob')(['calendars', '--json'])).stdout).calendars as { url: string }[];
  assert.ok(!mine.some((c) => c.url === entry), 'calshare calendars as bob no longer lists it');
  // Declining is not revoking: bob still reads alice's event at her URL, and alice still sees him.
  const read = await bobsApp.read(url);
  assert.ok(read.summaries?.includes(secret), `bob still reads alice's real event at her URL: ${JSON.stringify(read)}`);
  const owners = JSON.parse((await as('alice')(['sharees', new URL(url).pathname, '--json'])).stdout).calendars[0].sharees as { email: string; level: string }[];
  assert.deepEqual(owners.filter((x) => x.email === 'bob@example.test').map((x) => x.level), ['view-only'], 'alice\'s view: bob keeps view-only access');

  const again = await as('bob')(['decline', url, '--yes', '--json']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).action, 'none', 'a second decline has nothing to do');
});
