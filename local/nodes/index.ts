export {
  type ClientProbe,
  type ClientProbeOptions,
  type ProbeSample,
  startClientProbe,
} from './client-probe.js';
export {
  type EgressForwarder,
  type EgressForwarderOptions,
  type EgressPath,
  egressPath,
  type NatState,
  startEgressForwarder,
} from './egress-forwarder.js';
export { type NodeFleet, type NodeFleetOptions, startNodeFleet } from './fleet.js';
export {
  type FrontProxy,
  type FrontProxyOptions,
  startFrontProxy,
  type Upstream,
  type UpstreamResolver,
} from './front-proxy.js';
export {
  type NodeHealth,
  type NodeServer,
  type NodeServerOptions,
  type NodeStatus,
  startNodeServer,
} from './node-server.js';
export {
  longestOutage,
  type OutageWindow,
  outageWindows,
  type ProbeSummary,
  servedByChanges,
  summarizeProbe,
} from './outage.js';
export {
  type OutsideAnswer,
  type OutsideTarget,
  type OutsideTargetOptions,
  startOutsideTarget,
} from './outside.js';
export { privateIpUpstream, publicIpUpstream, routeUpstream, subnetEgressUpstream } from './resolvers.js';
