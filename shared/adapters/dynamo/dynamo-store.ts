import type { Verdict } from '../../domain/model';
import type { ControlStore, VerdictStore } from '../../ports/store';
import { DynamoControlStore } from './dynamo-control-store';
import { DynamoGroupStore, type DynamoGroupStoreOptions } from './dynamo-group-store';
import { DynamoVerdictStore } from './dynamo-verdict-store';

/** Options of the DynamoDB adapter. */
export type DynamoStoreOptions = DynamoGroupStoreOptions;

/**
 * The three DynamoDB adapters over one table and client, for wiring that serves every port
 * (the container hands the same store to the arbiter, the prober and the operator functions).
 * The group store's methods are its own; the verdict and control ports delegate.
 */
export class DynamoStore extends DynamoGroupStore implements VerdictStore, ControlStore {
  private readonly verdictStore: DynamoVerdictStore;
  private readonly controlStore: DynamoControlStore;

  constructor(options: DynamoStoreOptions) {
    super(options);
    this.verdictStore = new DynamoVerdictStore(this.table);
    this.controlStore = new DynamoControlStore(this.table);
  }

  loadVerdicts(vantage: string, groups: readonly string[]): Promise<Verdict[]> {
    return this.verdictStore.loadVerdicts(vantage, groups);
  }
  putVerdict(verdict: Verdict): Promise<boolean> {
    return this.verdictStore.putVerdict(verdict);
  }
  putHeartbeat(vantage: string, at: number): Promise<boolean> {
    return this.verdictStore.putHeartbeat(vantage, at);
  }
  setBan(group: string, node: string, expiresAt: number): Promise<void> {
    return this.controlStore.setBan(group, node, expiresAt);
  }
  clearBan(group: string, node: string): Promise<boolean> {
    return this.controlStore.clearBan(group, node);
  }
  setPaused(group: string, paused: boolean): Promise<boolean> {
    return this.controlStore.setPaused(group, paused);
  }
  resetCounters(group: string, alerts: readonly string[]): Promise<void> {
    return this.controlStore.resetCounters(group, alerts);
  }
}
