// WebDAV resource sharing (draft-pot-webdav-resource-sharing): POST DAV:share-resource (§5.1) with
// one DAV:sharee per person; DAV:share-access "no-access" removes (§4.4.1); state in DAV:invite (§4.4.2).
import type { Calendar } from '../discovery/calendars.js';
import { P } from '../discovery/calendars.js';
import { el, serialize } from '../xml/build.js';
import { NS, qn } from '../xml/names.js';
import { prop } from '../xml/multistatus.js';
import { child, children, textOf, type XmlElement } from '../xml/parse.js';
import type { Change, Grant, Mechanism, MechanismContext, PlannedRequest } from './types.js';
import { accessLevel, hrefIdentity, inviteStatus } from './cs.js';

const D = (n: string) => qn(NS.DAV, n);

function grant(sharee: XmlElement, base: URL, ctx: MechanismContext): Grant | undefined {
  const href = textOf(child(sharee, D('href')));
  if (!href) return undefined;
  const access = child(sharee, D('share-access'))?.children[0]?.name;
  if (access === 'no-access') return undefined;
  return {
    via: 'resource-sharing',
    href,
    ...hrefIdentity(href, base, ctx),
    name: textOf(child(child(sharee, D('prop')), D('displayname'))) || undefined,
    level: accessLevel(access),
    status: inviteStatus(sharee, NS.DAV),
  };
}

const ACCESS = { read: 'read', edit: 'read-write', none: 'no-access' } as const;

export const resourceSharing: Mechanism = {
  id: 'resource-sharing',
  grants(cal: Calendar, ctx: MechanismContext): Grant[] {
    return children(prop(cal.props, P.invite), D('sharee')).flatMap((s) => grant(s, cal.props.url, ctx) ?? []);
  },
  plan(cal: Calendar, changes: readonly Change[]): PlannedRequest {
    const body = el(
      D('share-resource'),
      ...changes.map((c) => el(D('sharee'), el(D('href'), c.who.mailto), el(D('share-access'), el(D(ACCESS[c.level]))))),
    );
    return {
      method: 'POST',
      url: cal.url,
      headers: { 'content-type': 'application/davsharing+xml; charset=utf-8' },
      body: serialize(body),
      purpose: 'changing the sharing of the calendar (DAV:share-resource)',
    };
  },
};
