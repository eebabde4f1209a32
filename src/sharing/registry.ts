// The one ordered list of sharing mechanisms. Order is default preference: a sharing extension
// first, because the sharee's client then shows an invitation; the raw ACL last. Capabilities,
// --via choices, shell completion, output names and the listing's properties all derive from it.
//
// Adding a mechanism: write src/sharing/mechanisms/NAME.ts exporting a `Mechanism` (types.ts), import
// it here and put it in MECHANISMS at its place of preference. Nothing else names it; a unit test
// (test/unit/sharing-layout.test.ts) fails when a file under mechanisms/ is not registered here.
import type { QName } from '../xml/names.js';
import { calendarServer } from './mechanisms/cs.js';
import { resourceSharing } from './mechanisms/resource-sharing.js';
import { ocShare } from './mechanisms/oc-share.js';
import { webdavAcl } from './mechanisms/acl.js';
import { sogoAclQuery } from './mechanisms/sogo-acl-query.js';
import type { Mechanism, MechanismId } from './types.js';

export const MECHANISMS: readonly Mechanism[] = [calendarServer, resourceSharing, ocShare, webdavAcl, sogoAclQuery];

/** The ids, in preference order: the --via choices. */
export const MECHANISM_IDS: readonly MechanismId[] = MECHANISMS.map((m) => m.id);

export const isMechanismId = (s: string): boolean => MECHANISM_IDS.includes(s);

/** A registered mechanism by id; throws on an unknown id (a programming error: --via is validated first). */
export function mechanism(id: MechanismId): Mechanism {
  const m = MECHANISMS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown sharing mechanism ${id}`);
  return m;
}

/** The name people read for a mechanism id ("CalendarServer sharing"); the id itself if unknown. */
export const mechanismName = (id: MechanismId): string => MECHANISMS.find((m) => m.id === id)?.name ?? id;

/** Every state property the calendar listing must ask for, so state costs no extra request. */
export const stateProps = (): QName[] => MECHANISMS.flatMap((m) => m.stateProps.map((p) => p.name));
