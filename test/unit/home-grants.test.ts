// Grants inherited from the calendar home (issue 16 §5): where a person's access comes from when
// the home also grants them, and reading the home's ACL from the listing answer (no request).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// The listing module first: entering through home-grants.ts would meet the quirks <-> home-spill
// import cycle mid-way (the CLI always loads the listing first).
import { ORIGIN, alice, calendarWith, ctx } from './fixtures/sharing.js';
import { fromHome, grantedBy, homeAclOf, homeGrantees, homeKeys, originWithHome } from '../../src/sharing/home-grants.js';
import { keyOf, shareesOf } from '../../src/sharing/sharees.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import type { Session } from '../../src/session.js';

const grantAce = (path: string, ...privs: string[]) =>
  `<X:ace><X:principal><X:href>${path}</X:href></X:principal><X:grant>${privs.map((p) => `<X:privilege><X:${p}/></X:privilege>`).join('')}</X:grant></X:ace>`;
const OWNER_ACE = '<X:ace><X:principal><X:self/></X:principal><X:grant><X:privilege><X:all/></X:privilege></X:grant></X:ace>';
const principalOf = (u: string) => `/dav/principals/user/${u}/`;
const homeGrants = ['bob', 'carol'].map((u) => new URL(principalOf(u), ORIGIN));

// alice's calendar: bob invited (CS:invite) and in the ACL, carol and dave in the ACL only.
const cal = calendarWith(
  '<S:invite><S:user><X:href>mailto:bob@example.test</X:href><S:invite-accepted/><S:access><S:read/></S:access></S:user></S:invite>',
  `<X:acl>${OWNER_ACE}${grantAce(principalOf('bob'), 'read')}${grantAce(principalOf('carol'), 'read')}${grantAce(principalOf('dave'), 'read')}</X:acl>`,
);
const sharees = shareesOf(cal, ctx);
const who = (local: string) => sharees.find((s) => s.email === `${local}@example.test` || s.principal?.endsWith(`/${local}/`))!;
const home = new Set(sharees.filter((s) => fromHome(s, cal, alice.homeUrl, homeGrants)).map(keyOf));

describe('origin precedence: invitation, then inherited from the home, then access list', () => {
  it('an invited person is "invitation" even when the home grants them too', () => {
    assert.equal(fromHome(who('bob'), cal, alice.homeUrl, homeGrants), false);
    assert.equal(originWithHome(who('bob'), home), 'invitation');
    assert.equal(grantedBy(who('bob'), home), 'invitation');
  });
  it('an access-list-only grant the home also holds is inherited from the calendar home', () => {
    assert.equal(fromHome(who('carol'), cal, alice.homeUrl, homeGrants), true);
    assert.equal(originWithHome(who('carol'), home), 'home');
    assert.equal(grantedBy(who('carol'), home), 'inherited from the calendar home');
  });
  it('an access-list-only grant the home does not hold is the access list', () => {
    assert.equal(fromHome(who('dave'), cal, alice.homeUrl, homeGrants), false);
    assert.equal(grantedBy(who('dave'), home), 'access list');
  });
});

describe('issue 14: a big home against a big calendar, judged through homeKeys', () => {
  it('5000 access-list sharees against 2500 home grants (every other one, spelled without the slash or escaped): same answers as the list', () => {
    const N = 5000;
    const aces = Array.from({ length: N }, (_, i) => grantAce(principalOf(`p${i}`), 'read')).join('');
    const big = calendarWith(`<X:acl>${OWNER_ACE}${aces}</X:acl>`);
    const grantees = Array.from({ length: N / 2 }, (_, j) => new URL(j % 2 ? `/dav/principals/user/p${2 * j}` : `/dav/principals/user/%70${2 * j}/`, ORIGIN));
    const keys = homeKeys(grantees);
    const people = shareesOf(big, ctx);
    assert.equal(people.length, N);
    const inherited = people.filter((s) => fromHome(s, big, alice.homeUrl, keys));
    assert.equal(inherited.length, N / 2);
    assert.ok(inherited.every((s) => /\/p\d*[02468]\/$/.test(s.principal!)), 'the even ones, which the home grants');
    for (const s of people.slice(0, 50)) assert.equal(fromHome(s, big, alice.homeUrl, keys), fromHome(s, big, alice.homeUrl, grantees), s.principal);
  });
});

const listing = (homeProps: string) =>
  parseMultiStatus(
    '<?xml version="1.0" encoding="utf-8"?><X:multistatus xmlns:X="DAV:" xmlns:Q="urn:ietf:params:xml:ns:caldav">' +
      `<X:response><X:href>${alice.homeUrl.pathname}</X:href>${homeProps}</X:response></X:multistatus>`,
    alice.homeUrl,
  )[0]!;
const ok = (p: string) => `<X:propstat><X:prop>${p}</X:prop><X:status>HTTP/1.1 200 OK</X:status></X:propstat>`;
const notFound = '<X:propstat><X:prop><X:acl/></X:prop><X:status>HTTP/1.1 404 Not Found</X:status></X:propstat>';

/** A session whose listing already holds the home's answer; counts any request it would send. */
function listedSession(answer: ReturnType<typeof listing> | undefined) {
  const sent: string[] = [];
  const session = {
    principal: async () => alice,
    listedHome: async () => answer,
    transport: {
      send: async (r: { method: string }) => {
        sent.push(r.method);
        throw new Error('no request expected');
      },
    },
  } as unknown as Session;
  return { session, sent };
}

describe("the home's ACL from the listing's Depth-1 answer", () => {
  it('reads the grantees from the listed home without a request of its own', async () => {
    const { session, sent } = listedSession(listing(ok(`<X:acl>${OWNER_ACE}${grantAce(principalOf('carol'), 'read')}</X:acl>`)));
    const got = await homeGrantees(session);
    assert.deepEqual(got.map((u) => u.pathname), [principalOf('carol')]);
    assert.deepEqual(sent, []);
  });
  it('a home that withholds DAV:acl (404) grants nothing known, still without a request', async () => {
    const answer = listing(notFound);
    assert.equal(homeAclOf(answer), undefined);
    const { session, sent } = listedSession(answer);
    assert.deepEqual(await homeGrantees(session), []);
    assert.deepEqual(sent, []);
  });
  it('without a listed home (listing in several requests), asks the home itself', async () => {
    const { session, sent } = listedSession(undefined);
    assert.deepEqual(await homeGrantees(session), [], 'a failing read is no grant, never a failed listing');
    assert.deepEqual(sent, ['PROPFIND']);
  });
});
