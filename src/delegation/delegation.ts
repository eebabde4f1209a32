// Delegate, list, undelegate — and prove it. Detection asks the DAV class AND reads both proxy
// groups (a class alone is a claim); every change is a PROPPATCH of one group's whole member set,
// planned from a fresh read so members nobody asked about stay, then read back person by person.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session } from '../session.js';
import type { Transport } from '../transport/http.js';
import { parseResponse, propfindBody, selfResponse } from '../discovery/propfind.js';
import { propStatus } from '../xml/multistatus.js';
import { ServerRefusedError, UnsupportedError, UsageError, type Mismatch } from '../errors.js';
import { emailFor, learnLayout, parseEmails, resolveIdentities } from '../sharing/identity.js';
import { mayHaveLanded, resultKind } from '../sharing/verdict.js';
import { accessLabel, type Level, type PersonResultKind } from '../sharing/types.js';
import { addressOf } from './people.js';
import { fingerprint } from '../servers/fingerprint.js';
import { quirksFor, quirksOf } from '../servers/quirks.js';
import { sameResource } from '../discovery/propfind.js';
import {
  GROUP_MEMBER_SET,
  PROPS_TO_READ,
  isProxyGroup,
  levelIn,
  memberSetBody,
  membersOf,
  parseMembers,
  planGroup,
  proxyGroupUrls,
  type DelegationState,
  type GroupState,
  type ProxyGroups,
  type ProxyKind,
  type Wanted,
} from './proxy.js';

export type Support = { available: true; state: DelegationState; evidence: string[]; derived: boolean } | { available: false; evidence: string[] };

/** A PROPPATCH built but not yet sent: what --dry-run prints. */
export interface PlannedProppatch {
  method: 'PROPPATCH';
  url: URL;
  headers: Record<string, string>;
  body: string;
  purpose: string;
}

export interface Delegate {
  email: string | undefined;
  name: string | undefined;
  principal: string;
  level: Level;
}

export interface DelegationResult {
  email: string;
  requested: Level | 'none';
  before: Level | 'none';
  after: Level | 'none';
  result: PersonResultKind;
}

export interface DelegationOutcome {
  owner: URL;
  dryRun: boolean;
  requests: PlannedProppatch[];
  results: DelegationResult[];
  mismatches: Mismatch[];
  warnings: string[];
}

const UNREADABLE = [401, 403, 404, 405, 500, 501];

async function readGroup(t: Transport, url: URL, kind: ProxyKind): Promise<{ group?: GroupState; evidence: string }> {
  const res = await t.send({ method: 'PROPFIND', url, headers: { depth: '0' }, body: propfindBody(PROPS_TO_READ), purpose: `reading your calendar-proxy-${kind} group`, accept: UNREADABLE });
  if (res.status !== 207) return { evidence: `${url.pathname} answered ${res.status}` };
  const r = selfResponse(parseResponse(res.body, res.url, url, `reading your calendar-proxy-${kind} group`), res.url);
  const hrefs = r && parseMembers(r);
  if (!r || !hrefs) return { evidence: `${url.pathname} does not show DAV:group-member-set (${r ? propStatus(r, GROUP_MEMBER_SET) ?? 'not returned' : 'no answer for it'})` };
  if (isProxyGroup(r, kind) === false) return { evidence: `${url.pathname} is not a calendar-proxy-${kind} principal (resourcetype)` };
  return { group: { url, hrefs }, evidence: `${url.pathname} answers with ${hrefs.length} member(s)` };
}

export async function readState(t: Transport, groups: ProxyGroups): Promise<{ state?: DelegationState; evidence: string[] }> {
  const [read, write] = await Promise.all([readGroup(t, groups.read, 'read'), readGroup(t, groups.write, 'write')]);
  const evidence = [read.evidence, write.evidence];
  return read.group && write.group ? { state: { groups, read: read.group, write: write.group }, evidence } : { evidence };
}

/** Whether this account can delegate: the calendar-proxy class on the principal or home, and both groups answering. */
export async function detectDelegation(session: Session): Promise<Support> {
  const me = await session.principal();
  const claims = async (url: URL) => {
    try {
      return (await session.serverOptions(url)).dav.includes('calendar-proxy');
    } catch {
      return false;
    }
  };
  const advertised = (await claims(me.url)) || (await claims(me.homeUrl));
  const evidence = [`DAV header ${advertised ? 'advertises' : 'does not advertise'} "calendar-proxy"`];
  if (!advertised) return { available: false, evidence };
  const { state, evidence: more } = await readState(session.transport, proxyGroupUrls(me.url));
  evidence.push(...more);
  if (!state) return { available: false, evidence };
  const product = fingerprint(await session.serverOptions(me.url));
  const derived = quirksOf(quirksFor(product.id), 'proxy-members-derived').length > 0;
  if (derived) evidence.push(`${product.id}: proxy group members are derived from per-calendar grants and checked against every calendar`);
  return { available: true, state, evidence, derived };
}

