// The fault matrix: one table of cases, run by test/integration/faults.test.ts (which asserts) and
// by bench/faults.ts (which prints the matrix). Each case puts a FaultProxy in front of staging
// Cyrus, runs the built CLI through it, and reads the calendar's ACL straight from Cyrus before
// and after.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultProxy, Recorder, WRITE_METHODS, type Rule } from './fault-proxy.js';
import { calshare } from './cli.js';
import { dav } from './dav.js';
import { CYRUS, ensureCyrusUsers } from './staging.js';
import { ACL_PROPFIND, aclState, freshCalendarOf, judgeState, privilegeTree, type StateVerdict } from './acl-state.js';
import { mergeAcl, parseAcl } from '../../src/sharing/mechanisms/acl.js';
import { parseMultiStatus, prop } from '../../src/xml/multistatus.js';
import { serialize } from '../../src/xml/build.js';
import { NS, qn } from '../../src/xml/names.js';
import { ExitCode, type ErrorKind } from '../../src/errors.js';

export type Command = 'share' | 'unshare' | 'sharees';

/** What a case knows when it builds its rules. */
export interface CaseEnv {
  /** The calendar's path, escaped for a RegExp. */
  cal: string;
  /** A listener on 127.0.0.2 standing for another host. */
  otherHost: Recorder;
  /** A listener on 127.0.0.1 reached as "localhost", or over plain http from an https origin. */
  otherName: Recorder;
}

export interface FaultCase {
  id: string;
  /** The fault, in words, for the matrix. */
  fault: string;
  command: Command;
  /** Force a mechanism; undefined = calshare's default (CalendarServer sharing on Cyrus). */
  via?: 'acl';
  tls?: boolean;
  /** Nothing listens at all: the proxy is closed before the command runs. */
  closedBefore?: boolean;
  timeoutSec?: number;
  rules: (e: CaseEnv) => Rule[];
  expect: {
    exit: number;
    /** Must match the "error:" line (or, for exit 0, be absent). */
    message?: RegExp;
    /** Must match the "hint:" line. */
    hint?: RegExp;
    /** Sharing state afterwards (share/unshare only). */
    state?: StateVerdict;
    /** Writes that reached Cyrus through the proxy: a write is never blindly repeated. */
    writes?: number;
    /** No request (and so no credential) reached the other host. */
    otherHostUntouched?: boolean;
    /** The request the fault hit was sent again, once, right after (a read retried). */
    retried?: boolean;
  };
}

// The cases run as numbered Cyrus users no other test shares calendars of: the owner's calendar
// home ACL (where Cyrus spills ACL grants, see src/sharing/home-spill.ts) is then theirs alone,
// and its state before and after is part of each verdict.
const OWNER = { user: 'u050', password: 'u-pw' };
const TARGET = { user: 'u049', password: 'u-pw' };
const OTHER = { user: 'u048', password: 'u-pw' };
const HOME_URL = CYRUS.home(OWNER.user);
const HOME = new RegExp(`^/dav/calendars/user/${OWNER.user}/$`);
// The first read of the calendar's sharing state: the home's Depth-1 listing where the calendar is
// found by name, or (named by path, as these cases do) its own Depth-0 read: cold, a REPORT
// DAV:expand-property that also carries the principal (src/discovery/calendars.ts), else a PROPFIND.
const STATE_READ = (e: CaseEnv): Rule => ({ method: ['PROPFIND', 'REPORT'], path: new RegExp(`^(?:/dav/calendars/user/${OWNER.user}/|${e.cal})$`) });
const reText = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const davError = (cond: string, ns = 'DAV:') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:" xmlns:X="${ns}"><X:${cond}/></D:error>`;
const xmlHeaders = { 'content-type': 'application/xml; charset=utf-8' };

