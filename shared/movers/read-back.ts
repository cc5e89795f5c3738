import type { VerifyOptions } from './mover';

/**
 * Reads until `done` holds or the attempts run out; returns the last read and whether it
 * matched. EC2 is eventually consistent: a mutating call can return before Describe shows
 * its effect, so a move is only trusted once a read shows it.
 */
export async function readBack<T>(
  verify: VerifyOptions,
  read: () => Promise<T>,
  done: (view: T) => boolean,
): Promise<{ view: T; ok: boolean }> {
  let view = await read();
  for (let attempt = 1; !done(view); attempt += 1) {
    if (attempt >= verify.attempts) return { view, ok: false };
    await verify.sleep(verify.delayMs);
    view = await read();
  }
  return { view, ok: true };
}
