/*
 * The C ABI through real HTTP proxies: the lab of scripts/netlab.sh (tinyproxy open
 * and with Basic credentials, nginx as a TLS front with a test CA) in front of the
 * sandbox. Run by run-tests.sh under valgrind, with TOKENBRIDGE_SANDBOX_URL and the
 * lab's TB_LAB_* variables set.
 *
 * What crossed the wire is read from tinyproxy's log (client connections, CONNECT
 * tunnels, "Established connection" when the tunnel opened), nginx's access log (the
 * requests that reached the TLS front) and the sandbox's echo (the Host header it
 * received, the body it received). The environment cases (HTTPS_PROXY, NO_PROXY)
 * run in a child process of this program, started with that environment:
 * `proxy --child BASE_URL CA_FILE` makes one Yativo login and call with the proxy
 * left to the environment and prints "CHILD-OK host=HOST".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static const char *env_or_die(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "%s is not set: run bindings/c/run-tests.sh (it starts scripts/netlab.sh)\n", name);
        exit(2);
    }
    return v;
}

/* ------------------------------------------------------------------ logs */

/* A log file read from a mark on. */
typedef struct {
    const char *path;
    long from;
} mark;

static mark mark_of(const char *path) {
    mark m = {path, 0};
    FILE *f = fopen(path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        m.from = ftell(f);
        fclose(f);
    }
    return m;
}

/* What was written since the mark (malloc'd, NUL-terminated). */
static char *since(mark m) {
    FILE *f = fopen(m.path, "rb");
    if (!f) return strdup("");
    fseek(f, 0, SEEK_END);
    long end = ftell(f);
    long n = end > m.from ? end - m.from : 0;
    char *buf = malloc((size_t)n + 1);
    fseek(f, m.from, SEEK_SET);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    for (size_t i = 0; i < got; i++) /* a NUL would end the text for strstr */
        if (buf[i] == '\0') buf[i] = ' ';
    fclose(f);
    return buf;
}

static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + strlen(needle), needle)) n++;
    return n;
}

/* tinyproxy's view since a mark: client connections, CONNECTs to 127.0.0.1:port,
 * absolute-form requests to it, tunnels or connections it established upstream. */
typedef struct {
    int connections, tunnels, forwarded, established;
} proxy_view;

static proxy_view proxy_saw(mark m, int port) {
    char *text = since(m), connect[64], forward[64];
    snprintf(connect, sizeof connect, "): CONNECT 127.0.0.1:%d HTTP/1.", port);
    snprintf(forward, sizeof forward, " http://127.0.0.1:%d/", port);
    proxy_view v = {count(text, "Connect (file descriptor"), count(text, connect), count(text, forward),
                    count(text, "Established connection")};
    free(text);
    return v;
}

/* Lines in nginx's access log since the mark, and how many carry a TLS version, once
 * there are `want` or 2 s passed (nginx logs a request after answering it). */
static int front_requests(mark m, int *tls, int want) {
    char *text = since(m);
    for (int i = 0; i < 100 && count(text, "\n") < want; i++) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        free(text);
        text = since(m);
    }
    int n = count(text, "\n");
    *tls = count(text, " TLSv1.");
    free(text);
    return n;
}

/* ------------------------------------------------------------------ targets */

typedef struct {
    const char *name;
    char base[256];
    const char *ca; /* NULL: plain http */
    int port;
    char host[64];
} target;

static int port_of(const char *url) {
    const char *colon = strrchr(url, ':');
    return colon ? atoi(colon + 1) : 0;
}

static target make_target(const char *name, const char *base, const char *ca) {
    target t;
    t.name = name;
    snprintf(t.base, sizeof t.base, "%s", base);
    t.ca = ca;
    t.port = port_of(base);
    snprintf(t.host, sizeof t.host, "127.0.0.1:%d", t.port);
    return t;
}

/* https trusts the lab's CA and allows no plain http; the plain target allows it.
 * proxy NULL: from the environment. */
