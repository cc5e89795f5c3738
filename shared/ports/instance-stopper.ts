/** Stops one instance (StopInstances on AWS; anything in tests). */
export interface InstanceStopper {
  stop(instanceId: string): Promise<void>;
}
