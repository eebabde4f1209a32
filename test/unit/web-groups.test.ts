// The web UI's group parts (issue 13): a Group field only where the calendar's dialect names groups
// (oc:invite answered, as on Nextcloud), and a group listed as a group with its own level control
// and Remove button that post the group's name, never an address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calendarWith } from './fixtures/sharing.js';
import { sharesWithGroups } from '../../src/web/pages.js';
import { shareForm, shareesSection } from '../../src/web/fragments.js';
import type { Sharee } from '../../src/sharing/types.js';

const nextcloudLike = () => ({ ...calendarWith('<O:invite xmlns:O="http://owncloud.org/ns"/>'), owned: true });
const aclOnly = () => ({ ...calendarWith('<X:acl/>'), owned: true });

test('the Group field is offered where oc:invite answered, and then the address is no longer required', () => {
  assert.equal(sharesWithGroups(nextcloudLike()), true);
  assert.equal(sharesWithGroups(aclOnly()), false);
  assert.equal(sharesWithGroups({ ...nextcloudLike(), owned: false }), false, 'only the owner shares');
  const withGroups = shareForm({ csrf: 'c', calendar: nextcloudLike() }, 'example.test', '', true).toString();
  assert.match(withGroups, /<label for="group">Group<\/label>\s*<input id="group" name="group" type="text"/);
  assert.doesNotMatch(withGroups, /id="email"[^>]* required/);
  const plain = shareForm({ csrf: 'c', calendar: aclOnly() }, 'example.test', '').toString();
  assert.doesNotMatch(plain, /name="group"/);
  assert.match(plain, /id="email"[^>]* required/);
});

test('a group row: named as a group, its level selector and Remove post group=NAME (spaces kept), selectable for bulk removal', () => {
  const cal = nextcloudLike();
  const team: Sharee = { email: undefined, principal: 'http://h/remote.php/dav/principals/groups/Team+A/', name: 'Team A', level: 'edit', status: 'accepted', sources: ['oc-share'], group: 'Team A' };
  const bob: Sharee = { email: 'bob@example.test', principal: 'http://h/remote.php/dav/principals/users/bob/', name: 'Bob Example', level: 'read', status: 'accepted', sources: ['oc-share'] };
  const out = shareesSection({ csrf: 'c', calendar: cal }, { calendar: cal, sharees: [bob, team], fromHome: new Set(), others: [] }).toString();
  assert.match(out, /<caption>1 person and 1 group have access<\/caption>/);
  const row = out.slice(out.indexOf('data-group="Team A"'));
  assert.match(row, /data-level="edit"/);
  assert.match(row, /<span class="address">group Team A<\/span>/);
  assert.match(row, /<input type="checkbox" form="bulk" name="group" value="Team A"/);
  assert.match(row, /<input type="hidden" name="group" value="Team A">[\s\S]*Access for group Team A/);
  assert.match(row, /aria-label="Remove group Team A"/);
  assert.doesNotMatch(row.slice(0, row.indexOf('</tr>')), /name="email"/);
});
