package dev.ipcj.cli.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.AxisSpace;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.Range;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's charts, drawn by JFreeChart: one panel per message size (the semaphores, which
 * carry no bytes, in a panel of their own), every mechanism a row with its Java bar above its C
 * bar, three plots side by side sharing those rows — round-trip latency (dark to p50, light on
 * to p99), streaming rate, and Java / C. Every axis is logarithmic, and each kind of axis has
 * one range over all panels, so that bars compare across sizes. Written as SVG (JFreeSVG) and
 * PNG (the same drawing into an image).
 */
public final class Charts {
    static {
        // Before the colours and fonts below touch AWT: no display is needed to draw (Main sets it too).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final Color JAVA = new Color(0xd9, 0x5f, 0x02);
    static final Color JAVA_LIGHT = new Color(0xf6, 0xc1, 0x96);
    static final Color C = new Color(0x1f, 0x5f, 0x9e);
    static final Color C_LIGHT = new Color(0xa9, 0xc8, 0xe8);
    static final Color RATIO_P50 = new Color(0x55, 0x55, 0x55);
    static final Color RATIO_RATE = new Color(0x4d, 0xaf, 0x4a);
    static final int WIDTH = 1500;
    private static final int ROW = 34; // per mechanism: its Java and its C bar
    private static final int PANEL_EXTRA = 95; // a panel's title, axes and margins
    private static final int HEADER = 120;
    private static final int LABELS = 215; // the mechanisms' names, left of the plots
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
    private static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font PANEL_TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font ITEM = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Charts() {
    }

    /** Writes chart.svg and chart.png of {@code report} (either path may be null). */
    public static void write(Report report, Path svg, Path png) throws IOException {
        List<JFreeChart> charts = charts(report);
        int[] heights = heights(report, charts);
        int height = 0;
        for (int h : heights) {
            height += h;
        }
        if (svg != null) {
            SVGGraphics2D g = new SVGGraphics2D(WIDTH, height);
            g.setGeomDoubleConverter(v -> String.valueOf(Math.round(v * 10) / 10.0)); // a tenth of a pixel: half the file
            draw(g, charts, heights);
            // JFreeSVG's element under an XML declaration, without the SVG 1.1 DOCTYPE (a reader would fetch its DTD).
            Files.writeString(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + g.getSVGElement() + "\n");
        }
        if (png != null) {
            BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            draw(g, charts, heights);
            g.dispose();
            try (OutputStream o = Files.newOutputStream(png)) {
                ChartUtils.writeBufferedImageAsPNG(o, img);
            }
        }
    }

    private static void draw(Graphics2D g, List<JFreeChart> charts, int[] heights) {
        g.setPaint(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, WIDTH, sum(heights)));
        double y = 0;
        for (int i = 0; i < charts.size(); i++) {
            charts.get(i).draw(g, new Rectangle2D.Double(0, y, WIDTH, heights[i]));
            y += heights[i];
        }
    }

    private static int sum(int[] v) {
        int s = 0;
        for (int x : v) {
            s += x;
        }
        return s;
    }

    private static int[] heights(Report report, List<JFreeChart> charts) {
        Map<Integer, List<String>> groups = groups(report);
        int[] h = new int[charts.size()];
        int i = 0;
        for (List<String> mechs : groups.values()) {
            h[i] = PANEL_EXTRA + ROW * mechs.size() + (i == 0 ? HEADER : 0);
            i++;
        }
        if (groups.isEmpty()) {
            return new int[] {HEADER + PANEL_EXTRA}; // the chart that says there are no results
        }
        return h;
    }

    /** Size -> the labels of the mechanisms measured at it, in the report's order. */
    private static Map<Integer, List<String>> groups(Report report) {
        Map<Integer, List<String>> g = new TreeMap<>();
        for (Row r : report.rows()) {
            if (r.ok()) {
                List<String> l = g.computeIfAbsent(r.size(), k -> new ArrayList<>());
                if (!l.contains(r.label())) {
                    l.add(r.label());
                }
            }
        }
        return g;
    }

