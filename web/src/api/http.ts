// Calls to the server's JSON routes (/api/…): same-origin, the session cookie goes by itself.
// Every refusal becomes an ApiError carrying the server's problem details (RFC 9457): status,
// detail, `reason` (sign-in), the problem's `code` and `params` (src/util/problems.ts; the
// console words them in the reader's language, i18n/problems.ts) and `errors: [{field, code,
// params, message}]` (validation), so forms can put each message beside its field.

/** A problem as the server names it: a code with its parameters, and the English. */
export interface Coded {
  code?: string;
  params?: Record<string, string | number>;
  message: string;
}

export interface FieldError extends Coded {
  field: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly errors: FieldError[];
  readonly type: string;
  readonly code: string | undefined;
  readonly params: Record<string, string | number>;
  constructor(
    status: number,
    body: {
      detail?: string;
      reason?: string;
      errors?: FieldError[];
      type?: string;
      code?: string;
      params?: Record<string, string | number>;
    },
  ) {
    super(body.detail ?? `HTTP ${status}`);
    this.status = status;
    this.reason = body.reason;
    this.errors = body.errors ?? [];
    this.type = body.type ?? 'about:blank';
    this.code = body.code;
    this.params = body.params ?? {};
  }
  /** The message about one field, if the server named it (in English). */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
  /** The problem with one field, if the server named it. */
  fieldError(field: string): FieldError | undefined {
    return this.errors.find((e) => e.field === field);
  }
  /** The whole problem: its code, parameters and English detail. */
  get problem(): Coded {
    return { code: this.code, params: this.params, message: this.message };
  }
}

/** Set by the app: called when a request finds the session gone (401). */
let onSignedOut: (() => void) | null = null;
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { signal?: AbortSignal; quiet401?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { 'x-requested-with': 'champa' };
  let payload: BodyInit | undefined;
  if (body instanceof Blob || typeof body === 'string') payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const r = await fetch(path, {
    method,
    headers,
    body: payload,
    credentials: 'same-origin',
    signal: opts.signal,
  });
  if (r.status === 204) return undefined as T;
  const type = r.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) {
    if (r.status === 401 && !opts.quiet401) onSignedOut?.();
    throw new ApiError(
      r.status,
      typeof data === 'object' && data ? data : { detail: String(data) },
    );
  }
  return data as T;
}
