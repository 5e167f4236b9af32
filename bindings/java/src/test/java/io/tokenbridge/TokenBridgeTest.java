package io.tokenbridge;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import java.util.concurrent.ExecutionException;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Runs the Java binding against the sandbox ({@code tokenbridge-sandbox}), as JUnit 5
 * tests in this order: argument checks, all 13 operations with the values the sandbox
 * serves (read through the C accessors), the token calls and the generic call of each
 * API, the error paths, async calls and cancellation, the generic call's query and
 * headers on the wire, deadlines, logging, forgotten clients, and closing. The sandbox's URL comes from the system property {@code tokenbridge.sandbox.url}
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

    /**
     * Runs {@code body}, expects the library's refusal of a value: an
     * {@link IllegalArgumentException} whose message names the Java parameter
     * {@code javaName}, caused by a {@link TokenBridgeException} with
     * {@link Status#INVALID_ARGUMENT} saying the same; returns the message.
     */
    private static String expectInvalid(String javaName, Check body) throws Exception {
        String m = expectThrown(IllegalArgumentException.class, () -> {
            try {
                body.run();
            } catch (IllegalArgumentException e) {
                assertTrue(e.getCause() instanceof TokenBridgeException, "caused by a TokenBridgeException: " + e);
                TokenBridgeException cause = (TokenBridgeException) e.getCause();
                assertEquals(Status.INVALID_ARGUMENT, cause.getStatus(), "the cause's status");
                assertEquals(e.getMessage(), cause.getMessage(), "the cause says the same");
                throw e;
            }
        });
        assertTrue(m.startsWith("invalid argument `" + javaName + "`: "), "names `" + javaName + "`: " + m);
        return m;
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

    /** {@code "name": count} in the stats object (flat, counts only: a pattern, not a JSON parser). */
    private static final Pattern COUNT = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\\d+)");

    private static Map<String, Long> stats() throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(url + "/__sandbox/stats").openConnection();
        conn.setConnectTimeout(5000);
        conn.setReadTimeout(5000);
        try {
            assertEquals(200, conn.getResponseCode(), "stats HTTP status");
            String body = new String(readAll(conn.getInputStream()), StandardCharsets.UTF_8);
            Map<String, Long> counts = new LinkedHashMap<String, Long>();
            Matcher m = COUNT.matcher(body);
            while (m.find()) {
                counts.put(m.group(1), Long.parseLong(m.group(2)));
            }
            assertTrue(counts.containsKey("requests") && counts.containsKey("yativo.call"), "stats: " + body);
            return counts;
        } finally {
            conn.disconnect();
        }
    }

    private static byte[] readAll(InputStream in) throws Exception {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            int n;
            while ((n = in.read(chunk)) > 0) {
                buf.write(chunk, 0, n);
            }
            return buf.toByteArray();
        } finally {
            in.close();
        }
    }

    private static long count(Map<String, Long> stats, String key) {
        Long v = stats.get(key);
        assertTrue(v != null, "the sandbox has no count " + key + ": " + stats);
        return v;
    }

    /** Sends a control request (docs/sandbox-contract.md) and expects 200. */
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

    /** Adds a sandbox fault. */
    private static void fault(String json) throws Exception {
        control("POST", "/__sandbox/faults", json);
    }

    /** Removes every sandbox fault. */
    private static void clearFaults() throws Exception {
        control("DELETE", "/__sandbox/faults", null);
    }

    /** Waits (at most {@code ms}) until the sandbox counted {@code want} of {@code key}; returns the last count. */
    private static long awaitCount(String key, long want, long ms) throws Exception {
        long deadline = System.nanoTime() + ms * 1_000_000L;
        long n = count(stats(), key);
        while (n < want && System.nanoTime() < deadline) {
            Thread.sleep(20);
            n = count(stats(), key);
        }
        return n;
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
    @DisplayName("messenger filter: the library checks each value as it is set; refusals name the Java setter")
    void t03_messengerFilterRefusalsNameTheJavaSetter() throws Exception {
        final MessengerFilter f = new MessengerFilter().dateFrom(LocalDate.of(2024, 5, 1));
        String m = expectThrown(IllegalArgumentException.class, () -> f.dateTo(LocalDate.of(2024, 1, 1)));
        assertTrue(m.contains("`dateTo`") && m.contains("dateFrom") && !m.contains("date_"), "names dateTo: " + m);
        assertEquals("MessengerFilter[dateFrom=2024-05-01]", f.toString(), "unchanged after a refusal");
        // LocalDate takes years the library does not (1 to 9999): the library's own check, renamed.
        m = expectThrown(IllegalArgumentException.class, () -> f.dateFrom(LocalDate.of(10000, 1, 1)));
        assertTrue(m.contains("`dateFrom`") && m.contains("year") && m.contains("10000"), "names dateFrom: " + m);
        m = expectThrown(IllegalArgumentException.class, () -> new MessengerFilter().dateTo(LocalDate.of(0, 12, 31)));
        assertTrue(m.contains("`dateTo`") && m.contains("year 0"), "names dateTo: " + m);
        m = expectThrown(IllegalArgumentException.class, () -> f.departmentAlias("fin\0anceiro"));
        assertTrue(m.contains("departmentAlias"), "names departmentAlias: " + m);
        assertEquals("MessengerFilter[dateFrom=2024-05-01]", f.toString(), "still unchanged");
        // null widens again; the order check then passes.
        f.dateFrom(null).dateTo(LocalDate.of(2024, 1, 1)).status(MessengerStatus.CLOSED).pending(false)
                .channelAlias("chat");
        assertEquals("MessengerFilter[channelAlias=chat, dateTo=2024-01-01, status=CLOSED, pending=false]",
                f.toString(), "toString");
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
    @DisplayName("config: a zero timeout is IllegalArgumentException naming the Java setter with the C reason")
    void t05_configAZeroTimeoutIsINVALIDARGUMENT() throws Exception {
        try (Config c = new Config()) {
            String m = expectInvalid("timeoutConnect", () -> c.timeoutConnect(Duration.ZERO));
            assertEquals("invalid argument `timeoutConnect`: must be more than 0", m, "the Java name, the C reason");
            m = expectInvalid("bytes", () -> c.maxResponseBytes(0));
            assertEquals("invalid argument `bytes`: must be more than 0", m, "maxResponseBytes");
            m = expectInvalid("userAgent", () -> c.userAgent("a\r\nX-Evil: 1"));
            assertTrue(m.contains("control character 0x0D") && !m.contains("user_agent"), "userAgent: " + m);
            // The config is still usable after a refusal.
            c.timeoutConnect(Duration.ofSeconds(1));
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
            String m = expectInvalid("baseUrl",
                    () -> new YativoClient(c, "not a url", YATIVO_ACCOUNT, YATIVO_SECRET).close());
            assertTrue(!m.contains("base_url"), "names baseUrl: " + m);
        }
    }

    @Test
    @Order(9)
    @DisplayName("UTF-8 both ways: a non-ASCII argument comes back intact in the error message")
    void t09_utf8BothWaysANonASCII() throws Exception {
        try (Config c = sandboxConfig()) {
            String m = expectInvalid("server",
                    () -> UContactClient.apiUser(c, "café_ñandú", API_USER, API_PASSWORD).close());
            assertTrue(m.contains("café_ñandú"), "message: " + m);
        }
    }

    @Test
    @Order(10)
    @DisplayName("plain http:// is refused unless allowed")
    void t10_plainHttpIsRefusedUnlessAllowed() throws Exception {
        expectInvalid("baseUrl", () -> {
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
    @DisplayName("uContact U1 getUserToken (UTF-8 password): base64 of user:uuid")
    void t12_ucontactU1GetUserTokenUTF8Password() throws Exception {
        final UContactClient u = ucontact();
        final String[] token = UCONTACT_TOKEN;
        token[0] = sends("ucontact.getUserToken", 1, u::getUserToken);
        assertNonEmpty(token[0], "token");
        String decoded = new String(java.util.Base64.getDecoder().decode(token[0]), StandardCharsets.UTF_8);
        assertTrue(decoded.matches(API_USER + ":[0-9a-f-]{36}"), "the sandbox's token for apiuser: " + decoded);
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
    @DisplayName("uContact generic send (form body): the sandbox echoes the fields it received")
    void t14_ucontactGenericSendFormBody() throws Exception {
        final UContactClient u = ucontact();
        final Request req = new Request("POST", "Integra/resources/Dialers/DialerTask")
                .formField("campaign", "Sales é&=").formField("phone", "+5511999999999");
        Response r = sends("ucontact.call", 1, () -> u.send(req));
        assertEquals(200, r.getStatus(), "HTTP status");
        String body = r.getText();
        assertTrue(body.contains("\"campaign\":\"Sales é&=\"") && body.contains("\"phone\":\"+5511999999999\""),
                "the fields arrived intact: " + body);
        assertTrue(body.contains("\"resource\":\"Dialers/DialerTask\""), "the resource: " + body);
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
        Response r = sends("ucontact.getUserToken", 1, () -> u.send(
                new Request("POST", "Integra/resources/Dialers/DialerTask").json("{\"campaign\":\"x\"}")));
        assertEquals(200, r.getStatus(), "HTTP status after re-login");
        assertTrue(r.getText().contains("\"received\":{\"campaign\":\"x\"}"), "JSON body echoed: " + r.getText());
        assertTrue(!"stale-token".equals(u.token()), "stale token replaced");
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
    @DisplayName("uContact U2 AgentLogin: every published field read through the accessors, no SIP secret")
    void t18_ucontactU2AgentLoginReturnsTheProfileWithout() throws Exception {
        final String base = url + "/ucontact";
        try (Config c = sandboxConfig();
                UContactClient a = UContactClient.agent(c, base, AGENT, AGENT_PASSWORD)) {
            AgentProfile p = sends("ucontact.AgentLogin", 1, a::agentLogin);
            assertEquals(Long.valueOf(1001), p.getId(), "id");
            assertEquals(Long.valueOf(2), p.getLimite(), "limite");
            assertEquals("1001", p.get(AgentProfile.Field.ID), "id as text");
            assertEquals(AGENT, p.getName(), "name");
            assertEquals("Agent One", p.getFullname(), "fullname");
            assertEquals("\"Agent One\" <1001>", p.getCallerid(), "callerid");
            assertEquals("info", p.getLogLevel(), "LogLevel");
            assertEquals("ulaw;alaw;opus", p.getAllow(), "allow");
            assertEquals("force_rport,comedia", p.getNat(), "nat");
            assertEquals("agent1@sandbox.invalid", p.getEmail(), "email");
            assertEquals("+59820001001", p.getDid(), "did");
            assertEquals("", p.getOutboundproxy(), "outboundproxy: sent empty");
            assertEquals("5060", p.getPort(), "port");
            // Every published field, through its own getter (tb_agent_profile_<name>), agrees with the by-name getter.
            for (AgentProfile.Field f : AgentProfile.Field.values()) {
                assertNonEmpty(f == AgentProfile.Field.OUTBOUNDPROXY ? "x" : p.get(f), "field " + f);
                assertEquals(p.get(f.wireName()), p.get(f), "field " + f + " by enum and by name");
            }
            assertTrue(p.get("secret") == null && p.get("md5secret") == null, "no SIP secret by name");
            assertEquals(32, p.getFields().size(), "the sandbox's 34 fields minus the two secrets: " + p.getFields().keySet());
            assertTrue(!p.getFields().containsKey("secret") && !p.getFields().containsKey("md5secret"), "no secret");
            for (AgentProfile.Field f : AgentProfile.Field.values()) {
                assertTrue(p.getFields().containsKey(f.wireName()), "getFields() has " + f.wireName());
            }
            assertTrue(p.get("nosuchfield") == null, "absent field");
            assertTrue(p.rawJson().contains("\"fullname\":\"Agent One\"") && !p.rawJson().contains("secret"),
                    "raw JSON without secrets: " + p.rawJson().length() + " chars");
            assertNonEmpty(p.getToken(), "profile token");
            assertEquals(p.getToken(), a.token(), "the profile's token is cached");
            assertTrue(!p.toString().contains(p.getToken()), "toString hides the token");
            String m = expectThrown(NullPointerException.class, () -> p.get((String) null));
            assertTrue(m.contains("name"), "names name: " + m);
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
    @DisplayName("Yativo Y1 login: token with an expiry 600 s ahead")
    void t21_yativoY1LoginTokenWithAnExpiry() throws Exception {
        final YativoClient y = yativo();
        final Token[] first = YATIVO_FIRST;
        long before = System.currentTimeMillis() / 1000;
        first[0] = sends("yativo.login", 1, y::login);
        long after = System.currentTimeMillis() / 1000;
        assertNonEmpty(first[0].getValue(), "token");
        long expires = first[0].getExpiresAt().getEpochSecond();
        assertTrue(expires >= before + 600 - 2 && expires <= after + 600 + 2,
                "expires 600 s after the login: " + first[0].getExpiresAt());
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
        assertTrue(t.getExpiresAt() != null && t.getExpiresAt().isAfter(Instant.now().plusSeconds(590)),
                "expiry: " + t.getExpiresAt());
        assertEquals(t.getValue(), sends("yativo.login", 0, y::token), "token() serves the refreshed one");
    }

    @Test
    @Order(23)
    @DisplayName("Yativo generic send: the account's balances")
    void t23_yativoGenericSend() throws Exception {
        final YativoClient y = yativo();
        Response r = sends("yativo.call", 1, () -> y.send(new Request("GET", "wallet/balance")));
        assertEquals(200, r.getStatus(), "HTTP status");
        assertTrue(r.getText().contains("\"account_id\":\"" + YATIVO_ACCOUNT + "\"")
                && r.getText().contains("\"available\":\"1250.00\""), "balances: " + r.getText());
    }

    @Test
    @Order(24)
    @DisplayName("Yativo setToken with a stale token: 401, one re-login, then 200")
    void t24_yativoSetTokenWithAStaleToken401() throws Exception {
        final YativoClient y = yativo();
        y.setToken("stale-token", Instant.now().plusSeconds(3600));
        assertEquals("stale-token", y.token(), "token() serves the set token");
        Response r = sends("yativo.login", 1, () -> y.send(new Request("GET", "wallet/balance")));
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
            assertEquals("Invalid login credentials", e.getVendorMessage(), "vendor message");
            assertTrue(!e.getMessage().contains("wrong-secret"), "message hides the secret");
        }
    }

    @Test
    @Order(26)
    @DisplayName("Yativo token near expiry is refreshed by token() on its own")
    void t26_yativoTokenNearExpiryIsRefreshedBy() throws Exception {
        final String base = url + "/yativo/api/v1";
        try (Config c = sandboxConfig();
                YativoClient y = new YativoClient(c, base, YATIVO_ACCOUNT, YATIVO_SECRET)) {
            Token t = y.login();
            // The same token, now said to expire in 1-2 s: fresh at first, due (or expired)
            // after half its life. Either way token() fetches exactly one new token.
            y.setToken(t.getValue(), Instant.now().plusSeconds(2));
            assertEquals(t.getValue(), sends("yativo.refresh", 0, y::token), "still fresh");
            Thread.sleep(1500);
            Map<String, Long> before = stats();
            String next = y.token();
            Map<String, Long> after = stats();
            long fetched = count(after, "yativo.refresh") - count(before, "yativo.refresh")
                    + count(after, "yativo.login") - count(before, "yativo.login");
            assertEquals(1L, fetched, "one refresh (or login) for the due token");
            assertTrue(!next.equals(t.getValue()), "a new token");
            assertEquals(next, y.token(), "the new token is cached");
        }
    }

    @Test
    @Order(27)
    @DisplayName("AnnA A1 GetToken: a JWT expiring in 3600 s")
    void t27_annaA1GetToken() throws Exception {
        final AnnaClient a = anna();
        final Token[] token = ANNA_TOKEN;
        long before = System.currentTimeMillis() / 1000;
        token[0] = sends("anna.GetToken", 1, a::getToken);
        assertTrue(token[0].getValue().split("\\.").length == 3, "a JWT");
        long expires = token[0].getExpiresAt().getEpochSecond();
        assertTrue(expires >= before + 3600 - 2 && expires <= before + 3600 + 30, "expiry: " + token[0].getExpiresAt());
        assertEquals(token[0].getValue(), sends("anna.GetToken", 0, a::token), "cached token");
    }

    @Test
    @Order(28)
    @DisplayName("AnnA A2 UserHash: hash, URLs and expiry (LocalDateTime from tb_datetime) read through accessors")
    void t28_annaA2UserHash() throws Exception {
        final AnnaClient a = anna();
        AccessData d = sends("anna.UserHash", 1, () -> a.userHash("42", null));
        assertTrue(d.getHash() != null && d.getHash().matches("[0-9a-f]{40}"), "hash: 40 hex digits");
        assertEquals(url + "/anna/chat/42?hash=" + d.getHash(), d.getChatUrl(), "chat URL");
        assertEquals(url + "/anna/embedded/42?hash=" + d.getHash(), d.getEmbeddedUrl(), "embedded URL");
        assertTrue(d.getExpiresRaw() != null && d.getExpiresRaw().matches("\\d{14}"), "raw expiry: " + d.getExpiresRaw());
        String r = d.getExpiresRaw();
        LocalDateTime fromRaw = LocalDateTime.of(Integer.parseInt(r.substring(0, 4)), Integer.parseInt(r.substring(4, 6)),
                Integer.parseInt(r.substring(6, 8)), Integer.parseInt(r.substring(8, 10)),
                Integer.parseInt(r.substring(10, 12)), Integer.parseInt(r.substring(12, 14)));
        assertEquals(fromRaw, d.getExpires(), "tb_access_data_expires agrees with Expires");
        // The sandbox writes UTC, a day ahead.
        long skew = Math.abs(Duration.between(LocalDateTime.now(ZoneOffset.UTC).plusDays(1), d.getExpires()).getSeconds());
        assertTrue(skew < 120, "expires a day ahead: " + d.getExpires());
        assertTrue(d.rawJson().contains("\"Hash\":\"" + d.getHash() + "\""), "raw JSON escape hatch");
        assertTrue(!d.toString().contains(d.getHash()), "toString hides the hash: " + d);
        AccessData s = a.userHash("42", "SAC é");
        assertEquals(url + "/anna/chat/42?hash=" + s.getHash() + "&service=SAC%20%C3%A9", s.getChatUrl(),
                "chat URL with the start service");
        assertTrue(!s.getHash().equals(d.getHash()), "a new hash each time");
    }

    @Test
    @Order(29)
    @DisplayName("AnnA unknown user: REJECTED with the vendor's message")
    void t29_annaUnknownUserREJECTEDWithTheVendor() throws Exception {
        final AnnaClient a = anna();
        TokenBridgeException e = expectFailure(Status.REJECTED, () -> a.userHash("999", null));
        // The library masks the company hash (a credential) in AnnA's message.
        assertEquals("User ***@999 not found.", e.getVendorMessage(), "vendor message");
        assertTrue(e.getMessage().contains(e.getVendorMessage()), "message carries the vendor's");
        assertTrue(!e.toString().contains(ANNA_COMPANY), "no company hash: " + e);
        System.out.println("     (" + e + ")");
    }

    @Test
    @Order(30)
    @DisplayName("AnnA A3 UserHashForced (UTF-8 name) re-activates user 7")
    void t30_annaA3UserHashForcedUTF8Name() throws Exception {
        final AnnaClient a = anna();
        expectFailure(Status.REJECTED, () -> a.userHash("7", null));
        AccessData d = sends("anna.UserHashForced", 1, () -> a.userHashForced("7", "João Ñandú", null));
        assertEquals(url + "/anna/chat/7?hash=" + d.getHash(), d.getChatUrl(), "chat URL of user 7");
        assertTrue(d.getExpires() != null, "expiry");
        assertTrue(d.getHash().matches("[0-9a-f]{40}"), "hash");
        assertNonEmpty(a.userHash("7", null).getHash(), "user 7 is active now");
    }

    @Test
    @Order(31)
    @DisplayName("AnnA A4 InactivateUser: AnnA's message, and the user is inactive")
    void t31_annaA4InactivateUser() throws Exception {
        final AnnaClient a = anna();
        String msg = sends("anna.Inactivate", 1, () -> a.inactivateUser("7"));
        assertEquals("User 7 inactivated.", msg, "message");
        TokenBridgeException e = expectFailure(Status.REJECTED, () -> a.userHash("7", null));
        assertEquals("User ***@7 is inactive.", e.getVendorMessage(), "inactive now");
        assertEquals("User 7 was already inactive.", a.inactivateUser("7"), "again");
    }

    @Test
    @Order(32)
    @DisplayName("AnnA A5 MessengerStructure: departments and channels by index")
    void t32_annaA5MessengerStructure() throws Exception {
        final AnnaClient a = anna();
        MessengerStructure s = sends("anna.Structure", 1, a::messengerStructure);
        assertEquals("Sandbox Company", s.getCompaniesName(), "company name");
        assertEquals(ANNA_COMPANY, s.getCompaniesHash(), "companies hash");
        assertEquals("[financeiro (Financeiro) [whatsapp (WhatsApp), email (E-mail)], suporte (Suporte) [chat (Chat)]]",
                s.getDepartments().toString(), "departments and channels, in order");
        MessengerStructure.Department d = s.getDepartments().get(1);
        assertEquals("suporte", d.getAlias(), "alias");
        assertEquals("Suporte", d.getName(), "name");
        assertEquals("E-mail", s.getDepartments().get(0).getChannels().get(1).getName(), "channel name");
        assertTrue(s.rawJson().contains("\"CompaniesName\":\"Sandbox Company\""), "raw JSON escape hatch");
        assertTrue(!s.toString().contains(ANNA_COMPANY), "toString hides the company hash: " + s);
    }

    @Test
    @Order(33)
    @DisplayName("AnnA A6 MessengerAlertCounter by id and by document; the filter reaches the sandbox")
    void t33_annaA6MessengerAlertCounterByIdAndBy() throws Exception {
        final AnnaClient a = anna();
        final AnnaUser byId = AnnaUser.byId("42");
        final AnnaUser byDoc = AnnaUser.byDocument("CPF", "12345678900");
        // User 42: one open request awaiting an answer (2024000101, financeiro, 2024-03-15).
        assertEquals(1L, sends("anna.AlertCounter", 1, () -> a.messengerAlertCounter(byId, null)), "count");
        assertEquals(1L, a.messengerAlertCounter(byDoc, null), "same user by document");
        assertEquals(0L, a.messengerAlertCounter(byId, new MessengerFilter().departmentAlias("suporte")),
                "other department");
        assertEquals(1L, a.messengerAlertCounter(byId, new MessengerFilter().departmentAlias("financeiro")
                .channelAlias("whatsapp")), "its department and channel");
        assertEquals(0L, a.messengerAlertCounter(byId, new MessengerFilter().dateFrom(LocalDate.of(2024, 3, 16))),
                "opened before dateFrom");
        assertEquals(1L, a.messengerAlertCounter(byId, new MessengerFilter().dateFrom(LocalDate.of(2024, 3, 15))
                .dateTo(LocalDate.of(2024, 3, 15))), "both bounds inclusive");
        assertEquals(0L, a.messengerAlertCounter(byId, new MessengerFilter().status(MessengerStatus.CLOSED)),
                "closed only");
        assertEquals(0L, a.messengerAlertCounter(byId, new MessengerFilter().pending(false)), "not pending");
    }

    @Test
    @Order(34)
    @DisplayName("AnnA A7 MessengerRequests: every item's fields, status enum and pending")
    void t34_annaA7MessengerRequests() throws Exception {
        final AnnaClient a = anna();
        final AnnaUser byId = AnnaUser.byId("42");
        final AnnaUser byDoc = AnnaUser.byDocument("CPF", "12345678900");
        MessengerRequests r = sends("anna.Requests", 1, () -> a.messengerRequests(byId, null));
        assertEquals(3, r.size(), "three requests: " + r);
        MessengerRequest q = r.getItems().get(0);
        assertEquals("2024000101", q.getProtocol(), "protocol");
        assertEquals("Segunda via de boleto", q.getDescription(), "description");
        assertEquals("15/03/2024 09:30:00", q.getOpenedAt(), "opened at");
        assertEquals("A", q.getStatus(), "status text");
        assertEquals(Optional.of(MessengerStatus.OPEN), q.getStatusKind(), "status enum");
        assertEquals(Optional.of(Boolean.TRUE), q.getPending(), "pending");
        assertEquals(url + "/anna/messenger/42/2024000101", q.getLink(), "link");
        assertEquals("financeiro", q.get("DepartmentAlias"), "any field by name");
        assertEquals("whatsapp", q.get("ChannelAlias"), "any field by name");
        assertEquals("S", q.get("Pending"), "the wire text");
        assertTrue(q.get("nosuchfield") == null, "absent field");
        assertEquals(10, q.getFields().size(), "fields: " + q.getFields().keySet());
        assertTrue("Financeiro".equals(q.getDepartment()) || "financeiro".equals(q.getDepartment()),
                "department: " + q.getDepartment());
        assertTrue("WhatsApp".equals(q.getChannel()) || "whatsapp".equals(q.getChannel()),
                "channel: " + q.getChannel());
        MessengerRequest closed = r.getItems().get(2);
        assertEquals("2023000087", closed.getProtocol(), "third protocol");
        assertEquals(Optional.of(MessengerStatus.CLOSED), closed.getStatusKind(), "closed");
        assertEquals(Optional.of(Boolean.FALSE), closed.getPending(), "not pending");
        assertTrue(r.rawJson().startsWith("[") && r.rawJson().contains("\"Protocol\":\"2023000087\""), "raw JSON");
        // The filter, built with tb_messenger_filter_*, reaches the sandbox.
        assertEquals("[2023000087]", protocols(a.messengerRequests(byId,
                new MessengerFilter().status(MessengerStatus.CLOSED))), "closed only");
        assertEquals("[2024000101]", protocols(a.messengerRequests(byDoc, new MessengerFilter().pending(true))),
                "pending, by document");
        assertEquals("[2024000102]", protocols(a.messengerRequests(byId, new MessengerFilter().channelAlias("chat"))),
                "by channel");
        assertEquals("[2024000101, 2024000102]", protocols(a.messengerRequests(byId,
                new MessengerFilter().dateFrom(LocalDate.of(2024, 1, 1)).dateTo(LocalDate.of(2024, 12, 31)))),
                "2024 only");
        assertEquals("[]", protocols(a.messengerRequests(byId,
                new MessengerFilter().departmentAlias("suporte").status(MessengerStatus.CLOSED))), "none");
    }

    private static String protocols(MessengerRequests r) {
        List<String> l = new ArrayList<String>();
        for (MessengerRequest q : r) {
            l.add(q.getProtocol());
        }
        return l.toString();
    }

    @Test
    @Order(35)
    @DisplayName("AnnA A8 MessengerLink by id and by document")
    void t35_annaA8MessengerLink() throws Exception {
        final AnnaClient a = anna();
        final AnnaUser byId = AnnaUser.byId("42");
        final AnnaUser byDoc = AnnaUser.byDocument("CPF", "12345678900");
        String link = sends("anna.Link", 1, () -> a.messengerLink(byId));
        assertTrue(link.matches(Pattern.quote(url + "/anna/messenger/42?token=") + "[0-9a-f]{32}"), "link: " + link);
        String viaDoc = a.messengerLink(byDoc);
        assertTrue(viaDoc.startsWith(url + "/anna/messenger/42?token=") && !viaDoc.equals(link),
                "a new link for the same user: " + viaDoc);
        TokenBridgeException e = expectFailure(Status.REJECTED,
                () -> a.messengerLink(AnnaUser.byDocument("CPF", "00000000000")));
        assertEquals("No user with document CPF 00000000000.", e.getVendorMessage(), "unknown document");
    }

    @Test
    @Order(36)
    @DisplayName("AnnA user selection: a null document value is a NullPointerException naming docValue")
    void t36_annaUserSelectionANullDocumentValue() throws Exception {
        final AnnaClient a = anna();
        String m = expectThrown(NullPointerException.class,
                () -> a.messengerLink(AnnaUser.byDocument("CPF", null)));
        assertTrue(m.contains("docValue"), "names docValue: " + m);
        m = expectThrown(NullPointerException.class, () -> a.messengerAlertCounter(null, null));
        assertTrue(m.contains("user"), "names user: " + m);
    }

    @Test
    @Order(36)
    @DisplayName("AnnA AlertCounter (direct-mapped) failing: its error is read from the same library copy")
    void t36_annaAlertCounterFailureReadsItsOwnError() throws Exception {
        final AnnaClient a = anna();
        TokenBridgeException e = expectFailure(Status.REJECTED,
                () -> a.messengerAlertCounter(AnnaUser.byDocument("CPF", "00000000000"), null));
        assertEquals("No user with document CPF 00000000000.", e.getVendorMessage(), "unknown document");
        assertEquals(1L, a.messengerAlertCounter(AnnaUser.byId("42"), null), "the next call succeeds");
    }

    @Test
    @Order(37)
    @DisplayName("AnnA generic send: Ping echoes the JSON body")
    void t37_annaGenericSend() throws Exception {
        final AnnaClient a = anna();
        Response r = sends("anna.call", 1, () -> a.send(new Request("POST", "REST/AnnACorporate/Ping")
                .json("{\"n\": 1, \"s\": \"é\"}")));
        assertEquals(200, r.getStatus(), "HTTP status");
        assertTrue(r.getText().contains("\"message\":\"pong\"") && r.getText().contains("\"received\":{\"n\":1,\"s\":\"é\"}"),
                "pong with the body: " + r.getText());
        assertTrue(r.getText().contains("\"user\":\"" + ANNA_USER + "\""), "the token's user: " + r.getText());
    }

    @Test
    @Order(38)
    @DisplayName("AnnA setToken with a stale token: 401, one new GetToken, then 200")
    void t38_annaSetTokenWithAStaleToken401() throws Exception {
        final AnnaClient a = anna();
        a.setToken("stale-token");
        Response r = sends("anna.GetToken", 1, () -> a.send(new Request("POST", "REST/AnnACorporate/Ping")));
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
            assertEquals("Invalid user or password.", e.getVendorMessage(), "vendor message");
            assertTrue(!e.getMessage().contains("wrong-pass"), "message hides the password");
        }
    }

    @Test
    @Order(40)
    @DisplayName("async: loginAsync, userHashAsync and sendAsync complete on the executor with the values")
    void t40_asyncCallsCompleteOnTheExecutor() throws Exception {
        final YativoClient y = asyncYativo();
        Token t = sends("yativo.login", 1, () -> y.loginAsync().get(10, TimeUnit.SECONDS));
        assertNonEmpty(t.getValue(), "token");
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            final String[] thread = new String[1];
            Response r = y.sendAsync(new Request("GET", "wallet/balance"), task -> pool.execute(() -> {
                thread[0] = Thread.currentThread().getName();
                task.run();
            })).get(10, TimeUnit.SECONDS);
            assertEquals(200, r.getStatus(), "HTTP status");
            assertTrue(r.getText().contains("1250.00"), "balance: " + r.getText());
            assertTrue(thread[0] != null && thread[0].startsWith("pool-"), "ran on the given executor: " + thread[0]);
        } finally {
            pool.shutdown();
        }
        AccessData d = sends("anna.UserHash", 1, () -> anna().userHashAsync("42", null).get(10, TimeUnit.SECONDS));
        assertEquals(url + "/anna/chat/42?hash=" + d.getHash(), d.getChatUrl(), "async access data");
        MessengerRequests r = anna().messengerRequestsAsync(AnnaUser.byId("42"),
                new MessengerFilter().status(MessengerStatus.OPEN)).get(10, TimeUnit.SECONDS);
        assertEquals("[2024000101, 2024000102]", protocols(r), "async requests with a filter");
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
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof TokenBridgeException, "cause: " + e.getCause());
                assertEquals(Status.REJECTED, ((TokenBridgeException) e.getCause()).getStatus(), "status");
            }
        }
    }

    @Test
    @Order(42)
    @DisplayName("async: cancel(true) ends the native call within 200 ms; the sandbox sees no retry after it")
    void t42_asyncCancelTrueStopsTheNativeCall() throws Exception {
        final String base = url + "/yativo/api/v1";
        // A client that retries a 503: if the native call went on after the cancel, the
        // sandbox would count its retries.
        try (Config c = sandboxConfig().retries(3, 50, 100);
                YativoClient y = new YativoClient(c, base, YATIVO_ACCOUNT, YATIVO_SECRET)) {
            y.login();
            final CountDownLatch ended = new CountDownLatch(1);
            final ExecutorService pool = Executors.newSingleThreadExecutor();
            fault("{\"path\": \"/yativo/api/v1/wallet/balance\", \"delay_ms\": 1000, \"status\": 503, \"times\": 0}");
            try {
                long before = count(stats(), "yativo.call");
                // The executor's task ends when the native call has returned.
                CompletableFuture<Response> f = y.sendAsync(new Request("GET", "wallet/balance"), task ->
                        pool.execute(() -> {
                            try {
                                task.run();
                            } finally {
                                ended.countDown();
                            }
                        }));
                assertEquals(before + 1, awaitCount("yativo.call", before + 1, 3000), "the request reached the sandbox");
                Thread.sleep(100);
                assertTrue(!f.isDone(), "still running before the cancel");
                long t0 = System.nanoTime();
                assertTrue(f.cancel(true), "cancel returned true");
                assertTrue(ended.await(200, TimeUnit.MILLISECONDS), "the native call ended within 200 ms");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                try {
                    f.get();
                    throw new AssertionError("get() of a cancelled future returned");
                } catch (CancellationException expected) {
                    assertTrue(f.isCancelled(), "isCancelled");
                }
                // Without a real cancellation the 503 (at 1 s) would be retried by now.
                Thread.sleep(2000);
                assertEquals(before + 1, count(stats(), "yativo.call"), "no retry reached the sandbox");
                System.out.println("     (native call ended " + ms + " ms after the cancel; no retry in 2 s)");
            } finally {
                clearFaults();
                pool.shutdown();
            }
            long t1 = System.nanoTime();
            assertEquals(200, y.send(new Request("GET", "wallet/balance")).getStatus(), "next call");
            assertTrue((System.nanoTime() - t1) / 1_000_000 < 1000, "the next call did not wait");
        }
    }

    @Test
    @Order(43)
    @DisplayName("generic send: a header and a query reach the sandbox; status, headers and body come back")
    void t43_genericSendAHeaderAndAQuery() throws Exception {
        final YativoClient y = asyncYativo();
        final Request req = new Request("GET", "wallet/balance").query("currency", "USD")
                .header("X-Request-Id", "java-test-1");
        Response r = sends("yativo.call", 1, () -> y.send(req));
        assertEquals(200, r.getStatus(), "HTTP status");
        assertTrue(r.getText().contains("\"available\":\"1250.00\""), "JSON body: " + r.getText());
        assertTrue(r.getHeader("Content-Type") != null && r.getHeader("content-type").contains("json"),
                "content-type header: " + r.getHeaders());
        assertTrue(!r.toString().contains(r.getText()), "toString hides the body");
        // What the sandbox received (its echo, written by serde_json without spaces): the
        // query and our header, never the Authorization header.
        String text = r.getText();
        assertTrue(text.contains("\"method\":\"GET\""), "echoed method: " + text);
        assertTrue(text.contains("\"query\":[[\"currency\",\"USD\"]]"), "echoed query: " + text);
        assertTrue(text.contains("[\"x-request-id\",\"java-test-1\"]"), "echoed header: " + text);
        assertTrue(!text.toLowerCase(java.util.Locale.ROOT).contains("authorization"), "no credentials echoed: " + text);
        // An added header reaches the sandbox: it replays a POST with the same Idempotency-Key.
        String key = "java-" + System.nanoTime();
        Request payout = new Request("POST", "payouts").json("{\"amount\": \"10.00\", \"currency\": \"USD\"}")
                .header("Idempotency-Key", key);
        long executed = count(stats(), "yativo.payouts_executed");
        Response first = y.send(payout);
        Response second = y.send(payout);
        assertEquals(201, first.getStatus(), "payout status: " + first.getText());
        assertTrue(first.getText().contains("\"amount\":\"10.00\""), "payout: " + first.getText());
        assertTrue(first.getHeader("Idempotent-Replayed") == null, "first is new");
        assertEquals("true", second.getHeader("idempotent-replayed"), "second is replayed");
        assertEquals(first.getText(), second.getText(), "same body");
        assertEquals(executed + 1, count(stats(), "yativo.payouts_executed"), "one payout executed");
        // Another key's POST is a new payout: the sandbox keyed the replay on our header's value.
        Response other = y.send(new Request("POST", "payouts").json("{\"amount\": \"10.00\", \"currency\": \"USD\"}")
                .header("Idempotency-Key", key + "-2"));
        assertEquals(201, other.getStatus(), "another key: " + other.getText());
        assertTrue(other.getHeader("Idempotent-Replayed") == null && !other.getText().equals(first.getText()),
                "another key, another payout: " + other.getText());
        assertEquals(executed + 2, count(stats(), "yativo.payouts_executed"), "two payouts executed");
        Response a = y.sendAsync(req).get(10, TimeUnit.SECONDS);
        assertEquals(200, a.getStatus(), "async HTTP status");
        String m = expectThrown(IllegalArgumentException.class,
                () -> y.send(new Request("GET", "wallet/balance").header("Host", "evil")));
        assertTrue(m.contains("Host"), "names the header: " + m);
        expectInvalid("idempotencyKey", () -> y.send(new Request("POST", "payouts").idempotencyKey(" ")));
        m = expectThrown(NullPointerException.class, () -> new Request("GET", "x").query("q", null));
        assertTrue(m.contains("value"), "names value: " + m);
    }

    @Test
    @Order(44)
    @DisplayName("generic send: the query and headers exactly as a server on 127.0.0.1 receives them")
    void t44_genericSendTheQueryAndHeadersOnTheWire() throws Exception {
        // The sandbox drops the query and echoes no header, so a JDK HTTP server records them.
        final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<String>());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + "?"
                    + exchange.getRequestURI().getRawQuery());
            seen.add("X-Request-Id=" + exchange.getRequestHeaders().get("X-Request-Id"));
            seen.add("Authorization=" + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"ok\": true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("X-Echo", "caf\u00e9"); // the JDK writes it as ISO-8859-1
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (Config c = sandboxConfig();
                YativoClient y = new YativoClient(c, "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1",
                        YATIVO_ACCOUNT, YATIVO_SECRET)) {
            // An Authorization header of our own: no login (the server is not Yativo).
            Response r = y.send(new Request("GET", "wallet/balance").query("currency", "USD")
                    .query("note", "a b&c=é").query("currency", "EUR").header("X-Request-Id", "java-test-2")
                    .header("Authorization", "Bearer own-token").allowAuthorizationHeader(true));
            assertEquals(200, r.getStatus(), "HTTP status");
            assertEquals("{\"ok\": true}", r.getText(), "body");
            assertEquals("caf\uFFFD", r.getHeader("x-echo"), "a header value that is not UTF-8: U+FFFD for the bad byte");
            assertEquals(3, seen.size(), "one request: " + seen);
            String line = seen.get(0);
            assertTrue(line.startsWith("GET /api/v1/wallet/balance?"), "path: " + line);
            String query = line.substring(line.indexOf('?') + 1);
            List<String> params = new ArrayList<String>();
            for (String p : query.split("&")) {
                params.add(URLDecoder.decode(p, "UTF-8"));
            }
            assertEquals(Arrays.asList("currency=USD", "note=a b&c=é", "currency=EUR"), params,
                    "the query, in order, encoded: " + query);
            assertEquals("X-Request-Id=[java-test-2]", seen.get(1), "the header");
            assertEquals("Authorization=Bearer own-token", seen.get(2), "our own Authorization");
        } finally {
            server.stop(0);
        }
    }

    @Test
    @Order(45)
    @DisplayName("deadlines: withTimeout(Duration) bounds blocking and async calls; TIMEOUT, the client stays usable")
    void t45_deadlinesWithTimeout() throws Exception {
        final String base = url + "/yativo/api/v1";
        final YativoClient y;
        try (Config c = sandboxConfig()) {
            y = new YativoClient(c, base, YATIVO_ACCOUNT, YATIVO_SECRET);
        }
        try {
            String m = expectThrown(NullPointerException.class, () -> y.withTimeout(null));
            assertTrue(m.contains("timeout"), "names timeout: " + m);
            m = expectThrown(IllegalArgumentException.class, () -> y.withTimeout(Duration.ZERO));
            assertTrue(m.contains("timeout"), "names timeout: " + m);
            m = expectThrown(IllegalArgumentException.class, () -> y.withTimeout(Duration.ofDays(31)));
            assertTrue(m.contains("timeout") && m.contains("30 days"), "names timeout: " + m);
            final YativoClient quick = y.withTimeout(Duration.ofMillis(300));
            assertEquals(Duration.ofMillis(300), quick.getTimeout(), "getTimeout");
            assertTrue(y.getTimeout() == null, "the client itself has none");
            assertEquals(Duration.ofMillis(2), y.withTimeout(Duration.ofNanos(1_000_001)).getTimeout(), "rounded up");
            assertNonEmpty(quick.login().getValue(), "a quick call passes");
            assertEquals(quick.token(), y.token(), "the view shares the client's token");
            fault("{\"path\": \"/yativo/api/v1/wallet/balance\", \"delay_ms\": 1500, \"times\": 2}");
            try {
                long t0 = System.nanoTime();
                TokenBridgeException e = expectFailure(Status.TIMEOUT,
                        () -> quick.send(new Request("GET", "wallet/balance")));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms >= 250 && ms < 1000, "blocking call ended at the deadline: " + ms + " ms");
                t0 = System.nanoTime();
                try {
                    quick.sendAsync(new Request("GET", "wallet/balance")).get(10, TimeUnit.SECONDS);
                    throw new AssertionError("no timeout");
                } catch (ExecutionException x) {
                    assertTrue(x.getCause() instanceof TokenBridgeException
                            && ((TokenBridgeException) x.getCause()).getStatus() == Status.TIMEOUT, "cause: " + x.getCause());
                }
                long asyncMs = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(asyncMs >= 250 && asyncMs < 1000, "async call ended at the deadline: " + asyncMs + " ms");
                System.out.println("     (" + e.getMessage() + "; blocking " + ms + " ms, async " + asyncMs + " ms)");
            } finally {
                clearFaults();
            }
            quick.close(); // a view: nothing to free
            assertEquals(200, quick.send(new Request("GET", "wallet/balance")).getStatus(), "the view still works");
            assertEquals(200, y.send(new Request("GET", "wallet/balance")).getStatus(), "the client too");
            y.close();
            assertTrue(quick.isClosed(), "closing the client ends the view");
            expectThrown(IllegalStateException.class, quick::token);
        } finally {
            y.close();
        }
    }

    @Test
    @Order(46)
    @DisplayName("logging: records reach java.util.logging, without any secret")
    void t46_loggingRecordsReachJavaUtilLoggingWithout() throws Exception {
        final String base = url + "/yativo/api/v1";
        final Captured captured = Captured.install();
        try {
            TokenBridge.enableLogging(Level.FINEST);
            List<String> secrets = new ArrayList<String>(Arrays.asList(YATIVO_SECRET, API_PASSWORD, ANNA_PASS,
                    AGENT_PASSWORD, ANNA_COMPANY));
            try (Config c = sandboxConfig();
                    YativoClient yy = new YativoClient(c, base, YATIVO_ACCOUNT, YATIVO_SECRET);
                    UContactClient u = UContactClient.apiUser(c, url + "/ucontact", API_USER, API_PASSWORD);
                    UContactClient agent = UContactClient.agent(c, url + "/ucontact", AGENT, AGENT_PASSWORD);
                    AnnaClient a = new AnnaClient(c, url + "/anna/", ANNA_COMPANY, ANNA_USER, ANNA_PASS)) {
                secrets.add(yy.login().getValue());
                secrets.add(u.getUserToken());
                secrets.add(agent.agentLogin().getToken());
                secrets.add(a.getToken().getValue());
                secrets.add(a.userHash("42", null).getHash());
                yy.send(new Request("GET", "wallet/balance"));
            } finally {
                TokenBridge.disableLogging();
            }
            String all = captured.all();
            assertTrue(all.contains("FINE"), "request records at FINE");
            assertTrue(all.contains("tokenbridge"), "targets as source class");
            for (String secret : secrets) {
                assertTrue(!all.contains(secret), "a secret reached the log (" + secret.length() + " chars)");
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
    @Order(47)
    @DisplayName("a forgotten client is freed in the background with a WARNING; GC is not kept waiting")
    void t47_aForgottenClientIsFreedInThe() throws Exception {
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
    @Order(48)
    @DisplayName("last error is per thread (8 threads, failures and successes interleaved)")
    void t48_lastErrorIsPerThread8Threads() throws Exception {
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
                        return d.getHash().matches("[0-9a-f]{40}") ? "ok" : "bad hash";
                    }));
                }
                for (Future<String> f : results) {
                    assertEquals("ok", f.get(30, TimeUnit.SECONDS), "thread result");
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    @Order(49)
    @DisplayName("close is idempotent; use after close is IllegalStateException")
    void t49_closeIsIdempotentUseAfterCloseIs() throws Exception {
        Config c = sandboxConfig();
        YativoClient y = new YativoClient(c, url + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET);
        c.close(); // clients copy the config: closing it first is fine
        c.close();
        assertTrue(c.isClosed(), "config closed");
        assertNonEmpty(y.login().getValue(), "token after the config was closed");
        y.close();
        y.close();
        assertTrue(y.isClosed(), "client closed");
        expectThrown(IllegalStateException.class, y::token);
        expectThrown(IllegalStateException.class, () -> c.allowHttp(true));
    }

    @Test
    @Order(50)
    @DisplayName("every one of the 13 operations and the 3 generic calls reached the sandbox")
    void t50_everyOneOfThe13OperationsReached() throws Exception {
        Map<String, Long> s = stats();
        String[] ops = {"ucontact.getUserToken", "ucontact.AgentLogin", "ucontact.EndSession",
            "yativo.login", "yativo.refresh", "anna.GetToken", "anna.UserHash", "anna.UserHashForced",
            "anna.Inactivate", "anna.Structure", "anna.AlertCounter", "anna.Requests", "anna.Link",
            "ucontact.call", "yativo.call", "anna.call"};
        for (String op : ops) {
            assertTrue(count(s, op) > 0, op + " never called: " + s);
        }
    }

    // ---- the C ABI, checked against include/tokenbridge.h ----

    /** include/tokenbridge.h, found from the working directory (bindings/java under Maven) up. */
    private static String headerText() throws Exception {
        java.io.File dir = new java.io.File(System.getProperty("user.dir")).getAbsoluteFile();
        for (int i = 0; i < 8 && dir != null; i++, dir = dir.getParentFile()) {
            java.io.File h = new java.io.File(dir, "include/tokenbridge.h");
            if (h.isFile()) {
                return new String(java.nio.file.Files.readAllBytes(h.toPath()), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("include/tokenbridge.h not found above " + System.getProperty("user.dir"));
    }

    /** Every function the header declares, with its parameters' names. */
    private static Map<String, List<String>> headerFunctions() throws Exception {
        String text = headerText().replaceAll("(?s)/\\*.*?\\*/", " ");
        Map<String, List<String>> functions = new LinkedHashMap<String, List<String>>();
        Matcher m = Pattern.compile("TB_API\\s+[^;()]*?\\b(tb_[a-z0-9_]+)\\s*\\(([^)]*)\\)\\s*;").matcher(text);
        Pattern last = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*$");
        while (m.find()) {
            List<String> names = new ArrayList<String>();
            for (String param : m.group(2).split(",")) {
                Matcher id = last.matcher(param.trim());
                if (id.find() && !param.trim().equals("void")) {
                    names.add(id.group(1));
                }
            }
            functions.put(m.group(1), names);
        }
        assertTrue(functions.size() > 150, "the header declares the whole ABI: " + functions.size() + " functions");
        return functions;
    }

    @Test
    @Order(51)
    @DisplayName("C ABI: every JNA method is in include/tokenbridge.h; every ParamNames C name is a parameter there")
    void t51_bindingNamesMatchTheHeader() throws Exception {
        Map<String, List<String>> functions = headerFunctions();
        // Every JNA declaration names a function the header has, with as many parameters.
        int methods = 0;
        for (java.lang.reflect.Method method : TokenBridgeLibrary.class.getDeclaredMethods()) {
            if (!method.getName().startsWith("tb_")) {
                continue;
            }
            methods++;
            assertTrue(functions.containsKey(method.getName()), method.getName() + " is declared in include/tokenbridge.h");
            assertEquals(functions.get(method.getName()).size(), method.getParameterCount(),
                    method.getName() + ": as many parameters as in the header");
        }
        assertTrue(methods > 100, "the JNA declarations were found: " + methods);
        // Every tb_status of the header is a Status with the same number and name (TB_ABSENT too).
        Matcher block = Pattern.compile("(?s)enum tb_status\\b[^{]*\\{(.*?)\\};").matcher(headerText());
        assertTrue(block.find(), "the header's enum tb_status");
        Matcher v = Pattern.compile("\\b(TB_[A-Z_]+) = (-?\\d+)").matcher(block.group(1));
        int statuses = 0;
        while (v.find()) {
            Status st = Status.fromCode(Integer.parseInt(v.group(2)));
            assertEquals(v.group(1), "TB_" + st.name(), "the status numbered " + v.group(2));
            statuses++;
        }
        assertEquals(Status.values().length - 1, statuses, "as many statuses as the header's (UNKNOWN aside)");
        // Every C name a ParamNames map turns into a Java name is a parameter of one of the
        // map's functions, or the field one of them sets (tb_<handle>_set_<name>).
        int names = 0;
        for (Map.Entry<String, ParamNames> map : ParamNames.all().entrySet()) {
            for (String f : map.getValue().functions) {
                assertTrue(functions.containsKey(f), "ParamNames." + map.getKey() + ": " + f + " is in the header");
            }
            for (String c : map.getValue().pairs().keySet()) {
                boolean found = false;
                for (String f : map.getValue().functions) {
                    found |= functions.get(f).contains(c) || f.endsWith("_set_" + c);
                }
                assertTrue(found, "ParamNames." + map.getKey() + ": `" + c + "` is a parameter (or the set field) of "
                        + map.getValue().functions);
                names++;
            }
        }
        assertTrue(names > 40, "the maps were read: " + names + " names");
        // The header's text getters of the profile are the Field enum's, 1:1.
        List<String> textGetters = new ArrayList<String>();
        for (Map.Entry<String, List<String>> f : functions.entrySet()) {
            if (f.getKey().startsWith("tb_agent_profile_") && f.getValue().equals(Arrays.asList("profile", "out", "out_len"))) {
                textGetters.add(f.getKey());
            }
        }
        List<String> fromEnum = new ArrayList<String>();
        for (AgentProfile.Field f : AgentProfile.Field.values()) {
            if (f != AgentProfile.Field.ID && f != AgentProfile.Field.LIMITE) {
                fromEnum.add("tb_agent_profile_" + f.wireName().toLowerCase(java.util.Locale.ROOT));
            }
        }
        java.util.Collections.sort(textGetters);
        java.util.Collections.sort(fromEnum);
        assertEquals(textGetters, fromEnum, "the profile's text getters");
        assertEquals(30, fromEnum.size(), "the 30 published text fields");
    }

    @Test
    @Order(52)
    @DisplayName("C ABI: an invalid argument is IllegalArgumentException naming the Java parameter, with the C reason")
    void t52_invalidArgumentNamesTheJavaParameter() throws Exception {
        try (Config c = sandboxConfig()) {
            String m = expectInvalid("password",
                    () -> new AnnaClient(c, url + "/anna/", ANNA_COMPANY, ANNA_USER, "").getToken());
            assertEquals("invalid argument `password`: must not be empty", m, "AnnA's C parameter is `password` too");
            m = expectInvalid("password", () -> UContactClient.apiUser(c, url + "/ucontact", API_USER, "").getUserToken());
            assertEquals("invalid argument `password`: must not be empty", m, "uContact's");
            try (YativoClient y = new YativoClient(c, url + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET)) {
                m = expectInvalid("expiresAt", () -> y.setToken("t", Instant.ofEpochSecond(-1)));
                assertTrue(!m.contains("expires_at"), "no C name: " + m);
            }
            m = expectInvalid("userId", () -> anna().userHash("", null));
            assertEquals("invalid argument `userId`: must not be empty", m, "userHash");
        }
        try (Config c = sandboxConfig().extraCaFile("/nonexistent/tokenbridge-test-ca.pem")) {
            String m = expectInvalid("config",
                    () -> new AnnaClient(c, url + "/anna/", ANNA_COMPANY, ANNA_USER, ANNA_PASS).close());
            assertTrue(m.contains("tokenbridge-test-ca.pem"), "names the file: " + m);
        }
    }

    @Test
    @Order(53)
    @DisplayName("C ABI: TB_ABSENT (a field not sent) is null, not an exception; the last error stays clear")
    void t53_absentIsNull() throws Exception {
        final TokenBridgeLibrary lib = TokenBridgeLibrary.INSTANCE;
        try (Config c = sandboxConfig();
                UContactClient a = UContactClient.agent(c, url + "/ucontact", AGENT, AGENT_PASSWORD)) {
            // The answer handle itself, from the same client's native handle.
            final com.sun.jna.Pointer profile = a.with(h -> {
                com.sun.jna.ptr.PointerByReference out = new com.sun.jna.ptr.PointerByReference();
                Ffi.check(lib.tb_ucontact_agent_login(h, out));
                return out.getValue();
            });
            try {
                // A field the sandbox does not send, and the SIP secret it sends but the library
                // never hands out: TB_ABSENT with NULL, not a failure, and null in Java.
                for (final String name : new String[] {"no-such-field", "secret"}) {
                    com.sun.jna.ptr.PointerByReference out = new com.sun.jna.ptr.PointerByReference();
                    TokenBridgeLibrary.SizeTByReference len = new TokenBridgeLibrary.SizeTByReference();
                    assertEquals(2, lib.tb_agent_profile_get(profile, Ffi.cstr("name", name), out, len), name + ": TB_ABSENT");
                    assertTrue(out.getValue() == null, name + ": NULL");
                    assertEquals(0, lib.tb_last_error_status(), name + ": not a failure");
                    assertEquals(null, Ffi.lent((o, l) -> lib.tb_agent_profile_get(profile, Ffi.cstr("name", name), o, l)),
                            name + ": Ffi.lent gives null");
                }
                assertEquals(AGENT, Ffi.lent((o, l) -> lib.tb_agent_profile_name(profile, o, l)), "a field sent");
            } finally {
                lib.tb_agent_profile_free(profile);
            }
            assertEquals(null, a.agentLogin().get("no-such-field"), "the model: null");
        }
        Response r = yativo().send(new Request("GET", "wallet/balance"));
        assertEquals(null, r.getHeader("x-no-such-header"), "an absent header is null");
    }

    @Test
    @Order(54)
    @DisplayName("C ABI: a leap second (23:59:60) is the next second as a LocalDateTime")
    void t54_leapSecondIsTheNextSecond() throws Exception {
        assertEquals(LocalDateTime.of(2025, 1, 1, 0, 0, 0), AccessData.dateTime(datetime(2024, 12, 31, 23, 59, 60)),
                "23:59:60 is 00:00:00 of the next day");
        assertEquals(LocalDateTime.of(2015, 7, 1, 0, 0, 0), AccessData.dateTime(datetime(2015, 6, 30, 23, 59, 60)),
                "the June leap second");
        assertEquals(LocalDateTime.of(2024, 2, 29, 12, 30, 59), AccessData.dateTime(datetime(2024, 2, 29, 12, 30, 59)),
                "an ordinary second");
        assertEquals(null, AccessData.dateTime(datetime(2023, 2, 29, 0, 0, 0)), "an impossible date is null");
    }

    private static TokenBridgeLibrary.TbDatetime datetime(int y, int mo, int d, int h, int mi, int s) {
        TokenBridgeLibrary.TbDatetime t = new TokenBridgeLibrary.TbDatetime();
        t.year = y;
        t.month = mo;
        t.day = d;
        t.hour = h;
        t.minute = mi;
        t.second = s;
        return t;
    }
}
