/** SNS error codes used here, with the HTTP status SNS returns for each. */
export const SNS_ERROR_STATUS = {
  AuthorizationError: 403,
  InternalError: 500,
  InvalidAction: 400,
  InvalidParameter: 400,
  ParameterValueInvalid: 400,
  NotFound: 404,
} as const;

/** A known SNS error code. */
export type SnsErrorCode = keyof typeof SNS_ERROR_STATUS;

/** An SNS API error; the server renders it as `<ErrorResponse>` XML. */
export class SnsError extends Error {
  readonly code: SnsErrorCode;
  readonly status: number;

  constructor(code: SnsErrorCode, message: string) {
    super(message);
    this.name = 'SnsError';
    this.code = code;
    this.status = SNS_ERROR_STATUS[code];
  }

  /** Client errors are `Sender`, server errors `Receiver`, as in SNS error XML. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}
