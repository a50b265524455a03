package io.krill;

import java.util.ArrayList;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;

/**
 * Hand-written Lincheck scenarios, added to the random ones so that the model checker searches
 * the interleavings that matter on every run (a random scenario may never line them up).
 * Lincheck's scenario DSL wants Kotlin {@code KFunction}s; its {@code Actor} takes the
 * {@code Method}, named here.
 */
public final class LincheckScenarios {

    public static final String[] NONE = {};

    private LincheckScenarios() {}

    /** Operations by name: run {@code initial}, then each of {@code threads} in parallel, then {@code post}. */
    @SuppressWarnings("exports") // Lincheck's scenario type, from its unnamed module: tests only
    public static ExecutionScenario scenario(Class<?> ops, String[] initial, String[][] threads, String[] post) {
        List<List<Actor>> parallel = new ArrayList<>();
        for (String[] thread : threads) {
            parallel.add(actors(ops, thread));
        }
        return new ExecutionScenario(actors(ops, initial), parallel, actors(ops, post), null);
    }

    private static List<Actor> actors(Class<?> ops, String[] names) {
        List<Actor> actors = new ArrayList<>();
        for (String name : names) {
            try {
                actors.add(new Actor(ops.getMethod(name), List.of(), false, false, false, false, false));
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("no operation " + name + " in " + ops.getName(), e);
            }
        }
        return actors;
    }
}
