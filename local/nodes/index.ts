export {
  type ClientProbe,
  type ClientProbeOptions,
  type ProbeSample,
  startClientProbe,
} from './client-probe';
export {
  type EgressForwarder,
  type EgressForwarderOptions,
  type EgressPath,
  egressPath,
  type NatState,
  startEgressForwarder,
} from './egress-forwarder';
export { type NodeFleet, type NodeFleetOptions, startNodeFleet } from './fleet';
export {
  type FrontProxy,
  type FrontProxyOptions,
  startFrontProxy,
  type Upstream,
  type UpstreamResolver,
} from './front-proxy';
export {
  type NodeHealth,
  type NodeServer,
  type NodeServerOptions,
  type NodeStatus,
  startNodeServer,
} from './node-server';
export {
  longestOutage,
  type OutageWindow,
  outageWindows,
  type ProbeSummary,
  servedByChanges,
  summarizeProbe,
} from './outage';
export {
  type OutsideAnswer,
  type OutsideTarget,
  type OutsideTargetOptions,
  startOutsideTarget,
} from './outside';
export { privateIpUpstream, publicIpUpstream, routeUpstream, subnetEgressUpstream } from './resolvers';
