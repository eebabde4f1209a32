// Who has access, merged from CS:invite, DAV:invite and DAV:acl; and how the engine finds a person
// in that list (by address, or by principal URL however the server spells it) and picks the
// mechanism that can fix a change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allGrants, findSharee, higher, isOwner, keyOf, originOf, othersOf, shareeCount, shareeFinder, shareesOf, sortedBy } from '../../src/sharing/sharees.js';
import { byAddress, mechanismFor, ownLevels, revokee, shownPrincipals } from '../../src/sharing/engine.js';
import { mechanism } from '../../src/sharing/registry.js';
import type { Sharee } from '../../src/sharing/types.js';
import { ORIGIN, calendarWith, ctx, person } from './fixtures/sharing.js';

const csUser = (h: string, status: string, access: string) => `<S:user><X:href>${h}</X:href><S:${status}/><S:access><S:${access}/></S:access></S:user>`;
const davSharee = (h: string, status: string, access: string) => `<X:sharee><X:href>${h}</X:href><X:${status}/><X:share-access><X:${access}/></X:share-access></X:sharee>`;
const grantAce = (path: string, ...privs: string[]) =>
  `<X:ace><X:principal><X:href>${path}</X:href></X:principal><X:grant>${privs.map((p) => `<X:privilege><X:${p}/></X:privilege>`).join('')}</X:grant></X:ace>`;
const OWNER_ACE = '<X:ace><X:principal><X:self/></X:principal><X:grant><X:privilege><X:all/></X:privilege></X:grant></X:ace>';
const SUPPORTED =
  '<X:supported-privilege-set><X:supported-privilege><X:privilege><X:all/></X:privilege>' +
  '<X:supported-privilege><X:privilege><X:read/></X:privilege></X:supported-privilege>' +
  '<X:supported-privilege><X:privilege><X:write/></X:privilege>' +
  '<X:supported-privilege><X:privilege><X:write-properties/></X:privilege></X:supported-privilege></X:supported-privilege>' +
  '</X:supported-privilege></X:supported-privilege-set>';
const cal = (cs: string, dav: string, aces: string) =>
  calendarWith(SUPPORTED, `<S:invite>${cs}</S:invite>`, `<X:invite>${dav}</X:invite>`, `<X:acl>${OWNER_ACE}${aces}</X:acl>`);

const brief = (s: Sharee[]) => s.map((x) => ({ email: x.email, level: x.level, status: x.status, sources: x.sources }));

