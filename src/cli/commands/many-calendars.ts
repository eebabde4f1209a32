// `share`/`unshare` with `--calendar` repeated: the same change on several calendars, each with its
// own per-person verdict. A calendar that fails does not stop the others; then exit 8 (partial),
// never success, with each failure named.
import type { Session } from '../../session.js';
import type { Calendar } from '../../discovery/calendars.js';
import type { ChangeOutcome } from '../../sharing/engine.js';
import { PartialError, isCalshareError } from '../../errors.js';
import { paint, printJson } from '../output.js';
import { inert } from '../../util/inert.js';
import type { GlobalFlags } from '../connect.js';
import { outcomeJson, printOutcome } from './sharing-output.js';

type Done = { ref: string; outcome: ChangeOutcome } | { ref: string; error: { kind: string; exitCode: number; message: string; hint: string | undefined } };

export async function forEachCalendar(s: Session, refs: readonly string[], flags: GlobalFlags, change: (cal: Calendar) => Promise<ChangeOutcome>): Promise<void> {
  const done: Done[] = [];
  // Resolved first, all of them, against the one listing: a typo is named before anything is sent.
  const cals = await Promise.all(refs.map(async (ref) => ({ ref, cal: await s.resolveCalendar(ref, 'change') })));
  for (const { ref, cal } of cals) {
    try {
      done.push({ ref, outcome: await change(cal) });
    } catch (e) {
      if (!isCalshareError(e)) throw e;
      done.push({ ref, error: { kind: e.kind, exitCode: e.exitCode, message: e.message, hint: e.hint } });
    }
  }
  const failed = done.filter((d) => 'error' in d || d.outcome.mismatches.length > 0);
  if (flags.json) {
    printJson({ calendars: done.map((d) => ('error' in d ? { ref: d.ref, calendar: null, error: d.error } : { ref: d.ref, ...outcomeJson(d.outcome) })) });
  } else {
    for (const d of done) {
      if ('error' in d) {
        process.stderr.write(`"${inert(d.ref)}": ${paint(process.stderr, 'red', 'error:')} ${inert(d.error.message)}\n${d.error.hint ? `  hint: ${inert(d.error.hint)}\n` : ''}\n`);
      } else {
        printOutcome(d.outcome);
        process.stdout.write('\n');
      }
    }
  }
  if (failed.length === 0) return;
  const e = new PartialError(
    `${failed.length} of ${done.length} calendar(s) were not changed as asked: ${failed.map((d) => `"${d.ref}"`).join(', ')}; the others were`,
    'Each calendar above has its own result. Running the same command again is safe: calendars already right are left alone.',
  );
  if (flags.json) process.exitCode = e.exitCode;
  else throw e;
}
