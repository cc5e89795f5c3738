import { Ec2Error, isEc2ErrorCode } from '../../../ec2-model/errors';
import type { Ec2Model } from '../../../ec2-model/model';
import type { AuditLog, AuditOutcome } from '../audit';
import type { DataPathTracker } from '../data-path';
import type { FaultController } from '../faults';
import { sleep } from '../util/http';
import type { IdFactory } from '../util/ids';
import { EC2_VERSION, errorXml, requestFromForm, responseXml } from './wire';

export { EC2_VERSION, errorXml } from './wire';

/** Everything one EC2 call needs. */
export interface Ec2Deps {
  readonly model: Ec2Model;
  readonly ids: IdFactory;
  readonly faults: FaultController;
  readonly audit: AuditLog;
  readonly dataPath: DataPathTracker;
  /**
   * Authorizes one call: a denial message, or undefined when allowed. Absent,
   * the model's hand-listed denials apply.
   */
  readonly authorize?: Ec2Authorizer;
}

/** Decides whether `caller` may run `action` with these form parameters; a message means denied. */
export type Ec2Authorizer = (
  caller: string,
  action: string,
  form: ReadonlyMap<string, string>,
) => string | undefined;

/** A finished EC2 response. */
export interface Ec2Reply {
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
}

/** Audit parameters: the form without the envelope. */
function auditParams(form: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form) if (key !== 'Action' && key !== 'Version') out[key] = value;
  return out;
}

/**
 * Serves one EC2 Query call: the wire half only (envelope, latency, faults,
 * authorization hook, audit, data path); what the call does is the model's.
 * Order, chosen to match what a client sees on AWS: action and version, then
 * latency, then injected faults (throttling, 5xx), then authorization, then the
 * model (which answers DryRun before acting). A successful mutating call is
 * recorded for the data path, which applies it after the propagation delay.
 */
export async function handleEc2Call(
  deps: Ec2Deps,
  form: ReadonlyMap<string, string>,
  caller: string,
): Promise<Ec2Reply> {
  const at = Date.now();
  const requestId = deps.ids.requestId();
  const actionName = form.get('Action');
  const mutating = actionName !== undefined && deps.model.isMutating(actionName);

  const finish = (status: number, body: string, outcome: AuditOutcome, errorCode?: string): Ec2Reply => {
    if (mutating && actionName) {
      deps.audit.add({
        at,
        completedAt: Date.now(),
        requestId,
        action: actionName,
        caller,
        params: auditParams(form),
        outcome,
        ...(errorCode ? { errorCode } : {}),
      });
    }
    return { status, body, requestId };
  };
  const fail = (err: Ec2Error) =>
    finish(
      err.status,
      errorXml(err.code, err.message, requestId),
      err.code === 'DryRunOperation' ? 'dry-run' : 'error',
      err.code === 'DryRunOperation' ? undefined : err.code,
    );

  if (!actionName)
    return fail(new Ec2Error('MissingAction', 'The request must contain the parameter Action'));
  const version = form.get('Version');
  if (version === undefined) {
    return fail(new Ec2Error('MissingParameter', 'The request must contain the parameter Version'));
  }
  // The model speaks the one API version every current SDK and CLI sends.
  if (version !== EC2_VERSION) {
    return fail(
      new Ec2Error('NoSuchVersion', `The requested version (${version}) of service AmazonEC2 does not exist`),
    );
  }
  if (!Object.hasOwn(deps.model.actions, actionName)) {
    return fail(new Ec2Error('InvalidAction', `The action ${actionName} is not valid for this web service.`));
  }
  let input: Record<string, unknown>;
  try {
    input = requestFromForm(actionName, form);
  } catch (err) {
    return fail(err instanceof Ec2Error ? err : new Ec2Error('InternalError'));
  }

  await sleep(deps.faults.latencyFor(actionName, mutating));

  const decision = deps.faults.decide(actionName);
  if (decision.kind === 'error') {
    return fail(isEc2ErrorCode(decision.code) ? new Ec2Error(decision.code) : new Ec2Error('InternalError'));
  }
  const denial = deps.authorize?.(caller, actionName, form);
  if (denial !== undefined) return fail(new Ec2Error('UnauthorizedOperation', denial));

  try {
    const output = deps.model.call(actionName, input, { caller, authorized: deps.authorize !== undefined });
    if (mutating) deps.dataPath.record(deps.faults.propagationDelayMs);
    return finish(200, responseXml(actionName, requestId, output), 'ok');
  } catch (err) {
    if (err instanceof Ec2Error) return fail(err);
    return fail(new Ec2Error('InternalError', `An internal error has occurred (${(err as Error).message})`));
  }
}
