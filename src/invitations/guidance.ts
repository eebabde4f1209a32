// The owner's side of issue 18: after a verified share, what each person does to see the calendar
// in their own app. The facts are data (steps.ts); this adds the server's traits (OPTIONS of the
// calendar, already cached by the share; reports and Server header from one PROPFIND) and the
// calendar's name.
import type { Session } from '../session.js';
import { calendarName } from '../discovery/calendars.js';
import type { ChangeOutcome } from '../sharing/engine.js';
import { guidanceFor, type Guidance } from './steps.js';
import { serverTraits } from './inbox.js';

export async function shareeGuidance(s: Session, o: ChangeOutcome): Promise<Map<string, Guidance>> {
  if (o.dryRun) return new Map();
  return guidanceFor(o, calendarName(o.calendar), await serverTraits(s, o.calendar.url));
}