const BILLION_LAUGHS =
  '<?xml version="1.0"?>\n<!DOCTYPE d:multistatus [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
  ']>\n<d:multistatus xmlns:d="DAV:"><d:response><d:href>&lol9;</d:href></d:response></d:multistatus>';
const xxe = (port: number) =>
  `<?xml version="1.0"?>\n<!DOCTYPE d:multistatus [<!ENTITY xxe SYSTEM "http://127.0.0.2:${port}/xxe">]>\n` +
  '<d:multistatus xmlns:d="DAV:"><d:response><d:href>/dav/calendars/user/u050/&xxe;/</d:href></d:response></d:multistatus>';

const WRITE = (e: CaseEnv, method: string | string[] = 'ACL'): Pick<Rule, 'method' | 'path'> => ({ method, path: new RegExp(`^${e.cal}$`) });
const REREAD = (e: CaseEnv): Pick<Rule, 'method' | 'path' | 'afterWrite'> => ({ method: 'PROPFIND', path: new RegExp(`^${e.cal}$`), afterWrite: true });
const unauthorized = { 'www-authenticate': 'Basic realm="localhost"', 'content-type': 'text/html' };

// Message classes, as the user reads them. Every failure must also carry a hint.
const M = {
  refused: /nothing is listening .*connection refused/,
  broke: /broke off mid-response/,
  timeout: /did not answer within 3 s/,
  server: (code: number) => new RegExp(`refused .*\\(${code} `),
  unreadable: /could not be read/,
  tooLarge: /more than 16 MiB/,
  redirect: /redirected .*does not send your credentials there/,
  auth: /rejected the user name or password for "u050" \(401\)/,
};
const H = {
  retry: /try again|Try again|check|Check/,
  /** A write failed in a way that may have changed the calendar. */
  uncertain: /^The change may or may not have been made: run `calshare sharees \/dav\/calendars\/user\/u050\/[^`]+` to see the current state; running the same command again is safe\./,
  /** A write was accepted, but reading it back failed. */
  unverified: /^The server accepted the change, but it could not be verified: run `calshare sharees [^`]+`/,
  timeout: /--timeout/,
  url: /--url/,
  password: /CALSHARE_PASSWORD/,
  owner: /owner/,
  via: /--via/,
};

