// A Cyrus quirk with security weight, observed on Cyrus 3.6: an ACL method that grants someone
// access to a calendar also grants them DAV:read on the owner's calendar home, and Cyrus copies the
// home's ACL into every calendar created later. Left alone, a one-calendar ACL share silently shares
// every future calendar too. The spill is not limited to the people changed: after any ACL write,
// revoking too, the home gains a read grant for everyone in the ACL of any of the owner's calendars
// (observed: a person shared on a sibling calendar appeared). Removing the home grants keeps the
// calendar shares working (each sharee reaches theirs through their own alias), so calshare takes
// back every grant that appeared on the home across its write. Run by the engine as a write hook
// (quirks.ts) around every ACL-method write on a calendar in the user's home.
import type { Transport } from '../transport/http.js';
import type { Calendar } from '../discovery/calendars.js';
import { propfind, sameResource, selfResponse } from '../discovery/propfind.js';
import { serialize } from '../xml/build.js';
import { prop } from '../xml/multistatus.js';
import { NS, qn } from '../xml/names.js';
import { mergeAcl, parseAcl, type Ace } from '../sharing/mechanisms/acl.js';
import type { Mechanism, MechanismContext } from '../sharing/types.js';
import type { WriteHook } from './write-hook.js';

// Named here, not taken from discovery/calendars.ts: that module reads the quirk table, which names this hook.
const ACL = qn(NS.DAV, 'acl'); // RFC 3744 §5.5
const DESCRIPTION = qn(NS.CALDAV, 'calendar-description'); // RFC 4791 §5.2.1

export async function readHomeAcl(t: Transport, home: URL): Promise<Ace[] | undefined> {
  // Cyrus declares in its answer only the namespaces the request used, yet writes C:read-free-busy
  // into the home's ACL: asking for one CalDAV property too keeps its answer well-formed.
  const { responses, url } = await propfind(t, home, [ACL, DESCRIPTION], '0', 'reading the ACL of your calendar home');
  const r = selfResponse(responses, url);
  const acl = r && prop(r, ACL);
  return acl ? parseAcl(acl, r.url) : undefined;
}

/** Principals an ACL grants something to by href, leaving protected and inherited ACEs aside (RFC 3744 §8.1). */
const grantees = (aces: readonly Ace[]): URL[] =>
  aces.flatMap((a) => (a.principal && !a.invert && a.grant.length > 0 && !a.protected && !a.inherited ? [a.principal] : []));

const grantsTo = (aces: readonly Ace[], who: URL) => grantees(aces).some((p) => sameResource(p, who));

/**
 * Removes every home grant that appeared since `before` was read, just ahead of calshare's write.
 * Returns warnings for what could not be undone; an empty list when there was nothing to undo.
 */
export async function undoHomeSpill(t: Transport, home: URL, before: readonly Ace[]): Promise<string[]> {
  const after = await readHomeAcl(t, home);
  if (!after) return [];
  const spilled = grantees(after).filter((p, i, all) => !grantsTo(before, p) && all.findIndex((q) => sameResource(q, p)) === i);
  if (spilled.length === 0) return [];
  const body = serialize(mergeAcl(after, spilled.map((principal) => ({ principal, privileges: null }))));
  // Cyrus answers 500 to an ACL on the home yet applies it (observed); judge by reading back.
  await t.send({ method: 'ACL', url: home, body, purpose: 'taking back the access Cyrus added to your calendar home', accept: [500] });
  const now = (await readHomeAcl(t, home)) ?? [];
  const left = spilled.filter((p) => grantsTo(now, p));
  return left.map(
    (p) =>
      `the server also gave ${p.pathname} read access to your calendar home ${home.pathname}, so calendars you create later would be shared with them too; calshare could not take that back`,
  );
}

/** The engine hook: note the home's ACL before the first ACL write, take back what appeared after. */
export const cyrusHomeSpill: WriteHook<readonly Ace[]> = {
  applies: (m: Mechanism, cal: Calendar, ctx: MechanismContext) =>
    m.request.method === 'ACL' && cal.url.pathname.startsWith(ctx.me.homeUrl.pathname),
  before: (t: Transport, _cal: Calendar, ctx: MechanismContext) => readHomeAcl(t, ctx.me.homeUrl),
  after: (t: Transport, _cal: Calendar, ctx: MechanismContext, before: readonly Ace[]) => undoHomeSpill(t, ctx.me.homeUrl, before),
};