describe('shareesOf: one entry per person across the three mechanisms', () => {
  it('merges a person shared by invite (mailto) and by ACL (principal) into one, sources in order', () => {
    const c = cal(
      csUser('mailto:bob@example.test', 'invite-accepted', 'read'),
      davSharee('mailto:Bob@Example.test', 'invite-accepted', 'read'),
      grantAce('/dav/principals/user/bob/', 'read', 'write-properties'),
    );
    const s = shareesOf(c, ctx);
    assert.deepEqual(brief(s), [{ email: 'bob@example.test', level: 'read', status: 'accepted', sources: ['cs', 'resource-sharing', 'acl'] }]);
    assert.equal(s[0]!.principal, `${ORIGIN}/dav/principals/user/bob/`, 'the ACL supplies the principal');
    assert.equal(originOf(s[0]!), 'invitation');
  });

  it('the effective level is the highest any mechanism shows', () => {
    const c = cal(csUser('mailto:bob@example.test', 'invite-noresponse', 'read'), '', grantAce('/dav/principals/user/bob/', 'read', 'write'));
    assert.deepEqual(brief(shareesOf(c, ctx)), [{ email: 'bob@example.test', level: 'edit', status: 'pending', sources: ['cs', 'acl'] }]);
  });

  it('an ACL-only grant (not in any invite) has origin "acl" and no invite status', () => {
    const c = cal('', '', grantAce('/dav/principals/user/carol/', 'read'));
    const [s] = shareesOf(c, ctx);
    assert.deepEqual(brief([s!]), [{ email: 'carol@example.test', level: 'read', status: undefined, sources: ['acl'] }]);
    assert.equal(originOf(s!), 'acl');
  });

  it('merges an invite naming a principal URL with the ACL grant to the same principal spelled differently', () => {
    const c = cal('', davSharee('/dav/principals/user/dave', 'invite-accepted', 'read'), grantAce(`${ORIGIN}/dav/principals/user/dave/`, 'read'));
    assert.deepEqual(brief(shareesOf(c, ctx)), [{ email: 'dave@example.test', level: 'read', status: 'accepted', sources: ['resource-sharing', 'acl'] }]);
  });

  it('keeps different people apart, sorted by key, and counts them', () => {
    const c = cal(
      csUser('mailto:carol@example.test', 'invite-declined', 'read-write') + csUser('mailto:bob@example.test', 'invite-accepted', 'read'),
      '',
      grantAce('/dav/principals/group/staff/', 'read'),
    );
    const s = shareesOf(c, ctx);
    assert.deepEqual(s.map(keyOf), [`${ORIGIN}/dav/principals/group/staff/`, 'mailto:bob@example.test', 'mailto:carol@example.test']);
    assert.equal(s[0]!.email, undefined, 'a group has no address');
    assert.equal(shareeCount(c, ctx), 3);
  });

  it('lists nobody for a calendar shared with nobody (the owner is not a sharee)', () => {
    assert.deepEqual(shareesOf(cal('', '', ''), ctx), []);
  });

  it('higher ranks none < other < read < edit', () => {
    assert.equal(higher('none', 'other'), 'other');
    assert.equal(higher('read', 'other'), 'read');
    assert.equal(higher('edit', 'read'), 'edit');
    assert.equal(higher('read', 'edit'), 'edit');
  });
});

describe('findSharee (how share/unshare find a person in the read-back state)', () => {
  const s: Sharee[] = [
    { email: undefined, principal: `${ORIGIN}/dav/principals/user/erin`, name: undefined, level: 'read', status: undefined, sources: ['acl'] },
    { email: 'bob@example.test', principal: undefined, name: undefined, level: 'edit', status: 'accepted', sources: ['cs'] },
  ];

  it('by address, whatever its case', () => {
    assert.equal(findSharee(s, { ...person('bob', false), email: 'BOB@example.test' })?.level, 'edit');
  });

  it('by principal URL, with or without the trailing slash the server used', () => {
    assert.equal(findSharee(s, person('erin'))?.level, 'read');
    assert.equal(findSharee(s, { ...person('erin'), principal: new URL(`${ORIGIN}/dav/principals/user/%65rin/`) })?.level, 'read');
  });

  it('nobody else', () => {
    assert.equal(findSharee(s, person('carol')), undefined);
    assert.equal(findSharee(s, person('erin', false)), undefined, 'no principal, no address match');
  });
});

describe('mechanismFor: which mechanism fixes a pending change', () => {
  // bob is listed in neither invite, but the raw ACL gives him read (a grant made by ACL).
  const aclOnly = cal('', '', grantAce('/dav/principals/user/bob/', 'read'));
  const invited = cal(csUser('mailto:bob@example.test', 'invite-accepted', 'read'), '', grantAce('/dav/principals/user/bob/', 'read', 'write-properties'));

  it('revoking an ACL-only grant through a sharing extension goes to the ACL (the invite already says "none")', () => {
    assert.equal(mechanismFor({ who: person('bob'), level: 'none' }, aclOnly, ctx, mechanism('cs'), mechanism('acl')).id, 'acl');
  });

  it('but stays with the chosen mechanism when the ACL is not writable', () => {
    assert.equal(mechanismFor({ who: person('bob'), level: 'none' }, aclOnly, ctx, mechanism('cs'), undefined).id, 'cs');
  });

  it('a change the invite does not show yet goes through the chosen extension', () => {
    assert.equal(mechanismFor({ who: person('bob'), level: 'edit' }, invited, ctx, mechanism('cs'), mechanism('acl')).id, 'cs');
    assert.equal(mechanismFor({ who: person('bob'), level: 'none' }, invited, ctx, mechanism('cs'), mechanism('acl')).id, 'cs');
    assert.equal(mechanismFor({ who: person('carol'), level: 'read' }, invited, ctx, mechanism('resource-sharing'), mechanism('acl')).id, 'resource-sharing');
  });

  it('ACL chosen: always ACL', () => {
    assert.equal(mechanismFor({ who: person('bob'), level: 'none' }, invited, ctx, mechanism('acl'), mechanism('acl')).id, 'acl');
  });
});

