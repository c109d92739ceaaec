package io.coio.agent.internal.bridge;

/*
 * WARNING: this class is copied into java.base as java.lang.CoioThreads (java.lang is exported to every
 * module, so rewritten app classes of any module can call it). Same rules as CoioBridge: JDK types only,
 * no other coio class except CoioBridge (renamed to sun.nio.ch.CoioBridge with it), no nested classes.
 */

/**
 * What rewritten app code calls instead of {@code Thread.currentThread()}: the app's own {@code Thread}
 * object when a converted app thread is running, else the JDK's answer. Not API.
 */
public final class CoioThreads {
    private CoioThreads() {
    }

    public static Thread currentThread() {
        return CoioBridge.appCurrentThread();
    }
}
