/**
 * A small SVG line-chart writer (no dependencies): linear axes from 0 to a rounded maximum,
 * one polyline per series, tick labels, a legend. Output is deterministic text, so charts diff
 * cleanly and tests compare strings. Text is XML-escaped.
 */

export interface Series {
  name: string;
  /** [x, y] points in data units, x ascending. */
  points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Pixels; default 640 x 320. */
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const MARGIN = { left: 64, right: 16, top: 32, bottom: 48 };

/** Escapes the five XML special characters. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The smallest "nice" number (1, 2, 2.5 or 5 times a power of ten) >= x; 1 for x <= 0. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x - 1e-9 * p) return m * p;
  return 10 * p;
}

/** Short tick text: 1200 -> 1.2k, 2500000 -> 2.5M, 0.5 -> 0.5. */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  const trim = (x: number): string => String(Math.round(x * 10) / 10);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Renders `chart` as a standalone SVG document. */
export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 640;
  const height = chart.height ?? 320;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const all = chart.series.flatMap((s) => s.points);
  const xMax = niceCeil(Math.max(0, ...all.map((p) => p[0])));
  const yMax = niceCeil(Math.max(0, ...all.map((p) => p[1])));
  const sx = (x: number): number => MARGIN.left + (x / xMax) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - (y / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(chart.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const xv = (xMax * i) / 5;
    const yv = (yMax * i) / 5;
    out.push(`<line x1="${fmt(sx(xv))}" y1="${MARGIN.top}" x2="${fmt(sx(xv))}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${fmt(sx(xv))}" y="${MARGIN.top + plotH + 14}" text-anchor="middle">${formatTick(xv)}</text>`);
    out.push(`<line x1="${MARGIN.left}" y1="${fmt(sy(yv))}" x2="${MARGIN.left + plotW}" y2="${fmt(sy(yv))}" stroke="#eee"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${fmt(sy(yv) + 4)}" text-anchor="end">${formatTick(yv)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`);
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    if (s.points.length > 0) {
      const pts = s.points.map(([x, y]) => `${fmt(sx(x))},${fmt(sy(y))}`).join(' ');
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    }
    const ly = MARGIN.top + 12 + i * 14;
    out.push(`<line x1="${MARGIN.left + 8}" y1="${ly - 4}" x2="${MARGIN.left + 24}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${MARGIN.left + 28}" y="${ly}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
