// The engine's per-person verdict, which `share`/`unshare` print and --json reports: decided from
// what was asked and the levels the server showed before and after, never from a 2xx.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resultKind } from '../../src/sharing/engine.js';

describe('resultKind', () => {
  const cases: [Parameters<typeof resultKind>, ReturnType<typeof resultKind>][] = [
    [['read', 'none', 'read', false], 'shared'],
    [['edit', 'none', 'edit', false], 'shared'],
    [['edit', 'read', 'edit', false], 'changed'],
    [['read', 'edit', 'read', false], 'changed'],
    [['read', 'other', 'read', false], 'changed'],
    [['read', 'read', 'read', false], 'unchanged'],
    [['none', 'read', 'none', false], 'removed'],
    [['none', 'other', 'none', false], 'removed'],
    [['none', 'none', 'none', false], 'not-shared'],
    // The server answered 2xx but shows something else: that is a mismatch, whatever it was before.
    [['read', 'none', 'none', false], 'mismatch'],
    [['edit', 'read', 'read', false], 'mismatch'],
    [['read', 'none', 'edit', false], 'mismatch'],
    [['none', 'read', 'read', false], 'mismatch'],
    [['read', 'read', 'none', false], 'mismatch'], // lost to a concurrent writer
    [['read', 'none', 'other', false], 'mismatch'],
    // Dry run: only what would happen, from the state before.
    [['read', 'none', 'none', true], 'planned'],
    [['none', 'edit', 'edit', true], 'planned'],
    [['read', 'read', 'read', true], 'unchanged'],
    [['none', 'none', 'none', true], 'not-shared'],
  ];
  for (const [[requested, before, after, dry], want] of cases) {
    it(`${dry ? 'dry run: ' : ''}asked ${requested}, was ${before}, now ${after} → ${want}`, () => {
      assert.equal(resultKind(requested, before, after, dry), want);
    });
  }
});
