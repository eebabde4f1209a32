// Namespaces calshare speaks. Prefixes on the wire are arbitrary; these URIs are what we match on.
export const NS = {
  DAV: 'DAV:',
  CALDAV: 'urn:ietf:params:xml:ns:caldav', // RFC 4791
  CS: 'http://calendarserver.org/ns/', // Apple caldav-sharing.txt
  ICAL: 'http://apple.com/ns/ical/', // calendar-color
  OC: 'http://owncloud.org/ns',
  INVERSE: 'urn:inverse:params:xml:ns:inverse-dav', // SOGo's DAV extensions (acl-query)
} as const;

/** Prefixes we declare on the bodies we build; readers never rely on them. */
export const PREFERRED_PREFIX: Readonly<Record<string, string>> = {
  [NS.DAV]: 'd',
  [NS.CALDAV]: 'c',
  [NS.CS]: 'cs',
  [NS.ICAL]: 'ical',
  [NS.OC]: 'oc',
  [NS.INVERSE]: 'inv',
};

export interface QName {
  readonly ns: string;
  readonly name: string;
}

export const qn = (ns: string, name: string): QName => ({ ns, name });

/** Clark notation, "{DAV:}href": a stable map key for a namespaced name. */
export const clark = (q: QName): string => `{${q.ns}}${q.name}`;
