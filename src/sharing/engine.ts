// Share, change, revoke — and prove it. Every change is planned as one write per mechanism
// (mechanisms batch many people per request), sent, then the calendar is read back and compared
// with the intent person by person. A 2xx proves nothing on its own.
import { multistatusRefusal } from '../transport/classify.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session } from '../session.js';
import { calendarName, listHome, readCalendar, statePropsFor, type Calendar } from '../discovery/calendars.js';
import type { Capabilities } from '../discovery/capabilities.js';
import { ServerRefusedError, UnsupportedError, UsageError, type Mismatch } from '../errors.js';
import { propfindBody } from '../discovery/propfind.js';
import { NS, qn } from '../xml/names.js';
import { inert } from '../util/inert.js';
import { searchPeople } from '../people/search.js';
import { learnLayout, parseEmails, principalFor, resolveIdentities, type Identity } from './identity.js';
import { allGrants, keyOf, originOf, otherLine, othersOf, ownerTest, shareeFinder, shareesOf, NO_FETCHED_STATE, type FetchedState } from './sharees.js';
import { fromHome, homeGrantees, homeKeys } from './home-grants.js';
import { excludedWarning, groupsOf, reachingGroups, throughGroupWarning } from './group-access.js';
import { MECHANISMS, mechanism as byId } from './registry.js';
import { cannotShare } from '../servers/advice.js';
import { quirksOf, type Quirk, type WriteHook } from '../servers/quirks.js';
import { principalKey, searchPrincipals } from '../people/search.js';
import { mayHaveLanded, resultKind, unverified } from './verdict.js';
import {
  accessLabel,
  type Change,
  type PersonResultKind,
  type Level,
  type Mechanism,
  type MechanismContext,
  type MechanismId,
  type OtherGrantee,
  type PlannedRequest,
  type Sharee,
} from './types.js';

export interface ChangeOptions {
  /** Force a mechanism instead of the detected default. */
  via?: MechanismId;
  /** Plan and print, send nothing that changes state. */
  dryRun?: boolean;
  /** Group names to share with or remove (`--group`), next to the addresses; needs a mechanism with groupPrincipal. */
  groups?: readonly string[];
}

export type { PersonResultKind };
export { resultKind };

export interface PersonResult {
  /** The address asked for; empty for a group. */
  email: string;
  /** Set when this row is a group (`--group`): its name. */
  group?: string;
  requested: Level | 'none';
  before: Level | 'other' | 'none';
  after: Level | 'other' | 'none';
  result: PersonResultKind;
  status: Sharee['status'];
}

export interface ChangeOutcome {
  calendar: Calendar;
  /** The chosen mechanism. */
  mechanism: MechanismId;
  /** Those the writes went through: the chosen one, or another where a grant lived only there (an ACL-only grant is revoked by ACL). */
  used: MechanismId[];
  dryRun: boolean;
  /** The state-changing requests, sent or (with dryRun) only planned. */
  requests: PlannedRequest[];
  results: PersonResult[];
  mismatches: Mismatch[];
  /** Side effects the server added that calshare could not take back. */
  warnings: string[];
}

const MAX_ATTEMPTS = 5;
/** Least pause before the last look at an ACL we wrote (a random as much again is added). */
const SETTLE_MS = 100;

/** The signed-in user, the server's layout and, once capabilities were asked, its product and quirks. */
export async function context(session: Session, caps?: Capabilities): Promise<MechanismContext> {
  const me = await session.principal();
  return { me, layout: learnLayout(me, session.transport.user), ...(caps ? { server: caps.product.id, quirks: caps.quirks } : {}) };
}

/**
 * The context with `names`: each grantee principal's address from the server's principal search,
 * where the quirks say a principal URL tells nothing reliable about it ('people-by-search': on
 * DAViCal a user name need not be the address's local part). `known` are pairs just resolved, which
 * cost no request. Elsewhere the context comes back as it was.
 */
