/*
 * The C test suite of tokenbridge's C ABI: every exported function, on its success
 * and failure paths, NULL and invalid UTF-8 for every pointer parameter, the
 * thread-local last error, and 8 threads sharing clients. Runs against the sandbox
 * (TOKENBRIDGE_SANDBOX_URL, see docs/sandbox-contract.md) and, for failures the
 * sandbox cannot produce, against fake_server.c. Run by bindings/c/run-tests.sh.
 *
 * Prints one line per failed check and a final "N passed, M failed"; exits 1 when
 * a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_server.h"
#include "tokenbridge.h"

/* ------------------------------------------------------------------ checks */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_passed, g_failed;

static void report(int ok, const char *file, int line, const char *fmt, ...) {
    pthread_mutex_lock(&g_lock);
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "FAIL %s:%d: ", file, line);
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        va_end(ap);
    }
    pthread_mutex_unlock(&g_lock);
}

#define CHECK(cond) report(!!(cond), __FILE__, __LINE__, "%s", #cond)

/* A copy of the thread's last error message ("" when none); static per thread. */
static _Thread_local char t_message[2048];
static const char *last_message(void) {
    char *m = tb_last_error_message();
    snprintf(t_message, sizeof t_message, "%s", m ? m : "");
    tb_string_free(m);
    return t_message;
}

static void check_status(tb_status got, tb_status want, const char *file, int line,
                         const char *call) {
    if (got == want) {
        report(1, file, line, "");
        if (want != TB_OK) {
            report(tb_last_error_status() == want, file, line,
                   "%s: tb_last_error_status() is %s, not %s", call,
                   tb_status_name(tb_last_error_status()), tb_status_name(want));
        } else {
            report(tb_last_error_status() == TB_OK, file, line,
                   "%s: last error not cleared on success", call);
        }
    } else {
        report(0, file, line, "%s returned %s, expected %s (last error: %s)", call,
               tb_status_name(got), tb_status_name(want), last_message());
    }
}
#define CHECK_OK(call) check_status((call), TB_OK, __FILE__, __LINE__, #call)
#define CHECK_STATUS(call, want) check_status((call), (want), __FILE__, __LINE__, #call)

/* The call fails with `want` and the last error message contains `part`. */
static void check_error(tb_status got, tb_status want, const char *part, const char *file,
                        int line, const char *call) {
    check_status(got, want, file, line, call);
    if (got == want) {
        const char *m = last_message();
        report(strstr(m, part) != NULL, file, line, "%s: message \"%s\" lacks \"%s\"", call, m,
               part);
    }
}
#define CHECK_ERROR(call, want, part) check_error((call), (want), (part), __FILE__, __LINE__, #call)

