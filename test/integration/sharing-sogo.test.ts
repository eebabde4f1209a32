// SOGo 5.8 (staging/sogo.sh): listing, capabilities and the whole sharing job through SOGo's
// acl-query, every step proven by logging in as the sharee with his own credentials and reading or
// writing real events. Each test works on a calendar of its own (random name) and deletes it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import { dav, ics } from '../helpers/dav.js';
import { as, type CliResult } from '../helpers/cli.js';
import { ensureStaging, SOGO, type User } from '../helpers/staging.js';
import { traced, writes } from './sharing-lib.js';

const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';
const ICAL = { 'content-type': 'text/calendar; charset=utf-8' };
const ACL_QUERY = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><acl-query xmlns="urn:inverse:params:xml:ns:inverse-dav">${inner}</acl-query>`;

before(() => ensureStaging('sogo'));

interface Cal {
  url: string;
  path: string;
  eventUrl: string;
  summary: string;
}

/** A calendar of alice's own with one event whose SUMMARY is unique to this test. */
async function freshSogoCalendar(t: { after: (fn: () => Promise<unknown>) => void }): Promise<Cal> {
  const name = `t-${randomUUID().slice(0, 8)}`;
  const url = `${SOGO.home('alice')}${name}/`;
  const mk = await dav('alice', 'MKCALENDAR', url,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201, `MKCALENDAR ${url} → ${mk.status} ${mk.body}`);
  t.after(() => dav('alice', 'DELETE', url));
  const uid = `seed-${randomUUID()}`;
  const summary = `Alice's plan ${name}`;
  const eventUrl = `${url}${uid}.ics`;
  const put = await dav('alice', 'PUT', eventUrl, ics(uid, summary), { ...ICAL, 'if-none-match': '*' });
  assert.equal(put.status, 201, `PUT seed → ${put.status} ${put.body}`);
  return { url, path: new URL(url).pathname, eventUrl, summary };
}

const alice = as('alice', SOGO.url);

