import { sampleUrl } from '../../local/nodes/client-probe';
import type { ClientSampler } from './drill-run';

/**
 * The drill's client: a plain GET of `url` every `intervalMs` from the machine running the
 * command (through the Elastic IP on an account, through the front proxy on the local cloud),
 * each with its own connection and a timeout, so a hung node counts as an outage.
 */
export function startSampler(url: string, intervalMs: number, timeoutMs = 1000): ClientSampler {
  const target = new URL(url);
  if (target.protocol !== 'http:') throw new Error(`the drill client speaks http only, not ${url}`);
  return sampleUrl(target, intervalMs, timeoutMs);
}