/* The call is TB_INVALID_ARGUMENT with exactly "invalid argument `param`: reason..." */
static void check_arg(tb_status got, const char *param, const char *reason, const char *file,
                      int line, const char *call) {
    char want[256];
    snprintf(want, sizeof want, "invalid argument `%s`: %s", param, reason);
    check_status(got, TB_INVALID_ARGUMENT, file, line, call);
    if (got == TB_INVALID_ARGUMENT) {
        const char *m = last_message();
        report(strncmp(m, want, strlen(want)) == 0, file, line,
               "%s: message \"%s\" does not start with \"%s\"", call, m, want);
        report(tb_last_error_http_status() == 0, file, line, "%s: HTTP status set", call);
        char *vendor = tb_last_error_vendor_message();
        report(vendor == NULL, file, line, "%s: vendor message set", call);
        tb_string_free(vendor);
    }
}
#define CHECK_NULL_ARG(call, param) check_arg((call), (param), "is NULL", __FILE__, __LINE__, #call)
#define CHECK_UTF8_ARG(call, param) \
    check_arg((call), (param), "is not valid UTF-8", __FILE__, __LINE__, #call)
#define CHECK_ARG(call, param, reason) check_arg((call), (param), (reason), __FILE__, __LINE__, #call)

/* Takes a string out of the library: copies it and frees the original. */
static char *take(char *s) {
    if (!s) return NULL;
    char *copy = malloc(strlen(s) + 1);
    if (copy) strcpy(copy, s);
    tb_string_free(s);
    return copy;
}

static int contains(const char *haystack, const char *needle) {
    return haystack && needle && strstr(haystack, needle) != NULL;
}

/* Outputs must stay untouched on failure: they start as SENTINEL. */
static char sentinel_byte;
#define SENTINEL (&sentinel_byte)

static const char BAD_UTF8[] = "ok\xff\xfe";

static int64_t now_unix(void) { return (int64_t)time(NULL); }

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* ------------------------------------------------------------------ set-up */

static char g_url[256];          /* the sandbox root, http://127.0.0.1:PORT */
static char g_ucontact_url[300]; /* {url}/ucontact */
static char g_yativo_url[300];   /* {url}/yativo/api/v1 */
static char g_anna_url[300];     /* {url}/anna/ */

#define UC_USER "apiuser"
#define UC_PASS "s3cret&=+ \xc3\xa9"
#define UC_AGENT "agent1"
#define UC_AGENT_PASS "agent-pass"
#define YA_ACCOUNT "acct-sandbox"
#define YA_SECRET "yativo-secret"
#define AN_HASH "COMPANYHASH"
#define AN_USER "annauser"
#define AN_PASS "anna-pass"

/* A config for local servers: http allowed, no proxy, no retries. */
static tb_config *local_config(void) {
    tb_config *cfg = tb_config_new();
    CHECK(cfg != NULL);
    CHECK_OK(tb_config_set_allow_http(cfg, true));
    CHECK_OK(tb_config_set_no_proxy(cfg));
    CHECK_OK(tb_config_set_retries(cfg, 0, 0, 0));
    return cfg;
}

static tb_anna_client *new_anna(const char *url) {
    tb_config *cfg = local_config();
    tb_anna_client *c = NULL;
    CHECK_OK(tb_anna_client_new(cfg, url, AN_HASH, AN_USER, AN_PASS, &c));
    tb_config_free(cfg);
    return c;
}

static tb_yativo_client *new_yativo(const char *url, const char *secret) {
    tb_config *cfg = local_config();
    tb_yativo_client *c = NULL;
    CHECK_OK(tb_yativo_client_new(cfg, url, YA_ACCOUNT, secret, &c));
    tb_config_free(cfg);
    return c;
}

static tb_ucontact_client *new_ucontact(const char *url, const char *user, const char *pass,
                                        tb_ucontact_login_kind kind) {
    tb_config *cfg = local_config();
    tb_ucontact_client *c = NULL;
    CHECK_OK(tb_ucontact_client_new(cfg, url, user, pass, kind, &c));
    tb_config_free(cfg);
    return c;
}

/* The sandbox's request counter `key` (GET {url}/__sandbox/stats), -1 if unknown. */
static long sandbox_stat(const char *key) {
    tb_config *cfg = local_config();
    /* A made-up token: never send EndSession for it. */
    CHECK_OK(tb_config_set_end_session_on_close(cfg, false));
    tb_ucontact_client *c = NULL;
    CHECK_OK(tb_ucontact_client_new(cfg, g_url, "stats", "stats", TB_UCONTACT_LOGIN_API_USER, &c));
    tb_config_free(cfg);
    long value = -1;
    if (!c) return value;
    CHECK_OK(tb_ucontact_set_token(c, "not-a-session"));
    uint16_t status = 0;
    char *body = NULL;
    if (tb_ucontact_call(c, "GET", "__sandbox/stats", TB_BODY_NONE, NULL, &status, &body) ==
            TB_OK &&
        status == 200) {
        char pattern[128];
        snprintf(pattern, sizeof pattern, "\"%s\":", key);
        const char *at = strstr(body, pattern);
        if (at) value = strtol(at + strlen(pattern), NULL, 10);
    }
    tb_string_free(body);
    tb_ucontact_client_free(c);
    return value;
}

/* ------------------------------------------------------------------ version, status */

static void test_version(void) {
    /* The composed macro must behave as one number inside larger expressions. */
    CHECK(TB_VERSION_NUMBER == TB_VERSION_MAJOR * 10000 + TB_VERSION_MINOR * 100 + TB_VERSION_PATCH);
    CHECK(TB_VERSION_NUMBER / 10000 == TB_VERSION_MAJOR);
    CHECK(TB_VERSION_NUMBER % 100 == TB_VERSION_PATCH);
    CHECK(TB_VERSION_NUMBER / 100 % 100 == TB_VERSION_MINOR);
    CHECK(-TB_VERSION_NUMBER == -(TB_VERSION_MAJOR * 10000 + TB_VERSION_MINOR * 100 + TB_VERSION_PATCH));
    CHECK(TB_VERSION_MINOR < 100 && TB_VERSION_PATCH < 100);
    CHECK(tb_version_number() == (uint32_t)TB_VERSION_NUMBER);
    CHECK(strcmp(tb_version(), TB_VERSION_STRING) == 0);
    char parts[64];
    snprintf(parts, sizeof parts, "%d.%d.%d", TB_VERSION_MAJOR, TB_VERSION_MINOR, TB_VERSION_PATCH);
    CHECK(strcmp(parts, TB_VERSION_STRING) == 0);
    unsigned major = 99, minor = 99, patch = 99;
    CHECK(sscanf(tb_version(), "%u.%u.%u", &major, &minor, &patch) == 3);
    CHECK(major * 10000 + minor * 100 + patch == tb_version_number());
    CHECK(strcmp(TB_YATIVO_PRODUCTION_URL, "https://api.yativo.com/api/v1") == 0);
    CHECK(strcmp(TB_YATIVO_SANDBOX_URL, "https://smtp.yativo.com/api/v1") == 0);
}

static void test_status_names(void) {
    static const struct {
        tb_status status;
        int value;
        const char *name;
    } all[] = {
        {TB_OK, 0, "TB_OK"},
        {TB_INVALID_ARGUMENT, 1, "TB_INVALID_ARGUMENT"},
        {TB_DNS, 10, "TB_DNS"},
        {TB_CONNECT, 11, "TB_CONNECT"},
        {TB_TLS, 12, "TB_TLS"},
        {TB_TIMEOUT, 13, "TB_TIMEOUT"},
        {TB_RESET, 14, "TB_RESET"},
        {TB_PROXY, 15, "TB_PROXY"},
        {TB_PROTOCOL, 16, "TB_PROTOCOL"},
        {TB_IO, 17, "TB_IO"},
        {TB_HTTP_STATUS, 20, "TB_HTTP_STATUS"},
        {TB_REJECTED, 21, "TB_REJECTED"},
        {TB_UNAUTHORIZED, 22, "TB_UNAUTHORIZED"},
        {TB_UNEXPECTED_RESPONSE, 23, "TB_UNEXPECTED_RESPONSE"},
        {TB_PANIC, 99, "TB_PANIC"},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        CHECK((int)all[i].status == all[i].value);
        CHECK(strcmp(tb_status_name(all[i].status), all[i].name) == 0);
    }
    CHECK(strcmp(tb_status_name((tb_status)2), "TB_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(tb_status_name((tb_status)-1), "TB_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(tb_status_name((tb_status)123456), "TB_UNKNOWN_STATUS") == 0);
    CHECK(sizeof(tb_status) == 4);
    CHECK((int)TB_TLS_ROOTS_MOZILLA == 0 && (int)TB_TLS_ROOTS_OS == 1);
    CHECK((int)TB_BODY_NONE == 0 && (int)TB_BODY_FORM == 1 && (int)TB_BODY_JSON == 2);
    CHECK((int)TB_UCONTACT_LOGIN_API_USER == 0 && (int)TB_UCONTACT_LOGIN_AGENT == 1);
}

static void test_frees_of_null(void) {
    tb_string_free(NULL);
    tb_config_free(NULL);
    tb_ucontact_client_free(NULL);
    tb_yativo_client_free(NULL);
    tb_anna_client_free(NULL);
    CHECK(1);
}

/* The log callback (bindings/c/logging.c tests it against the sandbox): NULL turns
 * logging off, whatever the level; a bad level is refused before anything is set. */
static void ignore_log(void *user_data, tb_log_level level, const char *target,
                       size_t target_len, const char *message, size_t message_len) {
    (void)user_data, (void)level, (void)target, (void)target_len, (void)message,
        (void)message_len;
}

static void test_log_callback_arguments(void) {
    CHECK_OK(tb_set_log_callback(NULL, TB_LOG_TRACE, NULL));
    CHECK_OK(tb_set_log_callback(NULL, 0, NULL));
    CHECK_ARG(tb_set_log_callback(ignore_log, 0, NULL), "max_level", "0 is not a tb_log_level");
    CHECK_ARG(tb_set_log_callback(ignore_log, 6, NULL), "max_level", "6 is not a tb_log_level");
    CHECK((int)TB_LOG_ERROR == 1 && (int)TB_LOG_TRACE == 5 && TB_LOG_MESSAGE_MAX == 4096);
}

static void test_no_last_error_yet(void) {
    CHECK(tb_last_error_status() == TB_OK);
    char *m = tb_last_error_message();
    CHECK(m == NULL);
    tb_string_free(m);
    CHECK(tb_last_error_http_status() == 0);
    char *v = tb_last_error_vendor_message();
    CHECK(v == NULL);
    tb_string_free(v);
}

/* ------------------------------------------------------------------ config */

static void test_config(void) {
    tb_config *cfg = tb_config_new();
    CHECK(cfg != NULL);
    CHECK_OK(tb_config_set_timeout_connect_ms(cfg, 5000));
    CHECK_OK(tb_config_set_timeout_send_ms(cfg, 5000));
    CHECK_OK(tb_config_set_timeout_receive_ms(cfg, 5000));
    CHECK_OK(tb_config_set_proxy(cfg, "http://proxy.example:3128"));
    CHECK_OK(tb_config_set_no_proxy(cfg));
    CHECK_OK(tb_config_set_user_agent(cfg, "c-tests/1.0"));
    CHECK_OK(tb_config_set_allow_http(cfg, true));
    CHECK_OK(tb_config_set_allow_http(cfg, false));
    CHECK_OK(tb_config_set_max_response_bytes(cfg, 65536));
    CHECK_OK(tb_config_set_tls_roots(cfg, TB_TLS_ROOTS_OS));
    CHECK_OK(tb_config_set_tls_roots(cfg, TB_TLS_ROOTS_MOZILLA));
    CHECK_OK(tb_config_set_extra_ca_file(cfg, "/nonexistent/ca.pem"));
    CHECK_OK(tb_config_set_retries(cfg, 3, 10, 100));
    CHECK_OK(tb_config_set_retries(cfg, 0, 0, 0));
    CHECK_OK(tb_config_set_refresh_ahead_ms(cfg, 0));
    CHECK_OK(tb_config_set_refresh_ahead_ms(cfg, 30000));
    CHECK_OK(tb_config_set_dns_cache_ttl_ms(cfg, 0));
    CHECK_OK(tb_config_set_dns_cache_ttl_ms(cfg, 60000));
    CHECK_OK(tb_config_set_dns_cache_ttl_ms(cfg, UINT64_MAX));
    CHECK_OK(tb_config_set_end_session_on_close(cfg, false));
    CHECK_OK(tb_config_set_end_session_on_close(cfg, true));

    /* A NULL config, for every setter. */
    CHECK_NULL_ARG(tb_config_set_timeout_connect_ms(NULL, 1), "cfg");
    CHECK_NULL_ARG(tb_config_set_timeout_send_ms(NULL, 1), "cfg");
    CHECK_NULL_ARG(tb_config_set_timeout_receive_ms(NULL, 1), "cfg");
    CHECK_NULL_ARG(tb_config_set_proxy(NULL, "http://p:1"), "cfg");
    CHECK_NULL_ARG(tb_config_set_no_proxy(NULL), "cfg");
    CHECK_NULL_ARG(tb_config_set_user_agent(NULL, "x"), "cfg");
    CHECK_NULL_ARG(tb_config_set_allow_http(NULL, true), "cfg");
    CHECK_NULL_ARG(tb_config_set_max_response_bytes(NULL, 1), "cfg");
    CHECK_NULL_ARG(tb_config_set_tls_roots(NULL, TB_TLS_ROOTS_OS), "cfg");
    CHECK_NULL_ARG(tb_config_set_extra_ca_file(NULL, "/x"), "cfg");
    CHECK_NULL_ARG(tb_config_set_retries(NULL, 1, 1, 1), "cfg");
    CHECK_NULL_ARG(tb_config_set_refresh_ahead_ms(NULL, 1), "cfg");
    CHECK_NULL_ARG(tb_config_set_dns_cache_ttl_ms(NULL, 1), "cfg");
    CHECK_NULL_ARG(tb_config_set_end_session_on_close(NULL, true), "cfg");

    /* NULL and invalid UTF-8 strings. */
    CHECK_NULL_ARG(tb_config_set_proxy(cfg, NULL), "url");
    CHECK_UTF8_ARG(tb_config_set_proxy(cfg, BAD_UTF8), "url");
    CHECK_ARG(tb_config_set_proxy(cfg, ""), "url", "must not be empty");
    CHECK_NULL_ARG(tb_config_set_user_agent(cfg, NULL), "user_agent");
    CHECK_UTF8_ARG(tb_config_set_user_agent(cfg, BAD_UTF8), "user_agent");
    CHECK_ARG(tb_config_set_user_agent(cfg, "a\r\nX-Evil: 1"), "user_agent", "must not contain");
    CHECK_NULL_ARG(tb_config_set_extra_ca_file(cfg, NULL), "path");
    CHECK_UTF8_ARG(tb_config_set_extra_ca_file(cfg, BAD_UTF8), "path");
    CHECK_ARG(tb_config_set_extra_ca_file(cfg, ""), "path", "must not be empty");

    /* Out-of-range numbers. */
    CHECK_ARG(tb_config_set_timeout_connect_ms(cfg, 0), "timeout_connect_ms", "must be more than 0");
    CHECK_ARG(tb_config_set_timeout_send_ms(cfg, 0), "timeout_send_ms", "must be more than 0");
    CHECK_ARG(tb_config_set_timeout_receive_ms(cfg, 0), "timeout_receive_ms", "must be more than 0");
    CHECK_ARG(tb_config_set_max_response_bytes(cfg, 0), "max_response_bytes", "must be more than 0");
    CHECK_ARG(tb_config_set_tls_roots(cfg, (tb_tls_roots)2), "roots", "2 is not a tb_tls_roots");
    CHECK_ARG(tb_config_set_tls_roots(cfg, (tb_tls_roots)-1), "roots", "-1 is not a tb_tls_roots");
    CHECK_ARG(tb_config_set_retries(cfg, 1, 200, 100), "base_delay_ms", "200 is more than");

    /* The extra CA file is read when a client is created. */
    tb_yativo_client *y = (tb_yativo_client *)SENTINEL;
    CHECK_OK(tb_config_set_extra_ca_file(cfg, "/nonexistent/ca.pem"));
    CHECK_ERROR(tb_yativo_client_new(cfg, TB_YATIVO_SANDBOX_URL, "a", "b", &y),
                TB_INVALID_ARGUMENT, "invalid argument `extra_ca_file`: cannot read");
    CHECK(y == (tb_yativo_client *)SENTINEL);
    tb_config_free(cfg);

    /* The OS store and an extra file do not combine. */
    cfg = tb_config_new();
    CHECK_OK(tb_config_set_tls_roots(cfg, TB_TLS_ROOTS_OS));
    CHECK_OK(tb_config_set_extra_ca_file(cfg, "/etc/hostname"));
    CHECK_ERROR(tb_yativo_client_new(cfg, TB_YATIVO_SANDBOX_URL, "a", "b", &y),
                TB_INVALID_ARGUMENT, "`extra_ca_file`");
    tb_config_free(cfg);

    /* A file that holds no certificate. */
    cfg = tb_config_new();
    CHECK_OK(tb_config_set_extra_ca_file(cfg, "/etc/hostname"));
    CHECK_ERROR(tb_yativo_client_new(cfg, TB_YATIVO_SANDBOX_URL, "a", "b", &y),
                TB_INVALID_ARGUMENT, "`extra_ca_file`");
    tb_config_free(cfg);

    /* An unusable proxy URL is refused when the client is created. */
    cfg = tb_config_new();
    CHECK_OK(tb_config_set_proxy(cfg, "ftp://[::1"));
    CHECK_ERROR(tb_yativo_client_new(cfg, TB_YATIVO_SANDBOX_URL, "a", "b", &y),
                TB_INVALID_ARGUMENT, "`proxy`");
    tb_config_free(cfg);

    /* http:// is refused unless allowed; a NULL config means the defaults. */
    CHECK_ERROR(tb_yativo_client_new(NULL, g_yativo_url, "a", "b", &y), TB_INVALID_ARGUMENT,
                "invalid argument `base_url`");
    CHECK(y == (tb_yativo_client *)SENTINEL);
    CHECK_OK(tb_yativo_client_new(NULL, TB_YATIVO_PRODUCTION_URL, "a", "b", &y));
    tb_yativo_client_free(y);

    /* A config may be freed right after creating clients from it. */
    cfg = local_config();
    tb_anna_client *a = NULL;
    CHECK_OK(tb_anna_client_new(cfg, g_anna_url, AN_HASH, AN_USER, AN_PASS, &a));
    tb_config_free(cfg);
    char *token = NULL;
    CHECK_OK(tb_anna_token(a, &token));
    CHECK(token && strlen(token) > 20);
    tb_string_free(token);
    tb_anna_client_free(a);
}

/* The DNS cache: clients that ask DNS before every request (ttl 0), keep answers for
 * the default 60 s, or for a custom time all work against the sandbox reached by host
 * name ("localhost", so the name is resolved), call after call. Whether answers are
 * kept, expire and are forgotten is checked where it can be observed, in the Rust
 * tests (src/resolve.rs, src/http.rs); here, that every setting works through C. */
static void test_dns_cache(void) {
    char url[320];
    const char *rest = strncmp(g_anna_url, "http://127.0.0.1:", 17) == 0 ? g_anna_url + 17 : NULL;
    if (rest) {
        snprintf(url, sizeof url, "http://localhost:%s", rest);
    } else {
        snprintf(url, sizeof url, "%s", g_anna_url);
    }
    static const struct {
        int set;
        uint64_t ttl_ms;
    } cases[] = {{1, 0}, {0, 0}, {1, 1}, {1, 60000}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tb_config *cfg = local_config();
        if (cases[i].set) CHECK_OK(tb_config_set_dns_cache_ttl_ms(cfg, cases[i].ttl_ms));
        tb_anna_client *a = NULL;
        CHECK_OK(tb_anna_client_new(cfg, url, AN_HASH, AN_USER, AN_PASS, &a));
        tb_config_free(cfg);
        long before = sandbox_stat("anna.GetToken");
        for (int k = 0; k < 3; k++) {
            char *token = NULL;
            CHECK_OK(tb_anna_get_token(a, &token, NULL));
            CHECK(token && strlen(token) > 20);
            tb_string_free(token);
            if (cases[i].set && cases[i].ttl_ms == 1) sleep_ms(5); /* the answer expired */
        }
        CHECK(sandbox_stat("anna.GetToken") == before + 3);
        tb_anna_client_free(a);
    }
}

/* The settings reach the wire: user agent, timeouts, retries, size limit. */
static void test_config_effects(void) {
    static const char ok_json[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        "{\"status\":\"success\",\"message\":\"ok\",\"data\":{\"x\":\"0123456\"}}";
    static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n"
                               "Connection: close\r\n\r\nbusy";
    static const fake_route routes[] = {
        {"/busy", FAKE_REPLY, busy, 0},
        {"/stall", FAKE_STALL, NULL, 0},
        {NULL, FAKE_REPLY, ok_json, 0},
    };
    fake_server *fs = fake_server_start(routes, 3);
    CHECK(fs != NULL);
    if (!fs) return;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api", fake_server_port(fs));

    tb_config *cfg = local_config();
    CHECK_OK(tb_config_set_user_agent(cfg, "c-tests/1.0 (valgrind)"));
    CHECK_OK(tb_config_set_timeout_receive_ms(cfg, 300));
    CHECK_OK(tb_config_set_retries(cfg, 2, 1, 5));
    tb_yativo_client *y = NULL;
    CHECK_OK(tb_yativo_client_new(cfg, url, YA_ACCOUNT, YA_SECRET, &y));
    CHECK_OK(tb_yativo_set_token(y, "opaque-token", now_unix() + 600));

    uint16_t status = 0;
    char *body = NULL;
    CHECK_OK(tb_yativo_call(y, "GET", "anything", TB_BODY_NONE, NULL, &status, &body));
    CHECK(status == 200);
    CHECK(contains(body, "0123456"));
    tb_string_free(body);
    char head[4096];
    fake_server_last_head(fs, head, sizeof head);
    CHECK(contains(head, "GET /api/anything HTTP/1.1"));
    CHECK(contains(head, "c-tests/1.0 (valgrind)"));
    CHECK(contains(head, "Bearer opaque-token"));

    /* Retries: 503 is transient, so 1 + 2 attempts, then TB_OK with status 503
     * (the generic call hands every status but 401 back). */
    unsigned before = fake_server_requests(fs);
    status = 0;
    body = NULL;
    CHECK_OK(tb_yativo_call(y, "GET", "busy", TB_BODY_NONE, NULL, &status, &body));
    CHECK(status == 503);
    CHECK(contains(body, "busy"));
    tb_string_free(body);
    CHECK(fake_server_requests(fs) - before == 3);

    /* The receive timeout. */
    status = 7;
    body = SENTINEL;
    CHECK_ERROR(tb_yativo_call(y, "GET", "stall", TB_BODY_NONE, NULL, &status, &body), TB_TIMEOUT,
                "timed out");
    CHECK(status == 7 && body == SENTINEL);
    CHECK(tb_last_error_http_status() == 0);
    tb_yativo_client_free(y);
    tb_config_free(cfg);

    /* The response size limit. */
    cfg = local_config();
    CHECK_OK(tb_config_set_max_response_bytes(cfg, 16));
    CHECK_OK(tb_yativo_client_new(cfg, url, YA_ACCOUNT, YA_SECRET, &y));
    tb_config_free(cfg);
    CHECK_OK(tb_yativo_set_token(y, "opaque-token", 0));
    CHECK_ERROR(tb_yativo_call(y, "GET", "anything", TB_BODY_NONE, NULL, &status, &body),
                TB_UNEXPECTED_RESPONSE, "at most 16 bytes");
    CHECK(tb_last_error_http_status() == 200);
    tb_yativo_client_free(y);
    fake_server_stop(fs);
}

/* ------------------------------------------------------------------ uContact */

static void test_ucontact_arguments(void) {
    tb_ucontact_client *c = (tb_ucontact_client *)SENTINEL;
    tb_config *cfg = local_config();
    const tb_ucontact_login_kind api = TB_UCONTACT_LOGIN_API_USER;
    CHECK_NULL_ARG(tb_ucontact_client_new(cfg, NULL, "u", "p", api, &c), "server");
    CHECK_UTF8_ARG(tb_ucontact_client_new(cfg, BAD_UTF8, "u", "p", api, &c), "server");
    CHECK_NULL_ARG(tb_ucontact_client_new(cfg, "acme", NULL, "p", api, &c), "user");
    CHECK_UTF8_ARG(tb_ucontact_client_new(cfg, "acme", BAD_UTF8, "p", api, &c), "user");
    CHECK_NULL_ARG(tb_ucontact_client_new(cfg, "acme", "u", NULL, api, &c), "password");
    CHECK_UTF8_ARG(tb_ucontact_client_new(cfg, "acme", "u", BAD_UTF8, api, &c), "password");
    CHECK_ARG(tb_ucontact_client_new(cfg, "acme", "u", "p", (tb_ucontact_login_kind)2, &c), "kind",
              "2 is not a tb_ucontact_login_kind");
    CHECK_NULL_ARG(tb_ucontact_client_new(cfg, "acme", "u", "p", api, NULL), "out");
    CHECK_ARG(tb_ucontact_client_new(cfg, "acme corp", "u", "p", api, &c), "server",
              "`acme corp` is neither");
    CHECK(c == (tb_ucontact_client *)SENTINEL);
    /* A cloud domain; nothing is sent until the first call. */
    CHECK_OK(tb_ucontact_client_new(NULL, "acme", "u", "p", TB_UCONTACT_LOGIN_AGENT, &c));
    tb_ucontact_client_free(c);
    tb_config_free(cfg);

    char *s = SENTINEL;
    uint16_t st = 7;
    CHECK_NULL_ARG(tb_ucontact_get_user_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_ucontact_agent_login(NULL, &s), "c");
    CHECK_NULL_ARG(tb_ucontact_end_session(NULL), "c");
    CHECK_NULL_ARG(tb_ucontact_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_ucontact_set_token(NULL, "t"), "c");
    CHECK_NULL_ARG(tb_ucontact_call(NULL, "GET", "x", TB_BODY_NONE, NULL, &st, &s), "c");
    CHECK(s == SENTINEL && st == 7);

    c = new_ucontact(g_ucontact_url, UC_USER, UC_PASS, TB_UCONTACT_LOGIN_API_USER);
    long logins = sandbox_stat("ucontact.getUserToken");
    CHECK_NULL_ARG(tb_ucontact_get_user_token(c, NULL), "out_token");
    CHECK_NULL_ARG(tb_ucontact_agent_login(c, NULL), "out_profile_json");
    CHECK_NULL_ARG(tb_ucontact_token(c, NULL), "out_token");
    CHECK_NULL_ARG(tb_ucontact_set_token(c, NULL), "token");
    CHECK_UTF8_ARG(tb_ucontact_set_token(c, BAD_UTF8), "token");
    CHECK_ARG(tb_ucontact_set_token(c, ""), "token", "must not be empty");
    CHECK_NULL_ARG(tb_ucontact_call(c, NULL, "x", TB_BODY_NONE, NULL, &st, &s), "method");
    CHECK_UTF8_ARG(tb_ucontact_call(c, BAD_UTF8, "x", TB_BODY_NONE, NULL, &st, &s), "method");
    CHECK_NULL_ARG(tb_ucontact_call(c, "GET", NULL, TB_BODY_NONE, NULL, &st, &s), "path");
    CHECK_UTF8_ARG(tb_ucontact_call(c, "GET", BAD_UTF8, TB_BODY_NONE, NULL, &st, &s), "path");
    CHECK_UTF8_ARG(tb_ucontact_call(c, "POST", "x", TB_BODY_JSON, BAD_UTF8, &st, &s), "body");
    CHECK_NULL_ARG(tb_ucontact_call(c, "POST", "x", TB_BODY_FORM, NULL, &st, &s), "body");
    CHECK_NULL_ARG(tb_ucontact_call(c, "GET", "x", TB_BODY_NONE, NULL, NULL, &s), "out_status");
    CHECK_NULL_ARG(tb_ucontact_call(c, "GET", "x", TB_BODY_NONE, NULL, &st, NULL), "out_body");
    CHECK(s == SENTINEL && st == 7);
    /* Nothing was sent for any of these. */
    CHECK(sandbox_stat("ucontact.getUserToken") == logins);
    tb_ucontact_client_free(c);
}

static void test_ucontact(void) {
    long ended = sandbox_stat("ucontact.EndSession");
    tb_ucontact_client *c = new_ucontact(g_ucontact_url, UC_USER, UC_PASS, TB_UCONTACT_LOGIN_API_USER);

    /* U1, then the cached token. */
    char *raw = NULL;
    CHECK_OK(tb_ucontact_get_user_token(c, &raw));
    char *token = take(raw);
    CHECK(token && strlen(token) > 10);
    raw = NULL;
    CHECK_OK(tb_ucontact_token(c, &raw));
    char *cached = take(raw);
    CHECK(token && cached && strcmp(token, cached) == 0);
    free(cached);

    /* The generic call: a form in the object's order, Basic token. */
    uint16_t status = 0;
    char *body = NULL;
    CHECK_OK(tb_ucontact_call(c, "POST", "Integra/resources/Dialers/DialerTask", TB_BODY_FORM,
                              "{\"campaign\": \"Sales\", \"phone\": \"+598 99 123 456\"}", &status,
                              &body));
    CHECK(status == 200);
    CHECK(contains(body, "\"campaign\":\"Sales\""));
    CHECK(contains(body, "\"phone\":\"+598 99 123 456\""));
    CHECK(contains(body, "\"user\":\"apiuser\""));
    tb_string_free(body);
    body = NULL;
    CHECK_OK(tb_ucontact_call(c, "post", "Integra/resources/Dialers/DialerTask", TB_BODY_NONE, "",
                              &status, &body));
    CHECK(status == 200);
    tb_string_free(body);

    /* Body-kind checks of the generic call. */
    char *s = SENTINEL;
    CHECK_ARG(tb_ucontact_call(c, "POST", "x", (tb_body_kind)3, "{}", &status, &s), "kind",
              "3 is not a tb_body_kind");
    CHECK_ARG(tb_ucontact_call(c, "POST", "x", TB_BODY_NONE, "a=b", &status, &s), "body",
              "must be NULL or empty when kind is TB_BODY_NONE");
    CHECK_ARG(tb_ucontact_call(c, "POST", "x", TB_BODY_FORM, "{\"a\": 1}", &status, &s), "body",
              "is not a JSON object of string values");
    CHECK_ARG(tb_ucontact_call(c, "POST", "x", TB_BODY_FORM, "[\"a\"]", &status, &s), "body",
              "is not a JSON object of string values");
    CHECK_ARG(tb_ucontact_call(c, "POST", "x", TB_BODY_JSON, "{\"password\": \"hunter2", &status,
                               &s),
              "body", "is not valid JSON");
    CHECK(!contains(t_message, "hunter2"));
    CHECK_ARG(tb_ucontact_call(c, "FETCH", "x", TB_BODY_NONE, NULL, &status, &s), "method",
              "`FETCH` is not one of");
    CHECK_ARG(tb_ucontact_call(c, "GET", "https://evil.example/steal", TB_BODY_NONE, NULL, &status,
                               &s),
              "path", "`https://evil.example/steal` must be a path");
    CHECK_ARG(tb_ucontact_call(c, "GET", "", TB_BODY_NONE, NULL, &status, &s), "path",
              "must not be empty");
    CHECK(s == SENTINEL);

    /* A token from elsewhere: refused by the server, so one new login, then 200. */
    long logins = sandbox_stat("ucontact.getUserToken");
    CHECK_OK(tb_ucontact_set_token(c, "bm90LWEtc2Vzc2lvbg=="));
    CHECK_OK(tb_ucontact_call(c, "POST", "Integra/resources/Dialers/DialerTask", TB_BODY_NONE,
                              NULL, &status, &body));
    CHECK(status == 200);
    tb_string_free(body);
    CHECK(sandbox_stat("ucontact.getUserToken") == logins + 1);

    /* U3, twice: the second is a no-op. */
    CHECK_OK(tb_ucontact_end_session(c));
    CHECK(sandbox_stat("ucontact.EndSession") == ended + 1);
    CHECK_OK(tb_ucontact_end_session(c));
    CHECK(sandbox_stat("ucontact.EndSession") == ended + 1);
    /* A new session; freeing the client ends it (end-session-on-close is on). */
    raw = NULL;
    CHECK_OK(tb_ucontact_token(c, &raw));
    tb_string_free(raw);
    tb_ucontact_client_free(c);
    CHECK(sandbox_stat("ucontact.EndSession") == ended + 2);
    free(token);

    /* With end-session-on-close off, freeing sends nothing. */
    tb_config *cfg = local_config();
    CHECK_OK(tb_config_set_end_session_on_close(cfg, false));
    CHECK_OK(tb_ucontact_client_new(cfg, g_ucontact_url, UC_USER, UC_PASS,
                                    TB_UCONTACT_LOGIN_API_USER, &c));
    tb_config_free(cfg);
    raw = NULL;
    CHECK_OK(tb_ucontact_get_user_token(c, &raw));
    tb_string_free(raw);
    tb_ucontact_client_free(c);
    CHECK(sandbox_stat("ucontact.EndSession") == ended + 2);

    /* U2: the profile without the SIP secrets, with the token. */
    c = new_ucontact(g_ucontact_url, UC_AGENT, UC_AGENT_PASS, TB_UCONTACT_LOGIN_AGENT);
    raw = NULL;
    CHECK_OK(tb_ucontact_agent_login(c, &raw));
    char *profile = take(raw);
    CHECK(contains(profile, "\"token\":\""));
    CHECK(contains(profile, "\"name\":\"agent1\""));
    CHECK(contains(profile, "\"limite\":2"));
    CHECK(!contains(profile, "md5secret"));
    CHECK(!contains(profile, "\"secret\""));
    CHECK(!contains(profile, "sip-agent1-secret"));
    raw = NULL;
    CHECK_OK(tb_ucontact_token(c, &raw));
    char *agent_token = take(raw);
    char expect[512];
    snprintf(expect, sizeof expect, "\"token\":\"%s\"", agent_token ? agent_token : "?");
    CHECK(contains(profile, expect));
    free(agent_token);
    free(profile);
    tb_ucontact_client_free(c);

    /* Wrong passwords: TB_REJECTED with the vendor's answer, no password in it. */
    c = new_ucontact(g_ucontact_url, UC_USER, "wrong-pass-123", TB_UCONTACT_LOGIN_API_USER);
    s = SENTINEL;
    CHECK_ERROR(tb_ucontact_get_user_token(c, &s), TB_REJECTED, "uContact getUserToken");
    CHECK(s == SENTINEL);
    CHECK(tb_last_error_http_status() == 200);
    char *vendor = take(tb_last_error_vendor_message());
    CHECK(contains(vendor, "the server answered `0`"));
    free(vendor);
    CHECK(!contains(last_message(), "wrong-pass-123"));
    /* The same through the generic call's login, and through tb_ucontact_token. */
    CHECK_STATUS(tb_ucontact_call(c, "POST", "Integra/resources/Dialers/DialerTask", TB_BODY_NONE,
                                  NULL, &status, &s),
                 TB_REJECTED);
    CHECK_STATUS(tb_ucontact_token(c, &s), TB_REJECTED);
    CHECK(s == SENTINEL);
    tb_ucontact_client_free(c);

    c = new_ucontact(g_ucontact_url, UC_AGENT, "nope-nope", TB_UCONTACT_LOGIN_AGENT);
    CHECK_ERROR(tb_ucontact_agent_login(c, &s), TB_REJECTED, "uContact AgentLogin");
    CHECK(s == SENTINEL);
    tb_ucontact_client_free(c);

    /* Empty credentials are refused before anything is sent. */
    c = new_ucontact(g_ucontact_url, "", "x", TB_UCONTACT_LOGIN_API_USER);
    CHECK_ARG(tb_ucontact_get_user_token(c, &s), "user", "must not be empty");
    tb_ucontact_client_free(c);
}

/* ------------------------------------------------------------------ Yativo */

static void test_yativo(void) {
    tb_yativo_client *y = (tb_yativo_client *)SENTINEL;
    tb_config *cfg = local_config();
    CHECK_NULL_ARG(tb_yativo_client_new(cfg, NULL, "a", "s", &y), "base_url");
    CHECK_UTF8_ARG(tb_yativo_client_new(cfg, BAD_UTF8, "a", "s", &y), "base_url");
    CHECK_NULL_ARG(tb_yativo_client_new(cfg, g_yativo_url, NULL, "s", &y), "account_id");
    CHECK_UTF8_ARG(tb_yativo_client_new(cfg, g_yativo_url, BAD_UTF8, "s", &y), "account_id");
    CHECK_NULL_ARG(tb_yativo_client_new(cfg, g_yativo_url, "a", NULL, &y), "app_secret");
    CHECK_UTF8_ARG(tb_yativo_client_new(cfg, g_yativo_url, "a", BAD_UTF8, &y), "app_secret");
    CHECK_NULL_ARG(tb_yativo_client_new(cfg, g_yativo_url, "a", "s", NULL), "out");
    CHECK_ARG(tb_yativo_client_new(cfg, "ftp://x", "a", "s", &y), "base_url", "`ftp://x` must");
    CHECK(y == (tb_yativo_client *)SENTINEL);
    tb_config_free(cfg);

    char *s = SENTINEL;
    int64_t exp = -7;
    uint16_t st = 7;
    CHECK_NULL_ARG(tb_yativo_login(NULL, &s, &exp), "c");
    CHECK_NULL_ARG(tb_yativo_refresh_token(NULL, &s, &exp), "c");
    CHECK_NULL_ARG(tb_yativo_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_yativo_set_token(NULL, "t", 0), "c");
    CHECK_NULL_ARG(tb_yativo_call(NULL, "GET", "x", TB_BODY_NONE, NULL, &st, &s), "c");

    y = new_yativo(g_yativo_url, YA_SECRET);
    long logins = sandbox_stat("yativo.login");
    CHECK_NULL_ARG(tb_yativo_login(y, NULL, &exp), "out_access_token");
    CHECK_NULL_ARG(tb_yativo_refresh_token(y, NULL, &exp), "out_access_token");
    CHECK_NULL_ARG(tb_yativo_token(y, NULL), "out_token");
    CHECK_NULL_ARG(tb_yativo_set_token(y, NULL, 0), "token");
    CHECK_UTF8_ARG(tb_yativo_set_token(y, BAD_UTF8, 0), "token");
    CHECK_ARG(tb_yativo_set_token(y, "t", -1), "expires_at", "-1 is not a time");
    CHECK_NULL_ARG(tb_yativo_call(y, NULL, "x", TB_BODY_NONE, NULL, &st, &s), "method");
    CHECK_UTF8_ARG(tb_yativo_call(y, BAD_UTF8, "x", TB_BODY_NONE, NULL, &st, &s), "method");
    CHECK_NULL_ARG(tb_yativo_call(y, "GET", NULL, TB_BODY_NONE, NULL, &st, &s), "path");
    CHECK_UTF8_ARG(tb_yativo_call(y, "GET", BAD_UTF8, TB_BODY_NONE, NULL, &st, &s), "path");
    CHECK_NULL_ARG(tb_yativo_call(y, "PUT", "x", TB_BODY_JSON, NULL, &st, &s), "body");
    CHECK_UTF8_ARG(tb_yativo_call(y, "PUT", "x", TB_BODY_FORM, BAD_UTF8, &st, &s), "body");
    CHECK_NULL_ARG(tb_yativo_call(y, "GET", "x", TB_BODY_NONE, NULL, NULL, &s), "out_status");
    CHECK_NULL_ARG(tb_yativo_call(y, "GET", "x", TB_BODY_NONE, NULL, &st, NULL), "out_body");
    CHECK(s == SENTINEL && exp == -7 && st == 7);
    CHECK(sandbox_stat("yativo.login") == logins);

    /* Y1 and Y2. */
    char *raw = NULL;
    int64_t expires = 0;
    CHECK_OK(tb_yativo_login(y, &raw, &expires));
    char *first = take(raw);
    CHECK(first && strlen(first) > 20);
    CHECK(expires >= now_unix() + 590 && expires <= now_unix() + 610);
    raw = NULL;
    CHECK_OK(tb_yativo_token(y, &raw));
    char *cached = take(raw);
    CHECK(first && cached && strcmp(first, cached) == 0);
    raw = NULL;
    expires = 0;
    CHECK_OK(tb_yativo_refresh_token(y, &raw, &expires));
    char *second = take(raw);
    CHECK(second && first && strcmp(first, second) != 0);
    CHECK(expires >= now_unix() + 590);
    raw = NULL;
    CHECK_OK(tb_yativo_refresh_token(y, &raw, NULL)); /* the expiry is optional */
    tb_string_free(raw);
    raw = NULL;
    CHECK_OK(tb_yativo_login(y, &raw, NULL));
    tb_string_free(raw);
    CHECK(sandbox_stat("yativo.login") == logins + 2);

    /* The generic call. */
    uint16_t status = 0;
    char *body = NULL;
    CHECK_OK(tb_yativo_call(y, "GET", "wallet/balance", TB_BODY_NONE, NULL, &status, &body));
    CHECK(status == 200);
    CHECK(contains(body, "\"balances\""));
    CHECK(contains(body, "acct-sandbox"));
    tb_string_free(body);
    /* Any status but 401 comes back as TB_OK. */
    body = NULL;
    CHECK_OK(tb_yativo_call(y, "PUT", "wallet/balance", TB_BODY_JSON, "{\"b\": [1, 2], \"a\": null}",
                            &status, &body));
    CHECK(status >= 400 && status != 401);
    tb_string_free(body);
    body = NULL;
    CHECK_OK(tb_yativo_call(y, "DELETE", "no/such/thing", TB_BODY_FORM, "{}", &status, &body));
    CHECK(status == 404);
    tb_string_free(body);

    /* A token set from elsewhere; a revoked one is replaced by a new login. */
    CHECK_OK(tb_yativo_set_token(y, first, 0));
    CHECK_OK(tb_yativo_set_token(y, first, now_unix() + 3600));
    logins = sandbox_stat("yativo.login");
    body = NULL;
    CHECK_OK(tb_yativo_call(y, "GET", "wallet/balance", TB_BODY_NONE, NULL, &status, &body));
    CHECK(status == 200);
    tb_string_free(body);
    CHECK(sandbox_stat("yativo.login") == logins + 1);
    free(first);
    free(second);
    free(cached);
    tb_yativo_client_free(y);

    /* A wrong secret: TB_REJECTED with the vendor's message and HTTP 401. */
    y = new_yativo(g_yativo_url, "wrong-secret-456");
    s = SENTINEL;
    exp = -7;
    CHECK_ERROR(tb_yativo_login(y, &s, &exp), TB_REJECTED, "Yativo login");
    CHECK(s == SENTINEL && exp == -7);
    CHECK(tb_last_error_http_status() == 401);
    char *vendor = take(tb_last_error_vendor_message());
    CHECK(contains(vendor, "Invalid login credentials"));
    free(vendor);
    CHECK(!contains(last_message(), "wrong-secret-456"));
    CHECK_STATUS(tb_yativo_refresh_token(y, &s, &exp), TB_REJECTED);
    CHECK_STATUS(tb_yativo_token(y, &s), TB_REJECTED);
    CHECK_STATUS(tb_yativo_call(y, "GET", "wallet/balance", TB_BODY_NONE, NULL, &st, &s),
                 TB_REJECTED);
    CHECK(s == SENTINEL && exp == -7 && st == 7);
    tb_yativo_client_free(y);
}

/* ------------------------------------------------------------------ AnnA */

static void test_anna_arguments(tb_anna_client *a) {
    tb_anna_client *c = (tb_anna_client *)SENTINEL;
    tb_config *cfg = local_config();
    const char *u = g_anna_url;
    CHECK_NULL_ARG(tb_anna_client_new(cfg, NULL, "h", "u", "p", &c), "base_url");
    CHECK_UTF8_ARG(tb_anna_client_new(cfg, BAD_UTF8, "h", "u", "p", &c), "base_url");
    CHECK_NULL_ARG(tb_anna_client_new(cfg, u, NULL, "u", "p", &c), "company_hash");
    CHECK_UTF8_ARG(tb_anna_client_new(cfg, u, BAD_UTF8, "u", "p", &c), "company_hash");
    CHECK_NULL_ARG(tb_anna_client_new(cfg, u, "h", NULL, "p", &c), "user");
    CHECK_UTF8_ARG(tb_anna_client_new(cfg, u, "h", BAD_UTF8, "p", &c), "user");
    CHECK_NULL_ARG(tb_anna_client_new(cfg, u, "h", "u", NULL, &c), "pass");
    CHECK_UTF8_ARG(tb_anna_client_new(cfg, u, "h", "u", BAD_UTF8, &c), "pass");
    CHECK_NULL_ARG(tb_anna_client_new(cfg, u, "h", "u", "p", NULL), "out");
    CHECK_ARG(tb_anna_client_new(cfg, "http://", "h", "u", "p", &c), "base_url", "");
    CHECK(c == (tb_anna_client *)SENTINEL);
    tb_config_free(cfg);

    char *s = SENTINEL;
    int64_t exp = -7;
    uint64_t n = 77;
    uint16_t st = 7;
    CHECK_NULL_ARG(tb_anna_get_token(NULL, &s, &exp), "c");
    CHECK_NULL_ARG(tb_anna_user_hash(NULL, "42", NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(NULL, "42", "n", NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_inactivate_user(NULL, "42", &s), "c");
    CHECK_NULL_ARG(tb_anna_messenger_structure(NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_messenger_alert_counter(NULL, "42", NULL, NULL, NULL, &n), "c");
    CHECK_NULL_ARG(tb_anna_messenger_requests(NULL, "42", NULL, NULL, NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_messenger_link(NULL, "42", NULL, NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_set_token(NULL, "t", 0), "c");
    CHECK_NULL_ARG(tb_anna_call(NULL, "POST", "x", TB_BODY_NONE, NULL, &st, &s), "c");

    /* Out-pointers. */
    CHECK_NULL_ARG(tb_anna_get_token(a, NULL, &exp), "out_token");
    CHECK_NULL_ARG(tb_anna_user_hash(a, "42", NULL, NULL), "out_access_data_json");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(a, "42", "n", NULL, NULL), "out_access_data_json");
    CHECK_NULL_ARG(tb_anna_messenger_structure(a, NULL), "out_structure_json");
    CHECK_NULL_ARG(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, NULL, NULL), "out_count");
    CHECK_NULL_ARG(tb_anna_messenger_requests(a, "42", NULL, NULL, NULL, NULL), "out_requests_json");
    CHECK_NULL_ARG(tb_anna_messenger_link(a, "42", NULL, NULL, NULL), "out_link");
    CHECK_NULL_ARG(tb_anna_token(a, NULL), "out_token");
    CHECK_NULL_ARG(tb_anna_call(a, "POST", "x", TB_BODY_NONE, NULL, NULL, &s), "out_status");
    CHECK_NULL_ARG(tb_anna_call(a, "POST", "x", TB_BODY_NONE, NULL, &st, NULL), "out_body");

    /* String arguments. */
    CHECK_NULL_ARG(tb_anna_user_hash(a, NULL, NULL, &s), "user_id");
    CHECK_UTF8_ARG(tb_anna_user_hash(a, BAD_UTF8, NULL, &s), "user_id");
    CHECK_UTF8_ARG(tb_anna_user_hash(a, "42", BAD_UTF8, &s), "start_service");
    CHECK_ARG(tb_anna_user_hash(a, " ", NULL, &s), "user_id", "must not be empty");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(a, NULL, "n", NULL, &s), "user_id");
    CHECK_UTF8_ARG(tb_anna_user_hash_forced(a, BAD_UTF8, "n", NULL, &s), "user_id");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(a, "42", NULL, NULL, &s), "user_name");
    CHECK_UTF8_ARG(tb_anna_user_hash_forced(a, "42", BAD_UTF8, NULL, &s), "user_name");
    CHECK_UTF8_ARG(tb_anna_user_hash_forced(a, "42", "n", BAD_UTF8, &s), "start_service");
    CHECK_ARG(tb_anna_user_hash_forced(a, "42", "", NULL, &s), "user_name", "must not be empty");
    CHECK_NULL_ARG(tb_anna_inactivate_user(a, NULL, &s), "user_id");
    CHECK_UTF8_ARG(tb_anna_inactivate_user(a, BAD_UTF8, &s), "user_id");
    CHECK_NULL_ARG(tb_anna_set_token(a, NULL, 0), "token");
    CHECK_UTF8_ARG(tb_anna_set_token(a, BAD_UTF8, 0), "token");
    CHECK_ARG(tb_anna_set_token(a, "", 0), "token", "must not be empty");
    CHECK_ARG(tb_anna_set_token(a, "t", INT64_MAX), "expires_at", "");
    CHECK_NULL_ARG(tb_anna_call(a, NULL, "x", TB_BODY_NONE, NULL, &st, &s), "method");
    CHECK_UTF8_ARG(tb_anna_call(a, BAD_UTF8, "x", TB_BODY_NONE, NULL, &st, &s), "method");
    CHECK_NULL_ARG(tb_anna_call(a, "POST", NULL, TB_BODY_NONE, NULL, &st, &s), "path");
    CHECK_UTF8_ARG(tb_anna_call(a, "POST", BAD_UTF8, TB_BODY_NONE, NULL, &st, &s), "path");
    CHECK_NULL_ARG(tb_anna_call(a, "POST", "x", TB_BODY_JSON, NULL, &st, &s), "body");
    CHECK_UTF8_ARG(tb_anna_call(a, "POST", "x", TB_BODY_JSON, BAD_UTF8, &st, &s), "body");

    /* User selection of A6-A8, for each of the three calls. */
    for (int op = 0; op < 3; op++) {
#define SELECT(id, type, value)                                                            \
    (op == 0   ? tb_anna_messenger_alert_counter(a, (id), (type), (value), NULL, &n)      \
     : op == 1 ? tb_anna_messenger_requests(a, (id), (type), (value), NULL, &s)           \
               : tb_anna_messenger_link(a, (id), (type), (value), &s))
        CHECK_ARG(SELECT(NULL, NULL, NULL), "user_id", "is NULL, and so are doc_type and doc_value");
        CHECK_ARG(SELECT("42", "CPF", NULL), "doc_type", "must be NULL when user_id is given");
        CHECK_ARG(SELECT("42", NULL, "1"), "doc_value", "must be NULL when user_id is given");
        CHECK_ARG(SELECT("42", "CPF", "1"), "doc_type", "must be NULL when user_id is given");
        CHECK_ARG(SELECT(NULL, "CPF", NULL), "doc_value", "is NULL but doc_type is given");
        CHECK_ARG(SELECT(NULL, NULL, "1"), "doc_type", "is NULL but doc_value is given");
        CHECK_ARG(SELECT("", NULL, NULL), "user_id", "must not be empty");
        CHECK_ARG(SELECT(NULL, "", "1"), "doc_type", "must not be empty");
        CHECK_ARG(SELECT(NULL, "CPF", " "), "doc_value", "must not be empty");
        CHECK_UTF8_ARG(SELECT(BAD_UTF8, NULL, NULL), "user_id");
        CHECK_UTF8_ARG(SELECT(NULL, BAD_UTF8, "1"), "doc_type");
        CHECK_UTF8_ARG(SELECT(NULL, "CPF", BAD_UTF8), "doc_value");
#undef SELECT
    }
    /* Filters of A6 and A7. */
    CHECK_UTF8_ARG(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, BAD_UTF8, &n), "filter_json");
    CHECK_UTF8_ARG(tb_anna_messenger_requests(a, "42", NULL, NULL, BAD_UTF8, &s), "filter_json");
    CHECK_ARG(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, "{\"colour\": \"red\"}", &n),
              "filter_json", "is not a valid filter: unknown field `colour`");
    CHECK_ARG(tb_anna_messenger_requests(a, "42", NULL, NULL, "{\"status\": \"maybe\"}", &s),
              "filter_json", "`status`: `maybe` is neither");
    CHECK_ARG(tb_anna_messenger_requests(a, "42", NULL, NULL, "{\"date_from\": \"2024-02-30\"}", &s),
              "filter_json", "`date_from`: `2024-02-30` is not a date");
    CHECK_ARG(tb_anna_messenger_requests(a, "42", NULL, NULL,
                                         "{\"date_from\": \"2024-06-01\", \"date_to\": \"01/01/2024\"}",
                                         &s),
              "filter_json", "`date_from` 2024-06-01 is after `date_to` 2024-01-01");
    CHECK_ARG(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, "{\"pending\": \"yes\"}", &n),
              "filter_json", "is not a valid filter");
    CHECK_ARG(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, "[]", &n), "filter_json",
              "is not a valid filter");
    CHECK(s == SENTINEL && exp == -7 && n == 77 && st == 7);
}

