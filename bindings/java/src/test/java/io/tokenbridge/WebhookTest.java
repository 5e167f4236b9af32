package io.tokenbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link YativoWebhook} against the sandbox's signed webhooks (docs/sandbox-contract.md,
 * "Webhooks"): a real {@code com.sun.net.httpserver.HttpServer} on 127.0.0.1 receives
 * them, verifies them the way the README's receiver does and answers 200 or 401.
 */
public final class WebhookTest {
    private static final String OLD = "whsec_java_old";
    private static final String CURRENT = "whsec_java_current";

    private static String url;
    private static HttpServer server;
    private static YativoClient yativo;
    private static final BlockingQueue<Delivery> DELIVERIES = new LinkedBlockingQueue<>();
    private static final Set<String> SEEN = Collections.synchronizedSet(new HashSet<>());

    /** What the receiver got and made of it. */
    private static final class Delivery {
        byte[] body;
        Headers headers;
        YativoEvent event;
        Exception error;
        boolean duplicate;
        int answered;
    }

    @BeforeAll
    static void start() throws Exception {
        url = System.getProperty("tokenbridge.sandbox.url");
        if (url == null || url.isEmpty() || url.startsWith("${")) {
            url = System.getenv("TOKENBRIDGE_SANDBOX_URL");
        }
        if (url == null || url.isEmpty()) {
            throw new IllegalStateException("no sandbox: set TOKENBRIDGE_SANDBOX_URL (tokenbridge-sandbox prints it)");
        }
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        // The README's receiver: raw body, verify, 200 or 401, deduplicated by event id.
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            Delivery d = new Delivery();
            try (InputStream in = exchange.getRequestBody()) {
                d.body = readAll(in);
                d.headers = exchange.getRequestHeaders();
                try {
                    d.event = YativoWebhook.verify(d.body, exchange.getRequestHeaders(), OLD, CURRENT);
                    d.duplicate = !SEEN.add(d.event.getId());
                    d.answered = 200;
                } catch (WebhookVerificationException e) {
                    d.error = e;
                    d.answered = 401;
                }
                exchange.sendResponseHeaders(d.answered, -1);
            } catch (Exception e) {
                d.error = e;
            } finally {
                exchange.close();
                DELIVERIES.add(d);
            }
        });
        server.start();
        try (Config c = new Config().allowHttp(true).timeoutConnect(Duration.ofSeconds(5))
                .timeoutReceive(Duration.ofSeconds(10))) {
            yativo = new YativoClient(c, url + "/yativo/api/v1", "acct-sandbox", "yativo-secret");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            control("DELETE", "/__sandbox/webhooks", null);
        } finally {
            if (yativo != null) {
                yativo.close();
            }
            if (server != null) {
                server.stop(0);
            }
        }
    }

    /** The whole stream (Java 8 has no readAllBytes). */
    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0;) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static void control(String method, String path, String json) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(url + path).openConnection();
        conn.setRequestMethod(method);
        conn.setConnectTimeout(5000);
        conn.setReadTimeout(5000);
        if (json != null) {
            conn.setDoOutput(true);
            conn.setRequestProperty("Content-Type", "application/json");
            conn.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
        }
        try {
            assertEquals(200, conn.getResponseCode(), method + " " + path + " HTTP status");
        } finally {
            conn.disconnect();
        }
    }

    /** One payout, with the sandbox POSTing its event to our receiver in the given form. */
    private static Delivery deliver(String header, boolean prefix, String tamper) throws Exception {
        String what = header + (prefix ? " sha256=" : " bare") + " tamper=" + tamper;
        control("DELETE", "/__sandbox/webhooks", null);
        control("POST", "/__sandbox/webhooks", "{\"url\": \"http://127.0.0.1:" + server.getAddress().getPort()
                + "/hook\", \"secret\": \"" + CURRENT + "\", \"header\": \"" + header + "\", \"prefix\": " + prefix
                + ", \"tamper\": \"" + tamper + "\", \"times\": 1, \"timeout_ms\": 5000}");
        DELIVERIES.clear();
        Response r = yativo.send(new Request("POST", "payouts").json("{\"amount\": \"12.34\", \"currency\": \"USD\"}"));
        assertEquals(201, r.getStatus(), "the payout: " + r.getText());
        // Delivery runs on the sandbox's own thread: wait for it, at most 10 s.
        Delivery d = DELIVERIES.poll(10, TimeUnit.SECONDS);
        assertNotNull(d, what + ": the webhook came within 10 s");
        assertNotNull(d.body, what + ": the receiver read it (" + d.error + ")");
        String value = d.headers.getFirst(header);
        assertNotNull(value, what + ": the request has the signature header");
        assertTrue(!prefix || tamper.equals("empty") || value.startsWith("sha256="), what + ": the prefix: " + value);
        return d;
    }

    @Test
    @DisplayName("webhooks: the sandbox's signed webhooks, each header form, bare and sha256=, either secret of a rotation")
    void signedForms() throws Exception {
        Set<String> ids = new HashSet<>();
        Object[][] forms = {{"X-Yativo-Signature", false}, {"X-Webhook-Signature", true}, {"Signature", false},
            {"Signature", true}, {"X-Yativo-Signature", true}, {"X-Webhook-Signature", false}};
        for (Object[] form : forms) {
            String header = (String) form[0];
            boolean prefix = (Boolean) form[1];
            String what = header + (prefix ? " sha256=" : " bare");
            Delivery d = deliver(header, prefix, "none");
            assertNull(d.error, what + ": verified");
            assertEquals(200, d.answered, what + ": answered 200");
            YativoEvent e = d.event;
            assertEquals("payout.created", e.getType(), what + ": type");
            assertTrue(e.getId().startsWith("evt_") && e.getId().length() == 36, what + ": id " + e.getId());
            assertTrue(ids.add(e.getId()), what + ": a new id per payout");
            assertFalse(d.duplicate, what + ": not seen before");
            Instant at = e.getCreatedAt();
            assertNotNull(at, what + ": created_at");
            assertTrue(at.isAfter(Instant.now().minusSeconds(300)) && !at.isAfter(Instant.now().plusSeconds(5)),
                    what + ": created_at " + at);
            assertTrue(e.getDataJson().contains("\"amount\":\"12.34\"") && e.getDataJson().contains("po_"),
                    what + ": data " + e.getDataJson());
            assertTrue(new String(d.body, StandardCharsets.UTF_8).contains(e.getDataJson()),
                    what + ": data is the body's own JSON text");
            assertEquals(1, e.getSecretIndex(), what + ": the second secret (the current one) signed it");
            assertFalse(e.toString().contains("whsec"), what + ": toString holds no secret");

            // The other faces: name + value (another case), one secret; a plain Map; the old secret alone.
            String value = d.headers.getFirst(header);
            YativoEvent again = YativoWebhook.verify(d.body, header.toUpperCase(java.util.Locale.ROOT), value, CURRENT);
            assertEquals(e.getId(), again.getId(), what + ": name + value");
            assertEquals(0, again.getSecretIndex(), what + ": the only secret");
            Map<String, List<String>> map = new HashMap<>();
            map.put("content-type", Arrays.asList("application/json"));
            map.put(header.toLowerCase(java.util.Locale.ROOT), Arrays.asList(value));
            assertEquals(e.getId(), YativoWebhook.verify(d.body, map, OLD, CURRENT).getId(), what + ": a Map");
            WebhookVerificationException old = assertThrows(WebhookVerificationException.class,
                    () -> YativoWebhook.verify(d.body, header, value, OLD), what + ": the old secret alone");
            assertEquals("headerValue", old.getPart(), what + ": the part");
        }
    }

    @Test
    @DisplayName("webhooks: a changed body, a wrong secret, a truncated, non-hex or empty signature are refused naming the part")
    void refusals() throws Exception {
        String[][] cases = {
            {"X-Yativo-Signature", "bare", "body", "matches none of the 2 webhook secret(s)"},
            {"X-Yativo-Signature", "bare", "wrong_secret", "matches none of the 2 webhook secret(s)"},
            {"X-Webhook-Signature", "bare", "truncated", "is not a hex HMAC-SHA256"},
            {"Signature", "sha256", "non_hex", "is not a hex HMAC-SHA256"},
            {"X-Yativo-Signature", "bare", "empty", "is not a hex HMAC-SHA256"},
        };
        for (String[] c : cases) {
            String what = c[0] + " " + c[1] + " tamper=" + c[2];
            Delivery d = deliver(c[0], c[1].equals("sha256"), c[2]);
            assertNull(d.event, what + ": no event");
            assertEquals(401, d.answered, what + ": answered 401");
            assertTrue(d.error instanceof WebhookVerificationException, what + ": WebhookVerificationException: " + d.error);
            WebhookVerificationException e = (WebhookVerificationException) d.error;
            assertEquals("headerValue", e.getPart(), what + ": the part");
            assertEquals(Status.INVALID_ARGUMENT, e.getStatus(), what + ": status");
            assertTrue(e.getMessage().contains("`headerValue`"), what + ": the message names the part: " + e.getMessage());
            assertTrue(e.getReason().contains(c[3]), what + ": the reason: " + e.getReason());
            assertFalse(e.getMessage().contains("whsec_java"), what + ": no secret in the message");
            assertFalse(e.toString().contains("whsec_java"), what + ": no secret in toString");
        }
    }

    @Test
    @DisplayName("webhooks: arguments and request parts, each named; no secret in a message")
    void arguments() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(NullPointerException.class, () -> YativoWebhook.verify(null, "Signature", "00", "s"))
                .getMessage().startsWith("body"));
        assertTrue(assertThrows(NullPointerException.class, () -> YativoWebhook.verify(body, (String) null, "00", "s"))
                .getMessage().startsWith("headerName"));
        assertTrue(assertThrows(NullPointerException.class, () -> YativoWebhook.verify(body, "Signature", null, "s"))
                .getMessage().startsWith("headerValue"));
        assertTrue(assertThrows(NullPointerException.class,
                () -> YativoWebhook.verify(body, "Signature", "00", (String[]) null)).getMessage().startsWith("secrets"));
        assertTrue(assertThrows(NullPointerException.class,
                () -> YativoWebhook.verify(body, "Signature", "00", "s", null)).getMessage().startsWith("secrets"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> YativoWebhook.verify(body, "Signature", "00"));
        assertTrue(none.getMessage().startsWith("invalid argument `secrets`:"), none.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> YativoWebhook.verify(body, "Signature", "00", ""));
        assertTrue(empty.getMessage().startsWith("invalid argument `secrets`:") && empty.getMessage().contains("is empty"),
                empty.getMessage());

        WebhookVerificationException other = assertThrows(WebhookVerificationException.class,
                () -> YativoWebhook.verify(body, "Authorization", "00", "s"));
        assertEquals("headerName", other.getPart());
        assertTrue(other.getMessage().contains("Authorization"), other.getMessage());
        assertEquals("headerValue", assertThrows(WebhookVerificationException.class,
                () -> YativoWebhook.verify(body, "Signature", "00", "s")).getPart());

        Map<String, List<String>> noSignature = new HashMap<>();
        noSignature.put("Content-Type", Arrays.asList("application/json"));
        noSignature.put("Timestamp", Arrays.asList("1700000000"));
        WebhookVerificationException missing = assertThrows(WebhookVerificationException.class,
                () -> YativoWebhook.verify(body, noSignature, "s"));
        assertEquals("headers", missing.getPart());
        for (String h : YativoWebhook.SIGNATURE_HEADERS) {
            assertTrue(missing.getMessage().contains(h), missing.getMessage());
        }
        assertEquals("headers", assertThrows(WebhookVerificationException.class,
                () -> YativoWebhook.verify(body, new Headers(), "s")).getPart());
        Map<String, List<String>> emptyList = new HashMap<>();
        emptyList.put("Signature", new ArrayList<>());
        assertEquals("headers", assertThrows(WebhookVerificationException.class,
                () -> YativoWebhook.verify(body, emptyList, "s")).getPart(), "a header without a value is not there");

        // Signed correctly, but no event: names `body`. HMAC-SHA256 with the secret "s", from:
        // printf '%s' '{"hello": 1}' | openssl dgst -sha256 -hmac s
        byte[] hello = "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8);
        String sig = "866ab332b8cfa38658b9a40d8b5bd943667c27bd7ed7ba379c2c4d9db5176bc0";
        assertEquals("body", assertThrows(WebhookVerificationException.class,
                () -> YativoWebhook.verify(hello, "signature", sig, "s")).getPart());
    }
}
