// The fixed latency buckets every run is counted in (per-minute aggregates, Prometheus histograms): upper
// bounds in milliseconds, the last one open. Fixed, so rows written by different processes and months apart
// add up, and a percentile is reconstructed to within the width of the bucket it falls in.
export const LATENCY_BOUNDS_MS = [1, 2, 3, 5, 7.5, 10, 15, 25, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000, 10_000] as const;
/** Number of buckets: one per bound plus the open one above the last. */
export const BUCKET_COUNT = LATENCY_BOUNDS_MS.length + 1;

/** Index of the bucket a duration falls in (upper bounds inclusive, like Prometheus' `le`). */
export function bucketOf(ms: number): number {
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[i]) i++;
  return i;
}

/** The bounds [lower, upper] of bucket i; the open bucket's upper bound is the largest duration seen. */
export function bucketRange(i: number, maxMs: number): [number, number] {
  const lo = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
  const hi = i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : Math.max(maxMs, lo);
  return [lo, hi];
}

/**
 * The q-quantile (0..1) of the durations counted in `buckets`, interpolated linearly inside the bucket that
 * holds it: the true value lies in the same bucket, so the error is at most that bucket's width. Null when empty.
 */
export function percentileFromBuckets(buckets: ArrayLike<number>, q: number, maxMs = 0): number | null {
  let total = 0;
  for (let i = 0; i < buckets.length; i++) total += Number(buckets[i]);
  if (!total) return null;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < buckets.length; i++) {
    const n = Number(buckets[i]);
    if (n && cum + n >= rank) {
      const [lo, hi] = bucketRange(i, maxMs);
      const v = lo + ((hi - lo) * (rank - cum)) / n;
      return Math.round((maxMs ? Math.min(v, maxMs) : v) * 1000) / 1000;
    }
    cum += n;
  }
  return maxMs || null;
}
