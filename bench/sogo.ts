// Sharing figures against staging SOGo (staging/sogo.sh), through the library with a request
// counter: one view-only share with bob and one revoke, each verified by the engine's read-back.
// Prints figures; asserts nothing (`npm run bench`).
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { Session } from '../src/session.js';
import { basicCredentials } from '../src/credentials/basic.js';
import { share, unshare } from '../src/sharing/engine.js';
import type { TraceEntry } from '../src/transport/http.js';
import { SOGO, ensureStaging } from '../test/helpers/staging.js';

const auth = { authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`, 'user-agent': 'calshare-bench' };

async function freshCalendar(): Promise<string> {
  const url = `${SOGO.home('alice')}bench-${randomUUID().slice(0, 8)}/`;
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

ensureStaging('sogo');
const calUrl = await freshCalendar();
try {
  const traces: TraceEntry[] = [];
  const session = await Session.open({
    url: SOGO.url,
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
    rows.push([what, `${ms.toFixed(0)} ms`, mine.length, count('REPORT'), count('POST'), count('PROPFIND'), count('OPTIONS'), o.results.map((r) => r.result).join(',')]);
    return o;
  };
  const shared = await step('share bob view-only', () => share(session, cal, ['bob@example.test'], 'read'));
  await step('revoke bob', () => unshare(session, (shared as unknown as { calendar: typeof cal }).calendar, ['bob@example.test']));
  await session.close();
  process.stdout.write(
    `\nSOGo 5.8 (acl-query; state = user-list + one roles per sharee): one share and one revoke, warm session after discovery\n` +
      `(REPORT = acl-query user-list/roles reads before and after; POST = the acl-query write; PROPFIND = people lookup and read-back):\n` +
      `${table(['step', 'wall', 'requests', 'REPORT', 'POST', 'PROPFIND', 'OPTIONS', 'result'], rows)}\n`,
  );
} finally {
  const res = await request(calUrl, { method: 'DELETE', headers: auth });
  await res.body.text();
}
