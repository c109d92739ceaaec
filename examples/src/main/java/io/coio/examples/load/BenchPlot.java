package io.coio.examples.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Draws the benchmark as a PNG (Java2D, headless): bar charts of round trips/s and p99 latency side by side, and,
 * when the rows carry them, a second row with server CPU and syscalls per round trip; one group of bars per
 * connection count and one bar per server, in the order the servers were measured.
 * {@code run-bench.sh} writes its measurements as tab-separated lines and calls this:
 *
 * <pre>
 * java -Djava.awt.headless=true -cp coio-examples.jar io.coio.examples.load.BenchPlot results.tsv out.png "title"
 * </pre>
 * Each line: {@code server label<TAB>connections<TAB>round trips/s<TAB>p99 ms[<TAB>server CPU µs per round
 * trip<TAB>syscalls per round trip]}; a value that is not a number ({@code failed}, {@code skipped}) draws no bar
 * and says so under the group.
 *
 * <p>Single-threaded; a plain function from rows to an image.
 */
public final class BenchPlot {
    static final int WIDTH = 1200;
    static final int HEIGHT = 560;
    /** The height with the second row of charts (server CPU and syscalls per round trip). */
    static final int HEIGHT_WITH_COSTS = 1000;
    /** Bar colours, in server order (colour-blind-safe palette, Okabe-Ito). */
    static final Color[] PALETTE = {new Color(0xD55E00), new Color(0xE69F00), new Color(0x0072B2),
            new Color(0x009E73), new Color(0xCC79A7), new Color(0x56B4E9), new Color(0xF0E442), Color.DARK_GRAY};

    /** One measurement; {@code Double.NaN} for a value that was not measured. */
    record Row(String server, int connections, double roundTripsPerSecond, double p99Millis,
               double cpuMicrosPerRoundTrip, double syscallsPerRoundTrip) {
        Row(String server, int connections, double roundTripsPerSecond, double p99Millis) {
            this(server, connections, roundTripsPerSecond, p99Millis, Double.NaN, Double.NaN);
        }
    }

