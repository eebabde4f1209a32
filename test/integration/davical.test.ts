// Sharing on staging DAViCal 1.1.12 (staging/davical.sh), proven as the sharee: bob logs in with his
// own password and reads or writes alice's events. DAViCal's ACL method upserts and revokes with an
// empty <grant/> (shared/staging/DAVICAL.md §5), and every authenticated user may GET any event as a
// "Busy" copy (§5.1): so "bob can read" is proven by the real SUMMARY, never by a status alone.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { calshare, type CliResult } from '../helpers/cli.js';
import { DAVICAL, ensureStaging } from '../helpers/staging.js';
import { dav, email, freshCalendar, pw, provesEdit, provesNoAccess, provesOwner, provesRead, provesWriteRefused, summaryOf, type Cal } from '../helpers/davical.js';
import { parseAcl } from '../../src/sharing/mechanisms/acl.js';
import { parseMultiStatus, prop } from '../../src/xml/multistatus.js';
import { NS, qn } from '../../src/xml/names.js';

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

  it('a person whose user name is not their address (hal@example.test is henry): found, listed and revoked by address', async () => {
    const cal = await fresh();
    const r = await alice(['share', cal.path, email('henry'), '--view', '--json']);
    assert.deepEqual((JSON.parse(r.stdout) as { results: { email: string; result: string }[] }).results.map((x) => [x.email, x.result]), [[email('henry'), 'shared']]);
    await provesRead('henry', cal);
    await provesWriteRefused('henry', cal);
    const list = await sharees(cal);
    assert.deepEqual([...list.keys()], [email('henry')], 'listed by his address, not a guess from /caldav.php/henry/');
    await alice(['unshare', cal.path, email('henry'), '--yes']);
    await provesNoAccess('henry', cal);
    assert.equal((await sharees(cal)).size, 0);
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
