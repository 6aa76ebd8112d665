import { describe, expect, it } from 'vitest';
import { escapeXml, formatTick, niceCeil, renderLineChart } from '../../bench/support/svg.js';

describe('svg line chart writer', () => {
  it('rounds axis maxima up to nice numbers', () => {
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(1)).toBe(1);
    expect(niceCeil(1.2)).toBe(2);
    expect(niceCeil(2.2)).toBe(2.5);
    expect(niceCeil(64)).toBe(100);
    expect(niceCeil(1200)).toBe(2000);
    expect(niceCeil(0.03)).toBeCloseTo(0.05);
  });

  it('formats ticks short', () => {
    expect(formatTick(0)).toBe('0');
    expect(formatTick(1200)).toBe('1.2k');
    expect(formatTick(2_500_000)).toBe('2.5M');
    expect(formatTick(0.25)).toBe('0.3');
  });

  it('escapes XML in text', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });

  it('maps points onto the plot area: origin bottom-left, maxima top-right', () => {
    const svg = renderLineChart({ title: 'T <1>', xLabel: 'x', yLabel: 'y', width: 200, height: 100, series: [{ name: 'a', points: [[0, 0], [10, 5]] }] });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('T &lt;1&gt;');
    // plot: left 64, right 200-16=184, top 32, bottom 100-48=52; x max 10, y max 5
    expect(svg).toContain('points="64,52 184,32"');
  });

  it('draws one polyline and one legend entry per series, and is deterministic', () => {
    const chart = { title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'one', points: [[0, 1], [1, 2]] as Array<[number, number]> }, { name: 'two', points: [] }] };
    const svg = renderLineChart(chart);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain('>one</text>');
    expect(svg).toContain('>two</text>');
    expect(renderLineChart(chart)).toBe(svg);
  });
});
