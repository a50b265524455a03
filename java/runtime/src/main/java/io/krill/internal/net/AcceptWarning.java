package io.krill.internal.net;

/**
 * The warnings of accept failures, for TcpListener and TcpServer alike: each holds one in a
 * static field, so that the class and its logger are ready when the class loads, not first
 * needed at EMFILE, when starting SLF4J (or loading a class from a directory, not a jar) would
 * need descriptors that are not there.
 */
public final class AcceptWarning {

    private final org.slf4j.Logger log;

    /** @param loggerName the public class users know the warning by (e.g. {@code io.krill.net.TcpServer}) */
    public AcceptWarning(String loggerName) {
        this.log = org.slf4j.LoggerFactory.getLogger(loggerName);
    }

    /**
     * Logs {@code message} at WARNING; if the logger itself fails, writes it to standard error.
     * The logging backend may need a descriptor of its own just when there is none
     * (java.util.logging's formatter loads the time-zone file on first use; an appender may open
     * its file); a failed warning must not fail the accept, and standard error needs no new
     * descriptor, so the warning goes there, with why.
     */
    public void warn(String message) {
        try {
            log.warn(message);
        } catch (RuntimeException | LinkageError loggerFailed) {
            System.err.println("krill: " + message + " [the logger failed: " + loggerFailed + "]");
        }
    }
}
