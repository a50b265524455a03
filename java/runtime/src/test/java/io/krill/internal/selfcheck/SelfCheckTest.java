package io.krill.internal.selfcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.OpenDescriptors;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelfCheckTest {

    @Test
    void passesBothChecksAndClosesWhatItOpened() throws IOException {
        NativeLibrary library = NativeLibrary.load();
        long before = OpenDescriptors.supported() ? OpenDescriptors.count() : 0;
        List<String> passed = SelfCheck.run(library);
        assertEquals(2, passed.size(), passed.toString());
        assertTrue(passed.get(0).contains("wake-up delivered"), passed.get(0));
        assertTrue(passed.get(1).contains("12-byte write/read"), passed.get(1));
        if (OpenDescriptors.supported()) {
            assertEquals(before, OpenDescriptors.count(), "descriptors leaked");
        }
    }
}
