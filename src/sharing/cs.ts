// CalendarServer sharing (Apple, caldav-sharing.txt): POST a CS:share body to the calendar (§5.3.2);
// state in the CS:invite property (§5.2.2). Many CS:set / CS:remove per request.
import type { Calendar } from '../discovery/calendars.js';
import { P } from '../discovery/calendars.js';
import { el, serialize } from '../xml/build.js';
import { NS, qn } from '../xml/names.js';
import { hrefUrl, prop } from '../xml/multistatus.js';
import { child, children, textOf, type XmlElement } from '../xml/parse.js';
import { emailFor } from './identity.js';
import type { Change, Grant, InviteStatus, Level, Mechanism, MechanismContext, PlannedRequest } from './types.js';

const CS = (n: string) => qn(NS.CS, n);
const D = (n: string) => qn(NS.DAV, n);

const STATUS: Record<string, InviteStatus> = {
  'invite-noresponse': 'pending',
  'invite-accepted': 'accepted',
  'invite-declined': 'declined',
  'invite-invalid': 'invalid',
};

/** Invite status elements shared by CS:invite and DAV:invite (same local names in both specs). */
export function inviteStatus(entry: XmlElement, ns: string): InviteStatus | undefined {
  // Object.hasOwn, not `in`: an element named "constructor" must not read as a status.
  const s = entry.children.find((c) => c.ns === ns && Object.hasOwn(STATUS, c.name));
  return s && STATUS[s.name];
}

/** The access element both specs share ("read" / "read-write", CS:access and DAV:share-access) as a level. */
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

function grant(user: XmlElement, base: URL, ctx: MechanismContext): Grant | undefined {
  const href = textOf(child(user, D('href')));
  if (!href) return undefined;
  const access = child(user, CS('access'))?.children[0]?.name;
  return {
    via: 'cs',
    href,
    ...hrefIdentity(href, base, ctx),
    name: textOf(child(user, CS('common-name'))) || undefined,
    level: accessLevel(access),
    status: inviteStatus(user, NS.CS),
  };
}

export const calendarServer: Mechanism = {
  id: 'cs',
  grants(cal: Calendar, ctx: MechanismContext): Grant[] {
    return children(prop(cal.props, P.csInvite), CS('user')).flatMap((u) => grant(u, cal.props.url, ctx) ?? []);
  },
  plan(cal: Calendar, changes: readonly Change[]): PlannedRequest {
    const body = el(
      CS('share'),
      ...changes.map((c) =>
        c.level === 'none'
          ? el(CS('remove'), el(D('href'), c.who.mailto))
          : el(CS('set'), el(D('href'), c.who.mailto), el(CS(c.level === 'edit' ? 'read-write' : 'read'))),
      ),
    );
    return {
      method: 'POST',
      url: cal.url,
      // Apple's servers and Cyrus take text/xml; Cyrus answers 403 to application/xml.
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: serialize(body),
      purpose: 'changing the sharing of the calendar (CS:share)',
    };
  },
};
