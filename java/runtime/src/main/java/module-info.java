/**
 * The Krill runtime. Only the faces are exported: {@code io.krill} (the runtime, tasks),
 * {@code io.krill.net}, {@code io.krill.time} and {@code io.krill.sync}. The machinery under
 * {@code io.krill.internal} (the executor, the reactor and its handler engine, the rings, the
 * raw natives that read and write any address) is not, so no code outside Krill can reach it.
 *
 * <p>On the module path, run with {@code --enable-native-access=io.krill.runtime} (JEP 472) and
 * a platform jar beside it (e.g. {@code krill-native-VERSION-linux-x86_64.jar}, module
 * {@code io.krill.platform.linux.x86_64}); the library is found as a resource, so the platform
 * module needs no {@code requires}.
 */
@SuppressWarnings("requires-automatic") // JNA 5 is an automatic module (Automatic-Module-Name com.sun.jna)
module io.krill.runtime {
    requires org.slf4j;
    // The portable backend (#14): optional, so a JVM with a platform jar needs no JNA; without
    // one, the runtime falls back to JNA when it is on the module path (--add-modules com.sun.jna
    // where nothing else requires it).
    requires static com.sun.jna;
    requires jdk.jfr;

    exports io.krill;
    exports io.krill.net;
    exports io.krill.time;
    exports io.krill.sync;
}
