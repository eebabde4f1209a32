// A small namespace-aware XML builder for request bodies. Every namespace used anywhere in the tree
// is declared once on the root, and every text value goes through one escape(), so no caller can
// produce markup from data. (A library builder such as xmlbuilder2 costs ~300 KB for the handful of
// fixed-shape bodies DAV needs; round-trip property tests in test/unit hold this one to account.)
import { PREFERRED_PREFIX, type QName } from './names.js';

export interface XmlNode {
  readonly ns: string;
  readonly name: string;
  readonly children: readonly (XmlNode | string)[];
}

export const el = (q: QName, ...children: (XmlNode | string | undefined | false)[]): XmlNode => ({
  ns: q.ns,
  name: q.name,
  children: children.filter((c): c is XmlNode | string => c !== undefined && c !== false),
});

// XML 1.0 §2.2 Char: anything outside cannot be carried by a document at all, escaped or not.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export class XmlBuildError extends Error {}

export function escapeText(value: string): string {
  if (NOT_XML_CHAR.test(value)) throw new XmlBuildError('value contains a character XML cannot carry');
  // \r is escaped because parsers fold a literal CR into LF (XML 1.0 §2.11).
  return value.replace(/[&<>"\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function serialize(root: XmlNode): string {
  const prefixes = new Map<string, string>();
  const collect = (n: XmlNode) => {
    if (!prefixes.has(n.ns)) prefixes.set(n.ns, PREFERRED_PREFIX[n.ns] ?? `ns${prefixes.size}`);
    for (const c of n.children) if (typeof c !== 'string') collect(c);
  };
  collect(root);
  const decls = [...prefixes].map(([uri, p]) => ` xmlns:${p}="${escapeText(uri)}"`).join('');
  const write = (n: XmlNode, isRoot: boolean): string => {
    const tag = `${prefixes.get(n.ns)}:${n.name}`;
    const open = `<${tag}${isRoot ? decls : ''}`;
    if (n.children.length === 0) return `${open}/>`;
    const inner = n.children.map((c) => (typeof c === 'string' ? escapeText(c) : write(c, false))).join('');
    return `${open}>${inner}</${tag}>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>\n${write(root, true)}`;
}
