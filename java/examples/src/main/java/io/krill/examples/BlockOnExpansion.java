package io.krill.examples;

import io.krill.Runtime;
import java.util.function.Consumer;

/**
 * What the guide's {@code #[tokio::main]} expands to: a runtime built by hand, and the main
 * thread blocked on one task until it is done.
 *
 * <pre>{@code
 * fn main() {
 *     let rt = tokio::runtime::Runtime::new().unwrap();
 *     rt.block_on(async {
 *         println!("In async block");
 *     });
 * }
 * }</pre>
 *
 * Tokio's {@code Runtime::new()} is {@code Runtime.builder().build()} (a worker per core); its
 * drop at the end of {@code main} is {@link Runtime#close()}, which lets running tasks finish
 * and joins every thread. The second line printed shows where the block ran: on a worker of the
 * runtime, not on the main thread that waited for it.
 */
public final class BlockOnExpansion {

    private BlockOnExpansion() {}

    /** Builds a runtime, blocks on the async block, shuts the runtime down. */
    public static void run(Consumer<String> out) {
        Runtime rt = Runtime.builder().build();
        try {
            String ranOn = rt.blockOn(() -> {
                out.accept("In async block");
                return Thread.currentThread().getName();
            });
            out.accept("(it ran on " + ranOn + "; main waited in blockOn)");
        } finally {
            rt.close();
        }
    }

    public static void main(String[] args) {
        run(System.out::println);
    }
}
