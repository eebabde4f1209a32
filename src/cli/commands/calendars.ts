import { withSession, type GlobalFlags } from '../connect.js';
import { printJson, table } from '../output.js';
import { calendarName } from '../../discovery/calendars.js';
import { shareeCount, shareesOf } from '../../sharing/sharees.js';
import { HOME_ADVICE, fromHome, homeGrantees } from '../../sharing/home-grants.js';
import { learnLayout } from '../../sharing/identity.js';

export async function run(flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const [principal, cals, grantees] = await Promise.all([s.principal(), s.calendars(), homeGrantees(s)]);
    const ctx = { me: principal, layout: learnLayout(principal, s.transport.user) };
    // Honest counts: people who reach a calendar only because the calendar home is shared with
    // them are counted apart (a brand-new Cyrus calendar copies the home's ACL).
    const inherited = (c: (typeof cals)[number]) => (c.owned ? shareesOf(c, ctx).filter((p) => fromHome(p, c, principal.homeUrl, grantees)).length : 0);
    const rows = cals.map((c) => ({
      name: calendarName(c),
      url: c.url.href,
      color: c.color ?? null,
      owner: c.owned ? 'you' : (c.ownerHref ?? 'someone else'),
      owned: c.owned,
      sharedWith: c.owned ? shareeCount(c, ctx) : null,
      fromHome: inherited(c),
    }));
    if (flags.json) return printJson({ principal: principal.url.href, home: principal.homeUrl.href, calendars: rows });
    if (!rows.length) return void process.stderr.write(`${s.transport.user} has no calendars at ${principal.homeUrl.href}\n`);
    process.stdout.write(
      table(
        ['NAME', 'OWNER', 'SHARED WITH', 'COLOR', 'URL'],
        rows.map((r) => [r.name, r.owned ? 'you' : 'shared with you', sharedWithCell(r.sharedWith, r.fromHome), r.color ?? '', r.url]),
      ),
    );
    if (rows.some((r) => r.fromHome)) process.stderr.write(`note: "from home" = inherited from the calendar home. ${HOME_ADVICE}\n`);
  });
}

/** "3", or "1 + 2 from home" when some of them only inherit the calendar home's grant. */
export function sharedWithCell(total: number | null | undefined, home: number): string {
  if (total === null) return '-';
  if (total === undefined) return '?';
  return home ? `${total - home} + ${home} from home` : String(total);
}
