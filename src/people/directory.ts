// People search for suggestions (issue 16 §6): the server's directory through a
// principal-property-search REPORT (RFC 3744 §9.4) on DAV:displayname, answered by DAViCal,
// Nextcloud and SabreDAV. The match rule is the server's (usually a substring); calshare keeps
// only principals that carry a mailto: address, since sharing needs one. Some servers answer the
// search but hide everyone (Cyrus 3.6: 207 with no response, even for the user's own name), so
// whether the directory is visible is learned once by searching for oneself.
import type { Transport } from '../transport/http.js';
import { el, serialize } from '../xml/build.js';
import { NS, qn } from '../xml/names.js';
import { parseResponse } from '../discovery/propfind.js';
import { prop } from '../xml/multistatus.js';
import { textOf } from '../xml/parse.js';
import { ADDRESS_SET, addressesOf } from './search.js';

const D = (n: string) => qn(NS.DAV, n);

/** The REPORT body: principals whose display name matches `text` (RFC 3744 §9.4). Pure. */
export function nameSearchBody(text: string): string {
  return serialize(
    el(
      D('principal-property-search'),
      el(D('property-search'), el(D('prop'), el(D('displayname'))), el(D('match'), text)),
      el(D('prop'), el(D('displayname')), el(ADDRESS_SET)),
      el(D('apply-to-principal-collection-set')),
    ),
  );
}

export interface DirectoryPerson {
  email: string;
  name: string | undefined;
}

/** Up to `max` people whose name matches `text`, as the server's directory answers; [] on refusal. */
export async function searchDirectory(t: Transport, at: URL, text: string, max = 10): Promise<DirectoryPerson[]> {
  const q = text.trim();
  if (q.length < 2) return [];
  const purpose = `searching the directory for "${q}"`;
  try {
    const res = await t.send({ method: 'REPORT', url: at, headers: { depth: '0', 'content-type': 'application/xml; charset=utf-8' }, body: nameSearchBody(q), purpose });
    return parseResponse(res.body, res.url, at, purpose)
      .flatMap((r) => {
        const email = addressesOf(r)[0];
        return email ? [{ email, name: textOf(prop(r, D('displayname'))) || undefined }] : [];
      })
      .slice(0, max);
  } catch {
    return []; // a refusal (403, 501) means no directory here; suggestions never fail a page
  }
}

/**
 * Whether the server lets the user search its directory. Cyrus 3.6 answers a principal search with
 * the user alone (searching "bob" finds nothing though bob exists), so the test is to look for
 * someone already shared with (`known`, addresses) by user name; with nobody known yet, a server
 * that at least finds the user is taken at its word.
 */
export async function directoryVisible(t: Transport, at: URL, known: readonly string[] = []): Promise<boolean> {
  const other = known[0];
  if (other) return (await searchDirectory(t, at, other.split('@')[0]!, 50)).some((p) => p.email === other.toLowerCase());
  return (await searchDirectory(t, at, t.user, 50)).length > 0;
}
