package dev.kubeproof.report.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.text.SimpleDateFormat;
import java.util.List;
import java.util.Locale;
import java.util.TimeZone;
import java.util.Map;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.DateTickUnit;
import org.jfree.chart.axis.DateTickUnitType;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.time.Day;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;

import dev.kubeproof.report.analysis.PeriodAnalysis;
import dev.kubeproof.report.analysis.PeriodSummary;

/** The report's charts, drawn by JFreeChart as PNG images (the HTML embeds them, the PDF renders that HTML). */
public final class Charts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 360;
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    static {
        // charts are drawn off-screen, also on servers without a display
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** Compliance % per day, one line per framework. */
    public static byte[] compliancePerDay(PeriodSummary summary) throws IOException {
        TimeSeriesCollection dataset = new TimeSeriesCollection();
        for (PeriodSummary.DailyCompliance framework : summary.dailyCompliance()) {
            TimeSeries series = new TimeSeries(framework.framework());
            for (int i = 0; i < summary.days().size(); i++) {
                Double value = framework.percent().get(i);
                if (value != null) {
                    series.add(day(summary.days().get(i)), value);
                }
            }
            dataset.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createTimeSeriesChart("Compliance per day (share of assessed resource-time in PASS)",
                "Day (UTC)", "Compliance %", dataset, true, false, false);
        ((XYPlot) chart.getPlot()).getRangeAxis().setRange(0, 100);
        return png(styled(chart, summary.days().size()));
    }

    /** Violations open at the end of each day, one line per severity. */
    public static byte[] openViolations(PeriodSummary summary) throws IOException {
        TimeSeriesCollection dataset = new TimeSeriesCollection();
        for (Map.Entry<String, List<Integer>> severity : summary.openViolationsAtDayEnd().entrySet()) {
            TimeSeries series = new TimeSeries(severity.getKey());
            for (int i = 0; i < summary.days().size(); i++) {
                series.add(day(summary.days().get(i)), severity.getValue().get(i));
            }
            dataset.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createTimeSeriesChart("Open violations by severity (at each day's end)",
                "Day (UTC)", "Open violations", dataset, true, false, false);
        return png(styled(chart, summary.days().size()));
    }

    /** How long the violations closed in the period had been open. */
    public static byte[] remediationDistribution(PeriodSummary summary) throws IOException {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        List<Duration> bounds = PeriodAnalysis.REMEDIATION_BUCKETS;
        for (int i = 0; i <= bounds.size(); i++) {
            String label = i == 0 ? "< " + text(bounds.get(0))
                    : i == bounds.size() ? "≥ " + text(bounds.get(i - 1)) : text(bounds.get(i - 1)) + " – " + text(bounds.get(i));
            dataset.addValue(summary.remediationHistogram().get(i), "closed violations", label);
        }
        JFreeChart chart = ChartFactory.createBarChart("Time to remediate (violations closed in the period)",
                "Open for", "Violations", dataset, PlotOrientation.VERTICAL, false, false, false);
        chart.getCategoryPlot().setBackgroundPaint(Color.WHITE);
        chart.getCategoryPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
        return png(chart);
    }

    /** White plot, light grid, points drawn (a period of one day is one point per line), days as dates. */
    private static JFreeChart styled(JFreeChart chart, int days) {
        XYPlot plot = (XYPlot) chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        DateAxis axis = (DateAxis) plot.getDomainAxis();
        SimpleDateFormat format = new SimpleDateFormat("yyyy-MM-dd", Locale.ROOT);
        format.setTimeZone(UTC);
        axis.setDateFormatOverride(format);
        axis.setTimeZone(UTC);
        if (days <= 16) {
            axis.setTickUnit(new DateTickUnit(DateTickUnitType.DAY, 1, format));
        }
        return chart;
    }

    private static Day day(LocalDate date) {
        return new Day(java.util.Date.from(date.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()), UTC, Locale.ROOT);
    }

    private static String text(Duration duration) {
        return duration.toDays() >= 1 ? duration.toDays() + " d" : duration.toHours() + " h";
    }

    private static byte[] png(JFreeChart chart) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        return out.toByteArray();
    }
}
