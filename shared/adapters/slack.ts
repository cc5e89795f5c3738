import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMGetOptions } from '@aws-lambda-powertools/parameters/ssm/types';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ArbiterError, messageOf } from '../domain/errors';
import type { SlackMessage } from '../messages/slack';

/** Slack refused or could not be reached; thrown so the SNS-triggered invocation is retried. */
export class SlackError extends ArbiterError {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SlackError';
    this.status = status;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * POSTs a message to an incoming webhook. Only https URLs are accepted, and http to loopback
 * for local tests. Errors never contain the URL: it is a secret.
 * @throws SlackError on a non-2xx answer, a timeout or a refused URL.
 */
export async function postToSlack(url: string, message: SlackMessage, timeoutMs = 5_000): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SlackError('the Slack webhook URL in the SSM parameter is not a URL');
  }
  if (!(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)))) {
    throw new SlackError(`the Slack webhook URL must be https (got ${parsed.protocol}//${parsed.hostname})`);
  }
  let response: Response;
  try {
    response = await fetch(parsed, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new SlackError(`POST to ${parsed.hostname} failed: ${messageOf(error)}`, undefined, {
      cause: error,
    });
  }
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).slice(0, 200);
    throw new SlackError(
      `Slack answered ${response.status}: ${text || response.statusText}`,
      response.status,
    );
  }
  await response.arrayBuffer().catch(() => undefined);
}

/**
 * Powertools' SSM provider (cache, `maxAge`, `decrypt`, error wrapping) that also refuses a
 * parameter that is not a SecureString: the URL lets anyone post to the channel, so a plain
 * String would leave it readable to every holder of ssm:GetParameter and in the console.
 */
class SecureStringProvider extends SSMProvider {
  protected override async _get(name: string, options?: SSMGetOptions): Promise<string | undefined> {
    const out = await this.client.send(
      new GetParameterCommand({ Name: name, WithDecryption: options?.decrypt ?? true }),
    );
    const parameter = out.Parameter;
    if (parameter?.Type !== 'SecureString') {
      throw new SlackError(
        `SSM parameter ${name} must be a SecureString (it is ${parameter?.Type ?? 'missing'})`,
      );
    }
    return parameter.Value;
  }
}

/** How long a read webhook URL is used before SSM is asked again (a rotated URL is picked up). */
export const WEBHOOK_URL_MAX_AGE_SECONDS = 300;

/**
 * Reads the webhook URL from an SSM SecureString parameter (decrypted) through Powertools
 * Parameters: once per container and again after `maxAgeSeconds`, so a rotated URL is picked
 * up without a redeploy. A plain String parameter is refused.
 * @throws SlackError naming the parameter (never its value).
 */
export function ssmWebhookUrl(
  ssm: SSMClient,
  name: string,
  options: { maxAgeSeconds?: number } = {},
): () => Promise<string> {
  const provider = new SecureStringProvider({ awsSdkV3Client: ssm });
  const maxAge = options.maxAgeSeconds ?? WEBHOOK_URL_MAX_AGE_SECONDS;
  return async () => {
    let url: string | undefined;
    try {
      url = await provider.get(name, { maxAge, decrypt: true });
    } catch (error) {
      // Powertools wraps what the SDK threw (or the SecureString refusal) in GetParameterError.
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      if (cause instanceof SlackError) throw cause;
      const code = (cause as { name?: string }).name ?? 'Error';
      const hint =
        code === 'ParameterNotFound'
          ? ` (create it: aws ssm put-parameter --name ${name} --type SecureString --value 'https://hooks.slack.com/services/...')`
          : '';
      throw new SlackError(`cannot read SSM parameter ${name}: ${code}${hint}`, undefined, { cause });
    }
    if (!url) throw new SlackError(`SSM parameter ${name} is empty`);
    return url;
  };
}
