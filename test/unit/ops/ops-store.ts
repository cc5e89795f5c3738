import type { ControlStore } from '../../../shared/ports/store';
import { MemoryStore } from '../../helpers/memory-store';

/** The shared in-memory store plus the operator controls, with DynamoStore's semantics. */
export class OpsMemoryStore extends MemoryStore implements ControlStore {
  readonly controlCalls: string[] = [];

  async setBan(group: string, node: string, expiresAt: number): Promise<void> {
    this.controlCalls.push('setBan');
    const { bans } = this.stateOf(group);
    this.setState(group, { bans: { ...bans, [node]: expiresAt } });
  }

  async clearBan(group: string, node: string): Promise<boolean> {
    this.controlCalls.push('clearBan');
    const { bans } = this.stateOf(group);
    if (bans[node] === undefined) return false;
    delete bans[node];
    this.setState(group, { bans });
    return true;
  }

  async setPaused(group: string, paused: boolean): Promise<boolean> {
    this.controlCalls.push('setPaused');
    if (this.stateOf(group).paused === paused) return false;
    this.setState(group, { paused });
    return true;
  }

  async resetCounters(group: string, alerts: readonly string[]): Promise<void> {
    this.controlCalls.push('resetCounters');
    const state = this.stateOf(group);
    for (const key of alerts) delete state.alerts[key];
    delete state.breakerOpenSince;
    delete state.lastFailoverAt;
    state.failoverTimes = [];
    this.states.set(group, state);
  }
}
