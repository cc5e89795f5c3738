import type { GroupConfig } from '../config/schema';
import type { InstanceSignal } from '../domain/model';
import type { Mover } from './mover';

/** The arbiter's window on EC2: instance signals and one mover per resource. */
export interface CloudPort {
  signals(group: GroupConfig): Promise<Record<string, InstanceSignal>>;
  movers(group: GroupConfig): Mover[];
}
