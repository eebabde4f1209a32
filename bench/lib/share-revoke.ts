// One view-only share with bob and one revoke on a fresh calendar of alice's, through the library
// with a request counter, each verified by the engine's read-back: the figures bench/davical.ts and
// bench/sogo.ts print for their server. Lives under bench/lib/ so scripts/bench.sh (bench/*.ts)
// does not run it on its own.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { Session } from '../../src/session.js';
import { basicCredentials } from '../../src/credentials/basic.js';
import { share, unshare } from '../../src/sharing/engine.js';
import type { TraceEntry } from '../../src/transport/http.js';
import { ensureStaging } from '../../test/helpers/staging.js';

const auth = { authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`, 'user-agent': 'calshare-bench' };

export interface ShareRevokeBench {
  server: 'davical' | 'sogo';
  /** The DAV root to log in at, and alice's calendar home (where the fresh calendar goes). */
  url: string;
  home: string;
  /** The method the server's sharing writes with (a column of its own). */
  write: 'ACL' | 'POST';
  /** Two lines above the table: what the server is, and what each column counts there. */
  title: string;
  legend: string;
}

async function freshCalendar(home: string): Promise<string> {
  const url = `${home}bench-${randomUUID().slice(0, 8)}/`;
  const res = await request(url, { method: 'MKCALENDAR' as 'GET', headers: auth });
  await res.body.text();
  if (res.statusCode !== 201) throw new Error(`MKCALENDAR ${url} → ${res.statusCode}`);
  return url;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}

export async function benchShareRevoke(b: ShareRevokeBench): Promise<void> {
  ensureStaging(b.server);
  const calUrl = await freshCalendar(b.home);
  try {
    const traces: TraceEntry[] = [];
    const session = await Session.open({
      url: b.url,
      credentials: basicCredentials('alice', async () => 'alice-pw'),
      onTrace: (t) => traces.push(t),
    });
    const cal = await session.resolveCalendar(calUrl);
    const rows: (string | number)[][] = [];
    const step = async (what: string, run: () => Promise<{ results: { result: string }[] }>) => {
      const from = traces.length;
      const t0 = performance.now();
      const o = await run();
      const ms = performance.now() - t0;
      const mine = traces.slice(from);
      const count = (m: string) => mine.filter((t) => t.method === m).length;
      rows.push([what, `${ms.toFixed(0)} ms`, mine.length, count('REPORT'), count(b.write), count('PROPFIND'), count('OPTIONS'), o.results.map((r) => r.result).join(',')]);
      return o;
    };
    const shared = await step('share bob view-only', () => share(session, cal, ['bob@example.test'], 'read'));
    await step('revoke bob', () => unshare(session, (shared as unknown as { calendar: typeof cal }).calendar, ['bob@example.test']));
    await session.close();
    process.stdout.write(`\n${b.title}\n${b.legend}\n${table(['step', 'wall', 'requests', 'REPORT', b.write, 'PROPFIND', 'OPTIONS', 'result'], rows)}\n`);
  } finally {
    const res = await request(calUrl, { method: 'DELETE', headers: auth });
    await res.body.text();
  }
}
