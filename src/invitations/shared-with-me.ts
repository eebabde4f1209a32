// "Mine" or "shared with me", for each calendar in the signed-in user's home: whose it is, the
// level the user holds, and how it came to be listed. Servers say it differently:
//  - Cyrus: DAV:share-access / CS:shared-url on the sharee's copy (draft-pot §4.4.1, caldav-sharing §5.2.3);
//  - Nextcloud: oc:owner-principal and oc:read-only ("1" = view-only, empty = edit);
//  - DAViCal: a BIND shows DAV:owner of the source and <X:webdav-binding/> in its resourcetype;
//  - SOGo: a subscription "<owner>_<calendar>" whose DAV:owner is the owner.
// The level comes from what the server says the user may do (RFC 3744 §5.4), so a share taken back
// shows as "no access" rather than as working.
import type { Calendar } from '../discovery/calendars.js';
import { currentPrivileges, P } from '../discovery/calendars.js';
import { emailFor, type Layout } from '../sharing/identity.js';
import { NS, qn } from '../xml/names.js';
import { child, textOf } from '../xml/parse.js';
import { hrefUrl, prop, propStatus } from '../xml/multistatus.js';
import { lastSegment } from './xml.js';

export type HeldLevel = 'read' | 'edit' | 'none' | 'unknown';
export type Origin = 'invitation' | 'binding' | 'subscription' | 'server' | 'unknown';

export interface SharedInfo {
  /** The owner as an address when it can be told, else their name or principal. */
  owner: string;
  level: HeldLevel;
  origin: Origin;
  /** The owner's own URL for it, when the server tells (CS:shared-url). */
  ownerUrl: string | undefined;
}

const { ocOwner: OC_OWNER, ocReadOnly: OC_READ_ONLY, ncOwnerName: NC_OWNER_NAME } = P;

const D = (n: string) => qn(NS.DAV, n);

export function heldLevel(cal: Calendar): HeldLevel {
  const access = prop(cal.props, P.shareAccess)?.children[0]?.name;
  if (access === 'read-write') return 'edit';
  if (access === 'read') return 'read';
  const ro = prop(cal.props, OC_READ_ONLY);
  if (ro) return textOf(ro) === '1' ? 'read' : 'edit';
  if (propStatus(cal.props, P.currentPrivileges) !== 200) return 'unknown';
  const privs = currentPrivileges(cal.props);
  const has = (n: string) => privs.has(`{${NS.DAV}}${n}`) || privs.has(`{${NS.DAV}}all`);
  if (has('write') || has('write-content') || has('bind')) return has('read') ? 'edit' : 'none';
  return has('read') ? 'read' : 'none';
}

export function originOf(cal: Calendar): Origin {
  const rt = prop(cal.props, P.resourcetype);
  if (child(rt, qn(NS.CS, 'shared')) || prop(cal.props, P.csSharedUrl) || prop(cal.props, P.shareAccess)) return 'invitation';
  if (rt?.children.some((c) => c.name === 'webdav-binding')) return 'binding';
  if (prop(cal.props, OC_OWNER)) return 'server';
  // SOGo lists a subscription as "<owner>_<calendar>" in the subscriber's home.
  if (/_/.test(lastSegment(cal.url))) return 'subscription';
  return 'unknown';
}

export function ownerOf(cal: Calendar, layout: Layout | undefined): string {
  const ncName = textOf(prop(cal.props, NC_OWNER_NAME));
  const href = cal.ownerHref;
  // oc:owner-principal is "principals/users/<uid>", relative to nothing: only its last segment is a name.
  if (!href) return ncName || textOf(prop(cal.props, OC_OWNER))?.split('/').filter(Boolean).pop() || 'someone else';
  let url: URL;
  try {
    url = hrefUrl(href, cal.url);
  } catch {
    return href;
  }
  return emailFor(layout, url) ?? (ncName || lastSegment(url) || href);
}

export function sharedInfo(cal: Calendar, layout: Layout | undefined): SharedInfo {
  const sharedUrl = textOf(child(prop(cal.props, P.csSharedUrl), D('href')));
  return {
    owner: ownerOf(cal, layout),
    level: heldLevel(cal),
    origin: originOf(cal),
    ownerUrl: sharedUrl ? hrefUrl(sharedUrl, cal.url).href : undefined,
  };
}

export const ORIGIN_LABEL: Record<Origin, string> = {
  invitation: 'accepted invitation',
  binding: 'bound into your home',
  subscription: 'subscription',
  server: 'added by the server',
  unknown: 'shared',
};