async function requireDelegation(session: Session): Promise<Extract<Support, { available: true }>> {
  const s = await detectDelegation(session);
  if (s.available) return s;
  throw new UnsupportedError(
    `this server offers no delegation (calendar-proxy) for ${session.transport.user}: ${s.evidence.join('; ')}`,
    'Delegation needs a server with calendar-proxy groups (e.g. SabreDAV, DAViCal, SOGo). To give access to one calendar, use `calshare share`.',
  );
}

function plan(state: DelegationState, wanted: readonly Wanted[]): PlannedProppatch[] {
  const out: { req: PlannedProppatch; adds: boolean }[] = [];
  for (const kind of ['read', 'write'] as const) {
    const group = state[kind];
    const next = planGroup(group, kind, wanted, state.groups.owner);
    if (!next) continue;
    const req: PlannedProppatch = {
      method: 'PROPPATCH',
      url: group.url,
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: memberSetBody(next),
      purpose: `changing your calendar-proxy-${kind} group`,
    };
    out.push({ req, adds: next.some((h) => !group.hrefs.includes(h)) });
  }
  // The group that gains someone goes first: a level change never passes through "no access".
  return out.sort((a, b) => Number(b.adds) - Number(a.adds)).map((o) => o.req);
}

async function send(t: Transport, req: PlannedProppatch): Promise<void> {
  const res = await t.send({ ...req });
  // RFC 4918 §9.2.1: a 207 carries the verdict per property; a 2xx alone proves nothing.
  if (res.status !== 207) return;
  const r = selfResponse(parseResponse(res.body, res.url, req.url, req.purpose), res.url);
  const status = r ? propStatus(r, GROUP_MEMBER_SET) : undefined;
  if (status !== undefined && (status < 200 || status >= 300)) {
    throw new ServerRefusedError(
      `the server refused ${req.purpose} (${status} for DAV:group-member-set)`,
      'Your account may not be allowed to change its delegates on this server; ask its administrator.',
      status,
    );
  }
}

const RANK = { none: 0, other: 1, read: 2, edit: 3 } as const;

type LevelOf = (principal: URL) => Level | 'none';

/**
 * Each person's delegation as the groups show it. Where the server derives the groups from
 * per-calendar grants (quirk proxy-members-derived: SOGo also lists whoever holds one calendar),
 * a member counts only when every calendar the user owns shows him at the group's level.
 */
async function levels(session: Session, derived: boolean, state: DelegationState): Promise<LevelOf> {
  if (!derived) return (p) => levelIn(state, p);
  const { listSharees } = await import('../sharing/engine.js');
  session.invalidate(); // the listing carries the grants: read them fresh after a change
  const cals = await listSharees(session);
  return (p) => {
    const l = levelIn(state, p);
    if (l === 'none') return l;
    const everywhere = cals.every(({ sharees }) =>
      sharees.some((x) => {
        try {
          return x.principal !== undefined && sameResource(new URL(x.principal), p) && RANK[x.level] >= RANK[l];
        } catch {
          return false;
        }
      }),
    );
    return everywhere ? l : 'none';
  };
}

const MAX_ATTEMPTS = 4;

async function apply(session: Session, support: Extract<Support, { available: true }>, wanted: (Wanted & { email: string })[], dryRun: boolean): Promise<DelegationOutcome> {
  const t = session.transport;
  let state = support.state;
  let levelOf = await levels(session, support.derived, state);
  const before = wanted.map((w) => levelOf(w.principal));
  const requests: PlannedProppatch[] = [];
  let accepted = false;
  const sendAll = async (reqs: PlannedProppatch[]) => {
    for (const r of reqs) {
      try {
        await send(t, r);
      } catch (e) {
        if ((accepted || mayHaveLanded(e)) && e instanceof ServerRefusedError) {
          const hint = 'The change may have been made in part: `calshare delegates` shows the current state; running the same command again is safe.';
          throw new ServerRefusedError(e.message, hint, e.status, e.preconditions, e.serverMessage);
        }
        throw e;
      }
      accepted = true;
    }
  };
  const reread = async () => {
    const { state: again, evidence } = await readState(t, state.groups);
    if (!again) throw new UnsupportedError(`the proxy groups stopped answering after the change: ${evidence.join('; ')}`, 'Run `calshare delegates` to see the current state.');
    state = again;
    levelOf = await levels(session, support.derived, state);
  };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const pending = wanted.filter((w) => levelOf(w.principal) !== w.level);
    if (pending.length === 0) break;
    // Listed but not a delegate (derived groups): the server acts on group changes only, so take
    // the person out first and put them back, which makes it grant every calendar.
    const stale = pending.filter((w) => w.level !== 'none' && levelIn(state, w.principal) !== 'none');
    if (stale.length) {
      const out = plan(state, stale.map((w) => ({ ...w, level: 'none' as const })));
      requests.push(...out);
      if (dryRun) break;
      await sendAll(out);
      await reread();
    }
    const reqs = plan(state, pending);
    requests.push(...reqs);
    if (dryRun) break;
    await sendAll(reqs);
    // Another writer may have replaced a group between our read and write: re-read and, if needed, go again.
    if (attempt > 1) await sleep(Math.random() * 100 * attempt);
    await reread();
  }
  const results = wanted.map((w, i): DelegationResult => {
    const b = before[i]!;
    const a = dryRun ? b : levelOf(w.principal);
    return { email: w.email, requested: w.level, before: b, after: a, result: resultKind(w.level, b, a, dryRun) };
  });
  const mismatches = results.filter((r) => r.result === 'mismatch').map((r) => ({ email: r.email, expected: accessLabel(r.requested), seen: accessLabel(r.after) }));
  return { owner: state.groups.owner, dryRun, requests, results, mismatches, warnings: [] };
}

