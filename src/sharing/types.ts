// The vocabulary every sharing mechanism speaks, whatever its wire format.
import type { MechanismId } from '../discovery/capabilities.js';
import type { Calendar } from '../discovery/calendars.js';
import type { Identity, Layout } from './identity.js';
import type { Principal } from '../discovery/discover.js';

export type { MechanismId };

/** view-only = read events; edit = create, change and delete events. */
export type Level = 'read' | 'edit';
export const LEVEL_LABEL: Record<Level | 'other', string> = { read: 'view-only', edit: 'edit', other: 'other' };

/** How people read a level, "no access" included; the one spelling for every face. */
export const accessLabel = (l: Level | 'other' | 'none'): string => (l === 'none' ? 'no access' : LEVEL_LABEL[l]);

export type PersonResultKind = 'shared' | 'changed' | 'unchanged' | 'removed' | 'not-shared' | 'mismatch' | 'planned';

export const RESULT_LABEL: Record<PersonResultKind, string> = {
  shared: 'shared',
  changed: 'level changed',
  unchanged: 'already so',
  removed: 'removed',
  'not-shared': 'had no access',
  mismatch: 'NOT VERIFIED',
  planned: 'would change',
};

export type InviteStatus = 'pending' | 'accepted' | 'declined' | 'invalid';

/** One person's access as one mechanism's state property shows it. */
export interface Grant {
  via: MechanismId;
  /** The href as the server spells it: "mailto:…" in invites, a principal URL in an ACL. */
  href: string;
  /** Lower-cased e-mail address, when the server tells or the principal layout implies it. */
  email: string | undefined;
  /** Principal URL (ACL grants), for matching against identities. */
  principal: string | undefined;
  name: string | undefined;
  level: Level | 'other';
  status: InviteStatus | undefined;
}

/** A person with access to a calendar, merged across mechanisms. */
export interface Sharee {
  email: string | undefined;
  principal: string | undefined;
  name: string | undefined;
  /** The effective level: the highest any mechanism grants. */
  level: Level | 'other';
  status: InviteStatus | undefined;
  /** Where the access comes from: a sharing extension ("cs", "resource-sharing") and/or the raw ACL. */
  sources: MechanismId[];
}

/** A wanted end state for one person: a level, or no access at all. */
export interface Change {
  who: Identity;
  level: Level | 'none';
}

/** A state-changing request, built but not yet sent: what --dry-run prints. */
export interface PlannedRequest {
  method: 'POST' | 'ACL';
  url: URL;
  headers: Record<string, string>;
  body: string;
  purpose: string;
}

/** What a mechanism may need to know about the signed-in user and the server. */
export interface MechanismContext {
  me: Principal;
  layout: Layout | undefined;
}

export interface Mechanism {
  readonly id: MechanismId;
  /** Grants this mechanism's state property shows (no request: read from the calendar's listing). */
  grants(cal: Calendar, ctx: MechanismContext): Grant[];
  /** The one write request that moves `cal` (as last read) to the wanted state for every change. */
  plan(cal: Calendar, changes: readonly Change[], ctx: MechanismContext): PlannedRequest;
}
