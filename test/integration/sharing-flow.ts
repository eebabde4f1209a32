// The whole sharing job on staging Cyrus with one mechanism forced by --via, proven each step by
// logging in as the sharee: view-only → edit → a second sharee → revoke one → revoke all.
// One copy per mechanism: sharing-cs.test.ts, sharing-resource-sharing.test.ts, sharing-acl.test.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { canRead, dav, deleteCalendar, freshCalendar, ics, tryWrite } from '../helpers/dav.js';
import { ensureCyrusOwners, ensureStaging, CYRUS_OWNERS, type Owner, type User } from '../helpers/staging.js';
import { pathOf, sharees, userOk, writes } from './sharing-lib.js';

type Via = 'cs' | 'resource-sharing' | 'acl';
const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';
const CALENDAR = { 'content-type': 'text/calendar; charset=utf-8' };

/** What `sharees` must show for a grant made by `via`: extensions send invitations, ACL does not. */
function expectListed(row: { level: string; invite: string | null; origin: string; sources: string[] } | undefined, via: Via, level: string, who: string) {
  assert.ok(row, `${who} is not listed by sharees`);
  assert.equal(row.level, level, `${who}'s level in sharees`);
  if (via === 'acl') {
    assert.ok(row.sources.includes('acl'), `${who}'s sources ${row.sources} include acl`);
    // Cyrus lists an ACE of read+write in its CS:invite/DAV:invite as a share (SERVERS.md,
    // "Privilege mapping"), but not the read grant calshare writes for view-only.
    if (level === 'view-only') assert.deepEqual([row.origin, row.invite], ['acl', null], `${who} was granted by ACL only`);
    else assert.equal(row.origin, 'invitation', `Cyrus shows ${who}'s read+write ACE as a share`);
  } else {
    assert.equal(row.origin, 'invitation', `${who} was invited via ${via}`);
    assert.ok(row.sources.includes(via), `${who}'s sources ${row.sources} include ${via}`);
    assert.equal(row.invite, 'pending', `${who} has not answered the invitation`);
  }
}

/** The sharee creates, changes and deletes an event; the owner sees every step (real effects). */
async function proveEdit(who: User, calUrl: string, owner: User): Promise<void> {
  const uid = randomUUID();
  const url = `${calUrl}${uid}.ics`;
  const create = await dav(who, 'PUT', url, ics(uid, `Made by ${who}`), { ...CALENDAR, 'if-none-match': '*' });
  assert.ok([201, 204].includes(create.status), `${who} create → ${create.status} ${create.body}`);
  assert.match((await dav(owner, 'GET', url)).body, new RegExp(`SUMMARY:Made by ${who}`));
  const change = await dav(who, 'PUT', url, ics(uid, `Changed by ${who}`), CALENDAR);
  assert.ok([201, 204].includes(change.status), `${who} change → ${change.status}`);
  assert.match((await dav(owner, 'GET', url)).body, new RegExp(`SUMMARY:Changed by ${who}`));
  const remove = await dav(who, 'DELETE', url);
  assert.ok([200, 204].includes(remove.status), `${who} delete → ${remove.status}`);
  assert.equal((await dav(owner, 'GET', url)).status, 404, `the event ${who} deleted is gone for the owner too`);
}

async function proveReadOnly(who: User, cal: { url: string; eventUrl: string }): Promise<void> {
  assert.ok(await canRead(who, cal.url, cal.eventUrl), `${who} can read the owner's event`);
  const w = await tryWrite(who, cal.url);
  assert.equal(w.create, 403, `${who}'s write to a view-only calendar is refused (got ${w.create})`);
}

async function proveNoAccess(who: User, cal: { url: string; eventUrl: string }): Promise<void> {
  assert.equal(await canRead(who, cal.url, cal.eventUrl), false, `${who} can no longer read`);
  const w = await tryWrite(who, cal.url);
  assert.ok(w.create >= 400, `${who} can no longer write (got ${w.create})`);
}

async function proveOwner(cal: { url: string; eventUrl: string }, owner: User): Promise<void> {
  assert.ok(await canRead(owner, cal.url, cal.eventUrl), 'the owner still reads');
  const w = await tryWrite(owner, cal.url);
  assert.deepEqual([w.create === 201 || w.create === 204, w.change, w.remove], [true, 204, 204], `the owner still writes: ${JSON.stringify(w)}`);
}

/**
 * `owner` is alice unless a file needs an owner of its own: a Cyrus owner no other test file writes
 * ACLs for (CYRUS_OWNERS), where origins must not pick up Cyrus's home spill from concurrent tests.
 */
export function sharingFlow(via: Via, owner: User = 'alice'): void {
  test(`share, change, revoke with --via ${via}, proven as the sharee on Cyrus`, async (t) => {
    ensureStaging('cyrus');
    if (owner in CYRUS_OWNERS) ensureCyrusOwners(owner as Owner);
    const ownerOk = (args: string[]) => userOk(owner, args);
    const cal = await freshCalendar(owner);
    t.after(() => deleteCalendar(owner, cal.url));
    const path = pathOf(cal.url);
    assert.equal(await canRead('bob', cal.url, cal.eventUrl), false, 'bob has no access to a fresh calendar');

    await t.test('view-only: bob reads, bob cannot write', async () => {
      const r = await ownerOk(['share', path, BOB, '--view', '--via', via, '-v']);
      // Only the calendar counts: an ACL write may be followed by one that takes back Cyrus's home spill.
      assert.equal(writes(r.stderr).filter((w) => w.url === cal.url).length, 1, 'one write request');
      await proveReadOnly('bob', cal);
      expectListed((await sharees(path, owner)).get(BOB), via, 'view-only', 'bob');
    });

    await t.test('level change to edit: bob creates, changes and deletes an event', async () => {
      await ownerOk(['share', path, BOB, '--edit', '--via', via]);
      await proveEdit('bob', cal.url, owner);
      expectListed((await sharees(path, owner)).get(BOB), via, 'edit', 'bob');
    });

    await t.test('carol shared too (view-only)', async () => {
      await ownerOk(['share', path, CAROL, '--view', '--via', via]);
      await proveReadOnly('carol', cal);
      const list = await sharees(path, owner);
      expectListed(list.get(CAROL), via, 'view-only', 'carol');
      expectListed(list.get(BOB), via, 'edit', 'bob');
    });

    await t.test('unshare bob: bob refused, carol and the owner keep their access', async () => {
      await ownerOk(['unshare', path, BOB, '--yes', '--via', via]);
      await proveNoAccess('bob', cal);
      await proveReadOnly('carol', cal);
      await proveOwner(cal, owner);
      const list = await sharees(path, owner);
      assert.equal(list.has(BOB), false, 'bob no longer listed');
      expectListed(list.get(CAROL), via, 'view-only', 'carol');
    });

    await t.test('unshare --all: everyone refused, the owner keeps access', async () => {
      await ownerOk(['share', path, BOB, '--edit', '--via', via]);
      assert.ok(await canRead('bob', cal.url, cal.eventUrl));
      await ownerOk(['unshare', path, '--all', '--yes', '--via', via]);
      await proveNoAccess('bob', cal);
      await proveNoAccess('carol', cal);
      await proveOwner(cal, owner);
      assert.equal((await sharees(path, owner)).size, 0, 'no one listed');
    });
  });
}
