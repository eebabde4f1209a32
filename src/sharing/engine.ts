// Share, change, revoke — and prove it. Every change is planned as one write per mechanism
// (mechanisms batch many people per request), sent, then the calendar is read back and compared
// with the intent person by person. A 2xx proves nothing on its own.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Session } from '../session.js';
import { readCalendar, type Calendar } from '../discovery/calendars.js';
import type { Capabilities, MechanismId } from '../discovery/capabilities.js';
import { UnsupportedError, UsageError, type Mismatch } from '../errors.js';
import { learnLayout, parseEmails, principalFor, resolveIdentities, type Identity } from './identity.js';
import { MECHANISMS, findSharee, shareesOf } from './sharees.js';
import { cannotShare } from './unsupported.js';
import { readHomeAcl, undoHomeSpill } from './home-spill.js';
import { mayHaveLanded, resultKind, unverified } from './verdict.js';
import { accessLabel, type Change, type PersonResultKind, type Level, type MechanismContext, type PlannedRequest, type Sharee } from './types.js';

export interface ChangeOptions {
  /** Force a mechanism instead of the detected default. */
  via?: MechanismId;
  /** Plan and print, send nothing that changes state. */
  dryRun?: boolean;
}

export type { PersonResultKind };
export { resultKind };

export interface PersonResult {
  email: string;
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

export async function context(session: Session): Promise<MechanismContext> {
  const me = await session.principal();
  return { me, layout: learnLayout(me, session.transport.user) };
}

function choose(caps: Capabilities, via: MechanismId | undefined, owner: string, emails: string[], level: Level | 'none'): MechanismId {
  if (!via) return caps.preferred ?? (() => { throw cannotShare(caps, owner, emails, level); })();
  const m = caps.mechanisms.find((x) => x.id === via)!;
  if (!m.available) {
    const others = caps.mechanisms.filter((x) => x.available).map((x) => x.id);
    throw new UnsupportedError(
      `--via ${via}: ${m.name} is not available for this calendar (${m.evidence.join('; ')})`,
      others.length ? `This calendar can be shared with --via ${others.join(' or --via ')}.` : cannotShare(caps, owner, emails, level).hint,
    );
  }
  return via;
}

const levelIn = (sharees: Sharee[], who: Identity): Level | 'other' | 'none' => findSharee(sharees, who)?.level ?? 'none';

/**
 * Which mechanism fixes a pending change. The chosen one, unless its own record already shows the
 * wanted state and only the raw ACL disagrees (a grant made by ACL, not listed in any invite).
 */
export function mechanismFor(c: Change, cal: Calendar, ctx: MechanismContext, primary: MechanismId, aclOk: boolean): MechanismId {
  if (primary === 'acl' || !aclOk) return primary;
  const own = MECHANISMS[primary].grants(cal, ctx).find((g) => g.email === c.who.email.toLowerCase());
  const ownLevel = own?.level ?? 'none';
  return ownLevel === c.level ? 'acl' : primary;
}

async function apply(session: Session, cal: Calendar, wanted: Change[], mechanism: MechanismId, aclOk: boolean, opts: ChangeOptions): Promise<ChangeOutcome> {
  const ctx = await context(session);
  const before = shareesOf(cal, ctx);
  const requests: PlannedRequest[] = [];
  let state = cal;
  let wroteAcl = false;
  const used = new Set<MechanismId>();
  // Once a write was accepted, any failure leaves the change made but unverified: say so.
  let accepted = false;
  const readBack = async () => {
    try {
      return await reread(session, state);
    } catch (e) {
      throw accepted ? unverified(e, cal, true) : e;
    }
  };
  // The sharees of a state once, not once per person: a 500-person share stays linear.
  const pendingIn = (st: Calendar) => {
    const now = shareesOf(st, ctx);
    return wanted.filter((c) => levelIn(now, c.who) !== c.level);
  };
  // The ACL method replaces the whole ACL (RFC 3744 §8.1) and Cyrus ignores If-Match on it, so a
  // concurrent writer's change survives only if ours is planned from a read made just before it,
  // not from the listing, which identity lookups may have made seconds old. Later attempts plan
  // from the read-back that ends the previous one.
  if (!opts.dryRun && pendingIn(state).some((c) => mechanismFor(c, state, ctx, mechanism, aclOk) === 'acl')) {
    state = (await readBack()) ?? state;
  }
  // Cyrus spills ACL grants onto the calendar home (see home-spill.ts): note the home's ACL first.
  const inHome = cal.url.pathname.startsWith(ctx.me.homeUrl.pathname);
  const homeBefore =
    !opts.dryRun && inHome && pendingIn(state).some((c) => mechanismFor(c, state, ctx, mechanism, aclOk) === 'acl')
      ? await readHomeAcl(session.transport, ctx.me.homeUrl)
      : undefined;
  try {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let pending = pendingIn(state);
      if (pending.length === 0 && wroteAcl) {
        // Another writer may have planned from a read made before our write and replace the ACL after
        // our read-back: wait longer than such a read-to-write gap, then look once more.
        await sleep(SETTLE_MS + Math.random() * SETTLE_MS);
        state = (await readBack()) ?? state;
        pending = pendingIn(state);
        wroteAcl = false;
      }
      if (pending.length === 0) break;
      const groups = new Map<MechanismId, Change[]>();
      for (const c of pending) {
        const id = mechanismFor(c, state, ctx, mechanism, aclOk);
        groups.set(id, [...(groups.get(id) ?? []), c]);
      }
      for (const [id, changes] of groups) {
        const req = MECHANISMS[id].plan(state, changes, ctx);
        requests.push(req);
        if (opts.dryRun) continue;
        try {
          await session.transport.send({ ...req });
        } catch (e) {
          throw accepted || mayHaveLanded(e) ? unverified(e, cal, accepted) : e;
        }
        accepted = true;
        used.add(id);
        wroteAcl ||= id === 'acl';
      }
      if (opts.dryRun) break;
      if (attempt > 1) await sleep(Math.random() * 100 * attempt); // de-synchronise competing writers
      state = (await readBack()) ?? state;
    }
  } catch (e) {
    // A write may have landed before the failure: Cyrus's spill onto the home must not outlive the
    // command, or every calendar created later would be shared too. Best effort; the error stands.
    if (homeBefore && requests.length > 0) {
      await undoHomeSpill(session.transport, ctx.me.homeUrl, homeBefore).catch(() => undefined);
    }
    throw e;
  }
  const warnings = homeBefore
    ? await undoHomeSpill(session.transport, ctx.me.homeUrl, homeBefore)
    : [];
  session.invalidate();
  const after = shareesOf(state, ctx);
  const results = wanted.map((c): PersonResult => {
    const b = levelIn(before, c.who);
    const s = findSharee(after, c.who);
    const a = s?.level ?? 'none';
    const result = resultKind(c.level, b, a, Boolean(opts.dryRun));
    return { email: c.who.email, requested: c.level, before: b, after: opts.dryRun ? b : a, result, status: s?.status };
  });
  const mismatches = results
    .filter((r) => r.result === 'mismatch')
    .map((r) => ({ email: r.email, expected: accessLabel(r.requested), seen: accessLabel(r.after) }));
  return { calendar: state, mechanism, used: [...used], dryRun: Boolean(opts.dryRun), requests, results, mismatches, warnings };
}

