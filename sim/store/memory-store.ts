import type { HistoryEvent, Lease, Verdict } from '../../shared/domain/model';
import type {
  ControlStore,
  FailoverStart,
  GroupSnapshot,
  GroupStore,
  MoveRecord,
  VerdictStore,
} from '../../shared/ports/store';
import { MemoryTable } from './memory-table';

/**
 * The simulator's table as a plain store whose calls land at once: the one the contract tests
 * and the dynalite comparison run against (the simulation wraps the same table per actor).
 */
export class SimMemoryStore implements GroupStore, VerdictStore, ControlStore {
  constructor(readonly table = new MemoryTable()) {}

  async readGroup(group: string): Promise<GroupSnapshot> {
    return this.table.readGroup(group);
  }
  async acquireLease(...args: Parameters<GroupStore['acquireLease']>): Promise<Lease> {
    return this.table.acquireLease(...args);
  }
  async extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    return this.table.extendLease(lease, now, leaseMs);
  }
  async releaseLease(lease: Lease): Promise<void> {
    this.table.releaseLease(lease);
  }
  async recordMove(lease: Lease, move: MoveRecord): Promise<void> {
    this.table.recordMove(lease, move);
  }
  async recordFailoverStart(lease: Lease, start: FailoverStart): Promise<void> {
    this.table.recordFailoverStart(lease, start);
  }
  async transitionHealth(...args: Parameters<GroupStore['transitionHealth']>): Promise<boolean> {
    return this.table.transitionHealth(...args);
  }
  async saveHealthySince(...args: Parameters<GroupStore['saveHealthySince']>): Promise<void> {
    this.table.saveHealthySince(...args);
  }
  async setAlert(group: string, key: string, value: string | undefined): Promise<boolean> {
    return this.table.setAlert(group, key, value);
  }
  async openBreaker(group: string, now: number): Promise<boolean> {
    return this.table.openBreaker(group, now);
  }
  async setBan(group: string, node: string, expiresAt: number): Promise<void> {
    this.table.setBan(group, node, expiresAt);
  }
  async clearBan(group: string, node: string): Promise<boolean> {
    return this.table.clearBan(group, node);
  }
  async setPaused(group: string, paused: boolean): Promise<boolean> {
    return this.table.setPaused(group, paused);
  }
  async resetCounters(group: string, alerts: readonly string[]): Promise<void> {
    this.table.resetCounters(group, alerts);
  }
  async appendHistory(event: HistoryEvent, _ttlDays: number): Promise<void> {
    this.table.appendHistory(event);
  }
  async readHistory(group: string, limit: number): Promise<HistoryEvent[]> {
    return this.table.readHistory(group, limit);
  }
  async loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    return this.table.loadVerdicts(vantage, groups);
  }
  async putVerdict(verdict: Verdict): Promise<boolean> {
    return this.table.putVerdict(verdict);
  }
  async putHeartbeat(vantage: string, at: number): Promise<boolean> {
    return this.table.putHeartbeat(vantage, at);
  }
}
