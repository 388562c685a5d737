// How times and counts read on the page.

const UNITS: [number, string][] = [
  [365 * 86_400_000, 'y'],
  [30 * 86_400_000, 'mo'],
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/** `3 min ago`, `2 d ago`, `just now`. */
export function ago(iso: string, now = Date.now()): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  for (const [size, unit] of UNITS) if (ms >= size) return `${Math.floor(ms / size)} ${unit} ago`;
  return 'just now';
}

/** `1.2k`, `34`, `5.6M`. */
export function short(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** A breadcrumb's offset from the error: `−2.35 s`, `−120 ms`. */
export function offset(ms: number): string {
  const sign = ms < 0 ? '−' : ms > 0 ? '+' : '';
  const abs = Math.abs(ms);
  return abs >= 1000 ? `${sign}${(abs / 1000).toFixed(2)} s` : `${sign}${abs} ms`;
}

export function localTime(iso: string): string {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toLocaleString() : iso;
}