static void test_anna(void) {
    long got_tokens = sandbox_stat("anna.GetToken");
    tb_anna_client *a = new_anna(g_anna_url);
    test_anna_arguments(a);
    CHECK(sandbox_stat("anna.GetToken") == got_tokens); /* nothing was sent */

    /* A1. */
    char *raw = NULL;
    int64_t expires = 0;
    CHECK_OK(tb_anna_get_token(a, &raw, &expires));
    char *token = take(raw);
    CHECK(token && strlen(token) > 20);
    CHECK(expires >= now_unix() + 3590 && expires <= now_unix() + 3610);
    raw = NULL;
    CHECK_OK(tb_anna_token(a, &raw));
    char *cached = take(raw);
    CHECK(token && cached && strcmp(token, cached) == 0);
    raw = NULL;
    CHECK_OK(tb_anna_get_token(a, &raw, NULL));
    tb_string_free(raw);
    CHECK(sandbox_stat("anna.GetToken") == got_tokens + 2);

    /* A2: the access data JSON. */
    raw = NULL;
    CHECK_OK(tb_anna_user_hash(a, "42", NULL, &raw));
    char *json = take(raw);
    CHECK(contains(json, "{\"hash\":\""));
    CHECK(contains(json, "\"chat_url\":\"http://127.0.0.1:"));
    CHECK(contains(json, "\"embedded_url\":\"http://127.0.0.1:"));
    CHECK(contains(json, "\"expires\":\"20"));
    CHECK(contains(json, "\"expires_raw\":\"20"));
    free(json);
    raw = NULL;
    CHECK_OK(tb_anna_user_hash(a, "42", "suporte", &raw));
    json = take(raw);
    CHECK(contains(json, "service=suporte"));
    free(json);

    /* Unknown and inactive users: TB_REJECTED with the vendor's message. */
    char *s = SENTINEL;
    CHECK_ERROR(tb_anna_user_hash(a, "999", NULL, &s), TB_REJECTED, "AnnA UserHash");
    CHECK(s == SENTINEL);
    CHECK(tb_last_error_http_status() == 200);
    char *vendor = take(tb_last_error_vendor_message());
    /* The company hash is a credential: scrubbed from what the server said. */
    CHECK(contains(vendor, "999 not found."));
    CHECK(vendor && !contains(vendor, AN_HASH));
    CHECK(!contains(last_message(), AN_HASH));
    free(vendor);
    CHECK_ERROR(tb_anna_user_hash(a, "7", NULL, &s), TB_REJECTED, "is inactive");

    /* A3, then A4 on a user of our own. */
    raw = NULL;
    CHECK_OK(tb_anna_user_hash_forced(a, "c-test-100", "Nova Pessoa", NULL, &raw));
    json = take(raw);
    CHECK(contains(json, "/anna/chat/c-test-100?hash="));
    free(json);
    raw = NULL;
    CHECK_OK(tb_anna_user_hash_forced(a, "c-test-100", "Nova Pessoa", "financeiro", &raw));
    tb_string_free(raw);
    raw = NULL;
    CHECK_OK(tb_anna_inactivate_user(a, "c-test-100", &raw));
    char *message = take(raw);
    CHECK(contains(message, "c-test-100 inactivated."));
    free(message);
    CHECK_OK(tb_anna_inactivate_user(a, "c-test-100", NULL)); /* the message is optional */
    CHECK_ERROR(tb_anna_user_hash(a, "c-test-100", NULL, &s), TB_REJECTED, "inactive");
    CHECK_ERROR(tb_anna_inactivate_user(a, "no-such-user", &s), TB_REJECTED, "not found");
    CHECK(s == SENTINEL);

    /* A5. */
    raw = NULL;
    CHECK_OK(tb_anna_messenger_structure(a, &raw));
    json = take(raw);
    CHECK(contains(json, "\"companies_hash\":\"COMPANYHASH\""));
    CHECK(contains(json, "\"companies_name\":\"Sandbox Company\""));
    CHECK(contains(json, "\"departments\":[{\"alias\":\"financeiro\",\"name\":\"Financeiro\","
                         "\"channels\":[{\"alias\":\"whatsapp\",\"name\":\"WhatsApp\"}"));
    CHECK(contains(json, "\"raw\":{"));
    free(json);

    /* A6: by id and by document, with filters. */
    uint64_t n = 77;
    CHECK_OK(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, NULL, &n));
    CHECK(n == 1);
    n = 77;
    CHECK_OK(tb_anna_messenger_alert_counter(a, NULL, "CPF", "12345678900", "", &n));
    CHECK(n == 1);
    n = 77;
    CHECK_OK(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, "{\"department_alias\": \"suporte\"}", &n));
    CHECK(n == 0);
    n = 77;
    CHECK_OK(tb_anna_messenger_alert_counter(
        a, "42", NULL, NULL,
        "{\"department_alias\": \"financeiro\", \"channel_alias\": \"whatsapp\", \"date_from\": "
        "\"01/03/2024\", \"date_to\": \"2024-03-31\", \"status\": \"open\", \"pending\": true}",
        &n));
    CHECK(n == 1);
    CHECK_ERROR(tb_anna_messenger_alert_counter(a, NULL, "CPF", "000", NULL, &n), TB_REJECTED,
                "No user with document CPF 000");
    CHECK(n == 1);

    /* A7. */
    raw = NULL;
    CHECK_OK(tb_anna_messenger_requests(a, "42", NULL, NULL, NULL, &raw));
    json = take(raw);
    CHECK(contains(json, "{\"items\":[{\"department\":\"Financeiro\",\"channel\":\"WhatsApp\","
                         "\"description\":\"Segunda via de boleto\",\"opened_at\":\"15/03/2024 "
                         "09:30:00\",\"protocol\":\"2024000101\",\"status\":\"A\",\"pending\":true,"
                         "\"link\":\"http://127.0.0.1:"));
    CHECK(contains(json, "\"protocol\":\"2023000087\""));
    CHECK(contains(json, "\"raw\":{"));
    free(json);
    raw = NULL;
    CHECK_OK(tb_anna_messenger_requests(a, NULL, "CPF", "12345678900",
                                        "{\"status\": \"closed\", \"pending\": false}", &raw));
    json = take(raw);
    CHECK(contains(json, "\"protocol\":\"2023000087\""));
    CHECK(!contains(json, "2024000101"));
    free(json);
    raw = NULL;
    CHECK_OK(tb_anna_messenger_requests(a, "42", NULL, NULL, "{\"date_from\": \"2030-01-01\"}", &raw));
    json = take(raw);
    CHECK(json && strcmp(json, "{\"items\":[]}") == 0);
    free(json);
    CHECK_ERROR(tb_anna_messenger_requests(a, "7", NULL, NULL, NULL, &s), TB_REJECTED, "inactive");

    /* A8. */
    raw = NULL;
    CHECK_OK(tb_anna_messenger_link(a, "42", NULL, NULL, &raw));
    char *link = take(raw);
    CHECK(contains(link, "/anna/messenger/42?token="));
    CHECK(link && strncmp(link, g_url, strlen(g_url)) == 0);
    free(link);
    raw = NULL;
    CHECK_OK(tb_anna_messenger_link(a, NULL, "cpf", "12345678900", &raw));
    link = take(raw);
    CHECK(contains(link, "/anna/messenger/42?token="));
    free(link);
    CHECK_ERROR(tb_anna_messenger_link(a, "999", NULL, NULL, &s), TB_REJECTED, "not found");
    CHECK(s == SENTINEL);

    /* The generic call, and a token from elsewhere. */
    uint16_t status = 0;
    char *body = NULL;
    CHECK_OK(tb_anna_call(a, "POST", "REST/AnnACorporate/Ping", TB_BODY_JSON, "{\"x\": 1}", &status,
                          &body));
    CHECK(status == 200);
    CHECK(contains(body, "\"message\":\"pong\""));
    tb_string_free(body);
    body = NULL;
    CHECK_OK(tb_anna_call(a, "POST", "REST/AnnACorporate/Ping", TB_BODY_NONE, NULL, &status, &body));
    CHECK(status == 200);
    tb_string_free(body);
    CHECK_OK(tb_anna_set_token(a, token, 0));
    CHECK_OK(tb_anna_set_token(a, token, now_unix() + 60));
    raw = NULL;
    CHECK_OK(tb_anna_token(a, &raw));
    char *set = take(raw);
    CHECK(set && token && strcmp(set, token) == 0);
    free(set);
    /* A token the server does not know: one new GetToken, then the answer. */
    long before = sandbox_stat("anna.GetToken");
    CHECK_OK(tb_anna_set_token(a, "not.a-token", 0));
    body = NULL;
    CHECK_OK(tb_anna_call(a, "POST", "REST/AnnACorporate/Ping", TB_BODY_NONE, NULL, &status, &body));
    CHECK(status == 200);
    tb_string_free(body);
    CHECK(sandbox_stat("anna.GetToken") == before + 1);
    free(token);
    free(cached);
    tb_anna_client_free(a);

    /* Wrong credentials. */
    tb_config *cfg = local_config();
    CHECK_OK(tb_anna_client_new(cfg, g_anna_url, AN_HASH, AN_USER, "bad-pass-789", &a));
    tb_config_free(cfg);
    int64_t exp = -7;
    CHECK_ERROR(tb_anna_get_token(a, &s, &exp), TB_REJECTED, "AnnA GetToken");
    CHECK(s == SENTINEL && exp == -7);
    vendor = take(tb_last_error_vendor_message());
    CHECK(vendor && strcmp(vendor, "Invalid user or password.") == 0);
    free(vendor);
    CHECK(!contains(last_message(), "bad-pass-789"));
    CHECK_STATUS(tb_anna_user_hash(a, "42", NULL, &s), TB_REJECTED);
    CHECK_STATUS(tb_anna_token(a, &s), TB_REJECTED);
    CHECK(s == SENTINEL);
    tb_anna_client_free(a);
}