export const FAULT_CASES: FaultCase[] = [
  // —— connection level
  { id: 'refused', fault: 'connection refused (nothing listening)', command: 'share', via: 'acl', closedBefore: true, rules: () => [],
    expect: { exit: 4, message: M.refused, hint: /Check the URL and port/, state: 'before', writes: 0 } },
  { id: 'refused-after-discovery', fault: 'connection refused after discovery (listener gone at OPTIONS)', command: 'share', via: 'acl',
    rules: () => [{ method: 'OPTIONS', fault: { kind: 'refuse' } }],
    expect: { exit: 4, message: M.refused, hint: /Check the URL and port/, state: 'before', writes: 0 } },
  { id: 'reset-read', fault: 'reset mid-response on the calendar listing (a read), once', command: 'share', via: 'acl',
    rules: () => [{ method: 'PROPFIND', path: HOME, fault: { kind: 'reset' } }],
    expect: { exit: 0, state: 'intended', writes: 1, retried: true } },
  { id: 'reset-write', fault: 'reset mid-response on the ACL write (it landed)', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'reset' } }],
    expect: { exit: 4, message: M.broke, hint: H.uncertain, state: 'intended', writes: 1 } },
  { id: 'reset-verify', fault: 'reset on every read-back after the write', command: 'share', via: 'acl',
    rules: (e) => [{ ...REREAD(e), times: Infinity, fault: { kind: 'reset' } }],
    expect: { exit: 4, message: M.broke, hint: H.unverified, state: 'intended', writes: 1 } },
  { id: 'drop-write', fault: 'connection closed without an answer to the ACL write', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'drop' } }],
    expect: { exit: 4, message: M.broke, hint: H.uncertain, state: 'before', writes: 0 } },
  { id: 'drop-write-cs', fault: 'connection closed without an answer to the CS:share POST', command: 'share',
    rules: (e) => [{ ...WRITE(e, 'POST'), fault: { kind: 'drop' } }],
    expect: { exit: 4, message: M.broke, hint: H.uncertain, state: 'before', writes: 0 } },
  { id: 'hang-first', fault: 'accepts and never answers (first request)', command: 'sharees', timeoutSec: 3,
    rules: () => [{ fault: { kind: 'hang' } }],
    expect: { exit: 4, message: M.timeout, hint: H.timeout } },
  { id: 'hang-write', fault: 'accepts the ACL write and never answers', command: 'share', via: 'acl', timeoutSec: 3,
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'hang' } }],
    expect: { exit: 4, message: M.timeout, hint: H.uncertain, state: 'before', writes: 0 } },
  // —— server errors
  { id: '500-write', fault: '500 to the ACL write', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'respond', status: 500, body: 'Internal Server Error' } }],
    expect: { exit: 5, message: M.server(500), hint: H.uncertain, state: 'before', writes: 0 } },
  { id: '502-options', fault: '502 to OPTIONS (after discovery)', command: 'share', via: 'acl',
    rules: () => [{ method: 'OPTIONS', fault: { kind: 'respond', status: 502, body: '<html><body><h1>Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } } }],
    expect: { exit: 5, message: M.server(502), hint: /try again later/, state: 'before', writes: 0 } },
  { id: '503-write-applied', fault: '503 to the ACL write after the server applied it', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'respond', status: 503, forward: true, body: 'Service Unavailable' } }],
    expect: { exit: 5, message: M.server(503), hint: H.uncertain, state: 'intended', writes: 1 } },
  // —— malformed and hostile bodies
  { id: 'cut-207-listing', fault: '207 cut off mid-XML (calendar listing)', command: 'sharees',
    rules: (e) => [{ ...STATE_READ(e), fault: { kind: 'truncate' } }],
    expect: { exit: 4, message: M.unreadable, hint: /cut off/ } },
  { id: 'cut-207-before-write', fault: '207 cut off mid-XML before the write', command: 'share', via: 'acl',
    rules: () => [{ method: 'PROPFIND', path: HOME, fault: { kind: 'truncate' } }],
    expect: { exit: 4, message: M.unreadable, hint: /cut off/, state: 'before', writes: 0 } },
  { id: 'cut-207-verify', fault: '207 cut off mid-XML in the read-back', command: 'share', via: 'acl',
    rules: (e) => [{ ...REREAD(e), times: Infinity, fault: { kind: 'truncate' } }],
    expect: { exit: 4, message: M.unreadable, hint: H.unverified, state: 'intended', writes: 1 } },
  { id: 'huge-listing', fault: 'a 20 MiB multistatus (streamed)', command: 'sharees',
    rules: (e) => [{ ...STATE_READ(e), fault: { kind: 'huge', bytes: 20 * 1048576 } }],
    expect: { exit: 4, message: M.tooLarge, hint: /proxy|CalDAV server/ } },
  { id: 'huge-verify', fault: 'a 20 MiB multistatus in the read-back', command: 'share', via: 'acl',
    rules: (e) => [{ ...REREAD(e), times: Infinity, fault: { kind: 'huge', bytes: 20 * 1048576 } }],
    expect: { exit: 4, message: M.tooLarge, hint: H.unverified, state: 'intended', writes: 1 } },
  { id: 'entity-bomb', fault: 'DTD with an entity-expansion bomb', command: 'sharees',
    rules: (e) => [{ ...STATE_READ(e), fault: { kind: 'respond', status: 207, body: BILLION_LAUGHS, headers: xmlHeaders } }],
    expect: { exit: 4, message: /DOCTYPE/, hint: /malformed/ } },
  { id: 'external-entity', fault: 'DTD with an external entity on another host', command: 'share', via: 'acl',
    rules: (e) => [{ method: 'PROPFIND', path: HOME, fault: { kind: 'respond', status: 207, body: xxe(e.otherHost.port), headers: xmlHeaders } }],
    expect: { exit: 4, message: /DOCTYPE/, hint: /malformed/, state: 'before', writes: 0, otherHostUntouched: true } },
  { id: 'acl-missing', fault: '207 whose calendar listing lacks DAV:acl (--via acl)', command: 'share', via: 'acl',
    rules: (e) => [{ ...STATE_READ(e), times: Infinity, fault: { kind: 'rewrite', edit: (b) => b.replace(/<D:acl>[\s\S]*?<\/D:acl>|<d:acl>[\s\S]*?<\/d:acl>/gi, '') } }],
    expect: { exit: 6, message: /not available/, hint: /--via/, state: 'before', writes: 0 } },
  // —— redirects
  { id: 'redirect-other-host', fault: '307 of the ACL write to another host (127.0.0.2)', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'redirect', status: 307, to: `http://127.0.0.2:${e.otherHost.port}/` } }],
    expect: { exit: 4, message: M.redirect, hint: H.url, state: 'before', writes: 0, otherHostUntouched: true } },
  { id: 'redirect-localhost', fault: '301 of discovery to "localhost" (another host name)', command: 'sharees',
    rules: (e) => [{ fault: { kind: 'redirect', status: 301, to: `http://localhost:${e.otherName.port}/` } }],
    expect: { exit: 4, message: /another host/, hint: H.url, otherHostUntouched: true } },
  { id: 'redirect-to-http', fault: 'https origin redirecting to plain http://', command: 'sharees', tls: true,
    rules: (e) => [{ fault: { kind: 'redirect', status: 301, to: `http://127.0.0.1:${e.otherName.port}/` } }],
    expect: { exit: 4, message: /from https down to plain http/, hint: /^(?!.*--url http:).*keep you on https/, otherHostUntouched: true } },
  // —— refusals with a reason
  { id: '401-after-discovery', fault: '401 after discovery succeeded (at OPTIONS)', command: 'share', via: 'acl',
    rules: () => [{ method: 'OPTIONS', fault: { kind: 'respond', status: 401, headers: unauthorized, body: '<html>Unauthorized</html>' } }],
    expect: { exit: 3, message: M.auth, hint: H.password, state: 'before', writes: 0 } },
  { id: '401-write', fault: '401 to the ACL write', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'respond', status: 401, headers: unauthorized, body: '<html>Unauthorized</html>' } }],
    expect: { exit: 3, message: M.auth, hint: H.password, state: 'before', writes: 0 } },
  { id: '403-need-privileges', fault: '403 with DAV:need-privileges to the ACL write', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'respond', status: 403, body: davError('need-privileges'), headers: xmlHeaders } }],
    expect: { exit: 5, message: /\(403 Forbidden\): precondition need-privileges/, hint: H.owner, state: 'before', writes: 0 } },
  { id: '403-need-privileges-cs', fault: '403 with DAV:need-privileges to the CS:share POST', command: 'share',
    rules: (e) => [{ ...WRITE(e, 'POST'), fault: { kind: 'respond', status: 403, body: davError('need-privileges'), headers: xmlHeaders } }],
    expect: { exit: 5, message: /precondition need-privileges/, hint: H.owner, state: 'before', writes: 0 } },
  { id: '409-precondition', fault: '409 with DAV:no-ace-conflict to the ACL write', command: 'share', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'respond', status: 409, body: davError('no-ace-conflict'), headers: xmlHeaders } }],
    expect: { exit: 5, message: /\(409 Conflict\): precondition no-ace-conflict/, hint: H.via, state: 'before', writes: 0 } },
  // —— revoking
  { id: 'unshare-reset-write', fault: 'reset mid-response on the revoking ACL write', command: 'unshare', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'reset' } }],
    expect: { exit: 4, message: M.broke, hint: H.uncertain, state: 'intended', writes: 1 } },
  { id: 'unshare-503-write', fault: '503 to the revoking ACL write', command: 'unshare', via: 'acl',
    rules: (e) => [{ ...WRITE(e), fault: { kind: 'respond', status: 503, body: 'Service Unavailable' } }],
    expect: { exit: 5, message: M.server(503), hint: H.uncertain, state: 'before', writes: 0 } },
  { id: 'unshare-hang-verify', fault: 'read-back hangs after the revoking write', command: 'unshare', via: 'acl', timeoutSec: 3,
    rules: (e) => [{ ...REREAD(e), times: Infinity, fault: { kind: 'hang' } }],
    expect: { exit: 4, message: M.timeout, hint: H.unverified, state: 'intended', writes: 1 } },
  { id: 'unshare-drop', fault: 'connection closed without an answer to the revoking write (default mechanism)', command: 'unshare',
    rules: (e) => [{ ...WRITE(e, ['POST', 'ACL']), fault: { kind: 'drop' } }],
    expect: { exit: 4, message: M.broke, hint: H.uncertain, state: 'before', writes: 0 } },
];