async function named(session: Session, ctx: MechanismContext, cals: readonly Calendar[], quirks: readonly Quirk[] | undefined, known: readonly Identity[] = []): Promise<MechanismContext> {
  // Naming a principal by searching its own path works on calendar-user-address-set (DAViCal); a
  // server searched on another property (Nextcloud: s:email-address) is named by its layout instead.
  if (!quirks?.some((q) => q.kind === 'people-by-search' && !q.prop)) return ctx;
  const names = new Map(ctx.names ?? []);
  for (const k of known) if (k.principal) names.set(principalKey(k.principal), k.email.toLowerCase());
  const unknown = new Map<string, URL>();
  for (const c of cals) {
    for (const g of allGrants(c, ctx)) {
      if (!g.principal) continue;
      const u = new URL(g.principal);
      if (!names.has(principalKey(u))) unknown.set(principalKey(u), u);
    }
  }
  if (unknown.size) for (const [k, v] of await searchPrincipals(session.transport, ctx.me.url, [...unknown.values()])) names.set(k, v);
  return { ...ctx, names };
}

/** A calendar as last read: its listing, plus the bodies of state requests (Mechanism.stateRequest). */
interface State {
  cal: Calendar;
  fetched: FetchedState;
}

/** Rounds of state reads a mechanism may ask for (SOGo: user-list, then roles). */
const MAX_STATE_ROUNDS = 3;

/**
 * Reads the state that is not a listing property, round by round, for each mechanism that asks for
 * it on this calendar (none for CS, draft-pot or ACL, whose state the listing carries).
 */
export async function readState(session: Session, cal: Calendar, ctx: MechanismContext): Promise<FetchedState> {
  const fetched = new Map<MechanismId, string[]>();
  await Promise.all(
    MECHANISMS.map(async (m) => {
      if (!m.stateRequests) return;
      const answered: string[] = [];
      for (let round = 0; round < MAX_STATE_ROUNDS; round++) {
        const reqs = m.stateRequests(cal, ctx, answered);
        if (reqs.length === 0) break;
        answered.push(...(await Promise.all(reqs.map(async (req) => (await session.transport.send({ ...req })).body))));
      }
      if (answered.length) fetched.set(m.id, answered);
    }),
  );
  return fetched.size ? fetched : NO_FETCHED_STATE;
}

function choose(caps: Capabilities, via: MechanismId | undefined, owner: string, emails: string[], level: Level | 'none'): Mechanism {
  if (!via) return caps.preferred ? byId(caps.preferred) : (() => { throw cannotShare(caps, owner, emails, level); })();
  const m = caps.mechanisms.find((x) => x.id === via);
  if (!m) throw new UsageError(`--via ${via}: no such sharing mechanism`, `Choose one of: ${MECHANISMS.map((x) => x.id).join(', ')}.`);
  if (!m.available) {
    const others = caps.mechanisms.filter((x) => x.available).map((x) => x.id);
    throw new UnsupportedError(
      `--via ${via}: ${m.name} is not available for this calendar (${m.evidence.join('; ')})`,
      others.length ? `This calendar can be shared with --via ${others.join(' or --via ')}.` : cannotShare(caps, owner, emails, level).hint,
      { alternatives: others },
    );
  }
  return byId(via);
}

/**
 * The available mechanism that sees grants no invitation lists (the raw ACL), to revoke what the
 * chosen one cannot see; undefined when the chosen one sees them itself or none is available.
 */
function fallbackFor(caps: Capabilities, primary: Mechanism): Mechanism | undefined {
  if (primary.seesForeignGrants) return undefined;
  return MECHANISMS.find((m) => m.seesForeignGrants && m !== primary && caps.mechanisms.some((r) => r.id === m.id && r.available));
}

/** The level `who` holds in a list a finder indexed (sharees.shareeFinder), 'none' when not listed. */
const levelBy = (find: (who: Identity) => Sharee | undefined, who: Identity): Level | 'other' | 'none' => find(who)?.level ?? 'none';

