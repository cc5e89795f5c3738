/** Runs an SSM document on one instance (SendCommand on AWS; anything in tests). */
export interface CommandSender {
  /** @returns the command id, to look the run up later. */
  send(input: {
    document: string;
    instanceId: string;
    parameters: Record<string, string[]>;
    timeoutSeconds: number;
    comment: string;
  }): Promise<string>;
}