export interface Observation {
  id: string;
  exit: number | null;
  kind: string;
  message: string;
  hint: string;
  state: StateVerdict | '-';
  stateWhy: string;
  /** Differences in the owner's calendar-home ACL between before and after (must be none). */
  homeChanges: string[];
  writes: number;
  /** Requests that reached either "other host" listener, and how many carried credentials. */
  otherHostHits: number;
  otherHostCredentials: number;
  requests: number;
  /** Every request that arrived at the proxy, and whether it reached Cyrus. */
  seen: { method: string; path: string; forwarded: boolean; fault: string | undefined }[];
  ms: number;
  stdout: string;
  stderr: string;
}

const KIND_OF = Object.fromEntries(Object.entries(ExitCode).map(([k, v]) => [v, k])) as Record<number, ErrorKind | 'ok'>;

let tlsFiles: { key: string; cert: string; certPath: string } | undefined;

/** A throw-away self-signed certificate for 127.0.0.1 (openssl is in scripts/setup.sh). */
function tls() {
  if (tlsFiles) return tlsFiles;
  const dir = mkdtempSync(join(tmpdir(), 'calshare-faults-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`,
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '2'], { stdio: 'ignore' });
  return (tlsFiles = { key: readFileSync(`${dir}/key.pem`, 'utf8'), cert: readFileSync(`${dir}/cert.pem`, 'utf8'), certPath: `${dir}/cert.pem` });
}