/**
 * `f` of a state, worked out once per state object however often it is asked. A state is never
 * changed once read (a read-back makes a new one), so the answer stays true.
 */
function perState<T>(f: (st: State) => T): (st: State) => T {
  const seen = new WeakMap<State, T>();
  return (st) => {
    if (!seen.has(st)) seen.set(st, f(st));
    return seen.get(st)!;
  };
}

/**
 * Which mechanism fixes a pending change. The chosen one, unless its own record already shows the
 * wanted state and only a mechanism that sees foreign grants disagrees (a grant made by ACL, not
 * listed in any invite): then that one.
 */
export function mechanismFor(
  c: Change,
  cal: Calendar,
  ctx: MechanismContext,
  primary: Mechanism,
  fallback: Mechanism | undefined,
  own: ReadonlyMap<string, Level | 'other'> = ownLevels(primary, cal, ctx),
): Mechanism {
  if (!fallback || primary.seesForeignGrants) return primary;
  const ownLevel = own.get(c.who.email.toLowerCase()) ?? 'none';
  return ownLevel === c.level ? fallback : primary;
}

/**
 * The level each address holds in one mechanism's own record (first grant per address wins, as a
 * search would). Built once per state and passed to mechanismFor: re-parsing every grant for each
 * person made revoking 500 people quadratic in client CPU (issue 14).
 */
export function ownLevels(m: Mechanism, cal: Calendar, ctx: MechanismContext): Map<string, Level | 'other'> {
  const out = new Map<string, Level | 'other'>();
  for (const g of m.grants(cal, ctx)) if (g.email !== undefined && !out.has(g.email)) out.set(g.email, g.level);
  return out;
}

/** Changes to requests: per mechanism one batch, split per level where a request carries one level. */
function planWrites(m: Mechanism, st: State, changes: Change[], ctx: MechanismContext): PlannedRequest[] {
  if (!m.oneLevelPerWrite) return m.plan(st.cal, changes, ctx);
  const levels = [...new Set(changes.map((c) => c.level))];
  return levels.flatMap((l) => m.plan(st.cal, changes.filter((c) => c.level === l), ctx));
}

interface Noted {
  hook: WriteHook;
  noted: unknown;
}

