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
 * Reads the facts out of a notification made by `shared/messages/format.ts` (subject
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
