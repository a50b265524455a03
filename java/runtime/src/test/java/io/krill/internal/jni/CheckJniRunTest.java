package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the build's -Xcheck:jni run honest (java/runtime/pom.xml, execution xcheck-jni): that
 * run sets {@code krill.test.checkJni}, and a clean result means something only if its JVM
 * really checked the JNI calls. In the default run there is nothing to assert.
 */
class CheckJniRunTest {

    @Test
    void theCheckJniRunReallyChecks() {
        if (!Boolean.getBoolean("krill.test.checkJni")) {
            return; // the default run: whether it checks JNI is not this test's business
        }
        List<String> jvmArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
        assertTrue(jvmArguments.contains("-Xcheck:jni"), "the -Xcheck:jni run's JVM lacks the flag: " + jvmArguments);
    }
}
