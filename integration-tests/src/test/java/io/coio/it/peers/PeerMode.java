package io.coio.it.peers;

import io.coio.it.harness.AgentJvm;

/** The four ways every real-peer scenario runs the same unmodified app. */
enum PeerMode {
    NO_AGENT("no agent", null),
    CARRIERS_1("carriers=1", "carriers=1"),
    CARRIERS_2("carriers=2", "carriers=2"),
    DETECT("mode=detect", "mode=detect");

    final String label;
    private final String agentOptions; // null: no -javaagent

    PeerMode(String label, String agentOptions) {
        this.label = label;
        this.agentOptions = agentOptions;
    }

    /** True when the app's threads become coroutines (its OS thread count must drop). */
    boolean converts() {
        return this == CARRIERS_1 || this == CARRIERS_2;
    }

    /** A forked JVM for {@code mainClass} in this mode, with this module's whole test class path. */
    AgentJvm.Builder app(Class<?> mainClass, Object... args) {
        AgentJvm.Builder b = AgentJvm.builder(mainClass).testClasspath().args(args);
        return agentOptions == null ? b.noAgent() : b.agent(agentOptions);
    }
}
