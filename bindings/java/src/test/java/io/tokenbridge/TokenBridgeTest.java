package io.tokenbridge;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs the Java binding against the sandbox ({@code tokenbridge-sandbox}), as JUnit 5
 * tests in this order: all 13 operations, the token calls and the generic call of each
 * API, the error paths, async calls and cancellation, logging, forgotten clients, and
 * closing. The sandbox's URL comes from the system property {@code tokenbridge.sandbox.url}
 * or the {@code TOKENBRIDGE_SANDBOX_URL} environment variable (the pom passes both);
 * without it every test fails. Later tests use the clients and tokens of earlier ones,
 * as a person would (the uContact, Yativo, AnnA and async sections share a client each),
 * and the last one checks that every operation reached the sandbox.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public final class TokenBridgeTest {
    private static String url;

    private static final String API_USER = "apiuser";
    private static final String API_PASSWORD = "s3cret&=+ é"; // non-ASCII: proves UTF-8 in
    private static final String AGENT = "agent1";
    private static final String AGENT_PASSWORD = "agent-pass";
    private static final String YATIVO_ACCOUNT = "acct-sandbox";
    private static final String YATIVO_SECRET = "yativo-secret";
    private static final String ANNA_COMPANY = "COMPANYHASH";
    private static final String ANNA_USER = "annauser";
    private static final String ANNA_PASS = "anna-pass";

    // The clients and results that one section's tests share, in test order.
    private static UContactClient ucontactClient;
    private static final String[] UCONTACT_TOKEN = new String[1];
    private static YativoClient yativoClient;
    private static final Token[] YATIVO_FIRST = new Token[1];
    private static AnnaClient annaClient;
    private static final Token[] ANNA_TOKEN = new Token[1];
    private static YativoClient asyncClient;

    private interface Check {
        void run() throws Exception;
    }

    @BeforeAll
    static void sandbox() {
        url = System.getProperty("tokenbridge.sandbox.url");
        if (url == null || url.isEmpty() || url.startsWith("${")) { // unset in Maven: left as written
            url = System.getenv("TOKENBRIDGE_SANDBOX_URL");
        }
        if (url == null || url.isEmpty()) {
            throw new IllegalStateException("no sandbox: set TOKENBRIDGE_SANDBOX_URL (tokenbridge-sandbox prints it)");
        }
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        System.out.println("tokenbridge " + TokenBridge.version() + " at " + url);
    }

    @AfterAll
    static void closeShared() {
        for (AutoCloseable c : new AutoCloseable[] {ucontactClient, yativoClient, annaClient, asyncClient}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        ucontactClient = null;
        yativoClient = null;
        annaClient = null;
        asyncClient = null;
    }

    /** The uContact tests' client (API user, ends its session on close). */
    private static UContactClient ucontact() {
        if (ucontactClient == null) {
            Config uc = sandboxConfig().endSessionOnClose(true);
            ucontactClient = UContactClient.apiUser(uc, url + "/ucontact", API_USER, API_PASSWORD);
            uc.close();
        }
        return ucontactClient;
    }

    /** The Yativo tests' client. */
    private static YativoClient yativo() {
        if (yativoClient == null) {
            try (Config c = sandboxConfig()) {
                yativoClient = new YativoClient(c, url + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET);
            }
        }
        return yativoClient;
    }

    /** The AnnA tests' client. */
    private static AnnaClient anna() {
        if (annaClient == null) {
            try (Config c = sandboxConfig()) {
                annaClient = new AnnaClient(c, url + "/anna/", ANNA_COMPANY, ANNA_USER, ANNA_PASS);
            }
        }
        return annaClient;
    }

    /** The async and send tests' client (Yativo). */
    private static YativoClient asyncYativo() {
        if (asyncClient == null) {
            try (Config c = sandboxConfig()) {
                asyncClient = new YativoClient(c, url + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET);
            }
        }
        return asyncClient;
    }

    // ---- assertions ----

    private static void assertTrue(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    private static void assertEquals(Object expected, Object actual, String what) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }

    private static void assertNonEmpty(String s, String what) {
        assertTrue(s != null && !s.isEmpty(), what + " is empty or null");
    }

    private static TokenBridgeException expectFailure(Status status, Check body) throws Exception {
        try {
            body.run();
        } catch (TokenBridgeException e) {
            assertEquals(status, e.getStatus(), "status of " + e);
            assertNonEmpty(e.getMessage(), "exception message");
            return e;
        }
        throw new AssertionError("expected TokenBridgeException " + status + ", nothing was thrown");
    }

    /** Runs {@code body}, expects an exception of {@code type}, returns its message. */
    private static String expectThrown(Class<? extends Throwable> type, Check body) throws Exception {
        try {
            body.run();
        } catch (Throwable t) {
            if (!type.isInstance(t)) {
                throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
            }
            assertNonEmpty(t.getMessage(), "exception message");
            return t.getMessage();
        }
        throw new AssertionError("expected " + type.getSimpleName() + ", nothing was thrown");
    }

    // ---- the sandbox's request counts ----

    private static Map<String, Object> stats() throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(url + "/__sandbox/stats").openConnection();
        conn.setConnectTimeout(5000);
        conn.setReadTimeout(5000);
        try {
            assertEquals(200, conn.getResponseCode(), "stats HTTP status");
            InputStream in = conn.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buf.write(chunk, 0, n);
            }
            in.close();
            return Json.parseObject(new String(buf.toByteArray(), "UTF-8"));
        } finally {
            conn.disconnect();
        }
    }

    private static long count(Map<String, Object> stats, String key) {
        Object v = stats.get(key);
        return v instanceof Number ? ((Number) v).longValue() : 0;
    }

    /** Adds a sandbox fault (docs/sandbox-contract.md). */
    private static void fault(String json) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(url + "/__sandbox/faults").openConnection();
        conn.setRequestMethod("POST");
        conn.setDoOutput(true);
        conn.setRequestProperty("Content-Type", "application/json");
        conn.getOutputStream().write(json.getBytes("UTF-8"));
        try {
            assertEquals(200, conn.getResponseCode(), "fault HTTP status");
        } finally {
            conn.disconnect();
        }
    }

    /** Collects the records of the "tokenbridge" logger while installed. */
    private static final class Captured extends Handler {
        final List<LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<LogRecord>());
        private final Logger log = Logger.getLogger(TokenBridge.LOGGER_NAME);
        private Level level;
        private boolean parents;

        static Captured install() {
            Captured c = new Captured();
            c.level = c.log.getLevel();
            c.parents = c.log.getUseParentHandlers();
            c.log.addHandler(c);
            c.log.setLevel(Level.ALL);
            c.log.setUseParentHandlers(false);
            return c;
        }

        void uninstall() {
            log.removeHandler(this);
            log.setLevel(level);
            log.setUseParentHandlers(parents);
        }

        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        String all() {
            StringBuilder b = new StringBuilder();
            synchronized (records) {
                for (LogRecord r : records) {
                    b.append(r.getLevel()).append(' ').append(r.getSourceClassName()).append(": ")
                            .append(r.getMessage()).append('\n');
                }
            }
            return b.toString();
        }
    }

    /** Asserts that {@code body} sent exactly {@code expected} requests of operation {@code key}. */
    private static <T> T sends(String key, long expected, Callable<T> body) throws Exception {
        long before = count(stats(), key);
        T result = body.call();
        long after = count(stats(), key);
        assertEquals(expected, after - before, "requests of " + key);
        return result;
    }

    private static Config sandboxConfig() {
        return new Config().allowHttp(true).timeoutConnect(Duration.ofSeconds(5))
                .timeoutReceive(Duration.ofSeconds(10));
    }

    /** Two logged-in uContact clients nobody closes. */
    private static void forgetTwoUContactClients() throws Exception {
        for (int i = 0; i < 2; i++) {
            Config c = sandboxConfig().endSessionOnClose(true);
            UContactClient u = UContactClient.apiUser(c, url + "/ucontact", API_USER, API_PASSWORD);
            c.close();
            assertNonEmpty(u.getUserToken(), "token");
        }
    }

    // ---- the tests, in order ----

    @Test
    @Order(1)
    @DisplayName("version string and number agree")
    void t01_versionStringAndNumberAgree() throws Exception {
        String v = TokenBridge.version();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+"), "version format: " + v);
        String[] p = v.split("\\.");
        int n = Integer.parseInt(p[0]) * 10000 + Integer.parseInt(p[1]) * 100 + Integer.parseInt(p[2]);
        assertEquals(n, TokenBridge.versionNumber(), "tb_version_number");
    }

    @Test
    @Order(2)
    @DisplayName("status names match the C names")
    void t02_statusNamesMatchTheCNames() throws Exception {
        for (Status s : Status.values()) {
            if (s != Status.UNKNOWN) {
                assertEquals("TB_" + s.name(), s.cName(), "tb_status_name(" + s.code() + ")");
            }
        }
    }

    @Test
    @Order(3)
    @DisplayName("JSON reader: nesting, escapes, numbers")
    void t03_jsonReaderNestingEscapesNumbers() throws Exception {
        Object v = Json.parse(" {\"a\": [1, -2.5e1, true, null, \"x\\u00e9\\n\"], \"b\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0), "integer");
        assertEquals(-25.0, ((Number) a.get(1)).doubleValue(), "decimal");
        assertEquals(Boolean.TRUE, a.get(2), "true");
        assertTrue(a.get(3) == null, "null");
        assertEquals("xé\n", a.get(4), "escapes");
        assertEquals("{\"a\":[1,-25,true,null,\"xé\\n\"],\"b\":{}}", Json.write(v), "round trip");
        boolean threw = false;
        try {
            Json.parse("{\"a\": 1,}");
        } catch (IllegalArgumentException e) {
            threw = true;
        }
        assertTrue(threw, "trailing comma rejected");
    }

    @Test
    @Order(4)
    @DisplayName("config: negative or null durations are refused by name")
    void t04_configNegativeOrNullDurationsAreRefused() throws Exception {
        try (Config c = new Config()) {
            final String[] names = {"timeoutConnect", "refreshAhead", "dnsCacheTtl"};
            for (final String name : names) {
                for (final Duration d : new Duration[] {Duration.ofMillis(-1), null}) {
                    String msg = null;
                    try {
                        switch (name) {
                            case "timeoutConnect": c.timeoutConnect(d); break;
                            case "refreshAhead": c.refreshAhead(d); break;
                            default: c.dnsCacheTtl(d); break;
                        }
                    } catch (IllegalArgumentException e) {
                        msg = e.getMessage();
                    }
                    assertTrue(msg != null && msg.contains(name), name + "(" + d + ") refused: " + msg);
                }
            }
        }
    }

    @Test
    @Order(5)
    @DisplayName("config: a zero timeout is INVALID_ARGUMENT naming the Java setter, not the C parameter")
    void t05_configAZeroTimeoutIsINVALIDARGUMENT() throws Exception {
        try (Config c = new Config()) {
            TokenBridgeException e = expectFailure(Status.INVALID_ARGUMENT,
                    () -> c.timeoutConnect(Duration.ZERO));
            assertTrue(e.getMessage().contains("`timeoutConnect`") && !e.getMessage().contains("timeout_connect_ms"),
                    "names timeoutConnect: " + e.getMessage());
            assertEquals(0, e.getHttpStatus(), "http status");
            assertTrue(e.getVendorMessage() == null, "no vendor message");
        }
    }

    @Test
    @Order(6)
    @DisplayName("a null argument is a NullPointerException naming the Java parameter")
    void t06_aNullArgumentIsANullPointerExceptionNaming() throws Exception {
        try (Config c = sandboxConfig()) {
            String m = expectThrown(NullPointerException.class,
                    () -> UContactClient.apiUser(c, url + "/ucontact", API_USER, null).close());
            assertTrue(m.contains("password"), "message names `password`: " + m);
            m = expectThrown(NullPointerException.class,
                    () -> new YativoClient(c, url + "/yativo/api/v1", null, YATIVO_SECRET).close());
            assertTrue(m.contains("accountId") && !m.contains("account_id"), "names accountId: " + m);
        }
    }

    @Test
    @Order(7)
    @DisplayName("a NUL inside a string is an IllegalArgumentException naming it, not a cut string")
    void t07_aNULInsideAStringIsAn() throws Exception {
        try (Config c = sandboxConfig()) {
            String m = expectThrown(IllegalArgumentException.class,
                    () -> UContactClient.apiUser(c, url + "/ucontact", API_USER, "s3cret\0junk").close());
            assertTrue(m.contains("password") && !m.contains("junk"), "message names `password`: " + m);
        }
    }

    @Test
    @Order(8)
    @DisplayName("a value the library refuses names the Java parameter (baseUrl, not base_url)")
    void t08_aValueTheLibraryRefusesNamesThe() throws Exception {
        try (Config c = sandboxConfig()) {
            TokenBridgeException e = expectFailure(Status.INVALID_ARGUMENT,
                    () -> new YativoClient(c, "not a url", YATIVO_ACCOUNT, YATIVO_SECRET).close());
            assertTrue(e.getMessage().contains("baseUrl") && !e.getMessage().contains("base_url"),
                    "names baseUrl: " + e.getMessage());
        }
    }

    @Test
    @Order(9)
    @DisplayName("UTF-8 both ways: a non-ASCII argument comes back intact in the error message")
    void t09_utf8BothWaysANonASCII() throws Exception {
        try (Config c = sandboxConfig()) {
            TokenBridgeException e = expectFailure(Status.INVALID_ARGUMENT,
                    () -> UContactClient.apiUser(c, "café_ñandú", API_USER, API_PASSWORD).close());
            assertTrue(e.getMessage().contains("café_ñandú"), "message: " + e.getMessage());
        }
    }

    @Test
    @Order(10)
    @DisplayName("plain http:// is refused unless allowed")
    void t10_plainHttpIsRefusedUnlessAllowed() throws Exception {
        expectFailure(Status.INVALID_ARGUMENT, () -> {
            try (AnnaClient a = new AnnaClient(null, url + "/anna/", ANNA_COMPANY, ANNA_USER, ANNA_PASS)) {
                a.getToken();
            }
        });
    }

    @Test
    @Order(11)
    @DisplayName("config: DNS cache TTL (zero, default, custom); clients reach the sandbox by host name")
    void t11_configDNSCacheTTLZeroDefaultCustom() throws Exception {
        // The sandbox by host name, so that the client resolves it.
        final String base = url.replace("://127.0.0.1:", "://localhost:") + "/anna/";
        // null: the default (60 s); zero asks DNS before every request.
        Duration[] ttls = {Duration.ZERO, null, Duration.ofMillis(1), Duration.ofMinutes(1)};
        for (final Duration ttl : ttls) {
            try (Config c = sandboxConfig()) {
                if (ttl != null) {
                    assertTrue(c.dnsCacheTtl(ttl) == c, "dnsCacheTtl returns the config");
                }
                try (AnnaClient a = new AnnaClient(c, base, ANNA_COMPANY, ANNA_USER, ANNA_PASS)) {
                    sends("anna.GetToken", 3, () -> {
                        for (int i = 0; i < 3; i++) {
                            assertNonEmpty(a.getToken().getValue(), "token " + (i + 1) + " with TTL " + ttl);
                            if (Duration.ofMillis(1).equals(ttl)) {
                                Thread.sleep(5); // the kept answer expires
                            }
                        }
                        return null;
                    });
                }
            }
        }
    }

    @Test
    @Order(12)
    @DisplayName("uContact U1 getUserToken (UTF-8 password)")
    void t12_ucontactU1GetUserTokenUTF8Password() throws Exception {
        final UContactClient u = ucontact();
        final String[] token = UCONTACT_TOKEN;
        token[0] = sends("ucontact.getUserToken", 1, u::getUserToken);
        assertNonEmpty(token[0], "token");
    }

    @Test
    @Order(13)
    @DisplayName("uContact token() serves the cached token")
    void t13_ucontactTokenServesTheCachedToken() throws Exception {
        final UContactClient u = ucontact();
        final String[] token = UCONTACT_TOKEN;
        assertEquals(token[0], sends("ucontact.getUserToken", 0, u::token), "cached token");
    }

    @Test
    @Order(14)
    @DisplayName("uContact generic call (form body)")
    void t14_ucontactGenericCallFormBody() throws Exception {
        final UContactClient u = ucontact();
        Map<String, String> form = new LinkedHashMap<String, String>();
        form.put("campaign", "Sales é");
        form.put("phone", "+5511999999999");
        RawResponse r = sends("ucontact.call", 1, () -> u.call("POST",
                "Integra/resources/Dialers/DialerTask", Body.form(form)));
        assertEquals(200, r.getStatus(), "HTTP status");
        assertTrue(r.getJson() instanceof Map || r.getJson() instanceof List, "JSON body: " + r.getBody());
    }

    @Test
    @Order(15)
    @DisplayName("uContact U3 EndSession (and again: no session, nothing sent)")
    void t15_ucontactU3EndSessionAndAgainNoSession() throws Exception {
        final UContactClient u = ucontact();
        sends("ucontact.EndSession", 1, () -> {
            u.endSession();
            return null;
        });
        sends("ucontact.EndSession", 0, () -> {
            u.endSession();
            return null;
        });
    }

    @Test
    @Order(16)
    @DisplayName("uContact setToken with a stale token: 401, one re-login, then 200")
    void t16_ucontactSetTokenWithAStaleToken401() throws Exception {
        final UContactClient u = ucontact();
        u.setToken("stale-token");
        RawResponse r = sends("ucontact.getUserToken", 1, () -> u.call("POST",
                "Integra/resources/Dialers/DialerTask", Body.json("{\"campaign\":\"x\"}")));
        assertEquals(200, r.getStatus(), "HTTP status after re-login");
    }

    @Test
    @Order(17)
    @DisplayName("uContact close ends the live session once")
    void t17_ucontactCloseEndsTheLiveSessionOnce() throws Exception {
        final UContactClient u = ucontact();
        sends("ucontact.EndSession", 1, () -> {
            u.close();
            u.close();
            return null;
        });
    }

    @Test
    @Order(18)
    @DisplayName("uContact U2 AgentLogin returns the profile without SIP secrets")
    void t18_ucontactU2AgentLoginReturnsTheProfileWithout() throws Exception {
        final String base = url + "/ucontact";
        try (Config c = sandboxConfig();
                UContactClient a = UContactClient.agent(c, base, AGENT, AGENT_PASSWORD)) {
            AgentProfile p = sends("ucontact.AgentLogin", 1, a::agentLogin);
            assertNonEmpty(p.getToken(), "profile token");
            assertEquals(AGENT, p.getName(), "name");
            assertEquals("Agent One", p.getFullname(), "fullname");
            assertNonEmpty(p.getCallerid(), "callerid");
            assertTrue(!p.getRaw().containsKey("secret"), "secret removed");
            assertTrue(!p.getRaw().containsKey("md5secret"), "md5secret removed");
            assertEquals(p.getToken(), a.token(), "the profile's token is cached");
            assertTrue(!p.toString().contains(p.getToken()), "toString hides the token");
        }
    }

    @Test
    @Order(19)
    @DisplayName("uContact wrong password: REJECTED with the vendor's message")
    void t19_ucontactWrongPasswordREJECTEDWithTheVendor() throws Exception {
        final String base = url + "/ucontact";
        try (Config c = sandboxConfig();
                UContactClient bad = UContactClient.apiUser(c, base, API_USER, "wrong-password")) {
            TokenBridgeException e = expectFailure(Status.REJECTED, bad::getUserToken);
            assertNonEmpty(e.getVendorMessage(), "vendor message");
            assertTrue(e.getMessage().contains(e.getVendorMessage()),
                    "message carries the vendor's: " + e.getMessage());
            assertTrue(!e.getMessage().contains("wrong-password"), "message hides the password");
            System.out.println("     (" + e + ")");
        }
    }

    @Test
    @Order(20)
    @DisplayName("uContact agent with the wrong password: REJECTED")
    void t20_ucontactAgentWithTheWrongPasswordREJECTED() throws Exception {
        final String base = url + "/ucontact";
        try (Config c = sandboxConfig();
                UContactClient bad = UContactClient.agent(c, base, AGENT, "nope")) {
            TokenBridgeException e = expectFailure(Status.REJECTED, bad::agentLogin);
            assertNonEmpty(e.getVendorMessage(), "vendor message");
        }
    }

    @Test
    @Order(21)
    @DisplayName("Yativo Y1 login: token with an expiry")
    void t21_yativoY1LoginTokenWithAnExpiry() throws Exception {
        final YativoClient y = yativo();
        final Token[] first = YATIVO_FIRST;
        first[0] = sends("yativo.login", 1, y::login);
        assertNonEmpty(first[0].getValue(), "token");
        assertTrue(first[0].getExpiresAt() != null && first[0].getExpiresAt().isAfter(Instant.now()),
                "expires in the future: " + first[0].getExpiresAt());
        assertTrue(!first[0].toString().contains(first[0].getValue()), "toString hides the token");
    }

    @Test
    @Order(22)
    @DisplayName("Yativo Y2 refreshToken: a new token, cached")
    void t22_yativoY2RefreshTokenANewTokenCached() throws Exception {
        final YativoClient y = yativo();
        final Token[] first = YATIVO_FIRST;
        Token t = sends("yativo.refresh", 1, y::refreshToken);
        assertNonEmpty(t.getValue(), "token");
        assertTrue(!t.getValue().equals(first[0].getValue()), "refresh gave a new token");
        assertTrue(t.getExpiresAt() != null, "expiry");
        assertEquals(t.getValue(), sends("yativo.login", 0, y::token), "token() serves the refreshed one");
    }

    @Test
    @Order(23)
    @DisplayName("Yativo generic call")
    void t23_yativoGenericCall() throws Exception {
        final YativoClient y = yativo();
        RawResponse r = sends("yativo.call", 1, () -> y.call("GET", "wallet/balance", null));
        assertEquals(200, r.getStatus(), "HTTP status");
        assertTrue(r.getJson() instanceof Map, "JSON object: " + r.getBody());
    }

    @Test
    @Order(24)
    @DisplayName("Yativo setToken with a stale token: 401, one re-login, then 200")
    void t24_yativoSetTokenWithAStaleToken401() throws Exception {
        final YativoClient y = yativo();
        y.setToken("stale-token", Instant.now().plusSeconds(3600));
        assertEquals("stale-token", y.token(), "token() serves the set token");
        RawResponse r = y.call("GET", "wallet/balance", Body.none());
        assertEquals(200, r.getStatus(), "HTTP status after re-login");
        assertTrue(!"stale-token".equals(y.token()), "stale token replaced");
    }

    @Test
    @Order(25)
    @DisplayName("Yativo wrong app secret: REJECTED with the vendor's message")
    void t25_yativoWrongAppSecretREJECTEDWithThe() throws Exception {
        final String base = url + "/yativo/api/v1";
        try (Config c = sandboxConfig();
                YativoClient bad = new YativoClient(c, base, YATIVO_ACCOUNT, "wrong-secret")) {
            TokenBridgeException e = expectFailure(Status.REJECTED, bad::login);
            assertNonEmpty(e.getVendorMessage(), "vendor message");
            assertTrue(!e.getMessage().contains("wrong-secret"), "message hides the secret");
        }
    }

    @Test
    @Order(26)
    @DisplayName("Yativo token near expiry is refreshed by token() on its own")
    void t26_yativoTokenNearExpiryIsRefreshedBy() throws Exception {
        final String base = url + "/yativo/api/v1";
        final Token[] first = YATIVO_FIRST;
        try (Config c = sandboxConfig();
                YativoClient y = new YativoClient(c, base, YATIVO_ACCOUNT, YATIVO_SECRET)) {
            Token t = y.login();
            // The same token, now said to expire in 1-2 s: fresh at first, due (or expired)
            // after half its life. Either way token() fetches exactly one new token.
            y.setToken(t.getValue(), Instant.now().plusSeconds(2));
            assertEquals(t.getValue(), sends("yativo.refresh", 0, y::token), "still fresh");
            Thread.sleep(1500);
            Map<String, Object> before = stats();
            String next = y.token();
            Map<String, Object> after = stats();
            long fetched = count(after, "yativo.refresh") - count(before, "yativo.refresh")
                    + count(after, "yativo.login") - count(before, "yativo.login");
            assertEquals(1L, fetched, "one refresh (or login) for the due token");
            assertTrue(!next.equals(t.getValue()), "a new token");
            assertEquals(next, y.token(), "the new token is cached");
        }
    }

    @Test
    @Order(27)
    @DisplayName("AnnA A1 GetToken")
    void t27_annaA1GetToken() throws Exception {
        final AnnaClient a = anna();
        final Token[] token = ANNA_TOKEN;
        token[0] = sends("anna.GetToken", 1, a::getToken);
        assertNonEmpty(token[0].getValue(), "token");
        assertEquals(token[0].getValue(), sends("anna.GetToken", 0, a::token), "cached token");
    }

    @Test
    @Order(28)
    @DisplayName("AnnA A2 UserHash")
    void t28_annaA2UserHash() throws Exception {
        final AnnaClient a = anna();
        AccessData d = sends("anna.UserHash", 1, () -> a.userHash("42", null));
        assertNonEmpty(d.getHash(), "hash");
        assertTrue(d.getChatUrl().startsWith("http"), "chat URL: " + d.getChatUrl());
        assertNonEmpty(d.getEmbeddedUrl(), "embedded URL");
        assertNonEmpty(d.getExpiresRaw(), "raw expiry");
        assertTrue(d.getExpires() != null, "parsed expiry from " + d.getExpiresRaw());
        assertTrue(!d.toString().contains(d.getHash()), "toString hides the hash");
        AccessData s = a.userHash("42", "SAC");
        assertNonEmpty(s.getHash(), "hash with a start service");
    }

    @Test
    @Order(29)
    @DisplayName("AnnA unknown user: REJECTED with the vendor's message")
    void t29_annaUnknownUserREJECTEDWithTheVendor() throws Exception {
        final AnnaClient a = anna();
        TokenBridgeException e = expectFailure(Status.REJECTED, () -> a.userHash("999", null));
        assertTrue(e.getVendorMessage() != null && e.getVendorMessage().contains("not found"),
                "vendor message: " + e.getVendorMessage());
        assertTrue(e.getMessage().contains(e.getVendorMessage()), "message carries the vendor's");
        System.out.println("     (" + e + ")");
    }

    @Test
    @Order(30)
    @DisplayName("AnnA A3 UserHashForced (UTF-8 name)")
    void t30_annaA3UserHashForcedUTF8Name() throws Exception {
        final AnnaClient a = anna();
        AccessData d = sends("anna.UserHashForced", 1, () -> a.userHashForced("7", "João Ñandú", null));
        assertNonEmpty(d.getHash(), "hash");
    }

    @Test
    @Order(31)
    @DisplayName("AnnA A4 InactivateUser")
    void t31_annaA4InactivateUser() throws Exception {
        final AnnaClient a = anna();
        String msg = sends("anna.Inactivate", 1, () -> a.inactivateUser("7"));
        System.out.println("     (message: " + msg + ")");
    }

    @Test
    @Order(32)
    @DisplayName("AnnA A5 MessengerStructure")
    void t32_annaA5MessengerStructure() throws Exception {
        final AnnaClient a = anna();
        MessengerStructure s = sends("anna.Structure", 1, a::messengerStructure);
        assertEquals("Sandbox Company", s.getCompaniesName(), "company name");
        assertNonEmpty(s.getCompaniesHash(), "companies hash");
        assertTrue(!s.getDepartments().isEmpty(), "departments");
        MessengerStructure.Department d = s.getDepartments().get(0);
        assertNonEmpty(d.getAlias(), "department alias");
        assertTrue(!d.getChannels().isEmpty(), "channels of " + d);
        assertNonEmpty(d.getChannels().get(0).getAlias(), "channel alias");
        assertTrue(s.getRaw() != null, "raw structure");
    }

    @Test
    @Order(33)
    @DisplayName("AnnA A6 MessengerAlertCounter by id and by document")
    void t33_annaA6MessengerAlertCounterByIdAndBy() throws Exception {
        final AnnaClient a = anna();
        final AnnaUser byId = AnnaUser.byId("42");
        final AnnaUser byDoc = AnnaUser.byDocument("CPF", "12345678900");
        long n = sends("anna.AlertCounter", 1, () -> a.messengerAlertCounter(byId, null));
        assertEquals(n, a.messengerAlertCounter(byDoc, null), "same user, same count");
        long open = a.messengerAlertCounter(byId,
                new MessengerFilter().status(MessengerFilter.Status.OPEN).dateFrom(LocalDate.of(2020, 1, 1)));
        assertTrue(open >= 0 && open <= n || n == 0, "filtered count " + open + " of " + n);
    }

    @Test
    @Order(34)
    @DisplayName("AnnA A7 MessengerRequests")
    void t34_annaA7MessengerRequests() throws Exception {
        final AnnaClient a = anna();
        final AnnaUser byId = AnnaUser.byId("42");
        final AnnaUser byDoc = AnnaUser.byDocument("CPF", "12345678900");
        MessengerRequests r = sends("anna.Requests", 1, () -> a.messengerRequests(byId, null));
        for (MessengerRequest q : r) {
            assertTrue(q.getRaw() != null, "raw item");
        }
        MessengerRequests viaDoc = a.messengerRequests(byDoc, new MessengerFilter().pending(true));
        assertTrue(viaDoc.size() <= r.size(), "filtered list not longer");
        System.out.println("     (" + r.size() + " requests: " + r + ")");
    }

    @Test
    @Order(35)
    @DisplayName("AnnA A8 MessengerLink")
    void t35_annaA8MessengerLink() throws Exception {
        final AnnaClient a = anna();
        final AnnaUser byId = AnnaUser.byId("42");
        final AnnaUser byDoc = AnnaUser.byDocument("CPF", "12345678900");
        String link = sends("anna.Link", 1, () -> a.messengerLink(byId));
        assertNonEmpty(link, "link");
        assertNonEmpty(a.messengerLink(byDoc), "link by document");
    }

    @Test
    @Order(36)
    @DisplayName("AnnA user selection: a null document value is a NullPointerException naming docValue")
    void t36_annaUserSelectionANullDocumentValue() throws Exception {
        final AnnaClient a = anna();
        String m = expectThrown(NullPointerException.class,
                () -> a.messengerLink(AnnaUser.byDocument("CPF", null)));
        assertTrue(m.contains("docValue"), "names docValue: " + m);
    }

    @Test
    @Order(37)
    @DisplayName("AnnA generic call")
    void t37_annaGenericCall() throws Exception {
        final AnnaClient a = anna();
        RawResponse r = sends("anna.call", 1, () -> a.call("POST", "REST/AnnACorporate/Ping",
                Body.json("{}")));
        assertEquals(200, r.getStatus(), "HTTP status");
    }

    @Test
    @Order(38)
    @DisplayName("AnnA setToken with a stale token: 401, one new GetToken, then 200")
    void t38_annaSetTokenWithAStaleToken401() throws Exception {
        final AnnaClient a = anna();
        a.setToken("stale-token");
        RawResponse r = sends("anna.GetToken", 1, () -> a.call("POST", "REST/AnnACorporate/Ping", null));
        assertEquals(200, r.getStatus(), "HTTP status after a new token");
    }

    @Test
    @Order(39)
    @DisplayName("AnnA wrong password: REJECTED with the vendor's message")
    void t39_annaWrongPasswordREJECTEDWithTheVendor() throws Exception {
        final String base = url + "/anna/";
        try (Config c = sandboxConfig();
                AnnaClient bad = new AnnaClient(c, base, ANNA_COMPANY, ANNA_USER, "wrong-pass")) {
            TokenBridgeException e = expectFailure(Status.REJECTED, bad::getToken);
            assertNonEmpty(e.getVendorMessage(), "vendor message");
            assertTrue(!e.getMessage().contains("wrong-pass"), "message hides the password");
        }
    }

    @Test
    @Order(40)
    @DisplayName("async: loginAsync and callAsync complete on the executor")
    void t40_asyncLoginAsyncAndCallAsyncCompleteOnThe() throws Exception {
        final YativoClient y = asyncYativo();
        Token t = sends("yativo.login", 1, () -> y.loginAsync().get(10, TimeUnit.SECONDS));
        assertNonEmpty(t.getValue(), "token");
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            RawResponse r = y.callAsync("GET", "wallet/balance", null, pool).get(10, TimeUnit.SECONDS);
            assertEquals(200, r.getStatus(), "HTTP status");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    @Order(41)
    @DisplayName("async: a failure completes the future exceptionally with the TokenBridgeException")
    void t41_asyncAFailureCompletesTheFutureExceptionally() throws Exception {
        final String base = url + "/yativo/api/v1";
        try (Config c = sandboxConfig(); YativoClient bad = new YativoClient(c, base, YATIVO_ACCOUNT, "wrong")) {
            try {
                bad.loginAsync().get(10, TimeUnit.SECONDS);
                throw new AssertionError("no failure");
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof TokenBridgeException, "cause: " + e.getCause());
                assertEquals(Status.REJECTED, ((TokenBridgeException) e.getCause()).getStatus(), "status");
            }
        }
    }

    @Test
    @Order(42)
    @DisplayName("async: cancel(true) stops the native call within 200 ms; the client works right after")
    void t42_asyncCancelTrueStopsTheNativeCall() throws Exception {
        final YativoClient y = asyncYativo();
        fault("{\"path\": \"/yativo/api/v1/wallet/balance\", \"delay_ms\": 3000, \"times\": 1}");
        final CountDownLatch ended = new CountDownLatch(1);
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // The executor's task ends when the native call has returned.
            CompletableFuture<RawResponse> f = y.callAsync("GET", "wallet/balance", null, task ->
                    pool.execute(() -> {
                        try {
                            task.run();
                        } finally {
                            ended.countDown();
                        }
                    }));
            Thread.sleep(500); // the request is waiting in the sandbox
            assertTrue(!f.isDone(), "still running before the cancel");
            long t0 = System.nanoTime();
            assertTrue(f.cancel(true), "cancel returned true");
            assertTrue(ended.await(200, TimeUnit.MILLISECONDS), "the native call ended within 200 ms");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("     (native call ended " + ms + " ms after the cancel)");
            try {
                f.get();
                throw new AssertionError("get() of a cancelled future returned");
            } catch (CancellationException expected) {
                assertTrue(f.isCancelled(), "isCancelled");
            }
            long t1 = System.nanoTime();
            assertEquals(200, y.call("GET", "wallet/balance", null).getStatus(), "next call");
            assertTrue((System.nanoTime() - t1) / 1_000_000 < 1000, "the next call did not wait");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    @Order(43)
    @DisplayName("generic send: a header and a query go over the wire; status, headers and body come back")
    void t43_genericSendAHeaderAndAQuery() throws Exception {
        final YativoClient y = asyncYativo();
        Request req = new Request("GET", "wallet/balance").query("currency", "USD")
                .header("X-Request-Id", "java-test-1");
        Response r = sends("yativo.call", 1, () -> y.send(req));
        assertEquals(200, r.getStatus(), "HTTP status");
        assertTrue(r.getText().contains("{"), "JSON body: " + r.getText());
        assertTrue(r.getHeader("Content-Type") != null && r.getHeader("content-type").contains("json"),
                "content-type header: " + r.getHeaders());
        assertTrue(!r.toString().contains(r.getText()), "toString hides the body");
        // An added header goes over the wire: the sandbox replays a POST with the same Idempotency-Key.
        String key = "java-" + System.nanoTime();
        Request payout = new Request("POST", "payouts").json("{\"amount\": \"10.00\", \"currency\": \"USD\"}")
                .header("Idempotency-Key", key);
        long executed = count(stats(), "yativo.payouts_executed");
        Response first = y.send(payout);
        Response second = y.send(payout);
        assertEquals(201, first.getStatus(), "payout status: " + first.getText());
        assertTrue(first.getHeader("Idempotent-Replayed") == null, "first is new");
        assertEquals("true", second.getHeader("idempotent-replayed"), "second is replayed");
        assertEquals(first.getText(), second.getText(), "same body");
        assertEquals(executed + 1, count(stats(), "yativo.payouts_executed"), "one payout executed");
        Response a = y.sendAsync(req).get(10, TimeUnit.SECONDS);
        assertEquals(200, a.getStatus(), "async HTTP status");
        TokenBridgeException e = expectFailure(Status.INVALID_ARGUMENT,
                () -> y.send(new Request("GET", "wallet/balance").header("Host", "evil")));
        assertTrue(e.getMessage().contains("Host"), "names the header: " + e.getMessage());
        e = expectFailure(Status.INVALID_ARGUMENT,
                () -> y.send(new Request("POST", "payouts").idempotencyKey(" ")));
        assertTrue(e.getMessage().contains("idempotencyKey"), "names idempotencyKey: " + e.getMessage());
        String m = expectThrown(NullPointerException.class, () -> new Request("GET", "x").query("q", null));
        assertTrue(m.contains("value"), "names value: " + m);
    }

    @Test
    @Order(44)
    @DisplayName("logging: records reach java.util.logging, without any secret")
    void t44_loggingRecordsReachJavaUtilLoggingWithout() throws Exception {
        final String base = url + "/yativo/api/v1";
        final Captured captured = Captured.install();
        try {
            TokenBridge.enableLogging(Level.FINEST);
            String[] tokens = new String[3];
            try (Config c = sandboxConfig();
                    YativoClient yy = new YativoClient(c, base, YATIVO_ACCOUNT, YATIVO_SECRET);
                    UContactClient u = UContactClient.apiUser(c, url + "/ucontact", API_USER, API_PASSWORD);
                    AnnaClient a = new AnnaClient(c, url + "/anna/", ANNA_COMPANY, ANNA_USER, ANNA_PASS)) {
                tokens[0] = yy.login().getValue();
                tokens[1] = u.getUserToken();
                tokens[2] = a.getToken().getValue();
                yy.call("GET", "wallet/balance", null);
            } finally {
                TokenBridge.disableLogging();
            }
            String all = captured.all();
            assertTrue(all.contains("FINE"), "request records at FINE");
            assertTrue(all.contains("tokenbridge"), "targets as source class");
            for (String secret : new String[] {YATIVO_SECRET, API_PASSWORD, ANNA_PASS, tokens[0], tokens[1],
                tokens[2]}) {
                assertTrue(!all.contains(secret), "a secret reached the log");
            }
            int n = captured.records.size();
            try (Config c = sandboxConfig();
                    YativoClient yy = new YativoClient(c, base, YATIVO_ACCOUNT, YATIVO_SECRET)) {
                yy.login();
            }
            assertEquals(n, captured.records.size(), "no records after disableLogging");
            System.out.println("     (" + n + " records)");
        } finally {
            captured.uninstall();
        }
    }

    @Test
    @Order(45)
    @DisplayName("a forgotten client is freed in the background with a WARNING; GC is not kept waiting")
    void t45_aForgottenClientIsFreedInThe() throws Exception {
        final Captured captured = Captured.install();
        try {
            captured.records.clear();
            long endBefore = count(stats(), "ucontact.EndSession");
            fault("{\"path\": \"/ucontact/Integra/resources/auth/EndSession\", \"delay_ms\": 1500, \"times\": 2}");
            forgetTwoUContactClients();
            long t0 = System.nanoTime();
            int warnings = 0;
            while (warnings < 2 && (System.nanoTime() - t0) / 1_000_000 < 10_000) {
                System.gc();
                Thread.sleep(20);
                warnings = 0;
                synchronized (captured.records) {
                    for (LogRecord r : captured.records) {
                        if (r.getLevel() == Level.WARNING && r.getMessage().contains("UContactClient was not closed")) {
                            warnings++;
                        }
                    }
                }
            }
            long warnedMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(2, warnings, "two WARNINGs");
            // Both were reported while the first EndSession was still held by the sandbox (1.5 s each).
            assertTrue(count(stats(), "ucontact.EndSession") - endBefore < 2, "warned before the frees ended");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (count(stats(), "ucontact.EndSession") - endBefore < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(2L, count(stats(), "ucontact.EndSession") - endBefore, "both sessions ended");
            System.out.println("     (warnings after " + warnedMs + " ms)");
        } finally {
            captured.uninstall();
        }
    }

    @Test
    @Order(46)
    @DisplayName("last error is per thread (8 threads, failures and successes interleaved)")
    void t46_lastErrorIsPerThread8Threads() throws Exception {
        try (Config c = sandboxConfig();
                AnnaClient a = new AnnaClient(c, url + "/anna/", ANNA_COMPANY, ANNA_USER, ANNA_PASS)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> results = new ArrayList<Future<String>>();
                for (int i = 0; i < 32; i++) {
                    final boolean fail = i % 2 == 0;
                    results.add(pool.submit(() -> {
                        if (fail) {
                            try {
                                a.userHash("999", null);
                                return "unknown user accepted";
                            } catch (TokenBridgeException e) {
                                return e.getStatus() == Status.REJECTED && e.getVendorMessage() != null
                                        ? "ok" : "wrong error: " + e;
                            }
                        }
                        AccessData d = a.userHash("42", null);
                        return d.getHash().isEmpty() ? "empty hash" : "ok";
                    }));
                }
                for (Future<String> f : results) {
                    assertEquals("ok", f.get(), "thread result");
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    @Order(47)
    @DisplayName("close is idempotent; use after close is IllegalStateException")
    void t47_closeIsIdempotentUseAfterCloseIs() throws Exception {
        Config c = sandboxConfig();
        YativoClient y = new YativoClient(c, url + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET);
        c.close(); // clients copy the config: closing it first is fine
        c.close();
        assertTrue(c.isClosed(), "config closed");
        assertNonEmpty(y.login().getValue(), "token after the config was closed");
        y.close();
        y.close();
        assertTrue(y.isClosed(), "client closed");
        boolean threw = false;
        try {
            y.token();
        } catch (IllegalStateException e) {
            threw = true;
        }
        assertTrue(threw, "use after close throws IllegalStateException");
        threw = false;
        try {
            c.allowHttp(true);
        } catch (IllegalStateException e) {
            threw = true;
        }
        assertTrue(threw, "config use after close throws IllegalStateException");
    }

    @Test
    @Order(48)
    @DisplayName("every one of the 13 operations reached the sandbox")
    void t48_everyOneOfThe13OperationsReached() throws Exception {
        Map<String, Object> s = stats();
        String[] ops = {"ucontact.getUserToken", "ucontact.AgentLogin", "ucontact.EndSession",
            "yativo.login", "yativo.refresh", "anna.GetToken", "anna.UserHash", "anna.UserHashForced",
            "anna.Inactivate", "anna.Structure", "anna.AlertCounter", "anna.Requests", "anna.Link",
            "ucontact.call", "yativo.call", "anna.call"};
        for (String op : ops) {
            assertTrue(count(s, op) > 0, op + " never called: " + s);
        }
    }
}
