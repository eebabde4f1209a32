// Sharing on staging DAViCal 1.1.12 (staging/davical.sh), proven as the sharee: bob logs in with his
// own password and reads or writes alice's events. DAViCal's ACL method upserts and revokes with an
// empty <grant/> (shared/staging/DAVICAL.md §5), and every authenticated user may GET any event as a
// "Busy" copy (§5.1): so "bob can read" is proven by the real SUMMARY, never by a status alone.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { calshare, type CliResult } from '../helpers/cli.js';
import { DAVICAL, ensureStaging } from '../helpers/staging.js';
import { parseAcl } from '../../src/sharing/mechanisms/acl.js';
import { parseMultiStatus, prop } from '../../src/xml/multistatus.js';
import { NS, qn } from '../../src/xml/names.js';

type Who = (typeof DAVICAL.users)[number];
const pw = (u: Who) => `${u}-pw`;
const email = (u: Who) => `${u}@example.test`;
const CALENDAR = { 'content-type': 'text/calendar; charset=utf-8' };

interface Raw {
  status: number;
  body: string;
}

/** One request as `who`, with a User-Agent (DAViCal logs a PHP warning without one). */
async function dav(who: Who, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await request(url, {
    method: method as 'GET',
    headers: {
      authorization: `Basic ${Buffer.from(`${who}:${pw(who)}`).toString('base64')}`,
      'user-agent': 'calshare-tests',
      ...(body && !headers['content-type'] ? { 'content-type': 'application/xml; charset=utf-8' } : {}),
      ...headers,
    },
    body: body ?? null,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

const ics = (uid: string, summary: string) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//calshare tests//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z',
    'DTSTART:20261201T100000Z', 'DTEND:20261201T110000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

interface Cal {
  url: string;
  path: string;
  eventUrl: string;
  summary: string;
}

/** A calendar of alice's own for one test, with one event whose SUMMARY nobody else could guess. */
async function freshCalendar(): Promise<Cal> {
  const name = `t-${randomUUID().slice(0, 8)}`;
  const url = `${DAVICAL.home('alice')}${name}/`;
  const mk = await dav('alice', 'MKCALENDAR', url,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201, `MKCALENDAR ${url}: ${mk.body}`);
  const summary = `Seed ${randomUUID()}`;
  const eventUrl = `${url}seed.ics`;
  const put = await dav('alice', 'PUT', eventUrl, ics(`seed-${name}`, summary), CALENDAR);
  assert.ok([201, 204].includes(put.status), `PUT seed → ${put.status}`);
  return { url, path: new URL(url).pathname, eventUrl, summary };
}

const summaryOf = (body: string) => /^SUMMARY:(.*)$/m.exec(body)?.[1]?.trim();

/** Bob reads the real event (not DAViCal's free/busy "Busy" copy). */
async function provesRead(who: Who, cal: Cal): Promise<void> {
  const r = await dav(who, 'GET', cal.eventUrl);
  assert.equal(r.status, 200, `${who} GET the event → ${r.status}`);
  assert.equal(summaryOf(r.body), cal.summary, `${who} reads the real SUMMARY (DAViCal shows "Busy" without read)`);
}

async function provesWriteRefused(who: Who, cal: Cal): Promise<void> {
  const uid = randomUUID();
  const r = await dav(who, 'PUT', `${cal.url}${uid}.ics`, ics(uid, `By ${who}`), { ...CALENDAR, 'if-none-match': '*' });
  assert.equal(r.status, 403, `${who}'s write is refused (got ${r.status})`);
}

/** The sharee creates, changes and deletes an event; the owner sees each step. */
async function provesEdit(who: Who, cal: Cal): Promise<void> {
  const uid = randomUUID();
  const url = `${cal.url}${uid}.ics`;
  const create = await dav(who, 'PUT', url, ics(uid, `Made by ${who} ${uid}`), { ...CALENDAR, 'if-none-match': '*' });
  assert.equal(create.status, 201, `${who} create → ${create.status} ${create.body}`);
  assert.equal(summaryOf((await dav('alice', 'GET', url)).body), `Made by ${who} ${uid}`);
  const change = await dav(who, 'PUT', url, ics(uid, `Changed by ${who} ${uid}`), CALENDAR);
  assert.ok([201, 204].includes(change.status), `${who} change → ${change.status}`);
  assert.equal(summaryOf((await dav('alice', 'GET', url)).body), `Changed by ${who} ${uid}`);
  const remove = await dav(who, 'DELETE', url);
  assert.ok([200, 204].includes(remove.status), `${who} delete → ${remove.status}`);
  assert.equal((await dav('alice', 'GET', url)).status, 404, `the event ${who} deleted is gone for alice too`);
}

/** Revoked on DAViCal: 403 for everything, even the free/busy copy (DAVICAL.md §5.3). */
async function provesNoAccess(who: Who, cal: Cal): Promise<void> {
  const r = await dav(who, 'GET', cal.eventUrl);
  assert.notEqual(summaryOf(r.body), cal.summary, `${who} no longer reads the real event`);
  assert.ok(r.status === 403 || summaryOf(r.body) === 'Busy', `${who} GET → ${r.status} ${summaryOf(r.body)}`);
  await provesWriteRefused(who, cal);
}

async function provesOwner(cal: Cal): Promise<void> {
  await provesRead('alice', cal);
  const uid = randomUUID();
  const url = `${cal.url}${uid}.ics`;
  assert.equal((await dav('alice', 'PUT', url, ics(uid, 'Owner'), { ...CALENDAR, 'if-none-match': '*' })).status, 201, 'the owner still writes');
  assert.ok([200, 204].includes((await dav('alice', 'DELETE', url)).status), 'the owner still deletes');
}

/** The ACL's ACEs as canonical strings (principal, sorted grant), read by alice. */
async function aces(cal: Cal): Promise<string[]> {
  const r = await dav('alice', 'PROPFIND', cal.url, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:acl/></d:prop></d:propfind>', { depth: '0' });
  const [resp] = parseMultiStatus(r.body, new URL(cal.url));
  const acl = resp && prop(resp, qn(NS.DAV, 'acl'));
  assert.ok(acl, `no DAV:acl: ${r.body}`);
  return parseAcl(acl, new URL(cal.url))
    .map((a) => `${a.principal?.pathname ?? a.el.children.find((c) => c.name === 'principal')?.children[0]?.name} [${[...a.grant].sort().join(' ')}]`)
    .sort();
}

/** calshare as alice on staging DAViCal. */
async function alice(args: string[], code = 0): Promise<CliResult> {
  const r = await calshare([...args, '--url', DAVICAL.url, '--username', 'alice'], { env: { CALSHARE_PASSWORD: pw('alice') }, timeoutMs: 120_000 });
  assert.equal(r.code, code, `calshare ${args.join(' ')} → exit ${r.code}, wanted ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

interface ShareeRow {
  email: string | null;
  level: string;
}
async function sharees(cal: Cal): Promise<Map<string, ShareeRow>> {
  const doc = JSON.parse((await alice(['sharees', cal.path, '--json'])).stdout) as { calendars: { sharees: ShareeRow[] }[] };
  return new Map(doc.calendars[0]!.sharees.map((s) => [s.email ?? '?', s]));
}

/** State-changing requests a --verbose run traced. */
const writes = (stderr: string) => [...stderr.matchAll(/^\s*#\d+ (ACL|POST|PROPPATCH|PUT|DELETE) /gm)].length;

describe('DAViCal: sharing with the ACL method, proven as bob', { concurrency: 2 }, () => {
  const cals: Cal[] = [];
  const fresh = async () => {
    const c = await freshCalendar();
    cals.push(c);
    return c;
  };
  before(() => ensureStaging('davical'));
  // Each test's calendar goes when the whole describe is done (deleting it drops its grants too).
  after(async () => {
    for (const c of cals) await dav('alice', 'DELETE', c.url);
  });

  it('view-only: bob reads alice\'s event, his write is refused; sharees lists him', async () => {
    const cal = await fresh();
    await provesWriteRefused('bob', cal);
    assert.notEqual(summaryOf((await dav('bob', 'GET', cal.eventUrl)).body), cal.summary, 'not shared yet: bob sees at most "Busy"');
    const r = await alice(['share', cal.path, email('bob'), '--view', '--json']);
    const out = JSON.parse(r.stdout) as { mechanism: string; results: { email: string; result: string; after: string }[] };
    assert.equal(out.mechanism, 'acl');
    assert.deepEqual(out.results.map((x) => [x.email, x.result, x.after]), [[email('bob'), 'shared', 'view-only']]);
    await provesRead('bob', cal);
    await provesWriteRefused('bob', cal);
    assert.equal((await sharees(cal)).get(email('bob'))?.level, 'view-only');
  });

  it('edit: bob creates, changes and deletes an event', async () => {
    const cal = await fresh();
    await alice(['share', cal.path, email('bob'), '--edit']);
    await provesEdit('bob', cal);
    assert.equal((await sharees(cal)).get(email('bob'))?.level, 'edit');
  });

  it('revoke: bob is refused, his empty-grant ACE is not listed; carol and alice keep their access; re-sharing works', async () => {
    const cal = await fresh();
    const untouched = await aces(cal); // the owner's ACE and the <authenticated/> default
    await alice(['share', cal.path, email('bob'), '--edit']);
    await alice(['share', cal.path, email('carol'), '--view']);
    await provesRead('bob', cal);
    const r = await alice(['unshare', cal.path, email('bob'), '--yes', '--json', '-v']);
    assert.equal(writes(r.stderr), 1, 'one write');
    assert.deepEqual((JSON.parse(r.stdout) as { results: { result: string }[] }).results.map((x) => x.result), ['removed']);
    await provesNoAccess('bob', cal);
    await provesRead('carol', cal);
    await provesWriteRefused('carol', cal);
    await provesOwner(cal);
    const list = await sharees(cal);
    assert.equal(list.has(email('bob')), false, 'bob is not listed');
    assert.equal(list.get(email('carol'))?.level, 'view-only');
    // DAViCal keeps bob's ACE with an empty grant (DAVICAL.md §5.3); everything else is as it was.
    const now = await aces(cal);
    assert.ok(now.includes('/caldav.php/bob/ []'), `bob's ACE has an empty grant: ${now.join('; ')}`);
    for (const a of untouched) assert.ok(now.includes(a), `untouched ACE "${a}" survives: ${now.join('; ')}`);
    // Re-sharing after the revoke replaces the empty grant.
    await alice(['share', cal.path, email('bob'), '--view']);
    await provesRead('bob', cal);
    await provesWriteRefused('bob', cal);
    assert.equal((await sharees(cal)).get(email('bob'))?.level, 'view-only');
  });

  it('unshare --all leaves no one, and only people are touched', async () => {
    const cal = await fresh();
    await alice(['share', cal.path, email('bob'), email('carol'), '--view']);
    await provesRead('carol', cal);
    await alice(['unshare', cal.path, '--all', '--yes']);
    await provesNoAccess('bob', cal);
    await provesNoAccess('carol', cal);
    await provesOwner(cal);
    assert.equal((await sharees(cal)).size, 0, 'no one listed');
    assert.ok((await aces(cal)).some((a) => a.startsWith('authenticated ')), 'the <authenticated/> default ACE stays');
  });

  it('an unknown address is refused before anything is sent, also one that is a substring of a real one', async () => {
    const cal = await fresh();
    const before = await aces(cal);
    for (const who of [`nobody-${randomUUID().slice(0, 6)}@example.test`, 'ob@example.test']) {
      const r = await alice(['share', cal.path, who, '--view', '-v'], 2);
      assert.match(r.stderr, /no user|not known|no one/i);
      assert.equal(writes(r.stderr), 0, `no write for ${who}`);
    }
    assert.deepEqual(await aces(cal), before, 'the ACL is unchanged');
  });

  it('--dry-run prints one ACL with only the sharee\'s ACE and changes nothing', async () => {
    const cal = await fresh();
    const before = await aces(cal);
    const r = await alice(['share', cal.path, email('bob'), '--edit', '--dry-run', '--json']);
    const out = JSON.parse(r.stdout) as { dryRun: boolean; requests: { method: string; url: string; body: string }[] };
    assert.equal(out.dryRun, true);
    assert.deepEqual(out.requests.map((q) => [q.method, q.url]), [['ACL', cal.url]]);
    assert.match(out.requests[0]!.body, /\/caldav\.php\/bob\//);
    // Upsert: the owner's and the default ACEs are not re-sent (re-sending would pin the defaults).
    assert.doesNotMatch(out.requests[0]!.body, /owner|authenticated/);
    assert.deepEqual(await aces(cal), before, 'nothing changed');
    await provesWriteRefused('bob', cal);
    const rev = await alice(['unshare', cal.path, email('carol'), '--dry-run', '--json']);
    assert.deepEqual((JSON.parse(rev.stdout) as { requests: unknown[] }).requests, [], 'revoking someone without access sends nothing');
  });

  it('calendars lists alice\'s calendars without the .in/.out scheduling boxes; capabilities names ACL and the quirks', async () => {
    const cal = await fresh();
    const list = JSON.parse((await alice(['calendars', '--json'])).stdout) as { calendars: { url: string }[] } | { url: string }[];
    const urls = (Array.isArray(list) ? list : list.calendars).map((c) => c.url);
    assert.ok(urls.includes(cal.url), `the test calendar is listed: ${urls.join(' ')}`);
    assert.ok(urls.includes(DAVICAL.calendar('alice')), 'the default calendar is listed');
    assert.equal(urls.filter((u) => /\/\.(in|out)\/$/.test(u)).length, 0, `no scheduling box: ${urls.join(' ')}`);
    const caps = JSON.parse((await alice(['capabilities', cal.path, '--json'])).stdout) as Record<string, unknown>;
    const text = JSON.stringify(caps);
    assert.match(text, /"acl"/);
    assert.match(text, /davical/i);
  });

});
