// How delegation results look. Every line says "all calendars": a delegate reaches every calendar
// of the account, and an audit must not read it as one calendar's share.
import type { Delegate, DelegationOutcome, DelegatesListing } from '../../delegation/delegation.js';
import { RESULT_LABEL, accessLabel } from '../../sharing/types.js';
import { VerificationError } from '../../errors.js';
import { paint, table } from '../output.js';
import { inert } from '../../util/inert.js';

export const SCOPE = 'all calendars';

export function delegationOutcomeJson(o: DelegationOutcome) {
  return {
    owner: o.owner.href,
    scope: SCOPE,
    dryRun: o.dryRun,
    ...(o.dryRun ? { requests: o.requests.map((r) => ({ method: r.method, url: r.url.href, headers: r.headers, body: r.body })) } : {}),
    warnings: o.warnings,
    results: o.results.map((r) => ({
      email: r.email,
      requested: accessLabel(r.requested),
      result: r.result,
      before: accessLabel(r.before),
      after: accessLabel(r.after),
    })),
  };
}

export function printDelegationOutcome(o: DelegationOutcome): void {
  const out = process.stdout;
  if (o.dryRun) {
    process.stderr.write(`Dry run: calshare would send ${o.requests.length} request(s) and sends none.\n\n`);
    for (const r of o.requests) {
      out.write(`${r.method} ${r.url.href}\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${r.body}\n\n`);
    }
  } else {
    process.stderr.write(`Delegation (calendar-proxy) on ${o.owner.href}, checked by reading it back:\n`);
  }
  out.write(table(['PERSON', 'ACCESS NOW', 'SCOPE', 'RESULT'], o.results.map((r) => [r.email, accessLabel(r.after), SCOPE, RESULT_LABEL[r.result]])));
  for (const w of o.warnings) process.stderr.write(`${paint(process.stderr, 'yellow', 'warning:')} ${inert(w)}\n`);
}

export function assertDelegationVerified(o: DelegationOutcome): void {
  if (o.mismatches.length === 0) return;
  throw new VerificationError(
    `the server accepted the change, but reading it back shows otherwise for ${o.mismatches
      .map((m) => `${m.email} (wanted ${m.expected}, server shows ${m.seen})`)
      .join(', ')}`,
    'Run `calshare delegates` to see the current state.',
    o.mismatches,
  );
}

export const delegateJson = (d: Delegate) => ({
  email: d.email ?? null,
  name: d.name ?? null,
  principal: d.principal,
  level: accessLabel(d.level),
  scope: SCOPE,
});

export function delegatesJson(l: DelegatesListing) {
  return { owner: l.owner.href, delegates: l.delegates.map(delegateJson) };
}

export function printDelegates(l: DelegatesListing): void {
  const out = process.stdout;
  if (l.delegates.length === 0) {
    out.write('No delegates: nobody has access to all of your calendars.\n');
    return;
  }
  out.write(table(['PERSON', 'ACCESS', 'SCOPE'], l.delegates.map((d) => [d.email ?? d.principal, accessLabel(d.level), SCOPE])));
}
