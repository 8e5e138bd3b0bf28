// The JMAP methods this server knows, by name (one file per method beside this one).
import type { Method } from '../context.ts';
import { coreEcho } from './core-echo.ts';
import { mailboxGet } from './mailbox-get.ts';
import { mailboxChanges } from './mailbox-changes.ts';
import { mailboxSet } from './mailbox-set.ts';
import { mailboxQuery, mailboxQueryChanges } from './mailbox-query.ts';
import { emailGet } from './email-get.ts';
import { emailQuery } from './email-query.ts';
import { emailChanges } from './email-changes.ts';
import { emailSet } from './email-set.ts';
import { emailImport } from './email-import.ts';
import { emailParse } from './email-parse.ts';
import { emailCopy } from './email-copy.ts';
import { emailQueryChanges } from './email-querychanges.ts';
import { blobCopy } from './blob-copy.ts';
import { searchSnippetGet } from './searchsnippet-get.ts';
import { threadGet } from './thread-get.ts';
import { threadChanges } from './thread-changes.ts';
import { vacationGet, vacationSet } from './vacation.ts';
import { pushSubscriptionGet, pushSubscriptionSet } from './pushsubscription.ts';
import { identityChanges, identityGet, identitySet } from './identity.ts';
import { submissionChanges, submissionGet, submissionQuery, submissionSet } from './submission.ts';

export const METHODS: Record<string, Method | undefined> = {
  'Core/echo': coreEcho,
  'Mailbox/get': mailboxGet,
  'Mailbox/changes': mailboxChanges,
  'Mailbox/set': mailboxSet,
  'Mailbox/query': mailboxQuery,
  'Mailbox/queryChanges': mailboxQueryChanges,
  'Email/get': emailGet,
  'Email/query': emailQuery,
  'Email/changes': emailChanges,
  'Email/set': emailSet,
  'Email/import': emailImport,
  'Email/parse': emailParse,
  'Email/copy': emailCopy,
  'Email/queryChanges': emailQueryChanges,
  'Blob/copy': blobCopy,
  'SearchSnippet/get': searchSnippetGet,
  'Thread/get': threadGet,
  'Thread/changes': threadChanges,
  'PushSubscription/get': pushSubscriptionGet,
  'PushSubscription/set': pushSubscriptionSet,
  'VacationResponse/get': vacationGet,
  'VacationResponse/set': vacationSet,
  'Identity/get': identityGet,
  'Identity/changes': identityChanges,
  'Identity/set': identitySet,
  'EmailSubmission/get': submissionGet,
  'EmailSubmission/changes': submissionChanges,
  'EmailSubmission/query': submissionQuery,
  'EmailSubmission/set': submissionSet,
};