static tb_config *config_for(const target *t, const char *proxy) {
    tb_config *cfg = tb_config_new();
    CHECK(cfg != NULL, "tb_config_new");
    if (proxy) CHECK(tb_config_set_proxy(cfg, proxy) == TB_OK, "set_proxy: %s", last_message());
    CHECK(tb_config_set_allow_http(cfg, t->ca == NULL) == TB_OK, "allow_http");
    if (t->ca) CHECK(tb_config_set_extra_ca_file(cfg, t->ca) == TB_OK, "extra_ca_file: %s", last_message());
    CHECK(tb_config_set_retries(cfg, 0, 200, 5000) == TB_OK, "retries");
    CHECK(tb_config_set_timeout_connect_ms(cfg, 5000) == TB_OK, "timeout_connect");
    CHECK(tb_config_set_timeout_receive_ms(cfg, 20000) == TB_OK, "timeout_receive");
    return cfg;
}

/* The answer of one generic call, as a malloc'd NUL-terminated string (NULL on
 * failure, checked). */
typedef tb_status (*send_fn)(void *client, const tb_request *req, tb_response **out);

static char *send_call(send_fn send, void *client, const char *method, const char *path, const char *json,
                       uint16_t *status) {
    tb_request *req = NULL;
    tb_response *resp = NULL;
    char *out = NULL;
    CHECK(tb_request_new(method, path, &req) == TB_OK, "request_new %s", path);
    if (json) CHECK(tb_request_set_json(req, json) == TB_OK, "set_json: %s", last_message());
    tb_status s = send(client, req, &resp);
    CHECK(s == TB_OK, "%s %s: %s: %s", method, path, tb_status_name(s), last_message());
    if (s == TB_OK) {
        const uint8_t *bytes = NULL;
        size_t len = 0;
        CHECK(tb_response_body(resp, &bytes, &len) == TB_OK, "response_body");
        out = malloc(len + 1);
        memcpy(out, bytes, len);
        out[len] = '\0';
        *status = tb_response_status(resp);
    }
    tb_response_free(resp);
    tb_request_free(req);
    return out;
}

static tb_status yativo_send(void *c, const tb_request *r, tb_response **o) { return tb_yativo_send(c, r, o); }
static tb_status anna_send(void *c, const tb_request *r, tb_response **o) { return tb_anna_send(c, r, o); }
static tb_status ucontact_send(void *c, const tb_request *r, tb_response **o) { return tb_ucontact_send(c, r, o); }

/* Whether the sandbox's echo in `body` holds the Host header `host`. */
static bool echoes_host(const char *body, const char *host) {
    char needle[96];
    snprintf(needle, sizeof needle, "[\"host\",\"%s\"]", host);
    return body && strstr(body, needle) != NULL;
}

/* A JSON body of about 40 kB (more than two TLS records) with what a layer rewriting
 * tunnel bytes breaks: UTF-8, escaped quotes and CR/LF, text that looks like HTTP.
 * Keys sorted and compact, as the sandbox writes it back in its echo. */
static char *big_body(void) {
    const char *unit = "a\xc3\xa7\xc3\xa3o \xe2\x82\xac \\\"q\\\" \\r\\nPOST /x HTTP/1.1\\r\\nHost: y\\r\\n\\r\\n";
    size_t unit_len = strlen(unit), n = 700;
    char *body = malloc(unit_len * n + 64);
    char *p = body + sprintf(body, "{\"n\":12345,\"text\":\"");
    for (size_t i = 0; i < n; i++, p += unit_len) memcpy(p, unit, unit_len);
    strcpy(p, "\"}");
    return body;
}

/* ------------------------------------------------------------------ the calls */

