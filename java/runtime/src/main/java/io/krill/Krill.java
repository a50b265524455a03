package io.krill;

import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.SelfCheck;
import java.io.IOException;
import java.util.List;

/**
 * Krill's launcher: loads the native library and reports what this machine runs, then proves
 * the native path with a self-check over real descriptors. Exits 1 when either fails.
 */
public final class Krill {

    private Krill() {}

    /** The runtime's version, from the jar manifest ({@code dev} when run from classes). */
    public static String version() {
        String version = Krill.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    public static void main(String[] args) {
        NativeLibrary library;
        try {
            library = NativeLibrary.load();
        } catch (UnsatisfiedLinkError e) {
            System.err.println("krill: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("Krill " + version());
        System.out.println("  platform   " + library.platform().classifier() + " ("
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java "
                + java.lang.Runtime.version() + ")");
        System.out.println("  backend    " + library.backend() + ", poller " + library.platform().pollerName());
        System.out.println("  library    " + library.source() + " (" + library.sizeBytes() + " bytes)");
        System.out.println("  abi        version " + library.abiVersion() + ", " + library.abiFieldCount()
                + " layout entries match");
        try {
            List<String> passed = SelfCheck.run(library);
            for (String line : passed) {
                System.out.println("  check      " + line);
            }
        } catch (IOException e) {
            System.err.println("krill: self-check failed: " + e.getMessage());
            System.exit(1);
        }
    }
}