    private BenchPlot() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: BenchPlot <results.tsv> <out.png> [title]");
            System.exit(2);
        }
        List<Row> rows = parse(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        String title = args.length > 2 ? args[2] : "coio echo benchmark";
        write(render(rows, title), Path.of(args[1]));
        System.out.println("plot: " + args[1]);
    }

    static List<Row> parse(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 4 && f.length != 6) {
                throw new IllegalArgumentException("expected 4 or 6 tab-separated fields, got: " + line);
            }
            rows.add(f.length == 4 ? new Row(f[0], Integer.parseInt(f[1].trim()), number(f[2]), number(f[3]))
                    : new Row(f[0], Integer.parseInt(f[1].trim()), number(f[2]), number(f[3]), number(f[4]), number(f[5])));
        }
        return rows;
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException notMeasured) {
            return Double.NaN;
        }
    }

    static void write(BufferedImage image, Path png) throws IOException {
        if (png.getParent() != null) {
            Files.createDirectories(png.getParent());
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    static BufferedImage render(List<Row> rows, String title) {
        List<String> servers = new ArrayList<>(new LinkedHashSet<>(rows.stream().map(Row::server).toList()));
        List<Integer> counts = new ArrayList<>(new TreeSet<>(rows.stream().map(Row::connections).toList()));
        boolean costs = rows.stream().anyMatch(r -> !Double.isNaN(r.cpuMicrosPerRoundTrip()) || !Double.isNaN(r.syscallsPerRoundTrip()));
        int height = costs ? HEIGHT_WITH_COSTS : HEIGHT;
        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, 20, 28);
            int legendTop = height - 30 - 18 * ((servers.size() + 1) / 2);
            int rowHeight = costs ? (legendTop - 60) / 2 : legendTop - 60;
            Panel left = new Panel(20, 50, WIDTH / 2 - 30, rowHeight);
            Panel right = new Panel(WIDTH / 2 + 10, 50, WIDTH / 2 - 30, rowHeight);
            left.draw(g, "round trips/s (higher is better)", rows, servers, counts, Row::roundTripsPerSecond);
            right.draw(g, "p99 latency, ms (lower is better)", rows, servers, counts, Row::p99Millis);
            if (costs) {
                Panel lowerLeft = new Panel(20, 50 + rowHeight, WIDTH / 2 - 30, rowHeight);
                Panel lowerRight = new Panel(WIDTH / 2 + 10, 50 + rowHeight, WIDTH / 2 - 30, rowHeight);
                lowerLeft.draw(g, "server CPU µs per round trip (lower is better)", rows, servers, counts, Row::cpuMicrosPerRoundTrip);
                lowerRight.draw(g, "server syscalls per round trip (lower is better)", rows, servers, counts, Row::syscallsPerRoundTrip);
            }
            legend(g, servers, 20, legendTop);
        } finally {
            g.dispose();
        }
        return img;
    }

    static Color color(int serverIndex) {
        return PALETTE[serverIndex % PALETTE.length];
    }

    private static void legend(Graphics2D g, List<String> servers, int x, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < servers.size(); i++) {
            int cx = x + (i % 2) * (WIDTH / 2);
            int cy = y + (i / 2) * 18;
            g.setColor(color(i));
            g.fillRect(cx, cy, 14, 12);
            g.setColor(Color.BLACK);
            g.drawString(servers.get(i), cx + 20, cy + 11);
        }
    }

    /** One chart's frame: plot area inside the given box, leaving room for axis labels. */
    private record Panel(int x, int y, int width, int height) {
        void draw(Graphics2D g, String heading, List<Row> rows, List<String> servers, List<Integer> counts,
                  java.util.function.ToDoubleFunction<Row> value) {
            int left = x + 70;
            int top = y + 24;
            int plotW = width - 80;
            int plotH = height - 60;
            int bottom = top + plotH;
            double max = rows.stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).max().orElse(1);
            double step = niceStep(max / 5);
            double axisMax = Math.max(step, Math.ceil(max * 1.05 / step) * step); // headroom for the tallest bar's label

            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(heading, x, y + 12);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (double t = 0; t <= axisMax + step / 2; t += step) {
                int ty = bottom - (int) Math.round(t / axisMax * plotH);
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(left, ty, left + plotW, ty);
                g.setColor(Color.BLACK);
                String label = format(t);
                g.drawString(label, left - 6 - fm.stringWidth(label), ty + 4);
            }
            g.setStroke(new BasicStroke(1));
            g.drawLine(left, top, left, bottom);
            g.drawLine(left, bottom, left + plotW, bottom);

            int groupW = plotW / Math.max(1, counts.size());
            int barW = Math.max(4, (groupW - 30) / Math.max(1, servers.size()));
            for (int gi = 0; gi < counts.size(); gi++) {
                int gx = left + gi * groupW + 15;
                int missing = 0;
                for (int si = 0; si < servers.size(); si++) {
                    Row r = find(rows, servers.get(si), counts.get(gi));
                    double v = r == null ? Double.NaN : value.applyAsDouble(r);
                    if (Double.isNaN(v)) {
                        missing++;
                        continue;
                    }
                    int h = (int) Math.round(v / axisMax * plotH);
                    g.setColor(color(si));
                    g.fillRect(gx + si * barW, bottom - h, barW - 2, h);
                    g.setColor(Color.BLACK);
                    String label = format(v);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
                    int lw = g.getFontMetrics().stringWidth(label);
                    g.drawString(label, gx + si * barW + (barW - 2 - lw) / 2, bottom - h - 3);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                }
                String caption = String.format(Locale.ROOT, "%,d connections", counts.get(gi))
                        + (missing > 0 ? " (" + missing + " not measured)" : "");
                g.drawString(caption, gx + (groupW - 30 - fm.stringWidth(caption)) / 2, bottom + 18);
            }
        }
    }

    private static Row find(List<Row> rows, String server, int connections) {
        for (Row r : rows) {
            if (r.server().equals(server) && r.connections() == connections) {
                return r;
            }
        }
        return null;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String format(double v) {
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v); // syscalls per round trip: 2.45, not 2.5
    }
}
