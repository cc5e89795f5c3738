/**
 * EC2 error codes the model and its wire adapter return, with the HTTP status AWS uses for each.
 * Client errors are 400 unless noted; throttling and availability are 503, as
 * on AWS, which is what makes the SDK's retry logic treat them as retryable.
 */
export const EC2_ERROR_STATUS = {
  AuthFailure: 401,
  DryRunOperation: 412,
  IncorrectInstanceState: 400,
  InternalError: 500,
  InvalidAction: 400,
  'InvalidAddress.NotFound': 400,
  'InvalidAllocationID.NotFound': 400,
  'InvalidAssociationID.NotFound': 400,
  InvalidInstanceID: 400,
  'InvalidInstanceID.Malformed': 400,
  'InvalidInstanceID.NotFound': 400,
  'InvalidNetworkInterfaceID.Malformed': 400,
  'InvalidNetworkInterfaceID.NotFound': 400,
  InvalidParameterCombination: 400,
  InvalidParameterValue: 400,
  InvalidPaginationToken: 400,
  'InvalidRoute.NotFound': 400,
  'InvalidRouteTableID.Malformed': 400,
  'InvalidRouteTableID.NotFound': 400,
  'InvalidSubnetID.Malformed': 400,
  'InvalidSubnetID.NotFound': 400,
  'InvalidVpcEndpointId.NotFound': 400,
  'InvalidVpcID.Malformed': 400,
  'InvalidVpcID.NotFound': 400,
  MissingAction: 400,
  MissingParameter: 400,
  NoSuchVersion: 400,
  PrivateIpAddressLimitExceeded: 400,
  RequestLimitExceeded: 503,
  'Resource.AlreadyAssociated': 400,
  ServiceUnavailable: 503,
  UnauthorizedOperation: 403,
  UnknownParameter: 400,
  Unavailable: 503,
} as const;

/** An EC2 error code known to the model. */
export type Ec2ErrorCode = keyof typeof EC2_ERROR_STATUS;

/** Default messages for errors raised without one (DryRun, fault injection). */
export const DEFAULT_MESSAGES: Partial<Record<Ec2ErrorCode, string>> = {
  DryRunOperation: 'Request would have succeeded, but DryRun flag is set.',
  InternalError: 'An internal error has occurred',
  RequestLimitExceeded: 'Request limit exceeded.',
  ServiceUnavailable: 'The service is unavailable. Please try again shortly.',
  Unavailable: 'The service is unavailable. Please try again shortly.',
  UnauthorizedOperation: 'You are not authorized to perform this operation.',
};

/** True for a code in {@link EC2_ERROR_STATUS}. */
export function isEc2ErrorCode(code: string): code is Ec2ErrorCode {
  return Object.hasOwn(EC2_ERROR_STATUS, code);
}

/**
 * An EC2 API error. The wire adapter writes it as AWS error XML with this status; the
 * direct client rethrows it shaped as the SDK's service exception.
 */
export class Ec2Error extends Error {
  readonly code: Ec2ErrorCode;
  readonly status: number;

  constructor(code: Ec2ErrorCode, message?: string) {
    super(message ?? DEFAULT_MESSAGES[code] ?? code);
    this.name = 'Ec2Error';
    this.code = code;
    this.status = EC2_ERROR_STATUS[code];
  }
}

/** The standard "does not exist" error for a resource id. */
export function notFound(
  code: Extract<Ec2ErrorCode, `${string}.NotFound`>,
  kind: string,
  id: string,
): Ec2Error {
  return new Ec2Error(code, `The ${kind} ID '${id}' does not exist`);
}
