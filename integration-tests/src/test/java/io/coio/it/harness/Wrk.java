package io.coio.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real HTTP load tool {@code wrk} (Debian package {@code wrk}, installed if missing) against a
 * loopback URL for a bounded duration, with a Lua script that checks every response's status and whole
 * body, and parses its summary.
 *
 * <p>Thread-ownership: static, for test threads.
 */
public final class Wrk {
    private Wrk() {}

    /** wrk's summary: responses, how many had the expected status and body, socket errors, and the raw text. */
    public record Result(long requests, long verified, long wrong, String firstWrong, long connectErrors,
                         long readErrors, long writeErrors, long timeouts, long non2xx, String output) {
        /** Every response was right and no socket error or time-out happened. */
        public boolean clean() {
            return requests > 0 && verified == requests && wrong == 0 && connectErrors == 0 && readErrors == 0
                    && writeErrors == 0 && timeouts == 0 && non2xx == 0;
        }

        /** One line for the report. */
        public String summary() {
            return requests + " responses, " + verified + " verified, " + wrong + " wrong, socket errors c/r/w/t "
                    + connectErrors + "/" + readErrors + "/" + writeErrors + "/" + timeouts;
        }
    }

    // Every response is checked in Lua; the per-thread counts are summed in done() (wrk's documented pattern).
    private static final String SCRIPT = """
            local expected = %s
            local threads = {}
            function setup(thread) table.insert(threads, thread) end
            function init(args) ok = 0; bad = 0; firstbad = "" end
            function response(status, headers, body)
              if status == 200 and body == expected then ok = ok + 1
              else
                bad = bad + 1
                if firstbad == "" then firstbad = status .. " " .. string.sub(body, 1, 80) end
              end
            end
            function done(summary, latency, requests)
              local o, b, f = 0, 0, ""
              for _, t in ipairs(threads) do
                o = o + t:get("ok"); b = b + t:get("bad")
                if f == "" then f = t:get("firstbad") end
              end
              io.write(string.format("VERIFIED ok=%%d bad=%%d first=[%%s]\\n", o, b, f))
            end
            """;

    /**
     * {@code wrk -t2 -c<connections> -d<seconds>s} against {@code url}; every response must be 200 with body
     * {@code expectedBody}.
     */
    public static Result run(String url, int connections, int seconds, String expectedBody) {
        Path wrk = Services.require("wrk", "wrk");
        Path script;
        try {
            script = Files.createTempFile("coio-it-wrk", ".lua");
            Files.writeString(script, SCRIPT.formatted(luaString(expectedBody)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the wrk script", e);
        }
        try {
            Services.Result r = Services.run(List.of(wrk.toString(), "-t2", "-c" + connections, "-d" + seconds + "s",
                    "--timeout", "10s", "-s", script.toString(), url), seconds + 60L);
            if (r.code() != 0) {
                throw new AssertionError("wrk failed (exit " + r.code() + "):\n" + r.output());
            }
            return parse(r.output());
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException ignored) {
                // a temp file
            }
        }
    }

    private static String luaString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    static Result parse(String out) {
        long requests = group(out, "(\\d+) requests in ", 0);
        Matcher v = Pattern.compile("VERIFIED ok=(\\d+) bad=(\\d+) first=\\[(.*)]").matcher(out);
        if (!v.find()) {
            throw new AssertionError("wrk printed no VERIFIED line:\n" + out);
        }
        Matcher s = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        long c = 0, rd = 0, w = 0, t = 0;
        if (s.find()) {
            c = Long.parseLong(s.group(1));
            rd = Long.parseLong(s.group(2));
            w = Long.parseLong(s.group(3));
            t = Long.parseLong(s.group(4));
        }
        return new Result(requests, Long.parseLong(v.group(1)), Long.parseLong(v.group(2)), v.group(3), c, rd, w, t,
                group(out, "Non-2xx or 3xx responses: (\\d+)", 0), out);
    }

    private static long group(String out, String regex, long absent) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : absent;
    }
}
