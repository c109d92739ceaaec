package io.coio.junit;

import io.coio.agent.detect.CoioDetect;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * JUnit 5 extension: a test during which a blocking call was reported fails, with the reports as its message.
 *
 * <pre>{@code
 * @ExtendWith(CoioDetectExtension.class)
 * class MyServiceTest { ... }
 * }</pre>
 * or, for every test class without annotations, this artifact's ({@code io.coio:coio-junit}) service registration,
 * which JUnit Jupiter picks up with {@code junit.jupiter.extensions.autodetection.enabled=true} (see the agent
 * README for the Surefire recipe).
 *
 * <p>Every report made while a test runs counts for that test, on whichever thread it happened: the loop
 * thread the test drives, a pool thread, the test thread itself. Reports made outside any test of a class
 * ({@code @BeforeAll}, {@code @AfterAll}, threads that block after their test ended) fail the class. With
 * parallel test execution a report counts for every test running at the time.
 *
 * <p>Without active detection (no agent, an agent in another mode, a JVM older than 17) the extension checks
 * nothing and says so once on stderr; with the configuration parameter (or system property)
 * {@code coio.detect.required=true} it fails the tests instead.
 */
public final class CoioDetectExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    /** Configuration parameter / system property: fail when detection is not active. */
    public static final String REQUIRED = "coio.detect.required";
    private static final int MAX_REPORTS_IN_MESSAGE = 20;
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CoioDetectExtension.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** Class-level state: its capture, and the reports already charged to one of its tests. */
    private static final class ClassScope {
        final CoioDetect.Capture capture = CoioDetect.startCapture();
        final Set<Long> charged = java.util.Collections.synchronizedSet(new HashSet<Long>());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (active(context)) {
            context.getStore(NAMESPACE).put("class", new ClassScope());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (active(context)) {
            context.getStore(NAMESPACE).put("test", CoioDetect.startCapture());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        CoioDetect.Capture capture = context.getStore(NAMESPACE).remove("test", CoioDetect.Capture.class);
        if (capture == null) {
            return;
        }
        capture.close();
        List<CoioDetect.Report> reports = capture.drain();
        ClassScope scope = context.getStore(NAMESPACE).get("class", ClassScope.class); // the class's, via the parent
        if (scope != null) {
            for (CoioDetect.Report r : reports) {
                scope.charged.add(r.sequence());
            }
        }
        if (!reports.isEmpty()) {
            throw new AssertionError(message("during this test", reports));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ClassScope scope = context.getStore(NAMESPACE).remove("class", ClassScope.class);
        if (scope == null) {
            return;
        }
        scope.capture.close();
        List<CoioDetect.Report> outside = scope.capture.drain();
        outside.removeIf(r -> scope.charged.contains(r.sequence()));
        if (!outside.isEmpty()) {
            throw new AssertionError(message("in this test class outside its tests (@BeforeAll, @AfterAll, or a thread"
                    + " that blocked after its test had ended)", outside));
        }
    }

    private static boolean active(ExtensionContext context) {
        if (CoioDetect.isActive()) {
            return true;
        }
        String why = CoioDetect.whyInactive();
        boolean required = context.getConfigurationParameter(REQUIRED).map(Boolean::parseBoolean).orElse(false);
        if (required) {
            throw new ExtensionConfigurationException("coio: blocking-call detection is required (" + REQUIRED
                    + "=true) but not active: " + why + ".");
        }
        if (WARNED.compareAndSet(false, true)) {
            System.err.println("coio: CoioDetectExtension: blocking calls are not checked: " + why + ".");
        }
        return false;
    }

    private static String message(String when, List<CoioDetect.Report> reports) {
        StringBuilder sb = new StringBuilder("coio detect: ").append(reports.size())
                .append(reports.size() == 1 ? " blocking call" : " blocking calls")
                .append(" on non-blocking threads ").append(when).append(":\n");
        int shown = 0;
        for (CoioDetect.Report r : reports) {
            if (shown++ == MAX_REPORTS_IN_MESSAGE) {
                sb.append("\n... and ").append(reports.size() - MAX_REPORTS_IN_MESSAGE).append(" more\n");
                break;
            }
            sb.append('\n').append(r.text());
        }
        return sb.toString();
    }
}
