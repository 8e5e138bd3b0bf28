// The shape of a command handler: the states it is allowed in (RFC 9051 §6) and the code
// that turns its parsed arguments into calls on core/, ending with one tagged response.
import type { Args, CommandName } from '../proto/grammar.ts';
import type { Session, State } from '../session.ts';

/** The argument types of the named commands (members whose name union overlaps N). */
export type ArgsOf<N extends CommandName> = Args extends infer A
  ? A extends { name: infer M }
    ? [Extract<M, N>] extends [never]
      ? never
      : A & { name: Extract<M, N> }
    : never
  : never;

export interface Handler<N extends CommandName> {
  states: Exclude<State, 'logout'>[];
  run(s: Session, args: ArgsOf<N>, tag: string): Promise<void>;
}

export const ANY: Exclude<State, 'logout'>[] = ['notauth', 'auth', 'selected'];
export const AUTHED: Exclude<State, 'logout'>[] = ['auth', 'selected'];
export const SELECTED: Exclude<State, 'logout'>[] = ['selected'];

/** Any handler, for the lookup table (the session passes the arguments the grammar made). */
export interface AnyHandler {
  states: Exclude<State, 'logout'>[];
  run(s: Session, args: never, tag: string): Promise<void>;
}
