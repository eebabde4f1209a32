// Shared by the integration tests of the foundation and the sharing engine: reading calshare's
// --verbose trace and --json output, and normalising ACLs read straight from the server.
import assert from 'node:assert/strict';
import { parseAcl } from '../../src/sharing/mechanisms/acl.js';
import { parseMultiStatus, prop } from '../../src/xml/multistatus.js';
import { qn, NS } from '../../src/xml/names.js';
import { as, type CliResult } from '../helpers/cli.js';
import { CYRUS, type User } from '../helpers/staging.js';
import { rawAcl } from '../helpers/dav.js';

export interface Traced {
  n: number;
  method: string;
  url: string;
  status: string;
}

/** The requests a --verbose run traced to stderr ("  #3 PROPFIND http://… → 207 (6 ms)"). */
export function traced(stderr: string): Traced[] {
  return [...stderr.matchAll(/^\s*#(\d+) (\S+) (\S+) → (\S+) \(\d+ ms\)$/gm)].map((m) => ({
    n: Number(m[1]),
    method: m[2]!,
    url: m[3]!,
    status: m[4]!,
  }));
}

/** The "N HTTP request(s)" line --verbose prints at the end of a command. */
export function requestCount(stderr: string): number {
  const m = /^\s*(\d+) HTTP request\(s\)$/m.exec(stderr);
  assert.ok(m, `no request counter in --verbose output:\n${stderr}`);
  return Number(m[1]);
}

/** Requests that change state: the share POSTs and ACL writes. */
export const writes = (stderr: string) => traced(stderr).filter((t) => t.method === 'POST' || t.method === 'ACL');

/** calshare as alice on staging Cyrus, asserting the exit code (and showing stderr when it differs). */
export function aliceOk(args: string[], code = 0): Promise<CliResult> {
  return userOk('alice', args, code);
}

/** calshare as `user` on staging Cyrus, asserting the exit code. */
export async function userOk(user: User, args: string[], code = 0): Promise<CliResult> {
  const r = await as(user, CYRUS.url)(args);
  assert.equal(r.code, code, `calshare ${args.join(' ')} → exit ${r.code}, wanted ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

export interface ShareeRow {
  email: string | null;
  principal: string | null;
  level: string;
  invite: string | null;
  origin: 'invitation' | 'acl' | 'home';
  sources: string[];
}

/** `calshare sharees CAL --json` as the owner (alice unless named), by email. */
export async function sharees(calPath: string, owner: User = 'alice'): Promise<Map<string, ShareeRow>> {
  const r = await userOk(owner, ['sharees', calPath, '--json']);
  const doc = JSON.parse(r.stdout) as { calendars: { url: string; sharees: ShareeRow[] }[] };
  assert.equal(doc.calendars.length, 1);
  return new Map(doc.calendars[0]!.sharees.map((s) => [s.email ?? s.principal ?? '?', s]));
}

/**
 * A calendar's ACL as a set of canonical ACE strings (principal, grant/deny, sorted privileges),
 * because Cyrus does not keep ACE order stable between reads.
 */
export async function aceSet(owner: User, calUrl: string): Promise<Set<string>> {
  const body = await rawAcl(owner, calUrl);
  const [r] = parseMultiStatus(body, new URL(calUrl));
  assert.ok(r, `no ACL answer for ${calUrl}: ${body}`);
  const acl = prop(r, qn(NS.DAV, 'acl'));
  assert.ok(acl, `no DAV:acl for ${calUrl}: ${body}`);
  return new Set(
    parseAcl(acl, new URL(calUrl)).map((a) => {
      const who = a.principal ? a.principal.pathname : (a.el.children.find((c) => c.name === 'principal')?.children[0]?.name ?? '?');
      return `${a.invert ? 'not ' : ''}${who} grant[${[...a.grant].sort().join(' ')}] deny[${[...a.deny].sort().join(' ')}]`;
    }),
  );
}

export const pathOf = (url: string) => new URL(url).pathname;
