package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Loads the real library from the platform jar the build produced: if NAR built nothing, or the
 * jar lacks the library, or its layout drifted from Java's, this fails the build.
 */
class NativeLibraryTest {

    @Test
    void loadsFromThePlatformJarWithAMatchingAbi() {
        NativeLibrary library = NativeLibrary.load();
        assertEquals(Platform.current(), library.platform());
        assertTrue(library.source().contains(".jar!/" + Platform.current().resourcePath()), library.source());
        assertTrue(library.sizeBytes() > 0);
        assertEquals(AbiLayout.ABI_VERSION, library.abiVersion());
        assertArrayEquals(AbiLayout.expected(library.platform()), OnLoadNative.abiLayout());
        assertSame(library, NativeLibrary.load(), "loaded once");
    }

    @Test
    void aCrossingReturnsItsArgument() {
        NativeLibrary library = NativeLibrary.load();
        assertEquals(42, library.noop(42));
        assertEquals(-7, library.noop(-7));
    }

    @Test
    void aMismatchedLayoutIsRefusedNamingEachDifference() {
        Platform platform = Platform.current();
        int[] shifted = AbiLayout.expected(platform);
        shifted[AbiLayout.Field.EVENT_READINESS_OFFSET.ordinal()] = 12;
        shifted[AbiLayout.Field.ABI_VERSION.ordinal()] = AbiLayout.ABI_VERSION + 1;
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> AbiLayout.verify(shifted, platform, "libkrill-test.so"));
        String message = e.getMessage();
        assertTrue(message.contains("EVENT_READINESS_OFFSET is 12 in the library, 8 in Java"), message);
        assertTrue(message.contains("ABI " + (AbiLayout.ABI_VERSION + 1)), message);
        assertTrue(message.contains("libkrill-test.so"), message);
        assertTrue(message.contains("same version"), message);
    }

    @Test
    void aTableOfAnotherLengthIsRefused() {
        Platform platform = Platform.current();
        int[] expected = AbiLayout.expected(platform);
        int[] shorter = Arrays.copyOf(expected, expected.length - 1);
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> AbiLayout.verify(shorter, platform, "old"));
        assertTrue(e.getMessage().contains(shorter.length + " layout entries"), e.getMessage());
        AbiLayout.verify(expected, platform, "same"); // and the real one passes
    }

    @Test
    void anotherPlatformsPollerIsAMismatch() {
        Platform other = Platform.current().os().equals("linux")
                ? new Platform("osx", Platform.current().arch())
                : new Platform("linux", Platform.current().arch());
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                () -> AbiLayout.verify(OnLoadNative.abiLayout(), other, "this build"));
        assertTrue(e.getMessage().contains("POLLER"), e.getMessage());
    }

    @Test
    void aLibraryWithBothPollersServesEitherPlatformButNoneIsRefused() {
        Platform linux = new Platform("linux", Platform.current().arch());
        Platform osx = new Platform("osx", Platform.current().arch());
        int[] both = AbiLayout.expected(linux);
        both[AbiLayout.Field.POLLER.ordinal()] = 3; // epoll and kqueue: a libkqueue build (ci/kqueue-check)
        AbiLayout.verify(both, linux, "epoll and kqueue");
        AbiLayout.verify(both, osx, "epoll and kqueue");
        int[] none = both.clone();
        none[AbiLayout.Field.POLLER.ordinal()] = 0;
        UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> AbiLayout.verify(none, linux, "no poller"));
        assertTrue(e.getMessage().contains("POLLER is 0 in the library, 1 in Java"), e.getMessage());
    }
}
