package io.krill.internal.jni;

/**
 * libkrill, loaded once per class loader: platform detection, finding the library
 * ({@link NativeLibraryLoader}: {@code -Dkrill.native.library}, {@code java.library.path}, the
 * platform jar), {@code System.load}, the ABI check and the errno table, in that order. The
 * log says at DEBUG where the library came from (as Netty logs its native loads), and
 * {@link #origin()} and {@link #source()} tell whoever asks (the launcher prints them). Every
 * native in this package needs {@link #load()} to have returned first.
 *
 * <p>A failed load is remembered: every later call throws an error with the same message, so
 * the first cause is never hidden behind a {@code NoClassDefFoundError}.
 */
public final class NativeLibrary {

    private final Platform platform;
    private final String source;
    private final String origin;
    private final long sizeBytes;
    private final int abiVersion;

    private NativeLibrary(Platform platform, String source, String origin, long sizeBytes, int abiVersion) {
        this.platform = platform;
        this.source = source;
        this.origin = origin;
        this.sizeBytes = sizeBytes;
        this.abiVersion = abiVersion;
    }

    /** Lazy holder: the load runs on first use, under the class-initialisation lock. */
    private static final class Holder {
        static final NativeLibrary INSTANCE;
        static final UnsatisfiedLinkError FAILURE;

        static {
            NativeLibrary instance = null;
            UnsatisfiedLinkError failure = null;
            try {
                instance = doLoad(NativeLibraryLoader.fromSystemProperties());
            } catch (UnsatisfiedLinkError e) {
                failure = e;
            }
            INSTANCE = instance;
            FAILURE = failure;
        }
    }

    /**
     * Loads the library if needed and returns it.
     *
     * @throws UnsatisfiedLinkError saying what is missing or mismatched, and what to do
     */
    public static NativeLibrary load() {
        if (Holder.FAILURE != null) {
            UnsatisfiedLinkError again = new UnsatisfiedLinkError(Holder.FAILURE.getMessage());
            again.initCause(Holder.FAILURE);
            throw again;
        }
        return Holder.INSTANCE;
    }

    private static NativeLibrary doLoad(NativeLibraryLoader loader) {
        Platform platform = Platform.current();
        NativeLibraryLoader.Loaded loaded = loader.load();
        int[] layout = OnLoadNative.abiLayout();
        AbiLayout.verify(layout, platform, loaded.source());
        Errno.bind(ErrorsNative.errnoTable(), ErrorsNative::strerror);
        org.slf4j.LoggerFactory.getLogger(NativeLibrary.class).debug("libkrill (ABI version {}) loaded from {} ({})",
                layout[0], loaded.source(), loaded.origin().description());
        return new NativeLibrary(platform, loaded.source(), loaded.origin().description(), loaded.sizeBytes(), layout[0]);
    }

    public Platform platform() {
        return platform;
    }

    /** Where the library was loaded from: a jar URL or a file path. */
    public String source() {
        return source;
    }

    /**
     * How the library was found: {@code -Dkrill.native.library}, {@code java.library.path} or
     * {@code extracted from the platform jar}.
     */
    public String origin() {
        return origin;
    }

    public long sizeBytes() {
        return sizeBytes;
    }

    public int abiVersion() {
        return abiVersion;
    }

    /** Entries in the ABI layout table that matched Java's. */
    public int abiFieldCount() {
        return AbiLayout.Field.values().length;
    }

    /** One JNI crossing that does nothing; returns its argument. */
    public int noop(int value) {
        return OnLoadNative.noop(value);
    }
}
