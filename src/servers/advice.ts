// Servers that cannot share over CalDAV: say so plainly, before anything is sent that changes state,
// and tell the user what their administrator can do instead.
import { createHash } from 'node:crypto';
import type { Capabilities } from '../discovery/capabilities.js';
import { calendarName } from '../discovery/calendars.js';
import { UnsupportedError } from '../errors.js';
import { inert, inertLine } from '../util/inert.js';
import type { Level } from '../sharing/types.js';
import { fingerprint, type ServerId } from './fingerprint.js';

/** Which product answered (fingerprint.ts), for advice that only its administrator can act on. */
export const serverKind = (caps: Pick<Capabilities, 'server' | 'calendar'>): ServerId => fingerprint(caps.server, caps.calendar).id;

// Radicale's rights file (radicale/rights/from_file.py) is read by Python's configparser, whose
// interpolation gives "%" a meaning and which strips values; each pattern then goes through
// str.format(), which gives "{" "}" one, before re.fullmatch. A pattern wrong for any of the three
// makes every request fail, so escape for all of them: regex metacharacters with "\", braces also
// doubled, "%" doubled, spaces and control characters as \xHH.
const pyEscape = (s: string) =>
  s.replace(/[.^$*+?{}[\]\\|()%]|[\u0000-\u0020\u007f]/g, (c) => {
    if (c === '%') return '%%';
    if (c === '{' || c === '}') return `\\${c}${c}`;
    if (c <= ' ' || c === '\u007f') return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    return `\\${c}`;
  });

/** Radicale matches the decoded path (WSGI PATH_INFO), not the escaped one in the calendar's URL. */
const decodePath = (p: string) => {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
};

/**
 * The rights-file sections a Radicale administrator adds for one share. Radicale uses the first
 * section whose user and collection both match, so these must stand above the owner-only rules.
 * "r"/"rw" act on calendar contents; "R" on the parent lets the sharee's client find the calendar.
 */
export function radicaleRights(owner: string, calendarPath: string, sharee: string, level: Level): string {
  const coll = decodePath(calendarPath).replace(/^\/+|\/+$/g, '');
  const parent = coll.split('/').slice(0, -1).join('/') || owner;
  // A duplicate section name breaks Radicale for everyone: the readable part can collide once
  // characters are replaced ("a.b" and "a_b"), so a digest of the exact pair keeps it unique.
  const digest = createHash('sha256').update(`${coll}\0${sharee}`).digest('hex').slice(0, 8);
  const id = `${owner}-${coll.split('/').pop()}-${sharee}`.replace(/[^A-Za-z0-9_.-]/g, '_') + `-${digest}`;
  return [
    `[calshare-${id}]`,
    `user: ${pyEscape(sharee)}`,
    `collection: ${pyEscape(coll)}`,
    `permissions: ${level === 'edit' ? 'rw' : 'r'}`,
    '',
    `[calshare-${id}-list]`,
    `user: ${pyEscape(sharee)}`,
    `collection: ${pyEscape(parent)}`,
    'permissions: R',
  ].join('\n');
}

export function cannotShare(caps: Capabilities, owner: string, emails: readonly string[], level: Level | 'none'): UnsupportedError {
  const name = inertLine(calendarName(caps.calendar));
  const why = caps.mechanisms
    .flatMap((m) => m.evidence.filter((e) => /advertises .* but|not the owner/.test(e)))
    .filter((e, i, a) => a.indexOf(e) === i);
  const found = why.length ? ` (${why.join('; ')})` : '';
  switch (serverKind(caps)) {
    case 'radicale': {
      const sections = level === 'none'
        ? 'remove the [calshare-…] sections naming that person from the rights file'
        : `add to the rights file, above the sections that give users their own collections:\n\n${emails
            .map((e) => radicaleRights(owner, caps.calendar.url.pathname, e.split('@')[0]!, level))
            .join('\n\n')}\n\n(assuming each person's Radicale user name is the part of the address before "@")`;
      return new UnsupportedError(
        `Radicale cannot share "${name}" over CalDAV: access is set only in its rights file, by the administrator`,
        `Ask the administrator to ${sections}. Radicale re-reads the file on every request; a duplicate section name or a bad pattern breaks it for everyone, so edit a copy and replace the file in one step.`,
      );
    }
    case 'xandikos':
      return new UnsupportedError(
        `Xandikos cannot share "${name}": it serves a single user, with no access control and no sharing`,
        'Another person can reach this calendar only through the web server in front of Xandikos (an administrator can add a reverse-proxy rule for them), or move the calendar to a server that supports sharing.',
      );
    default:
      return new UnsupportedError(
        `this server offers no way to share "${name}" over CalDAV${found}`,
        caps.calendar.owned
          ? "Ask the server's administrator to grant access in the server's own configuration, or use the server's web interface if it has one."
          : 'Only the owner of this calendar can change its sharing.',
      );
  }
}
