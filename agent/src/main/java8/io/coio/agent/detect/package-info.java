/**
 * The API of coio's CI test agent ({@code -javaagent:coio-agent.jar=mode=detect}): mark threads that must not
 * block ({@link io.coio.agent.detect.CoioDetect#markNonBlocking(Thread)}), allow known-safe places
 * ({@link io.coio.agent.detect.CoioDetect#allowBlockingCallsInside(String, String)}), collect reports
 * ({@link io.coio.agent.detect.CoioDetect#startCapture()}), and fail JUnit 5 tests that made a blocking call
 * ({@link io.coio.agent.detect.CoioDetectExtension}).
 *
 * <p>It is part of the agent jar, which the JVM puts on the system class path with {@code -javaagent}, so test
 * code reaches it without another dependency (compiling against it needs the agent jar on the compile class
 * path). Compiled for Java 8: on a JVM that coio does not support, or without the agent, every method works and
 * {@link io.coio.agent.detect.CoioDetect#isActive()} is false.
 */
package io.coio.agent.detect;
