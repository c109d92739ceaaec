package io.coio.examples.startup;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up benchmark's pipeline without the agent (the agent jar is another module's): every built-in app is
 * launched as a fresh JVM, prints its line, the echo and both HTTP servers answer their first request (the bench
 * checks the echoed line and the {@code 200} status and fails otherwise), and the table and raw rows come out. Speed is
 * not asserted.
 */
class StartupBenchTest {
    @Test
    void everyAppStartsAndAnswersItsFirstRequest() throws Exception {
        Path raw = Files.createTempFile("startup", ".tsv");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            StartupBench.main(new String[] {"--modes", "none", "--runs", "1", "--apps", "hello,echo,http,jdk-http",
                    "--raw", raw.toString()});
        } finally {
            System.setOut(old);
        }
        String table = out.toString(StandardCharsets.UTF_8);
        for (String row : List.of("| hello | main() |", "| echo | first answer |", "| http | first answer |",
                "| jdk-http | first answer |", "| jdk-http | first answer: JVM CPU ms |")) {
            assertTrue(table.contains(row), row + " missing in\n" + table);
        }
        List<String> rows = Files.readAllLines(raw);
        assertEquals(1 + 4, rows.size(), rows.toString()); // header + one run of each app
        for (String r : rows.subList(1, rows.size())) {
            double cpu = Double.parseDouble(r.split("\t")[5]);
            assertTrue(cpu > 0, "no CPU time read for " + r);
        }
        Files.delete(raw);
    }

    @Test
    void percentileIsNearestRank() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, StartupBench.percentile(v, 50));
        assertEquals(3, StartupBench.percentile(v, 25));
        assertEquals(8, StartupBench.percentile(v, 75));
        assertEquals(7, StartupBench.percentile(new double[] {7}, 50));
    }
}
