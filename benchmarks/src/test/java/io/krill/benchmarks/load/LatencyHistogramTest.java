package io.krill.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void bucketsTileTheValuesWithoutGapsOrOverlap() {
        assertEquals(0, LatencyHistogram.lowestValueIn(0));
        for (int i = 1; i < LatencyHistogram.BUCKETS - 1; i++) {
            assertEquals(LatencyHistogram.highestValueIn(i - 1) + 1, LatencyHistogram.lowestValueIn(i), "bucket " + i);
        }
        assertEquals(Long.MAX_VALUE, LatencyHistogram.highestValueIn(LatencyHistogram.indexOf(Long.MAX_VALUE)));
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.indexOf(Long.MAX_VALUE));
    }

    @Test
    void everyValueFallsInItsBucketAndBucketsAreNarrow() {
        SplittableRandom random = new SplittableRandom(42);
        for (int n = 0; n < 100_000; n++) {
            long value = (random.nextLong() >>> 1) >>> random.nextInt(63);
            int index = LatencyHistogram.indexOf(value);
            long low = LatencyHistogram.lowestValueIn(index);
            long high = LatencyHistogram.highestValueIn(index);
            assertTrue(low <= value && value <= high, value + " not in [" + low + ", " + high + "]");
            assertTrue(high - low <= value / LatencyHistogram.SUB_BUCKETS, "bucket too wide at " + value);
        }
    }

    @Test
    void smallValuesAreExact() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (long v = 1; v <= 10; v++) {
            histogram.record(v);
        }
        assertEquals(5, histogram.percentileNanos(50));
        assertEquals(9, histogram.percentileNanos(90));
        assertEquals(10, histogram.percentileNanos(99));
        assertEquals(1, histogram.percentileNanos(0));
        assertEquals(10, histogram.maxNanos());
        assertEquals(5.5, histogram.meanNanos());
    }

    @Test
    void percentilesOfAShuffledSpreadAreWithinOneBucket() {
        long[] values = new long[100_000];
        SplittableRandom random = new SplittableRandom(7);
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < values.length; i++) {
            values[i] = 1_000 + random.nextLong(50_000_000); // 1 µs .. 50 ms
            histogram.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {50, 90, 99, 99.9, 100}) {
            long exact = values[(int) Math.round(p / 100 * values.length) - 1]; // nearest rank
            long reported = histogram.percentileNanos(p);
            assertTrue(reported >= exact && reported <= exact + exact / LatencyHistogram.SUB_BUCKETS,
                    "p" + p + ": exact " + exact + ", reported " + reported);
        }
        assertEquals(values[values.length - 1], histogram.percentileNanos(100));
    }

    @Test
    void aFewSlowOutliersShowInTheTailOnly() {
        LatencyHistogram histogram = new LatencyHistogram();
        for (int i = 0; i < 9_990; i++) {
            histogram.record(100_000); // 100 µs
        }
        for (int i = 0; i < 10; i++) {
            histogram.record(50_000_000); // 50 ms
        }
        long p999 = histogram.percentileNanos(99.9); // rank 9,990: still a fast one
        assertTrue(p999 >= 100_000 && p999 <= 100_000 + 100_000 / LatencyHistogram.SUB_BUCKETS, "p99.9 " + p999);
        assertEquals(50_000_000, histogram.percentileNanos(99.91)); // rank 9,991: the first slow one
        assertEquals(50_000_000, histogram.maxNanos());
    }

    @Test
    void addMergesCountsAndExtremes() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.record(10);
        a.record(20);
        b.record(5);
        b.record(1_000_000);
        a.add(b);
        assertEquals(4, a.count());
        assertEquals(5, a.minNanos());
        assertEquals(1_000_000, a.maxNanos());
        assertEquals(10, a.percentileNanos(50));
    }

    @Test
    void emptyAndInvalid() {
        LatencyHistogram histogram = new LatencyHistogram();
        assertEquals(0, histogram.percentileNanos(99));
        assertEquals(0, histogram.minNanos());
        assertThrows(IllegalArgumentException.class, () -> histogram.percentileNanos(100.5));
        assertThrows(IllegalArgumentException.class, () -> histogram.percentileNanos(Double.NaN));
        histogram.record(-5);
        assertEquals(0, histogram.maxNanos());
    }
}
