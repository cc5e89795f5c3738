import { linearScale, logScale, Svg } from './svg';

/** One system's median failover, split into its phases (ms from the failure). */
export interface TimelineRow {
  label: string;
  detected: boolean;
  detectMs: number;
  moveMs: number;
  outageMs: number;
  /** Shown at the right of the bar, e.g. "p95 4.6 s". */
  note?: string;
}

/** Every trial's outage of one system and failure kind. */
export interface DistributionRow {
  label: string;
  /** Outages of the trials the system detected (ms). */
  values: number[];
  p50: number;
  p95: number;
  /** Trials it never detected. */
  undetected: number;
  ours: boolean;
}

/** Everything the chart shows. */
export interface ChartInput {
  title: string;
  subtitle: string;
  timeline: TimelineRow[];
  limitMs: number;
  distributions: DistributionRow[];
}

const W = 980;
const LABEL_W = 250;
const X0 = LABEL_W + 10;
const X1 = W - 120;
const COLORS = {
  detect: '#4e79a7',
  move: '#f28e2b',
  propagate: '#b9b2ad',
  ours: '#2f7d32',
  theirs: '#8c564b',
  limit: '#d62728',
};

/** A round axis end at or above `v` (1, 2 or 5 times a power of ten). */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const seconds = (ms: number) => {
  const s = ms / 1000;
  return s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`;
};

/**
 * The bench's chart: (A) a median failover of each system as phases on one linear time axis
 * (detect, move, propagate, with the physical-limit line), and (B) every trial's outage per
 * system and failure kind on a log axis, with p50 and p95 marks.
 */
export function failoverChart(input: ChartInput): string {
  const rowH = 26;
  const aTop = 96;
  const aHeight = input.timeline.length * rowH;
  const bTop = aTop + aHeight + 110;
  const bRowH = 24;
  const height = bTop + input.distributions.length * bRowH + 60;
  const svg = new Svg(W, height).title(input.title);
  svg.rect(0, 0, W, height, { fill: '#ffffff' });
  svg.text(16, 26, input.title, { 'font-size': 17, 'font-weight': 'bold' });
  svg.text(16, 46, input.subtitle, { fill: '#555555' });

  // Panel A: the median failover of each system, phase by phase.
  svg.text(16, aTop - 22, 'A. Median failover, from the failure (linear time)', { 'font-weight': 'bold' });
  const maxA = niceCeil(
    Math.max(input.limitMs, ...input.timeline.filter((r) => r.detected).map((r) => r.outageMs)) * 1.05,
  );
  const xa = linearScale(0, maxA, X0, X1);
  axisLinear(svg, xa, maxA, aTop + aHeight + 4);
  input.timeline.forEach((r, i) => {
    const y = aTop + i * rowH;
    svg.text(LABEL_W, y + 16, r.label, { 'text-anchor': 'end' });
    if (!r.detected) {
      svg.rect(X0, y + 4, X1 - X0, rowH - 8, { fill: '#fbe3e3' });
      svg.text(X0 + 24, y + 17, r.note ?? 'never detected', { fill: COLORS.limit });
      return;
    }
    svg.rect(xa(0), y + 4, xa(r.detectMs) - xa(0), rowH - 8, { fill: COLORS.detect });
    svg.rect(xa(r.detectMs), y + 4, xa(r.moveMs) - xa(r.detectMs), rowH - 8, { fill: COLORS.move });
    svg.rect(xa(r.moveMs), y + 4, xa(r.outageMs) - xa(r.moveMs), rowH - 8, { fill: COLORS.propagate });
    svg.text(xa(r.outageMs) + 6, y + 17, r.note ?? seconds(r.outageMs), { fill: '#333333' });
  });
  const lx = xa(input.limitMs);
  svg.line(lx, aTop - 6, lx, aTop + aHeight, {
    stroke: COLORS.limit,
    'stroke-dasharray': '4 3',
    'stroke-width': 1.5,
  });
  svg.text(lx + 4, aTop - 8, `limit line ${seconds(input.limitMs)}`, { fill: COLORS.limit, 'font-size': 11 });
  const legendY = aTop + aHeight + 44;
  legend(svg, X0, legendY, [
    [COLORS.detect, 'detecting'],
    [COLORS.move, 'moving the address (decide, lease, EC2 calls, verify)'],
    [COLORS.propagate, 'until clients are served'],
  ]);

  // Panel B: every trial's outage, log time.
  svg.text(
    16,
    bTop - 30,
    'B. Client outage of every trial: dots, with a thick mark at p50 and a thin one at p95 (log time)',
    { 'font-weight': 'bold' },
  );
  const maxB = niceCeil(Math.max(60_000, ...input.distributions.flatMap((d) => d.values)) * 1.1);
  const xb = logScale(500, maxB, X0, X1);
  axisLog(svg, xb, 500, maxB, bTop + input.distributions.length * bRowH + 4);
  input.distributions.forEach((d, i) => {
    const y = bTop + i * bRowH;
    const color = d.ours ? COLORS.ours : COLORS.theirs;
    if (i % 2 === 0) svg.rect(X0, y, X1 - X0, bRowH, { fill: '#f6f6f6' });
    svg.text(LABEL_W, y + 16, d.label, { 'text-anchor': 'end', 'font-weight': d.ours ? 'bold' : 'normal' });
    d.values.forEach((v, k) => {
      const jitter = ((k * 7) % 5) - 2;
      svg.circle(xb(v), y + bRowH / 2 + jitter * 1.6, 2.6, { fill: color, 'fill-opacity': 0.55 });
    });
    if (d.values.length > 0) {
      svg.line(xb(d.p50), y + 3, xb(d.p50), y + bRowH - 3, { stroke: '#000000', 'stroke-width': 2.5 });
      svg.line(xb(d.p95), y + 3, xb(d.p95), y + bRowH - 3, { stroke: '#000000', 'stroke-width': 1 });
    }
    const right = d.undetected > 0 ? `${d.undetected} never detected` : `p95 ${seconds(d.p95)}`;
    svg.text(X1 + 8, y + 16, right, { fill: d.undetected > 0 ? COLORS.limit : '#333333', 'font-size': 11 });
  });
  return svg.toString();
}

function axisLinear(svg: Svg, x: (v: number) => number, max: number, y: number) {
  svg.line(x(0), y, x(max), y, { stroke: '#999999' });
  const step = niceCeil(max / 8);
  for (let v = 0; v <= max + 1e-9; v += step) {
    svg.line(x(v), y, x(v), y + 4, { stroke: '#999999' });
    svg.text(x(v), y + 16, `${v / 1000} s`, { 'text-anchor': 'middle', fill: '#555555', 'font-size': 11 });
  }
}

function axisLog(svg: Svg, x: (v: number) => number, min: number, max: number, y: number) {
  svg.line(x(min), y, x(max), y, { stroke: '#999999' });
  for (const v of [500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000]) {
    if (v < min || v > max) continue;
    svg.line(x(v), y, x(v), y + 4, { stroke: '#999999' });
    svg.text(x(v), y + 16, `${v / 1000} s`, { 'text-anchor': 'middle', fill: '#555555', 'font-size': 11 });
  }
}

function legend(svg: Svg, x: number, y: number, items: Array<[string, string]>) {
  let cx = x;
  for (const [color, label] of items) {
    svg.rect(cx, y - 10, 12, 12, { fill: color });
    svg.text(cx + 16, y, label, { 'font-size': 11 });
    cx += 28 + label.length * 5.6;
  }
}
