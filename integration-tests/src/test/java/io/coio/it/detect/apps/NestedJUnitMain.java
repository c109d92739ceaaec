package io.coio.it.detect.apps;

import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the given test classes on the JUnit Platform in this JVM (a JUnit run inside a forked JVM, as under
 * Maven Surefire) and prints, per test method and per test class, {@code RESULT <Class>#<method>|<Class>
 * <SUCCESSFUL|FAILED|ABORTED>} followed by {@code MESSAGE <same name> <line>} for every line of the failure's
 * message; then {@code NESTED FINISHED}. Configuration parameters come from system properties, as in any
 * JUnit run.
 */
public final class NestedJUnitMain {
    public static void main(String[] args) {
        List<org.junit.platform.engine.DiscoverySelector> selectors = new ArrayList<>();
        for (String c : args) {
            selectors.add(DiscoverySelectors.selectClass(c));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                String name = id.getSource().map(s -> {
                    if (s instanceof MethodSource m) {
                        return m.getJavaClass().getSimpleName() + "#" + m.getMethodName();
                    }
                    if (s instanceof ClassSource c) {
                        return c.getJavaClass().getSimpleName();
                    }
                    return null;
                }).orElse(null);
                if (name == null) {
                    return;
                }
                System.out.println("RESULT " + name + " " + result.getStatus());
                result.getThrowable().ifPresent(t -> {
                    String message = t.getClass().getName() + ": " + t.getMessage();
                    for (String line : message.split("\\R")) {
                        System.out.println("MESSAGE " + name + " " + line);
                    }
                });
            }
        });
        System.out.println("NESTED FINISHED");
    }
}
