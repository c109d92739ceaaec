package io.coio.examples.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench plot: a PNG whose bars follow the measured values (headless Java2D). */
class BenchPlotTest {
    static final List<String> TSV = List.of(
            "coio\t1000\t100000\t10",
            "netty\t1000\t50000\t40",
            "coio\t10000\t80000\t20",
            "netty\t10000\tfailed\tfailed");

    @Test
    void writesAPngWhoseBarsFollowTheValues(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path tsv = dir.resolve("r.tsv");
        Files.write(tsv, TSV);
        Path png = dir.resolve("docs/bench.png");
        BenchPlot.main(new String[] {tsv.toString(), png.toString(), "test"});
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(BenchPlot.WIDTH, img.getWidth());
        assertEquals(BenchPlot.HEIGHT, img.getHeight());

        int half = BenchPlot.WIDTH / 2;
        // left panel: throughput, coio (colour 0) twice netty's at 1k and also the only bar at 10k
        long coioLeft = count(img, 0, half, BenchPlot.color(0).getRGB());
        long nettyLeft = count(img, 0, half, BenchPlot.color(1).getRGB());
        assertTrue(coioLeft > 2 * nettyLeft, coioLeft + " vs " + nettyLeft);
        // right panel: p99, netty's 40 ms bar is the tallest
        long coioRight = count(img, half, BenchPlot.WIDTH, BenchPlot.color(0).getRGB());
        long nettyRight = count(img, half, BenchPlot.WIDTH, BenchPlot.color(1).getRGB());
        assertTrue(nettyRight > coioRight, nettyRight + " vs " + coioRight);
    }

    @Test
    void drawsServerCpuAndSyscallsPerRoundTripInASecondRowWhenTheRowsCarryThem(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path tsv = dir.resolve("r.tsv");
        // coio: 2 syscalls per round trip, netty 6 (three times the bar); CPU equal
        Files.write(tsv, List.of("coio\t1000\t100000\t10\t5.0\t2.0", "netty\t1000\t100000\t10\t5.0\t6.0"));
        Path png = dir.resolve("bench.png");
        BenchPlot.main(new String[] {tsv.toString(), png.toString(), "test"});
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(BenchPlot.HEIGHT_WITH_COSTS, img.getHeight());
        int half = BenchPlot.WIDTH / 2;
        int lowerTop = BenchPlot.HEIGHT_WITH_COSTS / 2;
        long coioSys = count(img, half, BenchPlot.WIDTH, lowerTop, BenchPlot.color(0).getRGB());
        long nettySys = count(img, half, BenchPlot.WIDTH, lowerTop, BenchPlot.color(1).getRGB());
        assertTrue(nettySys > 2 * coioSys, nettySys + " vs " + coioSys);
        long coioCpu = count(img, 0, half, lowerTop, BenchPlot.color(0).getRGB());
        long nettyCpu = count(img, 0, half, lowerTop, BenchPlot.color(1).getRGB());
        assertTrue(Math.abs(coioCpu - nettyCpu) < coioCpu / 10, coioCpu + " vs " + nettyCpu);
    }

    @Test
    void parsesNotMeasuredValuesAsMissingBars() {
        List<BenchPlot.Row> rows = BenchPlot.parse(TSV);
        assertEquals(4, rows.size());
        assertTrue(Double.isNaN(rows.get(3).roundTripsPerSecond()));
        assertEquals(1000, rows.get(0).connections());
        assertEquals(50, BenchPlot.niceStep(42));
        assertEquals(20000, BenchPlot.niceStep(20000));
    }

    /** Pixels of exactly {@code rgb} in columns [from, to), above the legend. */
    private static long count(BufferedImage img, int from, int to, int rgb) {
        return count(img, from, to, 0, rgb);
    }

    /** Pixels of exactly {@code rgb} in columns [from, to), rows from {@code top} to above the legend. */
    private static long count(BufferedImage img, int from, int to, int top, int rgb) {
        long n = 0;
        for (int x = from; x < to; x++) {
            for (int y = top; y < img.getHeight() - 60; y++) {
                if (img.getRGB(x, y) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
