import { arn, type CfnResources, getAtt, ref, sub } from './cfn';
import { functionName } from './names';
import type { StackParams } from './params';

/** Logical ids of the audit trail's resources. */
export const AuditIds = {
  bucket: 'AuditTrailBucket',
  bucketPolicy: 'AuditTrailBucketPolicy',
  trail: 'AuditTrail',
} as const;

/** The functions whose invocations are audited: the manual actions (who moved, who banned). */
export const AUDITED_FUNCTIONS = ['failover', 'control'] as const;

/**
 * With `--param auditTrailDays=N`: a CloudTrail trail that records the Lambda data events
 * (Invoke) of the failover and control functions, into a bucket of its own that forgets them
 * after N days.
 *
 * Why a trail: Lambda does not tell a function who invoked it, and `requestedBy` is whatever
 * the caller writes. CloudTrail records the principal of each Invoke, but as a data event,
 * which no trail records by default and which `lookup-events` (Event history) never shows.
 * The advanced selector keeps it to the two functions: no management events, no other data
 * events, so the trail costs what those few invokes cost ($0.10 per 100,000 events).
 * The event's `requestID` is the invocation's request id, which the history rows record.
 *
 * The bucket policy is what CloudTrail needs to write (GetBucketAcl on the bucket, PutObject
 * under AWSLogs/<account>/ with bucket-owner-full-control), each limited to this trail by
 * `aws:SourceArn`; the trail depends on it, or CloudTrail refuses the bucket at creation.
 */
export function auditResources(params: StackParams, names: { service: string; stage: string }): CfnResources {
  if (params.auditTrailDays === undefined) return {};
  const trailName = `${names.service}-${names.stage}-audit`;
  const trailArn = arn('cloudtrail', `trail/${trailName}`);
  const bucketArn = getAtt(AuditIds.bucket, 'Arn');
  return {
    [AuditIds.bucket]: {
      Type: 'AWS::S3::Bucket',
      // Audit records outlive the stack: removing the stack must not erase who did what.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [
            {
              Id: 'expire-audit-records',
              Status: 'Enabled',
              ExpirationInDays: params.auditTrailDays,
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      },
    },
    [AuditIds.bucketPolicy]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref(AuditIds.bucket),
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'CloudTrailAclCheck',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:GetBucketAcl',
              Resource: bucketArn,
              Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
            },
            {
              Sid: 'CloudTrailWrite',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: sub(`\${${AuditIds.bucket}.Arn}/AWSLogs/\${AWS::AccountId}/*`),
              Condition: {
                StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
              },
            },
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [bucketArn, sub(`\${${AuditIds.bucket}.Arn}/*`)],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
    [AuditIds.trail]: {
      Type: 'AWS::CloudTrail::Trail',
      DependsOn: [AuditIds.bucketPolicy],
      Properties: {
        TrailName: trailName,
        S3BucketName: ref(AuditIds.bucket),
        IsLogging: true,
        IsMultiRegionTrail: false,
        IncludeGlobalServiceEvents: false,
        EnableLogFileValidation: true,
        AdvancedEventSelectors: [
          {
            Name: 'Invokes of the failover and control functions',
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] },
              {
                Field: 'resources.ARN',
                Equals: AUDITED_FUNCTIONS.map((f) =>
                  arn('lambda', `function:${functionName(names.service, names.stage, f)}`),
                ),
              },
            ],
          },
        ],
      },
    },
  };
}
