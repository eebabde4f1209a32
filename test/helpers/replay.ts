// Replays exchanges recorded from a real Nextcloud 31.0.2 (test/fixtures/nextcloud/) on a loopback
// HTTP server. There is no Debian or npm package of Nextcloud, so CI cannot run one; the project
// allows recorded-exchange replay for Nextcloud only (GUIDE rule 3). Every other server is tested live.
//
// Matching: a request matches a recording with the same method, path and Depth, and, for requests
// that change or search (POST, REPORT, ACL, PUT, DELETE), the same body (XML compared by namespace
// and name, whatever the prefixes). A write is answered by the first not-yet-used match. A read is
// answered from the same state of the server: a recording made after as many writes as have been
// replayed so far. It gets the first unused one there, else the last used one there (a client may
// read once more than it did when recorded), else the newest from an earlier state (nothing has
// changed it since), else the first unused one. How many reads a flow sends can vary with timing:
// the web UI shares one listing among page requests that overlap. So counting reads in order would
// hand a later read an earlier state. Anything else is a miss: 500, noted in `misses`, so a test
// fails when calshare sends something the real server never saw. Basic credentials must name the user
// the exchange was recorded as, with the staging password `<user>-pw`.
import { createServer, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ROOT } from './staging.js';
import { parseXml, type XmlElement } from '../../src/xml/parse.js';

export interface Exchange {
  as?: string;
  request: { method: string; path: string; headers: Record<string, string>; body: string };
  response: { status: number; headers: Record<string, string>; body: string };
}

export interface Fixture {
  server: string;
  recorded: string;
  note: string;
  command?: { as: string; args: string[]; exitCode: number; stdout: string; stderr: string };
  exchanges: Exchange[];
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(`${ROOT}/test/fixtures/nextcloud/${name}.json`, 'utf8')) as Fixture;
}

export interface Received {
  method: string;
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
  /** Index of the recording that answered, or -1 for a miss. */
  answeredBy: number;
}

export interface Replay {
  /** Base URL of the replay server, with a trailing slash. */
  url: string;
  received: Received[];
  misses: string[];
  /** Recorded writes (POST/ACL/PUT/DELETE) that were never sent. */
  unusedWrites(): Exchange[];
  close(): Promise<void>;
}

const WRITES = new Set(['POST', 'ACL', 'PUT', 'DELETE', 'PROPPATCH', 'MKCALENDAR']);
const BODY_MATTERS = new Set([...WRITES, 'REPORT']);

/**
 * An XML body by namespace URIs and local names, not prefixes: which prefix a builder picks for a
 * namespace is not part of what the server sees. Non-XML bodies compare as text.
 */
function canonical(body: string): string {
  const walk = (e: XmlElement): unknown => [`{${e.ns}}${e.name}`, e.children.length ? e.children.map(walk) : e.text.trim()];
  try {
    return JSON.stringify(walk(parseXml(body)));
  } catch {
    return body.trim();
  }
}

const keyOf = (method: string, path: string, depth: string | undefined, body: string) =>
  `${method} ${path} depth=${depth ?? ''}${BODY_MATTERS.has(method) ? ` ${canonical(body)}` : ''}`;