describe('the owner is never a sharee (issue 11 §2)', () => {
  it('in any spelling: host alias, relative path without slash, mailto in any case', () => {
    const c = cal(
      csUser('mailto:ALICE@Example.test', 'invite-accepted', 'read-write'),
      davSharee('mailto:alice@example.test', 'invite-accepted', 'read-write'),
      grantAce('http://localhost:8008/dav/principals/user/alice/', 'read', 'write') + grantAce('/dav/principals/user/alice', 'read') + grantAce('/dav/principals/user/bob/', 'read'),
    );
    assert.deepEqual(shareesOf(c, ctx).map((s) => s.email), ['bob@example.test']);
    assert.equal(shareeCount(c, ctx), 1);
  });
});

describe('issue 14: state computed once, look-ups skipped for people the calendar shows', () => {
  const invited = cal(csUser('mailto:bob@example.test', 'invite-accepted', 'read'), '', grantAce('/dav/principals/user/bob/', 'read') + grantAce('/dav/principals/user/carol/', 'read'));

  it('ownLevels gives the same answer mechanismFor finds without it', () => {
    const own = ownLevels(mechanism('cs'), invited, ctx);
    assert.equal(own.get('bob@example.test'), 'read');
    for (const who of ['bob', 'carol', 'dave'] as const) {
      for (const level of ['read', 'edit', 'none'] as const) {
        const c = { who: person(who), level };
        assert.equal(mechanismFor(c, invited, ctx, mechanism('cs'), mechanism('acl'), own).id, mechanismFor(c, invited, ctx, mechanism('cs'), mechanism('acl')).id, `${who} ${level}`);
      }
    }
  });

  it('shownPrincipals maps every address the state shows with a principal, and nobody else', () => {
    const shown = shownPrincipals(invited, ctx);
    assert.equal(shown.get('bob@example.test')?.pathname, '/dav/principals/user/bob/');
    assert.equal(shown.get('carol@example.test')?.pathname, '/dav/principals/user/carol/');
    assert.equal(shown.has('dave@example.test'), false);
  });

  it('shownPrincipals is empty where names come from the server search (people-by-search)', () => {
    assert.equal(shownPrincipals(invited, { ...ctx, quirks: [{ kind: 'people-by-search', seen: 'unit test' }] }).size, 0);
  });
});

