// The sharee's side on staging Cyrus (issues 15 and 18), proven with bob's own credentials and
// ending in a calendar client no part of calshare wrote (python3-caldav), started from bob's home:
// alice shares (and is told what bob must do), bob lists the invitation, accepts it (alice sees
// "accepted", the calendar is in bob's home, bob's app reads alice's event), alice revokes (bob's
// app is refused and calshare shows no dead entry). A second, fresh calendar is declined: Cyrus
// remembers a reply across re-shares, so each test has calendars of its own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { dav, deleteCalendar, freshCalendar, ics } from '../helpers/dav.js';
import { as } from '../helpers/cli.js';
import { CYRUS, USERS, ensureStaging } from '../helpers/staging.js';
import { thirdParty } from '../helpers/third-party.js';

const BOB = 'bob@example.test';
const alice = as('alice', CYRUS.url);
const bob = as('bob', CYRUS.url);
const bobsApp = thirdParty(CYRUS.home('bob'), 'bob', USERS.bob);
const pathOf = (u: string) => new URL(u).pathname;

interface InviteRow { id: string; calendar: { name: string; url: string }; owner: { email: string | null }; level: string; status: string; sent: string | null; inYourHome: string | null }

async function invitesOf(url: string): Promise<InviteRow | undefined> {
  const r = await bob(['invites', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { invitations: InviteRow[] }).invitations.find((i) => i.calendar.url === url);
}

async function aliceSeesInvite(path: string): Promise<string | null> {
  const r = await alice(['sharees', path, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const row = (JSON.parse(r.stdout) as { calendars: { sharees: { email: string; invite: string | null }[] }[] }).calendars[0]!.sharees.find((s) => s.email === BOB);
  return row?.invite ?? null;
}

async function bobsCalendars(): Promise<{ url: string; mine: boolean; owner: string; level: string; origin: string | null; ownerUrl: string | null }[]> {
  const r = await bob(['calendars', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).calendars;
}

/** A fresh calendar of alice's with an event whose SUMMARY only this test knows. */
async function calendarWithSecret() {
  const cal = await freshCalendar('alice');
  const secret = `Alice plan ${randomUUID().slice(0, 8)}`;
  const put = await dav('alice', 'PUT', `${cal.url}plan.ics`, ics(`plan-${cal.name}`, secret), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.ok([201, 204].includes(put.status), `PUT plan → ${put.status}`);
  return { ...cal, secret };
}

test('Cyrus: bob accepts alice\'s invitation; his own calendar app lists and reads it; after revoke it is refused', async (t) => {
  ensureStaging('cyrus');
  const cal = await calendarWithSecret();
  t.after(() => deleteCalendar('alice', cal.url));

  // The owner learns what bob must do (--json here; the terminal form is checked in the decline test).
  const shared = await alice(['share', pathOf(cal.url), BOB, '--view', '--json']);
  assert.equal(shared.code, 0, shared.stderr);
  const step = JSON.parse(shared.stdout).results[0].shareeStep;
  assert.equal(step.step, 'accept-invitation');
  assert.equal(step.command, `calshare accept ${cal.name}`);
  assert.match(step.text, /bob@example\.test must accept the invitation/);

  // Until bob answers, his app does not list it (SERVERS.md: nowhere until bob replies).
  assert.ok(!(await bobsApp.list()).some((c) => c.url.includes(`/alice.${cal.name}/`)), 'not listed before accepting');

  const pending = await invitesOf(cal.url);
  assert.ok(pending, 'bob lists alice\'s invitation');
  assert.deepEqual([pending.owner.email, pending.level, pending.status, pending.calendar.name], ['alice@example.test', 'view-only', 'pending', cal.name]);
  assert.ok(pending.sent && !Number.isNaN(Date.parse(pending.sent)), 'when it was sent');
  const text = await bob(['invites']);
  assert.match(text.stdout, new RegExp(`${pending.id}\\s+${cal.name}\\s+alice@example\\.test\\s+view-only\\s+pending`));

  const accepted = await bob(['accept', cal.name, '--json']);
  assert.equal(accepted.code, 0, accepted.stderr);
  const out = JSON.parse(accepted.stdout);
  assert.equal(out.invite, 'accepted');
  assert.equal(out.inYourHome, `${CYRUS.home('bob')}alice.${cal.name}/`, 'at the URL the server returned');
  assert.equal(await aliceSeesInvite(pathOf(cal.url)), 'accepted', 'alice\'s sharees shows accepted');
  assert.equal((await invitesOf(cal.url))?.status, 'accepted');

  const mineOrNot = (await bobsCalendars()).find((c) => c.url === out.inYourHome);
  assert.deepEqual(mineOrNot && [mineOrNot.mine, mineOrNot.owner, mineOrNot.level, mineOrNot.origin, mineOrNot.ownerUrl], [false, 'alice@example.test', 'view-only', 'invitation', cal.url]);
  assert.ok((await bobsCalendars()).some((c) => c.mine), 'bob\'s own calendars stay "mine"');

  // bob's own app, from his home: lists alice's calendar and reads her event's real content.
  const listed = await bobsApp.list();
  assert.ok(listed.some((c) => c.url === out.inYourHome), `python3-caldav lists it: ${JSON.stringify(listed)}`);
  const read = await bobsApp.read(out.inYourHome);
  assert.ok(read.summaries?.includes(cal.secret), `python3-caldav reads alice's event: ${JSON.stringify(read)}`);

  const revoked = await alice(['unshare', pathOf(cal.url), BOB, '--yes']);
  assert.equal(revoked.code, 0, revoked.stderr);
  const after = await bobsApp.read(out.inYourHome);
  assert.equal(after.refused, true, `python3-caldav is refused after the revoke: ${JSON.stringify(after)}`);
  assert.ok(!(await bobsApp.list()).some((c) => c.url === out.inYourHome), 'no longer listed by bob\'s app');
  assert.ok(!(await bobsCalendars()).some((c) => c.url === out.inYourHome && c.level !== 'no access'), 'calshare shows no dead entry as working');
  assert.equal(await invitesOf(cal.url), undefined, 'a withdrawn invitation is not offered');
});

test('Cyrus: bob declines an invitation; alice sees "declined"; the owner was told in the terminal', async (t) => {
  ensureStaging('cyrus');
  const cal = await calendarWithSecret();
  t.after(() => deleteCalendar('alice', cal.url));
  const shared = await alice(['share', pathOf(cal.url), BOB, '--edit']);
  assert.equal(shared.code, 0, shared.stderr);
  assert.match(shared.stderr, new RegExp(`bob@example\\.test must accept the invitation first: \`calshare accept ${cal.name}\``));

  const noYes = await bob(['decline', cal.name]);
  assert.equal(noYes.code, 2, 'declining without a terminal needs --yes');
  const declined = await bob(['decline', cal.name, '--yes', '--json']);
  assert.equal(declined.code, 0, declined.stderr);
  assert.equal(JSON.parse(declined.stdout).invite, 'declined');
  assert.equal(await aliceSeesInvite(pathOf(cal.url)), 'declined', 'alice\'s sharees shows declined');
  assert.equal((await invitesOf(cal.url))?.status, 'declined');
  assert.ok(!(await bobsApp.list()).some((c) => c.url.includes(`/alice.${cal.name}/`)), 'a declined calendar is not in bob\'s list');
  const unknown = await bob(['accept', `no-such-${randomUUID().slice(0, 6)}`]);
  assert.equal(unknown.code, 2, 'an unknown INVITE is a usage error');
  assert.match(unknown.stderr, /calshare invites/);
});