export async function replay(exchanges: readonly Exchange[]): Promise<Replay> {
  const used = new Set<number>();
  /** Per key and state: the recording that last answered a read. */
  const lastFor = new Map<string, number>();
  const received: Received[] = [];
  const misses: string[] = [];
  const keys = exchanges.map((e) => keyOf(e.request.method, e.request.path, e.request.headers['depth'] ?? e.request.headers['Depth'], e.request.body));
  // The state each recording was made in: how many writes came before it.
  let writes = 0;
  const stateOf = exchanges.map((e) => (WRITES.has(e.request.method) ? writes++ : writes));
  let state = 0;
  const readAnswer = (k: string): number => {
    const same = (j: number) => keys[j] === k;
    const here = keys.findIndex((_, j) => same(j) && stateOf[j] === state && !used.has(j));
    if (here >= 0) return here;
    const again = lastFor.get(`${state} ${k}`);
    if (again !== undefined) return again;
    const earlier = keys.findLastIndex((_, j) => same(j) && stateOf[j]! < state);
    return earlier >= 0 ? earlier : keys.findIndex((_, j) => same(j) && !used.has(j));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const k = keyOf(method, path, req.headers.depth as string | undefined, body);
      const write = WRITES.has(method);
      const i = write ? keys.findIndex((kk, j) => kk === k && !used.has(j)) : readAnswer(k);
      const entry: Received = { method, path, body, headers: req.headers, answeredBy: i };
      received.push(entry);
      if (i < 0) {
        misses.push(k.slice(0, 400));
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('replay: no recorded exchange for this request');
        return;
      }
      const ex = exchanges[i]!;
      if (ex.as) {
        const auth = req.headers.authorization ?? '';
        const [user, pw] = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(':') : [];
        if (user !== ex.as || pw !== `${ex.as}-pw`) {
          entry.answeredBy = -1;
          misses.push(`${k.slice(0, 200)} (credentials for ${user ?? 'nobody'}, recorded as ${ex.as})`);
          res.writeHead(401, { 'www-authenticate': 'Basic realm="Nextcloud", charset="UTF-8"', 'content-type': 'application/xml; charset=utf-8' });
          res.end();
          return;
        }
      }
      used.add(i);
      if (write) state++;
      else lastFor.set(`${state} ${k}`, i);
      res.writeHead(ex.response.status, located(ex.response.headers, port));
      res.end(ex.response.body);
    });
  });
  let port = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    misses,
    unusedWrites: () => exchanges.filter((e, i) => WRITES.has(e.request.method) && !used.has(i)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A recorded absolute Location names the origin the real server was asked on: the recording proxy
 * (127.0.0.1:8601) or, behind it, the server itself (8600). The real server names the host it is
 * asked on, so the replay names its own.
 */
function located(headers: Record<string, string>, port: number): Record<string, string> {
  const out = { ...headers };
  for (const h of Object.keys(out)) if (h.toLowerCase() === 'location') out[h] = out[h]!.replace(/^http:\/\/127\.0\.0\.1:860[01]\//, `http://127.0.0.1:${port}/`);
  return out;
}

/** Replaces the recording proxy's origin in recorded output with the replay server's. */
export const reorigin = (text: string, url: string): string => text.replaceAll('http://127.0.0.1:8601/', url);

/**
 * A Nextcloud to run one recorded flow against: the replay of test/fixtures/nextcloud/NAME.json, or,
 * to (re-)record that fixture, the recording proxy named by CALSHARE_NEXTCLOUD_RECORD (a loopback
 * proxy in front of a real Nextcloud, kept outside this repository; `GET <proxy>/__rec/NAME` starts
 * the file NAME). Recording needs the real server's state as the flow expects it at the start.
 */
export interface NextcloudTarget {
  url: string;
  /** The replay, or undefined while recording (then the real server answers). */
  replay: Replay | undefined;
  close(): Promise<void>;
}

export const RECORDING = process.env.CALSHARE_NEXTCLOUD_RECORD;

export async function nextcloudTarget(name: string): Promise<NextcloudTarget> {
  if (RECORDING) {
    const base = RECORDING.endsWith('/') ? RECORDING : `${RECORDING}/`;
    const res = await fetch(`${base}__rec/${encodeURIComponent(name)}`);
    if (!res.ok) throw new Error(`the recording proxy at ${base} did not switch to ${name}`);
    return { url: base, replay: undefined, close: async () => {} };
  }
  const r = await replay(loadFixture(name).exchanges);
  return { url: r.url, replay: r, close: () => r.close() };
}

/** While recording, the real server itself (not the proxy), for proofs as the sharees; else undefined. */
export const LIVE = RECORDING ? process.env.CALSHARE_NEXTCLOUD_URL : undefined;

/**
 * Live only (while recording): what `user` can do in their own copy of alice's "Fixture"
 * (calendars/<user>/fixture_shared_by_alice/, NEXTCLOUD.md §5.4): read the seed event by its
 * SUMMARY, and the status of a PUT of a new event (201, or 404: Nextcloud's refusal). Undefined in replay.
 */
export async function asSharee(user: string): Promise<{ read: boolean; write: number } | undefined> {
  if (!LIVE) return undefined;
  const { dav, ics } = await import('./dav.js');
  const who = { user, password: `${user}-pw` };
  const copy = new URL(`/remote.php/dav/calendars/${user}/fixture_shared_by_alice/`, LIVE).href;
  const got = await dav(who, 'GET', `${copy}seed.ics`);
  const read = got.status === 200 && got.body.includes('SUMMARY:Fixture seed event');
  const uid = `rec-${user}-${Date.now()}`;
  const put = await dav(who, 'PUT', `${copy}${uid}.ics`, ics(uid, `Written by ${user}`), { 'content-type': 'text/calendar; charset=utf-8' });
  if (put.status === 201) await dav(who, 'DELETE', `${copy}${uid}.ics`);
  return { read, write: put.status };
}
