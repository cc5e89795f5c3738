import type { AuditLog, AuditOutcome } from '../audit.js';
import type { DataPathTracker } from '../data-path.js';
import type { FaultController } from '../faults.js';
import { sleep } from '../util/http.js';
import type { IdFactory } from '../util/ids.js';
import { toXmlDocument, type XmlObject } from '../util/xml.js';
import type { World } from '../world/world.js';
import { EC2_ACTIONS } from './actions/index.js';
import { Ec2Error, isEc2ErrorCode } from './errors.js';
import { Ec2Params } from './params.js';

/** EC2 API version and XML namespace the SDK expects. */
export const EC2_VERSION = '2016-11-15';
const EC2_XMLNS = `http://ec2.amazonaws.com/doc/${EC2_VERSION}/`;

/** Everything one EC2 call needs. */
export interface Ec2Deps {
  readonly world: World;
  readonly ids: IdFactory;
  readonly faults: FaultController;
  readonly audit: AuditLog;
  readonly dataPath: DataPathTracker;
  /** IAM check of a call (denial message, or undefined when allowed); none: allow. */
  readonly authorize?: (
    caller: string,
    action: string,
    form: ReadonlyMap<string, string>,
  ) => string | undefined;
}

/** A finished EC2 response. */
export interface Ec2Reply {
  readonly status: number;
  readonly body: string;
  readonly requestId: string;
}

/** `<Response><Errors><Error>..</Error></Errors><RequestID>..</RequestID></Response>`, as EC2 sends. */
export function errorXml(code: string, message: string, requestId: string): string {
  return toXmlDocument(
    'Response',
    { Errors: { Error: { Code: code, Message: message } }, RequestID: requestId },
    { listItem: 'item' },
  );
}

function successXml(action: string, requestId: string, body: XmlObject): string {
  return toXmlDocument(`${action}Response`, { requestId, ...body }, { xmlns: EC2_XMLNS, listItem: 'item' });
}

function isDryRun(params: Ec2Params): boolean {
  try {
    return params.bool('DryRun') ?? false;
  } catch {
    return false;
  }
}

/**
 * Serves one EC2 Query call. Order, chosen to match what a client sees on AWS:
 * latency, then injected faults (throttling, 5xx), then authorization, then the
 * DryRun answer, then the action itself. A successful mutating call is
 * recorded for the data path, which applies it after the propagation delay.
 */
export async function handleEc2Call(
  deps: Ec2Deps,
  form: ReadonlyMap<string, string>,
  caller: string,
): Promise<Ec2Reply> {
  const at = Date.now();
  const requestId = deps.ids.requestId();
  const params = new Ec2Params(form);
  const actionName = form.get('Action');
  const action = actionName ? EC2_ACTIONS[actionName] : undefined;

  const finish = (status: number, body: string, outcome: AuditOutcome, errorCode?: string): Ec2Reply => {
    if (action?.mutating && actionName) {
      deps.audit.add({
        at,
        completedAt: Date.now(),
        requestId,
        action: actionName,
        caller,
        params: params.toRecord(),
        outcome,
        ...(errorCode ? { errorCode } : {}),
      });
    }
    return { status, body, requestId };
  };
  const fail = (err: Ec2Error) =>
    finish(err.status, errorXml(err.code, err.message, requestId), 'error', err.code);

  if (!actionName)
    return fail(new Ec2Error('MissingAction', 'The request must contain the parameter Action'));
  if (!action) {
    return fail(new Ec2Error('InvalidAction', `The action ${actionName} is not valid for this web service.`));
  }

  await sleep(deps.faults.latencyFor(actionName, action.mutating));

  const decision = deps.faults.decide(actionName);
  if (decision.kind === 'error') {
    return fail(isEc2ErrorCode(decision.code) ? new Ec2Error(decision.code) : new Ec2Error('InternalError'));
  }
  if (deps.world.isDenied(caller, actionName)) {
    return fail(
      new Ec2Error(
        'UnauthorizedOperation',
        `You are not authorized to perform this operation. User: arn:aws:iam::${deps.world.accountId}:user/${caller} is not authorized to perform: ec2:${actionName}`,
      ),
    );
  }
  const denial = deps.authorize?.(caller, actionName, form);
  if (denial !== undefined) return fail(new Ec2Error('UnauthorizedOperation', denial));
  if (isDryRun(params)) {
    const dry = new Ec2Error('DryRunOperation');
    return finish(dry.status, errorXml(dry.code, dry.message, requestId), 'dry-run');
  }

  try {
    const body = action.run({ params, world: deps.world, ids: deps.ids, faults: deps.faults });
    if (action.mutating) deps.dataPath.record(deps.faults.propagationDelayMs);
    return finish(200, successXml(actionName, requestId, body), 'ok');
  } catch (err) {
    if (err instanceof Ec2Error) return fail(err);
    return fail(new Ec2Error('InternalError', `An internal error has occurred (${(err as Error).message})`));
  }
}
