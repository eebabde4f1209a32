// Issue 14 on staging Cyrus: what the reads cost, locked in by request count and property set
// (never by wall time). `sharees CAL` is one Depth-0 read of the calendar (plus the home's ACL only
// when an access-list-only grant needs it), `sharees` of all calendars one Depth-1 read, and both ask
// only what the sharing state needs: Cyrus recomputes the state for each of DAV:resourcetype,
// DAV:invite, DAV:share-access and current-user-privilege-set (quirks.ts 'costly-props'). A
// regression here would be silent: the output stays the same, only slower.
import assert from 'node:assert/strict';
import { before, test, type TestContext } from 'node:test';
import { Session } from '../../src/session.js';
import { basicCredentials } from '../../src/credentials/basic.js';
import { listSharees, share, unshare, type CalendarSharees } from '../../src/sharing/engine.js';
import type { DavRequest } from '../../src/transport/http.js';
import { deleteCalendar, freshCalendar } from '../helpers/dav.js';
import { CYRUS, USERS, ensureStaging } from '../helpers/staging.js';

before(() => ensureStaging('cyrus'));

interface Sent {
  method: string;
  path: string;
  depth: string | undefined;
  body: string;
}

/** A session as alice that records each request it sends (method, path, Depth, body). */
async function recording(): Promise<{ s: Session; sent: Sent[] }> {
  const s = await Session.open({ url: CYRUS.url, credentials: basicCredentials('alice', async () => USERS.alice), timeoutMs: 120_000 });
  const sent: Sent[] = [];
  const send = s.transport.send.bind(s.transport);
  s.transport.send = (req: DavRequest) => {
    sent.push({ method: req.method, path: req.url.pathname, depth: req.headers?.depth, body: req.body ?? '' });
    return send(req);
  };
  return { s, sent };
}

/** A read of a calendar or the home: PROPFIND, or cold by URL a REPORT DAV:expand-property that also brings the principal. */
const READS = new Set(['PROPFIND', 'REPORT']);
const DISCOVERY = (r: Sent) => r.path === '/.well-known/caldav' || r.path.startsWith('/dav/principals/') || r.path === '/dav/calendars';
const COSTLY = ['resourcetype', 'share-access', 'current-user-privilege-set', 'supported-report-set', 'sync-token'];

/**
 * The property names a read asks for, in Clark notation: a PROPFIND's prop element, or the top-level
 * properties of a REPORT DAV:expand-property (RFC 3253 §3.8), which a cold read by URL sends to get
 * the principal in the same request.
 */
