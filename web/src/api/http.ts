// Calls to the server's JSON routes (/api/…): same-origin, the session cookie goes by itself.
// Every refusal becomes an ApiError carrying the server's problem details (RFC 9457): status,
// detail, `reason` (sign-in) and `errors: [{field, message}]` (validation), so forms can put
// each message beside its field.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly errors: FieldError[];
  readonly type: string;
  constructor(
    status: number,
    body: { detail?: string; reason?: string; errors?: FieldError[]; type?: string },
  ) {
    super(body.detail ?? `HTTP ${status}`);
    this.status = status;
    this.reason = body.reason;
    this.errors = body.errors ?? [];
    this.type = body.type ?? 'about:blank';
  }
  /** The message about one field, if the server named it. */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
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
