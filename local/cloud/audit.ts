/** How a mutating call ended. */
export type AuditOutcome = 'ok' | 'dry-run' | 'error';

/** One mutating EC2 call as the emulator saw it. */
export interface AuditEntry {
  /** When the request arrived (epoch ms). */
  readonly at: number;
  /** When the response was sent (epoch ms). */
  readonly completedAt: number;
  readonly requestId: string;
  readonly action: string;
  /** Access key id from the SigV4 Authorization header (`anonymous` if unsigned). */
  readonly caller: string;
  /** Request parameters without `Action` and `Version`. */
  readonly params: Readonly<Record<string, string>>;
  readonly outcome: AuditOutcome;
  /** EC2 error code when `outcome` is `error`. */
  readonly errorCode?: string;
}

/**
 * Append-only log of mutating calls, so tests and benchmarks can check who moved
 * what and when, including refused and dry-run calls.
 */
export class AuditLog {
  readonly #entries: AuditEntry[] = [];

  /** Adds an entry. */
  add(entry: AuditEntry): void {
    this.#entries.push(entry);
  }

  /** A copy of all entries, oldest first. */
  entries(): AuditEntry[] {
    return [...this.#entries];
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.length = 0;
  }
}
