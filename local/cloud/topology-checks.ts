import type { Topology } from './topology-schema';
import { cidrContains, cidrWithin, isReservedInSubnet, parseCidr } from './util/cidr';

/** One cross-reference problem: where it is, and what is wrong. */
export interface TopologyIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Whole-world checks a per-field schema cannot express: references resolve,
 * addresses sit in their subnet, nothing is held twice. Each issue names the
 * field path and the offending value so a YAML author can find it at once.
 */
export function checkTopology(t: Topology): TopologyIssue[] {
  const issues: TopologyIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const vpcCidr = parseCidr(t.vpc.cidr);

  const subnets = new Map<string, { cidr: string }>();
  t.subnets.forEach((subnet, i) => {
    if (subnets.has(subnet.id)) add(`subnets[${i}].id`, `duplicate subnet id ${subnet.id}`);
    subnets.set(subnet.id, subnet);
    const block = parseCidr(subnet.cidr);
    if (block && vpcCidr && !cidrWithin(block, vpcCidr)) {
      add(`subnets[${i}].cidr`, `${subnet.cidr} is outside the VPC ${t.vpc.cidr}`);
    }
  });

  const enis = new Map<string, { ips: string[] }>();
  const ipOwners = new Map<string, string>();
  const instanceIds = new Set<string>();
  const endpoints = new Map<string, string>();
  t.instances.forEach((instance, i) => {
    const at = `instances[${i}]`;
    if (instanceIds.has(instance.id)) add(`${at}.id`, `duplicate instance id ${instance.id}`);
    instanceIds.add(instance.id);
    if (!subnets.has(instance.subnet)) add(`${at}.subnet`, `unknown subnet ${instance.subnet}`);
    if (instance.external && !instance.endpoint) {
      add(`${at}.external`, 'an external node needs the endpoint it listens on (127.x.y.z:PORT)');
    }
    if (instance.endpoint && !instance.external && !instance.endpoint.startsWith('127.0.0.1:')) {
      add(
        `${at}.endpoint`,
        `${instance.endpoint}: the built-in node server listens on 127.0.0.1 only; set external: true for a node of your own`,
      );
    }
    if (instance.endpoint) {
      const other = endpoints.get(instance.endpoint);
      if (other) add(`${at}.endpoint`, `${instance.endpoint} is already the endpoint of ${other}`);
      endpoints.set(instance.endpoint, instance.id);
    }
    const deviceIndexes = new Set<number>();
    instance.networkInterfaces.forEach((eni, j) => {
      const eniAt = `${at}.networkInterfaces[${j}]`;
      if (enis.has(eni.id)) add(`${eniAt}.id`, `duplicate network interface id ${eni.id}`);
      if (deviceIndexes.has(eni.deviceIndex))
        add(`${eniAt}.deviceIndex`, `duplicate device index ${eni.deviceIndex}`);
      deviceIndexes.add(eni.deviceIndex);
      const subnetId = eni.subnet ?? instance.subnet;
      const subnet = subnets.get(subnetId);
      if (!subnet) add(`${eniAt}.subnet`, `unknown subnet ${subnetId}`);
      const block = subnet ? parseCidr(subnet.cidr) : undefined;
      const ips = [eni.privateIp, ...eni.secondaryPrivateIps];
      ips.forEach((ip, k) => {
        const ipAt = k === 0 ? `${eniAt}.privateIp` : `${eniAt}.secondaryPrivateIps[${k - 1}]`;
        if (block && !cidrContains(block, ip))
          add(ipAt, `${ip} is outside subnet ${subnetId} (${subnet?.cidr})`);
        else if (block && isReservedInSubnet(block, ip))
          add(ipAt, `${ip} is reserved by AWS in ${subnet?.cidr}`);
        const owner = ipOwners.get(ip);
        if (owner) add(ipAt, `${ip} is already held by ${owner}`);
        ipOwners.set(ip, eni.id);
      });
      if (ips.length > eni.maxPrivateIps) {
        add(`${eniAt}.maxPrivateIps`, `${ips.length} private IPs exceed the limit of ${eni.maxPrivateIps}`);
      }
      enis.set(eni.id, { ips });
    });
    if (!deviceIndexes.has(0)) add(`${at}.networkInterfaces`, 'needs an interface with deviceIndex 0');
  });

  const allocations = new Set<string>();
  const publicIps = new Set<string>();
  const boundPrivateIps = new Set<string>();
  t.elasticIps.forEach((eip, i) => {
    const at = `elasticIps[${i}]`;
    if (allocations.has(eip.allocationId))
      add(`${at}.allocationId`, `duplicate allocation id ${eip.allocationId}`);
    allocations.add(eip.allocationId);
    if (publicIps.has(eip.publicIp)) add(`${at}.publicIp`, `duplicate public IP ${eip.publicIp}`);
    publicIps.add(eip.publicIp);
    if (!eip.association) return;
    const eni = enis.get(eip.association.networkInterface);
    if (!eni) {
      add(
        `${at}.association.networkInterface`,
        `unknown network interface ${eip.association.networkInterface}`,
      );
      return;
    }
    const privateIp = eip.association.privateIp ?? eni.ips[0];
    if (privateIp && !eni.ips.includes(privateIp)) {
      add(`${at}.association.privateIp`, `${privateIp} is not on ${eip.association.networkInterface}`);
    }
    if (privateIp && boundPrivateIps.has(privateIp)) {
      add(`${at}.association.privateIp`, `${privateIp} already has an Elastic IP`);
    }
    if (privateIp) boundPrivateIps.add(privateIp);
  });

  const tableIds = new Set<string>();
  const gatewayEndpoints = new Map<string, { service: string }>();
  const prefixLists = new Map<string, string>();
  const associatedSubnets = new Map<string, string>();
  const associationIds = new Set<string>();
  let mains = 0;
  t.routeTables.forEach((table, i) => {
    const at = `routeTables[${i}]`;
    if (tableIds.has(table.id)) add(`${at}.id`, `duplicate route table id ${table.id}`);
    tableIds.add(table.id);
    if (table.main) mains++;
    if (table.mainAssociationId && !table.main)
      add(`${at}.mainAssociationId`, 'only a main route table has one');
    const destinations = new Set<string>();
    table.routes.forEach((route, j) => {
      const routeAt = `${at}.routes[${j}]`;
      if (destinations.has(route.destination))
        add(`${routeAt}.destination`, `duplicate route ${route.destination}`);
      destinations.add(route.destination);
      if (route.target.startsWith('eni-') && !enis.has(route.target)) {
        add(`${routeAt}.target`, `unknown network interface ${route.target}`);
      }
      if (route.target.startsWith('i-') && !instanceIds.has(route.target)) {
        add(`${routeAt}.target`, `unknown instance ${route.target}`);
      }
      const prefixList = route.destination.startsWith('pl-');
      const endpoint = route.target.startsWith('vpce-');
      if (prefixList && !endpoint) {
        add(
          `${routeAt}.target`,
          `a prefix-list route (${route.destination}) must go to a gateway endpoint vpce-...`,
        );
      }
      if (endpoint && !prefixList) {
        add(
          `${routeAt}.destination`,
          `a gateway endpoint route (${route.target}) needs a prefix list pl-... as destination`,
        );
      }
      if (route.service && !prefixList)
        add(`${routeAt}.service`, 'only a gateway endpoint route has a service');
      if (prefixList && endpoint) {
        const service = route.service ?? 'dynamodb';
        const known = gatewayEndpoints.get(route.target);
        if (known && known.service !== service) {
          add(`${routeAt}.service`, `${route.target} is the ${known.service} endpoint, not ${service}`);
        }
        const listed = prefixLists.get(route.destination);
        if (listed && listed !== service) {
          add(`${routeAt}.destination`, `${route.destination} is the ${listed} prefix list, not ${service}`);
        }
        gatewayEndpoints.set(route.target, { service });
        prefixLists.set(route.destination, service);
      }
    });
    table.associations.forEach((association, j) => {
      const assocAt = `${at}.associations[${j}]`;
      if (!subnets.has(association.subnet)) add(`${assocAt}.subnet`, `unknown subnet ${association.subnet}`);
      const other = associatedSubnets.get(association.subnet);
      if (other) add(`${assocAt}.subnet`, `${association.subnet} is already associated with ${other}`);
      associatedSubnets.set(association.subnet, table.id);
      if (association.id) {
        if (associationIds.has(association.id))
          add(`${assocAt}.id`, `duplicate association id ${association.id}`);
        associationIds.add(association.id);
      }
    });
  });
  if (t.routeTables.length > 0 && mains !== 1) {
    add('routeTables', `exactly one route table must have main: true (found ${mains})`);
  }

  t.vpcEndpoints.forEach((endpoint, i) => {
    const at = `vpcEndpoints[${i}]`;
    if (gatewayEndpoints.has(endpoint.id)) add(`${at}.id`, `${endpoint.id} is already a gateway endpoint`);
    gatewayEndpoints.set(endpoint.id, { service: endpoint.service });
    endpoint.subnets.forEach((subnet, j) => {
      if (!subnets.has(subnet)) add(`${at}.subnets[${j}]`, `unknown subnet ${subnet}`);
    });
  });

  if (t.egress) {
    const taken = new Map(endpoints);
    const claim = (at: string, endpoint: string, what: string) => {
      const other = taken.get(endpoint);
      if (other) add(at, `${endpoint} is already the endpoint of ${other}`);
      taken.set(endpoint, what);
    };
    if (t.egress.outside) claim('egress.outside', t.egress.outside, 'the outside target');
    const forwarded = new Set<string>();
    t.egress.forwarders.forEach((f, i) => {
      const at = `egress.forwarders[${i}]`;
      if (!subnets.has(f.subnet)) add(`${at}.subnet`, `unknown subnet ${f.subnet}`);
      if (forwarded.has(f.subnet)) add(`${at}.subnet`, `${f.subnet} already has a forwarder`);
      forwarded.add(f.subnet);
      claim(`${at}.endpoint`, f.endpoint, `the forwarder of ${f.subnet}`);
    });
  }
  return issues;
}
