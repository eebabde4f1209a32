// CalendarServer sharing (Apple, caldav-sharing.txt): POST a CS:share body to the calendar (§5.3.2);
// state in the CS:invite property (§5.2.2). Many CS:set / CS:remove per request.
import type { Calendar } from '../../discovery/calendars.js';
import { el, serialize } from '../../xml/build.js';
import { NS, qn } from '../../xml/names.js';
import { prop } from '../../xml/multistatus.js';
import { child, textOf } from '../../xml/parse.js';
import { readInvites, type InviteShape } from '../invite-xml.js';
import type { Change, Mechanism, MechanismContext, PlannedRequest } from '../types.js';

const CS = (n: string) => qn(NS.CS, n);
const D = (n: string) => qn(NS.DAV, n);

const INVITE = CS('invite'); // §5.2.2
const MODES = CS('allowed-sharing-modes'); // §5.1.1

// §5.2.2: <CS:user><D:href/><CS:common-name/><CS:invite-accepted/><CS:access><CS:read/></CS:access></CS:user>
const SHAPE: InviteShape = {
  entry: CS('user'),
  access: CS('access'),
  statusNs: NS.CS,
  name: (u) => textOf(child(u, CS('common-name'))),
};

// Apple's servers and Cyrus take text/xml; Cyrus answers 403 to application/xml.
const CONTENT_TYPE = 'text/xml; charset=utf-8';

/** §5.3.2: one CS:set per person granted, one CS:remove per person revoked, all in one CS:share. */
export function shareBody(changes: readonly Change[]): string {
  return serialize(
    el(
      CS('share'),
      ...changes.map((c) =>
        c.level === 'none'
          ? el(CS('remove'), el(D('href'), c.who.mailto))
          : el(CS('set'), el(D('href'), c.who.mailto), el(CS(c.level === 'edit' ? 'read-write' : 'read'))),
      ),
    ),
  );
}

export const calendarServer: Mechanism = {
  id: 'cs',
  name: 'CalendarServer sharing',
  spec: 'Apple caldav-sharing.txt',
  davToken: 'calendarserver-sharing',
  request: { method: 'POST', body: 'CS:share (http://calendarserver.org/ns/)' },
  contentType: CONTENT_TYPE,
  stateProps: [
    { name: MODES, label: 'CS:allowed-sharing-modes' },
    { name: INVITE, label: 'CS:invite' },
  ],
  grants: (cal: Calendar, ctx: MechanismContext) => readInvites(prop(cal.props, INVITE), SHAPE, 'cs', cal.props.url, ctx),
  plan: (cal: Calendar, changes: readonly Change[]): PlannedRequest[] => [
    {
      method: 'POST',
      url: cal.url,
      headers: { 'content-type': CONTENT_TYPE },
      body: shareBody(changes),
      purpose: 'changing the sharing of the calendar (CS:share)',
    },
  ],
};
