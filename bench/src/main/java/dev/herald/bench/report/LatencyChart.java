package dev.herald.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * An SVG chart of latency distributions: one curve per server, latency (log scale) against the
 * percentile, with the percentile axis spread as {@code log10(1 / (1 - p))} so that 90%, 99%,
 * 99.9%, ... are evenly spaced and the tail is visible.
 */
public final class LatencyChart {

    static final int WIDTH = 760;
    static final int HEIGHT = 440;
    private static final int LEFT = 80;
    private static final int RIGHT = 170;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final String[] COLOURS = {"#1b7837", "#c51b7d", "#2166ac", "#e08214", "#542788", "#666666"};
    private static final int POINTS_PER_NINE = 50;

    private LatencyChart() {
    }

    /** The chart for every target of {@code report} that recorded latencies. */
    public static String render(String title, RunReport report) {
        Map<String, Histogram> series = new LinkedHashMap<>();
        for (TargetResult target : report.targets()) {
            if (target.latencyMicros() != null && target.latencyMicros().getTotalCount() > 0) {
                series.put(target.name(), target.latencyMicros());
            }
        }
        return render(title, series);
    }

    /** The chart of {@code series} (histograms of microseconds) as an SVG document. */
    public static String render(String title, Map<String, Histogram> series) {
        List<double[][]> curves = new ArrayList<>();
        double nines = 1;
        double minMs = Double.MAX_VALUE;
        double maxMs = 0;
        for (Histogram histogram : series.values()) {
            double[][] curve = curve(histogram);
            curves.add(curve);
            for (double[] point : curve) {
                nines = Math.max(nines, point[0]);
                minMs = Math.min(minMs, point[1]);
                maxMs = Math.max(maxMs, point[1]);
            }
        }
        nines = Math.ceil(nines);
        int lowDecade = curves.isEmpty() ? -1 : (int) Math.floor(Math.log10(minMs));
        int highDecade = curves.isEmpty() ? 3 : Math.max(lowDecade + 1, (int) Math.ceil(Math.log10(maxMs)));

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        for (int decade = lowDecade; decade <= highDecade; decade++) {
            double y = y(decade, lowDecade, highDecade);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>%n", LEFT, y, WIDTH - RIGHT, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", LEFT - 6, y + 4, decadeLabel(decade)));
        }
        for (int nine = 0; nine <= nines; nine++) {
            double x = x(nine, nines);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>%n", x, TOP, x, HEIGHT - BOTTOM));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, HEIGHT - BOTTOM + 18, percentileLabel(nine)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 16));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444444\"/>%n",
                LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        int index = 0;
        for (String name : series.keySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (double[] point : curves.get(index)) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(point[0], nines), y(Math.log10(point[1]), lowDecade, highDecade)));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", colour, points.toString().trim()));
            int legendY = TOP + 16 + 20 * index;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    WIDTH - RIGHT + 12, legendY - 4, WIDTH - RIGHT + 32, legendY - 4, colour));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 38, legendY, escape(name)));
            index++;
        }
        if (series.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">no latencies recorded</text>%n", LEFT + 20, TOP + 40));
        }
        return svg.append("</svg>\n").toString();
    }

    /**
     * Points {@code (log10(1/(1-p)), latency ms)} from p = 0 up to the percentile the sample
     * count can support (1 - 1/count); latencies below 1 microsecond are drawn at 1 microsecond.
     */
    static double[][] curve(Histogram micros) {
        double supported = Math.max(1, Math.log10(Math.max(10, micros.getTotalCount())));
        int points = (int) Math.ceil(supported * POINTS_PER_NINE);
        double[][] curve = new double[points + 1][];
        for (int i = 0; i <= points; i++) {
            double nines = supported * i / points;
            double percentile = 100.0 * (1 - Math.pow(10, -nines));
            double ms = Math.max(1, micros.getValueAtPercentile(percentile)) / 1000.0;
            curve[i] = new double[] {nines, ms};
        }
        return curve;
    }

    private static double x(double nines, double maxNines) {
        return LEFT + (WIDTH - LEFT - RIGHT) * nines / maxNines;
    }

    private static double y(double log10Ms, int lowDecade, int highDecade) {
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * (log10Ms - lowDecade) / (highDecade - lowDecade);
    }

    /** 0 is 0%, 1 is 90%, 2 is 99%, 3 is 99.9%, ... */
    static String percentileLabel(int nines) {
        if (nines == 0) {
            return "0%";
        }
        if (nines == 1) {
            return "90%";
        }
        return "99" + (nines > 2 ? "." + "9".repeat(nines - 2) : "") + "%";
    }

    private static String decadeLabel(int decade) {
        return decade >= 0 ? String.format(Locale.ROOT, "%.0f", Math.pow(10, decade))
                : String.format(Locale.ROOT, "%." + (-decade) + "f", Math.pow(10, decade));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
