// Reading JSON input on the HTTP API routes (the admin API, the web app's account routes):
// a bounded body, application/json only, validated by a zod schema; and the one way of
// answering bad input — 400 with `errors: [{field, message}]` naming each field, 413 for a
// body too large, and core UserErrors mapped to their status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { UserError } from '../util/errors.ts';
import { BodyTooLarge, readBody, sendProblem } from './respond.ts';

const MAX_BODY = 64 * 1024;

export interface FieldError {
  field: string;
  message: string;
}

/** Invalid input, answered 400 with the fields named. */
export class BadRequest extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new BadRequest(
    r.error.issues.map((i) => ({
      field: i.path.length ? i.path.join('.') : '(body)',
      message: i.message,
    })),
  );
}

export async function readJson(req: IncomingMessage, limit = MAX_BODY): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    throw new BadRequest([{ field: '(body)', message: 'send application/json' }]);
  const text = (await readBody(req, limit)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequest([{ field: '(body)', message: 'not valid JSON' }]);
  }
}

const STATUS: Record<string, number> = {
  invalid: 400,
  weak_password: 400,
  limit: 400,
  forbidden: 403,
  not_found: 404,
  exists: 409,
  in_use: 409,
  encoding: 400,
};

/**
 * Answers an input error and returns true, or returns false for any other error (the caller
 * rethrows it). `fieldOf` names the input field a core UserError code is about.
 */
export function answerInputError(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  fieldOf: (code: string) => string | null = () => null,
): boolean {
  if (err instanceof BadRequest)
    sendProblem(req, res, 400, 'about:blank', err.message, { errors: err.errors });
  else if (err instanceof BodyTooLarge) sendProblem(req, res, 413, 'about:blank', err.message);
  else if (err instanceof UserError) {
    const field = fieldOf(err.code);
    sendProblem(
      req,
      res,
      STATUS[err.code] ?? 400,
      'about:blank',
      err.message,
      field ? { errors: [{ field, message: err.message }] } : {},
    );
  } else return false;
  return true;
}
