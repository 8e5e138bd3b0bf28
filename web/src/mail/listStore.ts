// The conversation list of one query (a folder or a search), loaded in pages as the user
// scrolls: Email/query with position/limit, so a 10,000-message folder costs one page at a
// time. The cache is the server's result at one query state: an id at each loaded position,
// undefined in the holes; `ensure` loads the pages a visible range needs.
// After a push, `sync` brings the cache to the server's current state with Email/queryChanges
// and Email/changes (sync.ts, positions.ts): new mail is put in its place, changed flags are
// taken in, and nothing already loaded is fetched again. Only when the server cannot say
// what changed is the stretch on screen loaded afresh. Invariants: a page's answer is kept
// only if it was read at the state the cache holds (answers of two states never mix); syncs
// and fresh loads run one at a time, a push during one asks for one more round.
// Rows the user has just moved or deleted are hidden at once and stay hidden until the
// server's result no longer has them; `ids`, `total` and indexes seen from outside skip them.
import type { Jmap } from '../api/jmap.ts';
import { queryPage, snippets, type EmailFilter, type EmailSummary, type Page } from './model.ts';
import { applyQueryChanges } from './positions.ts';
import { listChanges } from './sync.ts';

export const PAGE = 50;
/** Most rows one fresh load reads (the server's Email/query limit is higher). */
const RELOAD_MAX = 500;

export interface Snippet {
  subject: string | null;
  preview: string | null;
}

/** What a sync changed, for the reading pane: threads touched, emails destroyed. */
export interface Touched {
  /** The list was loaded afresh: anything may have changed. */
  all: boolean;
  threads: Set<string>;
  destroyed: Set<string>;
}

