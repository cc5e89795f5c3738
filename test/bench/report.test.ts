import { describe, expect, it } from 'vitest';
import { failoverChart, niceCeil } from '../../bench/report/chart';
import { replaceBetweenMarkers } from '../../bench/report/markdown';
import { escapeXml, linearScale, logScale, Svg } from '../../bench/report/svg';

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
  });
});

describe('scales', () => {
  it('map a linear domain onto pixels', () => {
    const x = linearScale(0, 10, 100, 200);
    expect(x(0)).toBe(100);
    expect(x(5)).toBe(150);
    expect(x(10)).toBe(200);
  });

  it('map decades to equal widths and clamp outside the domain', () => {
    const x = logScale(1, 100, 0, 200);
    expect(x(10)).toBeCloseTo(100, 9);
    expect(x(1000)).toBe(200);
    expect(x(0.01)).toBe(0);
  });

  it('round axis ends up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeil(4.2)).toBe(5);
    expect(niceCeil(120)).toBe(200);
    expect(niceCeil(10)).toBe(10);
  });
});

describe('Svg', () => {
  it('writes shapes and escaped text into one svg element', () => {
    const out = new Svg(100, 50)
      .title('t & t')
      .rect(1, 2, 3, 4, { fill: '#fff' })
      .text(5, 6, '<x>')
      .toString();
    expect(out.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"')).toBe(true);
    expect(out.trimEnd().endsWith('</svg>')).toBe(true);
    expect(out).toContain('<title>t &amp; t</title>');
    expect(out).toContain('<text x="5" y="6">&lt;x&gt;</text>');
  });

  it('refuses a coordinate that is not a number', () => {
    expect(() => new Svg(10, 10).circle(Number.NaN, 1, 1)).toThrow(/not a number/);
  });
});

describe('failoverChart', () => {
  it('draws every system, marks undetected failures and the limit line', () => {
    const svg = failoverChart({
      title: 'chart',
      subtitle: 'sub',
      limitMs: 4_500,
      timeline: [
        { label: 'ha-arbiter, crash', detected: true, detectMs: 1_500, moveMs: 3_800, outageMs: 4_000 },
        {
          label: 'vip, hang',
          detected: false,
          detectMs: Number.NaN,
          moveMs: Number.NaN,
          outageMs: Number.NaN,
          note: 'never detected',
        },
      ],
      distributions: [
        {
          label: 'ha-arbiter, crash',
          values: [3_900, 4_100],
          p50: 3_900,
          p95: 4_100,
          undetected: 0,
          ours: true,
        },
        { label: 'vip, hang', values: [], p50: Number.NaN, p95: Number.NaN, undetected: 8, ours: false },
      ],
    });
    expect(svg).toContain('ha-arbiter, crash');
    expect(svg).toContain('limit line 4.50 s');
    expect(svg).toContain('8 never detected');
    expect(svg).not.toContain('NaN');
    expect(svg.match(/<text/g)?.length).toBe(svg.match(/<\/text>/g)?.length);
  });
});

describe('replaceBetweenMarkers', () => {
  it('replaces what is between the markers and keeps the rest', () => {
    const doc = 'before\n<!-- bench:x:start -->\nold\n<!-- bench:x:end -->\nafter\n';
    expect(replaceBetweenMarkers(doc, 'x', 'new')).toBe(
      'before\n<!-- bench:x:start -->\nnew\n<!-- bench:x:end -->\nafter\n',
    );
  });

  it('appends the block when the markers are missing', () => {
    expect(replaceBetweenMarkers('doc\n', 'y', 'new')).toBe(
      'doc\n\n<!-- bench:y:start -->\nnew\n<!-- bench:y:end -->\n',
    );
  });
});
