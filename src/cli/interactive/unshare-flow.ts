// `calshare unshare` on a terminal: pick a calendar that is shared, see who has access (level and
// invitation status), pick the people to remove, confirm. Sends nothing that changes state: the
// caller revokes once this returns.
import type { Session } from '../../session.js';
import { calendarName, type Calendar } from '../../discovery/calendars.js';
import { listSharees, type CalendarSharees } from '../../sharing/engine.js';
import { parseEmails } from '../../sharing/identity.js';
import { originOf } from '../../sharing/sharees.js';
import { UsageError } from '../../errors.js';
import { inert, inertLine } from '../../util/inert.js';
import { table } from '../output.js';
import { CancelledError } from './cancel.js';
import { commandLine, type Origin } from './command-line.js';
import { calendarChoices, calendarRef, shareeChoices, shareeLevel } from './pickers.js';
import { clack, promptFlow, type Prompter } from './prompts.js';

export interface UnshareGiven {
  calendar: string | undefined;
  emails: string[];
  all: boolean;
  yes: boolean;
  via: string | undefined;
}

export interface UnshareAnswers {
  cal: Calendar;
  who: string[] | 'all';
}

async function pickShared(ask: Prompter, s: Session, given: string | undefined): Promise<CalendarSharees> {
  if (given) {
    const one = (await listSharees(s, await s.resolveCalendar(given)))[0]!;
    if (one.sharees.length === 0) throw new UsageError(`"${inertLine(calendarName(one.calendar))}" is not shared with anyone`, 'Nothing to take back.');
    return one;
  }
  const shared = (await listSharees(s)).filter((c) => c.sharees.length > 0);
  if (shared.length === 0) throw new UsageError(`none of ${s.transport.user}'s calendars is shared with anyone`, 'Nothing to take back; `calshare sharees` shows every calendar.');
  return ask.select('Which calendar?', calendarChoices(shared));
}

function accessTable(c: CalendarSharees): string {
  const rows = c.sharees.map((s) => [s.email ?? s.principal ?? '?', shareeLevel(s), s.status ?? (originOf(s) === 'acl' ? 'access list' : '')]);
  return table(['PERSON', 'ACCESS', 'INVITE'], rows, process.stdout).trimEnd();
}

export async function askUnshare(s: Session, given: UnshareGiven, origin: Origin): Promise<UnshareAnswers> {
  return promptFlow(async (ask) => {
    clack.intro('calshare unshare');
    const picked = await pickShared(ask, s, given.calendar);
    const name = inertLine(calendarName(picked.calendar));
    clack.note(accessTable(picked), `Who has access to "${name}"`);
    const who: string[] | 'all' = given.all
      ? 'all'
      : given.emails.length
        ? parseEmails(given.emails)
        : await ask.multiselect('Remove whom? (space to select, enter to confirm)', shareeChoices(picked.sharees));
    if (!given.yes) {
      const line = commandLine('unshare', [calendarRef(picked.calendar, await s.calendars()), ...(who === 'all' ? [] : who)], [...(who === 'all' ? ['--all'] : []), '--yes', ...(given.via ? ['--via', given.via] : [])], origin);
      clack.note(`Same as:\n  ${line}`, 'Summary');
      const whom = who === 'all' ? 'everyone' : who.join(', ');
      if (!(await ask.confirm(`Remove ${whom} from "${name}"?`))) throw new CancelledError('declined');
    }
    return { cal: picked.calendar, who };
  });
}
