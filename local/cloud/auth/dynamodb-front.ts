import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { closeNow, listen, readRawBody, send, trackSockets } from '../util/http';
import { DYNAMO_ACCESS_DENIED, dynamoAuthAnswer } from './answers';
import { DynamoRequestError, dynamoChecks } from './dynamodb-request';
import type { LocalAuth } from './index';

/** A running authorizing front. */
export interface DynamoFront {
  /** `http://127.0.0.1:PORT`: what every local DynamoDB client talks to. */
  readonly endpoint: string;
  /** false: every connection is reset (DynamoDB unreachable); true: back to normal. */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

/** Options of {@link startDynamoFront}. */
export interface DynamoFrontOptions {
  readonly auth: LocalAuth;
  /** Where dynalite listens. */
  readonly backend: { readonly host: string; readonly port: number };
  /** The hash key attribute of each table the front knows (others: no LeadingKeys). */
  readonly hashKeys: ReadonlyMap<string, string>;
  readonly port?: number;
}

const JSON_TYPE = 'application/x-amz-json-1.0';

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, JSON.stringify({ __type: type, message }), JSON_TYPE, {
    'x-amzn-requestid': randomUUID().replaceAll('-', '').toUpperCase(),
  });
}

/** Sends the request on to dynalite unchanged and streams its answer back. */
function forward(
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
  backend: DynamoFrontOptions['backend'],
): Promise<void> {
  return new Promise((resolve) => {
    const upstream = request(
      { host: backend.host, port: backend.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', () => {
          res.destroy();
          resolve();
        });
      },
    );
    upstream.on('error', () => {
      res.destroy();
      resolve();
    });
    upstream.end(body);
  });
}

/**
 * A small HTTP proxy in front of dynalite, which has no authentication: verifies each
 * request's SigV4 signature against the local credentials, authorizes it against the caller's
 * IAM policies (action, table ARN, `dynamodb:LeadingKeys`), then forwards the unchanged
 * request. Refusals answer as DynamoDB does (JSON `__type`, HTTP 400).
 */
export async function startDynamoFront(options: DynamoFrontOptions): Promise<DynamoFront> {
  const { auth } = options;
  let available = true;
  const server = createServer((req, res) => {
    const handle = async () => {
      const body = await readRawBody(req, 16 * 1024 * 1024);
      const signed = auth.authenticate(
        { method: req.method ?? 'POST', url: req.url ?? '/', rawHeaders: req.rawHeaders, body },
        'dynamodb',
      );
      if (!signed.ok) {
        const answer = dynamoAuthAnswer(signed.failure);
        return sendError(res, answer.status, answer.code, answer.message);
      }
      const principal = signed.credential.principal;
      let checks: ReturnType<typeof dynamoChecks>;
      try {
        checks = dynamoChecks(req.headers['x-amz-target'] as string | undefined, body.toString('utf8'), {
          region: auth.region,
          accountId: auth.accountId,
          hashKeyOf: (table) => options.hashKeys.get(table),
        });
      } catch (err) {
        if (err instanceof DynamoRequestError) {
          return sendError(res, 400, 'com.amazon.coral.validate#ValidationException', err.message);
        }
        throw err;
      }
      for (const check of checks) {
        const denial = await auth.check({
          principal,
          action: check.action,
          resources: [check.resource],
          context: check.context,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        });
        if (denial) return sendError(res, 400, DYNAMO_ACCESS_DENIED, denial.message);
      }
      await forward(req, body, res, options.backend);
    };
    handle().catch((err: unknown) => {
      if (!res.headersSent)
        sendError(res, 500, 'com.amazonaws.dynamodb#InternalServerError', (err as Error).message);
      else res.destroy();
    });
  });
  const sockets: Set<Socket> = trackSockets(server);
  server.on('connection', (socket) => {
    if (!available) socket.destroy();
  });
  const port = await listen(server, '127.0.0.1', options.port ?? 0);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setAvailable(value: boolean) {
      available = value;
      if (!value) for (const s of sockets) s.destroy();
    },
    close: () => closeNow(server, sockets),
  };
}
