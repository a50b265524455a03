package io.krill.benchmarks.bench;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * ci/bench's plots (JFreeChart, PNG): throughput and server CPU per message as bars per
 * scenario and server, the latency percentiles of each scenario as curves (log scale), and idle
 * memory per connection. Headless: no display is needed.
 */
final class Charts {

    private Charts() {}

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String[] PERCENTILE_FIELDS = {"p50_us", "p90_us", "p99_us", "p999_us"};

    static void write(Path dir, Map<String, Map<String, Map<String, Double>>> medians, String baseline) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (medians.keySet().stream().anyMatch(scenario -> !scenario.equals("idle"))) { // an idle-only run has no bars to draw
            bars(dir.resolve("throughput.png"), medians, "rps", "Requests per second (median; higher is better)", "requests/s");
            bars(dir.resolve("cpu-per-message.png"), medians, "server_cpu_us_per_request",
                    "Server CPU per message (median; lower is better)", "µs of CPU per message");
        }
        for (String scenario : medians.keySet()) {
            if (!scenario.equals("idle")) {
                percentiles(dir.resolve("latency-" + scenario + ".png"), scenario, medians.get(scenario));
            }
        }
        if (medians.containsKey("idle")) {
            DefaultCategoryDataset data = new DefaultCategoryDataset();
            medians.get("idle").forEach((peer, fields) -> {
                double held = BenchReport.held(fields);
                if (!Double.isNaN(held)) {
                    data.addValue(held, "heap + off-heap", peer);
                }
            });
            save(dir.resolve("idle-memory.png"), styled(ChartFactory.createBarChart(
                    "Memory per idle connection (heap after a full GC + off-heap; slope over the steps; lower is better)",
                    "server", "bytes per connection", data, PlotOrientation.VERTICAL, false, false, false)));
        }
    }

    private static void bars(Path file, Map<String, Map<String, Map<String, Double>>> medians, String field, String title,
            String axis) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        medians.forEach((scenario, peers) -> {
            if (scenario.equals("idle")) {
                return;
            }
            peers.forEach((peer, fields) -> {
                Double value = fields.get(field);
                if (value != null && !value.isNaN()) {
                    data.addValue(value, peer, scenario);
                }
            });
        });
        save(file, styled(ChartFactory.createBarChart(title, "scenario", axis, data, PlotOrientation.VERTICAL, true, false, false)));
    }

    private static void percentiles(Path file, String scenario, Map<String, Map<String, Double>> peers) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        peers.forEach((peer, fields) -> {
            XYSeries series = new XYSeries(peer);
            for (int i = 0; i < PERCENTILES.length; i++) {
                Double micros = fields.get(PERCENTILE_FIELDS[i]);
                if (micros != null && micros > 0) {
                    series.add(1 / (1 - PERCENTILES[i] / 100), micros.doubleValue()); // 2, 10, 100, 1000: the tail spread out
                }
            }
            data.addSeries(series);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Latency percentiles, " + scenario + " (median of repeats; lower is better)",
                "percentile", "µs", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis percentile = new LogAxis("percentile");
        percentile.setNumberFormatOverride(new PercentileFormat());
        percentile.setRange(1.5, 1500);
        percentile.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1)); // one tick per decade: 90 %, 99 %, 99.9 %
        plot.setDomainAxis(percentile);
        LogAxis micros = new LogAxis("µs (log scale)");
        micros.setSmallestValue(1);
        micros.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        plot.setRangeAxis(micros);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        save(file, chart);
    }

    private static JFreeChart styled(JFreeChart chart) {
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.02);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        return chart;
    }

    private static void save(Path file, JFreeChart chart) throws IOException {
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** Labels the axis value 1 / (1 - p) with p: 2 is 50 %, 10 is 90 %, 1000 is 99.9 %. */
    static final class PercentileFormat extends java.text.NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double x, StringBuffer to, java.text.FieldPosition position) {
            double p = 100 * (1 - 1 / x);
            return to.append(p >= 99.95 || p == Math.rint(p) ? String.format(java.util.Locale.ROOT, "%.0f%%", p)
                    : String.format(java.util.Locale.ROOT, "%.1f%%", p));
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, java.text.FieldPosition position) {
            return format((double) x, to, position);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition position) {
            throw new UnsupportedOperationException("labels only");
        }
    }

    /** For tests: the fields the percentile curves read, in order. */
    static List<String> percentileFields() {
        return List.of(PERCENTILE_FIELDS);
    }
}