export class ListStore {
  readonly jmap: Jmap;
  readonly filter: EmailFilter;
  readonly search: boolean;
  error: string | null = null;
  readonly emails = new Map<string, EmailSummary>();
  readonly threadSizes = new Map<string, number>();
  readonly snippets = new Map<string, Snippet>();
  /** The server's result at #queryState; null until the first answer. */
  #ids: (string | undefined)[] | null = null;
  #queryState: string | null = null;
  #emailState: string | null = null;
  #hidden = new Set<string>();
  #view: (string | undefined)[] = [];
  #loading = new Set<number>();
  /** The range (in the server's positions) the list last asked for. */
  #wanted: [number, number] = [0, PAGE - 1];
  #listeners = new Set<() => void>();
  #version = 0;
  #closed = false;
  #running: Promise<Touched> | null = null;
  #again = false;
  #pushedEarly = false;
  #touched: Touched = { all: false, threads: new Set(), destroyed: new Set() };
  /** Pages answered at a state the cache had not reached yet, kept for when it does. */
  #ahead: Page[] = [];

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
    const ids = this.#ids ?? [];
    this.#view =
      this.#hidden.size === 0 ? ids : ids.filter((id) => id === undefined || !this.#hidden.has(id));
    this.#version++;
    for (const l of this.#listeners) l();
  }
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }

  /** The rows as shown (hidden ones left out); undefined where not loaded yet. */
  get ids(): readonly (string | undefined)[] {
    return this.#view;
  }
  /** The number of rows shown, or null before the first answer. */
  get total(): number | null {
    return this.#ids ? this.#view.length : null;
  }

  at(index: number): EmailSummary | undefined {
    const id = this.#view[index];
    return id === undefined ? undefined : this.emails.get(id);
  }

  indexOf(id: string): number {
    return this.#view.indexOf(id);
  }

  /** Loads the pages covering shown rows [start, end]. */
  ensure(start: number, end: number): void {
    // Hidden rows sit somewhere before `end`: reach that much further in the server's result.
    this.#wanted = [Math.max(0, start), Math.max(0, end) + this.#hidden.size];
    this.#ensureWanted();
  }

  #ensureWanted(): void {
    if (this.#closed) return;
    const [start, end] = this.#wanted;
    const total = this.#ids?.length;
    for (let p = Math.floor(start / PAGE); p <= Math.floor(end / PAGE); p++) {
      if (total !== undefined && p * PAGE >= total && p > 0) break;
      if (this.#loading.has(p)) continue;
      const slice = this.#ids?.slice(p * PAGE, (p + 1) * PAGE);
      if (!slice || slice.includes(undefined)) void this.#load(p);
    }
  }

  async #load(page: number): Promise<void> {
    this.#loading.add(page);
    try {
      const r = await queryPage(this.jmap, this.filter, page * PAGE, PAGE);
      if (this.#closed) return;
      if (this.#ids === null) {
        this.#ids = new Array<string | undefined>(r.total).fill(undefined);
        this.#queryState = r.queryState;
        this.#emailState = r.emailState;
        // A push came before this first answer, which may have been read before the change.
        if (this.#pushedEarly) {
          this.#pushedEarly = false;
          void this.sync();
        }
      } else if (r.queryState !== this.#queryState || r.total !== this.#ids.length) {
        // Read at another state than the cache holds: catch up first (unless a fresh load is
        // on its way). If that lands on the page's state, the page is kept; else read again.
        if (this.#queryState !== null) {
          this.#ahead.push(r);
          void this.sync();
        }
        return;
      }
      this.#place(r);
      this.error = null;
      if (this.search) await this.#loadSnippets(r.ids);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.#loading.delete(page);
      this.#emit();
    }
  }

  #place(r: Page): void {
    const ids = this.#ids!;
    r.ids.forEach((id, i) => {
      if (r.position + i < ids.length) ids[r.position + i] = id;
    });
    for (const e of r.emails) this.emails.set(e.id, e);
    for (const [t, n] of Object.entries(r.threadSizes)) this.threadSizes.set(t, n);
  }

  async #loadSnippets(ids: string[]): Promise<void> {
    const s = await snippets(this.jmap, this.filter, ids);
    for (const [id, v] of Object.entries(s)) this.snippets.set(id, v);
  }

  /**
   * Brings the list to the server's current state (after a push). Resolves to what changed
   * since the last sync finished; a call while one runs asks for one more round and shares it.
   */
  sync(): Promise<Touched> {
    this.#again = true;
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
      if (this.#again && !this.#closed) void this.sync();
    });
    return this.#running;
  }

  /** Loads the rows on screen afresh (after an action the server refused). */
  reload(): Promise<Touched> {
    this.#queryState = null;
    return this.sync();
  }

  async #drain(): Promise<Touched> {
    while (this.#again && !this.#closed) {
      this.#again = false;
      await this.#syncOnce();
    }
    const touched = this.#touched;
    this.#touched = { all: false, threads: new Set(), destroyed: new Set() };
    return touched;
  }

  async #syncOnce(): Promise<void> {
    if (this.#ids === null) {
      // Nothing answered yet: the first page's answer decides (see #load).
      this.#pushedEarly = true;
      return;
    }
    try {
      await this.#catchUp(this.#ids);
      this.error = null;
    } catch (err) {
      // The link failed: the states stay, so the next push or scroll tries again from them.
      this.error = err instanceof Error ? err.message : String(err);
    }
    if (this.#closed) return;
    this.#forgetHidden();
    this.#emit();
    this.#ensureWanted();
  }

  /** Applies the changes since the cache's states, or loads the wanted stretch afresh. */
  async #catchUp(ids: (string | undefined)[]): Promise<void> {
    const queryState = this.#queryState;
    const emailState = this.#emailState;
    const c =
      queryState === null || emailState === null
        ? null
        : await listChanges(this.jmap, this.filter, { queryState, emailState }, this.search);
    if (this.#closed) return;
    const next = c && applyQueryChanges(ids, c);
    if (!c || !next) return this.#reload();
    this.#ids = next;
    this.#queryState = c.queryState;
    this.#emailState = c.emailState;
    // Pages read at the state just reached (their summaries are then brought up to date).
    const early = this.#ahead
      .splice(0)
      .filter((r) => r.queryState === c.queryState && r.total === next.length);
    for (const r of early) this.#place(r);
    const touched = this.#touched;
    for (const e of c.emails) {
      this.emails.set(e.id, e);
      touched.threads.add(e.threadId);
    }
    for (const [t, n] of Object.entries(c.threadSizes)) this.threadSizes.set(t, n);
    for (const [id, v] of Object.entries(c.snippets)) this.snippets.set(id, v);
    for (const u of c.updated) {
      const e = this.emails.get(u.id);
      if (e) this.emails.set(u.id, { ...e, ...u });
      touched.threads.add(u.threadId);
    }
    for (const e of c.created) touched.threads.add(e.threadId);
    for (const id of c.destroyed) {
      this.emails.delete(id);
      touched.destroyed.add(id);
    }
    if (this.search) for (const r of early) await this.#loadSnippets(r.ids);
  }

  /** One Email/query over the wanted stretch, replacing the cache. */
  async #reload(): Promise<void> {
    const [start, end] = this.#wanted;
    const first = Math.floor(start / PAGE) * PAGE;
    const limit = Math.min(RELOAD_MAX, (Math.floor(end / PAGE) + 1) * PAGE - first);
    const r = await queryPage(this.jmap, this.filter, first, limit);
    if (this.#closed) return;
    this.#ids = new Array<string | undefined>(r.total).fill(undefined);
    this.#queryState = r.queryState;
    this.#emailState = r.emailState;
    this.#ahead = [];
    this.emails.clear();
    this.threadSizes.clear();
    this.snippets.clear();
    this.#place(r);
    if (this.search) await this.#loadSnippets(r.ids);
    this.#touched.all = true;
  }

  /** Hidden rows the server's result no longer has need hiding no more. */
  #forgetHidden(): void {
    if (this.#hidden.size === 0) return;
    const present = new Set(this.#ids);
    for (const id of this.#hidden) if (!present.has(id)) this.#hidden.delete(id);
  }

  /** Changes rows in place at once (the server's answer follows by push). */
  patch(ids: string[], fn: (e: EmailSummary) => EmailSummary): void {
    for (const id of ids) {
      const e = this.emails.get(id);
      if (e) this.emails.set(id, fn(e));
    }
    this.#emit();
  }

  /** Hides rows at once (moved away or deleted) until the server's result drops them. */
  hide(ids: string[]): void {
    for (const id of ids) this.#hidden.add(id);
    this.#emit();
  }

  /** Shows hidden rows again (the action failed, or they still belong here). */
  unhide(ids: string[]): void {
    for (const id of ids) this.#hidden.delete(id);
    this.#emit();
  }
}
