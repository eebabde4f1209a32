// `calshare share` on a terminal: ask for whatever the command line left out (calendar, people,
// level), show a summary with the equivalent command, confirm. Sends nothing that changes state:
// the caller does the sharing once this returns.
import type { Session } from '../../session.js';
import type { Calendar } from '../../discovery/calendars.js';
import { calendarName } from '../../discovery/calendars.js';
import { context, listSharees } from '../../sharing/engine.js';
import { checkPeople, checkSpelling } from '../../people/check.js';
import { sharedBefore } from '../../people/suggest.js';
import { LEVEL_LABEL, type Level } from '../../sharing/types.js';
import { UsageError } from '../../errors.js';
import { inert, inertLine } from '../../util/inert.js';
import { CancelledError } from './cancel.js';
import { commandLine, type Origin } from './command-line.js';
import { calendarChoices, calendarRef, splitEmails } from './pickers.js';
import { clack, promptFlow, type Prompter } from './prompts.js';

export interface ShareGiven {
  calendar: string | undefined;
  emails: string[];
  level: Level | undefined;
  via: string | undefined;
  /** --group names given on the command line: then no person need be asked for. */
  groups?: readonly string[];
}

export interface ShareAnswers {
  cal: Calendar;
  emails: string[];
  level: Level;
}

/** The validation message for what was typed so far (every bad address at once), or undefined when all are usable. */
export function checkTyped(typed: string): string | undefined {
  const words = splitEmails(typed);
  if (words.length === 0) return 'Type at least one e-mail address, e.g. bob@example.com.';
  const { bad } = checkSpelling(words);
  if (bad.length === 0) return undefined;
  return `${bad.map((b) => b.why).join('; ')}. Fix ${bad.length === 1 ? 'it' : 'them'}, or separate several addresses with commas.`;
}

/**
 * Asks for people until the server knows every one of them: unknown or unusable addresses are
 * named at once, each with what is wrong, and the question comes back with the good ones kept.
 */
async function askPeople(ask: Prompter, s: Session, given: readonly string[], suggestions: readonly string[]): Promise<string[]> {
  const ctx = await context(s);
  let typed = given.join(', ');
  if (!typed && suggestions.length) clack.log.info(`People you share with: ${suggestions.slice(0, 8).join(', ')}`);
  for (;;) {
    if (!typed || checkTyped(typed)) typed = await ask.text('Share with whom? (e-mail addresses, separated by commas)', suggestions[0] ?? 'bob@example.com', checkTyped, typed || undefined);
    const { good, bad } = await checkPeople(s, ctx, splitEmails(typed));
    if (bad.length === 0) return good;
    clack.log.warn(`${bad.length === 1 ? 'This address cannot be used' : `These ${bad.length} addresses cannot be used`}; nothing has been shared yet:\n${bad.map((b) => b.why).join('\n')}`);
    // Asked again with the good ones already typed; the bad ones are left out.
    typed = await ask.text('Share with whom? (fix or add addresses; the good ones are kept)', 'bob@example.com', checkTyped, good.length ? `${good.join(', ')}, ` : undefined);
  }
}

async function pickCalendar(ask: Prompter, s: Session, given: string | undefined): Promise<Calendar> {
  if (given) return s.resolveCalendar(given);
  const list = await listSharees(s);
  if (list.length === 0) throw new UsageError(`${s.transport.user} owns no calendars to share`, '`calshare calendars` lists what the account can see.');
  return (await ask.select('Which calendar?', calendarChoices(list))).calendar;
}

export async function askShare(s: Session, given: ShareGiven, origin: Origin): Promise<ShareAnswers> {
  return promptFlow(async (ask) => {
    clack.intro('calshare share');
    const cal = await pickCalendar(ask, s, given.calendar);
    const groups = given.groups ?? [];
    // Groups alone are enough (share --group NAME on a terminal asks only what is missing).
    const emails = groups.length && given.emails.length === 0 ? [] : await askPeople(ask, s, given.emails, await sharedBefore(s));
    const level =
      given.level ??
      (await ask.select<Level>('Which access?', [
        { value: 'read', label: 'view-only', hint: 'they can read events' },
        { value: 'edit', label: 'edit', hint: 'they can create, change and delete events' },
      ]));
    const line = commandLine(
      'share',
      [calendarRef(cal, await s.calendars()), ...emails],
      [...groups.flatMap((g) => ['--group', g]), level === 'edit' ? '--edit' : '--view', ...(given.via ? ['--via', given.via] : [])],
      origin,
    );
    clack.note(
      [
        `Calendar  ${inertLine(calendarName(cal))}  ${cal.url.href}`,
        ...(emails.length ? [`People    ${emails.join(', ')}`] : []),
        ...(groups.length ? [`Groups    ${groups.map((g) => inertLine(g)).join(', ')}  (everyone in them)`] : []),
        `Access    ${LEVEL_LABEL[level]}`,
        '',
        'Same as:',
        `  ${line}`,
      ].join('\n'),
      'Summary',
    );
    const whom = [...emails, ...groups.map((g) => `group ${inertLine(g)}`)];
    if (!(await ask.confirm(`Share "${inertLine(calendarName(cal))}" ${LEVEL_LABEL[level]} with ${whom.length === 1 ? whom[0] : groups.length ? `${whom.length} people and groups` : `${whom.length} people`}?`))) {
      throw new CancelledError('declined');
    }
    return { cal, emails, level };
  });
}
