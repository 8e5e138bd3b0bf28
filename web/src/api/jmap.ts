// A small JMAP client (RFC 8620) for the web app: the session resource, method calls in one
// request (with result references), blob upload and download URLs from the session's
// templates, and push: the server's EventSource stream (§7.3) tells which types changed,
// and listeners fetch /changes.
import { api, ApiError } from './http.ts';
import { Limiter } from './limit.ts';

export type Invocation = [string, Record<string, unknown>, string];

export interface JmapSession {
  username: string;
  apiUrl: string;
  downloadUrl: string;
  uploadUrl: string;
  eventSourceUrl: string;
  state: string;
  primaryAccounts: Record<string, string>;
  accounts: Record<string, { name: string; isPersonal: boolean; isReadOnly: boolean }>;
  capabilities: Record<string, Record<string, unknown>>;
}

export class MethodError extends Error {
  readonly type: string;
  readonly details: Record<string, unknown>;
  constructor(details: Record<string, unknown>) {
    super(String(details.description ?? details.type ?? 'JMAP error'));
    this.type = String(details.type ?? 'serverFail');
    this.details = details;
  }
}

export const USING = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'];
const CORE = 'urn:ietf:params:jmap:core';
const MAIL = 'urn:ietf:params:jmap:mail';
/** RFC 8620 §3.6.1: a request refused for a limit (another tab of the user may hold it). */
const LIMIT = 'urn:ietf:params:jmap:error:limit';
const LIMIT_RETRIES_MS = [250, 500, 1000, 2000, 4000];

export type StateChange = Record<string, Record<string, string>>;

export class Jmap {
  readonly session: JmapSession;
  readonly accountId: string;
  #events: EventSource | null = null;
  readonly #listeners = new Set<(changed: StateChange) => void>();
  readonly #requests: Limiter;
  /** Uploads go through this: at most the session's maxConcurrentUpload at once. */
  readonly uploads: Limiter;

  private constructor(session: JmapSession) {
    this.session = session;
    this.accountId = session.primaryAccounts[MAIL] ?? Object.keys(session.accounts)[0]!;
    const core = session.capabilities[CORE] ?? {};
    this.#requests = new Limiter(Number(core.maxConcurrentRequests ?? 4));
    this.uploads = new Limiter(Number(core.maxConcurrentUpload ?? 4));
  }

  static async connect(): Promise<Jmap> {
    return new Jmap(await api<JmapSession>('GET', '/jmap/session'));
  }

  /** Runs method calls in one request; returns the responses in order. */
  async call(calls: Invocation[], using: string[] = USING): Promise<Invocation[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await this.#requests.run(() =>
          api<{ methodResponses: Invocation[] }>('POST', this.session.apiUrl, {
            using,
            methodCalls: calls,
          }),
        );
        return r.methodResponses;
      } catch (err) {
        // Over the account's limit (the user's other tabs and apps count too): wait, retry.
        const wait = LIMIT_RETRIES_MS[attempt];
        if (!(err instanceof ApiError && err.type === LIMIT) || wait === undefined) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /** One method; throws MethodError when the server answers "error". */
  async one<T = Record<string, unknown>>(
    name: string,
    args: Record<string, unknown>,
    using?: string[],
  ): Promise<T> {
    const [res] = await this.call([[name, { accountId: this.accountId, ...args }, '0']], using);
    if (!res) throw new MethodError({ type: 'serverFail' });
    if (res[0] === 'error') throw new MethodError(res[1]);
    return res[1] as T;
  }

  downloadUrl(blobId: string, name: string, type: string): string {
    return this.session.downloadUrl
      .replace('{accountId}', encodeURIComponent(this.accountId))
      .replace('{blobId}', encodeURIComponent(blobId))
      .replace('{name}', encodeURIComponent(name))
      .replace('{type}', encodeURIComponent(type));
  }

  /**
   * The download URL of a blob to show in a frame rather than save: the server serves a PDF
   * asked for this way `inline` (with a policy of its own), every other type as a download.
   */
  viewUrl(blobId: string, name: string, type: string): string {
    const url = new URL(this.downloadUrl(blobId, name, type), location.href);
    url.searchParams.set('disposition', 'inline');
    return url.pathname + url.search;
  }

  /** Uploads a file with progress (0..1); resolves to the blob id. */
  upload(file: Blob, onProgress?: (fraction: number) => void): Promise<{ blobId: string }> {
    const url = this.session.uploadUrl.replace('{accountId}', encodeURIComponent(this.accountId));
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.setRequestHeader('x-requested-with', 'champa');
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress?.(e.loaded / e.total);
      };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300)
          resolve(JSON.parse(xhr.responseText) as { blobId: string });
        else reject(new Error(`upload failed (${xhr.status})`));
      };
      xhr.onerror = () => reject(new Error('upload failed'));
      xhr.send(file);
    });
  }

  /**
   * Calls `fn` with each state change pushed by the server; returns an unsubscribe. When the
   * stream comes back after the link dropped (EventSource reconnects by itself), changes may
   * have been missed: listeners are then told that Email and Mailbox changed, with an empty
   * state (not known), so they catch up.
   */
  onChange(fn: (changed: StateChange) => void): () => void {
    this.#listeners.add(fn);
    if (!this.#events) {
      const url = this.session.eventSourceUrl
        .replace('{types}', '*')
        .replace('{closeafter}', 'no')
        .replace('{ping}', '60');
      const events = new EventSource(url, { withCredentials: true });
      const tell = (changed: StateChange): void => {
        for (const l of this.#listeners) l(changed);
      };
      let opened = false;
      events.addEventListener('open', () => {
        if (opened) tell({ [this.accountId]: { Email: '', Mailbox: '' } });
        opened = true;
      });
      events.addEventListener('state', (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as { changed?: StateChange };
        if (data.changed) tell(data.changed);
      });
      this.#events = events;
    }
    return () => {
      this.#listeners.delete(fn);
      if (this.#listeners.size === 0) {
        this.#events?.close();
        this.#events = null;
      }
    };
  }

  close(): void {
    this.#listeners.clear();
    this.#events?.close();
    this.#events = null;
  }
}
