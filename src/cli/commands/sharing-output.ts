// How sharing results look: one line per person, from the verified read-back.
import { calendarName } from '../../discovery/calendars.js';
import type { ChangeOutcome, CalendarSharees } from '../../sharing/engine.js';
import { keyOf, originOf, otherLabel, sharingOthers } from '../../sharing/sharees.js';
import { GRANTED_BY, HOME_ADVICE, grantedBy, originWithHome } from '../../sharing/home-grants.js';
import { mechanismName } from '../../sharing/registry.js';
import { RESULT_LABEL, accessLabel, type Level } from '../../sharing/types.js';
import { VerificationError } from '../../errors.js';
import { paint, table } from '../output.js';
import { inert, inertLine } from '../../util/inert.js';
import type { Guidance } from '../../invitations/steps.js';

const lvl = accessLabel;

/** Per person: where they will find the calendar, or what they must do first (issue 18). */
export type GuidanceMap = ReadonlyMap<string, Guidance>;

export function outcomeJson(o: ChangeOutcome, next?: GuidanceMap) {
  return {
    calendar: { name: calendarName(o.calendar), url: o.calendar.url.href },
    mechanism: o.mechanism,
    used: o.used,
    dryRun: o.dryRun,
    ...(o.dryRun ? { requests: o.requests.map((r) => ({ method: r.method, url: r.url.href, headers: r.headers, body: r.body })) } : {}),
    warnings: o.warnings,
    results: o.results.map((r) => ({
      email: r.group !== undefined ? null : r.email,
      ...(r.group !== undefined ? { group: r.group } : {}),
      requested: lvl(r.requested),
      result: r.result,
      before: lvl(r.before),
      after: lvl(r.after),
      invite: r.status ?? null,
      ...(next ? { shareeStep: stepJson(next.get(r.email)) } : {}),
    })),
  };
}

const stepJson = (g: Guidance | undefined) => (g ? { step: g.step, command: g.command ?? null, url: g.url, text: g.text } : null);

const WORD = RESULT_LABEL;

export function printOutcome(o: ChangeOutcome, next?: GuidanceMap): void {
  const out = process.stdout;
  if (o.dryRun) {
    process.stderr.write(`Dry run: calshare would send ${o.requests.length} request(s) and sends none.\n\n`);
    for (const r of o.requests) {
      out.write(`${r.method} ${r.url.href}\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.body}\n\n`);
    }
  } else {
    process.stderr.write(`"${inertLine(calendarName(o.calendar))}" via ${(o.used.length ? o.used : [o.mechanism]).map(mechanismName).join(' and ')}, checked by reading it back:\n`);
  }
  out.write(
    table(
      ['PERSON', 'ACCESS NOW', 'RESULT', 'INVITE'],
      o.results.map((r) => [r.group !== undefined ? `group ${inert(r.group)}` : r.email, lvl(r.after), WORD[r.result], r.status ?? '']),
    ),
  );
  for (const w of o.warnings) process.stderr.write(`${paint(process.stderr, 'yellow', 'warning:')} ${inert(w)}
`);
  if (next?.size && !o.dryRun) {
    process.stderr.write('Where each person finds it in their own calendar app:\n');
    for (const g of next.values()) process.stderr.write(`  ${inert(g.text)}\n`);
  }
}

/** Exit 7 when the read-back disagrees with what was asked. */
export function assertVerified(o: ChangeOutcome): void {
  if (o.mismatches.length === 0) return;
  throw new VerificationError(
    `the server accepted the change, but reading it back shows otherwise for ${o.mismatches
      .map((m) => `${m.email} (wanted ${m.expected}, server shows ${m.seen})`)
      .join(', ')}`,
    'Run `calshare sharees` to see the current state; the server may need its administrator to allow this kind of sharing.',
    o.mismatches,
  );
}

/** Whole-account delegates (calendar-proxy): listed with every calendar they can reach, scope "all calendars". */
export interface DelegateRow {
  email: string | undefined;
  principal: string;
  name: string | undefined;
  level: Level;
}

export function shareesJson(list: CalendarSharees[], delegates: readonly DelegateRow[] = []) {
  return {
    calendars: list.map(({ calendar, sharees, fromHome, others }) => ({
      name: calendarName(calendar),
      url: calendar.url.href,
      sharees: [
        ...sharees.map((s) => ({
          kind: 'person' as const,
          email: s.email ?? null,
          ...(s.group !== undefined ? { group: s.group } : {}),
          principal: s.principal ?? null,
          name: s.name ?? null,
          level: lvl(s.level),
          invite: s.status ?? null,
          origin: originWithHome(s, fromHome),
          sources: s.sources,
          scope: 'this calendar',
        })),
        ...(calendar.owned ? delegates : []).map((d) => ({
          kind: 'person' as const,
          email: d.email ?? null,
          principal: d.principal,
          name: d.name ?? null,
          level: lvl(d.level),
          invite: null,
          origin: 'delegation',
          sources: ['calendar-proxy'],
          scope: 'all calendars',
        })),
      ],
      // Grants to no person (issue 11 §2), apart from `sharees` so that a script revoking each
      // sharee never meets one: same fields, `kind` says what it is, `name` how calshare shows it.
      others: (others ?? []).map((o) => ({
        kind: o.kind,
        email: null,
        principal: o.href,
        name: otherLabel(o),
        level: lvl(o.level),
        invite: null,
        origin: 'acl',
        sources: o.sources,
        scope: 'this calendar',
      })),
    })),
  };
}

export function printSharees(list: CalendarSharees[], delegates: readonly DelegateRow[] = []): void {
  const out = process.stdout;
  let inherited = false;
  for (const { calendar, sharees, fromHome, others = [] } of list) {
    out.write(`${paint(out, 'bold', inertLine(calendarName(calendar)))}  ${calendar.url.href}\n`);
    const ds = calendar.owned ? delegates : [];
    if (sharees.length === 0 && ds.length === 0 && others.length === 0) {
      out.write('  not shared with anyone\n\n');
      continue;
    }
    // Free/busy only for everyone is a server default (Cyrus DAV:all, DAViCal DAV:authenticated),
    // not a share; it is still listed, but with no one else the calendar is "not shared with anyone".
    if (sharees.length === 0 && ds.length === 0 && sharingOthers(others).length === 0) out.write('  not shared with anyone\n');
    const rows = [
      ...sharees.map((s) => [s.group !== undefined ? `group ${inert(s.group)}` : (s.email ?? s.principal ?? '?'), lvl(s.level), s.status ?? '', grantedBy(s, fromHome)]),
      ...ds.map((d) => [d.email ?? d.principal, lvl(d.level), '', 'delegation: all calendars']),
      ...others.map((o) => [otherLabel(o), lvl(o.level), '', GRANTED_BY.acl]),
    ];
    inherited ||= fromHome.size > 0;
    out.write(table(['PERSON', 'ACCESS', 'INVITE', 'GRANTED BY'], rows).trimEnd().replace(/^/gm, '  ') + '\n\n');
  }
  if (inherited) process.stderr.write(`${paint(process.stderr, 'dim', 'note:')} "${GRANTED_BY.home}": ${HOME_ADVICE}\n`);
}
