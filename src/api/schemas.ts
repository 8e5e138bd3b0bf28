// The admin API's request and response shapes: one zod schema each, with a description on
// every field. They validate requests in src/http/admin.ts, give the web app its types, and
// generate the OpenAPI document (openapi.ts), so the three never disagree.
// Invariants: no storage or core imports here (the web app imports this file); quotas are
// bytes; times are milliseconds since the Unix epoch; unit paths look like /a/b (root is /).
import { z } from 'zod';

const unitPath = z
  .string()
  .min(1)
  .max(1000)
  .describe(
    "Path of an organisational unit, e.g. /ministry/provinces/vientiane (segments of a-z, 0-9, '.', '_', '-'); / is the root",
  );

const email = z
  .string()
  .max(320)
  .regex(/^[^@\s]+@[^@\s]+$/, { message: 'not a mail address' })
  .describe('Mail address of the account (internationalised addresses allowed)');

export const Unit = z
  .object({
    path: unitPath,
    name: z.string().describe('Display name of the unit (Lao or English); may be empty'),
  })
  .describe('An organisational unit');
export type Unit = z.infer<typeof Unit>;

export const NewUnit = z
  .object({
    path: unitPath,
    name: z.string().max(200).optional().describe('Display name of the unit'),
  })
  .strict()
  .describe('A unit to create; its parent must exist');
export type NewUnit = z.infer<typeof NewUnit>;

const quota = z.number().int().min(0).describe('Mailbox quota in bytes; 0 means unlimited');

export const User = z
  .object({
    email,
    name: z.string().describe('Display name (Lao or English)'),
    unit: unitPath,
    quota,
    disabled: z.boolean().describe('A disabled account cannot sign in or receive mail'),
  })
  .describe('A user account');
export type User = z.infer<typeof User>;

export const NewUser = z
  .object({
    email,
    name: z.string().max(200).describe('Display name (Lao or English)'),
    unit: unitPath,
    quota: quota.optional(),
    password: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe(
        'Initial password; when absent one is generated, returned once, and must be changed at first sign-in',
      ),
  })
  .strict()
  .describe('An account to create');
export type NewUser = z.infer<typeof NewUser>;

export const CreatedUser = User.extend({
  password: z
    .string()
    .optional()
    .describe('The generated initial password, present only when none was given'),
}).describe('The account just created');
export type CreatedUser = z.infer<typeof CreatedUser>;

export const PasswordReset = z
  .object({
    password: z.string().min(1).max(1024).describe('The new password'),
    temporary: z
      .boolean()
      .optional()
      .describe('When true the user must choose a new password at the next sign-in'),
  })
  .strict()
  .describe("An administrator's (or helpdesk's) password reset");
export type PasswordReset = z.infer<typeof PasswordReset>;

export const AuditEntry = z
  .object({
    id: z.number().int().describe('Row number, increasing'),
    at: z.number().int().describe('When, in milliseconds since the Unix epoch'),
    actor: z.string().describe("Who: an account's address, or cli:<os user>"),
    ip: z.string().nullable().describe('From which client address, when over the network'),
    action: z.string().describe('What, e.g. account.create'),
    target: z.string().describe('To what: an address, a unit path, a domain'),
    unit: z.string().nullable().describe('The unit the target lies in'),
    detail: z.record(z.string(), z.unknown()).describe('Details of the action, never a password'),
    outcome: z.enum(['ok', 'denied', 'error']).describe('How it ended'),
  })
  .describe('One row of the audit log');
export type AuditEntry = z.infer<typeof AuditEntry>;

export const FieldError = z
  .object({
    field: z.string().describe('The offending field, dotted for nested ones (e.g. quota)'),
    message: z.string().describe('What is wrong with it'),
  })
  .describe('One invalid field of a request');

export const ErrorBody = z
  .object({
    type: z.string().describe('A URI naming the kind of problem (RFC 9457)'),
    status: z.number().int().describe('The HTTP status code'),
    detail: z.string().describe('What went wrong, for people'),
    errors: z.array(FieldError).optional().describe('The invalid fields, for 400 replies'),
  })
  .describe('A problem details object (RFC 9457), sent as application/problem+json');
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Every named schema, as it appears under components.schemas of the OpenAPI document. */
export const SCHEMAS = {
  Unit,
  NewUnit,
  User,
  NewUser,
  CreatedUser,
  PasswordReset,
  AuditEntry,
  FieldError,
  Error: ErrorBody,
} as const;
