package io.coio.nativedemo;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.coio.nativeswap.NativeCall;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The few libpq functions the demo needs, through FFM. The blocking ones ({@code PQconnectdb},
 * {@code PQexec}, {@code PQfinish}) go through {@link NativeCall} when {@code viaCoio} (in a coio coroutine
 * they run on a native-swap stack and their socket waits park on the carrier), or are plain downcalls
 * otherwise (a virtual thread pins its carrier, a platform thread blocks itself). The others never block
 * and are plain downcalls in both cases.
 *
 * <p>Threads: any; one connection is used by one thread at a time (libpq's rule).
 */
final class Libpq {
    static final String SONAME = "libpq.so.5";
    static final int CONNECTION_OK = 0;
    static final int PGRES_TUPLES_OK = 2;

    private final boolean viaCoio;
    private final MemorySegment connectdb;
    private final MemorySegment exec;
    private final MemorySegment finish;
    private final MethodHandle connectdbMh;
    private final MethodHandle execMh;
    private final MethodHandle finishMh;
    private final MethodHandle status;
    private final MethodHandle errorMessage;
    private final MethodHandle resultStatus;
    private final MethodHandle ntuples;
    private final MethodHandle getvalue;
    private final MethodHandle clear;

    @SuppressWarnings("restricted")
    Libpq(boolean viaCoio) {
        this.viaCoio = viaCoio;
        SymbolLookup pq;
        try {
            pq = SymbolLookup.libraryLookup(SONAME, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot load " + SONAME + ": install libpq5 (Debian: apt-get install libpq5)", e);
        }
        Linker linker = Linker.nativeLinker();
        connectdb = pq.find("PQconnectdb").orElseThrow();
        exec = pq.find("PQexec").orElseThrow();
        finish = pq.find("PQfinish").orElseThrow();
        connectdbMh = linker.downcallHandle(connectdb, FunctionDescriptor.of(ADDRESS, ADDRESS));
        execMh = linker.downcallHandle(exec, FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        finishMh = linker.downcallHandle(finish, FunctionDescriptor.ofVoid(ADDRESS));
        status = linker.downcallHandle(pq.find("PQstatus").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorMessage = linker.downcallHandle(pq.find("PQerrorMessage").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultStatus = linker.downcallHandle(pq.find("PQresultStatus").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        ntuples = linker.downcallHandle(pq.find("PQntuples").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getvalue = linker.downcallHandle(pq.find("PQgetvalue").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        clear = linker.downcallHandle(pq.find("PQclear").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS));
    }

    /** {@code PQconnectdb(conninfo)}: the PGconn (check {@link #status}). */
    MemorySegment connectdb(MemorySegment conninfo) throws Throwable {
        if (viaCoio) {
            return MemorySegment.ofAddress(NativeCall.call(connectdb, conninfo.address()));
        }
        return (MemorySegment) connectdbMh.invokeExact(conninfo);
    }

    /** {@code PQexec(conn, sql)}: the PGresult. */
    MemorySegment exec(MemorySegment conn, MemorySegment sql) throws Throwable {
        if (viaCoio) {
            return MemorySegment.ofAddress(NativeCall.call(exec, conn.address(), sql.address()));
        }
        return (MemorySegment) execMh.invokeExact(conn, sql);
    }

    void finish(MemorySegment conn) throws Throwable {
        if (viaCoio) {
            NativeCall.call(finish, conn.address());
        } else {
            finishMh.invokeExact(conn);
        }
    }

    int status(MemorySegment conn) throws Throwable {
        return (int) status.invokeExact(conn);
    }

    @SuppressWarnings("restricted")
    String errorMessage(MemorySegment conn) throws Throwable {
        return ((MemorySegment) errorMessage.invokeExact(conn)).reinterpret(4096).getString(0).strip();
    }

    int resultStatus(MemorySegment res) throws Throwable {
        return (int) resultStatus.invokeExact(res);
    }

    int ntuples(MemorySegment res) throws Throwable {
        return (int) ntuples.invokeExact(res);
    }

    @SuppressWarnings("restricted")
    String getvalue(MemorySegment res, int row, int col) throws Throwable {
        return ((MemorySegment) getvalue.invokeExact(res, row, col)).reinterpret(4096).getString(0);
    }

    void clear(MemorySegment res) throws Throwable {
        clear.invokeExact(res);
    }
}