/* Logins and an authenticated call of each API through `proxy`. */
static void three_apis(const target *t, const char *proxy) {
    char url[320];
    uint16_t status = 0;
    tb_config *cfg = config_for(t, proxy);

    tb_yativo_client *ya = NULL;
    snprintf(url, sizeof url, "%s/yativo/api/v1", t->base);
    CHECK(tb_yativo_client_new(cfg, url, "acct-sandbox", "yativo-secret", &ya) == TB_OK, "yativo_new: %s",
          last_message());
    char *token = NULL;
    int64_t expires = 0;
    tb_status s = tb_yativo_login(ya, &token, &expires);
    CHECK(s == TB_OK && token && *token, "%s: yativo login: %s: %s", t->name, tb_status_name(s), last_message());
    tb_string_free(token);
    char *body = send_call(yativo_send, ya, "GET", "wallet/balance", NULL, &status);
    CHECK(status == 200, "%s: wallet/balance: %u", t->name, status);
    CHECK(body && strstr(body, "\"account_id\":\"acct-sandbox\""), "%s: balance: %s", t->name, body);
    CHECK(echoes_host(body, t->host), "%s: host not %s: %.300s", t->name, t->host, body);
    free(body);
    tb_yativo_client_free(ya);

    tb_anna_client *an = NULL;
    snprintf(url, sizeof url, "%s/anna/", t->base);
    CHECK(tb_anna_client_new(cfg, url, "COMPANYHASH", "annauser", "anna-pass", &an) == TB_OK, "anna_new");
    s = tb_anna_get_token(an, &token, &expires);
    CHECK(s == TB_OK, "%s: anna token: %s: %s", t->name, tb_status_name(s), last_message());
    tb_string_free(token);
    char *big = big_body();
    body = send_call(anna_send, an, "POST", "REST/AnnACorporate/Ping", big, &status);
    CHECK(status == 200 && body && strstr(body, "\"success\":true"), "%s: ping: %.300s", t->name, body);
    CHECK(body && strstr(body, big) != NULL, "%s: the 40 kB body arrived changed", t->name);
    CHECK(echoes_host(body, t->host), "%s: anna host", t->name);
    free(body);
    free(big);
    uint64_t alerts = 0;
    s = tb_anna_messenger_alert_counter(an, "42", NULL, NULL, NULL, &alerts);
    CHECK(s == TB_OK && alerts > 0, "%s: alert counter %" PRIu64 ": %s", t->name, alerts, last_message());
    tb_anna_client_free(an);

    tb_ucontact_client *uc = NULL;
    snprintf(url, sizeof url, "%s/ucontact", t->base);
    CHECK(tb_ucontact_client_new(cfg, url, "apiuser", "s3cret&=+ \xc3\xa9", TB_UCONTACT_LOGIN_API_USER, &uc) ==
              TB_OK,
          "ucontact_new");
    s = tb_ucontact_get_user_token(uc, &token);
    CHECK(s == TB_OK, "%s: ucontact token: %s: %s", t->name, tb_status_name(s), last_message());
    tb_string_free(token);
    body = send_call(ucontact_send, uc, "POST", "Integra/resources/Dialers/DialerTask", "{\"k\":\"v\"}", &status);
    CHECK(body && strstr(body, "\"user\":\"apiuser\"") && strstr(body, "\"received\":{\"k\":\"v\"}"),
          "%s: DialerTask: %.300s", t->name, body);
    CHECK(echoes_host(body, t->host), "%s: ucontact host", t->name);
    free(body);
    CHECK(tb_ucontact_end_session(uc) == TB_OK, "%s: end_session: %s", t->name, last_message());
    tb_ucontact_client_free(uc);
    tb_config_free(cfg);
}

/* Checks that `used` carried the calls to t (one tunnel per client at most), that
 * `other` saw nothing, and what reached the TLS front. */
static void check_carried(const target *t, mark used, mark other, mark front) {
    proxy_view v = proxy_saw(used, t->port);
    printf("  %s: the proxy saw %d connections, %d tunnels, %d forwarded\n", t->name, v.connections, v.tunnels,
           v.forwarded);
    CHECK(v.tunnels + v.forwarded > 0, "%s: the proxy carried nothing", t->name);
    CHECK(v.connections >= 1 && v.connections <= 3, "%s: %d client connections for 3 clients", t->name,
          v.connections);
    char *o = since(other);
    CHECK(*o == '\0', "%s: the other proxy was used: %s", t->name, o);
    free(o);
    int tls = 0, n = front_requests(front, &tls, t->ca ? 8 : 0);
    if (t->ca) {
        CHECK(n == 8 && tls == 8, "%s: %d requests (%d over TLS) at the front, want 8", t->name, n, tls);
    } else {
        CHECK(n == 0, "%s: plain http reached the TLS front (%d)", t->name, n);
    }
}

