// The vocabulary every sharing mechanism speaks, whatever its wire format.
import type { Calendar } from '../discovery/calendars.js';
import type { ServerOptions } from '../discovery/capabilities.js';
import type { Identity, Layout } from './identity.js';
import type { Principal } from '../discovery/discover.js';
import type { QName } from '../xml/names.js';
import type { Quirk } from '../servers/quirks.js';
import type { ServerId } from '../servers/fingerprint.js';

/**
 * A mechanism's id as `--via`, `--json` and `capabilities` spell it ("cs", "acl", …). A plain string:
 * the registry (registry.ts) is the one list of ids, so adding a mechanism touches no type here.
 */
export type MechanismId = string;

/** view-only = read events; edit = create, change and delete events. */
export type Level = 'read' | 'edit';
// "other" is a grant without DAV:read: on CalDAV servers that is C:read-free-busy (RFC 4791 §6.1.1),
// the anyone/authenticated default Cyrus and DAViCal give, or a CS/DAV invite access outside read
// and read-write. People read it as free/busy only.
export const LEVEL_LABEL: Record<Level | 'other', string> = { read: 'view-only', edit: 'edit', other: 'free/busy only' };

/** How people read a level, "no access" included; the one spelling for every face. */
export const accessLabel = (l: Level | 'other' | 'none'): string => (l === 'none' ? 'no access' : LEVEL_LABEL[l]);

/** 'through-group': removed (or never granted) as a person, yet a group grant on the calendar still reaches them. */
export type PersonResultKind = 'shared' | 'changed' | 'unchanged' | 'removed' | 'not-shared' | 'through-group' | 'mismatch' | 'planned';

export const RESULT_LABEL: Record<PersonResultKind, string> = {
  shared: 'shared',
  changed: 'level changed',
  unchanged: 'already so',
  removed: 'removed',
  'not-shared': 'had no access',
  'through-group': 'kept via group',
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
  /** Set when the grant is to a group principal (its name as people know it), not to one person. */
  group?: string;
  /**
   * Set when the grant names no person (issue 11 §2): a group, DAV:all, DAV:authenticated,
   * DAV:unauthenticated (RFC 3744 §5.5.1) or an inverted principal (§5.5.1 DAV:invert). Such a grant
   * is shown for what it is and never becomes a Sharee, so no write ever treats it as a person.
   */
  kind?: OtherKind;
}

/** Who a grant reaches: one person, or one of the non-person principals. */
export type GranteeKind = 'person' | OtherKind;
export type OtherKind = 'group' | 'everyone' | 'authenticated' | 'unauthenticated' | 'except';

/** A grant to a non-person principal, merged across mechanisms like a Sharee (display only). */
export interface OtherGrantee {
  kind: OtherKind;
  /** The principal as the server spells it: a path, or "DAV:all" and the like. */
  href: string;
  /** The group's or the excepted principal's name, as far as known. */
  name: string | undefined;
  level: Level | 'other';
  sources: MechanismId[];
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
  /** Set for a group principal: its name. Sharees shows it as a group, not a person. */
  group?: string;
}

/** A wanted end state for one person: a level, or no access at all. */
export interface Change {
  who: Identity;
  level: Level | 'none';
}

/** A request calshare builds but does not send itself: a write (what --dry-run prints) or a state read. */
export interface PlannedRequest {
  method: 'POST' | 'ACL' | 'PROPFIND' | 'REPORT';
  url: URL;
  headers: Record<string, string>;
  body: string;
  purpose: string;
}

/** What a mechanism may need to know about the signed-in user and the server. */
export interface MechanismContext {
  me: Principal;
  layout: Layout | undefined;
  /** Which product answered (servers/fingerprint.ts), when calshare has asked; undefined = not known. */
  server?: ServerId;
  /** That server's quirks (servers/quirks.ts); absent or empty = RFC behaviour. */
  quirks?: readonly Quirk[];
  /**
   * Principal → e-mail address as the server's principal search gave it (people/search.ts
   * principalKey → lower-cased address), where a principal URL says nothing reliable about the
   * address (quirk 'people-by-search'). Preferred over the layout's guess.
   */
  names?: ReadonlyMap<string, string>;
}

/** A listing property that carries a mechanism's state; its answering is part of detection. */
export interface StateProp {
  name: QName;
  /** How evidence names it: "CS:invite". */
  label: string;
}

/** What detection saw for or against a mechanism, beyond the generic rule (capabilities.ts). */
export interface Evidence {
  /** Proof the mechanism works here (counts like an answered state property). */
  for: string[];
  /** Reasons it cannot be used on this calendar; any one rules it out. */
  against: string[];
}

/**
 * One sharing dialect, described once: capabilities, --via, completion, output names and the
 * listing's properties all derive from these fields (registry.ts). A mechanism builds requests and
 * parses bodies; only the engine sends (STYLE.md §3.4). It never imports a sibling mechanism.
 */
export interface Mechanism {
  readonly id: MechanismId;
  /** For people: "CalendarServer sharing". */
  readonly name: string;
  /** Where it is specified: "Apple caldav-sharing.txt". */
  readonly spec: string;
  /** The DAV: header compliance class that claims it (RFC 4918 §10.1); undefined = none, see detect(). */
  readonly davToken: string | undefined;
  /** What a change sends, for `capabilities`: method, body root, Content-Type (the one plan() uses). */
  readonly request: { method: 'POST' | 'ACL'; body: string };
  readonly contentType: string;
  /** Properties the calendar listing asks for; their answer is both state and proof of support. */
  readonly stateProps: readonly StateProp[];
  /** Grants this mechanism's state shows, read from the calendar's listing (no request). */
  grants(cal: Calendar, ctx: MechanismContext): Grant[];
  /**
   * The write requests that move `cal` (as last read) to the wanted state for every change: usually
   * one for all of them (the engine batches per mechanism), more where the dialect needs it.
   */
  plan(cal: Calendar, changes: readonly Change[], ctx: MechanismContext): PlannedRequest[];
  /**
   * For state that is not a listing property (SOGo's acl-query): the read requests of the next round,
   * given the bodies of the earlier rounds in order (none at first); [] when there is nothing (more)
   * to read on this calendar. SOGo needs two rounds: user-list, then one `roles` per listed user.
   * The engine sends them; parseState reads all the bodies.
   */
  stateRequests?(cal: Calendar, ctx: MechanismContext, answered: readonly string[]): PlannedRequest[];
  parseState?(cal: Calendar, answered: readonly string[], ctx: MechanismContext): Grant[];
  /**
   * The principal URL of the group `name`, for mechanisms that share with groups (`--group`);
   * absent = this dialect cannot name a group. Existence is checked by the caller before any write.
   */
  groupPrincipal?(name: string, ctx: MechanismContext): URL | undefined;
  /** Extra detection evidence (e.g. ACL: is DAV:acl readable, is write-acl held). */
  detect?(cal: Calendar, server: ServerOptions): Evidence;

  // Traits: what the engine asks instead of a mechanism's id (STYLE.md §3.6).
  /** A write replaces the whole state (ACL method, RFC 3744 §8.1): plan from a fresh read, settle, look again. */
  readonly replacesWholeState?: boolean;
  /** Its state shows grants no invitation lists (raw ACL), so it can revoke what other dialects cannot see. */
  readonly seesForeignGrants?: boolean;
  /** One request carries one level only (e.g. a role set): the engine plans per level. */
  readonly oneLevelPerWrite?: boolean;
}
