package io.krill.benchmarks.load;

/**
 * Latencies in nanoseconds, in log-linear buckets (HdrHistogram's layout, in miniature): values
 * below {@value #SUB_BUCKETS} ns get a bucket each; above, every power of two is cut into
 * {@value #SUB_BUCKETS} equal buckets, so a bucket is at most 1/{@value #SUB_BUCKETS} (1.6 %) of
 * the values it holds wide. 3,712 counters cover every non-negative {@code long}; recording is an
 * array increment, with no allocation. Single-threaded: one per load thread, merged at the end.
 *
 * <pre>
 * index = value                              value &lt; 64
 * index = 64 * shift + (value &gt;&gt;&gt; shift)      shift = floor(log2 value) - 6, so value &gt;&gt;&gt; shift is in [64, 128)
 * </pre>
 */
public final class LatencyHistogram {

    /** Buckets per power of two: 64 keeps the error under 1.6 %, ample for percentiles of µs. */
    static final int SUB_BUCKET_BITS = 6;
    static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    /** Enough for Long.MAX_VALUE: shift at most 62 - 6 = 56, so index at most 64 * 56 + 127 = 3,711. */
    static final int BUCKETS = SUB_BUCKETS * (Long.SIZE - SUB_BUCKET_BITS);

    private final long[] counts = new long[BUCKETS];
    private long totalCount;
    private long maxNanos;
    private long minNanos = Long.MAX_VALUE;
    private double sumNanos;

    /** Records one latency; a negative value (a clock that went back) counts as 0. */
    public void record(long nanos) {
        long value = Math.max(0, nanos);
        counts[indexOf(value)]++;
        totalCount++;
        sumNanos += value;
        if (value > maxNanos) {
            maxNanos = value;
        }
        if (value < minNanos) {
            minNanos = value;
        }
    }

    /** Adds every value of {@code other} to this one. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        totalCount += other.totalCount;
        sumNanos += other.sumNanos;
        maxNanos = Math.max(maxNanos, other.maxNanos);
        minNanos = Math.min(minNanos, other.minNanos);
    }

    public long count() {
        return totalCount;
    }

    /** The largest value recorded, exactly; 0 when empty. */
    public long maxNanos() {
        return maxNanos;
    }

    /** The smallest value recorded, exactly; 0 when empty. */
    public long minNanos() {
        return totalCount == 0 ? 0 : minNanos;
    }

    public double meanNanos() {
        return totalCount == 0 ? 0 : sumNanos / totalCount;
    }

    /**
     * The value at {@code percentile} (0 to 100): the upper end of the bucket holding the value of
     * rank round(percentile / 100 * count), at least 1 (rounded as HdrHistogram does, so that
     * 99.9 % of 10,000 is rank 9,990 despite 0.999 having no exact double), clamped to the exact maximum and minimum, so the answer
     * is never below the true value and at most 1.6 % above it. 0 when empty.
     */
    public long percentileNanos(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in [0, 100], got " + percentile);
        }
        if (totalCount == 0) {
            return 0;
        }
        long rank = Math.max(1, Math.round(percentile / 100 * totalCount));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.max(minNanos, Math.min(maxNanos, highestValueIn(i)));
            }
        }
        throw new AssertionError("rank " + rank + " beyond count " + totalCount);
    }

    static int indexOf(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int shift = (Long.SIZE - 1 - Long.numberOfLeadingZeros(value)) - SUB_BUCKET_BITS;
        return SUB_BUCKETS * shift + (int) (value >>> shift);
    }

    static long lowestValueIn(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        return (long) (index - SUB_BUCKETS * shift) << shift;
    }

    static long highestValueIn(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int shift = index / SUB_BUCKETS - 1;
        long sub = index - (long) SUB_BUCKETS * shift;
        // The top bucket ends at Long.MAX_VALUE: (128 << 56) - 1 overflows to exactly that.
        return ((sub + 1) << shift) - 1;
    }
}
