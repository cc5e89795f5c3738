import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseForm, queryIndexes } from '../util/form.js';
import {
  callerFromAuthorization,
  closeNow,
  listen,
  readBody,
  send,
  sendJson,
  trackSockets,
} from '../util/http.js';
import type { IdFactory } from '../util/ids.js';
import { toXmlDocument, type XmlObject } from '../util/xml.js';
import { SnsError } from './errors.js';
import type { PublishedAttribute } from './model.js';
import type { SnsService } from './service.js';

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
      if (protocol !== 'http') {
        throw new SnsError(
          'InvalidParameter',
          'Invalid parameter: Protocol (the local cloud delivers over http; subscribe functions in-process)',
        );
      }
      return { SubscriptionArn: sns.subscribeHttp(topicArn, form.get('Endpoint') ?? '') };
    }
    case 'Unsubscribe':
      sns.unsubscribe(form.get('SubscriptionArn') ?? '');
      return undefined;
    default:
      throw new SnsError('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

function respond(
  sns: SnsService,
  form: Form,
  caller: string,
  requestId: string,
): { status: number; body: string } {
  const action = form.get('Action') ?? '';
  try {
    const result = runAction(sns, action, form, caller);
    const body: XmlObject = {};
    if (result) body[`${action}Result`] = result;
    body.ResponseMetadata = { RequestId: requestId };
    return {
      status: 200,
      body: toXmlDocument(`${action}Response`, body, { xmlns: SNS_XMLNS, listItem: 'member' }),
    };
  } catch (err) {
    const e = err instanceof SnsError ? err : new SnsError('InternalError', (err as Error).message);
    const body = toXmlDocument(
      'ErrorResponse',
      { Error: { Type: e.type, Code: e.code, Message: e.message }, RequestId: requestId },
      { xmlns: SNS_XMLNS, listItem: 'member' },
    );
    return { status: e.status, body };
  }
}

async function handle(
  sns: SnsService,
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
  const form = parseForm(url.search.slice(1));
  for (const [key, value] of parseForm(await readBody(req))) form.set(key, value);
  const caller = callerFromAuthorization(req.headers.authorization) ?? 'anonymous';
  const requestId = ids.requestId();
  const { status, body } = respond(sns, form, caller, requestId);
  send(res, status, body, 'text/xml', { 'x-amzn-requestid': requestId });
}

/** Starts the SNS Query emulator on the loopback interface. */
export async function startSnsServer(
  sns: SnsService,
  ids: IdFactory,
  host: string,
  port: number,
): Promise<SnsServer> {
  const server = createServer((req, res) => {
    handle(sns, ids, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });
  const sockets = trackSockets(server);
  const bound = await listen(server, host, port);
  return { endpoint: `http://${host}:${bound}`, port: bound, close: () => closeNow(server, sockets) };
}
