/*
 * Latency histograms with fixed buckets, so that any set of rollup rows adds up to one histogram and
 * the median and 90th percentile of any range come from the rollups. Bounds are roughly log-spaced
 * from 30 seconds to 7 days, at values people read easily.
 */

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Upper bounds (exclusive) in milliseconds; bucket i holds [BOUNDS[i-1], BOUNDS[i]), the last one ≥ 7 days. */
export const BOUNDS_MS: readonly number[] = [
  30 * S,
  1 * M,
  2 * M,
  3 * M,
  5 * M,
  10 * M,
  15 * M,
  20 * M,
  30 * M,
  45 * M,
  1 * H,
  90 * M,
  2 * H,
  3 * H,
  4 * H,
  6 * H,
  8 * H,
  12 * H,
  16 * H,
  24 * H,
  36 * H,
  2 * D,
  3 * D,
  5 * D,
  7 * D,
];

export const BUCKETS = BOUNDS_MS.length + 1;

/** The bucket of a duration: how many bounds it reaches (SQL's width_bucket over the same bounds). */
export function bucketOf(ms: number): number {
  let lo = 0;
  let hi = BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (BOUNDS_MS[mid] <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function emptyHistogram(): number[] {
  return new Array(BUCKETS).fill(0);
}

export function bucketRange(bucket: number): { from_ms: number; to_ms: number | null } {
  return {
    from_ms: bucket === 0 ? 0 : BOUNDS_MS[bucket - 1],
    to_ms: bucket < BOUNDS_MS.length ? BOUNDS_MS[bucket] : null,
  };
}

/**
 * The q-quantile (0 < q < 1) estimated from bucket counts: the rank q·n is found in its bucket and
 * placed linearly between the bucket's bounds. The open last bucket answers its lower bound (7 days).
 * Whole milliseconds, so every caller that has the same counts reports the same figure.
 */
export function quantile(histogram: readonly number[], q: number): number | null {
  const n = histogram.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = q * n;
  let before = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i];
    if (count > 0 && before + count >= rank) {
      const { from_ms, to_ms } = bucketRange(i);
      if (to_ms === null) return from_ms;
      return Math.round(from_ms + ((rank - before) / count) * (to_ms - from_ms));
    }
    before += count;
  }
  return bucketRange(histogram.length - 1).from_ms;
}

export function addInto(target: number[], source: readonly number[], sign = 1): void {
  for (let i = 0; i < BUCKETS; i++) target[i] += sign * (source[i] ?? 0);
}
