package io.ordinaut.tool;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs a JSON body to a URL something other than a tool calls (webhooks), under the tools' egress policy
 * and through {@link PinnedClients}: the connection goes to exactly the addresses the guard accepted, so a
 * host that resolves to an allowed address at the check and to the metadata service a moment later
 * (DNS rebinding) is never reached. Redirects are not followed and the answer's body is not read.
 */
public final class CheckedPost implements AutoCloseable {

    private final EgressGuard guard;
    private final CloseableHttpClient client;
    private final Duration timeout;

    CheckedPost(EgressGuard guard, Duration timeout, javax.net.ssl.SSLContext sslContext) {
        this.guard = guard;
        this.timeout = timeout;
        this.client = PinnedClients.create(guard, sslContext, timeout);
    }

    /**
     * @return the answer's HTTP status
     * @throws ToolCallException when the egress policy refuses the URL (not retryable), or its host cannot be
     *                           resolved now (retryable)
     * @throws IOException       when the POST failed on the wire; a timeout is an {@link java.io.InterruptedIOException}
     */
    @SuppressWarnings("deprecation") // execute(request, context) returning the open response is what we need here
    public int post(URI uri, Map<String, String> headers, String json) throws IOException {
        guard.checkName(uri);
        HttpPost request = new HttpPost(uri);
        request.setConfig(RequestConfig.custom()
                .setResponseTimeout(Timeout.of(timeout))
                .setConnectionRequestTimeout(Timeout.of(timeout))
                .build());
        headers.forEach(request::setHeader);
        // UTF-8, as JSON is; the header says application/json alone, as receivers verifying the signature expect
        request.setEntity(new ByteArrayEntity(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), ContentType.create("application/json")));
        try (CloseableHttpResponse response = client.execute(request, HttpClientContext.create())) {
            // the body means nothing here; aborting keeps an endless answer from holding the deliverer
            request.abort();
            return response.getCode();
        } catch (IOException e) {
            ToolCallException refused = PinnedClients.refusal(e);
            if (refused != null) {
                throw refused;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        PinnedClients.closeQuietly(client);
    }
}
