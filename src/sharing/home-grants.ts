// Grants a calendar has because its calendar home has them (issue 16 §5). An ACL on the home
// reaches every calendar in it: RFC 3744 §5.5.5 marks such ACEs DAV:inherited, and Cyrus (3.6)
// instead copies the home's ACL into each new calendar as plain ACEs, so a brand-new calendar
// shows everyone the home was ever shared with. calshare says where such a grant comes from, and
// counts it apart, instead of presenting it as a share someone made on this calendar.
import type { Calendar } from '../discovery/calendars.js';
import { resourceKey } from '../discovery/propfind.js';
import type { Session } from '../session.js';
import { readHomeAcl } from '../servers/cyrus-home-spill.js';
import { accessLabel, type Sharee } from './types.js';
import { aclOf, levelOf, parseAcl, tree, type Ace } from './mechanisms/acl.js';
import { child } from '../xml/parse.js';
import { NS, qn } from '../xml/names.js';
import { P } from '../discovery/calendars.js';
import { prop, type MultiStatusResponse } from '../xml/multistatus.js';
import { keyOf, originOf } from './sharees.js';

/**
 * Principal URLs the home grants something to by href (not all/authenticated/self). `from`: a
 * listing the caller made itself, with the home's answer when it came along.
 */
export async function homeGrantees(session: Session, from?: { home: MultiStatusResponse | undefined }): Promise<URL[]> {
  try {
    const me = await session.principal();
    // The listing's Depth-1 PROPFIND already asked the home for DAV:acl (LISTING_PROPS): use that
    // answer, a 403/404 for the property included (then nothing is known to come from the home).
    // Only without such an answer (no listing, or SOGo's listing in several requests) ask the home.
    const listed = from ? from.home : await session.listedHome();
    const aces = (listed ? homeAclOf(listed) : await readHomeAcl(session.transport, me.homeUrl)) ?? [];
    return aces.flatMap((a) => (a.principal && !a.invert && a.grant.length > 0 && !a.protected ? [a.principal] : []));
  } catch {
    // A server that hides or refuses the home's ACL: nothing is known to come from there, and the
    // listing itself must not fail over it.
    return [];
  }
}

/** The ACEs in the home's DAV:acl (RFC 3744 §5.5), or undefined when the server did not give it. */
export function homeAclOf(home: MultiStatusResponse): Ace[] | undefined {
  const acl = prop(home, P.acl);
  return acl ? parseAcl(acl, home.url) : undefined;
}

/**
 * The home's grantees as resourceKeys, for fromHome: made once per listing, so that judging each
 * sharee is a look-up, not a comparison with every home grant (a home with 200 grants and a
 * calendar with 500 access-list sharees made 100 000 comparisons; issue 14).
 */
export const homeKeys = (grantees: readonly URL[]): ReadonlySet<string> => new Set(grantees.map(resourceKey));

/**
 * Whether this person's access on `cal` comes from (also) being granted the calendar home.
 * `grantees`: homeGrantees' answer, or homeKeys of it where many sharees are judged.
 */
export function fromHome(s: Sharee, cal: Calendar, homeUrl: URL, grantees: readonly URL[] | ReadonlySet<string>): boolean {
  // Someone invited to this calendar (CS:invite, DAV:invite) was shared it on purpose, whatever the
  // home also grants them: only an access-list-only grant can be the home's hand-me-down.
  if (originOf(s) === 'invitation') return false;
  if (!cal.url.pathname.startsWith(homeUrl.pathname) || !s.principal) return false;
  let p: URL;
  try {
    p = new URL(s.principal, cal.url);
  } catch {
    return false;
  }
  const keys = 'has' in grantees ? grantees : homeKeys(grantees);
  return s.sources.length > 0 && keys.has(resourceKey(p));
}

/** What to do about grants inherited from the home; one sentence for every face. */
export const HOME_ADVICE =
  'Everyone the calendar home is shared with can open every calendar in it, also ones you create later. ' +
  '`calshare unshare CALENDAR PERSON` removes them from one calendar; to stop it for new calendars, the grant on the home itself must go (your server administrator can remove it).';

/** Where a person's access comes from, in the words every face uses (CLI, web UI, README). */
export const GRANTED_BY = { invitation: 'invitation', acl: 'access list', home: 'inherited from the calendar home' } as const;
/**
 * Where a person's access comes from: an invitation wins (the person was invited to this calendar),
 * then an access-list grant the calendar home also holds is 'home', else 'acl'.
 */
export const originWithHome = (s: Sharee, home: ReadonlySet<string>): keyof typeof GRANTED_BY => {
  const own = originOf(s);
  return own === 'acl' && home.has(keyOf(s)) ? 'home' : own;
};
export const grantedBy = (s: Sharee, home: ReadonlySet<string>): string => GRANTED_BY[originWithHome(s, home)];

const WHO_ALL: Record<string, string> = {
  all: 'everyone, also without an account',
  unauthenticated: 'anyone not logged in',
  authenticated: 'everyone with an account on this server',
};

/**
 * Grants to no one person (RFC 3744 §5.5.1 DAV:all, DAV:authenticated, DAV:unauthenticated), in
 * words: "everyone with an account on this server: free/busy only". Cyrus gives DAV:all free/busy
 * on every calendar by default; people should see that for what it is, not as a share. Pure.
 */
export function publicGrants(cal: Calendar): string[] {
  const privileges = tree(cal);
  const out: string[] = [];
  for (const a of aclOf(cal)) {
    if (a.invert || a.grant.length === 0 || a.principal) continue;
    const p = child(a.el, qn(NS.DAV, 'principal'));
    const kind = Object.keys(WHO_ALL).find((k) => child(p, qn(NS.DAV, k)) !== undefined);
    if (kind) out.push(`${WHO_ALL[kind]}: ${accessLabel(levelOf(privileges, a.grant))}`);
  }
  return out;
}
