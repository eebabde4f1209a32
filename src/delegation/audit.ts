// Delegates in an audit of who can read a calendar: each delegate is listed with every calendar
// the user owns, marked "all calendars", and the traces a delegation leaves in per-calendar
// listings (the owner's proxy-group principals as ACL grantees on SabreDAV and DAViCal; on SOGo
// the delegate's own derived grant) are folded into that one row.
import type { Session } from '../session.js';
import type { CalendarSharees } from '../sharing/engine.js';
import { sameResource } from '../discovery/propfind.js';
import { delegatesIfAny, type Delegate } from './delegation.js';
import { proxyGroupUrls } from './proxy.js';

const RANK = { other: 1, read: 2, edit: 3 } as const;

/** Pure: the listing without what the delegation itself explains. */
export function foldDelegation(list: CalendarSharees[], delegates: readonly Delegate[], owner: URL): void {
  const g = proxyGroupUrls(owner);
  const isGroup = (p: string | undefined) => {
    try {
      return p !== undefined && [g.read, g.write].some((u) => sameResource(new URL(p), u));
    } catch {
      return false;
    }
  };
  const covered = (x: CalendarSharees['sharees'][number]) =>
    delegates.some((d) => d.email !== undefined && d.email === x.email && RANK[x.level] <= RANK[d.level]);
  for (const c of list) c.sharees = c.sharees.filter((x) => (x.email || !isGroup(x.principal)) && !covered(x));
}

/** The delegates (none where the server has no delegation), folded into `list`. */
export async function withDelegates(session: Session, list: CalendarSharees[]): Promise<Delegate[]> {
  if (!list.some((c) => c.calendar.owned)) return [];
  const found = await delegatesIfAny(session);
  if (!found) return [];
  foldDelegation(list, found, (await session.principal()).url);
  return found;
}
