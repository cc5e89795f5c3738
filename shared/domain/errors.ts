/** Base class of every error ha-arbiter raises on purpose. */
export class ArbiterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArbiterError';
  }
}

/** The config file or an invoke payload is invalid; `issues` name each field path and value. */
export class ConfigError extends ArbiterError {
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[]) {
    super(`${source} is invalid:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** An invoke payload (failover, control, status) is invalid. */
export class InputError extends ArbiterError {
  readonly issues: readonly string[];
  constructor(what: string, issues: readonly string[]) {
    super(`${what}: ${issues.join('; ')}`);
    this.name = 'InputError';
    this.issues = issues;
  }
}

/** A required environment variable is missing or empty. */
export class EnvError extends ArbiterError {
  constructor(variable: string, hint: string) {
    super(`environment variable ${variable} is not set (${hint})`);
    this.name = 'EnvError';
  }
}

/** Another arbiter holds the group's lease. */
export class LeaseHeldError extends ArbiterError {
  readonly holder: string | undefined;
  readonly epoch: number | undefined;
  readonly expiresAt: number | undefined;
  /** The record's version (see LeaseRecord); undefined when the holder is unknown. */
  readonly version: number | undefined;
  constructor(group: string, holder?: string, epoch?: number, expiresAt?: number, version?: number) {
    super(
      `lease of group ${group} is held by ${holder ?? 'unknown'} (epoch ${epoch ?? '?'}, expires ${
        expiresAt ? new Date(expiresAt).toISOString() : '?'
      })`,
    );
    this.name = 'LeaseHeldError';
    this.holder = holder;
    this.epoch = epoch;
    this.expiresAt = expiresAt;
    this.version = version;
  }
}

/** Our lease was taken over or expired while we were acting: stop before the next mutation. */
export class LeaseLostError extends ArbiterError {
  constructor(group: string, owner: string, epoch: number, options?: { cause?: unknown }) {
    super(`lease of group ${group} (owner ${owner}, epoch ${epoch}) was lost; aborting`, options);
    this.name = 'LeaseLostError';
  }
}

/** A conditional write of the group state was refused because a newer epoch recorded it. */
export class StaleEpochError extends ArbiterError {
  constructor(group: string, epoch: number, options?: { cause?: unknown }) {
    super(`group ${group}: state write for epoch ${epoch} refused (a newer actor holds the lease)`, options);
    this.name = 'StaleEpochError';
  }
}

/** The DynamoDB table cannot be reached or refused the request for a reason other than a condition. */
export class StoreError extends ArbiterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** An AWS resource named in the config does not exist. */
export class ResourceNotFoundError extends ArbiterError {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResourceNotFoundError';
    this.code = code;
  }
}

/** The arbiter's role may not perform the call. */
export class UnauthorizedError extends ArbiterError {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnauthorizedError';
    this.code = code;
  }
}

/** EC2 throttled the call even after the SDK's retries. */
export class ThrottledError extends ArbiterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ThrottledError';
  }
}

/** Any other EC2 failure, kept with its code. */
export class Ec2Error extends ArbiterError {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Ec2Error';
    this.code = code;
  }
}

/** A move was made but Describe never showed the target within the verification budget. */
export class VerificationError extends ArbiterError {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationError';
  }
}

/** Returns a short message of any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
