import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenbridge.AnnaClient;
import io.tokenbridge.AnnaUser;
import io.tokenbridge.Config;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The AnnA {@code Messenger/AlertCounter} call with a cached token, as scripts/bench.sh's
 * https section makes it, through the Java binding, java.net.http.HttpClient and OkHttp:
 * <pre>
 *   Bench keepalive CLIENT PORT CAFILE REQUESTS WARMUP   RESULT line (benches/c/stats.h)
 *   Bench cold CLIENT PORT CAFILE                        login + one call, then exit
 *   Bench empty                                          prints and exits (the JVM alone)
 * </pre>
 * CLIENT is tokenbridge, httpclient or okhttp. The two native clients write the same
 * JSON body with Jackson for every call, send {@code Authorization: Bearer TOKEN} and read
 * the answer with Jackson; the binding does its own JSON. Every call checks alertCounter == 3.
 */
public final class Bench {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ALERT = "AnnACorporate/Messenger/AlertCounter";
    static final String LOGIN = "Credentials/GetToken";

    /** One client's call: returns alertCounter. */
    interface Call {
        long alertCounter() throws Exception;
    }

    /** The body tokenbridge sends for AlertCounter with user id 42 and no filter. */
    static Map<String, Object> alertBody() {
        Map<String, Object> filters = new LinkedHashMap<>();
        for (String k : new String[] {"departmentAlias", "channelAlias", "dataIni", "dataFim", "status", "pendentes"}) {
            filters.put(k, "");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hash", "COMPANYHASH");
        body.put("userId", "42");
        body.put("userDocType", "");
        body.put("userDocValue", "");
        body.put("messengerFilters", filters);
        return body;
    }

    static Map<String, Object> loginBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("hash", "COMPANYHASH");
        body.put("user", "annauser");
        body.put("pass", "anna-pass");
        return body;
    }

    /** The token of a GetToken answer ({@code data.Token}). */
    static String token(byte[] answer) throws Exception {
        JsonNode n = JSON.readTree(answer);
        if (!n.path("success").asBoolean(false)) {
            throw new IllegalStateException("GetToken failed: " + n.path("message").asText());
        }
        return n.path("data").path("Token").asText();
    }

    static long counter(byte[] answer) throws Exception {
        return JSON.readTree(answer).path("alertCounter").asLong(-1);
    }