async function reread(session: Session, cal: Calendar): Promise<Calendar | undefined> {
  return readCalendar(session.transport, await session.principal(), cal.url, 'reading the sharing state back');
}

async function prepare(session: Session, cal: Calendar, emails: string[], level: Level | 'none', opts: ChangeOptions) {
  const caps = await session.capabilities(cal);
  const me = await session.principal();
  const mechanism = choose(caps, opts.via, session.transport.user, emails, level);
  const aclOk = caps.mechanisms.some((m) => m.id === 'acl' && m.available);
  return { caps, me, mechanism, aclOk };
}

/** Grants (or changes to) `level` for every address, in one write where the protocol batches. */
export async function share(session: Session, cal: Calendar, addresses: readonly string[], level: Level, opts: ChangeOptions = {}): Promise<ChangeOutcome> {
  const emails = parseEmails(addresses);
  if (emails.length === 0) throw new UsageError('no one to share with', 'Name at least one e-mail address.');
  const { me, mechanism, aclOk } = await prepare(session, cal, emails, level, opts);
  const who = await resolveIdentities(session.transport, me, emails);
  return apply(session, cal, who.map((w) => ({ who: w, level })), mechanism, aclOk, opts);
}

/** Revokes access for every address, or (`'all'`) for everyone the calendar is shared with. */
export async function unshare(session: Session, cal: Calendar, addresses: readonly string[] | 'all', opts: ChangeOptions = {}): Promise<ChangeOutcome> {
  const ctx = await context(session);
  const current = shareesOf(cal, ctx);
  const emails = addresses === 'all' ? current.flatMap((s) => s.email ?? []) : parseEmails(addresses);
  const { mechanism, aclOk } = await prepare(session, cal, emails, 'none', opts);
  // No existence check here: revoking must work for an account that has since been deleted.
  const who = emails.map((email): Identity => {
    const known = current.find((s) => s.email === email.toLowerCase());
    const principal = known?.principal ? new URL(known.principal) : ctx.layout ? principalFor(ctx.layout, email, ctx.me.url) : undefined;
    return { email, mailto: `mailto:${email}`, principal };
  });
  const outcome = await apply(session, cal, who.map((w) => ({ who: w, level: 'none' as const })), mechanism, aclOk, opts);
  // --all means every person; grants to groups and other principals without an address stay, said aloud.
  const unnamed = addresses === 'all' ? current.filter((s) => !s.email).map((s) => s.principal ?? '?') : [];
  if (unnamed.length) outcome.warnings.push(`left access for ${unnamed.join(', ')}: not people calshare can name by address (groups or other principals)`);
  return outcome;
}

export interface CalendarSharees {
  calendar: Calendar;
  sharees: Sharee[];
}

/** Who has access: one calendar, or every calendar the user owns (one request for all of them). */
export async function listSharees(session: Session, cal?: Calendar): Promise<CalendarSharees[]> {
  const ctx = await context(session);
  const cals = cal ? [cal] : (await session.calendars()).filter((c) => c.owned);
  return cals.map((c) => ({ calendar: c, sharees: shareesOf(c, ctx) }));
}
