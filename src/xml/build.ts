// A small namespace-aware XML builder for request bodies. Every namespace used anywhere in the tree
// is declared once on the root, and every text value goes through one escape(), so no caller can
// produce markup from data. (A library builder such as xmlbuilder2 costs ~300 KB for the handful of
// fixed-shape bodies DAV needs; round-trip property tests in test/unit hold this one to account.)
import { PREFERRED_PREFIX, type QName } from './names.js';
import { UnsupportedError } from '../errors.js';

export interface XmlNode {
  /** '' for an element in no namespace: written unprefixed (no default namespace is ever declared). */
  readonly ns: string;
  readonly name: string;
  readonly children: readonly (XmlNode | string)[];
  /** Attributes in no namespace, and in a namespace (both kept when a server's element is echoed). */
  readonly attrs?: Readonly<Record<string, string>>;
  readonly nsAttrs?: readonly { ns: string; name: string; value: string }[];
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace'; // bound to "xml" by definition (Namespaces in XML §3)

export const el = (q: QName, ...children: (XmlNode | string | undefined | false)[]): XmlNode => ({
  ns: q.ns,
  name: q.name,
  children: children.filter((c): c is XmlNode | string => c !== undefined && c !== false),
});

/** An element with un-namespaced attributes; values go through the same escape() as text. */
export const elWith = (q: QName, attrs: Readonly<Record<string, string>>, ...children: (XmlNode | string | undefined | false)[]): XmlNode => ({
  ...el(q, ...children),
  attrs,
});

// XML 1.0 §2.3 Name, restricted to ASCII: attribute names are ours, never data.
const ATTR_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// XML 1.0 §2.2 Char: anything outside cannot be carried by a document at all, escaped or not.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * A request calshare cannot write faithfully. Input from people is validated long before a body is
 * built, so this means server data being echoed (an ACE): refused before anything is sent.
 */
export class XmlBuildError extends UnsupportedError {}

export function escapeText(value: string): string {
  const bad = NOT_XML_CHAR.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new XmlBuildError(
      `a value to send holds U+${code}, a character XML cannot carry, so the request would not say what the server sent; nothing was sent`,
      'The calendar holds text (e.g. in its access list) that cannot be written back; ask the server administrator to clean it up.',
    );
  }
  // \r is escaped because parsers fold a literal CR into LF (XML 1.0 §2.11).
  return value.replace(/[&<>"\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function serialize(root: XmlNode): string {
  // Namespaces in XML 1.0 §3: a prefix cannot be bound to "" (xmlns:ns1="" is not well-formed), so an
  // element in no namespace is written without a prefix; "xml" is bound already and never declared.
  const prefixes = new Map<string, string>([[XML_NS, 'xml']]);
  const bind = (ns: string) => {
    if (ns !== '' && !prefixes.has(ns)) prefixes.set(ns, PREFERRED_PREFIX[ns] ?? `ns${prefixes.size}`);
  };
  const collect = (n: XmlNode) => {
    bind(n.ns);
    for (const a of n.nsAttrs ?? []) bind(a.ns);
    for (const c of n.children) if (typeof c !== 'string') collect(c);
  };
  collect(root);
  const decls = [...prefixes].filter(([uri]) => uri !== XML_NS).map(([uri, p]) => ` xmlns:${p}="${escapeText(uri)}"`).join('');
  const attrs = (n: XmlNode) =>
    Object.entries(n.attrs ?? {}).map(([k, v]) => {
      if (!ATTR_NAME.test(k)) throw new XmlBuildError(`"${k}" is not an attribute name`);
      return ` ${k}="${escapeText(v)}"`;
    }).join('') +
    (n.nsAttrs ?? []).map((a) => ` ${prefixes.get(a.ns)}:${a.name}="${escapeText(a.value)}"`).join('');
  const write = (n: XmlNode, isRoot: boolean): string => {
    const tag = n.ns === '' ? n.name : `${prefixes.get(n.ns)}:${n.name}`;
    const open = `<${tag}${isRoot ? decls : ''}${attrs(n)}`;
    if (n.children.length === 0) return `${open}/>`;
    const inner = n.children.map((c) => (typeof c === 'string' ? escapeText(c) : write(c, false))).join('');
    return `${open}>${inner}</${tag}>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>\n${write(root, true)}`;
}