async function apply(session: Session, cal: Calendar, wanted: Change[], primary: Mechanism, fallback: Mechanism | undefined, ctx: MechanismContext, opts: ChangeOptions, caps?: Capabilities): Promise<ChangeOutcome> {
  const requests: PlannedRequest[] = [];
  let state: State = { cal, fetched: await readState(session, cal, ctx) };
  // Each state's sharees are merged and indexed once, and the primary's own levels read once, however
  // often the steps below ask: merging every grant again per question (four times for the first
  // state) was most of a 500-person revoke's client CPU (issue 14).
  const findIn = perState((st) => shareeFinder(shareesOf(st.cal, ctx, st.fetched)));
  const ownIn = perState((st) => ownLevels(primary, st.cal, ctx));
  const first = state;
  let settle = false;
  const used = new Set<Mechanism>();
  // Once a write was accepted, any failure leaves the change made but unverified: say so.
  let accepted = false;
  const readBack = async (): Promise<State> => {
    try {
      const fresh = (await reread(session, state.cal, ctx.quirks ?? state.cal.quirks)) ?? state.cal;
      return { cal: fresh, fetched: await readState(session, fresh, ctx) };
    } catch (e) {
      throw accepted ? unverified(e, cal, true) : e;
    }
  };
  // One indexed look-up per person, not a scan of the sharees: a 500-person share stays linear.
  const pendingIn = (st: State) => {
    const find = findIn(st);
    return wanted.filter((c) => levelBy(find, c.who) !== c.level);
  };
  const mechanismsFor = (st: State) => new Set(pendingIn(st).map((c) => mechanismFor(c, st.cal, ctx, primary, fallback, ownIn(st))));
  // A mechanism whose write replaces the whole state (the ACL method, RFC 3744 §8.1; Cyrus ignores
  // If-Match on it) keeps a concurrent writer's change only if ours is planned from a read made just
  // before it, not from the listing, which identity lookups may have made seconds old. Later
  // attempts plan from the read-back that ends the previous one.
  if (!opts.dryRun && [...mechanismsFor(state)].some((m) => m.replacesWholeState)) state = await readBack();
  // Server quirks that need code around writes (e.g. Cyrus's home spill): note before the first write.
  const hooks: Noted[] = [];
  if (!opts.dryRun) {
    const ms = [...mechanismsFor(state)];
    for (const q of quirksOf(ctx.quirks, 'write-hook')) {
      if (!ms.some((m) => q.hook.applies(m, cal, ctx))) continue;
      const noted = await q.hook.before(session.transport, cal, ctx);
      if (noted !== undefined) hooks.push({ hook: q.hook, noted });
    }
  }
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let pending = pendingIn(state);
      if (pending.length === 0 && settle) {
        // Another writer may have planned from a read made before our write and replace the state after
        // our read-back: wait longer than such a read-to-write gap, then look once more.
        await sleep(SETTLE_MS + Math.random() * SETTLE_MS);
        state = await readBack();
        pending = pendingIn(state);
        settle = false;
      }
      if (pending.length === 0) break;
      const groups = new Map<Mechanism, Change[]>();
      const own = ownIn(state);
      for (const c of pending) {
        const m = mechanismFor(c, state.cal, ctx, primary, fallback, own);
        const group = groups.get(m);
        if (group) group.push(c);
        else groups.set(m, [c]);
      }
      for (const [m, changes] of groups) {
        for (const req of planWrites(m, state, changes, ctx)) {
          requests.push(req);
          if (opts.dryRun) continue;
          try {
            const res = await session.transport.send({ ...req });
            const refused = multistatusRefusal(res, req.purpose);
            if (refused) throw refused;
          } catch (e) {
            if (!accepted && notImplemented(e)) throw advertisedButRefused(e, m, caps);
            throw accepted || mayHaveLanded(e) ? unverified(e, cal, accepted) : e;
          }
          accepted = true;
          used.add(m);
          settle ||= Boolean(m.replacesWholeState);
        }
      }
      if (opts.dryRun) break;
      if (attempt > 1) await sleep(Math.random() * 100 * attempt); // de-synchronise competing writers
      state = await readBack();
    }
  } catch (e) {
    // A write may have landed before the failure: a hook's repair (Cyrus's home spill) must not be
    // skipped, or its side effect outlives the command. Best effort; the error stands.
    if (requests.length > 0) for (const h of hooks) await h.hook.after(session.transport, cal, ctx, h.noted).catch(() => undefined);
    throw e;
  }
  const warnings: string[] = [];
  for (const h of hooks) warnings.push(...(await h.hook.after(session.transport, cal, ctx, h.noted)));
  session.invalidate();
  const [findBefore, findAfter] = [findIn(first), findIn(state)];
  const results = wanted.map((c): PersonResult => {
    const b = levelBy(findBefore, c.who);
    const s = findAfter(c.who);
    const a = s?.level ?? 'none';
    const result = resultKind(c.level, b, a, Boolean(opts.dryRun));
    return { email: c.who.email, ...(c.who.group !== undefined ? { group: c.who.group } : {}), requested: c.level, before: b, after: opts.dryRun ? b : a, result, status: s?.status };
  });
  const mismatches = results
    .filter((r) => r.result === 'mismatch')
    .map((r) => ({ email: r.group !== undefined ? `group ${r.group}` : r.email, expected: accessLabel(r.requested), seen: accessLabel(r.after) }));
  return {
    calendar: state.cal,
    mechanism: primary.id,
    used: [...used].map((m) => m.id),
    dryRun: Boolean(opts.dryRun),
    requests,
    results,
    mismatches,
    warnings,
  };
}

