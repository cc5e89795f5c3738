import { parentPort, workerData } from 'node:worker_threads';

/** What the runtime sends to a container for one invocation. */
export interface InvokeMessage {
  id: number;
  event: unknown;
  timeoutMs: number;
  requestId: string;
}

/** What a container answers. */
export type InvokeReply =
  | { id: number; ok: true; result: unknown; durationMs: number }
  | { id: number; ok: false; error: { name: string; message: string }; durationMs: number };

interface ContainerData {
  handlerFile: string;
  exportName: string;
  functionName: string;
  memoryMb: number;
}

const data = workerData as ContainerData & { containerEntry: string };
const mod = (await import(data.handlerFile)) as Record<string, unknown>;
const handler = mod[data.exportName] as (event: unknown, context: unknown) => Promise<unknown>;
if (typeof handler !== 'function') {
  throw new Error(`${data.handlerFile} has no export ${data.exportName}`);
}

// One Lambda-shaped context per invocation, as the Lambda runtime builds it.
parentPort?.on('message', async (msg: InvokeMessage) => {
  const started = Date.now();
  const deadline = started + msg.timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${data.functionName}`,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: msg.requestId,
    logGroupName: `/aws/lambda/${data.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await handler(msg.event, context);
    parentPort?.postMessage({
      id: msg.id,
      ok: true,
      result,
      durationMs: Date.now() - started,
    } satisfies InvokeReply);
  } catch (error) {
    const e = error as Error;
    parentPort?.postMessage({
      id: msg.id,
      ok: false,
      error: { name: e?.name ?? 'Error', message: e?.message ?? String(error) },
      durationMs: Date.now() - started,
    } satisfies InvokeReply);
  }
});
parentPort?.postMessage({ ready: true });
