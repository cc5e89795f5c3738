import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where serverless.yml lives). */
export const SERVICE_DIR = fileURLToPath(new URL('../../..', import.meta.url));

export interface OslsRun {
  code: number | null;
  /** stdout and stderr together, as a user would read them. */
  output: string;
  ms: number;
}

/**
 * Runs the osls CLI of this repository in a child process, as CI does, with every AWS
 * credential removed from the environment: packaging must never need an account.
 */
export function osls(args: string[]): Promise<OslsRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(key)) continue;
    env[key] = value;
  }
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [resolve(SERVICE_DIR, 'node_modules/osls/bin/serverless.js'), ...args],
      {
        cwd: SERVICE_DIR,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, output, ms: Date.now() - started }));
  });
}