/**
 * 501 Not Implemented (RFC 9110 §15.6.2) or 405 Method Not Allowed (§15.5.6): the server did not act
 * on the request at all, so nothing changed. Nextcloud 31 answers a CS:share POST 501 although its
 * DAV: header advertises calendarserver-sharing.
 */
const notImplemented = (e: unknown): e is ServerRefusedError => e instanceof ServerRefusedError && (e.status === 501 || e.status === 405);

function advertisedButRefused(e: ServerRefusedError, m: Mechanism, caps: Capabilities | undefined): UnsupportedError {
  const others = (caps?.mechanisms ?? []).filter((x) => x.available && x.id !== m.id).map((x) => x.id);
  return new UnsupportedError(
    `the server advertises ${m.name} but answered ${e.status} ${e.status === 501 ? 'Not Implemented' : 'Method Not Allowed'} to its ${m.request.method}; nothing was changed`,
    others.length
      ? `Use another mechanism this calendar offers: --via ${others.join(' or --via ')}.`
      : 'This server does not share this way; run `calshare capabilities` to see what it offers.',
    { alternatives: others },
  );
}

async function reread(session: Session, cal: Calendar, quirks: readonly Quirk[] | undefined): Promise<Calendar | undefined> {
  // With the product's quirks, only what the state needs comes back (statePropsFor).
  return readCalendar(session.transport, await session.principal(), cal.url, 'reading the sharing state back', quirks);
}

async function prepare(session: Session, cal: Calendar, emails: string[], level: Level | 'none', opts: ChangeOptions) {
  const caps = await session.capabilities(cal);
  const ctx = await context(session, caps);
  const primary = choose(caps, opts.via, session.transport.user, emails, level);
  return { caps, ctx, primary, fallback: fallbackFor(caps, primary) };
}

/** The server's way of finding people by address, where a quirk says it has one. */
const peopleSearch = (ctx: MechanismContext) => quirksOf(ctx.quirks, 'people-by-search')[0];

/** Validates group names before any request: one line, no control characters, not empty. */
export function parseGroups(names: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const raw of names) {
    const n = raw.trim();
    if (!n) throw new UsageError('a group name is empty', 'Give the group name as the server shows it, e.g. --group "Team A".');
    if (/[\p{Cc}\p{Cf}]/u.test(n) || n.length > 255) {
      throw new UsageError(`${JSON.stringify(inert(n))} is not a usable group name`, 'Give the group name as the server shows it, on one line.');
    }
    out.set(n, n);
  }
  return [...out.values()];
}

/**
 * Group principals for `names` through the chosen mechanism, each proven to exist first: a PROPFIND
 * of the group principal answers 207 for a group and 404 for none (Nextcloud accepts a share to a
 * group that does not exist with 200 and shares nothing, so the write proves nothing).
 */
async function resolveGroups(session: Session, m: Mechanism, ctx: MechanismContext, caps: Capabilities, names: readonly string[]): Promise<Identity[]> {
  if (names.length === 0) return [];
  if (!m.groupPrincipal) {
    const can = MECHANISMS.filter((x) => x.groupPrincipal && caps.mechanisms.some((r) => r.id === x.id && r.available)).map((x) => x.id);
    throw new UnsupportedError(
      `${m.name} cannot share with a group`,
      can.length ? `Use --via ${can.join(' or --via ')} for groups.` : 'This calendar offers no way to share with groups here; share with each person by address.',
    );
  }
  const unknown: string[] = [];
  const out: Identity[] = [];
  for (const name of names) {
    const url = m.groupPrincipal(name, ctx);
    if (!url) throw new UnsupportedError(`cannot tell the principal of group "${inert(name)}" on this server`, 'Share with each person by address instead.');
    const res = await session.transport.send({ method: 'PROPFIND', url, headers: { depth: '0' }, body: propfindBody([qn(NS.DAV, 'displayname')]), purpose: `looking up group ${name}`, accept: [404] });
    if (res.status === 404) unknown.push(name);
    out.push({ email: '', mailto: '', principal: url, group: name });
  }
  if (unknown.length) {
    throw new UsageError(
      `no group ${unknown.map((n) => `"${inert(n)}"`).join(', ')} on this server`,
      'Check the spelling (group names are case-sensitive); nothing was shared.',
    );
  }
  return out;
}

