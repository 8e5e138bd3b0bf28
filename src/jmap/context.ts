// What a JMAP method receives: the core, the signed-in account, and the request's created ids.
// JMAP account ids are "A" + the account's number (RFC 8620 §1.2 id characters); today a user
// reaches only their own account (shared accounts come with ACL sharing).
import { z } from 'zod';
import type { Core } from '../core/core.ts';
import type { Account } from '../store/schema.ts';
import { MethodError } from './errors.ts';
import type { PushKeys } from './webpush.ts';

/** Where a push goes: the subscription, its URL, and its keys when pushes must be encrypted. */
export interface PushTarget {
  accountId: number;
  id: string;
  url: string;
  keys: PushKeys | null;
}

/** Posts one push object (StateChange, PushVerification) to a subscription, in the background. */
export type PushPost = (target: PushTarget, body: Record<string, unknown>) => void;

export interface JmapContext {
  core: Core;
  account: Account;
  /** Posts a PushVerification to a new push subscription's URL (http/ provides it). */
  pushVerify?: PushPost;
}

export interface CallContext extends JmapContext {
  /** Creation ids of this request → real ids (RFC 8620 §3.3 createdIds). */
  createdIds: Map<string, string>;
}

export type Args = Record<string, unknown>;

/**
 * Responses a method adds after its own, under the same call id (RFC 8621 §7.5: the implicit
 * Email/set of onSuccessUpdateEmail). Kept under a symbol, so it is never serialised.
 */
export const IMPLICIT = Symbol('implicit responses');

export function withImplicit(result: Args, extra: [string, Args][]): Args {
  return Object.assign(result, { [IMPLICIT]: extra });
}

export interface Method {
  /** The capability that must be in `using` for the method to be known. */
  capability: string;
  run(ctx: CallContext, args: Args): Promise<Args>;
}

export function jmapAccountId(account: Account): string {
  return accountIdOf(account.id);
}

export function accountIdOf(id: number): string {
  return `A${id}`;
}

/** The account a call names, or accountNotFound. */
export function mustAccount(ctx: CallContext, accountId: unknown): number {
  if (accountId !== jmapAccountId(ctx.account))
    throw new MethodError('accountNotFound', `no account ${String(accountId)}`);
  return ctx.account.id;
}

/** Parses a method's arguments with a zod schema; anything wrong is invalidArguments. */
export function parseArgs<T>(schema: z.ZodType<T>, args: Args): T {
  const r = schema.safeParse(args);
  if (!r.success) {
    const first = r.error.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    throw new MethodError('invalidArguments', `${where}${first?.message ?? 'invalid arguments'}`);
  }
  return r.data;
}

/** A JMAP Id (RFC 8620 §1.2). */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'not a valid id');

/** The state string of every type: the account's modseq (one change log, DESIGN.md). */
export function stateOf(modseq: number): string {
  return String(modseq);
}

/** Unsigned Int of RFC 8620 §1.3. */
export const uintSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 53 - 1);

/** UTCDate of RFC 8620 §1.4: "2014-10-30T06:12:00Z" (no fractions). */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
