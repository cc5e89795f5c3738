import type { SNSEvent } from 'aws-lambda';
import { createSsmClient } from '../shared/adapters/aws/clients';
import { postToSlack, ssmWebhookUrl } from '../shared/adapters/slack';
import { forwardToSlack, type SlackForwardDeps } from '../shared/ops/notify-slack';
import { toLog } from '../shared/runtime/container';
import { requireEnv } from '../shared/runtime/env';
import { createLogger } from '../shared/runtime/logger';
import { CorrelationPath, lambdaHandler } from '../shared/runtime/middleware';

/*
 * Needs neither the config nor the table: only the SSM parameter holding the webhook URL, so
 * it is built here rather than from the arbiter's container.
 */
const logger = createLogger();
let deps: SlackForwardDeps | undefined;

function slackDeps(): SlackForwardDeps {
  deps ??= {
    webhookUrl: ssmWebhookUrl(
      createSsmClient(),
      requireEnv('SLACK_WEBHOOK_PARAM', 'the name of the SSM SecureString holding the Slack webhook URL'),
    ),
    post: (url, message) => postToSlack(url, message),
    log: toLog(logger),
  };
  return deps;
}

/** SNS subscriber: posts every notification to Slack; throws on failure so Lambda retries. */
export async function notifySlack(event: SNSEvent): Promise<{ posted: number }> {
  return forwardToSlack(slackDeps(), event);
}

/** Forgets the cached URL reader (tests). */
export function resetSlackDeps(): void {
  deps = undefined;
}

export const handler = lambdaHandler(notifySlack, { logger, correlationIdPath: CorrelationPath.SNS });
