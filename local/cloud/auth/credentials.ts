import { createHash, createHmac, randomBytes } from 'node:crypto';

/** An IAM policy document as it would be attached to a role (intrinsics already resolved). */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Record<string, unknown>[];
}

/** Who signs with a key: a name (what audits and logs show), an ARN, and what it may do. */
export interface Principal {
  /** Short name: the function key (`arbiter`, `probe-az-a`), `operator`, or a test's caller name. */
  readonly name: string;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<function>` or `arn:aws:iam::<account>:user/<name>`. */
  readonly arn: string;
  /**
   * The identity policies IAM evaluates for this principal. Undefined: not restricted by IAM
   * (the operator, like an administrator; and keys a test issues without policies).
   */
  readonly policies?: readonly PolicyDocument[];
  /** The Lambda function ARN calls from this principal's code carry as `lambda:SourceFunctionArn`. */
  readonly functionArn?: string;
}

/** An access key pair and its principal. */
export interface Credential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly principal: Principal;
}

/**
 * The operator key: for scripts, tests and the AWS CLI against `npm run local`. Fixed and
 * documented (docs/iam.md) so a shell can use it without reading any output; it is allowed
 * everything, like an administrator's key. Never a real AWS key: the local cloud is the only
 * place that knows it.
 */
export const OPERATOR_CREDENTIALS = {
  accessKeyId: 'AKIALOCALOPERATOR000',
  secretAccessKey: 'local-operator-secret-not-valid-on-aws',
} as const;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `AKIA` + 16 characters of the name's hash: the shape of an AWS access key id, stable per name. */
function accessKeyIdFor(name: string): string {
  const digest = createHash('sha256').update(`ha-arbiter-local:${name}`).digest();
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += BASE32[(digest[i] as number) % 32];
  return id;
}

/**
 * The local cloud's access keys: key id -> secret and principal. Each principal gets its own
 * pair; secrets derive from a per-registry random salt, so a key pair works only against the
 * cloud that issued it.
 */
export class CredentialRegistry {
  readonly accountId: string;
  readonly #salt: Buffer;
  readonly #byKey = new Map<string, Credential>();
  readonly #byName = new Map<string, Credential>();

  constructor(accountId: string, salt: Buffer = randomBytes(32)) {
    this.accountId = accountId;
    this.#salt = salt;
    this.#store({
      ...OPERATOR_CREDENTIALS,
      principal: { name: 'operator', arn: `arn:aws:iam::${accountId}:user/operator` },
    });
  }

  /** The operator's pair (allowed everything). */
  get operator(): Credential {
    return this.#byName.get('operator') as Credential;
  }

  /**
   * Issues (or re-issues, keeping the key pair) credentials for a principal. With only a name,
   * the principal is an IAM user not restricted by any policy.
   */
  issue(principal: Principal | string): Credential {
    const p: Principal =
      typeof principal === 'string'
        ? { name: principal, arn: `arn:aws:iam::${this.accountId}:user/${principal}` }
        : principal;
    if (p.name === 'operator' && typeof principal !== 'string') {
      throw new Error('the operator principal is built in and cannot be replaced');
    }
    const existing = this.#byName.get(p.name);
    const credential: Credential = existing
      ? { ...existing, principal: p.name === 'operator' ? existing.principal : p }
      : {
          accessKeyId: accessKeyIdFor(p.name),
          secretAccessKey: createHmac('sha256', this.#salt).update(p.name).digest('base64').slice(0, 40),
          principal: p,
        };
    this.#store(credential);
    return credential;
  }

  /** The credential of an access key id (what a SigV4 check looks up). */
  byKey(accessKeyId: string): Credential | undefined {
    return this.#byKey.get(accessKeyId);
  }

  /** The credential of a principal name. */
  byName(name: string): Credential | undefined {
    return this.#byName.get(name);
  }

  /** Every credential, the operator first. */
  all(): Credential[] {
    return [...this.#byName.values()];
  }

  #store(credential: Credential): void {
    this.#byKey.set(credential.accessKeyId, credential);
    this.#byName.set(credential.principal.name, credential);
  }
}
