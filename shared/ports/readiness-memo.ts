import type { PermissionCheck } from '../domain/readiness';

/** Where the last DryRun of a group's move is remembered between reconciles (and read by status). */
export interface ReadinessMemo {
  read(group: string): Promise<PermissionCheck | undefined>;
  save(group: string, check: PermissionCheck): Promise<void>;
}
