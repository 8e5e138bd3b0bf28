// The web app's own routes (sign-in, the signed-in account, its password, two-step sign-in,
// sessions and app passwords): request and response shapes, shared by src/http/account.ts
// and the web app. Invariant: no server imports here (the web app imports this file).
import { z } from 'zod';

export const SignIn = z
  .object({
    email: z.string().min(1).max(320),
    password: z.string().min(1).max(1000),
    code: z.string().max(40).optional(),
  })
  .strict();
export type SignIn = z.infer<typeof SignIn>;

export const Grant = z.object({ role: z.string(), unit: z.string() });

export const Me = z.object({
  email: z.string(),
  name: z.string(),
  unit: z.string(),
  mustChangePassword: z.boolean(),
  totp: z.boolean(),
  /** The account's administrative roles; the console shows only when there is one. */
  roles: z.array(Grant),
});
export type Me = z.infer<typeof Me>;

/** Why a sign-in was refused (core/signin.ts SignInFailure, plus a blocked address). */
export type SignInRefusal =
  | 'invalid'
  | 'must_change_password'
  | 'app_password_required'
  | 'totp_required'
  | 'totp_invalid'
  | 'blocked';

export const PasswordChange = z
  .object({ current: z.string().min(1).max(1000), password: z.string().min(1).max(1000) })
  .strict();

export const TotpCode = z.object({ code: z.string().min(1).max(40) }).strict();
export const PasswordConfirm = z.object({ password: z.string().min(1).max(1000) }).strict();
export const AppPasswordLabel = z.object({ label: z.string().min(1).max(100) }).strict();

export interface SessionView {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

/** How a mail app reaches one protocol (src/core/clientsettings.ts). */
export interface Endpoint {
  host: string;
  port: number;
  /** 'tls': TLS from the first byte (993, 465, 995); 'starttls': upgraded in the protocol. */
  security: 'tls' | 'starttls';
}

/** GET /api/account/client-settings: what to type into a mail app. */
export interface ClientSettings {
  imap: Endpoint;
  imapStarttls: Endpoint;
  pop3: Endpoint;
  /** Submission over TLS (RFC 8314 §3.3: implicit TLS preferred). */
  smtp: Endpoint;
  smtpStarttls: Endpoint;
}