/* ------------------------------------------------------------------ failures */

#define HTTP_JSON(body) \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" body

static void test_transport_failures(void) {
    char url[128];
    char *s = SENTINEL;
    int64_t exp = -7;

    /* Nothing listens. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", fake_closed_port());
    tb_anna_client *a = new_anna(url);
    CHECK_ERROR(tb_anna_get_token(a, &s, &exp), TB_CONNECT, "AnnA GetToken: could not connect");
    CHECK(tb_last_error_http_status() == 0);
    char *vendor = tb_last_error_vendor_message();
    CHECK(vendor == NULL);
    tb_string_free(vendor);
    tb_anna_client_free(a);

    static const char not_http[] = "SSH-2.0-OpenSSH_9.6\r\n\r\n";
    static const char unauthorized[] =
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        "{\"success\": false, \"message\": \"Unauthorized: bad token\"}";
    static const char server_error[] =
        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
        "database is down";
    static const char nul_token[] = HTTP_JSON("\"abc\\u0000def\"");
    static const char nul_body[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        "a\0b";
    static const fake_route routes[] = {
        {"/closed/", FAKE_CLOSE, NULL, 0},
        {"/reset/", FAKE_RESET, NULL, 0},
        {"/garbage/", FAKE_REPLY, not_http, 0},
        {"/error500/", FAKE_REPLY, server_error, 0},
        {"/nodata/REST/Credentials/GetToken",
         FAKE_REPLY,
         HTTP_JSON("{\"success\": true, \"message\": \"ok\"}"),
         0},
        {"/GetToken", FAKE_REPLY,
         HTTP_JSON("{\"success\": true, \"message\": \"ok\", \"data\": {\"Token\": "
                   "\"fake.token.value\", \"ExpiresIn\": \"3600\"}}"),
         0},
        {"/getUserToken", FAKE_REPLY, nul_token, 0},
        {"/nulbody", FAKE_REPLY, nul_body, sizeof nul_body - 1},
        {"/REST/AnnACorporate/", FAKE_REPLY, unauthorized, 0},
        {"CONNECT ", FAKE_REPLY,
         "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 0},
        {NULL, FAKE_REPLY, not_http, 0},
    };
    fake_server *fs = fake_server_start(routes, sizeof routes / sizeof routes[0]);
    CHECK(fs != NULL);
    if (!fs) return;
    int port = fake_server_port(fs);

    /* Closed before any answer, reset, and not HTTP at all. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/closed/", port);
    a = new_anna(url);
    CHECK_STATUS(tb_anna_get_token(a, &s, &exp), TB_RESET);
    tb_anna_client_free(a);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/reset/", port);
    a = new_anna(url);
    CHECK_STATUS(tb_anna_get_token(a, &s, &exp), TB_RESET);
    tb_anna_client_free(a);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/garbage/", port);
    a = new_anna(url);
    CHECK_STATUS(tb_anna_get_token(a, &s, &exp), TB_PROTOCOL);
    tb_anna_client_free(a);

    /* TLS against a server that does not speak it: a handshake failure. */
    snprintf(url, sizeof url, "https://127.0.0.1:%d/garbage/", port);
    a = new_anna(url);
    CHECK_STATUS(tb_anna_get_token(a, &s, &exp), TB_TLS);
    CHECK(tb_last_error_status() == TB_TLS);
    CHECK(contains(last_message(), "AnnA GetToken"));
    CHECK(s == SENTINEL && exp == -7);
    tb_anna_client_free(a);

    /* A proxy that refuses the tunnel. */
    tb_config *cfg = local_config();
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    CHECK_OK(tb_config_set_proxy(cfg, url));
    tb_yativo_client *y = NULL;
    CHECK_OK(tb_yativo_client_new(cfg, "https://yativo.invalid/api/v1", "a", "b", &y));
    tb_config_free(cfg);
    CHECK_STATUS(tb_yativo_login(y, &s, &exp), TB_PROXY);
    tb_yativo_client_free(y);

    /* An HTTP status the API does not explain. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/error500/", port);
    a = new_anna(url);
    CHECK_ERROR(tb_anna_get_token(a, &s, &exp), TB_HTTP_STATUS, "HTTP 500");
    CHECK(tb_last_error_http_status() == 500);
    CHECK(contains(last_message(), "database is down"));
    tb_anna_client_free(a);

    /* An answer without the token: unexpected. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/nodata/", port);
    a = new_anna(url);
    CHECK_ERROR(tb_anna_get_token(a, &s, &exp), TB_UNEXPECTED_RESPONSE, "unexpected response");
    CHECK(tb_last_error_http_status() == 200);
    tb_anna_client_free(a);

    /* 401 after a fresh token: one more GetToken, then TB_UNAUTHORIZED. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    a = new_anna(url);
    unsigned before = fake_server_requests(fs);
    uint16_t status = 7;
    CHECK_ERROR(tb_anna_call(a, "POST", "REST/AnnACorporate/Ping", TB_BODY_NONE, NULL, &status, &s),
                TB_UNAUTHORIZED, "unauthorized (HTTP 401)");
    CHECK(status == 7 && s == SENTINEL);
    CHECK(tb_last_error_http_status() == 401);
    CHECK(fake_server_requests(fs) - before == 4); /* GetToken, Ping, GetToken, Ping */
    CHECK_ERROR(tb_anna_messenger_structure(a, &s), TB_UNAUTHORIZED, "AnnA Messenger/Structure");

    /* A body with a NUL byte cannot be a C string. */
    CHECK_ERROR(tb_anna_call(a, "GET", "nulbody", TB_BODY_NONE, NULL, &status, &s),
                TB_UNEXPECTED_RESPONSE, "NUL character at byte 1");
    CHECK(tb_last_error_http_status() == 200);
    CHECK(status == 7 && s == SENTINEL);
    tb_anna_client_free(a);

    /* Nor can a token. */
    tb_ucontact_client *u = new_ucontact(url, "u", "p", TB_UCONTACT_LOGIN_API_USER);
    CHECK_ERROR(tb_ucontact_get_user_token(u, &s), TB_UNEXPECTED_RESPONSE, "without NUL characters");
    CHECK(s == SENTINEL);
    tb_ucontact_client_free(u);
    fake_server_stop(fs);
}

