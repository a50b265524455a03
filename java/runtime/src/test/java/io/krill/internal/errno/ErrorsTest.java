package io.krill.internal.errno;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.NativeIoException;
import io.krill.TooManyOpenFilesException;
import io.krill.internal.jni.Errno;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.SocketNative;
import io.krill.net.AddressInUseException;
import io.krill.net.AddressNotAvailableException;
import io.krill.net.BrokenPipeException;
import io.krill.net.ConnectionRefusedException;
import io.krill.net.ConnectionResetException;
import io.krill.net.ConnectionTimedOutException;
import io.krill.net.UnreachableException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    @BeforeAll
    static void load() {
        NativeLibrary.load();
    }

    @Test
    void everyErrnoHasADistinctPositiveNumberThatMapsBack() {
        Set<Integer> seen = new HashSet<>();
        for (Errno errno : Errno.values()) {
            assertTrue(errno.number() > 0, errno.name());
            assertTrue(seen.add(errno.number()), errno + " shares its number");
            assertSame(errno, Errno.of(errno.number()));
        }
        assertNull(Errno.of(0));
        assertNull(Errno.of(-1));
        assertNull(Errno.of(1 << 20));
    }

    /**
     * #13: accept reports a connection that broke in the queue as EPROTO on Linux; the runtime
     * retries it, so it needs the name, read from the C header like every other errno (Linux: 71).
     */
    @Test
    void eprotoIsNamedWithTheHeadersNumber() {
        if (System.getProperty("os.name").equals("Linux")) {
            assertEquals(71, Errno.EPROTO.number());
        }
        NativeIoException e = Errors.newException("accept(x)", -Errno.EPROTO.number());
        assertEquals("EPROTO", e.errnoName());
        assertTrue(e.getMessage().contains("accept(x)") && e.getMessage().contains("EPROTO"), e.getMessage());
    }

    @Test
    void eachErrorCallersBranchOnHasItsOwnException() {
        Map<Errno, Class<? extends NativeIoException>> expected = Map.of(
                Errno.ECONNREFUSED, ConnectionRefusedException.class,
                Errno.ECONNRESET, ConnectionResetException.class,
                Errno.EPIPE, BrokenPipeException.class,
                Errno.EADDRINUSE, AddressInUseException.class,
                Errno.EADDRNOTAVAIL, AddressNotAvailableException.class,
                Errno.ETIMEDOUT, ConnectionTimedOutException.class,
                Errno.ENETUNREACH, UnreachableException.class,
                Errno.EHOSTUNREACH, UnreachableException.class,
                Errno.EMFILE, TooManyOpenFilesException.class,
                Errno.ENFILE, TooManyOpenFilesException.class);
        for (var entry : expected.entrySet()) {
            Errno errno = entry.getKey();
            NativeIoException e = Errors.newException("connect(127.0.0.1:9)", -errno.number());
            assertInstanceOf(entry.getValue(), e, errno.name());
            assertEquals(errno.number(), e.errno());
            assertEquals(errno.name(), e.errnoName());
            assertEquals("connect(127.0.0.1:9)", e.operation());
            assertTrue(e.getMessage().startsWith("connect(127.0.0.1:9) failed: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(" + errno.name() + ")"), e.getMessage());
        }
        assertEquals(NativeIoException.class, Errors.newException("read", -Errno.EBADF.number()).getClass());
    }

    @Test
    void anErrnoKrillDoesNotNameStillReportsItsNumber() {
        int unnamed = 1;
        while (Errno.of(unnamed) != null) {
            unnamed++;
        }
        NativeIoException e = Errors.newException("ioctl", -unnamed);
        assertEquals("errno " + unnamed, e.errnoName());
        assertEquals(NativeIoException.class, e.getClass());
    }

    @Test
    void checkPassesResultsThroughAndThrowsOnNegatives() throws NativeIoException {
        assertEquals(0, Errors.check("op", 0));
        assertEquals(17, Errors.check("op", 17));
        assertEquals(1L << 40, Errors.check("op", 1L << 40));
        NativeIoException e = assertThrows(NativeIoException.class, () -> Errors.check("op", -Errno.EINVAL.number()));
        assertEquals("EINVAL", e.errnoName());
        assertThrows(NativeIoException.class, () -> Errors.check("op", (long) -Errno.EBADF.number()));
        assertThrows(IllegalArgumentException.class, () -> Errors.newException("op", 3));
    }

    @Test
    void aRealFailedCallMapsToItsName() {
        NativeIoException e = Errors.newException("close(-1)", SocketNative.close(-1));
        assertEquals("EBADF", e.errnoName());
    }
}
