// `calshare delegates`: who holds access to all of the account's calendars (calendar-proxy).
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { delegatesJson, printDelegates } from './delegation-output.js';

export async function run(flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const { listDelegates } = await import('../../delegation/delegation.js');
    const list = await listDelegates(s);
    if (flags.json) printJson(delegatesJson(list));
    else printDelegates(list);
  });
}
