package io.krill.net;

/** The once-per-listener warning of accept failures, for TcpListener and TcpServer alike. */
final class AcceptWarning {

    private AcceptWarning() {}

    /**
     * Logs {@code message} at WARNING; if the logger itself fails, writes it to standard error.
     * The logging backend may need a descriptor of its own just when there is none
     * (java.util.logging's formatter loads the time-zone file on first use; an appender may open
     * its file); a failed warning must not fail the accept, and standard error needs no new
     * descriptor, so the warning goes there, with why.
     */
    static void warn(org.slf4j.Logger log, String message) {
        try {
            log.warn(message);
        } catch (RuntimeException | LinkageError loggerFailed) {
            System.err.println("krill: " + message + " [the logger failed: " + loggerFailed + "]");
        }
    }
}
