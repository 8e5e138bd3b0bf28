// Errors that carry a message meant for a person (CLI, admin API, protocol replies).
import { fallbackProblem, withMessage, type Problem } from './problems.ts';

/**
 * A failure the user can fix: bad input, a name already taken, a missing thing. `code` is its
 * kind (invalid, not_found, exists, in_use, forbidden, limit, weak_password, encoding), which
 * the doors map to their replies; `problem`, when given, names it exactly (util/problems.ts)
 * so the web console can say it in the reader's language.
 */
export class UserError extends Error {
  readonly code: string;
  readonly problem: Problem | undefined;
  constructor(code: string, message: string | Problem) {
    super(typeof message === 'string' ? message : message.message);
    this.name = 'UserError';
    this.code = code;
    this.problem = typeof message === 'string' ? undefined : message;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The problem an error names: its own, or a fallback carrying its English message. */
export function problemOf(err: unknown): Problem {
  if (err instanceof UserError)
    return err.problem
      ? withMessage(err.problem, err.message)
      : fallbackProblem(err.code, err.message);
  return fallbackProblem('invalid', errorMessage(err));
}

/** An administrative action the actor's roles do not reach (HTTP 403). */
export class ForbiddenError extends UserError {
  constructor(message: string | Problem) {
    super(
      'forbidden',
      typeof message === 'string' ? message : withMessage(message, `forbidden: ${message.message}`),
    );
    this.name = 'ForbiddenError';
  }
}
