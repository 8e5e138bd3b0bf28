// Structured logging (pino). One root logger; every module takes a child with its own
// `module` field so an administrator can filter by door.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.CHAMPA_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid } });
}

/** A logger that writes nothing, for tests and one-shot CLI commands. */
export const silentLogger: Logger = pino({ level: 'silent' });
