import { describe, expect, it } from 'vitest';
import { isDryRunSuccess, mapEc2Error } from '../../../shared/adapters/aws/ec2-errors';
import {
  Ec2Error,
  ResourceNotFoundError,
  ThrottledError,
  UnauthorizedError,
} from '../../../shared/domain/errors';
import { ec2Error } from '../../helpers/ec2';

const CALL = 'AssociateAddress eipalloc-01 -> eni-02';

describe('mapEc2Error', () => {
  it.each([
    ['InvalidAllocationID.NotFound', ResourceNotFoundError],
    ['InvalidNetworkInterfaceID.NotFound', ResourceNotFoundError],
    ['InvalidInstanceID.Malformed', ResourceNotFoundError],
    ['UnauthorizedOperation', UnauthorizedError],
    ['AuthFailure', UnauthorizedError],
    ['RequestLimitExceeded', ThrottledError],
    ['Throttling', ThrottledError],
    ['InvalidParameterValue', Ec2Error],
    ['InternalError', Ec2Error],
  ])('maps %s to %o and names the call in the message', (code, type) => {
    const cause = ec2Error(code, 'the service said no');
    const error = mapEc2Error(cause, CALL);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(`${CALL}: ${code}: the service said no`);
    expect(error.cause).toBe(cause);
    if (!(error instanceof ThrottledError)) expect((error as { code?: string }).code).toBe(code);
  });

  it('keeps a non-SDK failure (a socket error) as an Ec2Error with its name', () => {
    const error = mapEc2Error(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error' }),
      CALL,
    );
    expect(error).toBeInstanceOf(Ec2Error);
    expect(error.message).toBe(`${CALL}: Error: connect ECONNREFUSED 127.0.0.1:1`);
  });

  it('recognises DryRunOperation as the success of a dry run, and nothing else', () => {
    expect(isDryRunSuccess(ec2Error('DryRunOperation'))).toBe(true);
    expect(isDryRunSuccess(ec2Error('UnauthorizedOperation'))).toBe(false);
    expect(isDryRunSuccess(new Error('boom'))).toBe(false);
  });
});
