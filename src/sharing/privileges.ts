// DAV:supported-privilege-set (RFC 3744 §5.3): which privileges a resource knows, which are
// aggregates of which, and which are abstract (never granted on their own, §5.3 and §8.1.1 no-abstract).
import { NS, clark } from '../xml/names.js';
import { child, children, type XmlElement } from '../xml/parse.js';

const D = (name: string) => ({ ns: NS.DAV, name });

export interface PrivilegeTree {
  /** Clark name → the privileges it aggregates, itself included, transitively. */
  readonly contains: ReadonlyMap<string, ReadonlySet<string>>;
  readonly abstract: ReadonlySet<string>;
}

export function parsePrivilegeTree(set: XmlElement | undefined): PrivilegeTree {
  const contains = new Map<string, Set<string>>();
  const abstract = new Set<string>();
  const walk = (sp: XmlElement): Set<string> => {
    const p = child(sp, D('privilege'))?.children[0];
    const name = p ? clark(p) : '';
    const all = new Set<string>(name ? [name] : []);
    for (const sub of children(sp, D('supported-privilege'))) for (const n of walk(sub)) all.add(n);
    if (name) {
      contains.set(name, all);
      if (child(sp, D('abstract'))) abstract.add(name);
    }
    return all;
  };
  children(set, D('supported-privilege')).forEach(walk);
  return { contains, abstract };
}

export const DAV_PRIV = (name: string) => `{${NS.DAV}}${name}`;

/** Everything a set of granted privileges amounts to, aggregates expanded (§3.12 DAV:all etc.). */
export function expand(tree: PrivilegeTree, granted: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const g of granted) {
    out.add(g);
    for (const c of tree.contains.get(g) ?? []) out.add(c);
  }
  return out;
}

export const grantable = (tree: PrivilegeTree, p: string) => tree.contains.has(p) && !tree.abstract.has(p);
