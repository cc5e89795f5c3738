/** An error shaped like one the AWS SDK throws for a service error (`name` is the code). */
export function sdkError(code: string, message: string, httpStatusCode: number): Error {
  const error = new Error(message);
  Object.assign(error, {
    name: code,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode, attempts: 1, totalRetryDelay: 0 },
  });
  return error;
}
