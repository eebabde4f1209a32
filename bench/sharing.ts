// Sharing figures against staging Cyrus, through the library (Session + engine) with a request
// counter: how many requests a 10-person share takes and what they are for, what `sharees` of
// every calendar costs, and how long sharing one calendar with 500 people and revoking them takes.
// Prints figures; asserts nothing (`npm run bench`).
import { performance } from 'node:perf_hooks';
import { Session } from '../src/session.js';
import { basicCredentials } from '../src/credentials/basic.js';
import { listSharees, share, unshare } from '../src/sharing/engine.js';
import type { TraceEntry } from '../src/transport/http.js';
import type { MechanismId } from '../src/discovery/capabilities.js';
import { deleteCalendar, freshCalendar } from '../test/helpers/dav.js';
import { CYRUS, USERS, ensureCyrusUsers, ensureStaging } from '../test/helpers/staging.js';

type Kind = 'discovery' | 'options' | 'lookups' | 'writes' | 'cal-reads' | 'other';
const KINDS: Kind[] = ['discovery', 'options', 'lookups', 'writes', 'cal-reads', 'other'];

/** A session as alice whose every request is tallied by what it was for. */
async function counted(calUrl?: string) {
  const tally = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
  let phase: 'discovery' | 'change' = 'discovery';
  const kind = (t: TraceEntry): Kind => {
    if (phase === 'discovery') return t.method === 'OPTIONS' ? 'options' : 'discovery';
    if (t.method === 'OPTIONS') return 'options';
    if (t.method === 'POST' || t.method === 'ACL') return 'writes';
    if (t.method === 'PROPFIND' && t.url.includes('/dav/principals/')) return 'lookups';
    if (t.method === 'PROPFIND' && calUrl && t.url === calUrl) return 'cal-reads';
    return 'other';
  };
  const session = await Session.open({
    url: CYRUS.url,
    credentials: basicCredentials('alice', async () => USERS.alice),
    onTrace: (t) => tally.set(kind(t), tally.get(kind(t))! + 1),
  });
  return { session, tally, change: () => (phase = 'change') };
}

const emails = (users: readonly string[]) => users.map((u) => `${u}@example.test`);

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}

async function tenPersonShare(via: MechanismId, people: string[]): Promise<(string | number)[]> {
  const cal = await freshCalendar('alice');
  try {
    const { session, tally, change } = await counted(cal.url);
    const c = await session.resolveCalendar(cal.url);
    change();
    const outcome = await share(session, c, people, 'read', { via });
    await session.close();
    const ok = outcome.results.filter((r) => r.result === 'shared').length;
    const total = [...tally.values()].reduce((a, b) => a + b, 0);
    return [via, total, ...KINDS.map((k) => tally.get(k)!), `${ok}/${people.length}`];
  } finally {
    await deleteCalendar('alice', cal.url);
  }
}

async function shareesOfAll(): Promise<(string | number)[]> {
  const { session, tally } = await counted();
  const list = await listSharees(session);
  await session.close();
  const people = list.reduce((n, c) => n + c.sharees.length, 0);
  return [list.length, people, [...tally.values()].reduce((a, b) => a + b, 0)];
}

async function manyPeople(via: MechanismId, people: string[]): Promise<(string | number)[]> {
  const cal = await freshCalendar('alice');
  try {
    const { session, tally, change } = await counted(cal.url);
    const c = await session.resolveCalendar(cal.url);
    change();
    const t0 = performance.now();
    const shared = await share(session, c, people, 'read', { via });
    const t1 = performance.now();
    const sharedReqs = tally.get('lookups')! + tally.get('writes')! + tally.get('cal-reads')! + tally.get('options')!;
    const revoked = await unshare(session, shared.calendar, 'all', { via });
    const t2 = performance.now();
    const allReqs = tally.get('lookups')! + tally.get('writes')! + tally.get('cal-reads')! + tally.get('options')!;
    await session.close();
    const ok = (o: typeof shared, want: string) => o.results.filter((r) => r.result === want).length;
    return [
      via,
      people.length,
      `${((t1 - t0) / 1000).toFixed(2)} s`,
      sharedReqs,
      `${ok(shared, 'shared')}/${people.length}`,
      `${((t2 - t1) / 1000).toFixed(2)} s`,
      allReqs - sharedReqs,
      `${ok(revoked, 'removed')}/${people.length}`,
    ];
  } finally {
    await deleteCalendar('alice', cal.url);
  }
}

ensureStaging('cyrus');
process.stdout.write('creating 500 numbered Cyrus users (fast when they exist)…\n');
const numbered = ensureCyrusUsers(500);

const ten = emails(['bob', 'carol', ...numbered.slice(0, 8)]);
const rows = [];
for (const via of ['cs', 'resource-sharing', 'acl'] as const) rows.push(await tenPersonShare(via, ten));
process.stdout.write(`\nRequests to share one calendar view-only with 10 people (cold session; cal-reads = PROPFINDs of the\ncalendar after discovery: the read-back that verifies, and for ACL the re-check and any fresh read before the write):\n${table(['via', 'total', ...KINDS, 'verified'], rows)}\n`);

process.stdout.write(`\nRequests for \`sharees\` of every calendar alice owns (cold session):\n${table(['calendars', 'sharees', 'requests'], [await shareesOfAll()])}\n`);

const many = [];
for (const via of ['cs', 'acl'] as const) many.push(await manyPeople(via, emails(numbered)));
process.stdout.write(
  `\nShare one calendar with 500 people, then revoke them all (wall time, requests after discovery):\n${table(
    ['via', 'people', 'share', 'requests', 'verified', 'revoke', 'requests', 'verified'],
    many,
  )}\n`,
);