const TARGET_P = CYRUS.principal(TARGET.user);
const OTHER_P = CYRUS.principal(OTHER.user);
const D = (n: string) => qn(NS.DAV, n);

async function readAces(url: string) {
  const res = await dav(OWNER, 'PROPFIND', url, ACL_PROPFIND, { depth: '0' });
  const ms = parseMultiStatus(res.body, new URL(url))[0];
  return parseAcl(ms && prop(ms, D('acl')), new URL(url));
}

const freshCalendar = () => freshCalendarOf(OWNER);

async function reads(who: { user: string; password: string }, eventUrl: string): Promise<boolean> {
  const r = await dav(who, 'GET', eventUrl);
  return r.status === 200 && r.body.includes('BEGIN:VEVENT');
}

/**
 * Sets the starting ACL directly on Cyrus: OTHER may edit, and (for revoking) TARGET may view.
 * Cyrus spills such grants onto the home; they are taken back, so the home is as it was.
 */
async function seed(calUrl: string, withTarget: boolean): Promise<void> {
  const homeHad = new Set((await readAces(HOME_URL)).flatMap((a) => (a.principal ? [a.principal.pathname] : [])));
  const p = (n: string) => `{DAV:}${n}`;
  const changes = [
    { principal: new URL(OTHER_P, CYRUS.url), privileges: [p('read'), p('write')] },
    ...(withTarget ? [{ principal: new URL(TARGET_P, CYRUS.url), privileges: [p('read')] }] : []),
  ];
  const res = await dav(OWNER, 'ACL', calUrl, serialize(mergeAcl(await readAces(calUrl), changes)));
  if (res.status !== 200) throw new Error(`seeding the ACL: ${res.status} ${res.body}`);
  await restoreHome(homeHad);
}