/** Grants (or changes to) `level` for every address, in one write where the protocol batches. */
export async function share(session: Session, cal: Calendar, addresses: readonly string[], level: Level, opts: ChangeOptions = {}): Promise<ChangeOutcome> {
  const emails = parseEmails(addresses);
  const groups = parseGroups(opts.groups ?? []);
  if (emails.length === 0 && groups.length === 0) throw new UsageError('no one to share with', 'Name at least one e-mail address.');
  const { caps, ctx, primary, fallback } = await prepare(session, cal, emails, level, opts);
  // Everyone is checked before any write: an unknown address or group leaves the calendar untouched.
  const who = [...(emails.length ? await resolveIdentities(session.transport, ctx.me, emails, ctx.quirks, shownPrincipals(cal, ctx)) : []), ...(await resolveGroups(session, primary, ctx, caps, groups))];
  const withNames = await named(session, ctx, [cal], ctx.quirks, who.filter((w) => w.group === undefined));
  return apply(session, cal, who.map((w) => ({ who: w, level })), primary, fallback, withNames, opts, caps);
}

/**
 * Address -> principal of everyone the calendar's listing shows with both (the grant names a principal
 * the server accepted), so a share needs no existence check for them. Only where an address is read
 * from the grant itself: with 'people-by-search' names come from the server's search, not here.
 */
export function shownPrincipals(cal: Calendar, ctx: MechanismContext): Map<string, URL> {
  const out = new Map<string, URL>();
  if (ctx.quirks?.some((q) => q.kind === 'people-by-search') || cal.quirks?.some((q) => q.kind === 'people-by-search')) return out;
  for (const s of shareesOf(cal, ctx)) {
    if (!s.email || !s.principal || out.has(s.email)) continue;
    try {
      out.set(s.email, new URL(s.principal));
    } catch {
      // not a URL: look the person up as usual
    }
  }
  return out;
}

/**
 * Address -> the first sharee listed with it (as a search of the list would find), indexed once for
 * a whole revocation: a search per person made revoking 500 people quadratic (issue 14).
 */
export function byAddress(sharees: readonly Sharee[]): Map<string, Sharee> {
  const out = new Map<string, Sharee>();
  for (const s of sharees) if (s.email !== undefined && !out.has(s.email)) out.set(s.email, s);
  return out;
}

/**
 * Who a revocation names. No existence check: revoking must work for an account that has since been
 * deleted, so the principal comes from the current grant, else from the server's layout.
 */
export function revokee(email: string, current: ReadonlyMap<string, Sharee>, ctx: MechanismContext, found?: URL): Identity {
  const known = current.get(email.toLowerCase());
  // `found`: what the server's people search answered (quirk 'people-by-search'), before any layout guess.
  const principal = known?.principal ? new URL(known.principal) : found ?? (ctx.layout ? principalFor(ctx.layout, email, ctx.me.url) : undefined);
  return { email, mailto: `mailto:${email}`, principal };
}

/**
 * Moves one calendar to the wanted level for every person, grants, level changes and removals
 * mixed, as one write per mechanism, read back and judged person by person: what `apply` of a plan
 * does per calendar. Identities are resolved by the caller (once for a whole plan).
 */
export async function changeAccess(session: Session, cal: Calendar, wanted: readonly Change[], opts: ChangeOptions = {}): Promise<ChangeOutcome> {
  const emails = wanted.map((c) => c.who.email);
  const level = wanted.find((c) => c.level !== 'none')?.level ?? 'none';
  const { ctx, primary, fallback } = await prepare(session, cal, emails, level, opts);
  const withNames = await named(session, ctx, [cal], ctx.quirks ?? cal.quirks, wanted.map((c) => c.who));
  return apply(session, cal, [...wanted], primary, fallback, withNames, opts);
}

