package io.krill.internal.jni;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mount points of this process (Linux {@code /proc/self/mountinfo}), to tell whether a
 * directory sits on a {@code noexec} mount: a library extracted there cannot be mapped, and
 * {@code dlopen}'s own message ("failed to map segment from shared object") does not say why.
 */
final class MountTable {

    private record Mount(String mountPoint, List<String> options) {}

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private final List<Mount> mounts;

    private MountTable(List<Mount> mounts) {
        this.mounts = mounts;
    }

    /** This process's mounts; empty where {@code /proc/self/mountinfo} does not exist (macOS). */
    static MountTable current() {
        try {
            return Files.isReadable(MOUNTINFO) ? parse(Files.readAllLines(MOUNTINFO)) : parse(List.of());
        } catch (IOException e) {
            // Unreadable mount table: fall back to "no information", the load error then speaks.
            return parse(List.of());
        }
    }

    /**
     * Parses mountinfo lines: {@code id parent major:minor root mountPoint options ...}; the mount
     * point is field 5 (octal escapes such as {@code \040} for a space), the options field 6.
     */
    static MountTable parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length < 6) {
                continue;
            }
            mounts.add(new Mount(unescape(fields[4]), List.of(fields[5].split(","))));
        }
        return new MountTable(List.copyOf(mounts));
    }

    /** True when the mount holding {@code directory} (the longest matching mount point) is noexec. */
    boolean isNoExec(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        Mount best = null;
        for (Mount mount : mounts) {
            if (dir.startsWith(Path.of(mount.mountPoint()))
                    && (best == null || mount.mountPoint().length() >= best.mountPoint().length())) {
                best = mount; // later lines mount over earlier ones at the same point
            }
        }
        return best != null && best.options().contains("noexec");
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
