// What a server does unlike its specs, as data: one table keyed by product (fingerprint.ts), each
// entry with the observation that justifies it (STYLE.md §3.7). Detection, mechanisms and the engine
// read `quirks`, never a server name; an unknown server gets RFC behaviour. What a dialect itself
// requires (oc:share takes principal: hrefs) stays in its mechanism, not here.
import type { ServerId } from './fingerprint.js';
import { NS, qn, type QName } from '../xml/names.js';

const DAV = NS.DAV;
import { cyrusHomeSpill } from './cyrus-home-spill.js';
import type { WriteHook } from './write-hook.js';

export type { WriteHook } from './write-hook.js';

interface Seen {
  /** The observation: product and version, what was sent, what came back. */
  seen: string;
}

export type Quirk = Seen &
  (
    | /** Run `hook` around writes (Cyrus's home spill). */ { kind: 'write-hook'; name: string; hook: WriteHook<any> }
    | /** The ACL method upserts the ACEs sent instead of replacing the ACL (RFC 3744 §8.1); `revoke` says how to take a grant back. */ {
        kind: 'acl-upsert';
        revoke: 'empty-grant';
      }
    | /** Allow leaves out methods the server does handle: not evidence against a mechanism. */ { kind: 'allow-omits'; methods: string[] }
    | /** The server advertises a mechanism (DAV: token, properties) that does not work: rule it out. */ { kind: 'broken'; mechanism: string; why: string }
    | /** Properties whose request fails the whole PROPFIND: leave them out of listings. */ { kind: 'propfind-poison'; props: string[] }
    | /**
       * The calendar-proxy groups' DAV:group-member-set is computed from per-calendar grants, so it also
       * lists people who hold one calendar only: a member is a delegate only if every calendar shows him.
       */ { kind: 'proxy-members-derived' }
    | /**
       * People are found by principal-property-search (RFC 3744 §9.4), exact match only, where a
       * principal URL cannot be derived from an address or cannot tell an unknown user. `prop` is the
       * property searched (default C:calendar-user-address-set) and `mailto` whether the value sent
       * carries "mailto:" (default yes).
       */ { kind: 'people-by-search'; prop?: QName; mailto?: boolean }
    | /** Home members with a calendar resourcetype that are not calendars people share (by last path segment). */ {
        kind: 'not-calendars';
        segments: string[];
      }
    | /**
       * Removing a person's own grant while a group grant stays on the calendar also hides the group's
       * grant from them, in a record no listing shows: they lose the calendar (and later shares to the
       * group) until they are shared with directly again.
       */ { kind: 'remove-excludes-from-groups' }
    | /** A mechanism's state is computed by the server from another record and overstates or misnames access: read no grants from it. */ {
        kind: 'derived-state';
        mechanism: string;
        why: string;
      }
    | /**
       * Properties the server computes anew from the sharing state for each one asked (each costs about
       * as much as the state itself): a read that needs only the state (sharees, a read-back) leaves
       * them out. Where DAV:resourcetype is among them, `calendarBy` is the property whose 200 answer
       * tells a calendar instead (RFC 4791 §4.2 would have resourcetype say it).
       */ { kind: 'costly-props'; props: QName[]; calendarBy?: QName }
    | /**
       * `mechanism`'s state is the same record as `of`'s, rendered in another dialect: where a read left
       * its properties out (costly-props), its grants are `of`'s, under its own name.
       */ { kind: 'mirrored-state'; mechanism: string; of: string }
    | /**
       * Answers on a reused connection arrive late: the server writes them in pieces without
       * TCP_NODELAY, so a piece smaller than a segment waits for the client's delayed ACK. Over
       * loopback (a 64 KB segment: every piece is smaller) that is every answer over one piece, and a
       * new connection costs about a millisecond, so there every request gets a connection of its own,
       * but one whose answer fits in the first piece (DavRequest.smallAnswer). Over a network, full
       * segments are ACKed at once and a new connection costs round trips and a TLS handshake:
       * connections are kept.
       */ { kind: 'connection-per-request'; on: 'loopback' }
  );

export type QuirkKind = Quirk['kind'];

