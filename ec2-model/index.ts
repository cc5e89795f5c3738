/**
 * The one EC2 behaviour model: state and semantics (instances, ENIs, Elastic IPs,
 * secondary IPs, routes, route-table associations, endpoints, VPC), eventual
 * consistency of Describe calls, paging, DryRun and permission answers.
 * `local/cloud/ec2` serves it over the EC2 Query wire; `directClient` serves it to
 * the simulator and the tests.
 */
export { EC2_ACTIONS } from './actions/index';
export type { DescribeLag } from './consistency';
export {
  actionOf,
  type DirectCall,
  type DirectClientOptions,
  directClient,
  ec2ClientFrom,
  sdkError,
  toSdkError,
} from './direct-client';
export { EC2_ERROR_STATUS, Ec2Error, type Ec2ErrorCode, isEc2ErrorCode } from './errors';
export { type CallContext, Ec2Model, type Ec2ModelOptions, type InstanceStateListener } from './model';
export type { InstanceRecord, InstanceStateName, StatusCheck } from './records';
export type { Ec2State } from './state';
export {
  type AddressView,
  apiRefs,
  apiView,
  dataPathFacts,
  type Holder,
  type HolderRef,
  type RouteTarget,
  resolveHolder,
  resolveTarget,
  type TargetRef,
} from './views';