static void test_through(const target *targets, const char *proxy, const char *used_log, const char *other_log,
                         const char *front_log) {
    for (int i = 0; i < 2; i++) {
        mark used = mark_of(used_log), other = mark_of(other_log), front = mark_of(front_log);
        three_apis(&targets[i], proxy);
        check_carried(&targets[i], used, other, front);
    }
}

/* A refused tunnel: TB_PROXY, the message names the proxy and the status, holds no
 * credential; the proxy was asked and opened nothing. */
static void test_refusals(const target *targets) {
    const char *proxy = env_or_die("TB_LAB_PROXY_AUTH_URL");
    const char *user = env_or_die("TB_LAB_PROXY_USER");
    const char *secrets[] = {user, env_or_die("TB_LAB_PROXY_PASSWORD"), env_or_die("TB_LAB_PROXY_BAD_PASSWORD")};
    const char *given[] = {proxy, env_or_die("TB_LAB_PROXY_AUTH_BAD")};
    const char *status[] = {env_or_die("TB_LAB_PROXY_AUTH_NONE_STATUS"), env_or_die("TB_LAB_PROXY_AUTH_BAD_STATUS")};
    CHECK(strcmp(status[0], "407") == 0, "tinyproxy asks for credentials with %s", status[0]);
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 2; k++) {
            const target *t = &targets[i];
            mark auth = mark_of(env_or_die("TB_LAB_PROXY_AUTH_LOG"));
            tb_config *cfg = config_for(t, given[k]);
            char url[320];
            snprintf(url, sizeof url, "%s/yativo/api/v1", t->base);
            tb_yativo_client *ya = NULL;
            CHECK(tb_yativo_client_new(cfg, url, "acct-sandbox", "yativo-secret", &ya) == TB_OK, "new");
            char *token = (char *)"untouched";
            int64_t expires = -1;
            tb_status s = tb_yativo_login(ya, &token, &expires);
            const char *m = last_message();
            printf("  %s, proxy answering %s: %s: %s\n", t->name, status[k], tb_status_name(s), m);
            CHECK(s == TB_PROXY, "%s: %s, not TB_PROXY", t->name, tb_status_name(s));
            CHECK(strcmp(token, "untouched") == 0 && expires == -1, "outputs written on failure");
            CHECK(tb_last_error_status() == TB_PROXY, "last_error_status");
            CHECK(strstr(m, proxy) != NULL, "%s: the message does not name %s: %s", t->name, proxy, m);
            CHECK(strstr(m, status[k]) != NULL, "%s: the message does not say %s: %s", t->name, status[k], m);
            for (size_t j = 0; j < sizeof secrets / sizeof *secrets; j++)
                CHECK(strstr(m, secrets[j]) == NULL, "%s: the message holds %s: %s", t->name, secrets[j], m);
            proxy_view v = proxy_saw(auth, t->port);
            CHECK(v.tunnels + v.forwarded == 1 && v.established == 0, "%s: the proxy saw %d+%d, opened %d",
                  t->name, v.tunnels, v.forwarded, v.established);
            tb_yativo_client_free(ya);
            tb_config_free(cfg);
        }
    }
}

/* ------------------------------------------------------------------ environment */

static const char *PROXY_VARS[] = {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                                   "ALL_PROXY",   "all_proxy",   "NO_PROXY",   "no_proxy"};

static int child_main(const char *base, const char *ca) {
    target t = make_target("child", base, *ca ? ca : NULL);
    tb_config *cfg = config_for(&t, NULL);
    char url[320];
    snprintf(url, sizeof url, "%s/yativo/api/v1", base);
    tb_yativo_client *ya = NULL;
    uint16_t status = 0;
    int rc = 1;
    char *token = NULL;
    int64_t expires = 0;
    if (tb_yativo_client_new(cfg, url, "acct-sandbox", "yativo-secret", &ya) == TB_OK &&
        tb_yativo_login(ya, &token, &expires) == TB_OK) {
        tb_string_free(token);
        char *body = send_call(yativo_send, ya, "GET", "wallet/balance", NULL, &status);
        if (body && echoes_host(body, t.host)) {
            printf("CHILD-OK host=%s\n", t.host);
            rc = 0;
        }
        free(body);
    } else {
        fprintf(stderr, "child: %s\n", last_message());
    }
    tb_yativo_client_free(ya);
    tb_config_free(cfg);
    return rc;
}

