import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InvokeMessage, InvokeReply } from './container-entry';

/** How one function is hosted locally. */
export interface FunctionSpec {
  name: string;
  /** Absolute path of the handler module, e.g. functions/arbiter.ts. */
  handlerFile: string;
  exportName: string;
  env: Record<string, string>;
  timeoutMs: number;
  memoryMb?: number;
  /** Where the function's log lines go; discarded if unset. */
  logFile?: string;
}

/** An invocation failed: the handler threw, or the function timed out or was killed. */
export class InvocationError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorName: string,
    message: string,
  ) {
    super(`${functionName}: ${errorName}: ${message}`);
    this.name = 'InvocationError';
  }
}

/**
 * One function's container, as a worker thread with its own environment and module state,
 * the way Lambda gives each function its own container. A timed-out or killed container is
 * thrown away and a fresh one starts on the next invocation (a cold start).
 */
export class FunctionHost {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private log: WriteStream | undefined;
  invocations = 0;

  constructor(readonly spec: FunctionSpec) {}

  /** Invokes the handler with an event; resolves with its result. */
  async invoke(event: unknown, timeoutMs = this.spec.timeoutMs): Promise<unknown> {
    const worker = await this.start();
    const id = this.nextId++;
    this.invocations += 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new InvocationError(this.spec.name, 'TimeoutError', `timed out after ${timeoutMs} ms`));
        void this.kill();
      }, timeoutMs + 1_000);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, event, timeoutMs, requestId: randomUUID() } satisfies InvokeMessage);
    });
  }

  /** Terminates the container at once, failing its in-flight invocations (a crash). */
  async kill(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new InvocationError(this.spec.name, 'Killed', 'the container was terminated'));
      this.pending.delete(id);
    }
    if (worker) await worker.terminate();
  }

  async close(): Promise<void> {
    await this.kill();
    this.log?.end();
  }

  private start(): Promise<Worker> {
    if (this.worker && this.ready) {
      const w = this.worker;
      return this.ready.then(() => w);
    }
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: {
        containerEntry: new URL('./container-entry.ts', import.meta.url).href,
        handlerFile: this.spec.handlerFile,
        exportName: this.spec.exportName,
        functionName: this.spec.name,
        memoryMb: this.spec.memoryMb ?? 128,
      },
      env: { ...process.env, ...this.spec.env },
      stdout: true,
      stderr: true,
    });
    if (this.spec.logFile && !this.log) this.log = createWriteStream(this.spec.logFile, { flags: 'a' });
    const sink = this.log;
    worker.stdout.on('data', (chunk: Buffer) => sink?.write(chunk));
    worker.stderr.on('data', (chunk: Buffer) => sink?.write(chunk));
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.once('error', (error) => reject(error));
      worker.on('message', (msg: InvokeReply | { ready: true }) => {
        if ('ready' in msg) {
          resolve();
          return;
        }
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new InvocationError(this.spec.name, msg.error.name, msg.error.message));
      });
    });
    worker.on('error', (error) => {
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new InvocationError(this.spec.name, 'ContainerError', error.message));
        this.pending.delete(id);
      }
      if (this.worker === worker) {
        this.worker = undefined;
        this.ready = undefined;
      }
    });
    return this.ready.then(() => worker);
  }
}

/** Absolute path of a repository file, from this module's location. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
