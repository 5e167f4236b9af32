package io.tokenbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Java binding through real HTTP proxies: the lab of {@code scripts/netlab.sh}
 * (tinyproxy open and with Basic credentials, nginx as a TLS front with a test CA),
 * started by run-tests.sh after the sandbox; its {@code TB_LAB_*} variables reach the
 * tests through the environment. What crossed the wire is read from tinyproxy's log
 * (client connections, CONNECTs, "Established connection" when a tunnel opened),
 * nginx's access log and the sandbox's echo of the Host header and the body. The
 * environment cases run in a child JVM ({@link #main}) started with that environment.
 */
public final class ProxyTest {
    private static final String YATIVO_ACCOUNT = "acct-sandbox";
    private static final String YATIVO_SECRET = "yativo-secret";
    private static final List<String> PROXY_VARS = Arrays.asList("HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
            "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy");

    static String lab(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) {
            throw new AssertionError(name + " is not set: run bindings/java/run-tests.sh (it starts scripts/netlab.sh)");
        }
        return v;
    }

    static String sandboxUrl() {
        String v = System.getProperty("tokenbridge.sandbox.url");
        if (v == null || v.isEmpty() || v.startsWith("$")) {
            v = lab("TOKENBRIDGE_SANDBOX_URL");
        }
        return v.replaceAll("/+$", "");
    }

    /** A log file read from a mark on. */
    static final class LogMark {
        final String path;
        final long from;

        LogMark(String labVariable) {
            path = lab(labVariable);
            from = new File(path).length();
        }

        /** What was written since the mark, once it has {@code lines} lines or 2 s passed
         * (nginx logs a request after answering it). */
        String since(int lines) throws InterruptedException {
            long until = System.nanoTime() + 2_000_000_000L;
            String text = since();
            while (count(text, "\n") < lines && System.nanoTime() < until) {
                Thread.sleep(20);
                text = since();
            }
            return text;
        }

        String since() {
            try (RandomAccessFile f = new RandomAccessFile(path, "r")) {
                byte[] b = new byte[(int) Math.max(0, f.length() - from)];
                f.seek(from);
                f.readFully(b);
                return new String(b, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    /** tinyproxy's view since a mark, for target port {@code port}. */
    static final class Saw {
        final int connections, tunnels, forwarded, established;

        Saw(LogMark log, int port) {
            String text = log.since();
            connections = count(text, "Connect (file descriptor");
            tunnels = count(text, "): CONNECT 127.0.0.1:" + port + " HTTP/1.");
            forwarded = count(text, " http://127.0.0.1:" + port + "/");
            established = count(text, "Established connection");
        }

        @Override
        public String toString() {
            return connections + " connections, " + tunnels + " tunnels, " + forwarded + " forwarded, "
                    + established + " established";
        }
    }

    static final class Target {
        final String name, base, ca, host;
        final int port;

        Target(String name, String base, String ca) {
            this.name = name;
            this.base = base.replaceAll("/+$", "");
            this.ca = ca;
            this.port = Integer.parseInt(this.base.substring(this.base.lastIndexOf(':') + 1));
            this.host = "127.0.0.1:" + port;
        }

        /** https trusts the lab's CA and allows no plain http; proxy null: from the environment. */
        Config config(String proxy) {
            Config cfg = new Config().allowHttp(ca == null).retries(0, 200, 5000)
                    .timeoutConnect(Duration.ofSeconds(5)).timeoutReceive(Duration.ofSeconds(20));
            if (proxy != null) {
                cfg.proxy(proxy);
            }
            if (ca != null) {
                cfg.extraCaFile(ca);
            }
            return cfg;
        }
    }

    static List<Target> targets() {
        return Arrays.asList(new Target("https", lab("TB_LAB_HTTPS_URL"), lab("TB_LAB_CA_FILE")),
                new Target("http", sandboxUrl(), null));
    }

    static String echoedHost(String host) {
        return "[\"host\",\"" + host + "\"]";
    }

    static String text(ClientHandle c, String method, String path, String json) {
        Request req = new Request(method, path);
        if (json != null) {
            req.json(json);
        }
        Response r = c.send(req);
        assertEquals(200, r.getStatus(), method + " " + path + ": " + r.getText());
        return r.getText();
    }

    /** About 40 kB of JSON (more than two TLS records) with UTF-8, escaped quotes and CR/LF, and
     * text that looks like HTTP; compact with sorted keys, as the sandbox echoes it. */
    static String bigBody() {
        StringBuilder sb = new StringBuilder("{\"n\":12345,\"text\":\"");
        for (int i = 0; i < 700; i++) {
            sb.append("ação € \\\"q\\\" \\r\\nPOST /x HTTP/1.1\\r\\nHost: y\\r\\n\\r\\n");
        }
        return sb.append("\"}").toString();
    }

    static void threeApis(Target t, String proxy) {
        try (Config cfg = t.config(proxy)) {
            try (YativoClient ya = new YativoClient(cfg, t.base + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET)) {
                assertFalse(ya.login().getValue().isEmpty());
                String body = text(ya, "GET", "wallet/balance", null);
                assertTrue(body.contains("\"account_id\":\"" + YATIVO_ACCOUNT + "\""), body);
                assertTrue(body.contains(echoedHost(t.host)), t.name + ": the Host the sandbox received: " + body);
            }
            try (AnnaClient an = new AnnaClient(cfg, t.base + "/anna/", "COMPANYHASH", "annauser", "anna-pass")) {
                an.getToken();
                String big = bigBody();
                String body = text(an, "POST", "REST/AnnACorporate/Ping", big);
                assertTrue(body.contains("\"success\":true"), body);
                assertTrue(body.contains(big), t.name + ": the 40 kB body arrived changed");
                assertTrue(body.contains(echoedHost(t.host)), t.name + ": AnnA Host");
                assertTrue(an.messengerAlertCounter(AnnaUser.byId("42"), null) > 0);
            }
            try (UContactClient uc = new UContactClient(cfg, t.base + "/ucontact", "apiuser", "s3cret&=+ é",
                    UContactClient.LoginKind.API_USER)) {
                uc.getUserToken();
                String body = text(uc, "POST", "Integra/resources/Dialers/DialerTask", "{\"k\":\"v\"}");
                assertTrue(body.contains("\"user\":\"apiuser\"") && body.contains("\"received\":{\"k\":\"v\"}"), body);
                assertTrue(body.contains(echoedHost(t.host)), t.name + ": uContact Host");
                uc.endSession();
            }
        }
    }

    static void carries(String proxyVariable, String usedLog, String otherLog) {
        for (Target t : targets()) {
            LogMark used = new LogMark(usedLog), other = new LogMark(otherLog), front = new LogMark("TB_LAB_HTTPS_LOG");
            threeApis(t, lab(proxyVariable));
            Saw saw = new Saw(used, t.port);
            System.out.println("  " + t.name + " through " + proxyVariable + ": the proxy saw " + saw);
            assertTrue(saw.tunnels + saw.forwarded > 0, t.name + ": the proxy carried nothing");
            assertTrue(saw.connections >= 1 && saw.connections <= 3, t.name + ": one connection per client at most: " + saw);
            assertEquals("", other.since(), t.name + ": the other proxy saw nothing");
            String lines;
            try {
                lines = front.since(t.ca != null ? 8 : 0);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            if (t.ca != null) {
                assertEquals(8, count(lines, "\n"), t.name + ": requests at the TLS front: " + lines);
                assertEquals(8, count(lines, " TLSv1."), t.name + ": all over TLS");
            } else {
                assertEquals("", lines, "plain http never reaches the TLS front");
            }
        }
    }

    @Test
    @DisplayName("the three APIs through the open tinyproxy, to the https front and to plain http")
    void openProxy() {
        carries("TB_LAB_PROXY", "TB_LAB_PROXY_LOG", "TB_LAB_PROXY_AUTH_LOG");
    }

    @Test
    @DisplayName("the three APIs through the Basic-auth tinyproxy")
    void basicAuthProxy() {
        carries("TB_LAB_PROXY_AUTH", "TB_LAB_PROXY_AUTH_LOG", "TB_LAB_PROXY_LOG");
    }

    @Test
    @DisplayName("a refused tunnel (407, wrong password) is PROXY naming the proxy and its status, no credentials")
    void refusals() {
        String proxy = lab("TB_LAB_PROXY_AUTH_URL");
        String user = lab("TB_LAB_PROXY_USER");
        List<String> secrets = new ArrayList<>(Arrays.asList(user, lab("TB_LAB_PROXY_PASSWORD"), lab("TB_LAB_PROXY_BAD_PASSWORD")));
        for (String p : Arrays.asList(lab("TB_LAB_PROXY_PASSWORD"), lab("TB_LAB_PROXY_BAD_PASSWORD"))) {
            secrets.add(Base64.getEncoder().encodeToString((user + ":" + p).getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals("407", lab("TB_LAB_PROXY_AUTH_NONE_STATUS"), "tinyproxy asks for credentials with a 407");
        String[][] cases = {{proxy, lab("TB_LAB_PROXY_AUTH_NONE_STATUS")},
            {lab("TB_LAB_PROXY_AUTH_BAD"), lab("TB_LAB_PROXY_AUTH_BAD_STATUS")}};
        for (Target t : targets()) {
            for (String[] c : cases) {
                LogMark log = new LogMark("TB_LAB_PROXY_AUTH_LOG");
                try (Config cfg = t.config(c[0]);
                        YativoClient ya = new YativoClient(cfg, t.base + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET)) {
                    TokenBridgeException e = assertThrows(TokenBridgeException.class, ya::login);
                    System.out.println("  " + t.name + ", " + c[1] + ": " + e.getMessage());
                    assertEquals(Status.PROXY, e.getStatus(), e.getMessage());
                    assertEquals(0, e.getHttpStatus());
                    assertTrue(e.getMessage().contains(proxy), "names the proxy: " + e.getMessage());
                    assertTrue(e.getMessage().contains(c[1]), "says the status " + c[1] + ": " + e.getMessage());
                    for (String s : secrets) {
                        assertFalse(e.getMessage().contains(s), "holds " + s + ": " + e.getMessage());
                        assertFalse(e.toString().contains(s), "toString holds " + s);
                    }
                }
                Saw saw = new Saw(log, t.port);
                assertTrue(saw.tunnels + saw.forwarded == 1 && saw.established == 0, "asked once, opened nothing: " + saw);
            }
        }
    }

    /** The child JVM: a Yativo login and call with the proxy left to the environment. */
    public static void main(String[] args) {
        Target t = new Target("child", args[0], args[1].isEmpty() ? null : args[1]);
        try (Config cfg = t.config(null);
                YativoClient ya = new YativoClient(cfg, t.base + "/yativo/api/v1", YATIVO_ACCOUNT, YATIVO_SECRET)) {
            ya.login();
            if (text(ya, "GET", "wallet/balance", null).contains(echoedHost(t.host))) {
                System.out.println("CHILD-OK host=" + t.host);
            }
        }
    }

    static String runChild(Target t, String... vars) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(Arrays.asList(java, "-cp", System.getProperty("java.class.path")));
        for (String p : System.getProperties().stringPropertyNames()) {
            if (p.startsWith("jna.")) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(Arrays.asList(ProxyTest.class.getName(), t.base, t.ca == null ? "" : t.ca));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        for (String v : PROXY_VARS) {
            env.remove(v);
        }
        for (int i = 0; i < vars.length; i += 2) {
            env.put(vars[i], vars[i + 1]);
        }
        Process p = pb.start();
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
        return text;
    }

    @Test
    @DisplayName("HTTPS_PROXY and NO_PROXY from the environment (child JVMs)")
    void proxyFromTheEnvironment() throws Exception {
        Target https = targets().get(0);
        String open = lab("TB_LAB_PROXY");
        Object[][] cases = {
            {new String[] {"HTTPS_PROXY", open}, true},
            {new String[] {"https_proxy", open, "NO_PROXY", "127.0.0.1"}, false},
            {new String[] {"HTTPS_PROXY", open, "no_proxy", "localhost,127.0.0.1"}, false},
        };
        for (Object[] c : cases) {
            String[] vars = (String[]) c[0];
            String what = String.join(" ", vars);
            LogMark log = new LogMark("TB_LAB_PROXY_LOG"), front = new LogMark("TB_LAB_HTTPS_LOG");
            String out = runChild(https, vars);
            assertTrue(out.contains("CHILD-OK host=" + https.host), what + ": " + out);
            Saw saw = new Saw(log, https.port);
            System.out.println("  " + what + ": the proxy saw " + saw);
            if ((Boolean) c[1]) {
                assertTrue(saw.connections == 1 && saw.tunnels == 1 && saw.established == 1, what + ": one tunnel: " + saw);
            } else {
                assertEquals("", log.since(), what + ": NO_PROXY names 127.0.0.1, so the proxy sees nothing");
            }
            assertEquals(2, count(front.since(2), " TLSv1."), what + ": login and call reached the TLS front");
        }
    }
}