/* ------------------------------------------------------------------ threads */

#define THREADS 8
#define ROUNDS 4

static tb_anna_client *g_shared_anna;
static tb_yativo_client *g_shared_yativo;
static pthread_barrier_t g_barrier;

/* One failing call with this thread's own answer: an unknown user id, or a bad
 * argument. */
static void fail_own_way(int id, char *user) {
    char *s = SENTINEL;
    if (id % 2 == 0) {
        CHECK_STATUS(tb_anna_user_hash(g_shared_anna, user, NULL, &s), TB_REJECTED);
    } else {
        CHECK_STATUS(tb_anna_messenger_link(g_shared_anna, user, "CPF", NULL, &s),
                     TB_INVALID_ARGUMENT);
    }
    CHECK(s == SENTINEL);
}

/* The thread's last error is still its own failure. */
static void check_own_failure(int id, const char *user) {
    char want[128];
    if (id % 2 == 0) {
        CHECK(tb_last_error_status() == TB_REJECTED);
        CHECK(tb_last_error_http_status() == 200);
        snprintf(want, sizeof want, "@%s not found.", user);
        char *vendor = take(tb_last_error_vendor_message());
        CHECK(contains(vendor, want));
        free(vendor);
        CHECK(contains(last_message(), "AnnA UserHash: AnnA rejected the request"));
        CHECK(contains(last_message(), want));
    } else {
        CHECK(tb_last_error_status() == TB_INVALID_ARGUMENT);
        CHECK(tb_last_error_http_status() == 0);
        char *vendor = tb_last_error_vendor_message();
        CHECK(vendor == NULL);
        tb_string_free(vendor);
        CHECK(strcmp(last_message(),
                     "invalid argument `doc_type`: must be NULL when user_id is given (give either "
                     "user_id or doc_type and doc_value)") == 0);
    }
}

