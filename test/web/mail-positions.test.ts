// The webmail's list cache catching up from Email/queryChanges (web/src/mail/positions.ts):
// whole results, results loaded only in parts, removals it cannot place, and answers that do
// not fit (the app then loads afresh). `u` marks a position not loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyQueryChanges } from '../../web/src/mail/positions.ts';

const u = undefined;

test('new mail goes to the top, a removed row closes up (RFC 8620 §5.6 steps)', () => {
  assert.deepEqual(
    applyQueryChanges(['a', 'b', 'c', 'd'], {
      removed: ['c'],
      added: [{ id: 'n', index: 0 }],
      total: 4,
    }),
    ['n', 'a', 'b', 'd'],
  );
});

test('a changed row named in both removed and added goes to its new index', () => {
  assert.deepEqual(
    applyQueryChanges(['a', 'b', 'c'], {
      removed: ['a', 'c', 'x-not-in-the-list'],
      added: [
        { id: 'c', index: 0 },
        { id: 'a', index: 2 },
      ],
      total: 3,
    }),
    ['c', 'b', 'a'],
  );
});

test('holes keep their places when every removal is found', () => {
  assert.deepEqual(
    applyQueryChanges(['a', 'b', u, u, 'e', 'f'], {
      removed: ['a', 'other-folder'],
      added: [{ id: 'n', index: 0 }],
      total: 6,
    }),
    ['n', 'b', u, u, 'e', 'f'],
  );
});

test('a removal inside a hole: rows after the first hole are no longer sure', () => {
  // Old result: a b [c] [d] e f; b and c were removed, but the cache never held c.
  // New result: n a d e f.
  assert.deepEqual(
    applyQueryChanges(['a', 'b', u, u, 'e', 'f'], {
      removed: ['c', 'b'],
      added: [{ id: 'n', index: 0 }],
      total: 5,
    }),
    ['n', 'a', u, u, u],
  );
  // An addition past the sure stretch still lands at its index.
  assert.deepEqual(
    applyQueryChanges(['a', u, u, 'd'], {
      removed: ['b'],
      added: [{ id: 'z', index: 3 }],
      total: 4,
    }),
    ['a', u, u, 'z'],
  );
});

test('an answer that does not fit the cache asks for a fresh load', () => {
  // More rows gone than were named.
  assert.equal(applyQueryChanges(['a', 'b'], { removed: [], added: [], total: 1 }), null);
  // An index outside the new result.
  assert.equal(
    applyQueryChanges(['a'], { removed: ['a'], added: [{ id: 'a', index: 3 }], total: 1 }),
    null,
  );
  // An added id still in the cache (the server did not name it as removed).
  assert.equal(
    applyQueryChanges(['a', 'b'], { removed: [], added: [{ id: 'a', index: 0 }], total: 3 }),
    null,
  );
});

test('an emptied list and a list that was empty', () => {
  assert.deepEqual(applyQueryChanges(['a', 'b'], { removed: ['a', 'b'], added: [], total: 0 }), []);
  assert.deepEqual(
    applyQueryChanges([], { removed: ['n'], added: [{ id: 'n', index: 0 }], total: 1 }),
    ['n'],
  );
});
