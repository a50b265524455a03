package io.krill.internal.jni;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {

    private static final List<String> MOUNTINFO = List.of(
            "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw",
            "30 22 0:25 / /tmp rw,nosuid,nodev,noexec,relatime shared:5 - tmpfs tmpfs rw",
            "31 30 0:26 / /tmp/exec\\040ok rw,relatime shared:6 - tmpfs tmpfs rw",
            "garbage line");

    @Test
    void findsTheLongestMountPointHoldingADirectory() {
        MountTable table = MountTable.parse(MOUNTINFO);
        assertTrue(table.isNoExec(Path.of("/tmp")));
        assertTrue(table.isNoExec(Path.of("/tmp/krill-native-123")));
        assertFalse(table.isNoExec(Path.of("/home/user")));
        assertFalse(table.isNoExec(Path.of("/tmpfoo")), "a path prefix is not a mount prefix");
    }

    @Test
    void decodesOctalEscapesInMountPoints() {
        MountTable table = MountTable.parse(MOUNTINFO);
        assertFalse(table.isNoExec(Path.of("/tmp/exec ok/lib")));
    }

    @Test
    void anEmptyTableKnowsNothingNoexec() {
        assertFalse(MountTable.parse(List.of()).isNoExec(Path.of("/tmp")));
    }

    @Test
    void readsThisProcessesMountTable() {
        // The root mount of a machine that runs Java is never noexec.
        assertFalse(MountTable.current().isNoExec(Path.of("/usr/bin")));
    }
}
