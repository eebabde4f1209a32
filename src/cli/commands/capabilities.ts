import { withSession, type GlobalFlags } from '../connect.js';
import { paint, printJson } from '../output.js';
import { calendarName } from '../../discovery/calendars.js';
import type { Capabilities } from '../../discovery/capabilities.js';
import { inert, inertLine } from '../../util/inert.js';

function toJson(c: Capabilities) {
  return {
    calendar: { name: calendarName(c.calendar), url: c.calendar.url.href, owned: c.calendar.owned },
    server: { product: c.product.id, evidence: c.product.evidence, quirks: c.quirks.map((q) => ({ kind: q.kind, seen: q.seen })) },
    dav: c.server.dav,
    allow: c.server.allow,
    preferred: c.preferred ?? null,
    mechanisms: c.mechanisms.map((m) => ({ id: m.id, name: m.name, spec: m.spec, available: m.available, request: m.request, evidence: m.evidence })),
    scheduling: c.scheduling,
  };
}

function print(c: Capabilities): void {
  const out = process.stdout;
  out.write(`${paint(out, 'bold', inertLine(calendarName(c.calendar)))}  ${c.calendar.url.href}\n`);
  out.write(`  Server: ${c.product.id} (${inertLine(c.product.evidence)})\n`);
  for (const q of c.quirks) out.write(`         ${paint(out, 'dim', `known quirk: ${inertLine(q.seen)}`)}\n`);
  for (const m of c.mechanisms) {
    const mark = m.available ? paint(out, 'green', 'yes') : paint(out, 'red', 'no ');
    out.write(`  ${mark}  ${m.name} (${m.spec}): ${m.request.method} of ${m.request.body}${m.id === c.preferred ? '  ← default' : ''}\n`);
    for (const e of m.evidence) out.write(`         ${paint(out, 'dim', inertLine(e))}\n`);
  }
  if (!c.preferred) out.write('  This calendar cannot be shared over CalDAV on this server.\n');
  out.write(`  Scheduling: ${c.scheduling.advertised.join(', ') || 'not advertised'}. ${c.scheduling.note}\n\n`);
}

export async function run(calendar: string | undefined, flags: GlobalFlags): Promise<void> {
  await withSession(flags, async (s) => {
    const cals = calendar ? [await s.resolveCalendar(calendar)] : await s.calendars();
    const caps = await Promise.all(cals.map((c) => s.capabilities(c)));
    if (flags.json) return printJson({ calendars: caps.map(toJson) });
    caps.forEach(print);
  });
}
