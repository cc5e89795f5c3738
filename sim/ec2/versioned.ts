/**
 * A value with its previous version, to model EC2's eventual consistency: a Describe call
 * made shortly after a change may still return the old value.
 */
export class Versioned<T> {
  private previous: T | undefined;
  private changedAt = Number.NEGATIVE_INFINITY;

  constructor(private current: T) {}

  get value(): T {
    return this.current;
  }

  set(value: T, now: number): void {
    this.previous = this.current;
    this.current = value;
    this.changedAt = now;
  }

  /** What a reader sees at `now` if changes take `lagMs` to become visible. */
  seen(now: number, lagMs: number): T {
    if (this.previous !== undefined && now - this.changedAt < lagMs) return this.previous;
    return this.current;
  }
}