static void work(int id) {
    char *s = NULL;
    CHECK_OK(tb_anna_user_hash(g_shared_anna, "42", NULL, &s));
    CHECK(contains(s, "\"hash\":\""));
    tb_string_free(s);
    s = NULL;
    CHECK_OK(tb_anna_messenger_link(g_shared_anna, id % 2 ? "42" : NULL, id % 2 ? NULL : "CPF",
                                    id % 2 ? NULL : "12345678900", &s));
    CHECK(contains(s, "/anna/messenger/42?token="));
    tb_string_free(s);
    uint64_t n = 0;
    CHECK_OK(tb_anna_messenger_alert_counter(g_shared_anna, "42", NULL, NULL, NULL, &n));
    CHECK(n == 1);
    uint16_t status = 0;
    s = NULL;
    CHECK_OK(tb_yativo_call(g_shared_yativo, "GET", "wallet/balance", TB_BODY_NONE, NULL, &status, &s));
    CHECK(status == 200 && contains(s, "\"balances\""));
    tb_string_free(s);
    s = NULL;
    CHECK_OK(tb_yativo_token(g_shared_yativo, &s));
    tb_string_free(s);
}

static void *thread_main(void *arg) {
    int id = (int)(intptr_t)arg;
    char user[32];
    snprintf(user, sizeof user, "ghost-%d", id);

    /* Everyone at once on the shared clients (the first calls race to log in). */
    pthread_barrier_wait(&g_barrier);
    for (int r = 0; r < ROUNDS; r++) work(id);

    /* Each thread fails its own way; then half read their errors while the other
     * half keep calling, and the other way round. */
    for (int turn = 0; turn < 2; turn++) {
        int reader = (id % 2) == turn;
        if (reader) fail_own_way(id, user);
        pthread_barrier_wait(&g_barrier);
        if (reader) {
            sleep_ms(30);
            check_own_failure(id, user);
        } else {
            work(id);
        }
        pthread_barrier_wait(&g_barrier);
        if (reader) check_own_failure(id, user); /* reading does not clear it */
    }
    /* A success clears the thread's last error. */
    work(id);
    CHECK(tb_last_error_status() == TB_OK);
    char *m = tb_last_error_message();
    CHECK(m == NULL);
    tb_string_free(m);
    return NULL;
}

