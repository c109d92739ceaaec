/**
 * The API of coio's CI test agent ({@code -javaagent:coio-agent.jar=mode=detect}): mark threads that must not
 * block ({@link io.coio.agent.detect.CoioDetect#markNonBlocking(Thread)}), allow known-safe places
 * ({@link io.coio.agent.detect.CoioDetect#allowBlockingCallsInside(String, String)}), collect reports
 * ({@link io.coio.agent.detect.CoioDetect#startCapture()}); the JUnit 5 extension that fails tests is in
 * {@code io.coio:coio-junit}.
 *
 * <p>Artifact {@code io.coio:coio-detect-api}, an ordinary (test-scoped) dependency. The agent jar does not contain
 * these classes, so exactly one copy of them is loaded: the one on the class path. They reach the agent's
 * detector through the system class loader (where {@code -javaagent} puts the agent jar) by name, with method
 * handles whose types are JDK types only; they never link against agent classes. The agent in turn creates
 * {@link io.coio.agent.detect.BlockingCallError} by name through the system class loader. Compiled for Java 8:
 * on a JVM that coio does not support, or without the agent, every method works and
 * {@link io.coio.agent.detect.CoioDetect#isActive()} is false.
 */
package io.coio.agent.detect;
