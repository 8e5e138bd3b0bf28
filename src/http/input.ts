// Reading JSON input on the HTTP API routes (the admin API, the web app's account routes):
// a bounded body, application/json only, validated by a zod schema; and the one way of
// answering bad input — 400 with `errors: [{field, code, params, message}]` naming each field,
// 413 for a body too large, and core UserErrors mapped to their status. Every answer carries
// the problem's `code` and `params` (util/problems.ts) beside the English `detail`, as
// extension members of the problem details object (RFC 9457 §3.2), so the web console can say
// it in the reader's language.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { problemOf, UserError } from '../util/errors.ts';
import { PROBLEMS, problem, type Problem, type ProblemCode } from '../util/problems.ts';
import { BodyTooLarge, readBody, sendProblem } from './respond.ts';

const MAX_BODY = 64 * 1024;

/** One invalid field: its name, and the problem with it. */
export interface FieldError extends Problem {
  field: string;
}

export const fieldError = (field: string, p: Problem): FieldError => ({ field, ...p });

/** Invalid input, answered 400 with the fields named. */
export class BadRequest extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.errors = errors;
  }
}

/** The codes of the problems without parameters, by their English (the schemas' messages). */
const BY_MESSAGE = new Map<string, ProblemCode>(
  (Object.keys(PROBLEMS) as ProblemCode[])
    .filter((c) => PROBLEMS[c].params.length === 0)
    .map((c) => [(PROBLEMS[c].en as () => string)(), c]),
);

/** The value at a zod issue's path, to tell a missing field from a wrong one. */
function at(value: unknown, path: PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** A zod issue as one of our problems. */
function issueProblem(issue: z.core.$ZodIssue, value: unknown): Problem {
  const known = BY_MESSAGE.get(issue.message);
  switch (issue.code) {
    case 'invalid_type':
      if (at(value, issue.path) === undefined) return problem('fieldRequired');
      if (issue.expected === 'int') return problem('fieldNotWholeNumber');
      return problem('fieldWrongType', { expected: issue.expected });
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) <= 1) return problem('fieldRequired');
      return issue.origin === 'string'
        ? problem('fieldTooShort', { min: Number(issue.minimum) })
        : problem('fieldTooSmall', { min: Number(issue.minimum) });
    case 'too_big':
      return issue.origin === 'string'
        ? problem('fieldTooLong', { max: Number(issue.maximum) })
        : problem('fieldTooLarge', { max: Number(issue.maximum) });
    case 'invalid_value':
      return problem('fieldNotOneOf', { values: issue.values.map(String).join(', ') });
    case 'unrecognized_keys':
      return problem('fieldUnknown', { keys: issue.keys.join(', ') });
    default:
      // A check of ours whose message is a problem's English (the schemas take it from there).
      return known ? { code: known, params: {}, message: issue.message } : problem('fieldInvalid');
  }
}

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new BadRequest(
    r.error.issues.map((i) =>
      fieldError(i.path.length ? i.path.join('.') : '(body)', issueProblem(i, value)),
    ),
  );
}

export async function readJson(req: IncomingMessage, limit = MAX_BODY): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    throw new BadRequest([fieldError('(body)', problem('jsonContentType'))]);
  const text = (await readBody(req, limit)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequest([fieldError('(body)', problem('jsonInvalid'))]);
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
    sendProblem(req, res, 400, 'about:blank', err.message, {
      code: 'invalidFields',
      params: {},
      errors: err.errors,
    });
  else if (err instanceof BodyTooLarge) {
    const p = problem('bodyTooLarge', { limit: err.limit });
    sendProblem(req, res, 413, 'about:blank', err.message, { code: p.code, params: p.params });
  } else if (err instanceof UserError) {
    const p = problemOf(err);
    const field = fieldOf(err.code);
    sendProblem(req, res, STATUS[err.code] ?? 400, 'about:blank', err.message, {
      code: p.code,
      params: p.params,
      ...(field ? { errors: [fieldError(field, p)] } : {}),
    });
  } else return false;
  return true;
}