export const QUIRKS: Record<ServerId, readonly Quirk[]> = {
  cyrus: [
    {
      kind: 'write-hook',
      name: 'home-spill',
      hook: cyrusHomeSpill,
      seen: 'Cyrus 3.6.1: an ACL write on a calendar grants DAV:read on the calendar home to everyone in the ACL of any of the owner\'s calendars; later calendars copy the home ACL',
    },
    {
      kind: 'costly-props',
      props: [qn(DAV, 'resourcetype'), qn(DAV, 'invite'), qn(DAV, 'share-access'), qn(DAV, 'current-user-privilege-set'), qn(DAV, 'supported-report-set'), qn(DAV, 'sync-token')],
      // caldav-sharing §5.1.1: only a calendar that may be shared has CS:allowed-sharing-modes.
      calendarBy: qn('http://calendarserver.org/ns/', 'allowed-sharing-modes'),
      seen:
        'Cyrus 3.6.1, one calendar shared with 100 people, PROPFIND Depth 0 (median of 9, loaded 2-core machine): CS:invite + DAV:acl 47 ms; ' +
        'adding DAV:resourcetype +30 ms, DAV:invite +40 ms, DAV:share-access +25 ms, current-user-privilege-set +15 ms; all listing properties 129 ms. ' +
        'CS:allowed-sharing-modes answers 200 on calendars and 404 on the home; Inbox/ and Outbox/ answer 404 to a Depth-0 read but 200 in a Depth-1 listing (see not-calendars)',
    },
    {
      kind: 'not-calendars',
      // RFC 6638 §2.1-2.2: the scheduling boxes; Cyrus names them Inbox and Outbox in every home.
      segments: ['Inbox', 'Outbox'],
      seen: 'Cyrus 3.6.1: in a Depth-1 PROPFIND of the home, Inbox/ and Outbox/ (resourcetype schedule-inbox/-outbox) answer CS:allowed-sharing-modes <can-be-shared/> 200 like calendars, so a listing that leaves resourcetype out (costly-props) must drop them by name',
    },
    {
      kind: 'mirrored-state',
      mechanism: 'resource-sharing',
      of: 'cs',
      seen: 'Cyrus 3.6.1: DAV:invite and CS:invite of a calendar list the same sharees with the same access and invite status (both rendered from the calendar\'s ACL; checked by test/integration/reads.test.ts)',
    },
    {
      kind: 'connection-per-request',
      on: 'loopback',
      seen:
        'Cyrus 3.6.1 httpd, 127.0.0.1 (Linux client): a PROPFIND Depth 0 of a calendar (29 KB answer) takes 3 ms on a new connection and 43 ms as the ' +
        'second request on a kept-alive one, every time (curl and Node alike): the first 4096 bytes come at once, the rest 40 ms later, the ' +
        'delayed-ACK timeout. A new connection (TCP, then Cyrus checks the Basic credentials again) costs about 1 ms',
    },
  ],
  // shared/staging/DAVICAL.md §2, §4, §5 (observed on staging DAViCal, staging/davical.sh).
  davical: [
    {
      kind: 'acl-upsert',
      revoke: 'empty-grant',
      seen:
        'DAViCal 1.1.12: ACL changes only the principals it names (an ACL without bob\'s ACE, or an empty <acl/>, answers 200 and bob keeps read+write); ' +
        'bob\'s ACE with an empty <grant/> revokes him (then 403 even for free/busy) and stays listed in DAV:acl; re-sending the owner and <authenticated/> ACEs pins the defaults',
    },
    {
      kind: 'people-by-search',
      seen:
        'DAViCal 1.1.12: PROPFIND of /caldav.php/nobody/ answers 403 like that of an existing user, and an ACL naming an unknown principal answers 403 recognized-principal; ' +
        'principal-property-search on C:calendar-user-address-set matches substrings of e-mail and user name ("ob@example.test" finds bob)',
    },
    {
      kind: 'not-calendars',
      segments: ['.in', '.out'],
      seen: 'DAViCal 1.1.12: the scheduling inbox /caldav.php/alice/.in/ and outbox .out/ answer the resourcetype <collection/><C:calendar/> of a calendar',
    },
  ],
  // Recorded exchanges: test/fixtures/nextcloud/ (Nextcloud 31.0.2, sabre/dav 4.7.0).
  nextcloud: [
    {
      kind: 'broken',
      mechanism: 'cs',
      why: 'Nextcloud advertises calendarserver-sharing and answers CS:allowed-sharing-modes, but a CS:share POST answers 501 and shares nothing',
      seen: 'Nextcloud 31.0.2: POST <CS:share> (text/xml) → 501 "There was no plugin in the system that was willing to handle this POST method."; oc:invite unchanged',
    },
    {
      kind: 'broken',
      mechanism: 'acl',
      why: 'Nextcloud keeps shares outside DAV:acl (only protected ACEs, sharees never listed) and refuses the ACL method',
      seen: 'Nextcloud 31.0.2: Allow lacks ACL; ACL adding a sharee → 501 (PHP built-in server) or 409 no-ace-conflict (Apache), restating the protected ACEs → 403; sharees appear only in oc:invite',
    },
    {
      kind: 'allow-omits',
      methods: ['POST'],
      seen: 'Nextcloud 31.0.2: Allow is "OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, REPORT", yet POST <oc:share> shares (200 X-Sabre-Status: everything-went-well)',
    },
    {
      kind: 'people-by-search',
      prop: qn('http://sabredav.org/ns', 'email-address'),
      mailto: false,
      seen: 'Nextcloud 31.0.2: principal-property-search on {http://sabredav.org/ns}email-address REPORTed to principals/users/ matches the whole address, case-insensitively; on C:calendar-user-address-set with "mailto:" it finds nobody; a user id need not be the local part',
    },
    {
      kind: 'remove-excludes-from-groups',
      seen: 'Nextcloud 31.0.2: Fixture shared with group "Team A" (dave in it) and with dave directly; <oc:remove> of dave → 200, oc:invite lists only Team A, yet dave\'s GET of fixture_shared_by_alice/seed.ics → 404 (an oc_dav_shares row with access 5); a direct <oc:set> for dave lifts it',
    },
  ],
  // Slot for the SOGo helper: e.g. { kind: 'propfind-poison', props: ['{…}…'], seen: 'SOGo 5.8: Depth-1 home PROPFIND 501s when asked for …' }.
  sogo: [
    {
      kind: 'proxy-members-derived',
      seen: 'SOGo 5.8: frank, given view on dave\'s personal calendar by acl-query and subscribed to it, is listed in /SOGo/dav/dave/calendar-proxy-read/ group-member-set although nothing was delegated; a PROPPATCH of the group sets roles on every calendar and subscribes',
    },
    {
      kind: 'derived-state',
      mechanism: 'acl',
      why: "SOGo computes DAV:acl from its acl-query roles; people's access is read from acl-query user-list and roles",
      seen:
        'SOGo 5.8.0: DAV:acl shows an ACE for <D:authenticated/> claiming read, yet users without a role get 404; ' +
        'one ACE per user-list entry with privileges derived from the roles, also for stored uids that name nobody; ' +
        'any sharee with read can read the whole DAV:acl without read-acl',
    },
    {
      kind: 'broken',
      mechanism: 'acl',
      why: 'the ACL method answers 405 though DAV: advertises access-control',
      seen: 'SOGo 5.8.0: ACL on a calendar -> 405 with an empty body; Allow lists no ACL; DAV:acl is read-only',
    },
    {
      // Handled by the listing for every server (discovery/calendars.ts falls back on a whole-request refusal).
      kind: 'propfind-poison',
      props: ['{DAV:}acl'],
      seen: 'SOGo 5.8.0: PROPFIND Depth 1 of the calendar home asking for DAV:acl -> 501 with an empty body (the personal.ics/personal.xml export views fail it); Depth 0 on the calendar answers it',
    },
  ],
  sabredav: [],
  radicale: [],
  xandikos: [],
  other: [],
};

export const quirksFor = (id: ServerId): readonly Quirk[] => QUIRKS[id];

/** The quirks of one kind, typed. */
export const quirksOf = <K extends QuirkKind>(qs: readonly Quirk[] | undefined, kind: K): Extract<Quirk, { kind: K }>[] =>
  (qs ?? []).filter((q): q is Extract<Quirk, { kind: K }> => q.kind === kind);
