package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.krill.Runtime;
import io.krill.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

@Timeout(value = Output.TEST_SECONDS, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TracingExampleTest {

    private static final String TARGET = TracingExample.class.getName();

    /** Beside the example's subscriber: which thread logged each record, and the MDC's span there. */
    private static final class Where extends Handler {
        final List<String> seen = new ArrayList<>(); // guarded by this

        @Override
        public synchronized void publish(LogRecord record) {
            seen.add(Thread.currentThread().getName() + " " + MDC.get(Span.MDC_NAME_KEY));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private static List<String> run(boolean succeeds, Where where) {
        Output out = new Output();
        java.util.logging.Logger target = java.util.logging.Logger.getLogger(TARGET);
        target.addHandler(where);
        try (Runtime runtime = Runtime.builder().workers(2).build()) {
            TracingExample.run(runtime, succeeds, new TracingExample.Subscriber(out, false));
        } finally {
            target.removeHandler(where);
        }
        return out.lines();
    }

    @Test
    void logsAtInfoInsideTheProcessSpan() {
        Where where = new Where();
        assertEquals(List.of("INFO process: " + TARGET + ": Starting operation", "INFO process: " + TARGET + ": Success: Done"),
                run(true, where));
        assertEquals(2, where.seen.size());
        for (String seen : where.seen) {
            assertTrue(seen.startsWith("krill-worker-") && seen.endsWith(" process"), "logged on a worker, in the span: " + seen);
        }
    }

    @Test
    void aFailedOperationIsLoggedAtErrorInTheSameSpan() {
        assertEquals(List.of("INFO process: " + TARGET + ": Starting operation",
                "ERROR process: " + TARGET + ": Failed: the operation was refused"), run(false, new Where()));
    }

    @Test
    void theSubscriberPrintsSlf4jLevelNamesAndNoSpanOutsideOne() {
        assertEquals("ERROR", TracingExample.Subscriber.levelName(Level.SEVERE));
        assertEquals("WARN", TracingExample.Subscriber.levelName(Level.WARNING));
        assertEquals("INFO", TracingExample.Subscriber.levelName(Level.INFO));
        assertEquals("DEBUG", TracingExample.Subscriber.levelName(Level.FINE));
        assertEquals("TRACE", TracingExample.Subscriber.levelName(Level.FINEST));
        Output out = new Output();
        LogRecord plain = new LogRecord(Level.WARNING, "no span here {0}");
        plain.setLoggerName("t");
        plain.setParameters(new Object[] {1});
        new TracingExample.Subscriber(out, false).publish(plain);
        Span.of("scoped", "id", "7").inScope(() -> {
            LogRecord scoped = new LogRecord(Level.INFO, "in one");
            scoped.setLoggerName("t");
            new TracingExample.Subscriber(out, false).publish(scoped);
            return null;
        });
        assertEquals(List.of("WARN t: no span here 1", "INFO scoped{id=7}: t: in one"), out.lines());
    }
}
