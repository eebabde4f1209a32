// Elements the invitation-based dialects share. CS:invite (caldav-sharing §5.2.2), DAV:invite
// (draft-pot-webdav-resource-sharing §4.4.2) and Nextcloud's oc:invite list people the same way:
// an entry per person with a DAV:href, a status element and an access element, differing only in
// namespace and element names. Mechanisms parse through here and never through each other.
import { hrefUrl } from '../xml/multistatus.js';
import { qn, type QName } from '../xml/names.js';
import { child, children, textOf, type XmlElement } from '../xml/parse.js';
import { NS } from '../xml/names.js';
import { emailFor } from './identity.js';
import type { Grant, InviteStatus, Level, MechanismContext, MechanismId } from './types.js';

// caldav-sharing §5.2.2 and draft-pot §4.4.2 spell the status elements alike; oc:invite follows CS.
const STATUS: Record<string, InviteStatus> = {
  'invite-noresponse': 'pending',
  'invite-accepted': 'accepted',
  'invite-declined': 'declined',
  'invite-invalid': 'invalid',
};

/** An invite entry's status element in namespace `ns`. */
export function inviteStatus(entry: XmlElement, ns: string): InviteStatus | undefined {
  // Object.hasOwn, not `in`: an element named "constructor" must not read as a status.
  const s = entry.children.find((c) => c.ns === ns && Object.hasOwn(STATUS, c.name));
  return s && STATUS[s.name];
}

/** The access element the specs share ("read" / "read-write": CS:access, DAV:share-access, oc:access) as a level. */
export const accessLevel = (access: string | undefined): Level | 'other' =>
  access === 'read-write' ? 'edit' : access === 'read' ? 'read' : 'other';

export const mailtoAddress = (href: string): string | undefined =>
  /^mailto:/i.test(href) ? href.slice(7).toLowerCase() : undefined;

/**
 * Who an invite href names: an address for "mailto:", else a principal (or urn:uuid) resolved to an
 * absolute URL, so it matches the same principal in DAV:acl, and mapped to an address by the layout.
 */
export function hrefIdentity(href: string, base: URL, ctx: MechanismContext): { email: string | undefined; principal: string | undefined } {
  const email = mailtoAddress(href);
  if (email) return { email, principal: undefined };
  let url: URL;
  try {
    url = hrefUrl(href, base);
  } catch {
    return { email: undefined, principal: href };
  }
  return { email: emailFor(ctx.layout, url), principal: url.href };
}

/** Where one dialect keeps the parts of an invite entry. */
export interface InviteShape {
  /** The entry element: CS:user, DAV:sharee, oc:user. */
  entry: QName;
  /** The access element whose first child names the level: CS:access, DAV:share-access, oc:access. */
  access: QName;
  /** Namespace of the status elements (invite-accepted …). */
  statusNs: string;
  /** The display name: CS:common-name, or DAV:prop/DAV:displayname for draft-pot. */
  name: (entry: XmlElement) => string | undefined;
  /** Access values that mean "no grant" (draft-pot's "no-access" entry is a removal record). */
  ignore?: readonly string[];
  /** Turns an href into who it names; default hrefIdentity (mailto: or a principal URL). */
  identify?: (href: string, base: URL, ctx: MechanismContext) => { email: string | undefined; principal: string | undefined };
}

/** The grants an invite property lists, in one dialect's shape. */
export function readInvites(invite: XmlElement | undefined, shape: InviteShape, via: MechanismId, base: URL, ctx: MechanismContext): Grant[] {
  return children(invite, shape.entry).flatMap((entry): Grant[] => {
    const href = textOf(child(entry, qn(NS.DAV, 'href')));
    if (!href) return [];
    const access = child(entry, shape.access)?.children[0]?.name;
    if (access !== undefined && shape.ignore?.includes(access)) return [];
    return [
      {
        via,
        href,
        ...(shape.identify ?? hrefIdentity)(href, base, ctx),
        name: shape.name(entry) || undefined,
        level: accessLevel(access),
        status: inviteStatus(entry, shape.statusNs),
      },
    ];
  });
}
