// A bar sparkline as inline SVG (no images, no inline styles: the CSP allows neither from data).
import { svg } from './dom';

export function sparkline(values: number[], { width = 96, height = 20, label = '' } = {}): SVGElement {
  const max = Math.max(1, ...values);
  const bar = width / Math.max(1, values.length);
  const bars = values.map((v, i) => {
    const hgt = v === 0 ? 1 : Math.max(2, Math.round((v / max) * height));
    return svg('rect', {
      x: (i * bar).toFixed(2),
      y: height - hgt,
      width: Math.max(1, bar - 1).toFixed(2),
      height: hgt,
      class: v === 0 ? 'spark-zero' : 'spark-bar',
    });
  });
  const el = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, class: 'spark', role: 'img' }, ...bars);
  el.setAttribute('aria-label', label || `${values.reduce((a, b) => a + b, 0)} events`);
  return el;
}
