// Servers that cannot share over CalDAV. For Radicale, calshare prints the rights-file sections an
// administrator adds (SERVERS.md): `user` / `collection` / `permissions`, r or rw on the calendar and
// R on its parent. Radicale reads that file with Python's configparser, runs each pattern through
// str.format() and then re.fullmatch() — so the sections are checked here by Python itself, the way
// radicale/rights/from_file.py reads them: a section that does not parse breaks Radicale for everyone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { radicaleRights, cannotShare, serverKind } from '../../src/servers/advice.js';
import { UnsupportedError } from '../../src/errors.js';
import type { Capabilities } from '../../src/discovery/capabilities.js';
import { calendarWith } from './fixtures/sharing.js';

interface Section {
  name: string;
  user: string;
  collection: string;
  permissions: string;
}

/** Reads `text` as Radicale does and answers, per section, whether `user` at `path` matches it. */
function radicaleReads(text: string, user: string, path: string): (Section & { matches: boolean })[] {
  const py = `
import configparser, json, re, sys
text, user, path = json.loads(sys.stdin.read())
c = configparser.ConfigParser()
c.read_string(text)
out = []
for s in c.sections():
    up, cp = c.get(s, "user"), c.get(s, "collection")
    um = re.fullmatch(up.format(), user)
    cm = um and re.fullmatch(cp.format(*(re.escape(g) for g in um.groups()), user=re.escape(user)), path.strip("/"))
    out.append({"name": s, "user": up, "collection": cp, "permissions": c.get(s, "permissions"), "matches": bool(um and cm)})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify([text, user, path]), encoding: 'utf8' })) as (Section & { matches: boolean })[];
}

describe('radicaleRights', () => {
  it('is exactly the two sections SERVERS.md describes, for view-only', () => {
    assert.equal(
      radicaleRights('alice', '/alice/calendar/', 'bob', 'read').replace(/-[0-9a-f]{8}(?=(-list)?\])/g, ''),
      [
        '[calshare-alice-calendar-bob]',
        'user: bob',
        'collection: alice/calendar',
        'permissions: r',
        '',
        '[calshare-alice-calendar-bob-list]',
        'user: bob',
        'collection: alice',
        'permissions: R',
      ].join('\n'),
    );
  });

  it('names sections uniquely even where the readable part collides ("a.b" and "a_b")', () => {
    const names = (cal: string) => radicaleReads(radicaleRights('alice', cal, 'bob', 'read'), 'bob', cal).map((x) => x.name);
    const both = [...names('/alice/a.b/'), ...names('/alice/a_b/')];
    assert.equal(new Set(both).size, 4);
  });

  it('gives rw for edit, and R on the parent all the same', () => {
    const s = radicaleReads(radicaleRights('alice', '/alice/calendar/', 'bob', 'edit'), 'bob', '/alice/calendar/');
    assert.deepEqual(s.map((x) => x.permissions), ['rw', 'R']);
    assert.deepEqual(s.map((x) => x.collection), ['alice/calendar', 'alice']);
  });

  it('matches the sharee on the calendar and its parent, and nobody and nothing else', () => {
    const text = radicaleRights('alice', '/alice/calendar/', 'bob', 'read');
    assert.deepEqual(radicaleReads(text, 'bob', '/alice/calendar/').map((s) => s.matches), [true, false]);
    assert.deepEqual(radicaleReads(text, 'bob', '/alice/').map((s) => s.matches), [false, true]);
    assert.deepEqual(radicaleReads(text, 'bobby', '/alice/calendar/').map((s) => s.matches), [false, false]);
    assert.deepEqual(radicaleReads(text, 'bob', '/alice/calendarX/').map((s) => s.matches), [false, false]);
    assert.deepEqual(radicaleReads(text, 'bob', '/alice/calendar/x/').map((s) => s.matches), [false, false]);
  });

  it('escapes regex characters: a dot in a name matches only a dot', () => {
    const text = radicaleRights('alice', '/alice/my.cal+1/', 'bob.smith', 'read');
    assert.match(text, /^collection: alice\/my\\\.cal\\\+1$/m);
    assert.deepEqual(radicaleReads(text, 'bob.smith', '/alice/my.cal+1/').map((s) => s.matches), [true, false]);
    assert.deepEqual(radicaleReads(text, 'bobXsmith', '/alice/myXcal+1/').map((s) => s.matches), [false, false]);
    assert.deepEqual(radicaleReads(text, 'bob.smith', '/alice/myXcal1/').map((s) => s.matches), [false, false]);
  });

  // Radicale matches the decoded path (WSGI PATH_INFO); the calendar URL calshare holds is escaped.
  it('matches a calendar whose name has spaces and non-ASCII letters (escaped in the URL)', () => {
    const text = radicaleRights('alice', '/alice/Family%20Caf%C3%A9/', 'bob', 'read');
    assert.deepEqual(radicaleReads(text, 'bob', '/alice/Family Café/').map((s) => s.matches), [true, false]);
  });

  it('survives configparser interpolation: a "%" in a name does not break the file', () => {
    const text = radicaleRights('alice', '/alice/100%25/', 'bob', 'read');
    assert.deepEqual(radicaleReads(text, 'bob', '/alice/100%/').map((s) => s.matches), [true, false]);
  });

  it('survives str.format(): braces in a user name (valid in an address) or a calendar name', () => {
    const text = radicaleRights('alice', '/alice/a%7B2%7D/', 'b{o}b', 'edit');
    assert.deepEqual(radicaleReads(text, 'b{o}b', '/alice/a{2}/').map((s) => s.matches), [true, false]);
    assert.deepEqual(radicaleReads(text, 'b{o}b', '/alice/aa/').map((s) => s.matches), [false, false], '{2} is not a quantifier');
  });

  it('a trailing space in a name survives configparser stripping values', () => {
    const text = radicaleRights('alice', '/alice/cal%20/', 'bob', 'read');
    assert.deepEqual(radicaleReads(text, 'bob', '/alice/cal /').map((s) => s.matches), [true, false]);
  });

  it('makes section names from safe characters only', () => {
    const text = radicaleRights('alice', '/alice/we ird]name/', 'b[o]b', 'read');
    for (const line of text.split('\n').filter((l) => l.startsWith('['))) assert.match(line, /^\[calshare-[A-Za-z0-9_.-]+\]$/);
  });
});

const caps = (server: string | undefined, owned = true): Capabilities => {
  const calendar = { ...calendarWith('<X:displayname>Family</X:displayname>'), owned };
  return {
    calendar,
    server: { dav: ['1', '2', 'calendar-access'], allow: [], server },
    mechanisms: [],
    preferred: undefined,
    scheduling: { advertised: [], neededForSharing: false, note: '' },
  };
};

describe('cannotShare', () => {
  it('Radicale: exit 6, and the hint holds the sections for every person', () => {
    const e = cannotShare(caps('Radicale/3.1.8'), 'alice', ['bob@example.test', 'carol@example.test'], 'edit');
    assert.ok(e instanceof UnsupportedError);
    assert.equal(e.exitCode, 6);
    assert.equal(serverKind(caps('Radicale/3.1.8')), 'radicale');
    assert.match(e.message, /Radicale cannot share "Family"/);
    assert.ok(e.hint!.includes(radicaleRights('alice', '/dav/calendars/user/alice/work/', 'bob', 'edit')));
    assert.ok(e.hint!.includes(radicaleRights('alice', '/dav/calendars/user/alice/work/', 'carol', 'edit')));
  });

  it('Radicale, revoking: says which sections to remove instead', () => {
    const e = cannotShare(caps('Radicale/3.1.8'), 'alice', ['bob@example.test'], 'none');
    assert.match(e.hint!, /remove the \[calshare-…\] sections/);
  });

  it('Xandikos: exit 6, single user, no sharing', () => {
    const e = cannotShare(caps('Xandikos/0.2.8'), 'alice', ['bob@example.test'], 'read');
    assert.equal(e.exitCode, 6);
    assert.match(e.message, /Xandikos cannot share "Family"/);
  });

  it('anything else: exit 6, and a calendar the user does not own gets a different hint', () => {
    assert.match(cannotShare(caps(undefined), 'alice', [], 'read').hint!, /administrator/);
    assert.match(cannotShare(caps(undefined, false), 'alice', [], 'read').hint!, /Only the owner/);
  });
});
