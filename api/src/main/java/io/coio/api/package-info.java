/**
 * libco's programming model on coio: explicit coroutines ({@link io.coio.api.Coroutine}), {@code co_poll}
 * and {@code co_eventloop} ({@link io.coio.api.Coio}), {@link io.coio.api.CoCond}, {@link io.coio.api.CoLocal}
 * and the per-coroutine hook switch. See the module README for the libco → coio table.
 */
package io.coio.api;
