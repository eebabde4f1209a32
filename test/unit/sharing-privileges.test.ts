// DAV:supported-privilege-set (RFC 3744 §5.3) read into a tree: aggregation is transitive, abstract
// privileges are known but never grantable (§8.1.1 no-abstract), and names are namespace-exact.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DAV_PRIV, expand, grantable, parsePrivilegeTree } from '../../src/sharing/privileges.js';
import { parseXml } from '../../src/xml/parse.js';
import { NS } from '../../src/xml/names.js';
import { cyrusTree, sabreTree } from './fixtures/sharing.js';

const C = (n: string) => `{${NS.CALDAV}}${n}`;
const CY = (n: string) => `{http://cyrusimap.org/ns/}${n}`;
const D = DAV_PRIV;
const sorted = (s: Iterable<string>) => [...s].sort();


describe('parsePrivilegeTree on a real Cyrus 3.6 answer (fixtures/cyrus-privileges.xml)', () => {
  const t = cyrusTree();

  it('knows every privilege, in its own namespace', () => {
    for (const p of [D('all'), D('read'), D('write'), D('write-content'), D('write-properties'), D('bind'), D('unbind'), D('read-acl'), D('write-acl'), D('share'), C('read-free-busy'), CY('admin'), CY('add-resource')]) {
      assert.ok(t.contains.has(p), p);
    }
    assert.ok(!t.contains.has(D('read-free-busy')), 'read-free-busy is a CalDAV name, not a DAV: one');
  });

  it('aggregates transitively: DAV:all contains everything, DAV:write its parts and theirs', () => {
    assert.equal(t.contains.get(D('all'))!.size, t.contains.size);
    assert.deepEqual(
      sorted(t.contains.get(D('write'))!),
      sorted([D('write'), D('write-content'), D('write-properties'), CY('write-properties-collection'), CY('write-properties-resource'), D('bind'), CY('make-collection'), CY('add-resource'), D('unbind'), CY('remove-collection'), CY('remove-resource')]),
    );
    assert.ok(t.contains.get(D('read'))!.has(C('read-free-busy')), 'Cyrus keeps read-free-busy inside DAV:read (RFC 4791 §6.1.1)');
  });

  it('marks exactly the abstract ones', () => {
    assert.deepEqual(sorted(t.abstract), sorted([D('read-current-user-privilege-set'), D('read-acl'), D('write-acl'), D('unlock'), D('share')]));
  });

  it('grantable: known and concrete', () => {
    assert.ok(grantable(t, D('read')));
    assert.ok(grantable(t, D('write')));
    assert.ok(grantable(t, D('all')));
    assert.ok(!grantable(t, D('write-acl')), 'abstract');
    assert.ok(!grantable(t, D('read-acl')), 'abstract');
    assert.ok(!grantable(t, '{DAV:}no-such-privilege'), 'unknown');
  });
});

describe('parsePrivilegeTree on a sabre/dav-shaped answer', () => {
  const t = sabreTree();
  it('reads the same structure whatever the prefixes', () => {
    assert.ok(t.contains.get(D('read'))!.has(C('read-free-busy')));
    assert.ok(t.contains.get(D('write'))!.has(D('bind')));
    assert.deepEqual(sorted(t.abstract), []);
    assert.ok(grantable(t, D('write-acl')));
  });
});

describe('parsePrivilegeTree edge cases', () => {
  const tree = (inner: string) => parsePrivilegeTree(parseXml(`<x:supported-privilege-set xmlns:x="DAV:" xmlns:o="urn:other">${inner}</x:supported-privilege-set>`));

  it('is empty for a missing property', () => {
    const t = parsePrivilegeTree(undefined);
    assert.equal(t.contains.size, 0);
    assert.ok(!grantable(t, D('read')));
  });

  it('skips a supported-privilege without a privilege but keeps its children', () => {
    const t = tree('<x:supported-privilege><x:supported-privilege><x:privilege><x:read/></x:privilege></x:supported-privilege></x:supported-privilege>');
    assert.deepEqual([...t.contains.keys()], [D('read')]);
  });

  it('keeps foreign-namespace privileges apart from DAV: ones of the same local name', () => {
    const t = tree('<x:supported-privilege><x:privilege><o:read/></x:privilege><x:abstract/></x:supported-privilege><x:supported-privilege><x:privilege><x:read/></x:privilege></x:supported-privilege>');
    assert.ok(!grantable(t, '{urn:other}read'));
    assert.ok(grantable(t, D('read')));
  });
});

describe('expand', () => {
  const t = cyrusTree();
  it('adds everything an aggregate contains and keeps unknown names as they are', () => {
    const e = expand(t, [D('write'), '{urn:x}custom']);
    assert.ok(e.has(D('bind')) && e.has(CY('remove-resource')) && e.has('{urn:x}custom'));
    assert.ok(!e.has(D('read')));
  });
  it('DAV:all expands to every known privilege', () => {
    assert.equal(expand(t, [D('all')]).size, t.contains.size);
  });
  it('does not aggregate upwards: all the parts of DAV:read are not DAV:read', () => {
    assert.ok(!expand(t, [D('read-current-user-privilege-set'), C('read-free-busy')]).has(D('read')));
  });
});