async function aliceOk(args: string[], code = 0): Promise<CliResult> {
  const r = await alice(args);
  assert.equal(r.code, code, `calshare ${args.join(' ')} → exit ${r.code}, wanted ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** The server's own record, read raw as the owner: uid → roles (not through calshare's parser). */
async function rolesOnServer(cal: Cal): Promise<Map<string, string[]>> {
  const list = await dav('alice', 'REPORT', cal.url, ACL_QUERY('<user-list params="nocn,noemail"/>'), { depth: '0' });
  assert.equal(list.status, 207, `user-list → ${list.status}`);
  const uids = [...list.body.matchAll(/<user><id>([^<]+)<\/id><\/user>/g)].map((m) => m[1]!);
  const out = new Map<string, string[]>();
  for (const uid of uids) {
    const r = await dav('alice', 'REPORT', cal.url, ACL_QUERY(`<roles user="${uid}"/>`), { depth: '0' });
    out.set(uid, [...r.body.matchAll(/<(\w+)\/>/g)].map((m) => m[1]!).sort());
  }
  return out;
}

/** `who` reads alice's event and sees its real SUMMARY. */
async function readsEvent(who: User, cal: Cal): Promise<boolean> {
  const r = await dav(who, 'GET', cal.eventUrl);
  return r.status === 200 && r.body.includes(`SUMMARY:${cal.summary}`);
}

async function proveViewOnly(who: User, cal: Cal): Promise<void> {
  assert.ok(await readsEvent(who, cal), `${who} reads alice's event "${cal.summary}"`);
  const uid = randomUUID();
  const create = await dav(who, 'PUT', `${cal.url}${uid}.ics`, ics(uid, `By ${who}`), { ...ICAL, 'if-none-match': '*' });
  assert.equal(create.status, 403, `${who}'s new event on a view-only calendar is refused`);
  const change = await dav(who, 'PUT', cal.eventUrl, ics('x', 'Overwritten'), ICAL);
  assert.equal(change.status, 403, `${who}'s change of alice's event is refused`);
  assert.ok(await readsEvent('alice', cal), "alice's event is unchanged");
}

async function proveEdit(who: User, cal: Cal): Promise<void> {
  const uid = randomUUID();
  const url = `${cal.url}${uid}.ics`;
  const create = await dav(who, 'PUT', url, ics(uid, `Made by ${who}`), { ...ICAL, 'if-none-match': '*' });
  assert.equal(create.status, 201, `${who} creates → ${create.status}`);
  assert.match((await dav('alice', 'GET', url)).body, new RegExp(`SUMMARY:Made by ${who}`));
  const change = await dav(who, 'PUT', url, ics(uid, `Changed by ${who}`), ICAL);
  assert.ok([201, 204].includes(change.status), `${who} changes → ${change.status}`);
  assert.match((await dav('alice', 'GET', url)).body, new RegExp(`SUMMARY:Changed by ${who}`));
  const remove = await dav(who, 'DELETE', url);
  assert.ok([200, 204].includes(remove.status), `${who} deletes → ${remove.status}`);
  assert.equal((await dav('alice', 'GET', url)).status, 404, `the event ${who} deleted is gone for alice too`);
}

/** SOGo answers 404 (not 403) to everything of a calendar someone has no role on (SOGO.md §6). */
async function proveNoAccess(who: User, cal: Cal): Promise<void> {
  assert.equal(await readsEvent(who, cal), false, `${who} no longer reads`);
  assert.equal((await dav(who, 'GET', cal.eventUrl)).status, 404);
  const uid = randomUUID();
  const create = await dav(who, 'PUT', `${cal.url}${uid}.ics`, ics(uid, `By ${who}`), { ...ICAL, 'if-none-match': '*' });
  assert.ok(create.status >= 400, `${who} can no longer write (got ${create.status})`);
}

async function proveOwner(cal: Cal): Promise<void> {
  assert.ok(await readsEvent('alice', cal), 'alice still reads her event');
  const uid = randomUUID();
  const url = `${cal.url}${uid}.ics`;
  assert.equal((await dav('alice', 'PUT', url, ics(uid, 'Owner'), { ...ICAL, 'if-none-match': '*' })).status, 201, 'alice still writes');
  assert.ok([200, 204].includes((await dav('alice', 'DELETE', url)).status));
}

interface ShareeRow {
  email: string | null;
  level: string;
  sources: string[];
}

async function shareesJson(cal: Cal): Promise<Map<string, ShareeRow>> {
  const r = await aliceOk(['sharees', cal.path, '--json']);
  const doc = JSON.parse(r.stdout) as { calendars: { sharees: ShareeRow[] }[] };
  assert.equal(doc.calendars.length, 1);
  return new Map(doc.calendars[0]!.sharees.map((s) => [s.email ?? '?', s]));
}

const VIEW_ROLES = ['ConfidentialViewer', 'PrivateViewer', 'PublicViewer'];
const EDIT_ROLES = ['ConfidentialModifier', 'ObjectCreator', 'ObjectEraser', 'PrivateModifier', 'PublicModifier'];

test('SOGo: calendars, capabilities --json and sharees --json', async (t) => {
  const cal = await freshSogoCalendar(t);
  const list = await aliceOk(['calendars', '--json']);
  const cals = (JSON.parse(list.stdout) as { calendars: { url: string; owned: boolean }[] }).calendars;
  assert.ok(cals.some((c) => c.url === cal.url && c.owned), `calendars lists ${cal.url} (the home PROPFIND SOGo refuses with 501 is retried)`);
  assert.ok(cals.some((c) => c.url === SOGO.calendar('alice')), 'and the personal calendar');

  const doc = JSON.parse((await aliceOk(['capabilities', cal.path, '--json'])).stdout) as {
    calendars: { server: { product: string }; preferred: string; mechanisms: { id: string; available: boolean; evidence: string[] }[] }[];
  };
  const caps = doc.calendars[0]!;
  assert.equal(caps.server.product, 'sogo');
  assert.equal(caps.preferred, 'acl-query');
  const aq = caps.mechanisms.find((m) => m.id === 'acl-query');
  assert.ok(aq?.available);
  assert.ok(aq.evidence.some((e) => /supported-report-set lists acl-query/.test(e)), `evidence: ${aq.evidence.join('; ')}`);
  // The standard ones are ruled out by what the server shows (ACL → 405 is recorded as a quirk).
  for (const id of ['cs', 'resource-sharing', 'acl']) assert.equal(caps.mechanisms.find((m) => m.id === id)?.available, false, `${id} not available`);

  assert.equal((await shareesJson(cal)).size, 0, 'a fresh calendar is shared with no one');
});

test('SOGo: view-only → edit → carol too → revoke bob → unshare --all, proven as bob and carol', async (t) => {
  const cal = await freshSogoCalendar(t);
  assert.equal(await readsEvent('bob', cal), false, 'bob has no access to a fresh calendar');

  await t.test('view-only: bob reads alice\'s event, his writes are refused', async () => {
    const r = await aliceOk(['share', cal.path, BOB, '--view', '--json', '-v']);
    assert.equal(writes(r.stderr).length, 1, 'one acl-query write');
    const out = JSON.parse(r.stdout) as { mechanism: string; results: { email: string; result: string; after: string }[] };
    assert.equal(out.mechanism, 'acl-query');
    assert.deepEqual(out.results.map((x) => [x.email, x.result, x.after]), [[BOB, 'shared', 'view-only']]);
    assert.deepEqual((await rolesOnServer(cal)).get('bob'), VIEW_ROLES, 'SOGo stores exactly the three viewer roles');
    await proveViewOnly('bob', cal);
    assert.equal((await shareesJson(cal)).get(BOB)?.level, 'view-only');
  });

  await t.test('edit: bob creates, changes and deletes an event', async () => {
    await aliceOk(['share', cal.path, BOB, '--edit']);
    assert.deepEqual((await rolesOnServer(cal)).get('bob'), EDIT_ROLES, 'SOGo stores exactly the edit roles');
    await proveEdit('bob', cal);
    assert.equal((await shareesJson(cal)).get(BOB)?.level, 'edit');
  });

  await t.test('carol view-only as well', async () => {
    await aliceOk(['share', cal.path, CAROL, '--view']);
    await proveViewOnly('carol', cal);
    const list = await shareesJson(cal);
    assert.deepEqual([list.get(BOB)?.level, list.get(CAROL)?.level], ['edit', 'view-only']);
  });

  await t.test('unshare bob: refused; carol and alice keep their access', async () => {
    await aliceOk(['unshare', cal.path, BOB, '--yes']);
    await proveNoAccess('bob', cal);
    await proveViewOnly('carol', cal);
    await proveOwner(cal);
    const roles = await rolesOnServer(cal);
    assert.equal(roles.has('bob'), false, 'bob is gone from user-list (remove-users, not an empty role set)');
    assert.deepEqual(roles.get('carol'), VIEW_ROLES);
  });

  await t.test('unshare --all: no one is left', async () => {
    await aliceOk(['share', cal.path, BOB, '--edit']);
    assert.ok(await readsEvent('bob', cal));
    const r = await aliceOk(['unshare', cal.path, '--all', '--yes', '--json']);
    const out = JSON.parse(r.stdout) as { results: { email: string; result: string }[] };
    assert.deepEqual(out.results.map((x) => x.result).sort(), ['removed', 'removed']);
    await proveNoAccess('bob', cal);
    await proveNoAccess('carol', cal);
    await proveOwner(cal);
    assert.equal((await rolesOnServer(cal)).size, 0, 'user-list is empty');
    assert.equal((await shareesJson(cal)).size, 0);
  });
});

test('SOGo: an unknown address is refused before anything is sent, and nothing changes', async (t) => {
  const cal = await freshSogoCalendar(t);
  await aliceOk(['share', cal.path, CAROL, '--view']);
  const before = await rolesOnServer(cal);
  const r = await alice(['share', cal.path, BOB, `nobody-${randomUUID().slice(0, 6)}@example.test`, '--edit', '-v']);
  assert.equal(r.code, 2, `exit 2 (usage), got ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, /no user nobody-\w+@example\.test/);
  assert.equal(writes(r.stderr).length, 0, 'no write was sent');
  assert.deepEqual(await rolesOnServer(cal), before, "the calendar's access list is unchanged");
  assert.equal(await readsEvent('bob', cal), false, 'bob got nothing');
  await proveViewOnly('carol', cal);
});

test('SOGo: --dry-run prints the acl-query request and sends none', async (t) => {
  const cal = await freshSogoCalendar(t);
  const r = await aliceOk(['share', cal.path, BOB, '--edit', '--dry-run', '-v']);
  assert.equal(writes(r.stderr).length, 0, 'nothing written');
  assert.match(r.stdout, /POST http:\/\/127\.0\.0\.1:8200\/SOGo\/dav\/alice\/Calendar\/t-[0-9a-f]+\//);
  assert.match(r.stdout, /<inv:set-roles users="bob"><inv:PublicModifier\/><inv:ConfidentialModifier\/><inv:PrivateModifier\/><inv:ObjectCreator\/><inv:ObjectEraser\/><\/inv:set-roles>/);
  assert.ok(traced(r.stderr).length > 0, 'the -v trace is there (so "no write" means something)');
  assert.equal((await rolesOnServer(cal)).size, 0, 'no one was given access');
  assert.equal(await readsEvent('bob', cal), false);
});
