package io.tokenbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The token store ({@link Config#tokenStore}, issue 23) across OS processes: child JVMs
 * (this class's {@link #main}) with the same credentials and the same store log in once
 * for all; a uContact session outlives the process that closes its client and ends for
 * everyone on {@code endSession()}. Against the sandbox; the redis:// case through the
 * Redis lab (scripts/redislab.sh, {@code TB_REDIS_URL}) that run-tests.sh starts.
 */
public final class TokenStoreTest {
    private static final String API_USER = "apiuser";
    private static final String API_PASSWORD = "s3cret&=+ é";
    private static final String YATIVO_ACCOUNT = "acct-sandbox";
    private static final String YATIVO_SECRET = "yativo-secret";
    private static final Pattern COUNT = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\\d+)");

    private static String url;

    @BeforeAll
    static void sandbox() {
        url = System.getenv("TOKENBRIDGE_SANDBOX_URL");
        assertTrue(url != null && url.startsWith("http"), "TOKENBRIDGE_SANDBOX_URL names the sandbox: " + url);
        url = url.replaceAll("/+$", "");
    }

    private static Config config(String store) {
        return new Config().allowHttp(true).noProxy().retries(0, 1, 1).tokenStore(store);
    }

    /**
     * The child JVM: {@code MODE SANDBOX STORE}. Prints "TOKEN " and the SHA-256 of the token
     * it used (never the token), so that the parent sees whether two processes shared one.
     */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        url = args[1];
        String token;
        try (Config cfg = config(args[2])) {
            if (mode.equals("yativo")) {
                try (YativoClient ya = new YativoClient(cfg, url + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET)) {
                    ProxyTest.text(ya, "GET", "wallet/balance", null);
                    token = ya.token();
                }
            } else {
                try (UContactClient uc = UContactClient.apiUser(cfg, url + "/ucontact", API_USER, API_PASSWORD)) {
                    if (mode.equals("ucontact-end")) {
                        token = uc.token();
                        uc.endSession();
                    } else {
                        ProxyTest.text(uc, "POST", "Integra/resources/Dialers/DialerTask", null);
                        token = uc.token();
                    }
                } // closed: with a store, this never ends the fleet's session
            }
        }
        System.out.println("TOKEN " + sha256(token));
    }

    static String sha256(String text) throws Exception {
        StringBuilder b = new StringBuilder();
        for (byte x : MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }

    private static Process start(String mode, String store) throws IOException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(Arrays.asList(java, "-cp", System.getProperty("java.class.path")));
        for (String p : System.getProperties().stringPropertyNames()) {
            if (p.startsWith("jna.")) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(Arrays.asList(TokenStoreTest.class.getName(), mode, url, store));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Waits (60 s at most) for a child of {@link #start}: the hash of its token. */
    private static String finish(Process p) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not end within 60 s");
        }
        String text = out.toString("UTF-8");
        assertEquals(0, p.exitValue(), "the child JVM failed:\n" + text);
        Matcher m = Pattern.compile("^TOKEN ([0-9a-f]{64})$", Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "the child printed its token's hash:\n" + text);
        return m.group(1);
    }

    private static long count(String key) throws Exception {
        HttpURLConnection conn = (HttpURLConnection) new URL(url + "/__sandbox/stats").openConnection();
        conn.setConnectTimeout(5000);
        conn.setReadTimeout(5000);
        try (InputStream in = conn.getInputStream()) {
            assertEquals(200, conn.getResponseCode(), "stats HTTP status");
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            for (int n; (n = in.read(chunk)) > 0; ) {
                buf.write(chunk, 0, n);
            }
            Matcher m = COUNT.matcher(new String(buf.toByteArray(), StandardCharsets.UTF_8));
            while (m.find()) {
                if (m.group(1).equals(key)) {
                    return Long.parseLong(m.group(2));
                }
            }
            throw new AssertionError("the sandbox has no count " + key);
        } finally {
            conn.disconnect();
        }
    }

    private static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** Two child JVMs started together, the same credentials and store: one login for both. */
    private static void twoProcessesOneLogin(String store) throws Exception {
        long before = count("yativo.login");
        Process a = start("yativo", store);
        Process b = start("yativo", store);
        String ta = finish(a);
        String tb = finish(b);
        assertEquals(1, count("yativo.login") - before, "logins at the sandbox for both processes");
        assertEquals(ta, tb, "both processes used the same token");
    }

    @Test
    @DisplayName("tokenStore: a bad URL is refused by name; the password is in no message or toString")
    void badUrlAndSecret() {
        try (Config cfg = new Config()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cfg.tokenStore("ftp://u:hunter2@host/x"));
            assertTrue(e.getMessage().startsWith("invalid argument `url`: "), e.getMessage());
            assertEquals(Status.INVALID_ARGUMENT, ((TokenBridgeException) e.getCause()).getStatus());
            assertFalse(e.getCause().getMessage().contains("hunter2"), e.getCause().getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertFalse(e.toString().contains("hunter2"), e.toString());
            assertThrows(NullPointerException.class, () -> cfg.tokenStore(null));
            cfg.tokenStore("redis://tbuser:hunter2@127.0.0.1:6379/0");
            assertFalse(cfg.toString().contains("hunter2"), cfg.toString());
        }
    }

    @Test
    @DisplayName("tokenStore: two JVMs, one Yativo login through a file:// store")
    void twoProcessesShareAFileStore() throws Exception {
        Path dir = Files.createTempDirectory("tb-java-store-");
        try {
            twoProcessesOneLogin(dir.toUri().toString().replaceFirst("^file:/+", "file:///"));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1) + f.getFileName();
                    for (String secret : new String[] {YATIVO_ACCOUNT, YATIVO_SECRET, "eyJ"}) {
                        assertFalse(text.contains(secret), f + " holds " + secret);
                    }
                }
            }
        } finally {
            removeTree(dir);
        }
    }

    @Test
    @DisplayName("tokenStore: two JVMs, one Yativo login through redis:// (ACL user, scripts/redislab.sh)")
    void twoProcessesShareRedis() throws Exception {
        String redis = System.getenv("TB_REDIS_URL");
        assertTrue(redis != null && redis.startsWith("redis://"), "TB_REDIS_URL is set (run-tests.sh starts scripts/redislab.sh)");
        twoProcessesOneLogin(redis);
    }

    @Test
    @DisplayName("tokenStore: a JVM that closes leaves the uContact session; endSession ends it for all")
    void ucontactSessionsBelongToTheFleet() throws Exception {
        Path dir = Files.createTempDirectory("tb-java-sessions-");
        String store = dir.toUri().toString().replaceFirst("^file:/+", "file:///");
        try {
            long logins = count("ucontact.getUserToken");
            long ends = count("ucontact.EndSession");
            // Process A uses the session and closes its client.
            String ta = finish(start("ucontact", store));
            assertEquals(1, count("ucontact.getUserToken") - logins, "process A logged in");
            assertEquals(0, count("ucontact.EndSession") - ends, "closing in process A ended no session");
            // This JVM (process B) goes on with it.
            try (Config cfg = config(store);
                    UContactClient uc = UContactClient.apiUser(cfg, url + "/ucontact", API_USER, API_PASSWORD)) {
                long calls = count("ucontact.call");
                ProxyTest.text(uc, "POST", "Integra/resources/Dialers/DialerTask", null);
                assertEquals(1, count("ucontact.call") - calls, "process B's call reached the sandbox");
                assertEquals(ta, sha256(uc.token()), "process B works on process A's session");
                assertEquals(1, count("ucontact.getUserToken") - logins, "process B did not log in");
                // Process C ends it for everyone.
                assertEquals(ta, finish(start("ucontact-end", store)), "process C ended the fleet's session");
                assertEquals(1, count("ucontact.EndSession") - ends, "one EndSession, from process C");
                // The ended token is refused (401): process B logs in again, once, and goes on.
                ProxyTest.text(uc, "POST", "Integra/resources/Dialers/DialerTask", null);
                assertEquals(2, count("ucontact.getUserToken") - logins, "process B logged in again");
                assertNotEquals(ta, sha256(uc.token()), "process B is on a new session");
            }
            assertEquals(1, count("ucontact.EndSession") - ends, "closing in process B ended no session");
        } finally {
            removeTree(dir);
        }
    }
}
