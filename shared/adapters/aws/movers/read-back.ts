import { VerificationError } from '../../../domain/errors';
import { DESCRIBE_SETTLE_MS, type MoveOutcome, type VerifyOptions } from '../../../ports/mover';

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

/*
 * The race this closes (found by an e2e test on a loaded machine): someone moves the Elastic
 * IP by hand to lb-2; the arbiter sees the drift and repairs toward lb-1. Its mover's first
 * Describe answers from before the hand move, shows lb-1, and the mover calls nothing, reads
 * back "lb-1" and reports the repair done while the address stays on lb-2. A Describe that
 * shows the move already made is the one answer the mover would act on by doing nothing, so
 * it is trusted only when a second look, after Describe's lag, shows the same.
 */
/**
 * The view a move starts from: read once; if it shows the resource already in place, read
 * again after `settleMs` and start from that.
 */
export async function readSettled<T>(
  verify: VerifyOptions,
  read: () => Promise<T>,
  inPlace: (view: T) => boolean,
): Promise<T> {
  const first = await read();
  if (!inPlace(first)) return first;
  await verify.sleep(verify.settleMs ?? DESCRIBE_SETTLE_MS);
  return read();
}

/** A move's calls and how to check them, for {@link verifiedOutcome}. */
export interface Verification<T> {
  /** The mover's key. */
  resource: string;
  verify: VerifyOptions;
  /** The mutating calls made; none means the resource already was in place. */
  calls: string[];
  /** The view read before the calls (its holder is the detail when nothing was called). */
  before: T;
  read: () => Promise<T>;
  done: (view: T) => boolean;
  /** The holder as text, e.g. `eni-0aaa / 10.0.1.10`. */
  detail: (view: T) => string;
  /** For the error: what was called (`ReplaceRoute to lb-2 (eni-0b)`) and which Describe should show it. */
  called: string;
  describe: string;
}

/**
 * The outcome of a move: unchanged when nothing was called, else read back until `done`.
 * @throws VerificationError when the reads never show the move.
 */
export async function verifiedOutcome<T>(v: Verification<T>): Promise<MoveOutcome> {
  const { resource, calls } = v;
  if (calls.length === 0) return { resource, changed: false, calls, detail: v.detail(v.before) };
  const { view, ok } = await readBack(v.verify, v.read, v.done);
  if (!ok) {
    throw new VerificationError(
      `${resource}: ${v.called} returned, but ${v.describe} did not show it after ${v.verify.attempts} reads (last: ${v.detail(view)})`,
    );
  }
  return { resource, changed: true, calls, detail: v.detail(view) };
}
