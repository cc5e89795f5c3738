import type { GroupConfig } from '../config/schema';
import type { InstanceSignal } from '../model';
import type { Mover } from '../movers/mover';

/** The arbiter's window on EC2: instance signals and one mover per resource. */
export interface CloudPort {
  signals(group: GroupConfig): Promise<Record<string, InstanceSignal>>;
  movers(group: GroupConfig): Mover[];
}
