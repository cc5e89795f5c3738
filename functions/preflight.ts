import { createEc2Client } from '../shared/adapters/aws/clients';
import { loadConfig } from '../shared/config/load';
import type { PreflightReport } from '../shared/preflight/finding';
import { formatReport } from '../shared/preflight/format';
import { parsePreflightPayload } from '../shared/preflight/payload';
import { runPreflight } from '../shared/preflight/run';
import { optionalEnv } from '../shared/runtime/env';
import { createLogger } from '../shared/runtime/logger';
import { lambdaHandler } from '../shared/runtime/middleware';

const logger = createLogger();
let ec2: ReturnType<typeof createEc2Client> | undefined;

/**
 * Checks the config against the account (read-only; mutating calls only as DryRun):
 * `npx serverless invoke -f preflight --data '{"format":"text"}'`. Deploy it with the
 * arbiter's role so the permission checks test what the arbiter may do.
 */
export async function preflight(event: unknown): Promise<PreflightReport | string> {
  const payload = parsePreflightPayload(event);
  const config = loadConfig(optionalEnv('CONFIG_PATH', 'arbiter.yml'));
  ec2 ??= createEc2Client();
  const fromEnv = optionalEnv('ARBITER_SUBNETS', '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const report = await runPreflight(config, ec2, {
    arbiterSubnets: payload.arbiterSubnets ?? fromEnv,
    skipDryRun: payload.skipDryRun,
    ...(payload.groups ? { groups: payload.groups } : {}),
    ...(payload.eniLimits ? { eniLimits: payload.eniLimits } : {}),
  });
  logger.info('preflight done', { errors: report.errors, warnings: report.warnings });
  return payload.format === 'text' ? formatReport(report, { verbose: payload.verbose }) : report;
}

export const handler = lambdaHandler(preflight, { logger });
