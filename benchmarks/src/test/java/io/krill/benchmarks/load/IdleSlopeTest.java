package io.krill.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.commons.math3.stat.regression.SimpleRegression;
import org.junit.jupiter.api.Test;

/** The idle-memory slope, now commons-math3's SimpleRegression, on the cases the hand-written fit had. */
class IdleSlopeTest {

    private static final double[] STEPS = {1_000, 5_000, 10_000, 15_000};

    @Test
    void aStraightLineIsFoundExactlyEvenOnALargeOffset() {
        double[] y = new double[STEPS.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = 60e6 + 2_500 * STEPS[i]; // 60 MB baseline, 2,500 bytes per connection
        }
        SimpleRegression fit = IdleConnections.fit(STEPS, y);
        assertEquals(2_500, fit.getSlope(), 1e-6);
        assertEquals(60e6, fit.getIntercept(), 1e-3);
        assertEquals(1, fit.getRSquare(), 1e-12);
    }

    @Test
    void noisyPointsGiveTheTextbookAnswer() {
        // By hand: mean x 2.5, mean y 2.6; dx -1.5 -0.5 0.5 1.5, dy -1.6 -0.4 0.3 1.7; sxy 5.3,
        // sxx 5, syy 5.7: slope 1.06, intercept 2.6 - 1.06 * 2.5 = -0.05, r^2 5.3^2 / (5 * 5.7).
        SimpleRegression fit = IdleConnections.fit(new double[] {1, 2, 3, 4}, new double[] {1.0, 2.2, 2.9, 4.3});
        assertEquals(1.06, fit.getSlope(), 1e-12);
        assertEquals(-0.05, fit.getIntercept(), 1e-12);
        assertEquals(28.09 / 28.5, fit.getRSquare(), 1e-12);
    }

    @Test
    void aFlatLineHasSlopeZero() {
        SimpleRegression fit = IdleConnections.fit(STEPS, new double[] {7, 7, 7, 7});
        assertEquals(0, fit.getSlope());
        assertEquals(7, fit.getIntercept());
    }

    @Test
    void refusesWhatHasNoSlope() {
        assertThrows(IllegalArgumentException.class, () -> IdleConnections.fit(new double[] {1}, new double[] {2}));
        assertThrows(IllegalArgumentException.class, () -> IdleConnections.fit(new double[] {3, 3}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> IdleConnections.fit(new double[] {1, 2}, new double[] {1}));
    }
}
