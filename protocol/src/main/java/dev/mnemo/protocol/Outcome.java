package dev.mnemo.protocol;

/** What one {@link Protocol#process} call did with a connection's input. */
public enum Outcome {
    /** One request was handled (or skipped); call again while input remains. */
    HANDLED,
    /** The input holds no complete request; wait for more bytes. */
    NEED_MORE_INPUT,
    /**
     * The request's reply is not complete: send what is in the output and call again with the
     * same input once it has drained (a key dump streaming the store). The input is not consumed.
     */
    MORE_OUTPUT,
    /** Send what is in the output, then close the connection (quit, or a fatal error). */
    CLOSE,
    /**
     * Send what is in the output ("watch"'s OK); the connection is now a log stream of the
     * streams {@link Protocol#watchedStreams()} names and reads no more requests.
     */
    WATCH
}
