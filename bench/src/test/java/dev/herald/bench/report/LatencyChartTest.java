package dev.herald.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LatencyChartTest {

    @Test
    void drawsOneCurvePerServerInWellFormedSvg() throws Exception {
        Map<String, Histogram> series = new LinkedHashMap<>();
        series.put("raw-netty", histogram(100, 5_000));
        series.put("herald-memory", histogram(2_000, 80_000));
        Document svg = parse(LatencyChart.render("fanout <test> & more", series));

        assertEquals("svg", svg.getDocumentElement().getTagName());
        NodeList curves = svg.getElementsByTagName("polyline");
        assertEquals(2, curves.getLength());
        String text = svg.getDocumentElement().getTextContent();
        assertTrue(text.contains("raw-netty") && text.contains("herald-memory"));
        assertTrue(text.contains("fanout <test> & more"), "the title is escaped, not dropped");
        assertTrue(text.contains("99.9%"));
    }

    @Test
    void keepsEveryPointInsideThePlotArea() throws Exception {
        Document svg = parse(LatencyChart.render("t", Map.of("s", histogram(1, 1_000_000))));
        Element curve = (Element) svg.getElementsByTagName("polyline").item(0);
        for (String point : curve.getAttribute("points").split(" ")) {
            double x = Double.parseDouble(point.split(",")[0]);
            double y = Double.parseDouble(point.split(",")[1]);
            assertTrue(x >= 0 && x <= LatencyChart.WIDTH, "x " + x);
            assertTrue(y >= 0 && y <= LatencyChart.HEIGHT, "y " + y);
        }
    }

    @Test
    void rendersAnEmptyChartWhenNothingWasRecorded() throws Exception {
        Document svg = parse(LatencyChart.render("t", Map.of()));
        assertEquals(0, svg.getElementsByTagName("polyline").getLength());
    }

    @Test
    void spacesThePercentileAxisByNines() {
        double[][] curve = LatencyChart.curve(histogram(1_000, 1_000_000));
        assertEquals(0.0, curve[0][0]);
        assertEquals(3.0, curve[curve.length - 1][0], 1e-9, "1000 samples support three nines");
        assertEquals("99.99%", LatencyChart.percentileLabel(4));
        assertEquals("90%", LatencyChart.percentileLabel(1));
    }

    private static Histogram histogram(long fromMicros, long toMicros) {
        Histogram histogram = new Histogram(3);
        long step = Math.max(1, (toMicros - fromMicros) / 1000);
        for (long v = fromMicros; v <= toMicros && histogram.getTotalCount() < 1000; v += step) {
            histogram.recordValue(v);
        }
        return histogram;
    }

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
