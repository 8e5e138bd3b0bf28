// Structured logging (pino). One root logger; every module takes a child with its own
// `module` field so an administrator can filter by door.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.CHAMPA_LOG_LEVEL ?? 'info'): Logger {
  // Synchronous writes keep log lines and plain output (the ready line) in order.
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 1, sync: true }));
}

/** A logger that writes nothing, for tests and one-shot CLI commands. */
export const silentLogger: Logger = pino({ level: 'silent' });
