package io.krill.benchmarks.load;

/**
 * The straight line through points (x, y) that minimises the squared vertical distances:
 * {@code slope = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2)}, centred first so that
 * large y (RSS in bytes) do not cancel out in the sums.
 */
record LeastSquares(double slope, double intercept, double rSquared) {

    static LeastSquares fit(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
        }
        if (x.length < 2) {
            throw new IllegalArgumentException("a line needs at least 2 points, got " + x.length);
        }
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < x.length; i++) {
            meanX += x[i];
            meanY += y[i];
        }
        meanX /= x.length;
        meanY /= y.length;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("all x values are equal: no slope");
        }
        double slope = sxy / sxx;
        // All y equal: the flat line explains them exactly.
        double rSquared = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
        return new LeastSquares(slope, meanY - slope * meanX, rSquared);
    }
}
