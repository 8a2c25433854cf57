package dev.mnemo.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks the Netty transport for --transport: {@code auto} takes the first available one of
 * {@link #AUTO_ORDER}, the order the measurements give, and explains the pick; a named
 * transport is taken if it works here and refused otherwise.
 *
 * <p>Thread-safe (stateless).
 */
final class TransportChooser {

    /**
     * The order {@code auto} tries the transports in, as measured by bench/cost-per-op.sh
     * (docs/PERFORMANCE.md, "Cost per operation"): below the server's limit epoll, with the
     * direct send, answers sooner and served more on TCP (1.12 of memcached's single requests per
     * second against io_uring's 1.06), and holds 2.5 MiB less idle; a saturated server does 5–12 %
     * more TCP requests per CPU second on io_uring (1.09 against 0.97–1.04), while on UDP epoll,
     * which reads several datagrams a call, leads (1.03–1.09 against 0.84–0.90). Caches run
     * below their limit, so epoll comes first. Change the order here when a new
     * measurement says so. NIO, which always works, must stay last.
     */
    static final List<Transport> AUTO_ORDER = List.of(Transport.EPOLL, Transport.IO_URING, Transport.NIO);

    /**
     * Test hook: with {@code -Dmnemo.transport.noNative=true} the native transports (epoll,
     * io_uring) count as unavailable, as on a machine without their libraries.
     */
    static final String NO_NATIVE_PROPERTY = "mnemo.transport.noNative";

    /** The --transport value that lets Mnemo choose. */
    static final String AUTO = "auto";

    private TransportChooser() {
    }

    /** A chosen transport and, for the log, why it was chosen over the ones before it in the order. */
    record Choice(Transport transport, String reason) {
    }

    /** Thrown when a transport asked for by name does not work on this machine. */
    static final class UnavailableTransportException extends RuntimeException {
        UnavailableTransportException(String message) {
            super(message);
        }
    }

    /**
     * @param requested auto, epoll, io_uring or nio (ServerOptions has checked the name)
     * @return the transport to run on
     * @throws UnavailableTransportException if {@code requested} names a transport that does not
     *                                       work here
     */
    static Choice choose(String requested) {
        return choose(requested, !Boolean.getBoolean(NO_NATIVE_PROPERTY));
    }

    /**
     * @param nativeAllowed false to treat epoll and io_uring as unavailable (the test hook)
     * @see #choose(String)
     */
    static Choice choose(String requested, boolean nativeAllowed) {
        if (!AUTO.equals(requested)) {
            Transport transport = Transport.named(requested);
            if (transport == null) {
                throw new IllegalArgumentException("unknown transport " + requested);
            }
            String cause = unavailabilityCause(transport, nativeAllowed);
            if (cause != null) {
                throw new UnavailableTransportException("transport " + requested + " is not available here ("
                        + cause + "); use --transport auto or --transport nio");
            }
            return new Choice(transport, "requested with --transport");
        }
        List<String> skipped = new ArrayList<>();
        for (Transport transport : AUTO_ORDER) {
            String cause = unavailabilityCause(transport, nativeAllowed);
            if (cause == null) {
                String reason = "the first available of " + names(AUTO_ORDER);
                return new Choice(transport, skipped.isEmpty() ? reason : reason + "; not " + String.join("; not ", skipped));
            }
            skipped.add(transport.cliName() + ": " + cause);
        }
        throw new IllegalStateException("nio is always available; AUTO_ORDER must end with it");
    }

    private static String unavailabilityCause(Transport transport, boolean nativeAllowed) {
        if (transport == Transport.NIO) {
            return null;
        }
        if (!nativeAllowed) {
            return "native transports disabled by -D" + NO_NATIVE_PROPERTY;
        }
        if (transport.isAvailable()) {
            return null;
        }
        String cause = transport.unavailabilityCause();
        // the log line puts the reason in parentheses
        return cause == null ? "not supported here" : cause.replace('(', '[').replace(')', ']');
    }

    private static String names(List<Transport> transports) {
        List<String> names = new ArrayList<>();
        for (Transport transport : transports) {
            names.add(transport.cliName());
        }
        return String.join(" > ", names);
    }
}
