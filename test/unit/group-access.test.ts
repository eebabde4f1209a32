// Access through a group (src/sharing/group-access.ts): pure parts, on bodies recorded from a real
// Nextcloud 31.0.2 (test/fixtures/nextcloud/cli-unshare-through-group.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { excludedWarning, parseGroupMembership, reachingGroups, throughGroupWarning } from '../../src/sharing/group-access.js';
import { loadFixture } from '../helpers/replay.js';
import type { Sharee } from '../../src/sharing/types.js';

const base = new URL('http://127.0.0.1:8600/remote.php/dav/principals/users/carol/');
const recorded = () => loadFixture('cli-unshare-through-group').exchanges.find((e) => e.request.method === 'PROPFIND' && e.request.path.endsWith('/principals/users/carol/'))!;

const group = (name: string, path: string, level: Sharee['level']): Sharee => ({
  email: undefined,
  principal: `http://127.0.0.1:8600/remote.php/dav/principals/groups/${path}/`,
  name,
  level,
  status: 'accepted',
  sources: ['oc-share'],
  group: name,
});

test('DAV:group-membership (RFC 3744 §4.4) as Nextcloud answers it: the group principals, absolute', () => {
  const got = parseGroupMembership(recorded().response.body, base).map((u) => u.pathname);
  assert.deepEqual(got, ['/remote.php/dav/principals/groups/team/']);
  // Not answered (404 propstat) or empty: no groups, nothing claimed.
  const none = '<d:multistatus xmlns:d="DAV:"><d:response><d:href>/p/</d:href><d:propstat><d:prop><d:group-membership/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response></d:multistatus>';
  assert.deepEqual(parseGroupMembership(none, base), []);
});

test('only group grants the person is a member of reach them, matched by principal path (trailing slash or not)', () => {
  const grants = [group('team', 'team', 'read'), group('Team A', 'Team+A', 'edit')];
  const member = [new URL('http://127.0.0.1:8600/remote.php/dav/principals/groups/Team+A')];
  assert.deepEqual(reachingGroups(member, grants).map((g) => g.group), ['Team A']);
  assert.deepEqual(reachingGroups([], grants), []);
});

test('the notes name the group, its level and a command that works as typed (names with spaces quoted)', () => {
  const w = throughGroupWarning('carol@example.test', 'Fixture', [group('Team A', 'Team+A', 'edit')]);
  assert.match(w, /carol@example\.test still has access through group Team A \(edit\)/);
  assert.match(w, /`calshare unshare Fixture --group 'Team A' --yes`/);
  assert.match(w, /administrator/);
  assert.doesNotMatch(w, /earlier removal/);
  assert.match(throughGroupWarning('c@x.org', 'F', [group('team', 'team', 'read')], true), /unless an earlier removal/);
  const x = excludedWarning('dave@example.test', 'My Cal', [group('Team A', 'Team+A', 'read')], false);
  assert.match(x, /^Removed dave@example\.test, who is also in group Team A: this server then hides the group's access/);
  assert.match(x, /`calshare share 'My Cal' dave@example\.test --view`/);
});
