// Bringing a cached query result up to date from an Email/queryChanges answer (RFC 8620 §5.6)
// when only parts of it are loaded. The cache is an array as long as the result with an id
// at each loaded position and undefined in the holes between. The RFC's steps — take out
// every id in `removed`, then put each of `added` at its index, lowest index first — place
// every id exactly, as long as every removed id that was in the old result is found. One
// that sat in a hole cannot be found; the old total, the new total and the number of added
// ids say how many there were. Then only the stretch before the first hole is still sure of
// its positions, and everything after it becomes a hole, to be loaded again.
// No imports: the function is tested on its own (test/web/mail-positions.test.ts).

export interface QueryChanges {
  removed: string[];
  added: { id: string; index: number }[];
  /** The number of results in the new state. */
  total: number;
}

/**
 * The result in the new state, or null when the answer does not fit the cache (a server that
 * says less than it must): the caller then loads the result afresh.
 */
export function applyQueryChanges(
  ids: readonly (string | undefined)[],
  changes: QueryChanges,
): (string | undefined)[] | null {
  const removed = new Set(changes.removed);
  let next = Array.from(ids).filter((id) => id === undefined || !removed.has(id));
  const found = ids.length - next.length;
  const kept = new Set(next);
  // |old ∩ removed| = old total + added − new total, since every added id that was in the
  // old result is named in removed too (§5.6).
  const wasIn = ids.length + changes.added.length - changes.total;
  if (wasIn < found) return null;
  if (wasIn > found) {
    const hole = next.indexOf(undefined);
    if (hole >= 0) next = next.slice(0, hole);
  }
  for (const { id, index } of [...changes.added].sort((a, b) => a.index - b.index)) {
    if (index < 0 || index >= changes.total || kept.has(id)) return null;
    if (index > next.length) next.length = index;
    next.splice(index, 0, id);
  }
  if (next.length > changes.total) return null;
  next.length = changes.total;
  // Array length growth leaves empty slots; make them real undefined entries.
  return Array.from(next);
}