describe('issue 14: 5000 sharees, each found through one index (same answers as a search of the list)', () => {
  const N = 5000;
  const sharee = (i: number): Sharee =>
    i % 2
      ? { email: `p${i}@example.test`, principal: `${ORIGIN}/dav/principals/user/p${i}/`, name: undefined, level: 'read', status: 'accepted', sources: ['cs', 'acl'] }
      : { email: undefined, principal: `${ORIGIN}/dav/principals/user/p${i}`, name: undefined, level: 'edit', status: undefined, sources: ['acl'] };
  const list = Array.from({ length: N }, (_, i) => sharee(i));
  // A second entry for p1's address and for p0's principal: the first in list order wins, as a search finds it.
  const dup: Sharee[] = [...list, { ...list[1]!, level: 'edit' }, { ...list[0]!, level: 'read' }];

  it('shareeFinder finds all 5000 by address or principal spelling, the first listed wins, and misses the rest', () => {
    const find = shareeFinder(dup);
    for (let i = 0; i < N; i++) {
      const who = i % 2 ? { ...person(`p${i}`, false), email: `P${i}@Example.test` } : { ...person(`p${i}`), principal: new URL(`${ORIGIN}/dav/principals/user/%70${i}/`) };
      assert.equal(find(who), list[i], `p${i}`);
      assert.equal(find(who), findSharee(dup, who), `p${i} as findSharee`);
    }
    assert.equal(find(person('nobody')), undefined);
    assert.equal(find(person('p0', false)), undefined, 'no principal, no address match');
  });

  it('byAddress + revokee name all 5000 by their listed principal, and the layout for the unlisted', () => {
    const listed = byAddress(dup);
    assert.equal(listed.size, N / 2);
    for (let i = 1; i < N; i += 2) assert.equal(revokee(`P${i}@example.test`, listed, ctx).principal?.href, list[i]!.principal);
    assert.equal(revokee('zed@example.test', listed, ctx).principal?.pathname, '/dav/principals/user/zed/');
  });

  it('sortedBy orders by lower-cased code units, then the key itself; equal keys stay in list order', () => {
    const words = ['b', 'B', 'a', 'é', 'e', 'Z', 'a', '10', '9', 'mailto:u1@x', 'mailto:u10@x', ''].map((w, i) => ({ w, i }));
    assert.deepEqual(
      sortedBy(words, (x) => x.w).map((x) => `${x.w}#${x.i}`),
      ['#11', '10#7', '9#8', 'a#2', 'a#6', 'B#1', 'b#0', 'e#4', 'mailto:u10@x#10', 'mailto:u1@x#9', 'Z#5', 'é#3'],
    );
  });

  it('sortedBy puts a path segment before the longer ones it begins, whatever punctuation follows', () => {
    const groups = ['/p/groups/Team+A/', '/p/groups/team-b/', '/p/groups/team/', '/p/groups/Team.A/'];
    assert.deepEqual(sortedBy(groups, (g) => g), ['/p/groups/team/', '/p/groups/Team+A/', '/p/groups/team-b/', '/p/groups/Team.A/']);
  });
});

describe('issue 14: the grants of one read are parsed once per context', () => {
  const c = cal(csUser('mailto:bob@example.test', 'invite-accepted', 'read'), '', OWNER_ACE.replace('<X:self/>', '<X:all/>') + grantAce('/dav/principals/user/carol/', 'read'));

  it('the same calendar, context and state give the same grants; the sharees and others read from them agree', () => {
    assert.equal(allGrants(c, ctx), allGrants(c, ctx));
    assert.deepEqual(brief(shareesOf(c, ctx)), [
      { email: 'bob@example.test', level: 'read', status: 'accepted', sources: ['cs'] },
      { email: 'carol@example.test', level: 'read', status: undefined, sources: ['acl'] },
    ]);
    assert.deepEqual(othersOf(c, ctx).map((o) => o.kind), ['everyone']);
  });

  it('a new context (here: names from a principal search) is worked out afresh, not served from the first', () => {
    const named = { ...ctx, names: new Map([[`${ORIGIN}/dav/principals/user/carol`, 'carol.c@example.test']]) };
    const carol = (x: typeof ctx) => allGrants(c, x).find((g) => g.via === 'acl' && !g.kind)?.email;
    assert.equal(carol(ctx), 'carol@example.test');
    assert.equal(carol(named), 'carol.c@example.test');
    assert.equal(carol(ctx), 'carol@example.test', 'the first context keeps its own answer');
  });

  it('isOwner still answers alone, for the owner in any spelling', () => {
    assert.equal(isOwner({ email: undefined, principal: `${ORIGIN}/dav/principals/user/%61lice` }, ctx), true);
    assert.equal(isOwner({ email: 'ALICE@example.test', principal: undefined }, ctx), true);
    assert.equal(isOwner({ email: undefined, principal: `${ORIGIN}/dav/principals/user/bob/` }, ctx), false);
  });
});
