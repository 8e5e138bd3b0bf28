// The conversation list of one query (a folder or a search), loaded in pages as the user
// scrolls: Email/query with position/limit, so a 10,000-message folder costs one page at a
// time. Rows not loaded yet are undefined; `ensure` loads the pages a visible range needs.
// `refresh` (on push) reloads the pages already seen, so new mail and changed flags show.
import type { Jmap } from '../api/jmap.ts';
import { queryPage, snippets, type EmailFilter, type EmailSummary } from './model.ts';

export const PAGE = 50;

export interface Snippet {
  subject: string | null;
  preview: string | null;
}

export class ListStore {
  readonly jmap: Jmap;
  readonly filter: EmailFilter;
  readonly search: boolean;
  total: number | null = null;
  error: string | null = null;
  ids: (string | undefined)[] = [];
  readonly emails = new Map<string, EmailSummary>();
  readonly threadSizes = new Map<string, number>();
  readonly snippets = new Map<string, Snippet>();
  #loaded = new Set<number>();
  #loading = new Set<number>();
  #listeners = new Set<() => void>();
  #version = 0;
  #closed = false;
  #generation = 0;

  constructor(jmap: Jmap, filter: EmailFilter) {
    this.jmap = jmap;
    this.filter = filter;
    this.search = 'text' in filter;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  };
  version = (): number => this.#version;
  #emit(): void {
    this.#version++;
    for (const l of this.#listeners) l();
  }
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }

  at(index: number): EmailSummary | undefined {
    const id = this.ids[index];
    return id === undefined ? undefined : this.emails.get(id);
  }

  indexOf(id: string): number {
    return this.ids.indexOf(id);
  }

  /** Loads the pages covering rows [start, end]. */
  ensure(start: number, end: number): void {
    const first = Math.floor(Math.max(0, start) / PAGE);
    const last = Math.floor(Math.max(0, end) / PAGE);
    for (let p = first; p <= last; p++) {
      if (this.total !== null && p * PAGE >= this.total && p > 0) break;
      if (!this.#loaded.has(p) && !this.#loading.has(p)) void this.#load(p);
    }
  }

  async #load(page: number): Promise<void> {
    this.#loading.add(page);
    try {
      const r = await queryPage(this.jmap, this.filter, page * PAGE, PAGE);
      if (this.#closed) return;
      this.#apply(page, r.ids, r.total, r.emails, r.threadSizes);
      if (this.search) {
        const s = await snippets(this.jmap, this.filter, r.ids);
        if (this.#closed) return;
        for (const [id, v] of Object.entries(s)) this.snippets.set(id, v);
      }
      this.error = null;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.#loading.delete(page);
      this.#emit();
    }
  }

  #apply(
    page: number,
    ids: string[],
    total: number,
    emails: EmailSummary[],
    sizes: Record<string, number>,
  ): void {
    if (this.total !== total) {
      this.total = total;
      const next: (string | undefined)[] = new Array<string | undefined>(total).fill(undefined);
      for (let i = 0; i < Math.min(total, this.ids.length); i++) next[i] = this.ids[i];
      this.ids = next;
    }
    for (const e of emails) this.emails.set(e.id, e);
    for (const [t, n] of Object.entries(sizes)) this.threadSizes.set(t, n);
    ids.forEach((id, i) => (this.ids[page * PAGE + i] = id));
    this.#loaded.add(page);
  }

  /** Reloads the pages seen so far (new mail, changed flags, moved messages). */
  async refresh(): Promise<void> {
    // Pushes come in bursts: only the answer to the latest refresh is kept, so an older one
    // finishing late cannot bring back a row that has since moved.
    const generation = ++this.#generation;
    const pages = [...this.#loaded].sort((a, b) => a - b);
    if (pages.length === 0) pages.push(0);
    const results = await Promise.all(
      pages.map((p) => queryPage(this.jmap, this.filter, p * PAGE, PAGE).catch(() => null)),
    );
    if (this.#closed || generation !== this.#generation) return;
    // Positions shift when mail arrives: forget every page, then keep what was just read.
    this.#loaded.clear();
    this.ids = [];
    this.total = null;
    results.forEach((r, i) => {
      if (r) this.#apply(pages[i]!, r.ids, r.total, r.emails, r.threadSizes);
    });
    this.#emit();
  }

  /** Changes rows in place at once (the server's answer follows by push). */
  patch(ids: string[], fn: (e: EmailSummary) => EmailSummary): void {
    for (const id of ids) {
      const e = this.emails.get(id);
      if (e) this.emails.set(id, fn(e));
    }
    this.#emit();
  }

  /** Hides rows at once (moved away or deleted). */
  remove(ids: string[]): void {
    this.#generation++;
    const gone = new Set(ids);
    const before = this.ids.length;
    this.ids = this.ids.filter((id) => id === undefined || !gone.has(id));
    const removed = before - this.ids.length;
    if (this.total !== null) this.total -= removed;
    // Page boundaries moved: reload what is shown next time it is needed.
    this.#loaded.clear();
    for (let p = 0; p * PAGE < this.ids.length; p++) {
      const slice = this.ids.slice(p * PAGE, p * PAGE + PAGE);
      if (slice.length > 0 && slice.every((x) => x !== undefined)) this.#loaded.add(p);
    }
    this.#emit();
  }
}
