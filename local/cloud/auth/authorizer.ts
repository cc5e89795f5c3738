import {
  type EvaluationResult,
  runSimulation,
  runUnsafeSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import type { PolicyDocument, Principal } from './credentials';

/** One call to authorize: who, which IAM action, on which resources, with which context keys. */
export interface AuthorizationRequest {
  readonly principal: Principal;
  /** `service:Action`, e.g. `dynamodb:PutItem`. */
  readonly action: string;
  /** Resource ARNs the call touches (`*` for actions IAM does not scope to resources). */
  readonly resources: readonly string[];
  /** Request-specific context keys (`dynamodb:LeadingKeys`, `ec2:Region`...). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  /** The caller's address (`aws:SourceIp`); loopback unless told. */
  readonly sourceIp?: string;
  /** The resource's own policy, where the service has one (a KMS key policy, say). */
  readonly resourcePolicy?: unknown;
}

/** A refused call, with what a service puts in its error message. */
export interface Denial {
  readonly action: string;
  readonly resource: string;
  readonly principalArn: string;
  /** A Deny statement matched (AWS words these "with an explicit deny"). */
  readonly explicit: boolean;
  /** `User: <arn> is not authorized to perform: <action> on resource: <arn> because ...` */
  readonly message: string;
}

/** Settings of the authorizer. */
export interface AuthorizerOptions {
  readonly accountId: string;
  readonly region: string;
  /** false: every signed call is allowed (`--iam off`); signatures are still checked. */
  readonly enabled: boolean;
}

/** `User: ... is not authorized to perform: ...`, worded as the AWS services word it. */
export function denialMessage(
  principalArn: string,
  action: string,
  resource: string,
  explicit: boolean,
): string {
  const on = resource === '*' ? '' : ` on resource: ${resource}`;
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action}${on} ${why}`;
}

/**
 * Authorizes calls against a principal's identity policies with AWS's own authorization data
 * (actions, resource types and condition keys) through `@cloud-copilot/iam-simulate`. Every
 * resource the call touches must be allowed, as IAM requires. Principals without policies
 * (the operator) are not restricted.
 */
export class Authorizer {
  readonly #options: AuthorizerOptions;
  /**
   * Decisions per principal and request. A simulation costs ~4 ms of CPU and the functions
   * repeat the same few calls all day; principals are replaced, never changed, so a decision
   * stays valid for the principal object it was made for. Not used for policies that read
   * the time (their answer can change between two identical requests).
   */
  readonly #decisions = new WeakMap<Principal, Map<string, Denial | null>>();
  enabled: boolean;

  constructor(options: AuthorizerOptions) {
    this.#options = options;
    this.enabled = options.enabled;
  }

  /** Undefined when allowed; the denial otherwise. Validates the request with AWS's data. */
  async check(request: AuthorizationRequest): Promise<Denial | undefined> {
    const asked = this.#lookup(request);
    if (asked.done) return asked.decision;
    const { policies } = asked;
    let decision: Denial | undefined;
    for (const resource of resourcesOf(request)) {
      const result = await runSimulation(this.#simulation(request, policies, resource), {});
      decision =
        result.resultType === 'error'
          ? // A request the simulator cannot evaluate (an ARN of the wrong type, say) is refused:
            // failing open here would hide a wrong resource mapping.
            unevaluable(request, resource, result.errors.message)
          : refusal(request, resource, result.overallResult);
      if (decision) break;
    }
    return asked.remember(decision);
  }

  /**
   * The same decision, synchronously, for callers that cannot wait (the EC2 dispatch hook): a
   * decision {@link check} already made for this request, else the simulator's core engine
   * without its input validation (same policy evaluation; resource types and context keys are
   * taken as given).
   */
  checkSync(request: AuthorizationRequest): Denial | undefined {
    const asked = this.#lookup(request);
    if (asked.done) return asked.decision;
    const { policies } = asked;
    let decision: Denial | undefined;
    for (const resource of resourcesOf(request)) {
      decision = refusal(
        request,
        resource,
        runUnsafeSimulation(this.#simulation(request, policies, resource), {}),
      );
      if (decision) break;
    }
    return asked.remember(decision);
  }

  /**
   * What check and checkSync share: nothing to check (disabled, or a caller without policies),
   * a decision already made for this request, or the policies to simulate and a function that
   * keeps the new decision.
   */
  #lookup(request: AuthorizationRequest):
    | { done: true; decision: Denial | undefined }
    | {
        done: false;
        policies: readonly PolicyDocument[];
        remember: (decision: Denial | undefined) => Denial | undefined;
      } {
    const policies = request.principal.policies;
    if (!this.enabled || policies === undefined) return { done: true, decision: undefined };
    const cache = this.#cacheFor(request.principal, policies);
    const key = cacheKey(request);
    const known = cache?.get(key);
    if (known !== undefined) return { done: true, decision: known ?? undefined };
    return {
      done: false,
      policies,
      remember: (decision) => {
        remember(cache, key, decision);
        return decision;
      },
    };
  }

  /** The principal's decision cache; undefined for policies that read the time. */
  #cacheFor(
    principal: Principal,
    policies: readonly PolicyDocument[],
  ): Map<string, Denial | null> | undefined {
    let cache = this.#decisions.get(principal);
    if (cache) return cache;
    const text = JSON.stringify(policies);
    if (text.includes('aws:CurrentTime') || text.includes('aws:EpochTime')) return undefined;
    cache = new Map();
    this.#decisions.set(principal, cache);
    return cache;
  }

  #simulation(
    request: AuthorizationRequest,
    policies: readonly PolicyDocument[],
    resource: string,
  ): Simulation {
    const now = new Date();
    const context: Record<string, string | string[]> = {
      'aws:SourceIp': request.sourceIp ?? '127.0.0.1',
      'aws:RequestedRegion': this.#options.region,
      'aws:CurrentTime': now.toISOString(),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      'aws:SecureTransport': 'false',
      'aws:PrincipalArn': request.principal.arn,
      'aws:PrincipalAccount': this.#options.accountId,
      ...(request.principal.functionArn ? { 'lambda:SourceFunctionArn': request.principal.functionArn } : {}),
    };
    for (const [key, value] of Object.entries(request.context ?? {})) {
      context[key] = typeof value === 'string' ? value : [...value];
    }
    return {
      request: {
        principal: request.principal.arn,
        action: request.action,
        resource: { resource, accountId: this.#options.accountId },
        contextVariables: context,
      },
      identityPolicies: policies.map((policy, i) => ({ name: `policy-${i + 1}`, policy })),
      ...(request.resourcePolicy !== undefined ? { resourcePolicy: request.resourcePolicy } : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    };
  }
}

const resourcesOf = (request: AuthorizationRequest): readonly string[] =>
  request.resources.length > 0 ? request.resources : ['*'];

function cacheKey(request: AuthorizationRequest): string {
  return JSON.stringify([
    request.action,
    request.resources,
    request.context ?? {},
    request.sourceIp ?? '',
    request.resourcePolicy ?? null,
  ]);
}

function remember(
  cache: Map<string, Denial | null> | undefined,
  key: string,
  decision: Denial | undefined,
): void {
  if (!cache) return;
  if (cache.size >= 10_000) cache.clear();
  cache.set(key, decision ?? null);
}

function refusal(
  request: AuthorizationRequest,
  resource: string,
  result: EvaluationResult,
): Denial | undefined {
  if (result === 'Allowed') return undefined;
  const explicit = result === 'ExplicitlyDenied';
  return {
    action: request.action,
    resource,
    principalArn: request.principal.arn,
    explicit,
    message: denialMessage(request.principal.arn, request.action, resource, explicit),
  };
}

function unevaluable(request: AuthorizationRequest, resource: string, why: string): Denial {
  return {
    action: request.action,
    resource,
    principalArn: request.principal.arn,
    explicit: false,
    message: `${denialMessage(request.principal.arn, request.action, resource, false)} (the local IAM check could not evaluate the request: ${why})`,
  };
}
