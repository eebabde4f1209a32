// The shape of code the engine runs around a mechanism's writes (a 'write-hook' quirk, quirks.ts).
// Its own file, types only, so a hook (cyrus-home-spill.ts) and the quirk table that names it do
// not import each other.
import type { Calendar } from '../discovery/calendars.js';
import type { Transport } from '../transport/http.js';
import type { Mechanism, MechanismContext } from '../sharing/types.js';

/**
 * Code the engine runs around a mechanism's writes on one calendar: `before` notes what it needs
 * (once, before the first write), `after` repairs what the writes caused (also after a failure) and
 * returns warnings for what it could not repair.
 */
export interface WriteHook<Noted = unknown> {
  /** Whether a write through `m` on `cal` can trigger it. */
  applies(m: Mechanism, cal: Calendar, ctx: MechanismContext): boolean;
  before(t: Transport, cal: Calendar, ctx: MechanismContext): Promise<Noted | undefined>;
  after(t: Transport, cal: Calendar, ctx: MechanismContext, noted: Noted): Promise<string[]>;
}
