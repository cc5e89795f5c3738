import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type LocalAuth, type Principal, snsAuthAnswer } from '../auth/index';
import { parseForm, queryIndexes } from '../util/form';
import { closeNow, listen, readRawBody, send, sendJson, trackSockets } from '../util/http';
import type { IdFactory } from '../util/ids';
import { toXmlDocument, type XmlObject } from '../util/xml';
import { SnsError } from './errors';
import type { PublishedAttribute, Subscription } from './model';
import type { SnsService } from './service';

const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const TOPIC_ARN = /^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** A running SNS emulator. */
export interface SnsServer {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

type Form = ReadonlyMap<string, string>;

function topicArnParam(form: Form, ...names: string[]): string {
  const name = names.find((n) => form.get(n));
  const arn = name ? form.get(name) : undefined;
  if (!arn) throw new SnsError('InvalidParameter', `Invalid parameter: ${names.join(' or ')}`);
  if (!TOPIC_ARN.test(arn)) throw new SnsError('InvalidParameter', `Invalid parameter: ${name}`);
  return arn;
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue|BinaryValue`. */
function messageAttributes(form: Form): Record<string, PublishedAttribute> {
  const out: Record<string, PublishedAttribute> = {};
  for (const i of queryIndexes(form, 'MessageAttributes.entry')) {
    const at = `MessageAttributes.entry.${i}`;
    const name = form.get(`${at}.Name`);
    if (!name) throw new SnsError('ParameterValueInvalid', 'The message attribute name must not be empty.');
    const dataType = form.get(`${at}.Value.DataType`);
    if (!dataType || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type.`,
      );
    }
    const value = form.get(`${at}.Value.StringValue`) ?? form.get(`${at}.Value.BinaryValue`);
    if (value === undefined) {
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain a non-empty value.`,
      );
    }
    out[name] = { dataType, value };
  }
  return out;
}

/**
 * A ListSubscriptions member as SNS writes it (`PendingConfirmation` until confirmed). Email
 * subscriptions carry a note, since the local cloud never sends mail (SDKs ignore the element).
 */
function subscriptionMember(s: Subscription): XmlObject {
  return {
    SubscriptionArn: s.confirmed ? s.arn : 'PendingConfirmation',
    Owner: s.arn.split(':')[4] ?? '',
    Protocol: s.protocol,
    Endpoint: s.protocol === 'lambda' ? `${s.topicArn}:in-process` : s.endpoint,
    TopicArn: s.topicArn,
    ...(s.protocol === 'email'
      ? { LocalNote: 'pending confirmation for good: the local cloud never delivers email' }
      : {}),
  };
}

const SNS_ACTIONS = new Set([
  'Publish',
  'CreateTopic',
  'ListTopics',
  'Subscribe',
  'ConfirmSubscription',
  'Unsubscribe',
  'ListSubscriptions',
  'ListSubscriptionsByTopic',
]);

/** The topic ARN IAM checks for an action (`*` for the list calls). */
function snsResource(sns: SnsService, action: string, form: Form): string {
  switch (action) {
    case 'Publish':
      return form.get('TopicArn') ?? form.get('TargetArn') ?? '*';
    case 'CreateTopic':
      return sns.topicArn(form.get('Name') ?? '');
    case 'Unsubscribe': {
      const arn = form.get('SubscriptionArn') ?? '';
      return arn.includes(':') ? arn.slice(0, arn.lastIndexOf(':')) : '*';
    }
    case 'ListTopics':
    case 'ListSubscriptions':
      return '*';
    default:
      return form.get('TopicArn') ?? '*';
  }
}

/** Runs one SNS action and returns its `...Result` content (undefined for none). */
function runAction(sns: SnsService, action: string, form: Form, caller: string): XmlObject | undefined {
  switch (action) {
    case 'Publish': {
      const topicArn = topicArnParam(form, 'TopicArn', 'TargetArn');
      const message = form.get('Message');
      if (message === undefined) throw new SnsError('InvalidParameter', 'Invalid parameter: Message');
      const subject = form.get('Subject');
      const published = sns.publish({
        topicArn,
        message,
        ...(subject !== undefined ? { subject } : {}),
        attributes: messageAttributes(form),
        caller,
      });
      return { MessageId: published.messageId };
    }
    case 'CreateTopic':
      return { TopicArn: sns.createTopic(form.get('Name') ?? '') };
    case 'ListTopics':
      return { Topics: sns.listTopics().map((arn) => ({ TopicArn: arn })) };
    case 'Subscribe': {
      const topicArn = topicArnParam(form, 'TopicArn');
      const protocol = form.get('Protocol');
      const endpoint = form.get('Endpoint') ?? '';
      let arn: string;
      if (protocol === 'http') arn = sns.subscribeHttp(topicArn, endpoint);
      else if (protocol === 'email') arn = sns.subscribeEmail(topicArn, endpoint);
      else {
        throw new SnsError(
          'InvalidParameter',
          `Invalid parameter: Protocol ${String(protocol)} (the local cloud delivers over http and records email subscriptions; subscribe functions in-process)`,
        );
      }
      // As on SNS: a subscription that needs confirming answers "pending confirmation" unless
      // the caller asked for the ARN.
      const confirmed = sns.subscriptions(topicArn).find((s) => s.arn === arn)?.confirmed ?? false;
      const returnArn = form.get('ReturnSubscriptionArn') === 'true';
      return { SubscriptionArn: confirmed || returnArn ? arn : 'pending confirmation' };
    }
    case 'ConfirmSubscription': {
      const topicArn = topicArnParam(form, 'TopicArn');
      const token = form.get('Token');
      if (!token) throw new SnsError('InvalidParameter', 'Invalid parameter: Token');
      return { SubscriptionArn: sns.confirm(topicArn, token) };
    }
    case 'ListSubscriptions':
      return { Subscriptions: sns.subscriptions().map(subscriptionMember) };
    case 'ListSubscriptionsByTopic':
      return { Subscriptions: sns.subscriptions(topicArnParam(form, 'TopicArn')).map(subscriptionMember) };
    case 'Unsubscribe':
      sns.unsubscribe(form.get('SubscriptionArn') ?? '');
      return undefined;
    default:
      throw new SnsError('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

function errorResponse(e: SnsError, requestId: string): { status: number; body: string } {
  const body = toXmlDocument(
    'ErrorResponse',
    { Error: { Type: e.type, Code: e.code, Message: e.message }, RequestId: requestId },
    { xmlns: SNS_XMLNS, listItem: 'member' },
  );
  return { status: e.status, body };
}

async function respond(
  sns: SnsService,
  auth: LocalAuth,
  form: Form,
  principal: Principal | undefined,
  requestId: string,
): Promise<{ status: number; body: string }> {
  const action = form.get('Action') ?? '';
  if (!SNS_ACTIONS.has(action)) {
    return errorResponse(
      new SnsError('InvalidAction', `The action ${action} is not valid for this web service.`),
      requestId,
    );
  }
  // ConfirmSubscription is the one call SNS serves unsigned: the SubscribeURL an endpoint GETs.
  if (principal) {
    const denial = await auth.check({
      principal,
      action: `sns:${action}`,
      resources: [snsResource(sns, action, form)],
    });
    if (denial) return errorResponse(new SnsError('AuthorizationError', denial.message), requestId);
  }
  try {
    const result = runAction(sns, action, form, principal?.name ?? 'anonymous');
    const body: XmlObject = {};
    if (result) body[`${action}Result`] = result;
    body.ResponseMetadata = { RequestId: requestId };
    return {
      status: 200,
      body: toXmlDocument(`${action}Response`, body, { xmlns: SNS_XMLNS, listItem: 'member' }),
    };
  } catch (err) {
    return errorResponse(
      err instanceof SnsError ? err : new SnsError('InternalError', (err as Error).message),
      requestId,
    );
  }
}

async function handle(
  sns: SnsService,
  auth: LocalAuth,
  ids: IdFactory,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  if (url.pathname === '/_local/published') {
    if (req.method === 'GET') return sendJson(res, 200, sns.published());
    if (req.method === 'DELETE') {
      sns.clearPublished();
      return sendJson(res, 200, []);
    }
  }
  if (url.pathname.startsWith('/_local/'))
    return sendJson(res, 404, { error: `no local route ${url.pathname}` });
  const raw = await readRawBody(req);
  const form = parseForm(url.search.slice(1));
  for (const [key, value] of parseForm(raw.toString('utf8'))) form.set(key, value);
  const requestId = ids.requestId();
  const signed = auth.authenticate(
    { method: req.method ?? 'GET', url: req.url ?? '/', rawHeaders: req.rawHeaders, body: raw },
    'sns',
  );
  let principal: Principal | undefined;
  if (signed.ok) principal = signed.credential.principal;
  else if (!(signed.failure.kind === 'missing' && form.get('Action') === 'ConfirmSubscription')) {
    const answer = snsAuthAnswer(signed.failure);
    const body = toXmlDocument(
      'ErrorResponse',
      { Error: { Type: 'Sender', Code: answer.code, Message: answer.message }, RequestId: requestId },
      { xmlns: SNS_XMLNS, listItem: 'member' },
    );
    send(res, answer.status, body, 'text/xml', { 'x-amzn-requestid': requestId });
    return;
  }
  const { status, body } = await respond(sns, auth, form, principal, requestId);
  send(res, status, body, 'text/xml', { 'x-amzn-requestid': requestId });
}

/** Starts the SNS Query emulator on the loopback interface. */
export async function startSnsServer(
  sns: SnsService,
  auth: LocalAuth,
  ids: IdFactory,
  host: string,
  port: number,
): Promise<SnsServer> {
  const server = createServer((req, res) => {
    handle(sns, auth, ids, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });
  const sockets = trackSockets(server);
  const bound = await listen(server, host, port);
  sns.useEndpoint(`http://${host}:${bound}`);
  return { endpoint: `http://${host}:${bound}`, port: bound, close: () => closeNow(server, sockets) };
}