/** Revokes access for every address, or (`'all'`) for everyone the calendar is shared with. */
export async function unshare(session: Session, cal: Calendar, addresses: readonly string[] | 'all', opts: ChangeOptions = {}): Promise<ChangeOutcome> {
  const bare = await named(session, await context(session), [cal], cal.quirks);
  const before = await readState(session, cal, bare);
  const current = shareesOf(cal, bare, before);
  const emails = addresses === 'all' ? current.flatMap((s) => s.email ?? []) : parseEmails(addresses);
  const groupNames = parseGroups(opts.groups ?? []);
  const prepared = await prepare(session, cal, emails, 'none', opts);
  const { caps, primary, fallback } = prepared;
  const ctx = { ...prepared.ctx, ...(bare.names ? { names: bare.names } : {}) };
  const search = peopleSearch(ctx);
  // No existence check here: revoking must work for an account that has since been deleted. Where
  // the server can be asked who has an address, ask for those the listing does not name: its user
  // ids need not follow the address.
  const listed = byAddress(current);
  const unlisted = emails.filter((e) => !listed.get(e.toLowerCase())?.principal);
  const searched = search && unlisted.length ? (await searchPeople(session.transport, ctx.me.url, unlisted, search.prop, search.mailto)).found : undefined;
  const who = emails.map((email) => revokee(email, listed, ctx, searched?.get(email.toLowerCase())?.principal));
  // As share does: the owner always has the calendar, and taking it from them would drop their ACE.
  const owner = ownerTest(ctx);
  const self = who.find((w) => owner({ email: w.email, principal: w.principal?.href }));
  if (self) throw new UsageError(`${self.email} is you; a calendar is always shared with its owner`, 'Name the people to remove; `calshare sharees` lists them.');
  // A group being removed needs no existence check either: the read-back shows whether it is gone.
  const groups = groupNames.map((name): Identity => {
    const listed = current.find((s) => s.group === name);
    const principal = listed?.principal ? new URL(listed.principal) : primary.groupPrincipal?.(name, ctx);
    if (!principal) throw new UnsupportedError(`${primary.name} cannot name group "${inert(name)}"`, 'Remove the group with the mechanism that shared it (see `calshare sharees`).');
    return { email: '', mailto: '', principal, group: name };
  });
  if (who.length + groups.length === 0 && addresses !== 'all') throw new UsageError('no one to remove', 'Name at least one e-mail address or --group.');
  const outcome = await apply(session, cal, [...who, ...groups].map((w) => ({ who: w, level: 'none' as const })), primary, fallback, ctx, opts, caps);
  await noteGroupAccess(session, outcome, who, current, quirksOf(ctx.quirks, 'remove-excludes-from-groups').length > 0);
  // --all means every person; grants to groups and other principals without an address stay, said aloud.
  const unnamed = addresses === 'all' ? current.filter((s) => !s.email && !groupNames.includes(s.group ?? '')).map((s) => (s.group !== undefined ? `group ${s.group}` : (s.principal ?? '?'))) : [];
  if (unnamed.length) outcome.warnings.push(`left access for ${unnamed.join(', ')}: not people calshare can name by address (groups or other principals)`);
  const others = addresses === 'all' ? othersOf(cal, bare, before) : [];
  if (others.length) outcome.warnings.push(`left in place: ${others.map(otherLine).join('; ')} (not a person; only a change to the access list itself, e.g. by the server's administrator, removes it)`);
  return outcome;
}

/**
 * A person removed (or who had no grant of their own) whom a group grant that stays on the calendar
 * still reaches: the row says so and a warning names the next step (group-access.ts). One
 * group-membership read per such person, and only when the calendar has group grants left.
 */