/**
 * Addresses to principals with the one people lookup sharing uses (sharing/identity.ts: the
 * server's principal search where a quirk says so, people/search.ts; else the principal layout with
 * its existence check), so `delegate` and `share` find the same person for the same address.
 */
async function findPeople(session: Session, emails: readonly string[]): Promise<{ email: string; principal: URL }[]> {
  const me = await session.principal();
  const quirks = quirksFor(fingerprint(await session.serverOptions(me.url)).id);
  const ids = await resolveIdentities(session.transport, me, emails, quirks);
  return ids.map((id) => {
    if (!id.principal) throw new UsageError(`could not find ${id.email} on this server`, 'Check the spelling; the person needs an account on this server.');
    return { email: id.email, principal: id.principal };
  });
}

/** Gives every address `level` on ALL of the signed-in user's calendars. */
export async function delegate(session: Session, addresses: readonly string[], level: Level, opts: { dryRun?: boolean } = {}): Promise<DelegationOutcome> {
  const emails = parseEmails(addresses);
  if (emails.length === 0) throw new UsageError('no one to delegate to', 'Name at least one e-mail address.');
  const support = await requireDelegation(session);
  const people = await findPeople(session, emails);
  return apply(session, support, people.map((p) => ({ email: p.email, principal: p.principal, level })), Boolean(opts.dryRun));
}

/** Takes delegation back from every address, or (`'all'`) from everyone in either group. */
export async function undelegate(session: Session, addresses: readonly string[] | 'all', opts: { dryRun?: boolean } = {}): Promise<DelegationOutcome> {
  const support = await requireDelegation(session);
  const current = await describe(session, support);
  let wanted: (Wanted & { email: string })[];
  if (addresses === 'all') {
    wanted = current.map((d) => ({ email: d.email ?? d.principal, principal: new URL(d.principal), level: 'none' }));
  } else {
    // A delegate without a known address is named by its principal URL (the terminal picker does).
    const byPrincipal = current.filter((d) => addresses.includes(d.principal));
    const emails = parseEmails(addresses.filter((a) => !current.some((d) => d.principal === a)));
    // A listed delegate is matched by address without a lookup: revoking must work for an account since deleted.
    const known = emails.map((e) => current.find((d) => d.email === e.toLowerCase()));
    const unknown = emails.filter((_, i) => !known[i]);
    const found = unknown.length ? await findPeople(session, unknown) : [];
    wanted = emails.map((e, i) => {
      const k = known[i];
      const p = k ? new URL(k.principal) : found.find((f) => f.email.toLowerCase() === e.toLowerCase())!.principal;
      return { email: e, principal: p, level: 'none' as const };
    });
    wanted.push(...byPrincipal.map((d) => ({ email: d.principal, principal: new URL(d.principal), level: 'none' as const })));
  }
  return apply(session, support, wanted, Boolean(opts.dryRun));
}

async function describe(session: Session, support: Extract<Support, { available: true }>): Promise<Delegate[]> {
  const me = await session.principal();
  const layout = learnLayout(me, session.transport.user);
  const levelOf = await levels(session, support.derived, support.state);
  // Only verified delegates: on derived groups, a member holding one calendar is that calendar's
  // sharee (listed by `sharees`), and `undelegate --all` must not take his share away.
  const members = membersOf(support.state).flatMap((m) => {
    const level = levelOf(m.principal);
    return level === 'none' ? [] : [{ ...m, level }];
  });
  return Promise.all(
    members.map(async (m): Promise<Delegate> => {
      const byLayout = emailFor(layout, m.principal);
      const seen = byLayout ? {} : await addressOf(session.transport, m.principal).catch(() => ({}) as { email?: string; name?: string });
      return { email: byLayout ?? seen.email, name: seen.name, principal: m.principal.href, level: m.level };
    }),
  );
}

export interface DelegatesListing {
  owner: URL;
  delegates: Delegate[];
}

/** Who holds delegated access to all of the signed-in user's calendars. */
export async function listDelegates(session: Session): Promise<DelegatesListing> {
  const support = await requireDelegation(session);
  return { owner: support.state.groups.owner, delegates: await describe(session, support) };
}

/** The delegates when the server offers delegation; undefined (not an error) where it does not. */
export async function delegatesIfAny(session: Session): Promise<Delegate[] | undefined> {
  const s = await detectDelegation(session);
  if (!s.available) return undefined;
  return describe(session, s);
}