/* Runs `self --child BASE CA` with the proxy variables removed and `vars` (NAME,
 * VALUE pairs, NULL-terminated) set; returns whether it printed CHILD-OK. Bounded:
 * the child is killed after 60 s. */
static bool run_child(const char *self, const target *t, const char *const *vars) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        for (size_t i = 0; i < sizeof PROXY_VARS / sizeof *PROXY_VARS; i++) unsetenv(PROXY_VARS[i]);
        for (; vars[0]; vars += 2) setenv(vars[0], vars[1], 1);
        execl(self, self, "--child", t->base, t->ca ? t->ca : "", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char out[512] = "";
    size_t len = 0;
    ssize_t n;
    while (len < sizeof out - 1 && (n = read(fds[0], out + len, sizeof out - 1 - len)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        len += (size_t)n;
    }
    out[len] = '\0';
    close(fds[0]);
    int status = 0;
    for (int i = 0; i < 600; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        if (i == 599) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    char want[96];
    snprintf(want, sizeof want, "CHILD-OK host=%s", t->host);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(out, want) != NULL;
}

static void test_environment(const char *self, const target *https) {
    const char *open = env_or_die("TB_LAB_PROXY");
    struct {
        const char *vars[5];
        bool through;
    } cases[] = {
        {{"HTTPS_PROXY", open, NULL}, true},
        {{"https_proxy", open, "NO_PROXY", "127.0.0.1", NULL}, false},
        {{"HTTPS_PROXY", open, "no_proxy", "localhost,127.0.0.1", NULL}, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mark proxy = mark_of(env_or_die("TB_LAB_PROXY_LOG")), front = mark_of(env_or_die("TB_LAB_HTTPS_LOG"));
        bool ok = run_child(self, https, cases[i].vars);
        CHECK(ok, "environment case %zu (%s=%s %s): the child failed", i, cases[i].vars[0], cases[i].vars[1],
              cases[i].vars[2] ? cases[i].vars[2] : "");
        proxy_view v = proxy_saw(proxy, https->port);
        if (cases[i].through) {
            CHECK(v.connections == 1 && v.tunnels == 1 && v.established == 1, "case %zu: %d/%d/%d", i,
                  v.connections, v.tunnels, v.established);
        } else {
            CHECK(v.connections == 0 && v.tunnels == 0, "case %zu: NO_PROXY names 127.0.0.1, yet %d tunnels", i,
                  v.tunnels);
        }
        int tls = 0, n = front_requests(front, &tls, 2);
        CHECK(n == 2 && tls == 2, "case %zu: %d requests at the TLS front, want login + call", i, n);
        printf("  environment case %zu: %s\n", i, ok ? "ok" : "FAILED");
    }
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--child") == 0) return child_main(argv[2], argv[3]);
    const char *sandbox = env_or_die("TOKENBRIDGE_SANDBOX_URL");
    target targets[2] = {
        make_target("https", env_or_die("TB_LAB_HTTPS_URL"), env_or_die("TB_LAB_CA_FILE")),
        make_target("http", sandbox, NULL),
    };
    const char *open_log = env_or_die("TB_LAB_PROXY_LOG"), *auth_log = env_or_die("TB_LAB_PROXY_AUTH_LOG"),
               *front_log = env_or_die("TB_LAB_HTTPS_LOG");
    printf("open proxy\n");
    test_through(targets, env_or_die("TB_LAB_PROXY"), open_log, auth_log, front_log);
    printf("Basic-auth proxy\n");
    test_through(targets, env_or_die("TB_LAB_PROXY_AUTH"), auth_log, open_log, front_log);
    printf("refused tunnels\n");
    test_refusals(targets);
    printf("the proxy from the environment\n");
    test_environment(argv[0], &targets[0]);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
