package io.krill.internal.backend;

import io.krill.internal.jna.JnaNativeIo;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.reactor.JniNativeIo;
import io.krill.internal.reactor.NativeIo;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@link NativeIo} this JVM runs on, chosen once per class loader: libkrill's JNI shims
 * when the platform jar loads, else the C library through JNA, and {@code -Dkrill.backend=jni}
 * or {@code jna} forces one (failing, with the reason, when it does not load). The choice is
 * logged once at INFO with why it was made; when neither loads, the error gives both reasons.
 */
public final class Backends {

    /** The system property that forces a backend: {@code jni} or {@code jna}. */
    public static final String PROPERTY = "krill.backend";

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {}

    /**
     * A loaded backend.
     *
     * @param name {@code jni} or {@code jna}
     * @param why  how it was chosen, for the log and the launcher
     */
    public record Selected(String name, NativeIo io, String why) {}

    /** Lazy holder: the choice runs on first use, under the class-initialisation lock. */
    private static final class Holder {
        static final Selected SELECTED;
        static final UnsatisfiedLinkError FAILURE;

        static {
            Selected selected = null;
            UnsatisfiedLinkError failure = null;
            try {
                selected = choose(System.getProperty(PROPERTY), JniNativeIo::load, JnaNativeIo::load);
                LOG.info("Krill backend: {} ({})", selected.name(), selected.why());
            } catch (UnsatisfiedLinkError e) {
                failure = e;
            }
            SELECTED = selected;
            FAILURE = failure;
        }
    }

    /**
     * The backend of this JVM, chosen on first call.
     *
     * @throws UnsatisfiedLinkError naming what is missing (the same message on every call)
     */
    public static Selected selected() {
        if (Holder.FAILURE != null) {
            UnsatisfiedLinkError again = new UnsatisfiedLinkError(Holder.FAILURE.getMessage());
            again.initCause(Holder.FAILURE);
            throw again;
        }
        return Holder.SELECTED;
    }

    /** True when a backend loads here (a runtime then parks its workers in the poller). */
    public static boolean available() {
        try {
            selected();
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** The named backend, loaded without the selection's rules (tests that pit one against another). */
    public static NativeIo load(String name) {
        return switch (name) {
            case "jni" -> JniNativeIo.load();
            case "jna" -> JnaNativeIo.load();
            default -> throw unknown(name);
        };
    }

    /**
     * The selection rule, apart from the JVM's state so that a test can drive it.
     *
     * @param forced the property's value, or {@code null}/blank for the automatic choice
     */
    static Selected choose(String forced, Supplier<NativeIo> jni, Supplier<NativeIo> jna) {
        if (forced != null && !forced.isBlank()) {
            String name = forced.strip().toLowerCase(Locale.ROOT);
            Supplier<NativeIo> loader = switch (name) {
                case "jni" -> jni;
                case "jna" -> jna;
                default -> throw unknown(forced);
            };
            try {
                return new Selected(name, loader.get(), "forced by -D" + PROPERTY + "=" + forced + describe(name));
            } catch (UnsatisfiedLinkError e) {
                UnsatisfiedLinkError failed = new UnsatisfiedLinkError("-D" + PROPERTY + "=" + forced
                        + " forces the " + name + " backend, which did not load: " + e.getMessage());
                failed.initCause(e);
                throw failed;
            }
        }
        UnsatisfiedLinkError jniFailure;
        try {
            return new Selected("jni", jni.get(), "the platform jar loaded" + describe("jni"));
        } catch (UnsatisfiedLinkError e) {
            jniFailure = e;
        }
        try {
            return new Selected("jna", jna.get(), "libkrill did not load: " + jniFailure.getMessage());
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError neither = new UnsatisfiedLinkError("no Krill backend loads here. JNI: "
                    + jniFailure.getMessage() + " JNA: " + e.getMessage());
            neither.initCause(jniFailure);
            neither.addSuppressed(e);
            throw neither;
        }
    }

    /** Where the JNI backend's library came from, when it is the one (cheap: it is loaded by now). */
    private static String describe(String name) {
        if (!name.equals("jni")) {
            return "";
        }
        try {
            NativeLibrary library = NativeLibrary.load();
            return ": libkrill " + library.platform().classifier() + " from " + library.source();
        } catch (UnsatisfiedLinkError e) {
            return ""; // a test's stand-in loader: no library to describe
        }
    }

    private static UnsatisfiedLinkError unknown(String name) {
        return new UnsatisfiedLinkError("-D" + PROPERTY + "=" + name + " is not a Krill backend: choose jni or jna");
    }
}
