package dev.mnemo.protocol;

/** What one {@link Protocol#process} call did with a connection's input. */
public enum Outcome {
    /** One request was handled (or skipped); call again while input remains. */
    HANDLED,
    /** The input holds no complete request; wait for more bytes. */
    NEED_MORE_INPUT,
    /** Send what is in the output, then close the connection (quit, or a fatal error). */
    CLOSE,
    /**
     * Send what is in the output ("watch"'s OK); the connection is now a log stream of the
     * streams {@link Protocol#watchedStreams()} names and reads no more requests.
     */
    WATCH
}
