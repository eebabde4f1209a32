// Grants that name no person (issue 11 §2) on staging Cyrus: a raw ACL gives a fresh calendar of
// alice's to DAV:authenticated (read) and DAV:all (read); calshare shows them for what they are
// (sharees --json, calendars, the web UI's list), bob (a signed-in user who was never named) reads the
// event by its SUMMARY, and `unshare --all` leaves them in place and says so. Only the fresh calendar
// gets such grants; what the raw write spilled onto the calendar home (Cyrus) is taken back, and nothing else there.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { dav, deleteCalendar, freshCalendar, ics, rawAcl } from '../helpers/dav.js';
import { CYRUS, ensureStaging } from '../helpers/staging.js';
import { startUi } from '../helpers/browser.js';
import { aliceOk } from './sharing-lib.js';

const home = CYRUS.home('alice');
let cal: { url: string; name: string; eventUrl: string };
const summary = `Everyone may read ${randomUUID().slice(0, 8)}`;
let homeBefore = '';

const acesOf = (raw: string): string[] => /<d:acl>(.*)<\/d:acl>/s.exec(raw)?.[1]?.match(/<d:ace>.*?<\/d:ace>/gs) ?? [];

/**
 * Takes back only the home ACEs that appeared since `before` (Cyrus's home spill of our write), the
 * way calshare's engine does: other tests' home grants, made meanwhile or earlier, stay as they are.
 * Cyrus answers 500 to an ACL on the home yet applies it.
 */
async function takeBackSpill(before: string): Promise<void> {
  const had = new Set(acesOf(before));
  const now = acesOf(await rawAcl('alice', home));
  if (now.every((a) => had.has(a))) return;
  await dav('alice', 'ACL', home, `<?xml version="1.0" encoding="utf-8"?><d:acl xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">${now.filter((a) => had.has(a)).join('')}</d:acl>`);
}

before(async () => {
  ensureStaging('cyrus');
  cal = await freshCalendar('alice', `t-others-${randomUUID().slice(0, 8)}`);
  const uid = `others-${randomUUID()}`;
  const put = await dav('alice', 'PUT', `${cal.url}${uid}.ics`, ics(uid, summary), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.ok([201, 204].includes(put.status), `PUT → ${put.status}`);
  cal.eventUrl = `${cal.url}${uid}.ics`;
  homeBefore = await rawAcl('alice', home);
  const acl = await dav('alice', 'ACL', cal.url,
    '<?xml version="1.0" encoding="utf-8"?><d:acl xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">' +
      '<d:ace><d:principal><d:self/></d:principal><d:grant><d:privilege><d:all/></d:privilege></d:grant></d:ace>' +
      '<d:ace><d:principal><d:authenticated/></d:principal><d:grant><d:privilege><d:read/></d:privilege></d:grant></d:ace>' +
      '<d:ace><d:principal><d:all/></d:principal><d:grant><d:privilege><d:read/></d:privilege><d:privilege><c:read-free-busy/></d:privilege></d:grant></d:ace>' +
      '</d:acl>');
  assert.equal(acl.status, 200, acl.body);
  // Cyrus's home spill: that write put a grant on alice's calendar home; put the home back as it was.
  await takeBackSpill(homeBefore);
});

after(async () => {
  if (!cal) return;
  await deleteCalendar('alice', cal.url);
  if (homeBefore) await takeBackSpill(homeBefore);
});

const path = () => new URL(cal.url).pathname;

test('sharees --json lists the grants to no person in `others`, with kind and level; `sharees` stays people', async () => {
  const doc = JSON.parse((await aliceOk(['sharees', path(), '--json'])).stdout) as {
    calendars: { sharees: { kind: string; email: string | null }[]; others: { kind: string; name: string; level: string }[] }[];
  };
  const [c] = doc.calendars;
  assert.ok(c!.sharees.every((s) => s.kind === 'person' && s.email), JSON.stringify(c!.sharees));
  // Cyrus keeps DAV:authenticated as "anyone" + a denial for "anonymous"; with the DAV:all grant
  // beside it, Cyrus reports whichever it made of them: signed-in users or everyone, view-only.
  const wide = c!.others.filter((o) => o.level === 'view-only').map((o) => o.kind);
  assert.ok(wide.length > 0 && wide.every((k) => k === 'everyone' || k === 'authenticated'), JSON.stringify(c!.others));
  const table = (await aliceOk(['sharees', path()])).stdout;
  assert.match(table, /(everyone|all signed-in users)\s+view-only/);
  assert.doesNotMatch(table, /not shared with anyone/);
});

test('calendars does not count it as shared with no one', async () => {
  const doc = JSON.parse((await aliceOk(['calendars', '--json'])).stdout) as {
    calendars: { url: string; sharedWith: number; sharedWithOthers: { kind: string; level: string }[] }[];
  };
  const row = doc.calendars.find((c) => c.url === cal.url);
  assert.ok(row, 'the fresh calendar is listed');
  assert.ok(row.sharedWithOthers.some((o) => o.level === 'view-only' && ['everyone', 'authenticated'].includes(o.kind)), JSON.stringify(row));
  const line = (await aliceOk(['calendars'])).stdout.split('\n').find((l) => l.includes(cal.url));
  assert.match(line ?? '', /\+ (everyone|all signed-in users) \(view-only\)/);
});

test('the web UI lists them on the calendar page and in the calendar list', async () => {
  const ui = await startUi('alice');
  try {
    const launch = await request(ui.launchUrl, { method: 'GET' });
    await launch.body.text();
    const setCookie = launch.headers['set-cookie'];
    const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map((c) => c.split(';')[0]).join('; ');
    const get = async (rel: string) => {
      const r = await request(new URL(rel, ui.base), { headers: { cookie } });
      assert.equal(r.statusCode, 200, rel);
      return r.body.text();
    };
    const page = await get(`calendar?path=${encodeURIComponent(path())}`);
    assert.match(page, /data-grantee="(everyone|authenticated)"/);
    assert.match(page, /<span data-grantee="(everyone|authenticated)">(everyone|all signed-in users): view-only<\/span>/);
    assert.doesNotMatch(page, /Not shared with anyone/);
    const list = await get('./');
    const row = list.split('<tr>').find((r) => r.includes(encodeURIComponent(path())));
    assert.match(row ?? '', /(everyone|all signed-in users) \(view-only\)/);
  } finally {
    await ui.stop();
  }
});

test('bob, signed in but never named, reads the event by its SUMMARY', async () => {
  const r = await dav('bob', 'GET', cal.eventUrl);
  assert.equal(r.status, 200);
  assert.match(r.body, new RegExp(`SUMMARY:${summary}`));
});

test('unshare --all --yes leaves them in place, says so, and bob still reads', async () => {
  const r = await aliceOk(['unshare', path(), '--all', '--yes']);
  assert.match(r.stderr, /left in place: .*(everyone|all signed-in users): view-only/);
  const acl = await rawAcl('alice', cal.url);
  assert.match(acl, /<d:principal><d:all\/><\/d:principal><d:grant><d:privilege><d:read\/>/);
  const g = await dav('bob', 'GET', cal.eventUrl);
  assert.match(g.body, new RegExp(`SUMMARY:${summary}`));
});
