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
    const list = await listSharees(s, calendar ? await s.resolveCalendar(calendar, 'state') : undefined);
    // Whole-account delegates reach every calendar listed: an audit that left them out would lie.
    let delegates: DelegateRow[] = [];
    try {
      delegates = await (await import('../../delegation/audit.js')).withDelegates(s, list);
    } catch (e) {
      process.stderr.write(`${paint(process.stderr, 'yellow', 'warning:')} could not check for delegates (calendar-proxy): ${inert((e as Error).message)}\n`);
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
