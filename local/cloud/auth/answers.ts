import type { SigV4Failure } from './sigv4';

/** An error answer: HTTP status, the service's error code, and its message. */
export interface AuthAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const MISSING_TOKEN = 'Request is missing Authentication Token';

/**
 * EC2's answers (Query/XML): no credentials at all is a missing `AWSAccessKeyId` parameter,
 * an unknown key `AuthFailure` (401), a wrong secret `SignatureDoesNotMatch` (403), a stale
 * request `RequestExpired`.
 */
export function ec2AuthAnswer(failure: SigV4Failure): AuthAnswer {
  switch (failure.kind) {
    case 'missing':
      return {
        status: 400,
        code: 'MissingParameter',
        message: 'The request must contain the parameter AWSAccessKeyId',
      };
    case 'incomplete':
      return { status: 400, code: 'IncompleteSignature', message: failure.message };
    case 'unknown-key':
      return {
        status: 401,
        code: 'AuthFailure',
        message: 'AWS was not able to validate the provided access credentials',
      };
    case 'scope':
      return { status: 401, code: 'AuthFailure', message: failure.message };
    case 'expired':
      return { status: 400, code: 'RequestExpired', message: `Request has expired. ${failure.message}` };
    case 'mismatch':
      return { status: 403, code: 'SignatureDoesNotMatch', message: SIGNATURE_MISMATCH };
  }
}

/** SNS's answers (Query/XML `ErrorResponse`, all 403 but a malformed header). */
export function snsAuthAnswer(failure: SigV4Failure): AuthAnswer {
  switch (failure.kind) {
    case 'missing':
      return { status: 403, code: 'MissingAuthenticationToken', message: MISSING_TOKEN };
    case 'incomplete':
      return { status: 400, code: 'IncompleteSignature', message: failure.message };
    case 'unknown-key':
      return { status: 403, code: 'InvalidClientTokenId', message: INVALID_TOKEN };
    case 'scope':
    case 'expired':
      return { status: 403, code: 'SignatureDoesNotMatch', message: failure.message };
    case 'mismatch':
      return { status: 403, code: 'SignatureDoesNotMatch', message: SIGNATURE_MISMATCH };
  }
}

/** DynamoDB's answers (JSON with `__type`, all 400). `code` is the full `__type`. */
export function dynamoAuthAnswer(failure: SigV4Failure): AuthAnswer {
  const coral = (name: string) => `com.amazon.coral.service#${name}`;
  switch (failure.kind) {
    case 'missing':
      return { status: 400, code: coral('MissingAuthenticationTokenException'), message: MISSING_TOKEN };
    case 'incomplete':
      return { status: 400, code: coral('IncompleteSignatureException'), message: failure.message };
    case 'unknown-key':
      return { status: 400, code: coral('UnrecognizedClientException'), message: INVALID_TOKEN };
    case 'scope':
    case 'expired':
      return { status: 400, code: coral('InvalidSignatureException'), message: failure.message };
    case 'mismatch':
      return { status: 400, code: coral('InvalidSignatureException'), message: SIGNATURE_MISMATCH };
  }
}

/** DynamoDB's `AccessDeniedException` type. */
export const DYNAMO_ACCESS_DENIED = 'com.amazon.coral.service#AccessDeniedException';

/**
 * The text EC2 appends to `UnauthorizedOperation`: AWS encodes the details (decoded with
 * `sts decode-authorization-message`); here they are base64url JSON, readable with
 * `base64 -d`, naming the action, the resource and the principal.
 */
export function encodedAuthorizationMessage(details: {
  action: string;
  resource: string;
  principalArn: string;
  explicit: boolean;
  context: Readonly<Record<string, unknown>>;
}): string {
  const message = {
    allowed: false,
    explicitDeny: details.explicit,
    matchedStatements: { items: [] },
    failures: { items: [] },
    context: {
      principal: { arn: details.principalArn },
      action: details.action,
      resource: details.resource,
      conditions: { items: Object.entries(details.context).map(([key, value]) => ({ key, value })) },
    },
  };
  return Buffer.from(JSON.stringify(message)).toString('base64url');
}
