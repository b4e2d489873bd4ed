/** Small statistics for benchmark reports. */

/** The p-th percentile (0..100) of the samples, by nearest rank; 0 for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Formats a rate with thousands separators: 1,234,567. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
