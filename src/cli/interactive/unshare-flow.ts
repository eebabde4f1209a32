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
import { calendarChoices, calendarRef, shareeChoices, shareeLevel, type Choice } from './pickers.js';
import type { Sharee } from '../../sharing/types.js';
import { clack, promptFlow, type Prompter } from './prompts.js';

export interface UnshareGiven {
  calendar: string | undefined;
  emails: string[];
  all: boolean;
  yes: boolean;
  via: string | undefined;
  groups?: readonly string[];
}

export interface UnshareAnswers {
  cal: Calendar;
  who: string[] | 'all';
  /** Groups picked in the list (Nextcloud lists groups next to people). */
  groups: string[];
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
  const rows = c.sharees.map((s) => [s.group !== undefined ? `group ${inertLine(s.group)}` : (s.email ?? s.principal ?? '?'), shareeLevel(s), s.status ?? (originOf(s) === 'acl' ? 'access list' : '')]);
  return table(['PERSON', 'ACCESS', 'INVITE'], rows, process.stdout).trimEnd();
}

/** One pick in the "Remove whom?" list: a person by address or a group by name. */
interface Pick {
  email?: string;
  group?: string;
}

/** One row per group grant, after the people: removing it takes the calendar from everyone in it. */
function groupChoices(sharees: readonly Sharee[]): Choice<Pick>[] {
  return sharees.flatMap((s) => (s.group !== undefined ? [{ value: { group: s.group }, label: `group ${inertLine(s.group)}  ${shareeLevel(s)}`, hint: 'everyone in the group' }] : []));
}

export async function askUnshare(s: Session, given: UnshareGiven, origin: Origin): Promise<UnshareAnswers> {
  return promptFlow(async (ask) => {
    clack.intro('calshare unshare');
    const picked = await pickShared(ask, s, given.calendar);
    const name = inertLine(calendarName(picked.calendar));
    clack.note(accessTable(picked), `Who has access to "${name}"`);
    const picks: Pick[] = given.all || given.emails.length || given.groups?.length
      ? []
      : await ask.multiselect('Remove whom? (space to select, enter to confirm)', [
          ...shareeChoices(picked.sharees).map((c) => ({ ...c, value: { email: c.value } })),
          ...groupChoices(picked.sharees),
        ]);
    const who: string[] | 'all' = given.all ? 'all' : given.emails.length ? parseEmails(given.emails) : picks.flatMap((p) => (p.email ? [p.email] : []));
    const groups = [...(given.groups ?? []), ...picks.flatMap((p) => (p.group !== undefined ? [p.group] : []))];
    if (!given.yes) {
      const line = commandLine(
        'unshare',
        [calendarRef(picked.calendar, await s.calendars()), ...(who === 'all' ? [] : who)],
        [...(who === 'all' ? ['--all'] : []), ...groups.flatMap((g) => ['--group', g]), '--yes', ...(given.via ? ['--via', given.via] : [])],
        origin,
      );
      clack.note(`Same as:\n  ${line}`, 'Summary');
      const whom = [...(who === 'all' ? ['everyone'] : who), ...groups.map((g) => `group ${inertLine(g)}`)].join(', ');
      if (!(await ask.confirm(`Remove ${whom} from "${name}"?`))) throw new CancelledError('declined');
    }
    return { cal: picked.calendar, who, groups };
  });
}