async function noteGroupAccess(session: Session, outcome: ChangeOutcome, who: readonly Identity[], current: readonly Sharee[], excludes: boolean): Promise<void> {
  const goes = (g: string) => outcome.results.some((r) => r.group === g && (outcome.dryRun || r.after === 'none'));
  const left = current.filter((s) => s.group !== undefined && !goes(s.group));
  if (left.length === 0) return;
  const rows = outcome.results.filter((r) => r.group === undefined && (r.result === 'removed' || r.result === 'not-shared' || (outcome.dryRun && r.result === 'planned')));
  // Indexed once, first entry per address as a search would find it: not a scan per row.
  const principalOf = new Map<string, URL | undefined>();
  for (const w of who) if (!principalOf.has(w.email)) principalOf.set(w.email, w.principal);
  await Promise.all(
    rows.map(async (r) => {
      const principal = principalOf.get(r.email);
      if (!principal) return;
      const memberOf = await groupsOf(session.transport, principal);
      const via = memberOf ? reachingGroups(memberOf, left) : [];
      if (via.length === 0) return;
      // Where removing a person's own grant also shuts them out of the group's (Nextcloud), the
      // removal took all of it: say so, and that the group's later shares will miss them too.
      const removes = r.result === 'removed' || (outcome.dryRun && r.before !== 'none');
      if (excludes && removes) {
        outcome.warnings.push(excludedWarning(r.email, calendarName(outcome.calendar), via, Boolean(outcome.dryRun)));
        return;
      }
      const level = via.some((g) => g.level === 'edit') ? 'edit' : via.some((g) => g.level === 'read') ? 'read' : 'other';
      if (!outcome.dryRun) Object.assign(r, { result: 'through-group' as const, after: level });
      outcome.warnings.push(throughGroupWarning(r.email, calendarName(outcome.calendar), via, excludes));
    }),
  );
}

export interface CalendarSharees {
  calendar: Calendar;
  sharees: Sharee[];
  /** keyOf() of the sharees whose access (also) comes from a grant on the calendar home (home-grants.ts). */
  fromHome: ReadonlySet<string>;
  /** Grants to no person: groups, everyone, signed-in users, "everyone except" (sharees.othersOf). */
  others: OtherGrantee[];
}

/**
 * Who has access: one calendar, or every calendar the user owns (one request for all of them). All
 * calendars are read with only what the sharing state needs (statePropsFor: on Cyrus each costly
 * property recomputes the state); one calendar comes as the caller read it (resolveCalendar 'state').
 */
export async function listSharees(session: Session, cal?: Calendar): Promise<CalendarSharees[]> {
  // The OPTIONS that names the product goes alongside discovery.
  const [ctx, known] = await Promise.all([context(session), cal ? undefined : session.productQuirks()]);
  const listing = known ? await listHome(session.transport, ctx.me, statePropsFor(known), known) : undefined;
  const cals = cal ? [cal] : listing!.calendars.filter((c) => c.owned);
  const read = await Promise.all(
    cals.map(async (c) => {
      const cctx = await named(session, ctx, [c], c.quirks);
      const fetched = await readState(session, c, cctx);
      return { c, cctx, fetched, sharees: shareesOf(c, cctx, fetched) };
    }),
  );
  // The home's ACL only tells where an access-list-only grant comes from (someone invited was shared
  // the calendar on purpose, fromHome): read it only when such a grant is there. A Depth-1 listing
  // brought the home's answer along.
  const aclOnly = read.some((x) => x.sharees.some((s) => originOf(s) !== 'invitation'));
  const grantees = aclOnly ? await homeGrantees(session, listing ? { home: listing.home } : undefined) : [];
  const home = homeKeys(grantees);
  return read.map(({ c, cctx, fetched, sharees }) => ({
    calendar: c,
    sharees,
    fromHome: new Set(sharees.filter((s) => fromHome(s, c, ctx.me.homeUrl, home)).map(keyOf)),
    others: othersOf(c, cctx, fetched),
  }));
}
