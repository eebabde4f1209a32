// `calshare undelegate (EMAIL...|--all) --yes`: take whole-account delegation back. On a terminal,
// missing people are picked from the current delegates and the removal confirmed.
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { UsageError } from '../../errors.js';
import { canPrompt, missing } from '../interactive/gate.js';
import { progress } from '../interactive/progress.js';
import { accessLabel } from '../../sharing/types.js';
import { assertDelegationVerified, delegationOutcomeJson, printDelegationOutcome } from './delegation-output.js';

export interface UndelegateFlags extends GlobalFlags {
  all?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

export async function run(emails: string[], flags: UndelegateFlags): Promise<void> {
  if (flags.all && emails.length) throw new UsageError('give either EMAIL... or --all, not both');
  const settled = Boolean(flags.yes || flags.dryRun);
  const ask = canPrompt(flags) && ((!flags.all && emails.length === 0) || !settled);
  if (!ask) {
    if (!flags.all && emails.length === 0) throw missing('EMAIL argument or --all', 'Name the delegates to remove, or pass --all to remove every delegate.');
    if (!settled) throw missing('--yes', 'Add --yes to confirm the removal, or --dry-run to see what would be sent.');
  }
  if (emails.length) (await import('../../sharing/identity.js')).parseEmails(emails);
  await withSession(flags, async (s) => {
    const { undelegate, listDelegates } = await import('../../delegation/delegation.js');
    let who: string[] | 'all' = flags.all ? 'all' : emails;
    if (ask) {
      const { promptFlow } = await import('../interactive/prompts.js');
      const { delegates } = await listDelegates(s);
      if (!flags.all && emails.length === 0 && delegates.length === 0) {
        process.stderr.write('No delegates: nobody has access to all of your calendars.\n');
        return;
      }
      who = await promptFlow(async (p) => {
        const picked: string[] | 'all' =
          !flags.all && emails.length === 0
            ? await p.multiselect(
                'Take delegation back from',
                delegates.map((d) => ({ value: d.email ?? d.principal, label: d.email ?? d.principal, hint: `${accessLabel(d.level)}, all calendars` })),
              )
            : who;
        if (!settled) {
          const n = picked === 'all' ? 'every delegate' : picked.join(', ');
          if (!(await p.confirm(`Remove ${n} from your account's delegates (access to all your calendars)?`))) {
            throw new UsageError('nothing removed', 'Run the command again to choose differently.');
          }
        }
        return picked;
      });
    }
    const busy = await progress(flags, flags.dryRun ? 'Planning…' : 'Removing, then reading it back…');
    const outcome = await undelegate(s, who, { dryRun: Boolean(flags.dryRun) }).finally(() => busy.done('Done'));
    if (flags.json) printJson(delegationOutcomeJson(outcome));
    else printDelegationOutcome(outcome);
    assertDelegationVerified(outcome);
  });
}
