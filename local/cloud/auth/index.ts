import { encodedAuthorizationMessage } from './answers.js';
import { type AuthorizationRequest, Authorizer, type Denial } from './authorizer.js';
import { type Credential, CredentialRegistry } from './credentials.js';
import { type Ec2ResourceLookup, ec2Context, ec2Resources } from './ec2-request.js';
import { type SigV4Result, verifySigV4, type WireRequest } from './sigv4.js';

export {
  DYNAMO_ACCESS_DENIED,
  dynamoAuthAnswer,
  ec2AuthAnswer,
  snsAuthAnswer,
} from './answers.js';
export { type AuthorizationRequest, Authorizer, type Denial, denialMessage } from './authorizer.js';
export {
  type Credential,
  CredentialRegistry,
  OPERATOR_CREDENTIALS,
  type PolicyDocument,
  type Principal,
} from './credentials.js';
export { type DynamoCheck, DynamoRequestError, dynamoChecks } from './dynamodb-request.js';
export type { Ec2ResourceLookup } from './ec2-request.js';
export { type SigV4Failure, verifySigV4, type WireRequest } from './sigv4.js';
export {
  functionPrincipals,
  resolveIntrinsics,
  type StackNames,
  streamArn,
  tableArn,
} from './stack-policies.js';

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
    const bare = request.action.slice(request.action.indexOf(':') + 1);
    if (
      this.#handDenied(request.principal.name, request.action) ||
      this.#handDenied(request.principal.name, bare)
    ) {
      return {
        action: request.action,
        resource: request.resources[0] ?? '*',
        principalArn: request.principal.arn,
        explicit: true,
        message: `User: ${request.principal.arn} is not authorized to perform: ${request.action} with an explicit deny`,
      };
    }
    return this.authorizer.check(request);
  }

  /**
   * The EC2 server's authorization hook: the caller is a principal name, the action the Query
   * `Action`; answers the `UnauthorizedOperation` message, or undefined when allowed.
   */
  ec2Hook(
    lookup: Ec2ResourceLookup,
  ): (caller: string, action: string, form: ReadonlyMap<string, string>) => Promise<string | undefined> {
    return async (caller, action, form) => {
      const principal = this.credentials.byName(caller)?.principal;
      if (!principal) return `You are not authorized to perform this operation. Unknown caller ${caller}.`;
      const context = ec2Context(this.region);
      const denial = await this.check({
        principal,
        action: `ec2:${action}`,
        resources: ec2Resources(action, form, { region: this.region, accountId: this.accountId }, lookup),
        context,
      });
      if (!denial) return undefined;
      const encoded = encodedAuthorizationMessage({ ...denial, context });
      return `You are not authorized to perform this operation. ${denial.message}. Encoded authorization failure message: ${encoded}`;
    };
  }
}
