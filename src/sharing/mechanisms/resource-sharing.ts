// WebDAV resource sharing (draft-pot-webdav-resource-sharing): POST DAV:share-resource (§5.1) with
// one DAV:sharee per person; DAV:share-access "no-access" removes (§4.4.1); state in DAV:invite (§4.4.2).
import type { Calendar } from '../../discovery/calendars.js';
import { el, serialize } from '../../xml/build.js';
import { NS, qn } from '../../xml/names.js';
import { prop } from '../../xml/multistatus.js';
import { child, textOf } from '../../xml/parse.js';
import { readInvites, type InviteShape } from '../invite-xml.js';
import type { Change, Mechanism, MechanismContext, PlannedRequest } from '../types.js';

const D = (n: string) => qn(NS.DAV, n);

const INVITE = D('invite'); // §4.4.2
const SHARE_ACCESS = D('share-access'); // §4.4.1

// §4.4.2: <D:sharee><D:href/><D:prop><D:displayname/></D:prop><D:invite-accepted/><D:share-access>…
const SHAPE: InviteShape = {
  entry: D('sharee'),
  access: D('share-access'),
  statusNs: NS.DAV,
  name: (s) => textOf(child(child(s, D('prop')), D('displayname'))),
  // A "no-access" sharee is the record of a removal, not a grant (§4.4.1).
  ignore: ['no-access'],
};

const ACCESS = { read: 'read', edit: 'read-write', none: 'no-access' } as const;
const CONTENT_TYPE = 'application/davsharing+xml; charset=utf-8'; // §5.1

export const resourceSharing: Mechanism = {
  id: 'resource-sharing',
  name: 'WebDAV resource sharing',
  spec: 'draft-pot-webdav-resource-sharing',
  davToken: 'resource-sharing',
  request: { method: 'POST', body: 'DAV:share-resource' },
  contentType: CONTENT_TYPE,
  stateProps: [
    { name: SHARE_ACCESS, label: 'DAV:share-access' },
    { name: INVITE, label: 'DAV:invite' },
  ],
  grants: (cal: Calendar, ctx: MechanismContext) => readInvites(prop(cal.props, INVITE), SHAPE, 'resource-sharing', cal.props.url, ctx),
  plan: (cal: Calendar, changes: readonly Change[]): PlannedRequest[] => [
    {
      method: 'POST',
      url: cal.url,
      headers: { 'content-type': CONTENT_TYPE },
      body: serialize(
        el(D('share-resource'), ...changes.map((c) => el(D('sharee'), el(D('href'), c.who.mailto), el(D('share-access'), el(D(ACCESS[c.level])))))),
      ),
      purpose: 'changing the sharing of the calendar (DAV:share-resource)',
    },
  ],
};
