// The capabilities and limits this server announces in the JMAP session resource
// (RFC 8620 §2, RFC 8621 §1.3) and enforces. One place, so the session and the checks agree.

export const CAP_CORE = 'urn:ietf:params:jmap:core';
export const CAP_MAIL = 'urn:ietf:params:jmap:mail';
export const CAP_SUBMISSION = 'urn:ietf:params:jmap:submission';
export const CAP_VACATION = 'urn:ietf:params:jmap:vacationresponse';
export const CAP_WEBSOCKET = 'urn:ietf:params:jmap:websocket';
/** RFC 9749: the VAPID key push services check (jmap/vapid.ts); no methods of its own. */
export const CAP_VAPID = 'urn:ietf:params:jmap:webpush-vapid';

export const KNOWN_CAPABILITIES = new Set([
  CAP_CORE,
  CAP_MAIL,
  CAP_SUBMISSION,
  CAP_VACATION,
  CAP_WEBSOCKET,
  CAP_VAPID,
]);

export const CORE_LIMITS = {
  maxSizeUpload: 50_000_000,
  /** Per account, enforced by http/jmap.ts (jmap/concurrency.ts). */
  maxConcurrentUpload: 4,
  maxSizeRequest: 10_000_000,
  /**
   * Per account, HTTP and WebSocket requests together (jmap/concurrency.ts). Above the six
   * connections a browser opens to one host (one of them the push stream), so the web app,
   * which does not queue its calls, is never refused, while a runaway client still is.
   */
  maxConcurrentRequests: 8,
  maxCallsInRequest: 32,
  maxObjectsInGet: 500,
  maxObjectsInSet: 500,
  collationAlgorithms: [] as string[],
};

export const MAIL_ACCOUNT_CAPABILITY = {
  maxMailboxesPerEmail: null,
  maxMailboxDepth: null,
  maxSizeMailboxName: 490,
  maxSizeAttachmentsPerEmail: 50_000_000,
  emailQuerySortOptions: ['receivedAt', 'size', 'sentAt'],
  mayCreateTopLevelMailbox: true,
};

export const SUBMISSION_ACCOUNT_CAPABILITY = {
  maxDelayedSend: 0,
  submissionExtensions: {},
};
