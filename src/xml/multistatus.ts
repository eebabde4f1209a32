// RFC 4918 §13 multistatus and §16 DAV:error bodies, read into plain values.
import { NS, qn, clark, type QName } from './names.js';
import { child, children, is, parseXml, textOf, XmlError, type XmlElement } from './parse.js';
import { inertLine } from '../util/inert.js';

const D = (name: string) => qn(NS.DAV, name);

export interface PropResult {
  readonly status: number;
  readonly el: XmlElement;
}

export interface MultiStatusResponse {
  /** Absolute URL of the resource, resolved against the request URL. */
  readonly url: URL;
  /** Whole-response status (§14.24), for responses that carry no propstat. */
  readonly status: number | undefined;
  readonly props: ReadonlyMap<string, PropResult>;
}

/** "HTTP/1.1 404 Not Found" → 404 (RFC 4918 §14.28). */
export function parseStatusLine(line: string | undefined): number | undefined {
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})\b/.exec(line?.trim() ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * A DAV:href resolved against the request URL. A DAV:href names a resource (RFC 4918 §8.3), which
 * has no query or fragment; Cyrus leaves a "?" or "#" of a resource name unescaped, and resolving it
 * as-is would cut the name short, so both are kept as part of the path. Throws on a malformed href.
 */
export function hrefUrl(href: string, base: URL): URL {
  return new URL(href.replace(/[?#]/g, encodeURIComponent), base);
}

export function parseMultiStatus(body: string, base: URL): MultiStatusResponse[] {
  const root = parseXml(body);
  if (!is(root, D('multistatus'))) throw new XmlError(`expected DAV:multistatus, got {${root.ns}}${root.name}`);
  return children(root, D('response')).flatMap((r) => {
    const href = textOf(child(r, D('href')));
    if (!href) return [];
    const props = new Map<string, PropResult>();
    for (const ps of children(r, D('propstat'))) {
      const status = parseStatusLine(textOf(child(ps, D('status')))) ?? 0;
      for (const p of child(ps, D('prop'))?.children ?? []) props.set(clark(p), { status, el: p });
    }
    // A malformed href must surface as unreadable XML (→ BAD_RESPONSE), not as an internal TypeError.
    let url: URL;
    try {
      url = hrefUrl(href, base);
    } catch {
      throw new XmlError(`response href "${href}" is not a URL`);
    }
    return [{ url, status: parseStatusLine(textOf(child(r, D('status')))), props }];
  });
}

/** The property element when the server answered it with 2xx, else undefined. */
export function prop(r: MultiStatusResponse, q: QName): XmlElement | undefined {
  const p = r.props.get(clark(q));
  return p && p.status >= 200 && p.status < 300 ? p.el : undefined;
}

/** Status the server gave for one property (404 = not supported here, 403 = not allowed to read). */
export const propStatus = (r: MultiStatusResponse, q: QName): number | undefined => r.props.get(clark(q))?.status;

export interface DavErrorBody {
  /** Precondition names, DAV: ones bare ("need-privileges"), others with a short namespace label. */
  readonly conditions: string[];
}

const LABEL: Record<string, string> = { [NS.CALDAV]: 'C', [NS.CS]: 'CS', [NS.OC]: 'oc' };

/** Reads a DAV:error body (RFC 4918 §16); undefined for anything else (HTML error pages etc.). */
export function parseDavError(body: string): DavErrorBody | undefined {
  if (!body.trimStart().startsWith('<')) return undefined;
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch {
    return undefined;
  }
  if (!is(root, D('error'))) return undefined;
  return {
    conditions: conditionsOf(root),
  };
}

// Server text: a namespace with a line break must not forge an extra line of output (issue 11 §3).
const conditionsOf = (error: XmlElement): string[] =>
  error.children.map((c) => inertLine(c.ns === NS.DAV ? c.name : `${LABEL[c.ns] ?? `{${c.ns}}`}:${c.name}`));

export interface MultiStatusFailure {
  href: string;
  status: number;
  conditions: string[];
}

/**
 * The first failure inside a 207 answer to a write (RFC 4918 §13: the request's own status says
 * nothing about each resource; an ACL or PROPPATCH may be refused per resource with 403 and a
 * DAV:error, §14.5). Undefined when every resource succeeded or the body is no multistatus.
 */
export function multistatusFailure(body: string): MultiStatusFailure | undefined {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch {
    return undefined;
  }
  if (!is(root, D('multistatus'))) return undefined;
  for (const r of children(root, D('response'))) {
    const statuses = [parseStatusLine(textOf(child(r, D('status')))), ...children(r, D('propstat')).map((ps) => parseStatusLine(textOf(child(ps, D('status')))))];
    const status = statuses.find((x): x is number => x !== undefined && x >= 400);
    if (status === undefined) continue;
    const errors = [child(r, D('error')), ...children(r, D('propstat')).map((ps) => child(ps, D('error')))].filter((e): e is XmlElement => e !== undefined);
    return { href: inertLine(textOf(child(r, D('href'))) ?? ''), status, conditions: errors.flatMap(conditionsOf) };
  }
  return undefined;
}