    /** Trust exactly the test CA (PEM). */
    static X509TrustManager trust(String caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = new FileInputStream(caFile)) {
            ks.setCertificateEntry("bench-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    static SSLContext ssl(X509TrustManager tm) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
        return ctx;
    }

    // ---- the binding ----

    static final class Binding implements Call {
        final AnnaClient client;
        final AnnaUser user = AnnaUser.byId("42");

        Binding(String base, String ca, boolean cached) {
            Config cfg = new Config().extraCaFile(ca).noProxy().retries(0, 100, 1000);
            try {
                client = new AnnaClient(cfg, base, "COMPANYHASH", "annauser", "anna-pass");
            } finally {
                cfg.close();
            }
            if (cached) {
                client.setToken("bench-token", Instant.now().plusSeconds(86400));
            }
        }

        @Override
        public long alertCounter() {
            return client.messengerAlertCounter(user, null);
        }
    }

    // ---- java.net.http ----

    static final class Jdk implements Call {
        final HttpClient client;
        final URI alert;
        final String base;
        String bearer;

        Jdk(String base, String ca, String token) throws Exception {
            this.base = base;
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl(trust(ca)))
                    .proxy(HttpClient.Builder.NO_PROXY).build();
            alert = URI.create(base + ALERT);
            bearer = token == null ? null : "Bearer " + token;
        }

        byte[] post(URI uri, Object body, String auth) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode());
            }
            return r.body();
        }

        void login() throws Exception {
            bearer = "Bearer " + token(post(URI.create(base + LOGIN), loginBody(), null));
        }

        @Override
        public long alertCounter() throws Exception {
            return counter(post(alert, alertBody(), bearer));
        }
    }

    // ---- OkHttp ----

    static final class Ok implements Call {
        static final MediaType JSON_TYPE = MediaType.get("application/json");
        final OkHttpClient client;
        final String alert;
        final String base;
        String bearer;

        Ok(String base, String ca, String token) throws Exception {
            this.base = base;
            X509TrustManager tm = trust(ca);
            client = new OkHttpClient.Builder().sslSocketFactory(ssl(tm).getSocketFactory(), tm)
                    .protocols(Collections.singletonList(Protocol.HTTP_1_1)).proxy(java.net.Proxy.NO_PROXY).build();
            alert = base + ALERT;
            bearer = token == null ? null : "Bearer " + token;
        }

        byte[] post(String url, Object body, String auth) throws Exception {
            okhttp3.Request.Builder b = new okhttp3.Request.Builder().url(url)
                    .post(RequestBody.create(JSON.writeValueAsBytes(body), JSON_TYPE));
            if (auth != null) {
                b.header("Authorization", auth);
            }
            try (okhttp3.Response r = client.newCall(b.build()).execute()) {
                if (r.code() != 200) {
                    throw new IllegalStateException("HTTP " + r.code());
                }
                ResponseBody rb = r.body();
                return rb.bytes();
            }
        }

        void login() throws Exception {
            bearer = "Bearer " + token(post(base + LOGIN, loginBody(), null));
        }

        @Override
        public long alertCounter() throws Exception {
            return counter(post(alert, alertBody(), bearer));
        }
    }

    static Call client(String name, String base, String ca, boolean cached) throws Exception {
        String token = cached ? "bench-token" : null;
        switch (name) {
            case "tokenbridge":
                return new Binding(base, ca, cached);
            case "httpclient": {
                Jdk c = new Jdk(base, ca, token);
                if (!cached) {
                    c.login();
                }
                return c;
            }
            case "okhttp": {
                Ok c = new Ok(base, ca, token);
                if (!cached) {
                    c.login();
                }
                return c;
            }
            default:
                throw new IllegalArgumentException("unknown client " + name + " (tokenbridge, httpclient, okhttp)");
        }
    }

    static void check(long count) {
        if (count != 3) {
            throw new IllegalStateException("alertCounter " + count + ", not 3");
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("empty")) {
            System.out.println("empty");
            return;
        }
        if (args.length < 4) {
            System.err.println("usage: Bench keepalive|cold CLIENT PORT CAFILE [REQUESTS WARMUP] | Bench empty");
            System.exit(2);
        }
        String mode = args[0], name = args[1], ca = args[3];
        String base = "https://127.0.0.1:" + args[2] + "/anna/REST/";
        if (mode.equals("cold")) {
            // The binding takes the API's base URL (it adds REST/...); the others the REST root.
            Call c = client(name, name.equals("tokenbridge") ? "https://127.0.0.1:" + args[2] + "/anna/" : base, ca, false);
            check(c.alertCounter());
            System.out.println("ok");
            return;
        }
        int n = Integer.parseInt(args[4]), warm = Integer.parseInt(args[5]);
        Call c = client(name, name.equals("tokenbridge") ? "https://127.0.0.1:" + args[2] + "/anna/" : base, ca, true);
        for (int i = 0; i < warm; i++) {
            check(c.alertCounter());
        }
        long[] lat = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            long count = c.alertCounter();
            lat[i] = System.nanoTime() - t0;
            check(count);
        }
        long total = 0;
        for (long l : lat) {
            total += l;
        }
        Arrays.sort(lat);
        double secs = total / 1e9;
        System.out.printf(java.util.Locale.ROOT, "RESULT java-%s %d %.4f %.1f %.2f %.2f%n", name, n, secs, n / secs,
                lat[n / 2] / 1000.0, lat[n * 99 / 100] / 1000.0);
    }
}
