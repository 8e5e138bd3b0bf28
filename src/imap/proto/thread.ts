// THREAD algorithms of RFC 5256 and the thread-list writer (§4, §5), pure: messages in, the
// text of a THREAD response out. ORDEREDSUBJECT groups by base subject; REFERENCES links
// messages through Message-ID / References / In-Reply-To (§4 steps 1–6, the JWZ algorithm),
// then gathers root threads of the same base subject.
import { baseSubjectInfo } from '../../mail/basesubject.ts';

export interface ThreadMessage {
  /** Sequence number or UID, whichever the response carries. */
  n: number;
  /** Sent date (Date header, else internal date), for ordering. */
  date: number;
  subject: string;
  messageId: string | null;
  /** References, else the first In-Reply-To id, oldest first. */
  references: string[];
}

interface Node {
  msg: ThreadMessage | null; // null: a dummy (a referenced message we do not have)
  parent: Node | null;
  children: Node[];
}

function firstDate(n: Node): number {
  if (n.msg) return n.msg.date;
  return n.children.length ? Math.min(...n.children.map(firstDate)) : 0;
}

function firstN(n: Node): number {
  return n.msg ? n.msg.n : Math.min(...n.children.map(firstN));
}

function byDate(a: Node, b: Node): number {
  return firstDate(a) - firstDate(b) || firstN(a) - firstN(b);
}

/** thread-list text: one child inline, several as nested lists (§5). */
function chain(n: Node): string {
  const kids = n.children;
  const head = n.msg ? String(n.msg.n) : '';
  if (kids.length === 0) return head;
  if (kids.length === 1 && n.msg) return `${head} ${chain(kids[0]!)}`;
  const nested = kids.map((k) => `(${chain(k)})`).join('');
  return head ? `${head} ${nested}` : nested;
}

export function formatThreads(roots: Node[]): string {
  return roots.map((r) => `(${chain(r)})`).join('');
}

function leaf(msg: ThreadMessage | null): Node {
  return { msg, parent: null, children: [] };
}

function sortTree(nodes: Node[]): void {
  nodes.sort(byDate);
  for (const n of nodes) sortTree(n.children);
}

/** §4 ORDEREDSUBJECT: by base subject, then date; the first of each is the parent of the rest. */
export function orderedSubject(msgs: ThreadMessage[]): string {
  const groups = new Map<string, ThreadMessage[]>();
  for (const m of [...msgs].sort((a, b) => a.date - b.date || a.n - b.n)) {
    const key = baseSubjectInfo(m.subject).base;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  const roots = [...groups.values()].map((g) => {
    const root = leaf(g[0]!);
    root.children = g.slice(1).map(leaf);
    return root;
  });
  roots.sort(byDate);
  return formatThreads(roots);
}

function isAncestor(a: Node, b: Node): boolean {
  for (let p: Node | null = b; p; p = p.parent) if (p === a) return true;
  return false;
}

function link(child: Node, parent: Node): void {
  if (child.parent || child === parent || isAncestor(child, parent)) return;
  child.parent = parent;
  parent.children.push(child);
}

function reparent(child: Node, parent: Node | null): void {
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = null;
  if (parent) link(child, parent);
}

/** §4 REFERENCES. */
export function references(msgs: ThreadMessage[]): string {
  const table = new Map<string, Node>();
  const get = (id: string): Node => {
    let n = table.get(id);
    if (!n) table.set(id, (n = leaf(null)));
    return n;
  };
  const all: Node[] = [];
  for (const m of msgs) {
    // Step 1A: a duplicate or missing Message-ID gets a unique one of its own.
    let node = m.messageId ? table.get(m.messageId) : undefined;
    if (!node || node.msg) {
      node = leaf(m);
      table.set(m.messageId && !table.has(m.messageId) ? m.messageId : `\0${m.n}`, node);
    } else node.msg = m;
    all.push(node);
    // Step 1A: link the references in order, keeping existing links.
    let prev: Node | null = null;
    for (const ref of m.references) {
      const r = get(ref);
      if (prev && !r.parent) link(r, prev);
      prev = r;
    }
    // Step 1B: the last reference is the parent. A parent the message already had (from
    // another's truncated References) is dropped first, even when the new link would make a
    // loop and is not made; with no references the message has no parent.
    reparent(node, prev && prev !== node && !isAncestor(node, prev) ? prev : null);
  }
  // Step 2: the root set.
  let roots = [...new Set([...table.values(), ...all])].filter((n) => !n.parent);
  // Step 3: prune dummies.
  const prune = (list: Node[], atRoot: boolean): Node[] => {
    const out: Node[] = [];
    for (const n of list) {
      n.children = prune(n.children, false);
      for (const c of n.children) c.parent = n;
      if (n.msg) out.push(n);
      else if (n.children.length === 0) continue;
      else if (!atRoot || n.children.length === 1) {
        for (const c of n.children) c.parent = null;
        out.push(...n.children);
      } else out.push(n);
    }
    return out;
  };
  roots = prune(roots, true);
  for (const r of roots) r.parent = null;
  // Step 5: gather root threads of one base subject.
  const subjectOf = (n: Node): { base: string; reply: boolean } =>
    baseSubjectInfo((n.msg ?? n.children[0]?.msg)?.subject ?? '');
  const bySubject = new Map<string, Node>();
  for (const r of roots) {
    const { base, reply } = subjectOf(r);
    if (!base) continue;
    const seen = bySubject.get(base);
    if (!seen || (!r.msg && seen.msg) || (seen.msg && r.msg && subjectOf(seen).reply && !reply))
      bySubject.set(base, r);
  }
  const kept: Node[] = [];
  for (const r of roots) {
    const { base, reply } = subjectOf(r);
    const t = base ? bySubject.get(base) : undefined;
    if (!t || t === r) {
      kept.push(r);
      continue;
    }
    if (!t.msg && !r.msg) for (const c of r.children) reparent(c, t);
    else if (!t.msg) reparent(r, t);
    else if (r.msg && reply && !subjectOf(t).reply) reparent(r, t);
    else {
      // Neither is the other's reply: both go under a new dummy in t's place.
      const d = leaf(null);
      const at = kept.indexOf(t);
      reparent(t, d);
      reparent(r, d);
      if (at >= 0) kept[at] = d;
      else kept.push(d);
      bySubject.set(base, d);
    }
  }
  // Step 6: order siblings by date.
  sortTree(kept);
  return formatThreads(kept);
}