function asked(body: string): string[] {
  if (body.includes('expand-property')) return [...body.matchAll(/property name="([^"]+)" namespace="([^"]+)"/g)].map((m) => `{${m[2]}}${m[1]}`);
  const ns = new Map([...body.matchAll(/xmlns:(\w+)="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]));
  const prop = body.slice(body.indexOf(':prop>') + 6, body.lastIndexOf('</'));
  return [...prop.matchAll(/<(\w+):([\w-]+)\/>/g)].map((m) => `{${ns.get(m[1]!)}}${m[2]}`);
}

function assertLean(body: string, what: string): void {
  const names = asked(body);
  assert.ok(names.includes('{http://calendarserver.org/ns/}invite'), `${what} asks for CS:invite`);
  assert.ok(names.includes('{DAV:}acl'), `${what} asks for DAV:acl`);
  for (const c of COSTLY) assert.ok(!names.includes(`{DAV:}${c}`), `${what} leaves out DAV:${c}: ${names.join(' ')}`);
  assert.ok(!names.includes('{DAV:}invite'), `${what} leaves out DAV:invite (the mirror of CS:invite on Cyrus)`);
}

/** Sharees as a stable comparable shape. */
const shape = (list: CalendarSharees[]) =>
  list.map((c) => ({ url: c.calendar.url.href, sharees: c.sharees.map((s) => ({ ...s, sources: [...s.sources].sort() })), home: [...c.fromHome].sort(), others: c.others }));

test('sharees CAL: one Depth-0 read of the calendar with the lean property set, no home read when everyone was invited; same answer as the full read', async (t) => {
  const cal = await freshCalendar('alice');
  t.after(() => deleteCalendar('alice', cal.url));
  const setup = await Session.open({ url: CYRUS.url, credentials: basicCredentials('alice', async () => USERS.alice) });
  t.after(() => setup.close());
  await share(setup, await setup.resolveCalendar(cal.url), ['bob@example.test', 'carol@example.test'], 'read');

  const { s, sent } = await recording();
  t.after(() => s.close());
  const lean = await listSharees(s, await s.resolveCalendar(cal.url, 'state'));
  const rest = sent.filter((r) => !DISCOVERY(r));
  assert.deepEqual(
    rest.map((r) => `${READS.has(r.method) ? 'READ' : r.method} ${r.path} ${r.depth ?? ''}`.trim()),
    [`OPTIONS ${new URL(cal.url).pathname}`, `READ ${new URL(cal.url).pathname} 0`],
    'the OPTIONS that names the product (sent alongside discovery) and one read of the calendar: no home read, nothing twice',
  );
  assertLean(rest[1]!.body, 'the calendar read');
  assert.deepEqual(lean[0]!.sharees.map((x) => x.email), ['bob@example.test', 'carol@example.test']);

  // The same calendar read with every listing property: the same people, levels, statuses and sources
  // (DAV:invite, asked for here, shows what the lean read derived from CS:invite).
  const full = await Session.open({ url: CYRUS.url, credentials: basicCredentials('alice', async () => USERS.alice) });
  t.after(() => full.close());
  assert.deepEqual(shape(lean), shape(await listSharees(full, await full.resolveCalendar(cal.url))));
});

/**
 * A fresh calendar of alice's shared view-only with `email` through the ACL alone (--via acl): a
 * grant whose origin needs the home's ACL to be told.
 */
async function aclSharedCalendar(t: TestContext, email: string): Promise<Awaited<ReturnType<typeof freshCalendar>>> {
  const cal = await freshCalendar('alice');
  t.after(() => deleteCalendar('alice', cal.url));
  const setup = await Session.open({ url: CYRUS.url, credentials: basicCredentials('alice', async () => USERS.alice) });
  t.after(() => setup.close());
  await share(setup, await setup.resolveCalendar(cal.url), [email], 'read', { via: 'acl' });
  return cal;
}

test('sharees of all calendars: one Depth-1 read of the home with the lean property set, the home ACL from that same answer', async (t) => {
  const cal = await aclSharedCalendar(t, 'bob@example.test');

  const { s, sent } = await recording();
  t.after(() => s.close());
  const list = await listSharees(s);
  const rest = sent.filter((r) => !DISCOVERY(r));
  assert.deepEqual(rest.map((r) => `${READS.has(r.method) ? 'READ' : r.method} ${r.path} ${r.depth ?? ''}`.trim()), ['OPTIONS /', `READ ${new URL(CYRUS.home('alice')).pathname} 1`]);
  assertLean(rest[1]!.body, 'the home listing');
  const mine = list.find((c) => c.calendar.url.href === cal.url);
  assert.ok(mine, 'the fresh calendar is listed');
  assert.deepEqual(mine.sharees.map((x) => [x.email, x.level, x.sources]), [['bob@example.test', 'read', ['acl']]]);
  // Without resourcetype, Cyrus's scheduling boxes answer CS:allowed-sharing-modes like calendars
  // in a Depth-1 listing: they are still no calendars (quirk not-calendars).
  const boxes = list.map((c) => c.calendar.url.pathname).filter((p) => /\/(Inbox|Outbox)\/$/.test(p));
  assert.deepEqual(boxes, []);
});

test('sharees CAL with an access-list-only grant: the home ACL is read once, after the calendar', async (t) => {
  const cal = await aclSharedCalendar(t, 'carol@example.test');

  const { s, sent } = await recording();
  t.after(() => s.close());
  const [one] = await listSharees(s, await s.resolveCalendar(cal.url, 'state'));
  const rest = sent.filter((r) => !DISCOVERY(r));
  assert.deepEqual(rest.map((r) => `${READS.has(r.method) ? 'READ' : r.method} ${r.path} ${r.depth ?? ''}`.trim()), [`OPTIONS ${new URL(cal.url).pathname}`, `READ ${new URL(cal.url).pathname} 0`, `READ ${new URL(CYRUS.home('alice')).pathname} 0`]);
  assert.deepEqual(one!.sharees.map((x) => x.email), ['carol@example.test']);
});

test('a share by URL: one OPTIONS (naming the product, reused by capabilities), one lean read with the privileges capabilities need, one write, one lean read-back', async (t) => {
  const cal = await freshCalendar('alice');
  t.after(() => deleteCalendar('alice', cal.url));
  const { s, sent } = await recording();
  t.after(() => s.close());
  const out = await share(s, await s.resolveCalendar(cal.url, 'change'), ['bob@example.test'], 'read');
  assert.deepEqual(out.results.map((r) => r.result), ['shared']);
  const path = new URL(cal.url).pathname;
  const rest = sent.filter((r) => !DISCOVERY(r));
  assert.deepEqual(
    rest.map((r) => `${READS.has(r.method) ? 'READ' : r.method} ${r.path} ${r.depth ?? ''}`.trim()),
    [`OPTIONS ${path}`, `READ ${path} 0`, `POST ${path}`, `READ ${path} 0`],
    'nothing read twice: the OPTIONS that names the product is the one capabilities use',
  );
  const first = asked(rest[1]!.body);
  assert.ok(first.includes('{DAV:}current-user-privilege-set'), 'capabilities need to know whether the ACL method is open');
  for (const c of COSTLY.filter((x) => x !== 'current-user-privilege-set')) assert.ok(!first.includes(`{DAV:}${c}`), `the first read leaves out DAV:${c}`);
  assertLean(rest[3]!.body, 'the read-back');
});

test('revoke-all by URL: the same lean reads, and --via resource-sharing is still offered (its state mirrors CS:invite)', async (t) => {
  const cal = await freshCalendar('alice');
  t.after(() => deleteCalendar('alice', cal.url));
  const setup = await Session.open({ url: CYRUS.url, credentials: basicCredentials('alice', async () => USERS.alice) });
  t.after(() => setup.close());
  await share(setup, await setup.resolveCalendar(cal.url), ['bob@example.test', 'carol@example.test'], 'read');
  const { s, sent } = await recording();
  t.after(() => s.close());
  const c = await s.resolveCalendar(cal.url, 'change');
  const caps = await s.capabilities(c);
  assert.deepEqual(caps.mechanisms.filter((m) => m.available).map((m) => m.id), ['cs', 'resource-sharing', 'acl']);
  const out = await unshare(s, c, 'all');
  assert.deepEqual(out.results.map((r) => [r.email, r.result]), [['bob@example.test', 'removed'], ['carol@example.test', 'removed']]);
  const path = new URL(cal.url).pathname;
  assert.deepEqual(
    sent.filter((r) => !DISCOVERY(r)).map((r) => `${READS.has(r.method) ? 'READ' : r.method} ${r.path} ${r.depth ?? ''}`.trim()),
    [`OPTIONS ${path}`, `READ ${path} 0`, `POST ${path}`, `READ ${path} 0`],
  );
});
