/** `2025-11-25T10:41:07Z`: ISO 8601 to the second, for JSON output and messages. */
export function isoSecond(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** `10:41:07Z` when `ms` is within a day of `now`, else `2025-11-25 10:41Z`: short enough for a table cell. */
export function shortTime(ms: number, now: number): string {
  const iso = new Date(ms).toISOString();
  if (Math.abs(now - ms) < 86_400_000) return `${iso.slice(11, 19)}Z`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** A duration a person reads at a glance: `850ms`, `42s`, `7m`, `3h12m`, `2d4h`. */
export function duration(ms: number): string {
  const abs = Math.max(0, Math.round(ms));
  if (abs < 1000) return `${abs}ms`;
  const s = Math.floor(abs / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}
