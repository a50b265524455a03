package io.krill.internal.jni;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * This process's open descriptors by what they point at (Linux /proc/self/fd), to prove a test
 * opened what it claims and leaked nothing.
 *
 * <p>A count of the whole directory cannot prove either: the JVM opens and closes files of its
 * own on other threads (jars, /proc entries, JFR's repository), and surefire's and JUnit's
 * threads may too, so a count that includes them moves for reasons the test does not control.
 * A snapshot keeps each descriptor's number and target ({@code socket:[inode]},
 * {@code anon_inode:[eventpoll]} …), and the comparisons look only at the kinds Krill opens —
 * sockets and anonymous inodes (epoll instances, eventfds) — and only at descriptors that are
 * new since a snapshot, so one that another thread closes meanwhile is not taken for ours. The
 * same rule as {@code io.krill.net.LoopbackFixture}'s.
 */
public final class OpenDescriptors {

    private static final Path FD_DIRECTORY = Path.of("/proc/self/fd");

    private OpenDescriptors() {}

    /** Whether descriptors can be listed with their targets (Linux); a test skips its check where not. */
    public static boolean supported() {
        return Files.isDirectory(FD_DIRECTORY);
    }

    /** Every open descriptor's target, by number (the listing's own descriptor included). */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> open = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD_DIRECTORY)) {
            for (Path entry : entries) {
                try {
                    open.put(Integer.parseInt(entry.getFileName().toString()), Files.readSymbolicLink(entry).toString());
                } catch (NoSuchFileException closedMeanwhile) {
                    // Closed between the listing and the look (the listing's own, or another thread's): not open.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + FD_DIRECTORY, e);
        }
        return open;
    }

    /**
     * Sockets and anonymous inodes open now that were not open under the same number and
     * target in {@code before}: what was opened since, of the kinds Krill opens.
     */
    public static Map<Integer, String> openedSince(Map<Integer, String> before) {
        Map<Integer, String> opened = new TreeMap<>();
        snapshot().forEach((fd, target) -> {
            if (isKrillKind(target) && !target.equals(before.get(fd))) {
                opened.put(fd, target);
            }
        });
        return opened;
    }

    /**
     * How many of each kind were opened since {@code before}: a socket counts as
     * {@code "socket"} (its inode differs each time), anything else by its target, as in
     * {@code {anon_inode:[eventfd]=1, anon_inode:[eventpoll]=1}}. Empty when nothing was.
     */
    public static Map<String, Integer> kindsOpenedSince(Map<Integer, String> before) {
        Map<String, Integer> kinds = new TreeMap<>();
        for (String target : openedSince(before).values()) {
            kinds.merge(target.startsWith("socket:") ? "socket" : target, 1, Integer::sum);
        }
        return kinds;
    }

    private static boolean isKrillKind(String target) {
        return target.startsWith("socket:") || target.startsWith("anon_inode:");
    }
}