    static List<JFreeChart> charts(Report report) {
        Map<Integer, List<String>> groups = groups(report);
        List<Row> ok = report.rows().stream().filter(Row::ok).toList();
        Range lat = range(ok, r -> r.p50() / 1000.0, r -> r.p99() / 1000.0);
        Range rate = range(ok, r -> r.msgsPerSec() / 1e6, r -> r.msgsPerSec() / 1e6);
        rate = new Range(rate.getLowerBound(), rate.getUpperBound() * 2); // room for the labels beside the bars
        List<Double> ratios = new ArrayList<>(List.of(1.0));
        for (Row r : ok) {
            ratios.add(report.ratioP50(r));
            ratios.add(report.ratioMsgs(r));
        }
        Range ratio = range(ratios.stream().filter(d -> !Double.isNaN(d) && d > 0).mapToDouble(Double::doubleValue).toArray());
        List<JFreeChart> charts = new ArrayList<>();
        boolean first = true;
        for (Map.Entry<Integer, List<String>> e : groups.entrySet()) {
            int size = e.getKey();
            DefaultCategoryDataset p50 = new DefaultCategoryDataset();
            DefaultCategoryDataset p99 = new DefaultCategoryDataset();
            DefaultCategoryDataset msgs = new DefaultCategoryDataset();
            DefaultCategoryDataset jc = new DefaultCategoryDataset();
            for (String label : e.getValue()) {
                // Both languages in every dataset, in this order, so Java is always the upper bar.
                for (String lang : List.of("Java", "C")) {
                    Row r = ok.stream().filter(x -> x.size() == size && x.label().equals(label) && x.lang().equals(lang))
                            .findFirst().orElse(null);
                    p99.addValue(r == null ? null : r.p99() / 1000.0, lang + " p99", label);
                    p50.addValue(r == null ? null : r.p50() / 1000.0, lang + " p50", label);
                    msgs.addValue(r == null || Double.isNaN(r.msgsPerSec()) ? null : r.msgsPerSec() / 1e6, lang + " msg/s", label);
                    if (lang.equals("Java")) {
                        jc.addValue(r == null ? null : nullIfNaN(report.ratioP50(r)), "p50 Java ÷ C", label);
                        jc.addValue(r == null ? null : nullIfNaN(report.ratioMsgs(r)), "msg/s Java ÷ C", label);
                    }
                }
            }
            CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(categoryAxis());
            plot.setOrientation(PlotOrientation.HORIZONTAL);
            plot.setGap(18);
            AxisSpace labels = new AxisSpace();
            labels.setLeft(LABELS); // the same in every panel, so that the plots line up
            plot.setFixedDomainAxisSpace(labels);
            plot.add(latencyPlot(p99, p50, lat), 5);
            plot.add(ratePlot(msgs, rate), 4);
            plot.add(ratioPlot(jc, ratio), 3);
            JFreeChart chart = new JFreeChart(size == 0 ? "No payload (semaphores: a post and a wait each way)"
                    : Report.size(size) + " messages", PANEL_TITLE, plot, first);
            chart.setBackgroundPaint(Color.WHITE);
            chart.getTitle().setHorizontalAlignment(HorizontalAlignment.LEFT);
            chart.getTitle().setPadding(new RectangleInsets(8, 10, 2, 10));
            chart.setPadding(new RectangleInsets(0, 8, 4, 18));
            if (first) {
                header(chart, report);
            }
            charts.add(chart);
            first = false;
        }
        if (charts.isEmpty()) { // every scenario failed: the header says so, over an empty plot
            JFreeChart chart = new JFreeChart("No results: every scenario failed (the table says why)", PANEL_TITLE,
                    new CategoryPlot(), true);
            chart.setBackgroundPaint(Color.WHITE);
            header(chart, report);
            chart.removeLegend();
            charts.add(chart);
        }
        return charts;
    }

