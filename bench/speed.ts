// Issue 14: calshare next to the protocol floor at 10, 100 and 500 people, on staging Cyrus, plus
// one share + revoke row on each other staged server that can share. The floor is the same change or
// read sent by hand as one request in the same run (no discovery, no look-ups, no read-back): what
// no client can do with less. calshare runs cold (a new session per command, as the CLI does), with
// the calendar named by URL. Prints figures and each goal with its ratio; asserts nothing.
import { performance } from 'node:perf_hooks';
import { cpus, loadavg, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { Session } from '../src/session.js';
import { basicCredentials } from '../src/credentials/basic.js';
import { FileDiscoveryCache, type DiscoveryCache } from '../src/discovery/cache.js';
import { listSharees, share, unshare } from '../src/sharing/engine.js';
import { MECHANISMS } from '../src/sharing/registry.js';
import type { TraceEntry } from '../src/transport/http.js';
import { deleteCalendar, freshCalendar } from '../test/helpers/dav.js';
import { CYRUS, DAVICAL, SOGO, USERS, ensureCyrusUsers, ensureStaging } from '../test/helpers/staging.js';

const SIZES = [10, 100, 500] as const;

interface Figure {
  requests: number;
  bytes: number;
  ms: number;
  /** Client CPU (user + system) spent while the command ran, ms. */
  cpu: number;
}

/** Runs `fn` with a fresh session (cold: discovery included) and measures it. */
async function calshare<T>(url: string, user: string, pw: string, fn: (s: Session) => Promise<T>, cache?: DiscoveryCache): Promise<Figure & { out: T }> {
  const traces: TraceEntry[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // Long timeout: a 500-person CS:share takes Cyrus tens of seconds on a loaded machine.
  const s = await Session.open({ url, credentials: basicCredentials(user, async () => pw), timeoutMs: 600_000, onTrace: (t) => traces.push(t), ...(cache ? { cache } : {}) });
  try {
    const out = await fn(s);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { out, ms, cpu: (c.user + c.system) / 1000, requests: traces.length, bytes: traces.reduce((n, t) => n + (t.sent ?? 0) + (t.received ?? 0), 0) };
  } finally {
    await s.close();
  }
}

/**
 * One request by hand: the floor. On a connection of its own, as a request sent by hand (curl) or a
 * cold command opens one: a pooled connection kept from an earlier floor would skip the TCP set-up
 * and the server's sign-in check of a new connection (Cyrus checks Basic credentials once per
 * connection), which every cold calshare command pays.
 */
async function floor(user: string, pw: string, method: string, url: string, body: string, headers: Record<string, string> = {}): Promise<Figure> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const dispatcher = new Agent();
  const res = await request(url, {
    dispatcher,
    method: method as 'GET',
    headers: { authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`, 'content-type': 'text/xml; charset=utf-8', ...headers },
    body,
  });
  const text = await res.body.text();
  const ms = performance.now() - t0;
  await dispatcher.close();
  if (res.statusCode >= 300) throw new Error(`floor ${method} ${url} → ${res.statusCode} ${text.slice(0, 200)}`);
  const c = process.cpuUsage(c0);
  return { requests: 1, bytes: Buffer.byteLength(body) + Buffer.byteLength(text), ms, cpu: (c.user + c.system) / 1000 };
}

const CS_SHARE = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><CS:share xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">${inner}</CS:share>`;
const csSet = (emails: string[]) => CS_SHARE(emails.map((e) => `<CS:set><D:href>mailto:${e}</D:href><CS:read/></CS:set>`).join(''));
const csRemove = (emails: string[]) => CS_SHARE(emails.map((e) => `<CS:remove><D:href>mailto:${e}</D:href></CS:remove>`).join(''));
/** What "who has access" needs: the invitations and the ACL (RFC 3744 §5.5, caldav-sharing §5.2.2). */
const WHO_READ = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:invite/><D:acl/></D:prop></D:propfind>`;

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}

const kb = (b: number) => (b < 10240 ? `${b} B` : `${(b / 1024).toFixed(0)} KB`);
/** Seconds, or milliseconds below one second: the small sizes differ by a few milliseconds. */
const s2 = (ms: number) => (ms < 1000 ? `${ms.toFixed(ms < 100 ? 1 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`);
const row = (what: string, n: number, a: Figure, f: Figure): (string | number)[] => [
  what, n, a.requests, f.requests, kb(a.bytes), kb(f.bytes), s2(a.ms), s2(f.ms), `${(a.ms / f.ms).toFixed(2)}×`, `${a.cpu.toFixed(0)} ms`,
];
const HEAD = ['operation', 'people', 'req', 'floor req', 'bytes', 'floor bytes', 'wall', 'floor wall', 'ratio', 'client CPU'];

ensureStaging('cyrus');
process.stdout.write('creating 500 numbered Cyrus users (fast when they exist)…\n');
const numbered = ensureCyrusUsers(500).map((u) => `${u}@${CYRUS.domain}`);

// What "sharees of all calendars" and its floor read besides the bench's calendars: calendars other
// runs left in alice's home weigh on both, so the header says how many there were.
const homeSize = await (async () => {
  const f = await fetch(CYRUS.home('alice'), {
    method: 'PROPFIND',
    headers: { authorization: `Basic ${Buffer.from(`alice:${USERS.alice}`).toString('base64')}`, depth: '1', 'content-type': 'application/xml' },
    body: '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>',
  });
  return ((await f.text()).match(/<[^>]*:calendar\/>/g) ?? []).length;
})();

const ROUNDS = 5;
/** The run with the median wall time (its requests and bytes), with the median client CPU of all runs. */
function median(runs: Figure[]): Figure {
  const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const byMs = [...runs].sort((x, y) => x.ms - y.ms)[Math.floor(runs.length / 2)]!;
  return { ...byMs, cpu: mid(runs.map((r) => r.cpu)) };
}

const rows: (string | number)[][] = [];
const results = new Map<string, { a: Figure; f: Figure }>();
const OPS = ['share', 'sharees CAL', 'sharees CAL warm', 'sharees (all)', 'sharees (all) warm', 'revoke-all'] as const;
// Warm: the discovery cache of an earlier command (principal, home, product) in a directory of the
// bench's own, as the CLI keeps it between commands.
const warmRoot = mkdtempSync(join(tmpdir(), 'calshare-bench-warm-'));
const warm = () => new FileDiscoveryCache(new URL(CYRUS.url).origin, 'alice', join(warmRoot, 'calshare'));
for (const n of SIZES) {
  const people = numbered.slice(0, n);
  const mine = await freshCalendar('alice', `bench-speed-${randomUUID().slice(0, 8)}`);
  const ref = await freshCalendar('alice', `bench-floor-${randomUUID().slice(0, 8)}`);
  const runs = new Map<string, { a: Figure[]; f: Figure[] }>(OPS.map((o) => [o, { a: [], f: [] }]));
  try {
    // One command before the timed ones fills the warm cache (principal, home, product).
    await calshare(CYRUS.url, 'alice', USERS.alice, async (s) => listSharees(s, await s.resolveCalendar(mine.url, 'state')), warm());
    // calshare and the floor alternate, op by op, so load that comes and goes hits both alike. Each
    // round shares, reads and revokes everyone, so the next round starts from an unshared calendar.
    // Which of the two goes first alternates by round, so that a cost falling on whoever runs first
    // is not always calshare's (the first cold read of a round came out 100-180 ms slower once).
    let round = 0;
    const both = async (op: (typeof OPS)[number], a: () => Promise<Figure>, f: () => Promise<Figure>) => {
      const r = runs.get(op)!;
      if (round % 2 === 0) {
        r.a.push(await a());
        r.f.push(await f());
      } else {
        r.f.push(await f());
        r.a.push(await a());
      }
    };
    for (; round < ROUNDS; round++) {
      await both(
        'share',
        async () => {
          const sh = await calshare(CYRUS.url, 'alice', USERS.alice, async (s) => share(s, await s.resolveCalendar(mine.url, 'change'), people, 'read'));
          const ok = sh.out.results.filter((x) => x.result === 'shared').length;
          if (ok !== n) process.stdout.write(`  (share ${n}: only ${ok} verified)\n`);
          return sh;
        },
        () => floor('alice', USERS.alice, 'POST', ref.url, csSet(people)),
      );
      await both(
        'sharees CAL',
        () => calshare(CYRUS.url, 'alice', USERS.alice, async (s) => listSharees(s, await s.resolveCalendar(mine.url, 'state'))),
        () => floor('alice', USERS.alice, 'PROPFIND', ref.url, WHO_READ, { depth: '0' }),
      );
      await both(
        'sharees CAL warm',
        () => calshare(CYRUS.url, 'alice', USERS.alice, async (s) => listSharees(s, await s.resolveCalendar(mine.url, 'state')), warm()),
        () => floor('alice', USERS.alice, 'PROPFIND', ref.url, WHO_READ, { depth: '0' }),
      );
      await both(
        'sharees (all)',
        () => calshare(CYRUS.url, 'alice', USERS.alice, (s) => listSharees(s)),
        () => floor('alice', USERS.alice, 'PROPFIND', CYRUS.home('alice'), WHO_READ, { depth: '1' }),
      );
      await both(
        'sharees (all) warm',
        () => calshare(CYRUS.url, 'alice', USERS.alice, (s) => listSharees(s), warm()),
        () => floor('alice', USERS.alice, 'PROPFIND', CYRUS.home('alice'), WHO_READ, { depth: '1' }),
      );
      await both(
        'revoke-all',
        async () => {
          const rv = await calshare(CYRUS.url, 'alice', USERS.alice, async (s) => unshare(s, await s.resolveCalendar(mine.url, 'change'), 'all'));
          const ok = rv.out.results.filter((x) => x.result === 'removed').length;
          if (ok !== n) process.stdout.write(`  (revoke-all ${n}: ${ok} verified of ${rv.out.results.length})\n`);
          return rv;
        },
        () => floor('alice', USERS.alice, 'POST', ref.url, csRemove(people)),
      );
    }
    for (const op of OPS) {
      const r = runs.get(op)!;
      const a = median(r.a);
      const f = median(r.f);
      rows.push(row(op, n, a, f));
      results.set(`${op}@${n}`, { a, f });
    }
  } finally {
    await deleteCalendar('alice', mine.url);
    await deleteCalendar('alice', ref.url);
  }
}
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
rmSync(warmRoot, { recursive: true, force: true });
process.stdout.write(
  `\nCyrus 3.6 (CalendarServer sharing), cold commands (new session, calendar named by URL) next to the floor:\n` +
    `the same change or read sent by hand as one request (share/revoke: one CS:share POST; sharees: one PROPFIND of\n` +
    `CS:invite + DAV:acl, Depth 0 on the calendar or Depth 1 on the home). Bytes are request + response bodies.\n` +
    `"warm" rows: the same command with the discovery cache an earlier command left (principal, home, product).\n` +
    `alice's calendar home held ${homeSize} calendar(s) before the bench added its own ("sharees (all)" reads every one).\n` +
    `Median of ${ROUNDS} rounds, calshare and floor alternating (requests and bytes are those of the median run);\n` +
    `${cpus().length} CPUs, load average ${load()} (1, 5, 15 min) at the end.\n${table(HEAD, rows)}\n`,
);

// Other staged servers that can share: one view-only share with bob and its revoke.
const others: (string | number)[][] = [];
const davicalRow = async () => {
  ensureStaging('davical');
  const url = `${DAVICAL.home('alice')}bench-${randomUUID().slice(0, 8)}/`;
  const ref = `${DAVICAL.home('alice')}bench-floor-${randomUUID().slice(0, 8)}/`;
  for (const u of [url, ref]) await floor('alice', 'alice-pw', 'MKCALENDAR', u, '');
  try {
    const sh = await calshare(DAVICAL.url, 'alice', 'alice-pw', async (s) => share(s, await s.resolveCalendar(url), ['bob@example.test'], 'read'));
    // DAViCal upserts ACEs (quirk acl-upsert): one ACE is the whole change; an empty grant revokes.
    const ace = (grant: string) => `<?xml version="1.0" encoding="utf-8"?><D:acl xmlns:D="DAV:"><D:ace><D:principal><D:href>${DAVICAL.principal('bob')}</D:href></D:principal><D:grant>${grant}</D:grant></D:ace></D:acl>`;
    const read = '<D:privilege><D:read/></D:privilege><D:privilege><D:read-current-user-privilege-set/></D:privilege>';
    others.push(row('DAViCal share bob', 1, sh, await floor('alice', 'alice-pw', 'ACL', ref, ace(read))));
    const rv = await calshare(DAVICAL.url, 'alice', 'alice-pw', async (s) => unshare(s, await s.resolveCalendar(url), ['bob@example.test']));
    others.push(row('DAViCal revoke bob', 1, rv, await floor('alice', 'alice-pw', 'ACL', ref, ace(''))));
  } finally {
    for (const u of [url, ref]) await floor('alice', 'alice-pw', 'DELETE', u, '').catch(() => undefined);
  }
};
await davicalRow().catch((e) => others.push([`DAViCal: ${String(e?.message ?? e).split('\n')[0]}`, '', '', '', '', '', '', '', '', '']));
const sogoCan = MECHANISMS.some((m) => m.id === 'acl-query');
const sogoRow = async () => {
  ensureStaging('sogo');
  const mk = (u: string) =>
    floor('alice', 'alice-pw', 'MKCALENDAR', u, `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>bench</d:displayname></d:prop></d:set></c:mkcalendar>`);
  const url = `${SOGO.home('alice')}bench-${randomUUID().slice(0, 8)}/`;
  const ref = `${SOGO.home('alice')}bench-floor-${randomUUID().slice(0, 8)}/`;
  for (const u of [url, ref]) await mk(u);
  try {
    // SOGo's acl-query (SOGO.md §4): set-roles grants the view-only role set, remove-users revokes.
    const q = (inner: string) => `<?xml version="1.0" encoding="utf-8"?><inv:acl-query xmlns:inv="urn:inverse:params:xml:ns:inverse-dav">${inner}</inv:acl-query>`;
    const hdr = { 'content-type': 'application/xml; charset=utf-8' };
    const sh = await calshare(SOGO.url, 'alice', 'alice-pw', async (s) => share(s, await s.resolveCalendar(url), ['bob@example.test'], 'read'));
    others.push(row('SOGo share bob', 1, sh, await floor('alice', 'alice-pw', 'POST', ref, q('<inv:set-roles users="bob"><inv:PublicViewer/><inv:ConfidentialViewer/><inv:PrivateViewer/></inv:set-roles>'), hdr)));
    const rv = await calshare(SOGO.url, 'alice', 'alice-pw', async (s) => unshare(s, await s.resolveCalendar(url), ['bob@example.test']));
    others.push(row('SOGo revoke bob', 1, rv, await floor('alice', 'alice-pw', 'POST', ref, q('<inv:remove-users users="bob"/>'), hdr)));
  } finally {
    for (const u of [url, ref]) await floor('alice', 'alice-pw', 'DELETE', u, '').catch(() => undefined);
  }
};
if (sogoCan) await sogoRow().catch((e) => others.push([`SOGo: ${String(e?.message ?? e).split('\n')[0]}`, '', '', '', '', '', '', '', '', '']));
process.stdout.write(
  `\nOther staged servers that can share, one person, cold:\n${table(HEAD, others)}\n` +
    (sogoCan ? '' : `SOGo (${SOGO.url}): no row: its sharing mechanism (acl-query) is not registered on this branch.\n`) +
    'Radicale and Xandikos cannot share; SabreDAV 1.8 only delegates (bench/plans.ts and the delegation tests cover those).\n',
);

// Issue 14 goals, each with its ratio, all from this run (timed ones: medians of ROUNDS).
export type Goal = [goal: string, measured: string, met: boolean | undefined];
const r = (k: string) => results.get(k)!;
const ratio = (k: string) => r(k).a.ms / r(k).f.ms;
const timed = (label: string, k: string, max: number): Goal => [
  `${label} ≤ ${max}× floor`,
  `${ratio(k).toFixed(2)}× (${s2(r(k).a.ms)} vs ${s2(r(k).f.ms)}, +${s2(r(k).a.ms - r(k).f.ms)})`,
  ratio(k) <= max,
];
const linear = (op: string): Goal => {
  const q = r(`${op}@500`).a.cpu / r(`${op}@100`).a.cpu;
  return [`${op} client CPU linear in sharees (CPU 500 / CPU 100 ≈ 5, quadratic ≈ 25)`, `${q.toFixed(1)}× (${r(`${op}@100`).a.cpu.toFixed(0)} → ${r(`${op}@500`).a.cpu.toFixed(0)} ms)`, q <= 7.5];
};
const goals: Goal[] = [
  ...SIZES.map((n) => timed(`sharees CAL (${n} people)`, `sharees CAL@${n}`, 1.3)),
  ...SIZES.map((n) => timed(`sharees CAL, warm (${n} people)`, `sharees CAL warm@${n}`, 1.3)),
  ...SIZES.map((n) => timed(`sharees of all calendars (${n} people on one)`, `sharees (all)@${n}`, 1.3)),
  ...SIZES.map((n) => timed(`sharees of all calendars, warm (${n} people on one)`, `sharees (all) warm@${n}`, 1.3)),
  ...SIZES.map((n): Goal => [`share ${n} people by URL, cold ≤ N + 4 = ${n + 4} requests`, `${r(`share@${n}`).a.requests} requests`, r(`share@${n}`).a.requests <= n + 4]),
  timed('share 500', 'share@500', 1.15),
  timed('revoke-all 500', 'revoke-all@500', 1.15),
  linear('share'),
  linear('revoke-all'),
];
// Hook for the other issue-14 goals: a module bench/speed-goals/NAME.ts exporting
// `goals(): Promise<Goal[]>` adds its rows here ("cache": warm command skips discovery; "startup":
// cold `calendars` against tsdav). Each measures in this same run, after the rows above.
for (const name of ['cache', 'startup']) {
  const file = new URL(`./speed-goals/${name}.ts`, import.meta.url);
  if (!existsSync(file)) {
    goals.push([`${name}: its goals`, `no bench/speed-goals/${name}.ts yet`, undefined]);
    continue;
  }
  try {
    goals.push(...(await (await import(file.href)).goals()));
  } catch (e) {
    goals.push([`${name}: its goals`, `failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`, false]);
  }
}
process.stdout.write(`\nIssue 14 goals (Cyrus, this run; load average ${load()}):\n${table(['goal', 'measured', 'met'], goals.map(([g, m, ok]) => [g, m, ok === undefined ? '?' : ok ? 'yes' : 'NO']))}\n`);
