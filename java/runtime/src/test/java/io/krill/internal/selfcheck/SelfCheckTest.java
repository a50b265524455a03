package io.krill.internal.selfcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.OpenDescriptors;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelfCheckTest {

    @Test
    void passesBothChecksAndClosesWhatItOpened() throws IOException {
        NativeLibrary library = NativeLibrary.load();
        Map<Integer, String> before = OpenDescriptors.supported() ? OpenDescriptors.snapshot() : Map.of();
        List<String> passed = SelfCheck.run(library);
        assertEquals(2, passed.size(), passed.toString());
        assertTrue(passed.get(0).contains("wake-up delivered"), passed.get(0));
        assertTrue(passed.get(1).contains("12-byte write/read"), passed.get(1));
        if (OpenDescriptors.supported()) {
            assertEquals(Map.of(), OpenDescriptors.openedSince(before), "descriptors leaked");
        }
    }
}
