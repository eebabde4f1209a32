// PROPFIND (RFC 4918 §9.1): the one read everything in discovery and sharing is built on.
import type { DavResponse, Transport } from '../transport/http.js';
import { el, serialize } from '../xml/build.js';
import { NS, qn, clark, type QName } from '../xml/names.js';
import { parseMultiStatus, type MultiStatusResponse, type PropResult } from '../xml/multistatus.js';
import { NetworkError, ServerRefusedError } from '../errors.js';
import { XmlError } from '../xml/parse.js';

export function propfindBody(props: readonly QName[]): string {
  return serialize(el(qn(NS.DAV, 'propfind'), el(qn(NS.DAV, 'prop'), ...props.map((p) => el(p)))));
}

export interface PropfindResult {
  responses: MultiStatusResponse[];
  /** The URL that answered, after redirects. */
  url: URL;
  /** The answer's headers: they may name the product (servers/fingerprint.ts). */
  headers: DavResponse['headers'];
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
  return { responses: parseResponse(res.body, res.url, url, purpose), url: res.url, headers: res.headers };
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

/**
 * Statuses with which servers refuse a whole PROPFIND over one property they cannot answer, where
 * RFC 4918 §9.1 wants that property's own status inside a 207 instead: SOGo 5.8 answers 501 for
 * DAV:acl on some resources. 401, 404 and 405 say nothing about properties and are not retried.
 */
const WHOLE_REQUEST_REFUSALS = new Set([400, 403, 422, 500, 501]);

export function isPropertyRefusal(e: unknown): e is ServerRefusedError {
  return e instanceof ServerRefusedError && WHOLE_REQUEST_REFUSALS.has(e.status);
}

/**
 * One resource's properties (Depth 0) in one PROPFIND when the server answers it; when it refuses
 * the whole request, one PROPFIND per property, so that a property the server cannot answer is
 * recorded with the status it got (prop() → undefined, propStatus() → e.g. 501) instead of failing
 * everything. Properties already known (`known`, e.g. from a Depth-1 listing) fill in the gaps.
 * Throws the first refusal when not a single property could be read.
 */
export async function propfindTolerant(
  t: Transport,
  url: URL,
  props: readonly QName[],
  purpose: string,
  known?: MultiStatusResponse,
): Promise<MultiStatusResponse | undefined> {
  let refusal: ServerRefusedError;
  try {
    const { responses, url: answered } = await propfind(t, url, props, '0', purpose);
    const r = selfResponse(responses, answered) ?? selfResponse(responses, url);
    return r ? (known ? merge(known, r) : r) : known;
  } catch (e) {
    if (!isPropertyRefusal(e)) throw e;
    refusal = e;
  }
  const merged = new Map<string, PropResult>(known?.props);
  let read = 0;
  for (const p of props) {
    try {
      const { responses, url: answered } = await propfind(t, url, [p], '0', purpose);
      const r = selfResponse(responses, answered) ?? selfResponse(responses, url);
      for (const [k, v] of r?.props ?? []) merged.set(k, v);
      read++;
    } catch (e) {
      if (!isPropertyRefusal(e)) throw e;
      if (!merged.has(clark(p))) merged.set(clark(p), { status: e.status, el: { ns: p.ns, name: p.name, attrs: {}, children: [], text: '' } });
    }
  }
  if (read === 0 && !known) throw refusal;
  return { url: known?.url ?? url, status: known?.status, props: merged };
}

function merge(base: MultiStatusResponse, over: MultiStatusResponse): MultiStatusResponse {
  return { ...over, props: new Map([...base.props, ...over.props]) };
}

/** A resource URL the way servers mean it: decoded path, trailing slash optional (a key for maps). */
export function resourceKey(u: URL): string {
  let p: string;
  try {
    p = decodeURIComponent(u.pathname);
  } catch {
    p = u.pathname;
  }
  return `${u.host}${p.replace(/\/+$/, '')}`;
}

/** Compares resource URLs the way servers mean them: decoded path, trailing slash optional. */
export function sameResource(a: URL, b: URL): boolean {
  return resourceKey(a) === resourceKey(b);
}

/** The response describing `url` itself (Depth 0 answers may use a different href spelling). */
export function selfResponse(responses: MultiStatusResponse[], url: URL): MultiStatusResponse | undefined {
  return responses.find((r) => sameResource(r.url, url)) ?? (responses.length === 1 ? responses[0] : undefined);
}
