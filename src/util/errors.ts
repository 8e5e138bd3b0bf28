// Errors that carry a message meant for a person (CLI, admin API, protocol replies).

/** A failure the user can fix: bad input, a name already taken, a missing thing. */
export class UserError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An administrative action the actor's roles do not reach (HTTP 403). */
export class ForbiddenError extends UserError {
  constructor(message: string) {
    super('forbidden', message);
    this.name = 'ForbiddenError';
  }
}
