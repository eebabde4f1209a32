import { withSession, type GlobalFlags } from '../connect.js';
import { paint, printJson } from '../output.js';
import { printSharees, shareesJson, type DelegateRow } from './sharing-output.js';
import { inert } from '../../util/inert.js';

export interface ShareesFlags extends GlobalFlags {
  /** The audit as a plan file: json (also YAML-readable) or csv. */
  format?: 'json' | 'csv';
}

export async function run(calendar: string | undefined, flags: ShareesFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const { listSharees } = await import('../../sharing/engine.js');
    const list = await listSharees(s, calendar ? await s.resolveCalendar(calendar) : undefined);
    // Whole-account delegates reach every calendar listed: an audit that left them out would lie.
    let delegates: DelegateRow[] = [];
    if (list.some((c) => c.calendar.owned)) {
      const { delegatesIfAny } = await import('../../delegation/delegation.js');
      try {
        const found = await delegatesIfAny(s);
        delegates = found ?? [];
        // The owner's own proxy groups show up as ACL grants on each calendar (SabreDAV, DAViCal):
        // they are the delegation itself, listed person by person instead.
        if (found) {
          const { proxyGroupUrls } = await import('../../delegation/proxy.js');
          const { sameResource } = await import('../../discovery/propfind.js');
          const g = proxyGroupUrls((await s.principal()).url);
          const isGroup = (p: string | undefined) => {
            try {
              return p !== undefined && [g.read, g.write].some((u) => sameResource(new URL(p), u));
            } catch {
              return false;
            }
          };
          // A per-calendar grant a delegate's access covers is the delegation's own effect where the
          // server derives grants from the groups (SOGo): one row per person, the delegation.
          const rank = { other: 1, read: 2, edit: 3 } as const;
          const covered = (x: (typeof list)[number]['sharees'][number]) =>
            found.some((d) => d.email !== undefined && d.email === x.email && rank[x.level] <= rank[d.level]);
          for (const c of list) c.sharees = c.sharees.filter((x) => (x.email || !isGroup(x.principal)) && !covered(x));
        }
      } catch (e) {
        process.stderr.write(`${paint(process.stderr, 'yellow', 'warning:')} could not check for delegates (calendar-proxy): ${inert((e as Error).message)}\n`);
      }
    }
    if (flags.format) {
      // The audit as a plan file; delegates reach every calendar and are listed for reading (a plan
      // does not change delegation: `calshare delegate` does).
      const { exportPlan, exportCsv } = await import('../../plans/export.js');
      const d = delegates.map((x) => ({ ...(x.email ? { email: x.email } : {}), principal: x.principal, level: x.level === 'edit' ? ('edit' as const) : ('view' as const), source: 'delegation: all calendars' }));
      if (flags.format === 'csv') process.stdout.write(exportCsv(list, d));
      else printJson(exportPlan(list, d));
      return;
    }
    if (flags.json) printJson(shareesJson(list, delegates));
    else printSharees(list, delegates);
  });
}
