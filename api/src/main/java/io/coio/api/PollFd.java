package io.coio.api;

import io.coio.runtime.ExplicitLoop;

import java.nio.channels.SelectableChannel;

/**
 * One entry of a {@link Coio#poll} — libco's (and poll(2)'s) {@code struct pollfd}: an fd, the events
 * asked for ({@link Coio#POLLIN}, {@link Coio#POLLOUT}, ...), and the events that happened.
 *
 * <p>Threads: owned by the thread or coroutine that polls with it.
 */
public final class PollFd {
    private final int fd;
    private int events;
    private int revents;

    /** An entry for a raw fd (from native code, or {@link #fdOf}). */
    public PollFd(int fd, int events) {
        this.fd = fd;
        this.events = events;
    }

    /** An entry for a JDK channel (SocketChannel, ServerSocketChannel, DatagramChannel, Pipe ends). */
    public PollFd(SelectableChannel channel, int events) {
        this(fdOf(channel), events);
    }

    /** The OS fd of a JDK channel. */
    public static int fdOf(SelectableChannel channel) {
        RuntimeCheck.require();
        return ExplicitLoop.fdOf(channel);
    }

    public int fd() {
        return fd;
    }

    public int events() {
        return events;
    }

    public PollFd events(int events) {
        this.events = events;
        return this;
    }

    /** What the last poll found: a subset of the events asked for, plus POLLERR/POLLHUP/POLLNVAL. */
    public int revents() {
        return revents;
    }

    void revents(int r) {
        revents = r;
    }

    @Override
    public String toString() {
        return "PollFd[fd=" + fd + ", events=0x" + Integer.toHexString(events) + ", revents=0x" + Integer.toHexString(revents) + "]";
    }
}
