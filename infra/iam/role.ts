import type { CfnResource, IamStatement } from '../cfn';

/**
 * Inline policies of one role may total 10,240 characters (IAM quota). The template is
 * checked against a slightly lower bound, since `Fn::Sub` placeholders are shorter or longer
 * than the ARNs they become.
 */
export const MAX_INLINE_POLICY_CHARS = 9_500;

/** An execution role for one function, with one inline policy. */
export function lambdaRole(description: string, statements: IamStatement[]): CfnResource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
      Policies: [
        {
          PolicyName: 'least-privilege',
          PolicyDocument: { Version: '2012-10-17', Statement: statements },
        },
      ],
    },
  };
}

/** Size of a policy document as IAM counts it (JSON without whitespace). */
export function policyChars(statements: IamStatement[]): number {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }).length;
}