    private static void header(JFreeChart chart, Report report) {
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.TOP);
        legend.setItemFont(LABEL);
        legend.setFrame(BlockBorder.NONE);
        legend.setHorizontalAlignment(HorizontalAlignment.LEFT);
        legend.setPadding(new RectangleInsets(6, 10, 6, 10));
        TextTitle panel = chart.getTitle();
        chart.clearSubtitles();
        List<TextTitle> top = List.of(
                title("ipcj bench: round-trip latency and streaming rate, Java beside C (two processes each)", TITLE),
                title(report.machine().summary(), SUBTITLE),
                title(report.command() + " — " + report.started() + ", " + Math.round(report.seconds()) + " s. "
                        + "Bars: dark to p50, light on to p99. Log scales, one range per kind over all panels.", SUBTITLE));
        for (TextTitle t : top) {
            chart.addSubtitle(t);
        }
        chart.addSubtitle(legend);
        // The panel's own title under the header: as a subtitle, after the legend.
        TextTitle own = title(panel.getText(), PANEL_TITLE);
        own.setPadding(new RectangleInsets(8, 10, 2, 10));
        chart.addSubtitle(own);
        chart.setTitle((TextTitle) null);
    }

    private static TextTitle title(String text, Font font) {
        TextTitle t = new TextTitle(text, font);
        t.setHorizontalAlignment(HorizontalAlignment.LEFT);
        t.setPosition(RectangleEdge.TOP);
        t.setPadding(new RectangleInsets(3, 10, 3, 10));
        t.setMaximumLinesToDisplay(3); // long lines wrap to the chart's width, never cut
        return t;
    }

    private static CategoryAxis categoryAxis() {
        CategoryAxis a = new CategoryAxis();
        a.setTickLabelFont(LABEL);
        a.setLowerMargin(0.02);
        a.setUpperMargin(0.02);
        a.setCategoryMargin(0.25);
        a.setMaximumCategoryLabelWidthRatio(0.9f);
        a.setMaximumCategoryLabelLines(1);
        return a;
    }

    private static CategoryPlot latencyPlot(DefaultCategoryDataset p99, DefaultCategoryDataset p50, Range range) {
        CategoryPlot p = basePlot(logAxis("round trip, µs", range, 1));
        p.setDataset(0, p99);
        p.setRenderer(0, bars(JAVA_LIGHT, C_LIGHT));
        p.setDataset(1, p50);
        p.setRenderer(1, bars(JAVA, C));
        p.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD); // p50 over p99
        return p;
    }

    private static CategoryPlot ratePlot(DefaultCategoryDataset msgs, Range range) {
        CategoryPlot p = basePlot(logAxis("stream, million messages/s", range, 1));
        BarRenderer r = bars(JAVA, C);
        labels(r, new Significant());
        p.setDataset(msgs);
        p.setRenderer(r);
        return p;
    }

    private static CategoryPlot ratioPlot(DefaultCategoryDataset jc, Range range) {
        // a tick each factor of 2, or of 4 over a wide range (the ticks of a narrow plot must not run together)
        double factor = range.getUpperBound() / range.getLowerBound() > 64 ? 4 : 2;
        CategoryPlot p = basePlot(logAxis("Java ÷ C (p50 > 1, msg/s < 1: Java slower)", range, Math.log10(factor)));
        BarRenderer r = bars(RATIO_P50, RATIO_RATE);
        r.setBase(1.0); // bars grow from 1 (as fast as C): right for above, left for below
        labels(r, new DecimalFormat("0.00"));
        p.setDataset(jc);
        p.setRenderer(r);
        ValueMarker one = new ValueMarker(1.0, Color.BLACK, new BasicStroke(1.2f));
        p.addRangeMarker(one);
        return p;
    }

    private static CategoryPlot basePlot(LogAxis axis) {
        CategoryPlot p = new CategoryPlot();
        p.setRangeAxis(axis);
        p.setRangeAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        p.setBackgroundPaint(new Color(0xf7, 0xf7, 0xf7));
        p.setRangeGridlinePaint(new Color(0xc8, 0xc8, 0xc8));
        p.setRangeMinorGridlinesVisible(true);
        p.setRangeMinorGridlinePaint(new Color(0xe4, 0xe4, 0xe4));
        p.setOutlineVisible(false);
        p.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
        return p;
    }

    /** A log axis over {@code range}; a tick each {@code decades} (1: 1, 10, 100; log10(4): 0.25, 1, 4). */
    private static LogAxis logAxis(String label, Range range, double decades) {
        LogAxis a = new LogAxis(label);
        a.setBase(10);
        a.setLabelFont(LABEL);
        a.setTickLabelFont(TICK);
        a.setNumberFormatOverride(new DecimalFormat("0.###"));
        a.setMinorTickMarksVisible(true);
        a.setTickUnit(new NumberTickUnit(decades));
        a.setMinorTickCount(decades == 1 ? 9 : 1);
        a.setSmallestValue(1e-4);
        a.setRange(range);
        a.setAutoRange(false);
        return a;
    }

    private static BarRenderer bars(Color first, Color second) {
        BarRenderer r = new BarRenderer() {
            /** A bar below its base (a ratio under 1) has its label at its own end too, on the left. */
            @Override
            protected void drawItemLabel(Graphics2D g2, org.jfree.data.category.CategoryDataset data, int row, int column,
                                         CategoryPlot plot, org.jfree.chart.labels.CategoryItemLabelGenerator generator,
                                         Rectangle2D bar, boolean negative) {
                Number v = data.getValue(row, column);
                super.drawItemLabel(g2, data, row, column, plot, generator, bar, v != null && v.doubleValue() < getBase());
            }
        };
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        r.setItemMargin(0.0);
        r.setIncludeBaseInRange(false);
        r.setSeriesPaint(0, first);
        r.setSeriesPaint(1, second);
        return r;
    }

    private static void labels(BarRenderer r, java.text.NumberFormat f) {
        r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", f));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(ITEM);
        r.setDefaultItemLabelPaint(Color.DARK_GRAY);
        // beside the end of the bar, in its own row: right of a bar growing right, left of one growing left
        r.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
        r.setDefaultNegativeItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE9, TextAnchor.CENTER_RIGHT));
        r.setItemLabelAnchorOffset(3);
    }

    /** Three significant digits, as the table prints them (0.0213, 1.05, 20.7). */
    private static final class Significant extends java.text.NumberFormat {
        @Override
        public StringBuffer format(double v, StringBuffer to, java.text.FieldPosition pos) {
            return to.append(Report.sig(v));
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, java.text.FieldPosition pos) {
            return to.append(v);
        }

        @Override
        public Number parse(String source, java.text.ParsePosition pos) {
            throw new UnsupportedOperationException("labels only");
        }
    }

    private static Double nullIfNaN(double v) {
        return Double.isNaN(v) || v <= 0 ? null : v;
    }

    /** A log range around every value: a factor of 1.6 below the least and above the largest. */
    private static Range range(List<Row> rows, ToDoubleFunction<Row> lo, ToDoubleFunction<Row> hi) {
        double min = Double.MAX_VALUE;
        double max = 0;
        for (Row r : rows) {
            double a = lo.applyAsDouble(r);
            double b = hi.applyAsDouble(r);
            if (!Double.isNaN(a) && a > 0) {
                min = Math.min(min, a);
            }
            if (!Double.isNaN(b) && b > 0) {
                max = Math.max(max, b);
            }
        }
        return max == 0 ? new Range(0.1, 10) : new Range(min / 1.6, max * 1.6);
    }

    private static Range range(double[] v) {
        double min = 1;
        double max = 1;
        for (double d : v) {
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        return new Range(min / 3.5, max * 3); // room for the labels beside the bars, either side of 1
    }

    /** Titles and axis labels, for tests: what the charts say besides numbers. */
    static List<String> texts(Report report) {
        List<String> t = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (JFreeChart c : charts(report)) {
            if (c.getTitle() != null) {
                t.add(c.getTitle().getText());
            }
            for (int i = 0; i < c.getSubtitleCount(); i++) {
                if (c.getSubtitle(i) instanceof TextTitle tt && seen.putIfAbsent(tt.getText(), true) == null) {
                    t.add(tt.getText());
                }
            }
        }
        return t;
    }
}
