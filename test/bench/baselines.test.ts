import { describe, expect, it } from 'vitest';
import {
  KEEPALIVED,
  keepalived,
  masterDownIntervalMs,
  NAT_CRON,
  natCron,
  PACEMAKER,
  pacemaker,
  VIP_MONITOR,
  vipMonitor,
} from '../../bench/baselines/index';
import type { Ec2Timing } from '../../bench/baselines/model';

const ec2: Ec2Timing = { describeMs: 300, mutatingMs: 800, propagationMs: 500 };
const seeds = Array.from({ length: 200 }, (_, i) => i + 1);

describe('vip_monitor.sh model', () => {
  it('takes over 3 to 8 s after a crash: the round in progress, a 2 s sleep, then three unanswered pings', () => {
    for (const seed of seeds) {
      const o = vipMonitor.outcome({ failAt: 30_000, kind: 'crash' }, ec2, seed);
      expect(o.detected).toBe(true);
      expect(o.detectMs).toBeGreaterThanOrEqual(3_000 - 1);
      expect(o.detectMs).toBeLessThanOrEqual(8_001);
      expect(o.moveMs - o.detectMs).toBe(VIP_MONITOR.cliStartMs + ec2.mutatingMs);
      expect(o.outageMs - o.moveMs).toBe(ec2.propagationMs);
    }
  });

  it('never notices a hung service, because the node still answers ping', () => {
    const o = vipMonitor.outcome({ failAt: 30_000, kind: 'hang' }, ec2, 1);
    expect(o.detected).toBe(false);
    expect(o.outageMs).toBe(VIP_MONITOR.horizonMs);
  });

  it('moves the VIP only when every ping of a round is lost', () => {
    expect(vipMonitor.falseFailovers(1_000, 0, ec2, 1).failovers).toBe(0);
    expect(vipMonitor.falseFailovers(1_000, 1, ec2, 1).failovers).toBeGreaterThan(0);
  });
});

describe('NAT cron script model', () => {
  it('switches 34.1 s after a run starts when every host fails, close to the 35 s the seed measured', () => {
    const checks = NAT_CRON.hosts * (NAT_CRON.sshMs + NAT_CRON.pingWaitMs);
    expect(checks + ec2.describeMs + ec2.mutatingMs).toBe(34_100);
  });

  it('waits for the next run of its 2-minute cron', () => {
    for (const seed of seeds) {
      const o = natCron.outcome({ failAt: 200_000, kind: 'crash' }, ec2, seed);
      expect(o.detectMs).toBeGreaterThan(30_000);
      expect(o.detectMs).toBeLessThanOrEqual(NAT_CRON.periodMs + 33_100);
      expect(o.moveMs - o.detectMs).toBe(ec2.describeMs + ec2.mutatingMs);
    }
  });

  it('detects a hang as well, since it checks through the node', () => {
    expect(natCron.outcome({ failAt: 200_000, kind: 'hang' }, ec2, 3).detected).toBe(true);
  });

  it('never switches without loss', () => {
    expect(natCron.falseFailovers(10_000, 0, ec2, 1).failovers).toBe(0);
  });
});

describe('Pacemaker-style model', () => {
  it('moves after the second failed monitor, and the EIP move takes the seed’s 10-20 s at the default latencies', () => {
    for (const seed of seeds) {
      const o = pacemaker.outcome({ failAt: 30_000, kind: 'crash' }, ec2, seed);
      expect(o.detectMs).toBeGreaterThanOrEqual(PACEMAKER.restartMs);
      expect(o.detectMs).toBeLessThanOrEqual(
        PACEMAKER.monitorIntervalMs + PACEMAKER.restartMs + 3 * PACEMAKER.failFastMs,
      );
      expect(o.moveMs - o.detectMs).toBeGreaterThanOrEqual(10_000);
      expect(o.moveMs - o.detectMs).toBeLessThanOrEqual(20_000);
    }
  });

  it('needs each monitor of a hung service to time out', () => {
    const crash = pacemaker.outcome({ failAt: 30_000, kind: 'crash' }, ec2, 7);
    const hang = pacemaker.outcome({ failAt: 30_000, kind: 'hang' }, ec2, 7);
    expect(hang.detectMs - crash.detectMs).toBeGreaterThan(PACEMAKER.monitorTimeoutMs);
  });

  it('migrates and then stops the group when lost probes reach the threshold on both nodes', () => {
    const r = pacemaker.falseFailovers(10_000, 0.05, ec2, 1);
    expect(r.failovers).toBeGreaterThan(0);
    expect(r.other.groupStopped).toBeGreaterThan(0);
    expect(pacemaker.falseFailovers(10_000, 0, ec2, 1).failovers).toBe(0);
  });
});

describe('every model', () => {
  it('repeats exactly from its seed', () => {
    for (const m of [vipMonitor, natCron, pacemaker]) {
      expect(m.outcome({ failAt: 45_000, kind: 'crash' }, ec2, 9)).toEqual(
        m.outcome({ failAt: 45_000, kind: 'crash' }, ec2, 9),
      );
      expect(m.falseFailovers(500, 0.05, ec2, 9)).toEqual(m.falseFailovers(500, 0.05, ec2, 9));
    }
  });
});

describe('keepalived + EIP notify-script model', () => {
  it('uses VRRP Master_Down_Interval = 3 x advert_int + Skew_Time: 3.61 s at priority 100', () => {
    expect(masterDownIntervalMs(1_000, 100)).toBeCloseTo(3_000 + (156 / 256) * 1_000, 6);
  });

  it('takes over 2.6-3.6 s after a node goes silent, then spends the notify script on the move', () => {
    for (const seed of seeds) {
      const o = keepalived.outcome({ failAt: 30_000, kind: 'crash' }, ec2, seed);
      const down = masterDownIntervalMs(KEEPALIVED.advertIntMs, KEEPALIVED.backupPriority);
      expect(o.detectMs).toBeGreaterThanOrEqual(down - KEEPALIVED.advertIntMs - 1);
      expect(o.detectMs).toBeLessThanOrEqual(down + 1);
      // The guide's 5-6 s for the script at the default latencies.
      expect(o.moveMs - o.detectMs).toBeGreaterThanOrEqual(5_000 - 1);
      expect(o.moveMs - o.detectMs).toBeLessThanOrEqual(6_000 + 1);
      expect(o.outageMs - o.moveMs).toBe(ec2.propagationMs);
    }
  });

  it('sees a hang only through its vrrp_script, later than a silent node', () => {
    const mean = (kind: 'crash' | 'hang') =>
      seeds.reduce((a, seed) => a + keepalived.outcome({ failAt: 30_000, kind }, ec2, seed).detectMs, 0) /
      seeds.length;
    expect(mean('hang')).toBeGreaterThan(mean('crash') + 1_000);
  });

  it('moves the address away and back when three advertisements in a row are lost', () => {
    expect(keepalived.falseFailovers(1_000, 0, ec2, 1).failovers).toBe(0);
    const r = keepalived.falseFailovers(1_000, 0.2, ec2, 1);
    expect(r.failovers).toBeGreaterThan(0);
    expect(r.failovers).toBe(2 * (r.other.needlessTakeovers ?? 0));
  });
});
