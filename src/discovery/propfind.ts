// PROPFIND (RFC 4918 §9.1): the one read everything in discovery and sharing is built on.
import type { Transport } from '../transport/http.js';
import { el, serialize } from '../xml/build.js';
import { NS, qn, type QName } from '../xml/names.js';
import { parseMultiStatus, type MultiStatusResponse } from '../xml/multistatus.js';
import { NetworkError } from '../errors.js';
import { XmlError } from '../xml/parse.js';

export function propfindBody(props: readonly QName[]): string {
  return serialize(el(qn(NS.DAV, 'propfind'), el(qn(NS.DAV, 'prop'), ...props.map((p) => el(p)))));
}

export interface PropfindResult {
  responses: MultiStatusResponse[];
  /** The URL that answered, after redirects. */
  url: URL;
}

export async function propfind(
  t: Transport,
  url: URL,
  props: readonly QName[],
  depth: '0' | '1',
  purpose: string,
): Promise<PropfindResult> {
  const res = await t.send({ method: 'PROPFIND', url, headers: { depth }, body: propfindBody(props), purpose });
  if (res.status !== 207) {
    throw new NetworkError(`${url.host} answered ${res.status} instead of a multistatus while ${purpose}`, 'Check that --url points at a CalDAV server.', 'BAD_RESPONSE');
  }
  return { responses: parseResponse(res.body, res.url, url, purpose), url: res.url };
}

export function parseResponse(body: string, base: URL, url: URL, purpose: string): MultiStatusResponse[] {
  try {
    return parseMultiStatus(body, base);
  } catch (e) {
    if (!(e instanceof XmlError)) throw e;
    throw new NetworkError(
      `the server's answer while ${purpose} could not be read: ${e.message}`,
      'The response was malformed or cut off; try again, and check for a proxy between you and the server.',
      'BAD_RESPONSE',
      { cause: e },
    );
  }
}

/** Compares resource URLs the way servers mean them: decoded path, trailing slash optional. */
export function sameResource(a: URL, b: URL): boolean {
  const norm = (u: URL) => {
    let p: string;
    try {
      p = decodeURIComponent(u.pathname);
    } catch {
      p = u.pathname;
    }
    return `${u.host}${p.replace(/\/+$/, '')}`;
  };
  return norm(a) === norm(b);
}

/** The response describing `url` itself (Depth 0 answers may use a different href spelling). */
export function selfResponse(responses: MultiStatusResponse[], url: URL): MultiStatusResponse | undefined {
  return responses.find((r) => sameResource(r.url, url)) ?? (responses.length === 1 ? responses[0] : undefined);
}
