import { withSession, type GlobalFlags } from '../connect.js';
import { paint, printJson } from '../output.js';
import { printSharees, shareesJson, type DelegateRow } from './sharing-output.js';
import { inert } from '../../util/inert.js';

export async function run(calendar: string | undefined, flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const { listSharees } = await import('../../sharing/engine.js');
    const list = await listSharees(s, calendar ? await s.resolveCalendar(calendar) : undefined);
    // Whole-account delegates reach every calendar listed: an audit that left them out would lie.
    let delegates: DelegateRow[] = [];
    try {
      delegates = await (await import('../../delegation/audit.js')).withDelegates(s, list);
    } catch (e) {
      process.stderr.write(`${paint(process.stderr, 'yellow', 'warning:')} could not check for delegates (calendar-proxy): ${inert((e as Error).message)}\n`);
    }
    if (flags.json) printJson(shareesJson(list, delegates));
    else printSharees(list, delegates);
  });
}
