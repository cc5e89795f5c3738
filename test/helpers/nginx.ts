import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** Debian's nginx, if installed (`.ci/run` installs it when missing). */
export function findNginx(): string | undefined {
  for (const path of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (existsSync(path)) return path;
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

/** A free TCP port on a loopback address. */
export function freePort(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** One nginx playing a load balancer: its own prefix, config, pid and logs. */
export interface Nginx {
  readonly name: string;
  readonly endpoint: string;
  readonly pid: number | undefined;
  /** Starts it (again) and waits until it accepts connections. */
  start(): Promise<void>;
  /** Sends a signal to the running process (QUIT: graceful stop; STOP/CONT: freeze/thaw). */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  exited(): Promise<void>;
  /** Thaws and stops it, whatever its state. */
  close(): Promise<void>;
}

/**
 * Writes a config under `prefix` and returns a handle. One process (`master_process off`), in
 * the foreground (`daemon off`), so SIGSTOP freezes the very process that answers, and the
 * health path answers `ok nginx <name>`.
 */
export function nginxNode(binary: string, name: string, host: string, port: number, prefix: string): Nginx {
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  const tmp = join(prefix, 'tmp');
  writeFileSync(
    conf,
    [
      'daemon off;',
      'master_process off;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${join(prefix, 'logs', 'error.log')} warn;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fastcgi;`,
      `  uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;`,
      '  server {',
      `    listen ${host}:${port};`,
      `    location = /healthz { default_type text/plain; return 200 "ok nginx ${name}\\n"; }`,
      `    location / { default_type text/plain; return 200 "hello from nginx ${name}\\n"; }`,
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let exit: Promise<void> = Promise.resolve();
  const handle: Nginx = {
    name,
    endpoint: `${host}:${port}`,
    get pid() {
      return child?.pid;
    },
    async start() {
      const started = spawn(binary, ['-p', prefix, '-c', conf, '-e', join(prefix, 'logs', 'error.log')], {
        stdio: 'ignore',
      });
      child = started;
      exit = new Promise((done) => started.once('exit', () => done()));
      await waitForListener(host, port, 10_000);
    },
    signal(signal) {
      if (child?.pid && child.exitCode === null) process.kill(child.pid, signal);
    },
    exited: () => exit,
    async close() {
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, 'SIGCONT');
        process.kill(child.pid, 'SIGQUIT');
        const timer = setTimeout(() => child?.pid && process.kill(child.pid, 'SIGKILL'), 5_000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
  return handle;
}

async function waitForListener(host: string, port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nginx did not listen on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
