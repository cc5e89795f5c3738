import { EC2ServiceException } from '@aws-sdk/client-ec2';

/** An error shaped like the one the EC2 client throws for an error code (`error.name`). */
export function ec2Error(code: string, message = `${code} message`): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message,
  });
}
