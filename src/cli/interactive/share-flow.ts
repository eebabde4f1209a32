// `calshare share` on a terminal: ask for whatever the command line left out (calendar, people,
// level), show a summary with the equivalent command, confirm. Sends nothing that changes state:
// the caller does the sharing once this returns.
import type { Session } from '../../session.js';
import type { Calendar } from '../../discovery/calendars.js';
import { calendarName } from '../../discovery/calendars.js';
import { listSharees } from '../../sharing/engine.js';
import { parseEmail, parseEmails } from '../../sharing/identity.js';
import { LEVEL_LABEL, type Level } from '../../sharing/types.js';
import { UsageError } from '../../errors.js';
import { inert } from '../../util/inert.js';
import { CancelledError } from './cancel.js';
import { commandLine, type Origin } from './command-line.js';
import { calendarChoices, calendarRef, splitEmails } from './pickers.js';
import { clack, promptFlow, type Prompter } from './prompts.js';

export interface ShareGiven {
  calendar: string | undefined;
  emails: string[];
  level: Level | undefined;
  via: string | undefined;
}

export interface ShareAnswers {
  cal: Calendar;
  emails: string[];
  level: Level;
}

/** The validation message for what was typed so far, or undefined when every address is usable. */
export function checkTyped(typed: string): string | undefined {
  const words = splitEmails(typed);
  if (words.length === 0) return 'Type at least one e-mail address, e.g. bob@example.com.';
  for (const w of words) {
    try {
      parseEmail(w);
    } catch (e) {
      return `${(e as Error).message}. Fix it, or separate several addresses with commas.`;
    }
  }
  return undefined;
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
    const emails = given.emails.length
      ? parseEmails(given.emails)
      : parseEmails(splitEmails(await ask.text('Share with whom? (e-mail addresses, separated by commas)', 'bob@example.com', checkTyped)));
    const level =
      given.level ??
      (await ask.select<Level>('Which access?', [
        { value: 'read', label: 'view-only', hint: 'they can read events' },
        { value: 'edit', label: 'edit', hint: 'they can create, change and delete events' },
      ]));
    const line = commandLine('share', [calendarRef(cal, await s.calendars()), ...emails], [level === 'edit' ? '--edit' : '--view', ...(given.via ? ['--via', given.via] : [])], origin);
    clack.note(
      [`Calendar  ${inert(calendarName(cal))}  ${cal.url.href}`, `People    ${emails.join(', ')}`, `Access    ${LEVEL_LABEL[level]}`, '', 'Same as:', `  ${line}`].join('\n'),
      'Summary',
    );
    if (!(await ask.confirm(`Share "${inert(calendarName(cal))}" ${LEVEL_LABEL[level]} with ${emails.length === 1 ? emails[0] : `${emails.length} people`}?`))) {
      throw new CancelledError('declined');
    }
    return { cal, emails, level };
  });
}
