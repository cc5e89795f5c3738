import { HOURS_PER_MONTH, PRICES } from './prices';

/** Another way to get a fixed, highly available address (or NAT), per month at list price. */
export interface Alternative {
  name: string;
  usdPerMonth: number;
  /** Extra cost per GB through it, if any. */
  usdPerGb: number;
  notes: string;
}

const H = HOURS_PER_MONTH;

/**
 * Fixed monthly costs of the usual alternatives, for two AZs, next to ha-arbiter's own bill.
 * The alterNAT-style line follows that project's published design: a NAT instance per AZ in
 * an Auto Scaling group, a standby NAT Gateway per AZ, a connectivity-test Lambda per AZ run
 * every minute that checks every 5 s for about a minute (256 MB x86_64 by default), and an
 * EC2 interface endpoint so the Lambda can reach the API while the NAT is down.
 */
export function alternatives(arbiterUsd: number): Alternative[] {
  const natGw = H * PRICES.vpc.natGatewayHour;
  const endpointAz = H * PRICES.vpc.interfaceEndpointAzHour;
  const nano = H * PRICES.ec2.t4gNanoHour;
  const alternatTesters = 2 * H * 60 * 0.25 * 60 * PRICES.lambda.x86GbSecond;
  return [
    {
      name: 'ha-arbiter (1 group, 2 vantages, 5 s)',
      usdPerMonth: arbiterUsd,
      usdPerGb: 0,
      notes: 'plus the two instances you already run; traffic never passes through it',
    },
    {
      name: 'ha-arbiter + 2 x t4g.nano NAT instances',
      usdPerMonth: arbiterUsd + 2 * nano,
      usdPerGb: 0,
      notes: 'a complete HA NAT for small traffic (instance bandwidth limits apply)',
    },
    {
      name: 'NAT Gateway, one per AZ (2 AZs)',
      usdPerMonth: 2 * natGw,
      usdPerGb: PRICES.vpc.natGatewayGb,
      notes: 'managed; $0.045 per GB processed on top of data transfer',
    },
    {
      name: 'NAT Gateway, one for both AZs',
      usdPerMonth: natGw,
      usdPerGb: PRICES.vpc.natGatewayGb,
      notes: 'not AZ-independent; cross-AZ transfer extra',
    },
    {
      name: 'Interface endpoints for EC2 + SNS (2 AZs)',
      usdPerMonth: 2 * 2 * endpointAz,
      usdPerGb: PRICES.vpc.interfaceEndpointGb,
      notes: "what an in-VPC arbiter needs to reach the API without a NAT (ha-arbiter's opt-in arbiterInVpc)",
    },
    {
      name: 'Application Load Balancer',
      usdPerMonth: H * PRICES.elb.albHour,
      usdPerGb: 0,
      notes: `+ $${(H * PRICES.elb.albLcuHour).toFixed(2)} per LCU-month; HTTP(S) only, a DNS name, no fixed IP`,
    },
    {
      name: 'Network Load Balancer',
      usdPerMonth: H * PRICES.elb.nlbHour,
      usdPerGb: 0,
      notes: `+ $${(H * PRICES.elb.nlbLcuHour).toFixed(2)} per NLCU-month; one fixed IP per AZ, not one address`,
    },
    {
      name: 'alterNAT-style (2 AZs)',
      usdPerMonth: alternatTesters + 2 * natGw + 2 * endpointAz,
      usdPerGb: 0,
      notes: `testers $${alternatTesters.toFixed(2)} + standby NAT Gateways $${(2 * natGw).toFixed(2)} + EC2 endpoint $${(2 * endpointAz).toFixed(2)}, plus the NAT instances`,
    },
  ];
}
