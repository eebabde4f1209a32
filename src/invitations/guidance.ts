// The owner's side of issue 18: after a verified share, what each person does to see the calendar
// in their own app. The facts are data (steps.ts); this adds the server's traits and the calendar's
// name, at no request of its own (issue 14): the DAV classes and Allow come from the calendar's
// OPTIONS, which the share already asked (Session caches it), and the reports from the read-back,
// whose listing properties include DAV:supported-report-set.
import type { Session } from '../session.js';
import { calendarName, P } from '../discovery/calendars.js';
import type { ChangeOutcome } from '../sharing/engine.js';
import { child } from '../xml/parse.js';
import { prop } from '../xml/multistatus.js';
import { NS, qn } from '../xml/names.js';
import { guidanceFor, type Guidance } from './steps.js';

export async function shareeGuidance(s: Session, o: ChangeOutcome): Promise<Map<string, Guidance>> {
  if (o.dryRun) return new Map();
  const opts = await s.serverOptions(o.calendar.url);
  // RFC 3253 §3.1.5: supported-report / report / <the report element>.
  const set = prop(o.calendar.props, P.supportedReports);
  const reports = (set?.children ?? []).flatMap((sr) => child(sr, qn(NS.DAV, 'report'))?.children ?? []).map((e) => `{${e.ns}}${e.name}`);
  return guidanceFor(o, calendarName(o.calendar), { dav: opts.dav, allow: opts.allow, server: opts.server, reports });
}
