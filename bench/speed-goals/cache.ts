// Issue 14 goal rows of the discovery cache and of resolving a calendar, for bench/speed.ts (which
// imports this after its own rows, in the same run, on staging Cyrus). Requests and bytes are exact;
// nothing here is timed.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../src/session.js';
import { basicCredentials } from '../../src/credentials/basic.js';
import { FileDiscoveryCache, serialise } from '../../src/discovery/cache.js';
import { listHome } from '../../src/discovery/calendars.js';
import { listSharees } from '../../src/sharing/engine.js';
import type { TraceEntry } from '../../src/transport/http.js';
import { deleteCalendar, freshCalendar } from '../../test/helpers/dav.js';
import { CYRUS, USERS } from '../../test/helpers/staging.js';

type Goal = [goal: string, measured: string, met: boolean | undefined];

const origin = new URL(CYRUS.url).origin;
const principalPath = CYRUS.principal('alice');
const isDiscovery = (t: TraceEntry) => {
  const p = new URL(t.url).pathname;
  return p.startsWith('/.well-known/') || (t.method === 'PROPFIND' && p === principalPath);
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** One command's session with the cache in `dir`: its requests and bytes. */
async function run(dir: string, fn: (s: Session) => Promise<unknown>): Promise<TraceEntry[]> {
  const traces: TraceEntry[] = [];
  const s = await Session.open({
    url: CYRUS.url,
    credentials: basicCredentials('alice', async () => USERS.alice),
    cache: new FileDiscoveryCache(origin, 'alice', dir),
    onTrace: (t) => traces.push(t),
  });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
  return traces;
}

const bytes = (ts: TraceEntry[]) => ts.reduce((n, t) => n + (t.sent ?? 0) + (t.received ?? 0), 0);

export async function goals(): Promise<Goal[]> {
  const root = mkdtempSync(join(tmpdir(), 'calshare-bench-cache-'));
  const dir = join(root, 'calshare');
  const cal = await freshCalendar('alice');
  try {
    const sharees = (ref: string) => (s: Session) => s.resolveCalendar(ref, 'state').then((c) => listSharees(s, c));
    const coldName = await run(dir, sharees(cal.name));
    const warmName = await run(dir, sharees(cal.name));
    const warmUrl = await run(dir, sharees(cal.url));
    const warmDiscovery = [...warmName, ...warmUrl].filter(isDiscovery).length;

    // A cached home that vanished: dropped, one rediscovery, and the command still answers.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stale = { url: new URL(principalPath, origin), homeUrl: new URL(`${CYRUS.home('alice')}gone-${Date.now()}/`), displayName: 'alice', addresses: ['mailto:alice@example.test'] };
    writeFileSync(join(dir, new FileDiscoveryCache(origin, 'alice', dir).path.split('/').pop()!), serialise(origin, 'alice', stale), { mode: 0o600 });
    let ok = true;
    const staleRun = await run(dir, sharees(cal.name)).catch(() => ((ok = false), [] as TraceEntry[]));
    const wellKnown = staleRun.filter((t) => new URL(t.url).pathname.startsWith('/.well-known/')).length;

    // Resolving a name: names-only listing + one Depth-0 read, against the full listing it replaced.
    const byName = await run(dir, (s) => s.resolveCalendar(cal.name, 'state'));
    const full = await run(dir, async (s) => listHome(s.transport, await s.principal()));

    return [
      [
        'cache: a warm command skips discovery (sharees by name, by URL)',
        `cold by name ${coldName.length} requests (${coldName.filter(isDiscovery).length} discovery); warm by name ${warmName.length}, by URL ${warmUrl.length}; ${warmDiscovery} discovery requests warm`,
        warmDiscovery === 0,
      ],
      [
        'cache: a 404 on the cached home drops it and runs discovery once',
        `${ok ? 'command succeeded' : 'command FAILED'}; ${wellKnown} well-known lookup(s), ${staleRun.length} requests`,
        ok && wellKnown === 1,
      ],
      [
        'resolving a name lists just what a name needs, then one Depth-0 read',
        `${byName.length} requests, ${kb(bytes(byName))} (the full listing alone: ${kb(bytes(full))})`,
        bytes(byName) < bytes(full),
      ],
    ];
  } finally {
    await deleteCalendar('alice', cal.url);
    rmSync(root, { recursive: true, force: true });
  }
}
