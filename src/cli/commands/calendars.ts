import { withSession, type GlobalFlags } from '../connect.js';
import { printJson, table } from '../output.js';
import { calendarName } from '../../discovery/calendars.js';
import { otherLabel, othersOf, shareeCount, shareesOf, sharingOthers } from '../../sharing/sharees.js';
import { accessLabel, type OtherGrantee } from '../../sharing/types.js';
import { HOME_ADVICE, fromHome, homeGrantees, homeKeys } from '../../sharing/home-grants.js';
import { learnLayout } from '../../sharing/identity.js';
import { ORIGIN_LABEL, sharedInfo } from '../../invitations/shared-with-me.js';

const HELD: Record<string, string> = { read: 'view-only', edit: 'edit', none: 'NO ACCESS (taken back)', unknown: 'not shown' };
/** --json keeps its spelling for a level the server does not show: scripts already read "?". */
const HELD_JSON: Record<string, string> = { read: 'view-only', edit: 'edit', none: 'no access', unknown: '?' };

// RFC 3744 §3.7: DAV:current-user-privilege-set is readable only with read-current-user-privilege-set,
// which a plain read grant does not include (DAViCal 1.1.12: 403 for a sharee, view or edit alike;
// DAVICAL.md §5). No property tells view from edit then, and calshare does not probe with a write.
const NOT_SHOWN_NOTE =
  'note: "not shown" = the server does not tell you your own level on that calendar (its access list grants you no read-current-user-privilege-set); it is listed, so you can read it. Whether you may change events, its owner sees in `calshare sharees`.';

export async function run(flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const [principal, cals, grantees] = await Promise.all([s.principal(), s.calendars(true), homeGrantees(s)]);
    const layout = learnLayout(principal, s.transport.user);
    const ctx = { me: principal, layout };
    // Honest counts: people who reach a calendar only because the calendar home is shared with
    // them are counted apart (a brand-new Cyrus calendar copies the home's ACL).
    const home = homeKeys(grantees);
    const inherited = (c: (typeof cals)[number]) => (c.owned ? shareesOf(c, ctx).filter((p) => fromHome(p, c, principal.homeUrl, home)).length : 0);
    const infos = cals.map((c) => (c.owned ? undefined : sharedInfo(c, layout)));
    const rows = cals.map((c, i) => {
      const shared = infos[i];
      const others = c.owned ? othersOf(c, ctx) : [];
      return {
        name: calendarName(c),
        url: c.url.href,
        color: c.color ?? null,
        // "mine" or "shared with me": who owns it, what the user may do, how it got into the list.
        mine: c.owned,
        owner: c.owned ? 'you' : shared!.owner,
        owned: c.owned,
        level: c.owned ? 'owner' : HELD_JSON[shared!.level]!,
        origin: shared ? shared.origin : null,
        ownerUrl: shared?.ownerUrl ?? null,
        sharedWith: c.owned ? shareeCount(c, ctx) : null,
        fromHome: inherited(c),
        // Grants to no person (everyone, signed-in users, groups, "everyone except"): a calendar
        // shared with everyone must never read as shared with no one (issue 11 §2).
        sharedWithOthers: c.owned ? others.map((o) => ({ kind: o.kind, name: otherLabel(o), level: accessLabel(o.level) })) : null,
        others,
      };
    });
    if (flags.json) return printJson({ principal: principal.url.href, home: principal.homeUrl.href, calendars: rows.map(({ others: _, ...r }) => r) });
    if (!rows.length) return void process.stderr.write(`${s.transport.user} has no calendars at ${principal.homeUrl.href}\n`);
    process.stdout.write(
      table(
        ['NAME', 'WHOSE', 'OWNER', 'YOUR ACCESS', 'SHARED WITH', 'URL'],
        rows.map((r, i) => [
          r.name,
          r.owned ? 'mine' : `shared with me (${ORIGIN_LABEL[infos[i]!.origin]})`,
          r.owner,
          r.owned ? 'owner' : HELD[infos[i]!.level]!,
          sharedWithCell(r.sharedWith, r.fromHome, r.others),
          r.url,
        ]),
      ),
    );
    if (rows.some((r) => r.fromHome)) process.stderr.write(`note: "from home" = inherited from the calendar home. ${HOME_ADVICE}\n`);
    if (infos.some((x) => x?.level === 'unknown')) process.stderr.write(`${NOT_SHOWN_NOTE}\n`);
  });
}

/** "3", or "1 + 2 from home" when some of them only inherit the calendar home's grant. */
export function sharedWithCell(total: number | null | undefined, home: number, others: readonly OtherGrantee[] = []): string {
  if (total === null) return '-';
  if (total === undefined) return '?';
  const people = home ? `${total - home} + ${home} from home` : String(total);
  // Free/busy only (a server default for everyone on Cyrus and DAViCal) is not sharing the events.
  const wide = sharingOthers(others).map((o) => `${otherLabel(o)} (${accessLabel(o.level)})`);
  return [people, ...wide].join(' + ');
}
