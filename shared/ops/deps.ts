import type { ControlStore, GroupStore } from '../ports/store';
import type { ArbiterDeps } from '../usecases/deps';

/** What the operator use-cases need: the arbiter's dependencies plus the control side of the store. */
export interface OpsDeps extends ArbiterDeps {
  store: GroupStore & ControlStore;
}

/** The parts of a Lambda context that can say who invoked (all optional; often none is set). */
export interface CallerContext {
  /** `serverless invoke --context '{"custom":{"requestedBy":"alice"}}'` arrives here. */
  clientContext?: { custom?: unknown; Custom?: unknown } | undefined;
  identity?: { cognitoIdentityId?: string } | undefined;
  /**
   * Lambda's id of this invocation. CloudTrail's data event of the Invoke call carries the
   * same id (in its response elements), next to the principal that invoked: history rows record
   * it, so a manual action can be traced to who did it (docs/runbook.md).
   */
  awsRequestId?: string | undefined;
}

/**
 * Who asked, for notifications and history: the payload's `requestedBy`, else a
 * `requestedBy` in the invoke's client context, else the Cognito identity, else a placeholder
 * that tells the reader how to do better next time. Lambda does not pass the IAM caller to the
 * function (CloudTrail has it), so the payload is the reliable source.
 */
export function callerOf(requestedBy: string | undefined, context?: CallerContext): string {
  if (requestedBy) return requestedBy;
  const custom = (context?.clientContext?.custom ?? context?.clientContext?.Custom) as
    | { requestedBy?: unknown }
    | undefined;
  if (typeof custom?.requestedBy === 'string' && custom.requestedBy.trim() !== '') {
    return custom.requestedBy.trim().slice(0, 128);
  }
  if (context?.identity?.cognitoIdentityId) return `cognito:${context.identity.cognitoIdentityId}`;
  return 'unknown (add "requestedBy" to the payload)';
}

/** The request id of the invocation, when it runs on Lambda (absent in tests and scripts). */
export function requestIdOf(context?: CallerContext): string | undefined {
  const id = context?.awsRequestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