/** Drops home ACEs of principals not in `had` (Cyrus answers 500 to an ACL on the home, yet applies it). */
async function restoreHome(had: ReadonlySet<string>): Promise<void> {
  const now = await readAces(HOME_URL);
  const added = now.flatMap((a) => (a.principal && !had.has(a.principal.pathname) ? [a.principal] : []));
  if (added.length) await dav(OWNER, 'ACL', HOME_URL, serialize(mergeAcl(now, added.map((principal) => ({ principal, privileges: null })))));
}

function diff(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? 'none'} → ${b.get(k) ?? 'none'}`);
}

let usersReady = false;

export async function runCase(c: FaultCase): Promise<Observation> {
  if (!usersReady) {
    ensureCyrusUsers(50);
    usersReady = true;
  }
  const cal = await freshCalendar();
  const calPath = new URL(cal.url).pathname;
  const [otherHost, otherName] = await Promise.all([Recorder.start('127.0.0.2'), Recorder.start('127.0.0.1')]);
  const t = c.tls ? tls() : undefined;
  const proxy = await FaultProxy.start({
    upstream: CYRUS.url,
    rules: c.rules({ cal: reText(calPath), otherHost, otherName }),
    ...(t ? { tls: { key: t.key, cert: t.cert } } : {}),
  });
  try {
    if (c.command !== 'sharees') await seed(cal.url, c.command === 'unshare');
    const tree = await privilegeTree(OWNER, cal.url);
    const [before, homeBefore] = await Promise.all([aclState(OWNER, cal.url), aclState(OWNER, HOME_URL)]);
    if (c.closedBefore) await proxy.close();
    const target = `${TARGET.user}@${CYRUS.domain}`;
    const args =
      c.command === 'share' ? ['share', calPath, target, '--view']
      : c.command === 'unshare' ? ['unshare', calPath, target, '--yes']
      : ['sharees', calPath];
    const started = performance.now();
    const r = await calshare(
      [...args, ...(c.via ? ['--via', c.via] : []), ...(c.timeoutSec ? ['--timeout', String(c.timeoutSec)] : []), ...(t ? ['--ca-file', t.certPath] : []),
        '--url', proxy.url, '--username', OWNER.user],
      { env: { CALSHARE_PASSWORD: OWNER.password } },
    );
    const ms = Math.round(performance.now() - started);
    const [after, homeAfter] = await Promise.all([aclState(OWNER, cal.url), aclState(OWNER, HOME_URL)]);
    const judged = c.command === 'sharees' ? { verdict: '-' as const, why: 'read-only command' } : judgeState(before, after, tree, TARGET_P, c.command === 'share' ? 'read' : 'none');
    // The sharees' own view must agree with the ACL: the target reads the calendar only if they should now.
    if (judged.verdict !== '-' && judged.verdict !== 'broken') {
      const shouldRead = (judged.verdict === 'intended') === (c.command === 'share');
      if ((await reads(TARGET, cal.eventUrl)) !== shouldRead) {
        Object.assign(judged, { verdict: 'broken', why: `the ACL says ${judged.verdict}, but ${TARGET.user} ${shouldRead ? 'cannot' : 'can'} read the calendar` });
      }
      if (!(await reads(OTHER, cal.eventUrl))) Object.assign(judged, { verdict: 'broken', why: `${OTHER.user} lost access` });
    }
    const homeChanges = diff(homeBefore, homeAfter);
    if (homeChanges.length) await restoreHome(new Set([...homeBefore.keys()].filter((k) => k.startsWith('/')))); // for the next case
    const line = (p: string) => r.stderr.split('\n').find((l) => l.startsWith(p))?.slice(p.length).trim() ?? '';
    const hits = [...otherHost.seen, ...otherName.seen];
    return {
      id: c.id,
      exit: r.code,
      kind: r.code === null ? 'killed' : (KIND_OF[r.code] ?? String(r.code)),
      message: line('error:'),
      hint: line('hint:'),
      state: judged.verdict,
      stateWhy: judged.why,
      homeChanges,
      writes: proxy.seen.filter((x) => x.forwarded && WRITE_METHODS.has(x.method) && x.path === calPath).length,
      otherHostHits: hits.length,
      otherHostCredentials: hits.filter((h) => h.authorization).length,
      requests: proxy.seen.length,
      seen: proxy.seen.map((x) => ({ method: x.method, path: x.path, forwarded: x.forwarded, fault: x.fault })),
      ms,
      stdout: r.stdout,
      stderr: r.stderr,
    };
  } finally {
    await Promise.all([proxy.close(), otherHost.close(), otherName.close()]);
    await dav(OWNER, 'DELETE', cal.url);
  }
}

/** Everything wrong with an observation, in words; empty when the case behaved. */
export function judge(c: FaultCase, o: Observation): string[] {
  const e = c.expect;
  const problems: string[] = [];
  if (o.exit !== e.exit) problems.push(`exit ${o.exit} (${o.kind}), expected ${e.exit}`);
  if (e.exit !== 0) {
    if (e.message && !e.message.test(o.message)) problems.push(`message "${o.message}" does not match ${e.message}`);
    if (!o.hint) problems.push('no hint: the user is not told what to do');
    else if (e.hint && !e.hint.test(o.hint)) problems.push(`hint "${o.hint}" does not match ${e.hint}`);
    if (/\b(shared|removed|changed|already so)\b/.test(o.stdout)) problems.push(`stdout reports a result although the command failed: ${o.stdout}`);
  } else if (o.message) problems.push(`unexpected error: ${o.message}`);
  if (o.state === 'broken') problems.push(`sharing state broken: ${o.stateWhy}`);
  else if (e.state && o.state !== e.state) problems.push(`state ${o.state} (${o.stateWhy}), expected ${e.state}`);
  if (e.writes !== undefined && o.writes !== e.writes) problems.push(`${o.writes} write(s) reached Cyrus, expected ${e.writes}`);
  const writes = o.seen.filter((s) => s.forwarded && WRITE_METHODS.has(s.method)).map((s) => `${s.method} ${s.path}`);
  const repeated = writes.filter((w, i) => writes.indexOf(w) !== i);
  if (repeated.length) problems.push(`a write was repeated: ${repeated.join(', ')}`);
  if (o.homeChanges.length) problems.push(`the calendar home's ACL changed (every later calendar would be shared): ${o.homeChanges.join('; ')}`);
  if (e.retried) {
    const i = o.seen.findIndex((s) => s.fault);
    const [hit, next] = [o.seen[i], o.seen[i + 1]];
    if (!hit || !next || next.method !== hit.method || next.path !== hit.path || next.fault) problems.push('the read the fault hit was not retried right after');
  }
  if (o.otherHostHits) problems.push(`${o.otherHostHits} request(s) reached the other host, ${o.otherHostCredentials} with credentials`);
  if (/[\u001b\u009b]/.test(o.stdout + o.stderr)) problems.push('raw terminal escape in the output');
  if (o.stderr.includes(OWNER.password) || o.stdout.includes(OWNER.password)) problems.push('the password appears in the output');
  return problems;
}
