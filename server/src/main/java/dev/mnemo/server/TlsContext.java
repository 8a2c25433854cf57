package dev.mnemo.server;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's TLS: the certificate, key and settings of {@link TlsOptions} loaded into a Netty
 * {@link SslContext}, the {@link SslHandler} each TLS connection starts with, memcached's TLS
 * counters, and {@link #refresh} ("refresh_certs", SIGHUP), which loads the files again for new
 * handshakes while open connections carry on with what they negotiated.
 *
 * <p>The engine is BoringSSL (netty-tcnative) when its native library loads, else the JDK's:
 * see {@link #ENGINE_PROPERTY} and docs/PERFORMANCE.md for why.
 *
 * <p>Thread-safe: the context is swapped atomically; the counters are {@link LongAdder}s.
 */
final class TlsContext {

    /**
     * System property choosing the engine: {@code openssl} (BoringSSL through netty-tcnative),
     * {@code jdk}, or unset for BoringSSL when available.
     */
    static final String ENGINE_PROPERTY = "mnemo.tls.engine";

    /** When a TLS connection was opened, in milliseconds since the epoch: a session created before it was resumed. */
    private static final AttributeKey<Long> OPENED_MILLIS = AttributeKey.valueOf(TlsContext.class, "openedMillis");

    private static final Logger LOG = LoggerFactory.getLogger(TlsContext.class);

    private final TlsOptions options;
    private final SslProvider provider;
    private final ChannelHandler watcher = new HandshakeWatcher();
    private final LongAdder handshakeErrors = new LongAdder();
    private final LongAdder newSessions = new LongAdder();
    private volatile SslContext context;
    private volatile long refreshedNanos;

    private TlsContext(TlsOptions options, SslProvider provider, SslContext context) {
        this.options = options;
        this.provider = provider;
        this.context = context;
        this.refreshedNanos = System.nanoTime();
    }

    /**
     * Loads the certificate chain, key and CA file that {@code options} name.
     *
     * @param options the -Z / -o ssl_* settings
     * @return the loaded context
     * @throws LoadException with memcached's message ("Error loading the certificate chain:
     *                       &lt;file&gt; : &lt;reason&gt;", "Error loading the key: ...",
     *                       "Error loading the CA certificate: ...", "Error setting the provided
     *                       cipher(s): ...") if a file is missing, unreadable or wrong
     */
    static TlsContext load(TlsOptions options) throws LoadException {
        SslProvider provider = provider();
        return new TlsContext(options, provider, build(options, provider));
    }

    /** @return the engine in use: "openssl" (BoringSSL) or "jdk" */
    String engine() {
        return provider == SslProvider.JDK ? "jdk" : "openssl";
    }

    /**
     * Loads the files again, as memcached's "refresh_certs" does: new handshakes use the new
     * certificate and key, open connections are not touched. A failed load keeps the old ones.
     *
     * @return null when reloaded, else memcached's one-line reason (no line end)
     */
    String refresh() {
        try {
            SslContext old = context;
            context = build(options, provider);
            ReferenceCountUtil.release(old); // open connections' engines hold their own references to it
            refreshedNanos = System.nanoTime();
            LOG.info("reloaded the TLS certificate {} and key {}", options.chainCert(), options.key());
            return null;
        } catch (LoadException e) {
            LOG.warn("cannot reload the TLS certificate, keeping the old one: {}", e.getMessage());
            return e.getMessage();
        }
    }

    /**
     * Starts a TLS connection's pipeline: the {@link SslHandler} of the current context, then a
     * handler that counts the handshake's outcome and closes the connection quietly on a TLS error.
     */
    void addHandlers(Channel channel) {
        channel.attr(OPENED_MILLIS).set(System.currentTimeMillis());
        channel.pipeline().addLast(context.newHandler(channel.alloc()), watcher);
    }

    /** @return the lines memcached -Z adds to "stats" (after log_watchers), in its order */
    List<Map.Entry<String, String>> statsLines() {
        List<Map.Entry<String, String>> lines = new ArrayList<>(3);
        if (options.sessionCache()) {
            lines.add(Map.entry("ssl_new_sessions", Long.toString(newSessions.sum())));
        }
        lines.add(Map.entry("ssl_handshake_errors", Long.toString(handshakeErrors.sum())));
        lines.add(Map.entry("time_since_server_cert_refresh",
                Long.toString(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - refreshedNanos))));
        return lines;
    }

    private static SslProvider provider() {
        String wanted = System.getProperty(ENGINE_PROPERTY, "");
        if (wanted.equals("jdk")) {
            return SslProvider.JDK;
        }
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL_REFCNT; // engines released by SslHandler, contexts by refresh: no finalizers
        }
        if (wanted.equals("openssl")) {
            LOG.warn("-D{}=openssl, but BoringSSL is unavailable ({}): using the JDK's TLS", ENGINE_PROPERTY,
                    OpenSsl.unavailabilityCause().toString());
        }
        return SslProvider.JDK;
    }

    private static SslContext build(TlsOptions options, SslProvider provider) throws LoadException {
        List<X509Certificate> chain;
        try {
            chain = TlsFiles.certificates(path(options.chainCert(), "ssl_chain_cert"));
        } catch (IOException e) {
            throw new LoadException("Error loading the certificate chain: " + name(options.chainCert()) + " : "
                    + e.getMessage());
        }
        PrivateKey key;
        try {
            key = TlsFiles.privateKey(path(options.key(), "ssl_key"), options.keyFormat());
            TlsFiles.checkPair(key, chain.getFirst());
        } catch (IOException e) {
            throw new LoadException("Error loading the key: " + name(options.key()) + " : " + e.getMessage());
        }
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                .sslProvider(provider)
                .protocols(options.protocols())
                .clientAuth(switch (options.verifyMode()) {
                    case 0 -> ClientAuth.NONE;
                    case 1 -> ClientAuth.OPTIONAL;
                    default -> ClientAuth.REQUIRE;
                });
        if (options.verifyMode() > 0 || options.caCert() != null) {
            builder.trustManager(trust(options.caCert()));
        }
        if (options.ciphers() != null) {
            builder.ciphers(cipherNames(options.ciphers(), provider));
        }
        SslContext context;
        try {
            context = builder.build();
            SSLEngine probe = context.newEngine(ByteBufAllocator.DEFAULT); // unknown cipher names fail here on the JDK
            ReferenceCountUtil.release(probe);
        } catch (SSLException | IllegalArgumentException e) {
            if (options.ciphers() != null) {
                throw new LoadException("Error setting the provided cipher(s): " + options.ciphers());
            }
            throw new LoadException("Error creating the TLS context: " + e.getMessage());
        }
        if (!options.sessionCache()) {
            if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
                openSsl.setSessionCacheEnabled(false);
            } else {
                context.sessionContext().setSessionCacheSize(1); // the JDK's cache cannot be turned off
            }
        }
        return context;
    }

    /**
     * @return the trust of ssl_ca_cert's CAs; with no CA file, a trust that accepts no client
     *         certificate (as OpenSSL with no verify locations), not the JDK's public CAs
     */
    private static TrustManagerFactory trust(String caCert) throws LoadException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            if (caCert != null) {
                int i = 0;
                for (X509Certificate ca : TlsFiles.certificates(Path.of(caCert))) {
                    store.setCertificateEntry("ca" + i++, ca);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory;
        } catch (IOException | GeneralSecurityException e) {
            throw new LoadException("Error loading the CA certificate: " + caCert + " : " + e.getMessage());
        }
    }

    /**
     * @return ssl_ciphers's colon-separated names; on the JDK, OpenSSL names such as
     *         ECDHE-RSA-AES128-GCM-SHA256 become the JDK's (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
     */
    private static List<String> cipherNames(String ciphers, SslProvider provider) {
        List<String> names = new ArrayList<>();
        for (String name : ciphers.split(":")) {
            String java = provider == SslProvider.JDK && !name.startsWith("TLS_") && !name.startsWith("SSL_")
                    ? CipherSuiteConverter.toJava(name, "TLS") : null;
            names.add(java == null ? name : java);
        }
        return names;
    }

    private static Path path(String file, String option) throws IOException {
        if (file == null) {
            throw new IOException(option + " is not set (-o " + option + "=<file>)");
        }
        return Path.of(file);
    }

    private static String name(String file) {
        return file == null ? "(null)" : file;
    }

    /** A certificate, key or CA file that cannot be loaded; the message is memcached's. */
    static final class LoadException extends Exception {
        LoadException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Counts each handshake's outcome (ssl_handshake_errors, ssl_new_sessions) and closes a
     * connection whose TLS fails, logging at debug level only: a client speaking plain text to a
     * TLS port is the client's error, not the server's. Shared by all TLS connections.
     */
    @ChannelHandler.Sharable
    private final class HandshakeWatcher extends ChannelInboundHandlerAdapter {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent completion) {
                if (!completion.isSuccess()) {
                    handshakeErrors.increment();
                } else if (isNewSession(ctx)) {
                    newSessions.increment();
                }
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
            Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (tls instanceof SSLException) {
                LOG.debug("closing a TLS connection from {}: {}", ctx.channel().remoteAddress(), tls.toString());
                ctx.close();
                return;
            }
            super.exceptionCaught(ctx, cause);
        }

        /**
         * A session resumed from the cache was created before this connection was. BoringSSL
         * keeps creation times in whole seconds, so a session resumed within the second it was
         * created counts as new.
         */
        private boolean isNewSession(ChannelHandlerContext ctx) {
            SSLSession session = ctx.pipeline().get(SslHandler.class).engine().getSession();
            Long opened = ctx.channel().attr(OPENED_MILLIS).get();
            return opened == null || session.getCreationTime() >= opened - opened % 1000;
        }
    }
}
