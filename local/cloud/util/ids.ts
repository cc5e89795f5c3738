import type { Rng } from './rng';

/**
 * Makes AWS-shaped resource ids (`eipassoc-0` + 16 hex digits, 17 in all, like
 * modern EC2 ids). Ids come from a seeded RNG so a seeded run is reproducible, and
 * are never handed out twice.
 */
export class IdFactory {
  readonly #rng: Rng;
  readonly #used = new Set<string>();

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** Marks ids that already exist (from the topology) so they are not generated again. */
  reserve(id: string): void {
    this.#used.add(id);
  }

  /** A new id such as `eipassoc-0a1b2c3d4e5f60718`. */
  next(prefix: string): string {
    for (;;) {
      let hex = '0';
      for (let i = 0; i < 16; i++) hex += Math.floor(this.#rng() * 16).toString(16);
      const id = `${prefix}-${hex}`;
      if (!this.#used.has(id)) {
        this.#used.add(id);
        return id;
      }
    }
  }

  /** A UUID-shaped request id, as EC2 and SNS return. */
  requestId(): string {
    const h = () => Math.floor(this.#rng() * 16).toString(16);
    const part = (n: number) => Array.from({ length: n }, h).join('');
    return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
  }
}
