// Cyrus copies the calendar home's ACL into every new calendar, and its ACL method grants the
// sharee read on the home too. calshare must take that back, or one share would silently share
// every calendar the owner creates later. Proven as the sharee, on a calendar made after the share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { as } from '../helpers/cli.js';
import { CYRUS, ensureStaging } from '../helpers/staging.js';
import { canRead, dav, deleteCalendar, freshCalendar, ics } from '../helpers/dav.js';
import { parseAcl } from '../../src/sharing/mechanisms/acl.js';
import { parseMultiStatus, prop } from '../../src/xml/multistatus.js';
import { NS, qn } from '../../src/xml/names.js';

const home = CYRUS.home('carol');
const carol = as('carol', CYRUS.url);

async function homeGrantsTo(user: string): Promise<boolean> {
  // The CalDAV namespace is declared in the request because Cyrus's answer only declares those.
  const body = '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:acl/><c:calendar-description/></d:prop></d:propfind>';
  const [r] = parseMultiStatus((await dav('carol', 'PROPFIND', home, body, { depth: '0' })).body, new URL(home));
  const aces = parseAcl(prop(r!, qn(NS.DAV, 'acl')), new URL(home));
  return aces.some((a) => a.principal?.pathname === CYRUS.principal(user) && a.grant.length > 0);
}

test('an ACL share on Cyrus does not leak into calendars the owner creates later', async (t) => {
  ensureStaging('cyrus');
  // A sibling calendar shared with alice: Cyrus spills everyone in any sibling's ACL onto the home.
  const sibling = await freshCalendar('carol');
  const cal = await freshCalendar('carol');
  const later = `${home}later-${randomUUID().slice(0, 8)}/`;
  t.after(async () => {
    await carol(['unshare', new URL(cal.url).pathname, 'bob@example.test', '--yes', '--via', 'acl']);
    await carol(['unshare', new URL(sibling.url).pathname, 'alice@example.test', '--yes']);
    for (const c of [cal.url, sibling.url, later]) await deleteCalendar('carol', c);
  });
  assert.equal((await carol(['share', new URL(sibling.url).pathname, 'alice@example.test', '--view', '--via', 'cs'])).code, 0);
  assert.equal(await homeGrantsTo('alice'), false, 'a CalendarServer share does not touch the home');

  const r = await carol(['share', new URL(cal.url).pathname, 'bob@example.test', '--view', '--via', 'acl']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning:/, 'the spill was taken back, so nothing to warn about');
  assert.equal(await homeGrantsTo('bob'), false, "bob has no grant left on carol's calendar home");
  assert.equal(await homeGrantsTo('alice'), false, 'nor alice, shared on a sibling calendar');
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true, 'bob still reads the calendar that was shared');

  assert.equal((await dav('carol', 'MKCALENDAR', later)).status, 201);
  const uid = randomUUID();
  assert.equal((await dav('carol', 'PUT', `${later}${uid}.ics`, ics(uid, 'Private'), { 'content-type': 'text/calendar; charset=utf-8' })).status, 201);
  assert.equal(await canRead('bob', later, `${later}${uid}.ics`), false, 'a calendar created after the share is not readable by bob');
  assert.equal(await canRead('alice', later, `${later}${uid}.ics`), false, 'nor by alice');

  const revoke = await carol(['unshare', new URL(cal.url).pathname, 'bob@example.test', '--yes']);
  assert.equal(revoke.code, 0, revoke.stderr);
  assert.match(revoke.stderr, /via WebDAV ACL,/, 'an ACL-only grant is revoked by ACL, and the output says so');
  assert.equal(await homeGrantsTo('alice'), false, 'the revoke spilled nothing either');
  assert.equal(await homeGrantsTo('bob'), false);
});
