/** The logging surface the core needs (the Powertools logger of shared/runtime/logger.ts satisfies it). */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** A logger that drops everything (tests, simulation). */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