static void test_threads(void) {
    long anna_tokens = sandbox_stat("anna.GetToken");
    long yativo_logins = sandbox_stat("yativo.login");
    g_shared_anna = new_anna(g_anna_url);
    g_shared_yativo = new_yativo(g_yativo_url, YA_SECRET);
    pthread_barrier_init(&g_barrier, NULL, THREADS);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&threads[i], NULL, thread_main, (void *)(intptr_t)i) == 0);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&g_barrier);
    /* One login per client, however many threads asked at once. */
    CHECK(sandbox_stat("anna.GetToken") == anna_tokens + 1);
    CHECK(sandbox_stat("yativo.login") == yativo_logins + 1);
    tb_anna_client_free(g_shared_anna);
    tb_yativo_client_free(g_shared_yativo);
}

/* ------------------------------------------------------------------ main */

/* ---------------------------------------------------- deadlines and cancellation */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

typedef struct {
    tb_cancel_token *token;
    long delay_ms;
} canceller;

static void *cancel_later(void *arg) {
    canceller *c = arg;
    struct timespec d = {c->delay_ms / 1000, (c->delay_ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
    tb_cancel_token_cancel(c->token); /* from another thread than the call's */
    return NULL;
}

static void test_cancel_and_deadline(void) {
    static const char ok_json[] =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        "{\"status\":\"success\",\"message\":\"ok\",\"data\":{\"x\":\"fine\"}}";
    static const fake_route routes[] = {
        {"/stall", FAKE_STALL, NULL, 0},
        {NULL, FAKE_REPLY, ok_json, 0},
    };
    fake_server *fs = fake_server_start(routes, 2);
    CHECK(fs != NULL);
    if (!fs) return;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api", fake_server_port(fs));
    tb_config *cfg = local_config();
    tb_yativo_client *y = NULL;
    CHECK_OK(tb_yativo_client_new(cfg, url, YA_ACCOUNT, YA_SECRET, &y));
    tb_config_free(cfg);
    CHECK_OK(tb_yativo_set_token(y, "opaque-token", now_unix() + 600));

    /* NULL and out-of-range arguments; frees of NULL. */
    tb_call_options *opts = tb_call_options_new();
    tb_yativo_client *limited = (tb_yativo_client *)SENTINEL;
    CHECK(opts != NULL);
    CHECK_ARG(tb_call_options_set_deadline_ms(NULL, 5), "opts", "is NULL");
    CHECK_ARG(tb_call_options_set_cancel_token(NULL, NULL), "opts", "is NULL");
    CHECK_ARG(tb_call_options_set_deadline_ms(opts, 31ULL * 86400 * 1000), "deadline_ms",
              "2678400000 is more than 30 days");
    CHECK_ARG(tb_yativo_client_with_options(NULL, opts, &limited), "c", "is NULL");
    CHECK_ARG(tb_yativo_client_with_options(y, NULL, &limited), "opts", "is NULL");
    CHECK_ARG(tb_yativo_client_with_options(y, opts, NULL), "out", "is NULL");
    CHECK(limited == (tb_yativo_client *)SENTINEL);
    tb_cancel_token_cancel(NULL);
    CHECK(!tb_cancel_token_is_cancelled(NULL));
    tb_cancel_token_free(NULL);
    tb_call_options_free(NULL);

    /* A call cancelled from another thread while it waits for the answer. */
    tb_cancel_token *token = tb_cancel_token_new();
    CHECK(token != NULL && !tb_cancel_token_is_cancelled(token));
    CHECK_OK(tb_call_options_set_cancel_token(opts, token));
    CHECK_OK(tb_yativo_client_with_options(y, opts, &limited));
    canceller c = {token, 300};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, cancel_later, &c) == 0);
    uint16_t status = 7;
    char *body = SENTINEL;
    double start = now_ms();
    CHECK_ERROR(tb_yativo_call(limited, "GET", "stall", TB_BODY_NONE, NULL, &status, &body),
                TB_CANCELLED, "cancelled");
    double waited = now_ms() - start;
    pthread_join(thread, NULL);
    /* Cancelled at 300 ms: back within 200 ms of it (valgrind's slowness included). */
    CHECK(waited >= 250 && waited < 500);
    CHECK(status == 7 && body == SENTINEL);
    CHECK(tb_cancel_token_is_cancelled(token));
    /* The client stays usable; the cancelled handle fails at once. */
    CHECK_OK(tb_yativo_call(y, "GET", "anything", TB_BODY_NONE, NULL, &status, &body));
    CHECK(status == 200 && contains(body, "fine"));
    tb_string_free(body);
    body = SENTINEL;
    CHECK_ERROR(tb_yativo_call(limited, "GET", "anything", TB_BODY_NONE, NULL, &status, &body),
                TB_CANCELLED, "cancelled");
    tb_yativo_client_free(limited);
    tb_cancel_token_free(token);
    tb_call_options_free(opts);

    /* An overall deadline against a server that never answers. */
    opts = tb_call_options_new();
    CHECK_OK(tb_call_options_set_deadline_ms(opts, 500));
    limited = NULL;
    CHECK_OK(tb_yativo_client_with_options(y, opts, &limited));
    tb_call_options_free(opts); /* the handle keeps its own copy */
    start = now_ms();
    CHECK_ERROR(tb_yativo_call(limited, "GET", "stall", TB_BODY_NONE, NULL, &status, &body),
                TB_TIMEOUT, "deadline of 500 ms");
    waited = now_ms() - start;
    CHECK(waited >= 450 && waited < 900);
    tb_yativo_client_free(limited);
    tb_yativo_client_free(y);
    fake_server_stop(fs);

    /* uContact and AnnA handles with options share the client's session. */
    opts = tb_call_options_new();
    CHECK_OK(tb_call_options_set_deadline_ms(opts, 10000));
    cfg = local_config();
    tb_ucontact_client *u = NULL, *u_limited = NULL;
    CHECK_OK(tb_ucontact_client_new(cfg, g_ucontact_url, UC_USER, UC_PASS,
                                    TB_UCONTACT_LOGIN_API_USER, &u));
    CHECK_OK(tb_ucontact_client_with_options(u, opts, &u_limited));
    char *session = NULL, *same = NULL;
    CHECK_OK(tb_ucontact_get_user_token(u_limited, &session));
    CHECK_OK(tb_ucontact_token(u, &same)); /* the login through the handle is the client's */
    CHECK(session && same && strcmp(session, same) == 0);
    tb_string_free(session);
    tb_string_free(same);
    tb_ucontact_client_free(u_limited); /* not the last handle: the session stays */
    CHECK_OK(tb_ucontact_call(u, "POST", "Integra/resources/Dialers/DialerTask", TB_BODY_NONE, NULL,
                              &status, &body));
    CHECK(status == 200);
    tb_string_free(body);
    tb_ucontact_client_free(u);
    tb_anna_client *a = NULL, *a_limited = NULL;
    CHECK_OK(tb_anna_client_new(cfg, g_anna_url, AN_HASH, AN_USER, AN_PASS, &a));
    CHECK_OK(tb_anna_client_with_options(a, opts, &a_limited));
    char *link = NULL;
    CHECK_OK(tb_anna_messenger_link(a_limited, "42", NULL, NULL, &link));
    CHECK(contains(link, "http"));
    tb_string_free(link);
    tb_anna_client_free(a_limited);
    tb_anna_client_free(a);
    tb_config_free(cfg);
    tb_call_options_free(opts);
}

int main(void) {
    const char *url = getenv("TOKENBRIDGE_SANDBOX_URL");
    if (!url || strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "TOKENBRIDGE_SANDBOX_URL is not set (run bindings/c/run-tests.sh)\n");
        return 2;
    }
    snprintf(g_url, sizeof g_url, "%s", url);
    snprintf(g_ucontact_url, sizeof g_ucontact_url, "%s/ucontact", g_url);
    snprintf(g_yativo_url, sizeof g_yativo_url, "%s/yativo/api/v1", g_url);
    snprintf(g_anna_url, sizeof g_anna_url, "%s/anna/", g_url);

    test_no_last_error_yet();
    test_version();
    test_status_names();
    test_frees_of_null();
    test_log_callback_arguments();
    test_config();
    test_dns_cache();
    test_config_effects();
    test_cancel_and_deadline();
    test_ucontact_arguments();
    test_ucontact();
    test_yativo();
    test_anna();
    test_transport_failures();
    test_threads();

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
