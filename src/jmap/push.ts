// JMAP push over EventSource (RFC 8620 §7.3), the part with no sockets: reading the URL's
// `types`, `closeafter` and `ping` parameters and turning a change-bus event into the
// StateChange object (§7.1) the stream sends. Every type's state is the account's modseq
// (context.ts stateOf), so one event names each changed type with the same state.
import type { ChangeEvent } from '../store/bus.ts';
import { stateOf } from './context.ts';

/** Longest ping interval honoured, in seconds (§7.3: the server MAY bound it). */
export const MAX_PING_SECONDS = 300;

export interface PushParams {
  /** Type names to report, or null for every type ("*"). */
  types: Set<string> | null;
  closeAfterState: boolean;
  /** Seconds between pings; 0 = no pings. */
  ping: number;
}

/** Parses the query of an EventSource URL; a string describing the error when it is bad. */
export function parsePushParams(q: URLSearchParams): PushParams | string {
  const typesArg = q.get('types') ?? '*';
  const types = typesArg === '*' ? null : new Set(typesArg.split(',').filter((t) => t.length > 0));
  const closeafter = q.get('closeafter') ?? 'no';
  if (closeafter !== 'state' && closeafter !== 'no') return 'closeafter must be "state" or "no"';
  const pingArg = q.get('ping') ?? '0';
  if (!/^\d{1,9}$/.test(pingArg)) return 'ping must be a non-negative integer';
  const ping = Math.min(Number(pingArg), MAX_PING_SECONDS);
  return { types, closeAfterState: closeafter === 'state', ping };
}

/** The StateChange for an event, or null when none of its types is asked for. */
export function stateChange(
  jmapAccountId: string,
  event: ChangeEvent,
  types: Set<string> | null,
): Record<string, unknown> | null {
  const changed: Record<string, string> = {};
  for (const t of event.types) if (!types || types.has(t)) changed[t] = stateOf(event.modseq);
  if (Object.keys(changed).length === 0) return null;
  return { '@type': 'StateChange', changed: { [jmapAccountId]: changed } };
}
