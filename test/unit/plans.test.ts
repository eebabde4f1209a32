// Sharing plans without a server: the file is validated whole before any request, and the
// difference is a pure function of the plan and the read-back sharees.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlan } from '../../src/plans/schema.js';
import { changesOf, diffCalendar } from '../../src/plans/diff.js';
import { exportCsv, exportPlan } from '../../src/plans/export.js';
import { UsageError } from '../../src/errors.js';
import type { OtherGrantee, Sharee } from '../../src/sharing/types.js';
import { calendarWith } from './fixtures/sharing.js';

const sharee = (email: string | undefined, level: Sharee['level'], principal?: string): Sharee => ({
  email,
  principal,
  name: undefined,
  level,
  status: email ? 'pending' : undefined,
  sources: email ? ['cs'] : ['acl'],
});

describe('parsePlan', () => {
  it('reads YAML and JSON alike, levels normalised (view = read)', () => {
    const y = parsePlan('calendars:\n  - calendar: Work\n    sharees:\n      - { email: Bob@Example.test, level: view }\n      - { email: carol@example.test, level: edit }\n');
    const j = parsePlan(JSON.stringify({ calendars: [{ calendar: 'Work', sharees: [{ email: 'Bob@Example.test', level: 'read' }, { email: 'carol@example.test', level: 'edit' }] }] }));
    assert.deepEqual(y, j);
    assert.deepEqual(y.calendars[0]!.sharees.map((s) => [s.email, s.level]), [['Bob@example.test', 'read'], ['carol@example.test', 'edit']]);
  });

  it('reports every problem at once, with its place, as a usage error', () => {
    assert.throws(
      () => parsePlan('calendars:\n  - calendar: Work\n    sharee: []\n  - calendar: Home\n    sharees:\n      - { email: bob@example.test, level: viewer }\n'),
      (e: unknown) => e instanceof UsageError && /2 problem/.test(e.message) && /calendars\[0\]/.test(e.message) && /calendars\[1\]\.sharees\[0\]\.level/.test(e.message),
    );
  });

  it('refuses a bad address and the same person twice on one calendar', () => {
    assert.throws(() => parsePlan('calendars: [{ calendar: W, sharees: [{ email: "bob at x", level: view }] }]'), /not a usable e-mail address/);
    assert.throws(() => parsePlan('calendars: [{ calendar: W, sharees: [{ email: b@x.test, level: view }, { email: B@x.test, level: edit }] }]'), /listed twice/);
  });

  it('is not fooled by YAML alias bombs or junk', () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`).join('\n');
    assert.throws(() => parsePlan(bomb), UsageError);
    assert.throws(() => parsePlan(': : :'), UsageError);
    assert.throws(() => parsePlan('[1, 2'), UsageError);
  });

  it('reads the CSV export form', () => {
    const p = parsePlan('calendar,name,email,principal,level,invite,source\n/cal/work/,Work,bob@example.test,,edit,pending,invitation:cs\n/cal/home/,Home,,,,,\n', 'x.csv');
    assert.deepEqual(p.calendars.map((c) => [c.calendar, c.sharees.length]), [['/cal/work/', 1], ['/cal/home/', 0]]);
  });
});

describe('diffCalendar', () => {
  const entry = parsePlan('calendars:\n  - calendar: W\n    sharees:\n      - { email: bob@example.test, level: edit }\n      - { email: carol@example.test, level: view }\n      - { email: dave@example.test, level: view }\n      - { email: erin@example.test, level: other }\n').calendars[0]!;
  const now = [sharee('bob@example.test', 'read'), sharee('carol@example.test', 'read'), sharee('frank@example.test', 'edit'), sharee(undefined, 'read', 'https://x/principals/group/ops/')];

  it('add / change / ok / keep, extras kept without --prune, unmanaged never touched', () => {
    const rows = diffCalendar(entry, now, false);
    assert.deepEqual(rows.map((r) => [r.who, r.action]), [
      ['bob@example.test', 'change'],
      ['carol@example.test', 'ok'],
      ['dave@example.test', 'add'],
      ['erin@example.test', 'keep'],
      ['frank@example.test', 'extra'],
      ['https://x/principals/group/ops/', 'unmanaged'],
    ]);
    assert.deepEqual(changesOf(rows), [{ email: 'bob@example.test', level: 'edit' }, { email: 'dave@example.test', level: 'read' }]);
  });

  it('--prune removes exactly the extra people', () => {
    const rows = diffCalendar(entry, now, true);
    assert.deepEqual(changesOf(rows).filter((c) => c.level === 'none'), [{ email: 'frank@example.test', level: 'none' }]);
  });

  it('a plan equal to the state changes nothing', () => {
    const same = diffCalendar(entry, [sharee('bob@example.test', 'edit'), sharee('carol@example.test', 'read'), sharee('dave@example.test', 'read')], true);
    assert.deepEqual(changesOf(same), []);
  });
});

describe('export', () => {
  const cal = calendarWith('<X:displayname>Work</X:displayname>');
  const list = [{ calendar: cal, sharees: [sharee('bob@example.test', 'edit'), sharee(undefined, 'other', 'https://x/p/g/')] }];

  it('JSON and CSV exports are valid plans that change nothing when applied as they are', () => {
    for (const [body, name] of [[JSON.stringify(exportPlan(list)), 'x.json'], [exportCsv(list), 'x.csv']] as const) {
      const p = parsePlan(body, name);
      assert.deepEqual(changesOf(diffCalendar(p.calendars[0]!, list[0]!.sharees, true)), [], name);
    }
  });
});

describe('grants to no person in plans (groups, everyone, signed-in users)', () => {
  const cal = calendarWith('<X:displayname>Team</X:displayname>');
  const group: Sharee = { email: undefined, principal: 'principal:principals/groups/staff', name: undefined, level: 'read', status: 'accepted', sources: ['oc-share'], group: 'staff' };
  const others: OtherGrantee[] = [
    { kind: 'authenticated', href: 'DAV:authenticated', name: undefined, level: 'other', sources: ['acl'] },
    { kind: 'group', href: '/caldav.php/ops/', name: 'ops', level: 'edit', sources: ['acl'] },
  ];
  const list = [{ calendar: cal, sharees: [sharee('bob@example.test', 'edit'), group], others }];

  it('the export writes group and kind; JSON and CSV read back as plans with no change, also with --prune', () => {
    const json = exportPlan(list);
    assert.deepEqual(
      json.calendars[0]!.sharees.map((p) => [p.email ?? p.principal, p.group ?? null, p.kind ?? null, p.level]),
      [
        ['bob@example.test', null, null, 'edit'],
        ['principal:principals/groups/staff', 'staff', 'group', 'view'],
        ['DAV:authenticated', null, 'authenticated', 'other'],
        ['/caldav.php/ops/', 'ops', 'group', 'edit'],
      ],
    );
    const csv = exportCsv(list);
    assert.match(csv.split('\n')[0]!, /,group,kind$/);
    for (const [body, name] of [[JSON.stringify(json), 'x.json'], [csv, 'x.csv']] as const) {
      const p = parsePlan(body, name);
      for (const prune of [false, true]) {
        const rows = diffCalendar(p.calendars[0]!, list[0]!.sharees, prune, others);
        assert.deepEqual(changesOf(rows), [], `${name} prune=${prune}`);
        assert.deepEqual(rows.map((r) => r.action), ['ok', 'unmanaged', 'unmanaged', 'unmanaged'], `${name} prune=${prune}`);
        assert.deepEqual(rows.map((r) => r.who).slice(1), ['group staff', 'all signed-in users', 'group ops']);
      }
    }
  });

  it('a group or public grant the plan wants otherwise is refused, never sent as a person', () => {
    const p = parsePlan('calendars:\n  - calendar: W\n    sharees:\n      - { group: staff, level: edit }\n      - { group: newgroup, level: view }\n      - { kind: everyone, level: view }\n      - { email: carol@example.test, level: view }\n');
    const rows = diffCalendar(p.calendars[0]!, list[0]!.sharees, false, others);
    assert.deepEqual(rows.map((r) => [r.who, r.now, r.want, r.action]), [
      ['group staff', 'read', 'edit', 'not-by-plan'],
      ['group newgroup', 'none', 'read', 'not-by-plan'],
      ['everyone', 'none', 'read', 'not-by-plan'],
      ['carol@example.test', 'none', 'read', 'add'],
      ['bob@example.test', 'edit', 'edit', 'extra'],
    ]);
    assert.deepEqual(changesOf(rows), [{ email: 'carol@example.test', level: 'read' }], 'only people become changes');
  });

  it('the schema names what a non-person entry lacks, and refuses a person with a kind', () => {
    assert.throws(() => parsePlan('calendars: [{ calendar: W, sharees: [{ kind: group, level: view }] }]'), /a group, principal or kind/);
    assert.throws(() => parsePlan('calendars: [{ calendar: W, sharees: [{ email: b@x.test, kind: everyone, level: view }] }]'), /leave out kind/);
    assert.throws(() => parsePlan('calendars: [{ calendar: W, sharees: [{ kind: robots, level: view }] }]'), /kind/);
    assert.equal(parsePlan('calendars: [{ calendar: W, sharees: [{ kind: authenticated, level: other }] }]').calendars[0]!.sharees[0]!.kind, 'authenticated');
  });
});
