import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { printSharees, shareesJson } from './sharing-output.js';

export async function run(calendar: string | undefined, flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const { listSharees } = await import('../../sharing/engine.js');
    const list = await listSharees(s, calendar ? await s.resolveCalendar(calendar) : undefined);
    if (flags.json) printJson(shareesJson(list));
    else printSharees(list);
  });
}
