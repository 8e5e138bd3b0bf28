// JMAP errors by the names RFC 8620 gives them. Request-level errors (§3.6.1) are problem
// details with a urn:ietf:params:jmap:error:* type; method-level errors (§3.6.2) become an
// ["error", {type, description}, callId] response and the request goes on with the next call.

export const REQUEST_ERROR = {
  unknownCapability: 'urn:ietf:params:jmap:error:unknownCapability',
  notJSON: 'urn:ietf:params:jmap:error:notJSON',
  notRequest: 'urn:ietf:params:jmap:error:notRequest',
  limit: 'urn:ietf:params:jmap:error:limit',
} as const;

/** A request-level error: the whole request is refused (HTTP 400, problem+json). */
export class RequestError extends Error {
  readonly type: string;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(type: string, detail: string, extra: Record<string, unknown> = {}, status = 400) {
    super(detail);
    this.type = type;
    this.status = status;
    this.extra = extra;
  }
}

/** Method-level error types of RFC 8620 §3.6.2 and §5, and RFC 8621. */
export type MethodErrorType =
  | 'serverUnavailable'
  | 'serverFail'
  | 'serverPartialFail'
  | 'unknownMethod'
  | 'invalidArguments'
  | 'invalidResultReference'
  | 'forbidden'
  | 'accountNotFound'
  | 'accountNotSupportedByMethod'
  | 'accountReadOnly'
  | 'requestTooLarge'
  | 'cannotCalculateChanges'
  | 'stateMismatch'
  | 'unsupportedSort'
  | 'unsupportedFilter'
  | 'anchorNotFound'
  | 'tooManyChanges'
  | 'fromAccountNotFound'
  | 'fromAccountNotSupportedByMethod';

/** Thrown by a method: answered as an "error" response for that call. */
export class MethodError extends Error {
  readonly type: MethodErrorType;
  readonly extra: Record<string, unknown>;
  constructor(type: MethodErrorType, description?: string, extra: Record<string, unknown> = {}) {
    super(description ?? type);
    this.type = type;
    this.extra = extra;
  }
  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      ...(this.message !== this.type ? { description: this.message } : {}),
      ...this.extra,
    };
  }
}

/** A SetError (RFC 8620 §5.3) for one object of a /set call. */
export interface SetError {
  type: string;
  description?: string;
  properties?: string[];
}
