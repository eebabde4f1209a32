import { withSession, type GlobalFlags } from '../connect.js';
import { printJson, table } from '../output.js';
import { calendarName } from '../../discovery/calendars.js';
import { shareeCount } from '../../sharing/sharees.js';
import { learnLayout } from '../../sharing/identity.js';

export async function run(flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const [principal, cals] = await Promise.all([s.principal(), s.calendars()]);
    const ctx = { me: principal, layout: learnLayout(principal, s.transport.user) };
    const rows = cals.map((c) => ({
      name: calendarName(c),
      url: c.url.href,
      color: c.color ?? null,
      owner: c.owned ? 'you' : (c.ownerHref ?? 'someone else'),
      owned: c.owned,
      sharedWith: c.owned ? shareeCount(c, ctx) : null,
    }));
    if (flags.json) return printJson({ principal: principal.url.href, home: principal.homeUrl.href, calendars: rows });
    if (!rows.length) return void process.stderr.write(`${s.transport.user} has no calendars at ${principal.homeUrl.href}\n`);
    process.stdout.write(
      table(
        ['NAME', 'OWNER', 'SHARED WITH', 'COLOR', 'URL'],
        rows.map((r) => [r.name, r.owned ? 'you' : 'shared with you', r.sharedWith === null ? '-' : r.sharedWith === undefined ? '?' : String(r.sharedWith), r.color ?? '', r.url]),
      ),
    );
  });
}
