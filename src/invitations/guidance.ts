// The owner's side of issue 18: after a verified share, what each person does to see the calendar
// in their own app. The facts are data (steps.ts); this adds the server's traits (OPTIONS of the
// calendar, already cached by the share) and the calendar's name.
import type { Session } from '../session.js';
import { calendarName } from '../discovery/calendars.js';
import type { ChangeOutcome } from '../sharing/engine.js';
import { guidanceFor, type Guidance } from './steps.js';

export async function shareeGuidance(s: Session, o: ChangeOutcome): Promise<Map<string, Guidance>> {
  if (o.dryRun) return new Map();
  const opts = await s.serverOptions(o.calendar.url);
  return guidanceFor(o, calendarName(o.calendar), { dav: opts.dav, allow: opts.allow, server: opts.server });
}
