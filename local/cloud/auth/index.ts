import { encodedAuthorizationMessage } from './answers';
import { type AuthorizationRequest, Authorizer, type Denial } from './authorizer';
import { type Credential, CredentialRegistry } from './credentials';
import { type Ec2ResourceLookup, ec2Context, ec2Resources } from './ec2-request';
import { type SigV4Result, verifySigV4, type WireRequest } from './sigv4';

export {
  DYNAMO_ACCESS_DENIED,
  dynamoAuthAnswer,
  ec2AuthAnswer,
  snsAuthAnswer,
} from './answers';
export { type AuthorizationRequest, Authorizer, type Denial, denialMessage } from './authorizer';
export {
  type Credential,
  CredentialRegistry,
  OPERATOR_CREDENTIALS,
  type PolicyDocument,
  type Principal,
} from './credentials';
export { type DynamoCheck, DynamoRequestError, dynamoChecks } from './dynamodb-request';
export type { Ec2ResourceLookup } from './ec2-request';
export { type SigV4Failure, verifySigV4, type WireRequest } from './sigv4';
export {
  functionPrincipals,
  resolveIntrinsics,
  type StackNames,
  streamArn,
  tableArn,
} from './stack-policies';

/** The services the local cloud signs for, and the clock skew each tolerates. */
export const SIGNING_SERVICES = {
  // EC2 documents RequestExpired at 15 minutes; SNS and DynamoDB answer "Signature expired" at 5.
  ec2: { maxSkewMs: 15 * 60_000 },
  sns: { maxSkewMs: 5 * 60_000 },
  dynamodb: { maxSkewMs: 5 * 60_000 },
} as const;
export type SigningService = keyof typeof SIGNING_SERVICES;

/** An explicit deny by hand (world.setDenied), keyed by principal name and action. */
export type HandDenyList = (principalName: string, action: string) => boolean;

/** Options of {@link LocalAuth}. */
export interface LocalAuthOptions {
  readonly accountId: string;
  readonly region: string;
  /** Local IAM enforcement (default true); signatures are checked either way. */
  readonly iam?: boolean;
}

/**
 * The local cloud's authentication and authorization: the credentials registry, SigV4
 * verification against it, and IAM checks of each call against the caller's policies.
 */
export class LocalAuth {
  readonly credentials: CredentialRegistry;
  readonly authorizer: Authorizer;
  readonly region: string;
  readonly accountId: string;
  #handDenied: HandDenyList = () => false;
  #ec2Lookup: Ec2ResourceLookup = {
    allocationOfPublicIp: () => undefined,
    addressOfAssociation: () => undefined,
    subnetOfRouteTableAssociation: () => undefined,
  };

  constructor(options: LocalAuthOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.credentials = new CredentialRegistry(options.accountId);
    this.authorizer = new Authorizer({
      accountId: options.accountId,
      region: options.region,
      enabled: options.iam ?? true,
    });
  }

  /** Whether calls are checked against IAM policies (`--iam off` turns it off). */
  get iamEnabled(): boolean {
    return this.authorizer.enabled;
  }

  set iamEnabled(on: boolean) {
    this.authorizer.enabled = on;
  }

  /** Adds the hand deny list (checked first, as an explicit deny, for every service). */
  useHandDenyList(list: HandDenyList): void {
    this.#handDenied = list;
  }

  /** Verifies a request's signature for a service of this cloud. */
  authenticate(req: WireRequest, service: SigningService): SigV4Result<Credential> {
    return verifySigV4(req, {
      service,
      region: this.region,
      maxSkewMs: SIGNING_SERVICES[service].maxSkewMs,
      lookup: (key) => this.credentials.byKey(key),
    });
  }

  /**
   * Authorizes one call: the hand deny list first (by principal name and action, with or
   * without the service prefix), then IAM. Undefined when allowed.
   */
  async check(request: AuthorizationRequest): Promise<Denial | undefined> {
    return this.#handDenial(request) ?? this.authorizer.check(request);
  }

  #handDenial(request: AuthorizationRequest): Denial | undefined {
    const bare = request.action.slice(request.action.indexOf(':') + 1);
    const name = request.principal.name;
    if (!this.#handDenied(name, request.action) && !this.#handDenied(name, bare)) return undefined;
    return {
      action: request.action,
      resource: request.resources[0] ?? '*',
      principalArn: request.principal.arn,
      explicit: true,
      message: `User: ${request.principal.arn} is not authorized to perform: ${request.action} with an explicit deny`,
    };
  }

  /** Where the EC2 resource mapping finds what a request names only indirectly. */
  useEc2Lookup(lookup: Ec2ResourceLookup): void {
    this.#ec2Lookup = lookup;
  }

  #ec2Request(
    caller: string,
    action: string,
    form: ReadonlyMap<string, string>,
  ): AuthorizationRequest | undefined {
    const principal = this.credentials.byName(caller)?.principal;
    if (!principal) return undefined;
    return {
      principal,
      action: `ec2:${action}`,
      resources: ec2Resources(
        action,
        form,
        { region: this.region, accountId: this.accountId },
        this.#ec2Lookup,
      ),
      context: ec2Context(this.region),
    };
  }

  /**
   * Runs the validated IAM check of an EC2 call before it is dispatched, so that the
   * synchronous hook ({@link ec2Hook}) answers with that decision.
   */
  async prepareEc2(caller: string, form: ReadonlyMap<string, string>): Promise<void> {
    const action = form.get('Action');
    const request = action ? this.#ec2Request(caller, action, form) : undefined;
    if (request) await this.authorizer.check(request);
  }

  /**
   * The EC2 dispatch's authorization hook: the caller is a principal name, the action the Query
   * `Action`; answers the `UnauthorizedOperation` message, or undefined when allowed. The hand
   * deny list first, then IAM (the decision {@link prepareEc2} made, when it ran).
   */
  ec2Hook(): (caller: string, action: string, form: ReadonlyMap<string, string>) => string | undefined {
    return (caller, action, form) => {
      const request = this.#ec2Request(caller, action, form);
      if (!request) return `You are not authorized to perform this operation. Unknown caller ${caller}.`;
      const denial = this.#handDenial(request) ?? this.authorizer.checkSync(request);
      if (!denial) return undefined;
      const encoded = encodedAuthorizationMessage({ ...denial, context: request.context ?? {} });
      return `You are not authorized to perform this operation. ${denial.message}. Encoded authorization failure message: ${encoded}`;
    };
  }
}
