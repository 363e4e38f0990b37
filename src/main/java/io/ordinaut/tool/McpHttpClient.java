package io.ordinaut.tool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * A {@link java.net.http.HttpClient} for the MCP SDK's Streamable HTTP transport (which only calls
 * {@link #sendAsync}) that sends through {@link PinnedClients}: the connection goes to exactly the
 * address the egress guard accepted, no redirect is followed, and a response body larger than
 * {@code maxBodyBytes} fails the exchange while it is read instead of being held in memory.
 */
final class McpHttpClient extends HttpClient {

    private final CloseableHttpClient client;
    private final EgressGuard guard;
    private final int maxBodyBytes;
    private final Duration readTimeout;
    private final Executor executor;

    McpHttpClient(CloseableHttpClient client, EgressGuard guard, int maxBodyBytes, Duration readTimeout, Executor executor) {
        this.client = client;
        this.guard = guard;
        this.maxBodyBytes = maxBodyBytes;
        this.readTimeout = readTimeout;
        this.executor = executor;
    }

    /** A builder whose {@code build()} gives this client; the SDK's settings on it are ours already. */
    HttpClient.Builder asBuilder() {
        McpHttpClient self = this;
        return new HttpClient.Builder() {
            public Builder cookieHandler(CookieHandler cookieHandler) {
                return this;
            }

            public Builder connectTimeout(Duration duration) {
                return this;
            }

            public Builder sslContext(SSLContext sslContext) {
                return this;
            }

            public Builder sslParameters(SSLParameters sslParameters) {
                return this;
            }

            public Builder executor(Executor executor) {
                return this;
            }

            public Builder followRedirects(Redirect policy) {
                return this;
            }

            public Builder version(Version version) {
                return this;
            }

            public Builder priority(int priority) {
                return this;
            }

            public Builder proxy(ProxySelector proxySelector) {
                return this;
            }

            public Builder authenticator(Authenticator authenticator) {
                return this;
            }

            public HttpClient build() {
                return self;
            }
        };
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return exchange(request, handler);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, executor);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return sendAsync(request, handler);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        return exchange(request, handler);
    }

    @SuppressWarnings("deprecation") // execute(request, context) returning the open response is what we need here
    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        guard.checkName(request.uri());
        HttpUriRequestBase outgoing = new HttpUriRequestBase(request.method(), request.uri());
        Duration timeout = request.timeout().orElse(readTimeout);
        outgoing.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.of(timeout))
                .setConnectionRequestTimeout(Timeout.of(timeout))
                .build());
        request.headers().map().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("content-length") && !name.equalsIgnoreCase("host")) {
                values.forEach(value -> outgoing.addHeader(name, value));
            }
        });
        byte[] body = body(request, timeout);
        if (body != null) {
            String type = request.headers().firstValue("Content-Type").orElse("application/json");
            outgoing.setEntity(new ByteArrayEntity(body, ContentType.parse(type)));
        }
        CloseableHttpResponse response;
        try {
            response = client.execute(outgoing, HttpClientContext.create());
        } catch (IOException e) {
            ToolCallException refused = PinnedClients.refusal(e);
            if (refused != null) {
                // an IOException for the SDK; McpTransport finds the verdict in the cause chain
                throw new IOException(refused.getMessage(), refused);
            }
            throw e;
        }
        boolean handedOver = false;
        try {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (Header header : response.getHeaders()) {
                headers.computeIfAbsent(header.getName(), k -> new ArrayList<>()).add(header.getValue());
            }
            HttpHeaders responseHeaders = HttpHeaders.of(headers, (name, value) -> true);
            int status = response.getCode();
            HttpResponse.ResponseInfo info = new HttpResponse.ResponseInfo() {
                public int statusCode() {
                    return status;
                }

                public HttpHeaders headers() {
                    return responseHeaders;
                }

                public Version version() {
                    return Version.HTTP_1_1;
                }
            };
            HttpResponse.BodySubscriber<T> subscriber = handler.apply(info);
            // The body is pumped on its own thread: SDK 2.x takes the body as a publisher it subscribes to
            // only after this response is handed back (an SSE stream may last long), so reading it here
            // first would wait for demand that never comes.
            executor.execute(() -> {
                try (response) {
                    pump(outgoing, response.getEntity(), subscriber, timeout);
                } catch (IOException ignored) {
                    // the subscriber got the failure already
                }
            });
            handedOver = true;
            T value;
            try {
                value = subscriber.getBody().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outgoing.abort(); // a plain close would wait for the pump to drain the body
                response.close();
                throw new IOException("interrupted while reading the MCP answer", e);
            } catch (ExecutionException e) {
                outgoing.abort(); // a plain close would wait for the pump to drain the body
                response.close();
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (TimeoutException e) {
                outgoing.abort(); // a plain close would wait for the pump to drain the body
                response.close();
                throw new IOException("MCP answer not complete after " + timeout.toSeconds() + "s", e);
            }
            return new Response<>(request, status, responseHeaders, value);
        } finally {
            if (!handedOver) {
                response.close();
            }
        }
    }

    /**
     * Hands the body to the subscriber as it asks for it, at most {@code maxBodyBytes} in all. A body not
     * read to its end (too large, a reader that stopped asking or cancelled) is aborted before the stream
     * is closed: closing would read and discard the rest to reuse the connection, for ever on an endless one.
     */
    private void pump(HttpUriRequestBase outgoing, HttpEntity entity, HttpResponse.BodySubscriber<?> subscriber,
                      Duration timeout) throws IOException {
        Demand demand = new Demand(timeout);
        subscriber.onSubscribe(demand);
        if (entity == null) {
            subscriber.onComplete();
            return;
        }
        long total = 0;
        boolean complete = false;
        try (InputStream in = entity.getContent()) {
            try {
                byte[] buffer = new byte[8192];
                int n;
                while (demand.awaitDemand() && (n = in.read(buffer)) >= 0) {
                    total += n;
                    if (total > maxBodyBytes) {
                        throw new AnswerTooLarge(maxBodyBytes);
                    }
                    subscriber.onNext(List.of(ByteBuffer.wrap(buffer.clone(), 0, n)));
                }
                complete = !demand.cancelled();
            } finally {
                if (!complete) {
                    outgoing.abort();
                }
            }
        } catch (IOException e) {
            subscriber.onError(e);
            throw e;
        }
        subscriber.onComplete();
    }

    /** An answer over the size limit: the server's doing, so trying again would fail the same way. */
    static final class AnswerTooLarge extends IOException {
        AnswerTooLarge(int maxBodyBytes) {
            super("answered with more than " + maxBodyBytes + " bytes (ordinaut.tools.max-response-bytes)");
        }
    }

    private static byte[] body(HttpRequest request, Duration timeout) throws IOException {
        if (request.bodyPublisher().isEmpty()) {
            return null;
        }
        CompletableFuture<byte[]> collected = new CompletableFuture<>();
        request.bodyPublisher().get().subscribe(new Flow.Subscriber<>() {
            private final ByteArrayOutputStream out = new ByteArrayOutputStream();

            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            public void onNext(ByteBuffer item) {
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                out.write(bytes, 0, bytes.length);
            }

            public void onError(Throwable throwable) {
                collected.completeExceptionally(throwable);
            }

            public void onComplete() {
                collected.complete(out.toByteArray());
            }
        });
        try {
            return collected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while preparing an MCP request", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("MCP request body could not be read", e);
        }
    }

    /** The subscriber's requests; the reading thread waits for them (the SDK asks as it consumes lines). */
    private static final class Demand implements Flow.Subscription {
        private final long timeoutNanos;
        private long requested;
        private boolean cancelled;

        Demand(Duration timeout) {
            this.timeoutNanos = timeout.toNanos();
        }

        @Override
        public synchronized void request(long n) {
            requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
            notifyAll();
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
            notifyAll();
        }

        synchronized boolean cancelled() {
            return cancelled;
        }

        /** @return false when cancelled */
        synchronized boolean awaitDemand() throws IOException {
            long deadline = System.nanoTime() + timeoutNanos;
            while (requested == 0 && !cancelled) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // a reader that stopped asking (a call given up on) must not hold this thread for ever
                    throw new IOException("MCP answer not read for " + Duration.ofNanos(timeoutNanos).toSeconds() + "s");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while streaming an MCP answer", e);
                }
            }
            if (cancelled) {
                return false;
            }
            requested--;
            return true;
        }
    }

    private record Response<T>(HttpRequest request, int statusCode, HttpHeaders headers, T body) implements HttpResponse<T> {
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.empty();
        }

        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        public URI uri() {
            return request.uri();
        }

        public Version version() {
            return Version.HTTP_1_1;
        }
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return Optional.empty();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.empty();
    }

    @Override
    public Redirect followRedirects() {
        return Redirect.NEVER;
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.empty();
    }

    @Override
    public SSLContext sslContext() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public SSLParameters sslParameters() {
        return sslContext().getDefaultSSLParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.empty();
    }

    @Override
    public Version version() {
        return Version.HTTP_1_1;
    }

    @Override
    public Optional<Executor> executor() {
        return Optional.of(executor);
    }
}
