package io.krill.internal.selfcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.backend.Backends;
import io.krill.internal.jni.Platform;
import io.krill.internal.reactor.NativeIo;
import io.krill.internal.jni.OpenDescriptors;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SelfCheckTest {

    /**
     * Both backends; under the -Xcheck:jni rerun, JNI only: JNA's own JNI_OnLoad calls into
     * Java without the exception check that -Xcheck:jni asks for, a warning in JNA's code that
     * would fail that run (it checks Krill's natives; the default run covers JNA here).
     */
    static List<String> backends() {
        return Boolean.getBoolean("krill.test.checkJni") ? List.of("jni") : List.of("jni", "jna");
    }

    @ParameterizedTest
    @MethodSource("backends")
    void passesBothChecksOnEachBackendAndClosesWhatItOpened(String backend) throws IOException {
        NativeIo io = Backends.load(backend);
        Map<Integer, String> before = OpenDescriptors.supported() ? OpenDescriptors.snapshot() : Map.of();
        List<String> passed = SelfCheck.run(Platform.current(), io);
        assertEquals(2, passed.size(), passed.toString());
        assertTrue(passed.get(0).contains("wake-up delivered") && passed.get(0).endsWith("through " + backend), passed.get(0));
        assertTrue(passed.get(1).contains("12-byte write/read"), passed.get(1));
        if (OpenDescriptors.supported()) {
            assertEquals(Map.of(), OpenDescriptors.openedSince(before), "descriptors leaked");
        }
    }
}
