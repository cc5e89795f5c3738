import { SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CommandSender } from '../../ports/command-sender';

/** CommandSender over a real SSM client. */
export function ssmSender(ssm: SSMClient): CommandSender {
  return {
    async send(input) {
      const out = await ssm.send(
        new SendCommandCommand({
          DocumentName: input.document,
          InstanceIds: [input.instanceId],
          Parameters: input.parameters,
          TimeoutSeconds: input.timeoutSeconds,
          Comment: input.comment.slice(0, 100),
        }),
      );
      return out.Command?.CommandId ?? '(no command id)';
    },
  };
}
