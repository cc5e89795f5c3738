import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMGetOptions } from '@aws-lambda-powertools/parameters/ssm/types';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ArbiterError, messageOf } from '../errors';

/** A notification as it arrives from the SNS topic. */
export interface TopicMessage {
  subject: string;
  body: string;
  group?: string;
  event?: string;
  severity?: string;
}

/** The facts a Slack reader needs first, pulled from a notification's text. */
export interface MessageFacts {
  from?: string;
  to?: string;
  reason?: string;
  /** Per-vantage health lines, or where the addresses are. */
  evidence: string[];
  /** The status command to run next. */
  statusCommand?: string;
}

type Block = Record<string, unknown>;

/** A Slack incoming-webhook message: `text` is what phones show, `blocks` what the channel shows. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

const REASON_LINE = /^(?:Why|Why it was attempted|Why it is wanted|Reason): (.+)$/;
const SECTIONS = ['Health by vantage point:', 'Where the addresses are now (read back from EC2):'];
const SEVERITY_ICON: Record<string, string> = {
  critical: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
};

/**
 * Reads the facts out of a notification made by `shared/notify/format.ts` (subject
 * `group: verb X -> Y (reason)`, body lines `Why: ...`, the health section, the status
 * command). Tolerant: a fact it cannot find is left out, never guessed.
 */
export function extractFacts(message: TopicMessage): MessageFacts {
  const facts: MessageFacts = { evidence: [] };
  const move = /(\S+) -> (\S+?)(?:\s|$)/.exec(message.subject);
  if (move?.[1] && move[2]) {
    facts.from = move[1];
    facts.to = move[2];
  }
  const lines = message.body.split('\n');
  for (const line of lines) {
    const reason = REASON_LINE.exec(line);
    if (reason?.[1] && facts.reason === undefined) facts.reason = reason[1];
    if (line.includes('invoke -f status') && facts.statusCommand === undefined)
      facts.statusCommand = line.trim();
  }
  for (const title of SECTIONS) {
    const start = lines.indexOf(title);
    if (start < 0) continue;
    const end = lines.findIndex((l, i) => i > start && l.trim() === '');
    facts.evidence = lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.replace(/^ {2}/, ''));
    break;
  }
  return facts;
}

/** Slack mrkdwn needs only &, < and > escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The Slack message of one notification: a header with the subject, then group, event,
 * severity and the move (from → to), the reason, the evidence as a code block, and the status
 * command to run. Stays inside Slack's block limits (header 150, section 3000 characters).
 */
export function slackMessage(message: TopicMessage): SlackMessage {
  const facts = extractFacts(message);
  const title = message.subject.replace(/^\[ha-arbiter\]\s*/, '');
  const icon = SEVERITY_ICON[message.severity ?? ''] ?? ':bell:';
  const group = message.group ?? title.split(':')[0] ?? '?';
  const fields = [
    `*Group*\n${escapeMrkdwn(group)}`,
    `*Event*\n${escapeMrkdwn(message.event ?? 'notification')}`,
    `*Severity*\n${escapeMrkdwn(message.severity ?? 'unknown')}`,
    ...(facts.from && facts.to ? [`*Move*\n${escapeMrkdwn(facts.from)} → ${escapeMrkdwn(facts.to)}`] : []),
  ];
  const command =
    facts.statusCommand ??
    `npx serverless invoke -f status --data '${JSON.stringify({ group, format: 'text' })}'`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${title}`, 150), emoji: true } },
    { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text: clip(text, 2000) })) },
  ];
  if (facts.reason) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Reason*\n${escapeMrkdwn(facts.reason)}`, 3000) },
    });
  }
  if (facts.evidence.length > 0) {
    const code = clip(escapeMrkdwn(facts.evidence.join('\n')), 2900);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Evidence*\n\`\`\`${code}\`\`\`` } });
  }
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: clip(`*Status*\n\`${escapeMrkdwn(command)}\``, 3000) },
  });
  return { text: clip(`${icon} ${title}`, 3000), blocks };
}

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
