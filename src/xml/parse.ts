// Namespace-aware, entity-free XML reading for DAV responses.
// saxes resolves every prefix to its URI (so a server's choice of prefixes never matters), rejects
// unbound prefixes and undefined entities, and we refuse any DOCTYPE outright: no DTD means no
// entity expansion, internal or external.
import { SaxesParser, type SaxesTagNS } from 'saxes';
import type { QName } from './names.js';

export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  /** Attributes without a namespace, by local name (DAV bodies use few, e.g. none at all). */
  readonly attrs: Readonly<Record<string, string>>;
  /** Attributes in a namespace (xml:lang, a vendor's own), kept so an echoed element loses nothing;
   *  namespace declarations themselves are not attributes here. */
  readonly nsAttrs?: readonly { ns: string; name: string; value: string }[];
  readonly children: XmlElement[];
  /** Character data directly inside this element (text and CDATA), untrimmed. */
  text: string;
}

export interface ParseLimits {
  /** Nesting deeper than any DAV body; saxes' xmlns tracking is quadratic in depth. */
  maxDepth: number;
  maxElements: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxDepth: 64, maxElements: 2_000_000 };

export class XmlError extends Error {}

export function parseXml(body: string, limits: ParseLimits = DEFAULT_LIMITS): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;

  parser.on('doctype', () => {
    throw new XmlError('the response contains a DOCTYPE; DTDs and entities are refused');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (stack.length >= limits.maxDepth) throw new XmlError(`XML nested deeper than ${limits.maxDepth}`);
    if (++count > limits.maxElements) throw new XmlError(`XML has more than ${limits.maxElements} elements`);
    const attrs: Record<string, string> = {};
    let nsAttrs: { ns: string; name: string; value: string }[] | undefined;
    // for…in, not Object.values, and one of two fixed object shapes, not a spread: this runs for every
    // element, 15 000 of them in the answer for a calendar shared with 500 people (issue 14).
    for (const key in tag.attributes) {
      const a = tag.attributes[key]!;
      if (a.uri === '') attrs[a.local] = a.value;
      else if (a.uri !== 'http://www.w3.org/2000/xmlns/') (nsAttrs ??= []).push({ ns: a.uri, name: a.local, value: a.value });
    }
    const el: XmlElement = nsAttrs
      ? { ns: tag.uri, name: tag.local, attrs, nsAttrs, children: [], text: '' }
      : { ns: tag.uri, name: tag.local, attrs, children: [], text: '' };
    if (stack.length) stack[stack.length - 1]!.children.push(el);
    root ??= el;
    stack.push(el);
  });
  const onText = (t: string) => {
    const top = stack.at(-1);
    if (top) top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => void stack.pop());

  try {
    parser.write(body).close();
  } catch (e) {
    if (e instanceof XmlError) throw e;
    throw new XmlError(`malformed XML: ${(e as Error).message}`, { cause: e });
  }
  if (!root) throw new XmlError('empty XML body');
  return root;
}

export const is = (el: XmlElement | undefined, q: QName): boolean =>
  el !== undefined && el.ns === q.ns && el.name === q.name;

export const child = (el: XmlElement | undefined, q: QName): XmlElement | undefined =>
  el?.children.find((c) => c.ns === q.ns && c.name === q.name);

export const children = (el: XmlElement | undefined, q: QName): XmlElement[] =>
  el ? el.children.filter((c) => c.ns === q.ns && c.name === q.name) : [];

/** Trimmed text of an element: surrounding whitespace in DAV values is layout, not data. */
export const textOf = (el: XmlElement | undefined): string | undefined => el?.text.trim();
