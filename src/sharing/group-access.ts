// Access through a group. Removing a person takes away only what was granted to that person: a
// grant to a group they belong to still reaches them. Where the server says which groups a person
// is in (DAV:group-membership, RFC 3744 §4.4), the removal says so and names the next step instead
// of "had no access" or a bare "removed".
//
// Nextcloud 31.0.2 (recorded, test/fixtures/nextcloud/): a user principal answers
// DAV:group-membership with the group principals (…/principals/groups/team/); a group principal's
// DAV:group-member-set answers 500 (TypeError; test/fixtures/nextcloud/groups.json), and neither
// oc:invite nor DAV:acl lists members, so who is in a group can be learned per person, never per group.
//
// Calshare never "excludes" a member from a group share: on Nextcloud an oc:remove of a group member
// writes a hidden exclusion row that no listing shows and that outlives the group share
// (NEXTCLOUD.md §6), so the person would silently miss every later share to that group.
import type { Transport } from '../transport/http.js';
import { propfindBody } from '../discovery/propfind.js';
import { NS, qn } from '../xml/names.js';
import { parseMultiStatus, prop } from '../xml/multistatus.js';
import { children, textOf } from '../xml/parse.js';
import { inert, shellWord } from '../util/inert.js';
import { accessLabel, type Sharee } from './types.js';

const GROUP_MEMBERSHIP = qn(NS.DAV, 'group-membership');

const path = (u: string | URL) => {
  try {
    return new URL(u).pathname.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
};

/** The group principals a principal's PROPFIND answer lists in DAV:group-membership (RFC 3744 §4.4). */
export function parseGroupMembership(body: string, base: URL): URL[] {
  const [r] = parseMultiStatus(body, base);
  const gm = r && prop(r, GROUP_MEMBERSHIP);
  if (!gm) return [];
  return children(gm, qn(NS.DAV, 'href')).flatMap((h) => {
    const href = textOf(h);
    if (!href) return [];
    try {
      return [new URL(href, base)];
    } catch {
      return [];
    }
  });
}

/** The group grants on the calendar that reach someone in `memberOf`, matched by principal path. */
export function reachingGroups(memberOf: readonly URL[], groups: readonly Sharee[]): Sharee[] {
  const mine = new Set(memberOf.map((u) => path(u)));
  return groups.filter((g) => g.group !== undefined && g.principal && mine.has(path(g.principal)));
}

/** Groups the principal is in, or undefined when the server does not say (then nothing is claimed). */
export async function groupsOf(transport: Transport, principal: URL): Promise<URL[] | undefined> {
  const res = await transport
    .send({ method: 'PROPFIND', url: principal, headers: { depth: '0' }, body: propfindBody([GROUP_MEMBERSHIP]), purpose: 'reading which groups the person is in' })
    .catch(() => undefined);
  if (!res) return undefined;
  try {
    return parseGroupMembership(res.body, principal);
  } catch {
    return undefined;
  }
}

/** The removal's note for one person who still has access through `via` (one line, server text inert). */
export function throughGroupWarning(email: string, calendarRef: string, via: readonly Sharee[], excludes = false): string {
  const names = via.map((g) => `group ${inert(g.group!)} (${accessLabel(g.level)})`).join(', ');
  const flags = via.map((g) => `--group ${shellWord(g.group!)}`).join(' ');
  // Where a removal hides group grants (Nextcloud), an earlier one may have: the owner cannot see it.
  const unless = excludes ? ` (unless an earlier removal of ${email} made this server hide it from them, which no listing shows)` : '';
  return (
    `${email} still has access through ${names}${unless}: removing a person cannot take away what a group grants. ` +
    `Remove the group (\`calshare unshare ${shellWord(calendarRef)} ${flags} --yes\`; everyone in it loses access) ` +
    `or ask the group's administrator to take ${email} out of it.`
  );
}

/**
 * The note where the server shuts a removed person out of the group grants too (quirk
 * 'remove-excludes-from-groups', Nextcloud): true now, and a trap later.
 */
export function excludedWarning(email: string, calendarRef: string, via: readonly Sharee[], dryRun: boolean): string {
  const names = via.map((g) => `group ${inert(g.group!)}`).join(', ');
  return (
    `${dryRun ? 'Removing' : 'Removed'} ${email}, who is also in ${names}: this server then hides the group's access from ${email} as well, ` +
    `in a record no listing shows, and later shares to ${via.length === 1 ? 'that group' : 'those groups'} will not reach ${email} either. ` +
    `To give ${email} the group's access back, share with them directly (\`calshare share ${shellWord(calendarRef)} ${email} --view\`).`
  );
}
