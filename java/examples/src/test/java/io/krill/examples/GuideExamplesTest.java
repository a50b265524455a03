package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's table of the guide's examples against the sources: every twin it names exists,
 * runs (has a main) and has its test, and every runnable example is in the table, so the
 * mapping cannot drift from the code unnoticed.
 */
class GuideExamplesTest {

    private static final Path README = Path.of("../../README.md");
    private static final Path SOURCES = Path.of("src/main/java/io/krill/examples");
    private static final Path TESTS = Path.of("src/test/java/io/krill/examples");
    /** Runnable, but not a guide example: the demo servers behind ci/serve. */
    private static final List<String> NOT_FROM_THE_GUIDE = List.of("Serve");
    /** The guide's examples, from "Basic Async Function" to "Timeouts". */
    private static final int GUIDE_EXAMPLES = 13;
    private static final Pattern ROW = Pattern.compile(
            "^\\| ([^|]+) \\| \\[`(\\w+)`\\]\\(java/examples/src/main/java/io/krill/examples/(\\w+)\\.java\\) \\| `(\\w+)` \\|",
            Pattern.MULTILINE);

    private static String section() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("## The guide's examples");
        assertTrue(start >= 0, "README has no section \"The guide's examples\"");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    @Test
    void eachTwinInTheTableExistsRunsAndHasItsTest() throws IOException {
        Matcher row = ROW.matcher(section());
        List<String> twins = new ArrayList<>();
        TreeSet<String> examples = new TreeSet<>(); // a guide example may have two twins (#15: blocking style)
        while (row.find()) {
            examples.add(row.group(1));
            String twin = row.group(2);
            assertEquals(twin, row.group(3), "the link goes to the twin's file");
            assertEquals(twin + "Test", row.group(4), "the test named for " + twin);
            Path source = SOURCES.resolve(twin + ".java");
            assertTrue(Files.isRegularFile(source), source + " is missing");
            assertTrue(Files.readString(source).contains("public static void main(String[] args)"), twin + " has no main");
            Path test = TESTS.resolve(twin + "Test.java");
            assertTrue(Files.isRegularFile(test), test + " is missing");
            assertTrue(Files.readString(test).matches("(?s).*@(Test|RepeatedTest)\\b.*"), test + " has no test");
            twins.add(twin);
        }
        assertEquals(GUIDE_EXAMPLES, examples.size(), "the guide's examples with a twin: " + examples);
        assertEquals(twins.size(), new TreeSet<>(twins).size(), "a twin named twice: " + twins);
    }

    @Test
    void everyRunnableExampleIsInTheTable() throws IOException {
        String section = section();
        List<String> missing = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".java", "");
                if (Files.readString(file).contains("public static void main(String[] args)")
                        && !NOT_FROM_THE_GUIDE.contains(name) && !section.contains("[`" + name + "`]")) {
                    missing.add(name);
                }
            }
        }
        assertEquals(List.of(), missing, "runnable examples the README's table does not name");
    }
}
