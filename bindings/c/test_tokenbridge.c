/*
 * The C test suite of tokenbridge's C ABI: every exported function, on its success
 * and failure paths, NULL and invalid UTF-8 for every pointer parameter, the
 * thread-local last error, and 8 threads sharing clients. Runs against the sandbox
 * (TOKENBRIDGE_SANDBOX_URL, see docs/sandbox-contract.md) and, for failures and
 * answers the sandbox cannot produce, against fake_server.c. Run by
 * bindings/c/run-tests.sh.
 *
 * Every answer is read through its handle's accessors, never by searching JSON text:
 * the agent profile (each published field by enum, by wire name and by iteration,
 * the numbers, the SIP secrets out of reach), access data (the URLs built from the
 * hash, the expiry as numbers equal to the raw digits), the messenger structure
 * (every department and channel by index) and requests (every named accessor, the
 * enums, the getter, the fields), with lengths checked and lent texts checked to
 * stay unchanged until the handle is freed. Filters are built with the setters and
 * change what the sandbox sends. Only the generic call's raw body and the
 * sandbox's own statistics are read as text.
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
        if (want != TB_OK && want != TB_ABSENT) {
            report(tb_last_error_status() == want, file, line,
                   "%s: tb_last_error_status() is %s, not %s", call,
                   tb_status_name(tb_last_error_status()), tb_status_name(want));
        } else {
            /* TB_ABSENT is no failure either: nothing recorded. */
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
        /* The same as data, for bindings: the parameter's name and the reason. */
        char *arg = tb_last_error_parameter(), *why = tb_last_error_reason();
        report(arg && strcmp(arg, param) == 0, file, line, "%s: parameter \"%s\", wanted \"%s\"",
               call, arg ? arg : "(NULL)", param);
        report(why && strncmp(why, reason, strlen(reason)) == 0 &&
                   strlen(m) == strlen(want) - strlen(reason) + strlen(why),
               file, line, "%s: reason \"%s\" is not the message's \"%s...\"", call,
               why ? why : "(NULL)", reason);
        tb_string_free(why);
        tb_string_free(arg);
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

/* ------------------------------------------------------------------ lent strings */

/* Where the accessor checks below receive a lent string: CHECK_TEXT(call, want)
 * resets them to sentinels, makes the call (which writes &lt and &ln), and checks
 * TB_OK, the text and its length. */
static _Thread_local const char *lt;
static _Thread_local size_t ln;

enum match { EXACTLY, STARTS_WITH, HOLDS };

static void check_text(tb_status got, const char *text, size_t len, const char *want,
                       enum match how, const char *file, int line, const char *call) {
    /* A wanted NULL is an absent field: TB_ABSENT, NULL and 0. */
    check_status(got, want ? TB_OK : TB_ABSENT, file, line, call);
    if (got != (want ? TB_OK : TB_ABSENT)) return;
    if (!want) {
        report(text == NULL && len == 0, file, line, "%s: wanted NULL, got \"%s\" (%zu bytes)",
               call, text && text != SENTINEL ? text : "(sentinel)", len);
        return;
    }
    if (!text || text == SENTINEL) {
        report(0, file, line, "%s: wanted \"%s\", got %s", call, want, text ? "nothing" : "NULL");
        return;
    }
    /* The length is the whole text, and a NUL ends it (these texts hold no NUL). */
    report(strlen(text) == len, file, line, "%s: length %zu, strlen %zu", call, len, strlen(text));
    int ok = how == EXACTLY       ? len == strlen(want) && memcmp(text, want, len) == 0
             : how == STARTS_WITH ? len >= strlen(want) && strncmp(text, want, strlen(want)) == 0
                                  : strstr(text, want) != NULL;
    report(ok, file, line, "%s: \"%s\" does not %s \"%s\"", call, text,
           how == EXACTLY ? "equal" : how == STARTS_WITH ? "start with" : "hold", want);
}
#define TEXT_CHECK(call, want, how)                                                   \
    do {                                                                              \
        lt = (const char *)SENTINEL;                                                  \
        ln = 77;                                                                      \
        tb_status s_ = (call);                                                        \
        check_text(s_, lt, ln, (want), (how), __FILE__, __LINE__, #call);             \
    } while (0)
#define CHECK_TEXT(call, want) TEXT_CHECK(call, want, EXACTLY)
#define CHECK_TEXT_STARTS(call, want) TEXT_CHECK(call, want, STARTS_WITH)
#define CHECK_TEXT_HOLDS(call, want) TEXT_CHECK(call, want, HOLDS)

/* A copy of a lent string of `len` bytes (NUL-terminated; "" for NULL). */
static char *copy_lent(const char *text, size_t len) {
    char *copy = malloc(len + 1);
    if (!copy) abort();
    if (text) memcpy(copy, text, len);
    copy[text ? len : 0] = '\0';
    return copy;
}

/* ------------------------------------------------------------------ the generic call */

typedef enum { UCONTACT, YATIVO, ANNA } api;

/*
 * The generic call: tb_request_new, a form (`form`: name, value, ..., NULL) or a
 * JSON body (`json`), tb_<api>_send, then the response read with tb_response_status
 * and tb_response_body. On TB_OK, *out_status and *out_body (a malloc'd copy: free()
 * it) are set; on failure they are untouched and the thread's last error is the
 * failed call's.
 */
static tb_status send_call(api which, void *client, const char *method, const char *path,
                           const char *const *form, const char *json, uint16_t *out_status,
                           char **out_body) {
    tb_request *req = NULL;
    tb_status s = tb_request_new(method, path, &req);
    for (size_t i = 0; s == TB_OK && form && form[i]; i += 2)
        s = tb_request_add_form_field(req, form[i], form[i + 1]);
    if (s == TB_OK && json) s = tb_request_set_json(req, json);
    tb_response *resp = NULL;
    if (s == TB_OK) {
        switch (which) {
        case UCONTACT: s = tb_ucontact_send(client, req, &resp); break;
        case YATIVO: s = tb_yativo_send(client, req, &resp); break;
        case ANNA: s = tb_anna_send(client, req, &resp); break;
        }
    }
    tb_request_free(req);
    if (s != TB_OK) return s;
    const uint8_t *bytes = NULL;
    size_t len = 0;
    s = tb_response_body(resp, &bytes, &len);
    if (s == TB_OK) {
        *out_status = tb_response_status(resp);
        *out_body = copy_lent((const char *)bytes, len);
    }
    tb_response_free(resp);
    return s;
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
    /* The sandbox's own control endpoint (not an API answer): its JSON read as text. */
    if (send_call(UCONTACT, c, "GET", "__sandbox/stats", NULL, NULL, &status, &body) == TB_OK &&
        status == 200) {
        char pattern[128];
        snprintf(pattern, sizeof pattern, "\"%s\":", key);
        const char *at = strstr(body, pattern);
        if (at) value = strtol(at + strlen(pattern), NULL, 10);
    }
    free(body);
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
        {TB_ABSENT, 2, "TB_ABSENT"},
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
    CHECK(strcmp(tb_status_name((tb_status)3), "TB_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(tb_status_name((tb_status)-1), "TB_UNKNOWN_STATUS") == 0);
    CHECK(strcmp(tb_status_name((tb_status)123456), "TB_UNKNOWN_STATUS") == 0);
    CHECK(sizeof(tb_status) == 4);
    CHECK((int)TB_TLS_ROOTS_MOZILLA == 0 && (int)TB_TLS_ROOTS_OS == 1);
    CHECK((int)TB_MESSENGER_STATUS_NONE == 0 && (int)TB_MESSENGER_STATUS_OPEN == 1 &&
          (int)TB_MESSENGER_STATUS_CLOSED == 2);
    CHECK((int)TB_MESSENGER_PENDING_NONE == 0 && (int)TB_MESSENGER_PENDING_YES == 1 &&
          (int)TB_MESSENGER_PENDING_NO == 2);
    CHECK((int)TB_ABSENT == 2 && strcmp(tb_status_name(TB_ABSENT), "TB_ABSENT") == 0);
    CHECK(sizeof(tb_messenger_status) == 4 && sizeof(tb_messenger_pending) == 4);
    CHECK(sizeof(tb_datetime) == 6 * sizeof(int32_t));
    CHECK((int)TB_UCONTACT_LOGIN_API_USER == 0 && (int)TB_UCONTACT_LOGIN_AGENT == 1);
}

static void test_frees_of_null(void) {
    tb_string_free(NULL);
    tb_config_free(NULL);
    tb_ucontact_client_free(NULL);
    tb_yativo_client_free(NULL);
    tb_anna_client_free(NULL);
    tb_agent_profile_free(NULL);
    tb_access_data_free(NULL);
    tb_messenger_structure_free(NULL);
    tb_messenger_requests_free(NULL);
    tb_messenger_filter_free(NULL);
    tb_request_free(NULL);
    tb_response_free(NULL);
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
    CHECK_ARG(tb_config_set_user_agent(cfg, "a\r\nX-Evil: 1"), "user_agent", "holds the control character 0x0D");
    CHECK_NULL_ARG(tb_config_set_extra_ca_file(cfg, NULL), "path");
    CHECK_UTF8_ARG(tb_config_set_extra_ca_file(cfg, BAD_UTF8), "path");
    CHECK_ARG(tb_config_set_extra_ca_file(cfg, ""), "path", "must not be empty");

    /* The token store: a URL, checked when set; its credentials are never repeated. */
    CHECK_OK(tb_config_set_token_store(cfg, "file:///var/lib/app/tokens"));
    CHECK_NULL_ARG(tb_config_set_token_store(NULL, "file:///x"), "cfg");
    CHECK_NULL_ARG(tb_config_set_token_store(cfg, NULL), "url");
    CHECK_UTF8_ARG(tb_config_set_token_store(cfg, BAD_UTF8), "url");
    CHECK_ARG(tb_config_set_token_store(cfg, "nonsense"), "url", "must be a URL: file:///dir");
    CHECK_ARG(tb_config_set_token_store(cfg, "ftp://u:hunter2@host/x"), "url", "has an unknown scheme");
    CHECK(strstr(last_message(), "hunter2") == NULL);
    CHECK_ARG(tb_config_set_token_store(cfg, "file://relative/dir"), "url",
              "a file:// URL must name an absolute directory");

    /* Out-of-range numbers. */
    CHECK_ARG(tb_config_set_timeout_connect_ms(cfg, 0), "timeout_connect_ms", "must be more than 0");
    CHECK_ARG(tb_config_set_timeout_send_ms(cfg, 0), "timeout_send_ms", "must be more than 0");
    CHECK_ARG(tb_config_set_timeout_receive_ms(cfg, 0), "timeout_receive_ms", "must be more than 0");
    CHECK_ARG(tb_config_set_max_response_bytes(cfg, 0), "max_response_bytes", "must be more than 0");
    CHECK_ARG(tb_config_set_tls_roots(cfg, (tb_tls_roots)2), "roots", "2 is not a tb_tls_roots");
    CHECK_ARG(tb_config_set_tls_roots(cfg, (tb_tls_roots)-1), "roots", "-1 is not a tb_tls_roots");
    CHECK_ARG(tb_config_set_retries(cfg, 1, 200, 100), "base_delay_ms", "is more than the maximum delay");

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
    CHECK_OK(send_call(YATIVO, y, "GET", "anything", NULL, NULL, &status, &body));
    CHECK(status == 200);
    CHECK(contains(body, "0123456"));
    free(body);
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
    CHECK_OK(send_call(YATIVO, y, "GET", "busy", NULL, NULL, &status, &body));
    CHECK(status == 503);
    CHECK(contains(body, "busy"));
    free(body);
    CHECK(fake_server_requests(fs) - before == 3);

    /* The receive timeout. */
    status = 7;
    body = SENTINEL;
    CHECK_ERROR(send_call(YATIVO, y, "GET", "stall", NULL, NULL, &status, &body), TB_TIMEOUT,
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
    CHECK_ERROR(send_call(YATIVO, y, "GET", "anything", NULL, NULL, &status, &body),
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
    tb_agent_profile *profile = (tb_agent_profile *)SENTINEL;
    tb_request *req = NULL;
    tb_response *resp = (tb_response *)SENTINEL;
    CHECK_OK(tb_request_new("POST", "Integra/resources/Dialers/DialerTask", &req));
    CHECK_NULL_ARG(tb_ucontact_get_user_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_ucontact_agent_login(NULL, &profile), "c");
    CHECK_NULL_ARG(tb_ucontact_end_session(NULL), "c");
    CHECK_NULL_ARG(tb_ucontact_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_ucontact_set_token(NULL, "t"), "c");
    CHECK_NULL_ARG(tb_ucontact_send(NULL, req, &resp), "c");
    CHECK(s == SENTINEL && profile == (tb_agent_profile *)SENTINEL && resp == (tb_response *)SENTINEL);

    c = new_ucontact(g_ucontact_url, UC_USER, UC_PASS, TB_UCONTACT_LOGIN_API_USER);
    long logins = sandbox_stat("ucontact.getUserToken");
    CHECK_NULL_ARG(tb_ucontact_get_user_token(c, NULL), "out_token");
    CHECK_NULL_ARG(tb_ucontact_agent_login(c, NULL), "out");
    CHECK_NULL_ARG(tb_ucontact_token(c, NULL), "out_token");
    CHECK_NULL_ARG(tb_ucontact_set_token(c, NULL), "token");
    CHECK_UTF8_ARG(tb_ucontact_set_token(c, BAD_UTF8), "token");
    CHECK_ARG(tb_ucontact_set_token(c, ""), "token", "must not be empty");
    CHECK_NULL_ARG(tb_ucontact_send(c, NULL, &resp), "request");
    CHECK_NULL_ARG(tb_ucontact_send(c, req, NULL), "out");
    CHECK(s == SENTINEL && resp == (tb_response *)SENTINEL);
    /* Nothing was sent for any of these. */
    CHECK(sandbox_stat("ucontact.getUserToken") == logins);
    tb_request_free(req);
    tb_ucontact_client_free(c);
}

/* The published text fields of the agent profile: wire name and getter (the numbers
 * `id` and `limite` have typed getters). */
typedef tb_status (*agent_text_getter)(const tb_agent_profile *, const char **, size_t *);
static const struct {
    const char *wire;
    agent_text_getter get;
} AGENT_FIELDS[] = {
    {"name", tb_agent_profile_name},
    {"host", tb_agent_profile_host},
    {"nat", tb_agent_profile_nat},
    {"type", tb_agent_profile_type},
    {"accountcode", tb_agent_profile_accountcode},
    {"callgroup", tb_agent_profile_callgroup},
    {"callerid", tb_agent_profile_callerid},
    {"canreinvite", tb_agent_profile_canreinvite},
    {"context", tb_agent_profile_context},
    {"dtmfmode", tb_agent_profile_dtmfmode},
    {"insecure", tb_agent_profile_insecure},
    {"language", tb_agent_profile_language},
    {"mailbox", tb_agent_profile_mailbox},
    {"pickupgroup", tb_agent_profile_pickupgroup},
    {"qualify", tb_agent_profile_qualify},
    {"disallow", tb_agent_profile_disallow},
    {"allow", tb_agent_profile_allow},
    {"port", tb_agent_profile_port},
    {"defaultuser", tb_agent_profile_defaultuser},
    {"subscribecontext", tb_agent_profile_subscribecontext},
    {"record", tb_agent_profile_record},
    {"email", tb_agent_profile_email},
    {"phonetype", tb_agent_profile_phonetype},
    {"transport", tb_agent_profile_transport},
    {"encryption", tb_agent_profile_encryption},
    {"did", tb_agent_profile_did},
    {"outboundproxy", tb_agent_profile_outboundproxy},
    {"fullname", tb_agent_profile_fullname},
    {"LogLevel", tb_agent_profile_loglevel},
    {"token", tb_agent_profile_token},
};
#define AGENT_FIELD_COUNT (sizeof AGENT_FIELDS / sizeof AGENT_FIELDS[0])
_Static_assert(AGENT_FIELD_COUNT == 30, "30 published text fields besides id and limite");

static int agent_field_index(const char *name) {
    for (size_t i = 0; i < AGENT_FIELD_COUNT; i++)
        if (strcmp(AGENT_FIELDS[i].wire, name) == 0) return (int)i;
    return -1;
}

/* U2 against the sandbox: every published field through its getter, the
 * same texts by name and by iteration, the numbers, the secrets out of reach. */
static void test_agent_profile(void) {
    tb_ucontact_client *c =
        new_ucontact(g_ucontact_url, UC_AGENT, UC_AGENT_PASS, TB_UCONTACT_LOGIN_AGENT);
    long logins = sandbox_stat("ucontact.AgentLogin");
    tb_agent_profile *p = NULL;
    CHECK_OK(tb_ucontact_agent_login(c, &p));
    CHECK(p != NULL);
    CHECK(sandbox_stat("ucontact.AgentLogin") == logins + 1);
    if (!p) {
        tb_ucontact_client_free(c);
        return;
    }
    /* The profile's token is the one the client cached. */
    char *raw = NULL;
    CHECK_OK(tb_ucontact_token(c, &raw));
    char *token = take(raw);
    CHECK(token && strlen(token) > 10);
    CHECK_TEXT(tb_agent_profile_token(p, &lt, &ln), token);

    /* What the sandbox sends (src/sandbox/ucontact.rs). */
    CHECK_TEXT(tb_agent_profile_get(p, "id", &lt, &ln), "1001");
    CHECK_TEXT(tb_agent_profile_name(p, &lt, &ln), "agent1");
    CHECK_TEXT(tb_agent_profile_host(p, &lt, &ln), "dynamic");
    CHECK_TEXT(tb_agent_profile_nat(p, &lt, &ln), "force_rport,comedia");
    CHECK_TEXT(tb_agent_profile_type(p, &lt, &ln), "friend");
    CHECK_TEXT(tb_agent_profile_callerid(p, &lt, &ln), "\"Agent One\" <1001>");
    CHECK_TEXT(tb_agent_profile_mailbox(p, &lt, &ln), "1001@default");
    CHECK_TEXT(tb_agent_profile_allow(p, &lt, &ln), "ulaw;alaw;opus");
    CHECK_TEXT(tb_agent_profile_port(p, &lt, &ln), "5060");
    CHECK_TEXT(tb_agent_profile_defaultuser(p, &lt, &ln), "agent1");
    CHECK_TEXT(tb_agent_profile_email(p, &lt, &ln), "agent1@sandbox.invalid");
    CHECK_TEXT(tb_agent_profile_did(p, &lt, &ln), "+59820001001");
    CHECK_TEXT(tb_agent_profile_fullname(p, &lt, &ln), "Agent One");
    CHECK_TEXT(tb_agent_profile_loglevel(p, &lt, &ln), "info");
    CHECK_TEXT(tb_agent_profile_get(p, "limite", &lt, &ln), "2");
    /* Sent empty: an empty text, not NULL. */
    CHECK_TEXT(tb_agent_profile_outboundproxy(p, &lt, &ln), "");
    CHECK(lt != NULL && ln == 0);
    /* The length is optional. */
    lt = NULL;
    CHECK_OK(tb_agent_profile_name(p, &lt, NULL));
    CHECK(lt && strcmp(lt, "agent1") == 0);

    /* The numbers. */
    int64_t n = -7;
    CHECK_OK(tb_agent_profile_id(p, &n));
    CHECK(n == 1001);
    n = -7;
    CHECK_OK(tb_agent_profile_limite(p, &n));
    CHECK(n == 2);
    n = -7;
    CHECK_NULL_ARG(tb_agent_profile_id(p, NULL), "out");
    CHECK_NULL_ARG(tb_agent_profile_limite(p, NULL), "out");
    CHECK_NULL_ARG(tb_agent_profile_id(NULL, &n), "profile");
    CHECK_NULL_ARG(tb_agent_profile_limite(NULL, &n), "profile");
    CHECK(n == -7);

    /* Every published field: sent by the sandbox, the same lent text by its getter and
     * by wire name (one copy per field, so the same pointer). */
    for (size_t f = 0; f < AGENT_FIELD_COUNT; f++) {
        const char *by_getter = SENTINEL, *by_name = SENTINEL;
        size_t getter_len = 77, name_len = 77;
        CHECK_OK(AGENT_FIELDS[f].get(p, &by_getter, &getter_len));
        CHECK_OK(tb_agent_profile_get(p, AGENT_FIELDS[f].wire, &by_name, &name_len));
        report(by_getter && by_getter != SENTINEL && by_getter == by_name &&
                   getter_len == name_len && strlen(by_getter) == getter_len,
               __FILE__, __LINE__, "field `%s`: by getter %p (%zu), by name %p (%zu)",
               AGENT_FIELDS[f].wire, (const void *)by_getter, getter_len, (const void *)by_name,
               name_len);
    }
    /* By name: the exact case; the SIP secrets and unknown names are NULL. */
    CHECK_TEXT(tb_agent_profile_get(p, "LogLevel", &lt, &ln), "info");
    CHECK_TEXT(tb_agent_profile_get(p, "loglevel", &lt, &ln), NULL);
    CHECK_TEXT(tb_agent_profile_get(p, "Name", &lt, &ln), NULL);
    CHECK_TEXT(tb_agent_profile_get(p, "secret", &lt, &ln), NULL);
    CHECK_TEXT(tb_agent_profile_get(p, "md5secret", &lt, &ln), NULL);
    CHECK_TEXT(tb_agent_profile_get(p, "no-such-field", &lt, &ln), NULL);
    /* TB_ABSENT is no failure: nothing is recorded as the last error. */
    CHECK(tb_last_error_status() == TB_OK && tb_last_error_message() == NULL &&
          tb_last_error_parameter() == NULL);
    CHECK_TEXT(tb_agent_profile_get(p, "", &lt, &ln), NULL);
    CHECK_NULL_ARG(tb_agent_profile_get(p, NULL, &lt, &ln), "name");
    CHECK_UTF8_ARG(tb_agent_profile_get(p, BAD_UTF8, &lt, &ln), "name");
    CHECK_NULL_ARG(tb_agent_profile_callerid(NULL, &lt, &ln), "profile");
    CHECK_NULL_ARG(tb_agent_profile_callerid(p, NULL, &ln), "out");

    /* Iteration: the 32 published fields once each (the sandbox sends 34: not
     * `secret`, not `md5secret`), each value the getter's. */
    size_t count = tb_agent_profile_field_count(p);
    CHECK(count == 32);
    int seen[AGENT_FIELD_COUNT + 2] = {0}; /* the text fields, then id and limite */
    const char *previous = NULL;
    for (size_t i = 0; i < count && i < 64; i++) {
        const char *name = NULL, *value = NULL, *by_name = NULL;
        size_t name_len = 77, value_len = 77;
        CHECK_OK(tb_agent_profile_field_at(p, i, &name, &name_len, &value, &value_len));
        if (!name || !value) continue;
        /* Sorted by name, byte order (strcmp's). */
        report(!previous || strcmp(previous, name) < 0, __FILE__, __LINE__,
               "field_at(%zu) `%s` after `%s`", i, name, previous ? previous : "");
        previous = name;
        CHECK(strlen(name) == name_len && strlen(value) == value_len);
        CHECK(!contains(name, "secret") && !contains(value, "sip-agent1-secret"));
        int k = agent_field_index(name);
        if (strcmp(name, "id") == 0) k = AGENT_FIELD_COUNT;
        if (strcmp(name, "limite") == 0) k = AGENT_FIELD_COUNT + 1;
        report(k >= 0, __FILE__, __LINE__, "field_at(%zu): `%s` is not a published field", i, name);
        if (k >= 0) seen[k]++;
        CHECK_OK(tb_agent_profile_get(p, name, &by_name, NULL));
        CHECK(by_name == value);
    }
    for (size_t k = 0; k < AGENT_FIELD_COUNT + 2; k++)
        report(seen[k] == 1, __FILE__, __LINE__, "`%s` seen %d times",
               k < AGENT_FIELD_COUNT ? AGENT_FIELDS[k].wire : k == AGENT_FIELD_COUNT ? "id" : "limite",
               seen[k]);
    /* The lengths are optional; past the last is an error naming `index`. */
    const char *name = SENTINEL, *value = SENTINEL;
    CHECK_OK(tb_agent_profile_field_at(p, 0, &name, NULL, &value, NULL));
    CHECK(name != SENTINEL && value != SENTINEL);
    name = value = SENTINEL;
    CHECK_ARG(tb_agent_profile_field_at(p, count, &name, NULL, &value, NULL), "index",
              "32 is past the last one (there are 32)");
    char reason[96];
    snprintf(reason, sizeof reason, "%zu is past the last one (there are 32)", (size_t)SIZE_MAX);
    CHECK_ARG(tb_agent_profile_field_at(p, SIZE_MAX, &name, NULL, &value, NULL), "index", reason);
    CHECK(name == SENTINEL && value == SENTINEL);
    CHECK(tb_agent_profile_field_count(NULL) == 0);

    /* The escape hatch: JSON without the SIP secrets. */
    CHECK_TEXT_STARTS(tb_agent_profile_raw_json(p, &lt, &ln), "{");
    CHECK(ln > 100 && lt[ln - 1] == '}');
    CHECK(!contains(lt, "secret") && !contains(lt, "sip-agent1-secret"));
    CHECK(contains(lt, token));

    /* Lent texts stay as they were until the profile is freed: a second login (a new
     * session, a new profile) changes nothing in the first. */
    const char *first_token = NULL, *first_name = NULL, *first_raw = NULL;
    size_t first_token_len = 0, first_raw_len = 0;
    CHECK_OK(tb_agent_profile_token(p, &first_token, &first_token_len));
    CHECK_OK(tb_agent_profile_name(p, &first_name, NULL));
    CHECK_OK(tb_agent_profile_raw_json(p, &first_raw, &first_raw_len));
    char *raw_copy = copy_lent(first_raw, first_raw_len);
    tb_agent_profile *second = NULL;
    CHECK_OK(tb_ucontact_agent_login(c, &second));
    raw = NULL;
    CHECK_OK(tb_ucontact_token(c, &raw));
    char *second_token = take(raw);
    CHECK_TEXT(tb_agent_profile_token(second, &lt, &ln), second_token);
    CHECK(second_token && token && strcmp(second_token, token) != 0);
    tb_agent_profile_free(second);
    free(second_token);
    CHECK(first_token && token && first_token_len == strlen(token) &&
          memcmp(first_token, token, first_token_len) == 0);
    CHECK(first_name && strcmp(first_name, "agent1") == 0);
    CHECK(first_raw && strlen(first_raw) == first_raw_len && strcmp(first_raw, raw_copy) == 0);
    /* Asking again lends the same text. */
    CHECK_OK(tb_agent_profile_token(p, &lt, NULL));
    CHECK(lt == first_token);
    free(raw_copy);
    free(token);
    tb_agent_profile_free(p);

    /* A wrong password: TB_REJECTED, nothing written. */
    tb_ucontact_client_free(c);
    c = new_ucontact(g_ucontact_url, UC_AGENT, "nope-nope", TB_UCONTACT_LOGIN_AGENT);
    p = (tb_agent_profile *)SENTINEL;
    CHECK_ERROR(tb_ucontact_agent_login(c, &p), TB_REJECTED, "uContact AgentLogin");
    CHECK(p == (tb_agent_profile *)SENTINEL);
    CHECK(!contains(last_message(), "nope-nope"));
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

    /* The generic call: a form in the order given, Basic token. The sandbox echoes
     * what it received (its JSON, read here as the raw body of a generic response). */
    static const char *const dialer_form[] = {"campaign", "Sales", "phone", "+598 99 123 456", NULL};
    uint16_t status = 0;
    char *body = NULL;
    CHECK_OK(send_call(UCONTACT, c, "POST", "Integra/resources/Dialers/DialerTask", dialer_form,
                       NULL, &status, &body));
    CHECK(status == 200);
    CHECK(contains(body, "\"campaign\":\"Sales\""));
    CHECK(contains(body, "\"phone\":\"+598 99 123 456\""));
    CHECK(contains(body, "\"user\":\"apiuser\""));
    free(body);
    body = NULL;
    CHECK_OK(send_call(UCONTACT, c, "post", "Integra/resources/Dialers/DialerTask", NULL, NULL,
                       &status, &body));
    CHECK(status == 200);
    free(body);

    /* A request that cannot be built is refused before anything is sent. */
    char *s = SENTINEL;
    tb_request *req = (tb_request *)SENTINEL;
    CHECK_ARG(tb_request_new("FETCH", "x", &req), "method", "`FETCH` is not one of");
    CHECK_ARG(tb_request_new("GET", "https://evil.example/steal", &req), "path",
              "`https://evil.example/steal` must be a path");
    CHECK_ARG(tb_request_new("GET", "", &req), "path", "must not be empty");
    CHECK(req == (tb_request *)SENTINEL);
    CHECK_OK(tb_request_new("POST", "x", &req));
    CHECK_ARG(tb_request_set_json(req, "{\"password\": \"hunter2"), "json", "is not valid JSON");
    CHECK(!contains(t_message, "hunter2"));
    tb_request_free(req);

    /* A token from elsewhere: refused by the server, so one new login, then 200. */
    long logins = sandbox_stat("ucontact.getUserToken");
    CHECK_OK(tb_ucontact_set_token(c, "bm90LWEtc2Vzc2lvbg=="));
    CHECK_OK(send_call(UCONTACT, c, "POST", "Integra/resources/Dialers/DialerTask", NULL, NULL,
                       &status, &body));
    CHECK(status == 200);
    free(body);
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
    status = 7;
    CHECK_STATUS(send_call(UCONTACT, c, "POST", "Integra/resources/Dialers/DialerTask", NULL, NULL,
                           &status, &s),
                 TB_REJECTED);
    CHECK_STATUS(tb_ucontact_token(c, &s), TB_REJECTED);
    CHECK(s == SENTINEL && status == 7);
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
    tb_request *req = NULL;
    tb_response *resp = (tb_response *)SENTINEL;
    CHECK_OK(tb_request_new("GET", "wallet/balance", &req));
    CHECK_NULL_ARG(tb_yativo_login(NULL, &s, &exp), "c");
    CHECK_NULL_ARG(tb_yativo_refresh_token(NULL, &s, &exp), "c");
    CHECK_NULL_ARG(tb_yativo_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_yativo_set_token(NULL, "t", 0), "c");
    CHECK_NULL_ARG(tb_yativo_send(NULL, req, &resp), "c");

    y = new_yativo(g_yativo_url, YA_SECRET);
    long logins = sandbox_stat("yativo.login");
    CHECK_NULL_ARG(tb_yativo_login(y, NULL, &exp), "out_access_token");
    CHECK_NULL_ARG(tb_yativo_refresh_token(y, NULL, &exp), "out_access_token");
    CHECK_NULL_ARG(tb_yativo_token(y, NULL), "out_token");
    CHECK_NULL_ARG(tb_yativo_set_token(y, NULL, 0), "token");
    CHECK_UTF8_ARG(tb_yativo_set_token(y, BAD_UTF8, 0), "token");
    CHECK_ARG(tb_yativo_set_token(y, "t", -1), "expires_at", "-1 is not a time");
    CHECK_NULL_ARG(tb_yativo_send(y, NULL, &resp), "request");
    CHECK_NULL_ARG(tb_yativo_send(y, req, NULL), "out");
    CHECK(s == SENTINEL && exp == -7 && st == 7 && resp == (tb_response *)SENTINEL);
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
    CHECK_OK(send_call(YATIVO, y, "GET", "wallet/balance", NULL, NULL, &status, &body));
    CHECK(status == 200);
    CHECK(contains(body, "\"balances\""));
    CHECK(contains(body, "acct-sandbox"));
    free(body);
    /* Any status but 401 comes back as TB_OK. */
    body = NULL;
    CHECK_OK(send_call(YATIVO, y, "PUT", "wallet/balance", NULL, "{\"b\": [1, 2], \"a\": null}",
                       &status, &body));
    CHECK(status >= 400 && status != 401);
    free(body);
    body = NULL;
    CHECK_OK(send_call(YATIVO, y, "DELETE", "no/such/thing", NULL, NULL, &status, &body));
    CHECK(status == 404);
    free(body);

    /* A token set from elsewhere; a revoked one is replaced by a new login. */
    CHECK_OK(tb_yativo_set_token(y, first, 0));
    CHECK_OK(tb_yativo_set_token(y, first, now_unix() + 3600));
    logins = sandbox_stat("yativo.login");
    body = NULL;
    CHECK_OK(send_call(YATIVO, y, "GET", "wallet/balance", NULL, NULL, &status, &body));
    CHECK(status == 200);
    free(body);
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
    CHECK_STATUS(tb_yativo_send(y, req, &resp), TB_REJECTED);
    CHECK(s == SENTINEL && exp == -7 && resp == (tb_response *)SENTINEL);
    tb_request_free(req);
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
    CHECK_NULL_ARG(tb_anna_client_new(cfg, u, "h", "u", NULL, &c), "password");
    CHECK_UTF8_ARG(tb_anna_client_new(cfg, u, "h", "u", BAD_UTF8, &c), "password");
    CHECK_NULL_ARG(tb_anna_client_new(cfg, u, "h", "u", "p", NULL), "out");
    CHECK_ARG(tb_anna_client_new(cfg, "http://", "h", "u", "p", &c), "base_url", "");
    CHECK(c == (tb_anna_client *)SENTINEL);
    tb_config_free(cfg);

    char *s = SENTINEL;
    int64_t exp = -7;
    uint64_t n = 77;
    tb_access_data *d = (tb_access_data *)SENTINEL;
    tb_messenger_structure *st = (tb_messenger_structure *)SENTINEL;
    tb_messenger_requests *l = (tb_messenger_requests *)SENTINEL;
    tb_response *resp = (tb_response *)SENTINEL;
    tb_request *req = NULL;
    CHECK_OK(tb_request_new("POST", "REST/AnnACorporate/Ping", &req));
    CHECK_NULL_ARG(tb_anna_get_token(NULL, &s, &exp), "c");
    CHECK_NULL_ARG(tb_anna_user_hash(NULL, "42", NULL, &d), "c");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(NULL, "42", "n", NULL, &d), "c");
    CHECK_NULL_ARG(tb_anna_inactivate_user(NULL, "42", &s), "c");
    CHECK_NULL_ARG(tb_anna_messenger_structure(NULL, &st), "c");
    CHECK_NULL_ARG(tb_anna_messenger_alert_counter(NULL, "42", NULL, NULL, NULL, &n), "c");
    CHECK_NULL_ARG(tb_anna_messenger_requests(NULL, "42", NULL, NULL, NULL, &l), "c");
    CHECK_NULL_ARG(tb_anna_messenger_link(NULL, "42", NULL, NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_token(NULL, &s), "c");
    CHECK_NULL_ARG(tb_anna_set_token(NULL, "t", 0), "c");
    CHECK_NULL_ARG(tb_anna_send(NULL, req, &resp), "c");

    /* Out-pointers. */
    CHECK_NULL_ARG(tb_anna_get_token(a, NULL, &exp), "out_token");
    CHECK_NULL_ARG(tb_anna_user_hash(a, "42", NULL, NULL), "out");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(a, "42", "n", NULL, NULL), "out");
    CHECK_NULL_ARG(tb_anna_messenger_structure(a, NULL), "out");
    CHECK_NULL_ARG(tb_anna_messenger_alert_counter(a, "42", NULL, NULL, NULL, NULL), "out_count");
    CHECK_NULL_ARG(tb_anna_messenger_requests(a, "42", NULL, NULL, NULL, NULL), "out");
    CHECK_NULL_ARG(tb_anna_messenger_link(a, "42", NULL, NULL, NULL), "out_link");
    CHECK_NULL_ARG(tb_anna_token(a, NULL), "out_token");
    CHECK_NULL_ARG(tb_anna_send(a, NULL, &resp), "request");
    CHECK_NULL_ARG(tb_anna_send(a, req, NULL), "out");
    tb_request_free(req);

    /* String arguments. */
    CHECK_NULL_ARG(tb_anna_user_hash(a, NULL, NULL, &d), "user_id");
    CHECK_UTF8_ARG(tb_anna_user_hash(a, BAD_UTF8, NULL, &d), "user_id");
    CHECK_UTF8_ARG(tb_anna_user_hash(a, "42", BAD_UTF8, &d), "start_service");
    CHECK_ARG(tb_anna_user_hash(a, " ", NULL, &d), "user_id", "must not be empty");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(a, NULL, "n", NULL, &d), "user_id");
    CHECK_UTF8_ARG(tb_anna_user_hash_forced(a, BAD_UTF8, "n", NULL, &d), "user_id");
    CHECK_NULL_ARG(tb_anna_user_hash_forced(a, "42", NULL, NULL, &d), "user_name");
    CHECK_UTF8_ARG(tb_anna_user_hash_forced(a, "42", BAD_UTF8, NULL, &d), "user_name");
    CHECK_UTF8_ARG(tb_anna_user_hash_forced(a, "42", "n", BAD_UTF8, &d), "start_service");
    CHECK_ARG(tb_anna_user_hash_forced(a, "42", "", NULL, &d), "user_name", "must not be empty");
    CHECK_NULL_ARG(tb_anna_inactivate_user(a, NULL, &s), "user_id");
    CHECK_UTF8_ARG(tb_anna_inactivate_user(a, BAD_UTF8, &s), "user_id");
    CHECK_NULL_ARG(tb_anna_set_token(a, NULL, 0), "token");
    CHECK_UTF8_ARG(tb_anna_set_token(a, BAD_UTF8, 0), "token");
    CHECK_ARG(tb_anna_set_token(a, "", 0), "token", "must not be empty");
    CHECK_ARG(tb_anna_set_token(a, "t", INT64_MAX), "expires_at", "");

    /* User selection of A6-A8, for each of the three calls. */
    for (int op = 0; op < 3; op++) {
#define SELECT(id, type, value)                                                            \
    (op == 0   ? tb_anna_messenger_alert_counter(a, (id), (type), (value), NULL, &n)      \
     : op == 1 ? tb_anna_messenger_requests(a, (id), (type), (value), NULL, &l)           \
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
    CHECK(s == SENTINEL && exp == -7 && n == 77);
    CHECK(d == (tb_access_data *)SENTINEL && st == (tb_messenger_structure *)SENTINEL &&
          l == (tb_messenger_requests *)SENTINEL && resp == (tb_response *)SENTINEL);
}

/* The messenger filter's setters: what they refuse, naming the argument, and that a
 * refusal leaves the filter as it was (checked against the sandbox in test_anna). */
static void test_filter_setters(void) {
    tb_messenger_filter *f = tb_messenger_filter_new();
    CHECK(f != NULL);
    if (!f) return;
    /* NULL filter, for every setter. */
    CHECK_NULL_ARG(tb_messenger_filter_set_department_alias(NULL, "x"), "filter");
    CHECK_NULL_ARG(tb_messenger_filter_set_channel_alias(NULL, "x"), "filter");
    CHECK_NULL_ARG(tb_messenger_filter_set_date_from(NULL, 2024, 1, 1), "filter");
    CHECK_NULL_ARG(tb_messenger_filter_set_date_to(NULL, 2024, 1, 1), "filter");
    CHECK_NULL_ARG(tb_messenger_filter_set_status(NULL, TB_MESSENGER_STATUS_OPEN), "filter");
    CHECK_NULL_ARG(tb_messenger_filter_set_pending(NULL, TB_MESSENGER_PENDING_YES), "filter");

    /* Aliases: NULL and "" mean any; invalid UTF-8 is refused. */
    CHECK_OK(tb_messenger_filter_set_department_alias(f, "financeiro"));
    CHECK_OK(tb_messenger_filter_set_department_alias(f, NULL));
    CHECK_OK(tb_messenger_filter_set_department_alias(f, ""));
    CHECK_UTF8_ARG(tb_messenger_filter_set_department_alias(f, BAD_UTF8), "alias");
    CHECK_OK(tb_messenger_filter_set_channel_alias(f, "whatsapp"));
    CHECK_OK(tb_messenger_filter_set_channel_alias(f, NULL));
    CHECK_UTF8_ARG(tb_messenger_filter_set_channel_alias(f, BAD_UTF8), "alias");

    /* Impossible dates name the part that is wrong. */
    static const struct {
        int32_t y, m, d;
        const char *param, *reason;
    } bad[] = {
        {2024, 2, 30, "day", "2024-02 has no day 30"},
        {2023, 2, 29, "day", "2023-02 has no day 29"},
        {2024, 4, 31, "day", "2024-04 has no day 31"},
        {2024, 1, 0, "day", "2024-01 has no day 0"},
        {2024, 1, -1, "day", "2024-01 has no day -1"},
        {2024, 13, 1, "month", "13 is not between 1 and 12"},
        {2024, 0, 1, "month", "0 is not between 1 and 12"},
        {2024, -1, 1, "month", "-1 is not between 1 and 12"},
        {0, 1, 1, "year", "0 is not between 1 and 9999"},
        {10000, 1, 1, "year", "10000 is not between 1 and 9999"},
        {-2024, 1, 1, "year", "-2024 is not between 1 and 9999"},
        {INT32_MAX, INT32_MAX, INT32_MAX, "year", "2147483647 is not between 1 and 9999"},
        {0, 0, 1, "year", "0 is not between 1 and 9999"}, /* only 0, 0, 0 clears */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ARG(tb_messenger_filter_set_date_from(f, bad[i].y, bad[i].m, bad[i].d), bad[i].param,
                  bad[i].reason);
        CHECK_ARG(tb_messenger_filter_set_date_to(f, bad[i].y, bad[i].m, bad[i].d), bad[i].param,
                  bad[i].reason);
    }
    CHECK_OK(tb_messenger_filter_set_date_from(f, 2024, 2, 29)); /* a leap day */
    CHECK_OK(tb_messenger_filter_set_date_from(f, 1, 1, 1));
    CHECK_OK(tb_messenger_filter_set_date_to(f, 9999, 12, 31));
    /* The order of the two days. */
    CHECK_OK(tb_messenger_filter_set_date_to(f, 2024, 1, 1));
    CHECK_ARG(tb_messenger_filter_set_date_from(f, 2024, 6, 1), "date_from",
              "2024-06-01 is after the filter's date_to 2024-01-01");
    CHECK_OK(tb_messenger_filter_set_date_from(f, 2024, 1, 1)); /* the same day is fine */
    CHECK_ARG(tb_messenger_filter_set_date_to(f, 2023, 12, 31), "date_to",
              "2023-12-31 is before the filter's date_from 2024-01-01");
    /* 0, 0, 0 clears a bound, and then the other may move past it. */
    CHECK_OK(tb_messenger_filter_set_date_to(f, 0, 0, 0));
    CHECK_OK(tb_messenger_filter_set_date_from(f, 2030, 1, 1));
    CHECK_OK(tb_messenger_filter_set_date_from(f, 0, 0, 0));

    /* Enums. */
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_OPEN));
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_CLOSED));
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_NONE));
    CHECK_ARG(tb_messenger_filter_set_status(f, (tb_messenger_status)3), "status",
              "3 is not a tb_messenger_status");
    CHECK_ARG(tb_messenger_filter_set_status(f, (tb_messenger_status)-1), "status",
              "-1 is not a tb_messenger_status");
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_YES));
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_NO));
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_NONE));
    CHECK_ARG(tb_messenger_filter_set_pending(f, (tb_messenger_pending)3), "pending",
              "3 is not a tb_messenger_pending");
    CHECK_ARG(tb_messenger_filter_set_pending(f, (tb_messenger_pending)INT32_MIN), "pending",
              "-2147483648 is not a tb_messenger_pending");
    tb_messenger_filter_free(f);
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* A2/A3 access data through its accessors: the hash, the URLs that carry it (the
 * sandbox builds them as {url}/anna/chat/{id}?hash={hash}[&service=..]), the expiry
 * as numbers equal to the raw digits (the sandbox writes now + 1 day, UTC). */
static void check_access_data(const tb_access_data *d, const char *user, const char *service) {
    const char *hash = NULL;
    size_t hash_len = 0;
    CHECK_OK(tb_access_data_hash(d, &hash, &hash_len));
    CHECK(hash && hash_len == 40 && strlen(hash) == 40 && strspn(hash, "0123456789abcdef") == 40);
    if (!hash) return;
    char want[512];
    snprintf(want, sizeof want, "%s/anna/chat/%s?hash=%s%s%s", g_url, user, hash,
             service ? "&service=" : "", service ? service : "");
    CHECK_TEXT(tb_access_data_chat_url(d, &lt, &ln), want);
    snprintf(want, sizeof want, "%s/anna/embedded/%s?hash=%s", g_url, user, hash);
    CHECK_TEXT(tb_access_data_embedded_url(d, &lt, &ln), want);

    const char *raw = NULL;
    size_t raw_len = 0;
    CHECK_OK(tb_access_data_expires_raw(d, &raw, &raw_len));
    CHECK(raw && raw_len == 14 && strlen(raw) == 14 && strspn(raw, "0123456789") == 14);
    tb_datetime when = {-1, -1, -1, -1, -1, -1};
    CHECK_OK(tb_access_data_expires(d, &when));
    int y = 0, mo = 0, da = 0, h = -1, mi = -1, se = -1;
    CHECK(raw && sscanf(raw, "%4d%2d%2d%2d%2d%2d", &y, &mo, &da, &h, &mi, &se) == 6);
    CHECK(when.year == y && when.month == mo && when.day == da && when.hour == h &&
          when.minute == mi && when.second == se);
    int64_t at = days_from_civil(when.year, when.month, when.day) * 86400 + when.hour * 3600 +
                 when.minute * 60 + when.second;
    int64_t tomorrow = now_unix() + 86400;
    report(at > tomorrow - 300 && at <= tomorrow + 5, __FILE__, __LINE__,
           "expires %04d-%02d-%02d %02d:%02d:%02d is not about a day from now", when.year,
           when.month, when.day, when.hour, when.minute, when.second);

    /* The escape hatch: the accessData object (it holds the hash). */
    CHECK_TEXT_STARTS(tb_access_data_raw_json(d, &lt, &ln), "{\"");
    CHECK(ln > 0 && lt && lt[ln - 1] == '}' && contains(lt, hash) && contains(lt, raw));
}

/* The messenger requests of user 42 in the sandbox (src/sandbox/anna.rs), as the
 * named accessors give them. */
static const struct expected_request {
    const char *protocol, *department, *department_alias, *channel, *channel_alias,
        *description, *opened_at, *status, *pending_text;
    tb_messenger_status kind;
    tb_messenger_pending pending;
} SANDBOX_REQUESTS[] = {
    {"2024000101", "Financeiro", "financeiro", "WhatsApp", "whatsapp", "Segunda via de boleto",
     "15/03/2024 09:30:00", "A", "S", TB_MESSENGER_STATUS_OPEN, TB_MESSENGER_PENDING_YES},
    {"2024000102", "Suporte", "suporte", "Chat", "chat", "Troca de senha", "02/05/2024 09:30:00",
     "A", "N", TB_MESSENGER_STATUS_OPEN, TB_MESSENGER_PENDING_NO},
    {"2023000087", "Financeiro", "financeiro", "E-mail", "email", "Reembolso",
     "20/11/2023 09:30:00", "E", "N", TB_MESSENGER_STATUS_CLOSED, TB_MESSENGER_PENDING_NO},
};

/* Request `i` of the list is the sandbox's request `want` (every named accessor,
 * the getter by wire name, the fields by iteration). */
static void check_request(const tb_messenger_requests *l, size_t i, size_t want) {
    const struct expected_request *e = &SANDBOX_REQUESTS[want];
    CHECK_TEXT(tb_messenger_requests_protocol(l, i, &lt, &ln), e->protocol);
    CHECK_TEXT(tb_messenger_requests_department(l, i, &lt, &ln), e->department);
    CHECK_TEXT(tb_messenger_requests_channel(l, i, &lt, &ln), e->channel);
    CHECK_TEXT(tb_messenger_requests_description(l, i, &lt, &ln), e->description);
    CHECK_TEXT(tb_messenger_requests_opened_at(l, i, &lt, &ln), e->opened_at);
    CHECK_TEXT(tb_messenger_requests_status_raw(l, i, &lt, &ln), e->status);
    char link[512];
    snprintf(link, sizeof link, "%s/anna/messenger/42/%s", g_url, e->protocol);
    CHECK_TEXT(tb_messenger_requests_link(l, i, &lt, &ln), link);
    tb_messenger_status kind = (tb_messenger_status)-9;
    CHECK_OK(tb_messenger_requests_status(l, i, &kind));
    CHECK(kind == e->kind);
    tb_messenger_pending pending = (tb_messenger_pending)-9;
    CHECK_OK(tb_messenger_requests_pending(l, i, &pending));
    CHECK(pending == e->pending);
    /* By wire name (exact case), also the fields no named accessor reads. */
    CHECK_TEXT(tb_messenger_requests_get(l, i, "DepartmentAlias", &lt, &ln), e->department_alias);
    CHECK_TEXT(tb_messenger_requests_get(l, i, "ChannelAlias", &lt, &ln), e->channel_alias);
    CHECK_TEXT(tb_messenger_requests_get(l, i, "Pending", &lt, &ln), e->pending_text);
    CHECK_TEXT(tb_messenger_requests_get(l, i, "Protocol", &lt, &ln), e->protocol);
    CHECK_TEXT(tb_messenger_requests_get(l, i, "protocol", &lt, &ln), NULL);
    CHECK_TEXT(tb_messenger_requests_get(l, i, "NoSuchField", &lt, &ln), NULL);
    /* The named accessor and the getter lend the same text. */
    const char *named = NULL, *by_name = NULL;
    CHECK_OK(tb_messenger_requests_description(l, i, &named, NULL));
    CHECK_OK(tb_messenger_requests_get(l, i, "Description", &by_name, NULL));
    CHECK(named && by_name && strcmp(named, by_name) == 0);
    /* Iteration: the sandbox's ten fields, each the getter's text. */
    static const char *const names[] = {"Protocol", "Department", "DepartmentAlias", "Channel",
                                        "ChannelAlias", "Description", "OpeningDate", "Status",
                                        "Pending", "Link"};
    size_t count = tb_messenger_requests_field_count(l, i);
    CHECK(count == 10);
    int seen[10] = {0};
    const char *previous = NULL;
    for (size_t k = 0; k < count && k < 32; k++) {
        const char *name = NULL, *value = NULL, *got = NULL;
        size_t name_len = 77, value_len = 77;
        CHECK_OK(tb_messenger_requests_field_at(l, i, k, &name, &name_len, &value, &value_len));
        if (!name || !value) continue;
        report(!previous || strcmp(previous, name) < 0, __FILE__, __LINE__,
               "request %zu: field_at(%zu) `%s` after `%s`", i, k, name, previous ? previous : "");
        previous = name;
        CHECK(strlen(name) == name_len && strlen(value) == value_len);
        for (size_t j = 0; j < 10; j++)
            if (strcmp(names[j], name) == 0) seen[j]++;
        CHECK_OK(tb_messenger_requests_get(l, i, name, &got, NULL));
        CHECK(got == value);
    }
    for (size_t j = 0; j < 10; j++)
        report(seen[j] == 1, __FILE__, __LINE__, "request %zu: `%s` seen %d times", i, names[j],
               seen[j]);
    const char *name = SENTINEL, *value = SENTINEL;
    CHECK_ARG(tb_messenger_requests_field_at(l, i, count, &name, NULL, &value, NULL), "field",
              "10 is past the last one (there are 10)");
    CHECK(name == SENTINEL && value == SENTINEL);
}

/* The protocols of a list, in order, joined by spaces ("" for none), as the
 * protocol accessor gives them. */
static void protocols(const tb_messenger_requests *l, char *buf, size_t size) {
    buf[0] = '\0';
    size_t n = tb_messenger_requests_count(l);
    for (size_t i = 0; i < n && i < 16; i++) {
        const char *p = NULL;
        CHECK_OK(tb_messenger_requests_protocol(l, i, &p, NULL));
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used ? " " : "", p ? p : "(none)");
    }
}

/* A7 with `filter`: the protocols of what came back. */
static void check_requests_filtered(tb_anna_client *a, const tb_messenger_filter *filter,
                                    const char *want, int line) {
    tb_messenger_requests *l = NULL;
    char got[256] = "";
    tb_status s = tb_anna_messenger_requests(a, "42", NULL, NULL, filter, &l);
    report(s == TB_OK, __FILE__, line, "tb_anna_messenger_requests: %s (%s)", tb_status_name(s),
           last_message());
    if (s == TB_OK) protocols(l, got, sizeof got);
    report(strcmp(got, want) == 0, __FILE__, line, "filtered requests: \"%s\", wanted \"%s\"", got,
           want);
    tb_messenger_requests_free(l);
}
#define CHECK_REQUESTS(a, filter, want) check_requests_filtered((a), (filter), (want), __LINE__)

/* A6 with `filter`. */
static void check_counter(tb_anna_client *a, const tb_messenger_filter *filter, uint64_t want,
                          int line) {
    uint64_t n = 77;
    tb_status s = tb_anna_messenger_alert_counter(a, "42", NULL, NULL, filter, &n);
    report(s == TB_OK && n == want, __FILE__, line, "alert counter: %s, %" PRIu64 " (wanted %" PRIu64 ")",
           tb_status_name(s), n, want);
}
#define CHECK_COUNTER(a, filter, want) check_counter((a), (filter), (want), __LINE__)

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

    /* A2: the access data through its accessors. */
    tb_access_data *d = NULL;
    CHECK_OK(tb_anna_user_hash(a, "42", NULL, &d));
    check_access_data(d, "42", NULL);
    tb_access_data *with_service = NULL;
    CHECK_OK(tb_anna_user_hash(a, "42", "suporte", &with_service));
    check_access_data(with_service, "42", "suporte");
    /* Each hash is new; the first handle's texts are unchanged by the second call. */
    const char *first_hash = NULL, *second_hash = NULL, *first_url = NULL;
    size_t first_hash_len = 0, first_url_len = 0;
    CHECK_OK(tb_access_data_hash(d, &first_hash, &first_hash_len));
    CHECK_OK(tb_access_data_chat_url(d, &first_url, &first_url_len));
    char *hash_copy = copy_lent(first_hash, first_hash_len);
    char *url_copy = copy_lent(first_url, first_url_len);
    CHECK_OK(tb_access_data_hash(with_service, &second_hash, NULL));
    CHECK(first_hash && second_hash && strcmp(first_hash, second_hash) != 0);
    tb_access_data_free(with_service);
    check_access_data(d, "42", NULL);
    CHECK(first_hash && strcmp(first_hash, hash_copy) == 0 && strlen(first_hash) == first_hash_len);
    CHECK(first_url && strcmp(first_url, url_copy) == 0 && strlen(first_url) == first_url_len);
    lt = NULL;
    CHECK_OK(tb_access_data_hash(d, &lt, NULL));
    CHECK(lt == first_hash); /* the same lent text each time */
    free(hash_copy);
    free(url_copy);
    /* Optional lengths; NULL arguments of the date getter. */
    CHECK_OK(tb_access_data_expires_raw(d, &lt, NULL));
    tb_datetime when = {1, 2, 3, 4, 5, 6};
    CHECK_NULL_ARG(tb_access_data_expires(NULL, &when), "data");
    CHECK_NULL_ARG(tb_access_data_expires(d, NULL), "out");
    CHECK(when.year == 1 && when.second == 6);
    tb_access_data_free(d);

    /* Unknown and inactive users: TB_REJECTED with the vendor's message. */
    d = (tb_access_data *)SENTINEL;
    char *s = SENTINEL;
    CHECK_ERROR(tb_anna_user_hash(a, "999", NULL, &d), TB_REJECTED, "AnnA UserHash");
    CHECK(d == (tb_access_data *)SENTINEL);
    CHECK(tb_last_error_http_status() == 200);
    char *vendor = take(tb_last_error_vendor_message());
    /* The company hash is a credential: scrubbed from what the server said. */
    CHECK(contains(vendor, "999 not found."));
    CHECK(vendor && !contains(vendor, AN_HASH));
    CHECK(!contains(last_message(), AN_HASH));
    free(vendor);
    CHECK_ERROR(tb_anna_user_hash(a, "7", NULL, &d), TB_REJECTED, "is inactive");
    CHECK(d == (tb_access_data *)SENTINEL);

    /* A3, then A4 on a user of our own. */
    d = NULL;
    CHECK_OK(tb_anna_user_hash_forced(a, "c-test-100", "Nova Pessoa", NULL, &d));
    check_access_data(d, "c-test-100", NULL);
    tb_access_data_free(d);
    d = NULL;
    CHECK_OK(tb_anna_user_hash_forced(a, "c-test-100", "Nova Pessoa", "financeiro", &d));
    check_access_data(d, "c-test-100", "financeiro");
    tb_access_data_free(d);
    raw = NULL;
    CHECK_OK(tb_anna_inactivate_user(a, "c-test-100", &raw));
    char *message = take(raw);
    CHECK(contains(message, "c-test-100 inactivated."));
    free(message);
    CHECK_OK(tb_anna_inactivate_user(a, "c-test-100", NULL)); /* the message is optional */
    d = (tb_access_data *)SENTINEL;
    CHECK_ERROR(tb_anna_user_hash(a, "c-test-100", NULL, &d), TB_REJECTED, "inactive");
    CHECK_ERROR(tb_anna_inactivate_user(a, "no-such-user", &s), TB_REJECTED, "not found");
    CHECK(s == SENTINEL && d == (tb_access_data *)SENTINEL);

    /* A5: the structure by index. */
    tb_messenger_structure *st = NULL;
    CHECK_OK(tb_anna_messenger_structure(a, &st));
    CHECK_TEXT(tb_messenger_structure_companies_name(st, &lt, &ln), "Sandbox Company");
    CHECK_TEXT(tb_messenger_structure_companies_hash(st, &lt, &ln), AN_HASH);
    static const struct {
        const char *alias, *name;
        size_t channels;
        const char *channel[2][2];
    } departments[] = {
        {"financeiro", "Financeiro", 2, {{"whatsapp", "WhatsApp"}, {"email", "E-mail"}}},
        {"suporte", "Suporte", 1, {{"chat", "Chat"}}},
    };
    CHECK(tb_messenger_structure_department_count(st) == 2);
    for (size_t i = 0; i < 2; i++) {
        const char *alias = SENTINEL, *name = SENTINEL;
        size_t alias_len = 77, name_len = 77;
        CHECK_OK(tb_messenger_structure_department(st, i, &alias, &alias_len, &name, &name_len));
        CHECK(alias && alias != SENTINEL && strcmp(alias, departments[i].alias) == 0 &&
              alias_len == strlen(departments[i].alias));
        CHECK(name && name != SENTINEL && strcmp(name, departments[i].name) == 0 &&
              name_len == strlen(departments[i].name));
        CHECK(tb_messenger_structure_channel_count(st, i) == departments[i].channels);
        for (size_t k = 0; k < departments[i].channels; k++) {
            alias = name = SENTINEL;
            alias_len = name_len = 77;
            CHECK_OK(tb_messenger_structure_channel(st, i, k, &alias, &alias_len, &name, &name_len));
            CHECK(alias && alias != SENTINEL && strcmp(alias, departments[i].channel[k][0]) == 0 &&
                  alias_len == strlen(alias));
            CHECK(name && name != SENTINEL && strcmp(name, departments[i].channel[k][1]) == 0 &&
                  name_len == strlen(name));
        }
        /* The lengths are optional. */
        CHECK_OK(tb_messenger_structure_channel(st, i, 0, &alias, NULL, &name, NULL));
        CHECK(strcmp(alias, departments[i].channel[0][0]) == 0);
        /* Past the last channel. */
        alias = name = SENTINEL;
        char reason[96];
        snprintf(reason, sizeof reason, "%zu is past the last one (there are %zu)",
                 departments[i].channels, departments[i].channels);
        CHECK_ARG(tb_messenger_structure_channel(st, i, departments[i].channels, &alias, NULL, &name,
                                                 NULL),
                  "channel", reason);
        CHECK(alias == SENTINEL && name == SENTINEL);
    }
    const char *alias = SENTINEL, *name = SENTINEL;
    CHECK_ARG(tb_messenger_structure_department(st, 2, &alias, NULL, &name, NULL), "department",
              "2 is past the last one (there are 2)");
    char reason[96];
    snprintf(reason, sizeof reason, "%zu is past the last one (there are 2)", (size_t)SIZE_MAX);
    CHECK_ARG(tb_messenger_structure_department(st, SIZE_MAX, &alias, NULL, &name, NULL),
              "department", reason);
    CHECK_ARG(tb_messenger_structure_channel(st, 2, 0, &alias, NULL, &name, NULL), "department",
              "2 is past the last one (there are 2)");
    CHECK(alias == SENTINEL && name == SENTINEL);
    CHECK(tb_messenger_structure_channel_count(st, 2) == 0);
    CHECK(tb_messenger_structure_channel_count(st, SIZE_MAX) == 0);
    CHECK(tb_messenger_structure_channel_count(NULL, 0) == 0);
    CHECK(tb_messenger_structure_department_count(NULL) == 0);
    /* The escape hatch. */
    CHECK_TEXT_STARTS(tb_messenger_structure_raw_json(st, &lt, &ln), "{\"");
    CHECK(ln > 0 && lt && lt[ln - 1] == '}' && contains(lt, "Sandbox Company"));
    tb_messenger_structure_free(st);

    /* A6: by id and by document, with filters built by the setters. */
    uint64_t n = 77;
    CHECK_OK(tb_anna_messenger_alert_counter(a, NULL, "CPF", "12345678900", NULL, &n));
    CHECK(n == 1);
    CHECK_COUNTER(a, NULL, 1);
    tb_messenger_filter *f = tb_messenger_filter_new();
    CHECK_COUNTER(a, f, 1); /* a new filter lets everything through */
    CHECK_OK(tb_messenger_filter_set_department_alias(f, "suporte"));
    CHECK_COUNTER(a, f, 0);
    CHECK_OK(tb_messenger_filter_set_department_alias(f, "financeiro"));
    CHECK_OK(tb_messenger_filter_set_channel_alias(f, "whatsapp"));
    CHECK_OK(tb_messenger_filter_set_date_from(f, 2024, 3, 1));
    CHECK_OK(tb_messenger_filter_set_date_to(f, 2024, 3, 31));
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_OPEN));
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_YES));
    CHECK_COUNTER(a, f, 1);
    /* The days are inclusive: the one request was opened on 2024-03-15. */
    CHECK_OK(tb_messenger_filter_set_date_to(f, 2024, 3, 15));
    CHECK_COUNTER(a, f, 1);
    CHECK_OK(tb_messenger_filter_set_date_to(f, 2024, 3, 14));
    CHECK_COUNTER(a, f, 0);
    /* A refused setter leaves the filter as it was (date_to stays 2024-03-14). */
    CHECK_ARG(tb_messenger_filter_set_date_to(f, 2024, 2, 30), "day", "2024-02 has no day 30");
    CHECK_COUNTER(a, f, 0);
    CHECK_OK(tb_messenger_filter_set_date_to(f, 0, 0, 0));
    CHECK_COUNTER(a, f, 1);
    CHECK_OK(tb_messenger_filter_set_date_from(f, 2024, 3, 16));
    CHECK_COUNTER(a, f, 0);
    CHECK_ARG(tb_messenger_filter_set_date_from(f, 2024, 13, 1), "month", "13 is not between");
    CHECK_COUNTER(a, f, 0);
    CHECK_OK(tb_messenger_filter_set_date_from(f, 0, 0, 0));
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_CLOSED));
    CHECK_COUNTER(a, f, 0);
    CHECK_ARG(tb_messenger_filter_set_status(f, (tb_messenger_status)7), "status", "7 is not");
    CHECK_COUNTER(a, f, 0); /* still closed */
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_NONE));
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_NO));
    CHECK_COUNTER(a, f, 0);
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_NONE));
    CHECK_OK(tb_messenger_filter_set_channel_alias(f, "email"));
    CHECK_COUNTER(a, f, 0);
    CHECK_OK(tb_messenger_filter_set_channel_alias(f, NULL));
    CHECK_OK(tb_messenger_filter_set_department_alias(f, ""));
    CHECK_COUNTER(a, f, 1); /* everything cleared again */
    tb_messenger_filter_free(f);
    n = 77;
    CHECK_ERROR(tb_anna_messenger_alert_counter(a, NULL, "CPF", "000", NULL, &n), TB_REJECTED,
                "No user with document CPF 000");
    CHECK(n == 77);

    /* A7: every request through the accessors. */
    tb_messenger_requests *l = NULL;
    CHECK_OK(tb_anna_messenger_requests(a, "42", NULL, NULL, NULL, &l));
    CHECK(tb_messenger_requests_count(l) == 3);
    for (size_t i = 0; i < 3 && i < tb_messenger_requests_count(l); i++) check_request(l, i, i);
    /* Past the last request: every accessor names `index`, nothing is written. */
    {
        const char *out = SENTINEL, *v = SENTINEL;
        size_t out_len = 77;
        tb_messenger_status kind = (tb_messenger_status)-9;
        tb_messenger_pending pending = (tb_messenger_pending)-9;
        const char *reason = "3 is past the last one (there are 3)";
        CHECK_ARG(tb_messenger_requests_department(l, 3, &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_channel(l, 3, &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_description(l, 3, &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_opened_at(l, 3, &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_protocol(l, 3, &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_status_raw(l, 3, &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_link(l, 3, &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_status(l, 3, &kind), "index", reason);
        CHECK_ARG(tb_messenger_requests_pending(l, 3, &pending), "index", reason);
        CHECK_ARG(tb_messenger_requests_get(l, 3, "Protocol", &out, &out_len), "index", reason);
        CHECK_ARG(tb_messenger_requests_field_at(l, 3, 0, &out, NULL, &v, NULL), "index", reason);
        char huge[96];
        snprintf(huge, sizeof huge, "%zu is past the last one (there are 3)", (size_t)SIZE_MAX);
        CHECK_ARG(tb_messenger_requests_protocol(l, SIZE_MAX, &out, &out_len), "index", huge);
        CHECK(out == SENTINEL && v == SENTINEL && out_len == 77 && (int)kind == -9 &&
              (int)pending == -9);
        CHECK(tb_messenger_requests_field_count(l, 3) == 0);
        CHECK(tb_messenger_requests_count(NULL) == 0 && tb_messenger_requests_field_count(NULL, 0) == 0);
    }
    /* The escape hatch: the userRequests array. */
    CHECK_TEXT_STARTS(tb_messenger_requests_raw_json(l, &lt, &ln), "[{");
    CHECK(ln > 0 && lt && lt[ln - 1] == ']' && contains(lt, "2023000087"));
    /* Lent texts outlive other calls (a second list), until the first is freed. */
    const char *first_protocol = NULL;
    CHECK_OK(tb_messenger_requests_protocol(l, 0, &first_protocol, NULL));
    tb_messenger_requests *by_document = NULL;
    f = tb_messenger_filter_new();
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_CLOSED));
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_NO));
    CHECK_OK(tb_anna_messenger_requests(a, NULL, "CPF", "12345678900", f, &by_document));
    tb_messenger_filter_free(f); /* may be freed right after the call */
    CHECK(tb_messenger_requests_count(by_document) == 1);
    if (tb_messenger_requests_count(by_document) == 1) check_request(by_document, 0, 2);
    tb_messenger_requests_free(by_document);
    CHECK(first_protocol && strcmp(first_protocol, "2024000101") == 0);
    tb_messenger_requests_free(l);

    /* Filters change what the sandbox sends. */
    f = tb_messenger_filter_new();
    CHECK_REQUESTS(a, f, "2024000101 2024000102 2023000087");
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_NO));
    CHECK_REQUESTS(a, f, "2024000102 2023000087");
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_YES));
    CHECK_REQUESTS(a, f, "2024000101");
    CHECK_OK(tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_NONE));
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_OPEN));
    CHECK_REQUESTS(a, f, "2024000101 2024000102");
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_CLOSED));
    CHECK_REQUESTS(a, f, "2023000087");
    CHECK_OK(tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_NONE));
    CHECK_OK(tb_messenger_filter_set_department_alias(f, "FINANCEIRO")); /* any case */
    CHECK_REQUESTS(a, f, "2024000101 2023000087");
    CHECK_OK(tb_messenger_filter_set_channel_alias(f, "email"));
    CHECK_REQUESTS(a, f, "2023000087");
    CHECK_OK(tb_messenger_filter_set_department_alias(f, NULL));
    CHECK_OK(tb_messenger_filter_set_channel_alias(f, NULL));
    CHECK_OK(tb_messenger_filter_set_date_from(f, 2024, 1, 1));
    CHECK_REQUESTS(a, f, "2024000101 2024000102");
    CHECK_OK(tb_messenger_filter_set_date_to(f, 2024, 5, 1));
    CHECK_REQUESTS(a, f, "2024000101");
    CHECK_OK(tb_messenger_filter_set_date_to(f, 2024, 5, 2));
    CHECK_REQUESTS(a, f, "2024000101 2024000102");
    /* Refused bounds leave the filter as it was. */
    CHECK_ARG(tb_messenger_filter_set_date_to(f, 2023, 12, 31), "date_to",
              "2023-12-31 is before the filter's date_from 2024-01-01");
    CHECK_ARG(tb_messenger_filter_set_date_from(f, 2024, 5, 3), "date_from",
              "2024-05-03 is after the filter's date_to 2024-05-02");
    CHECK_REQUESTS(a, f, "2024000101 2024000102");
    CHECK_OK(tb_messenger_filter_set_date_to(f, 0, 0, 0));
    CHECK_OK(tb_messenger_filter_set_date_from(f, 2030, 1, 1));
    CHECK_REQUESTS(a, f, "");
    l = NULL;
    CHECK_OK(tb_anna_messenger_requests(a, "42", NULL, NULL, f, &l));
    CHECK(l && tb_messenger_requests_count(l) == 0);
    CHECK_TEXT(tb_messenger_requests_raw_json(l, &lt, &ln), "[]");
    tb_messenger_requests_free(l);
    tb_messenger_filter_free(f);
    l = (tb_messenger_requests *)SENTINEL;
    CHECK_ERROR(tb_anna_messenger_requests(a, "7", NULL, NULL, NULL, &l), TB_REJECTED, "inactive");
    CHECK(l == (tb_messenger_requests *)SENTINEL);

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
    CHECK_OK(send_call(ANNA, a, "POST", "REST/AnnACorporate/Ping", NULL, "{\"x\": 1}", &status,
                       &body));
    CHECK(status == 200);
    CHECK(contains(body, "\"message\":\"pong\""));
    free(body);
    body = NULL;
    CHECK_OK(send_call(ANNA, a, "POST", "REST/AnnACorporate/Ping", NULL, NULL, &status, &body));
    CHECK(status == 200);
    free(body);
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
    CHECK_OK(send_call(ANNA, a, "POST", "REST/AnnACorporate/Ping", NULL, NULL, &status, &body));
    CHECK(status == 200);
    free(body);
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
    d = (tb_access_data *)SENTINEL;
    CHECK_STATUS(tb_anna_user_hash(a, "42", NULL, &d), TB_REJECTED);
    CHECK_STATUS(tb_anna_token(a, &s), TB_REJECTED);
    CHECK(s == SENTINEL && d == (tb_access_data *)SENTINEL);
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
    CHECK_ERROR(send_call(ANNA, a, "POST", "REST/AnnACorporate/Ping", NULL, NULL, &status, &s),
                TB_UNAUTHORIZED, "unauthorized (HTTP 401)");
    CHECK(status == 7 && s == SENTINEL);
    CHECK(tb_last_error_http_status() == 401);
    CHECK(fake_server_requests(fs) - before == 4); /* GetToken, Ping, GetToken, Ping */
    tb_messenger_structure *st = (tb_messenger_structure *)SENTINEL;
    CHECK_ERROR(tb_anna_messenger_structure(a, &st), TB_UNAUTHORIZED, "AnnA Messenger/Structure");
    CHECK(st == (tb_messenger_structure *)SENTINEL);

    /* A body with a NUL byte: the response hands the bytes over with their length. */
    tb_request *req = NULL;
    tb_response *resp = NULL;
    CHECK_OK(tb_request_new("GET", "nulbody", &req));
    CHECK_OK(tb_anna_send(a, req, &resp));
    const uint8_t *bytes = NULL;
    size_t len = 0;
    CHECK_OK(tb_response_body(resp, &bytes, &len));
    CHECK(tb_response_status(resp) == 200 && len == 3 && bytes && memcmp(bytes, "a\0b", 4) == 0);
    tb_response_free(resp);
    tb_request_free(req);
    tb_anna_client_free(a);

    /* A token with one cannot be a C string. */
    tb_ucontact_client *u = new_ucontact(url, "u", "p", TB_UCONTACT_LOGIN_API_USER);
    CHECK_ERROR(tb_ucontact_get_user_token(u, &s), TB_UNEXPECTED_RESPONSE, "without NUL characters");
    CHECK(s == SENTINEL);
    tb_ucontact_client_free(u);
    fake_server_stop(fs);
}

/* Answers the sandbox never gives, from fake_server.c: an agent profile with fields
 * the vendor does not publish (one holding a NUL), access data whose expiry is not
 * a date, messenger requests under other field names. */
static void test_unusual_answers(void) {
    static const char profile[] = HTTP_JSON(
        "{\"name\": \"agent9\", \"secret\": \"sip-pass-xyz\", \"md5secret\": \"0123abcd\", "
        "\"extension\": \"7001\", \"queues\": [\"ventas\", 2], \"vip\": true, \"limite\": \"3\", "
        "\"nick\": \"a\\u0000b\", \"token\": \"fake-agent-token\"}");
    static const char token[] = HTTP_JSON(
        "{\"success\": true, \"message\": \"ok\", \"data\": {\"Token\": \"fake.token.value\", "
        "\"ExpiresIn\": \"3600\"}}");
    static const char access[] = HTTP_JSON(
        "{\"success\": true, \"message\": \"ok\", \"accessData\": {\"Hash\": \"h4sh-value\", "
        "\"ChatURL\": \"https://chat.example/c?h=h4sh-value\", \"Expires\": \"31/12/2024 23:59\", "
        "\"Note\": 1}}");
    static const char requests[] = HTTP_JSON(
        "{\"success\": true, \"message\": \"ok\", \"userRequests\": ["
        "{\"Protocolo\": \"P-1\", \"Departamento\": \"Vendas\", \"Canal\": \"Chat\", "
        "\"Descricao\": \"a\\u0000b\", \"DataAbertura\": \"2024-01-02\", \"Situacao\": "
        "\"encerrado\", \"Pendente\": false, \"Url\": \"https://x.example/1\", \"Extra\": "
        "{\"k\": [1, 2]}}, {\"Status\": \"X\", \"Numero\": 7}]}");
    static const fake_route routes[] = {
        {"/AgentLogin", FAKE_REPLY, profile, 0},
        {"/GetToken", FAKE_REPLY, token, 0},
        {"/User/UserHash ", FAKE_REPLY, access, 0},
        {"/Messenger/Requests", FAKE_REPLY, requests, 0},
        {NULL, FAKE_REPLY, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
         0},
    };
    fake_server *fs = fake_server_start(routes, sizeof routes / sizeof routes[0]);
    CHECK(fs != NULL);
    if (!fs) return;
    char url[128];

    /* The agent profile. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/uc", fake_server_port(fs));
    tb_config *cfg = local_config();
    CHECK_OK(tb_config_set_end_session_on_close(cfg, false));
    tb_ucontact_client *u = NULL;
    CHECK_OK(tb_ucontact_client_new(cfg, url, "agent9", "pw", TB_UCONTACT_LOGIN_AGENT, &u));
    tb_config_free(cfg);
    tb_agent_profile *p = NULL;
    CHECK_OK(tb_ucontact_agent_login(u, &p));
    char head[4096];
    fake_server_last_head(fs, head, sizeof head);
    CHECK(contains(head, "POST /uc/Integra/resources/auth/AgentLogin HTTP/1.1"));
    CHECK_TEXT(tb_agent_profile_name(p, &lt, &ln), "agent9");
    CHECK_TEXT(tb_agent_profile_token(p, &lt, &ln), "fake-agent-token");
    CHECK_TEXT(tb_agent_profile_get(p, "limite", &lt, &ln), "3");
    CHECK_TEXT(tb_agent_profile_host(p, &lt, &ln), NULL); /* not sent: TB_ABSENT */
    CHECK(tb_last_error_status() == TB_OK);
    CHECK_TEXT(tb_agent_profile_get(p, "id", &lt, &ln), NULL);
    int64_t n = -7;
    CHECK_STATUS(tb_agent_profile_id(p, &n), TB_ABSENT);
    CHECK(n == 0); /* zeroed */
    CHECK_OK(tb_agent_profile_limite(p, &n));
    CHECK(n == 3);
    /* Fields the vendor does not publish, by name: strings bare, the rest as JSON. */
    CHECK_TEXT(tb_agent_profile_get(p, "extension", &lt, &ln), "7001");
    CHECK_TEXT(tb_agent_profile_get(p, "queues", &lt, &ln), "[\"ventas\",2]");
    CHECK_TEXT(tb_agent_profile_get(p, "vip", &lt, &ln), "true");
    CHECK_TEXT(tb_agent_profile_get(p, "secret", &lt, &ln), NULL);
    CHECK_TEXT(tb_agent_profile_get(p, "md5secret", &lt, &ln), NULL);
    /* A NUL inside: the length tells the whole text, a NUL ends it. */
    lt = NULL;
    ln = 0;
    CHECK_OK(tb_agent_profile_get(p, "nick", &lt, &ln));
    CHECK(lt && ln == 3 && memcmp(lt, "a\0b", 4) == 0);
    /* Iteration: the seven fields without the SIP secrets, sent in another order,
     * given sorted by name. */
    CHECK(tb_agent_profile_field_count(p) == 7);
    static const char *const sorted[] = {"extension", "limite", "name", "nick", "queues", "token", "vip"};
    for (size_t i = 0; i < tb_agent_profile_field_count(p) && i < 7; i++) {
        const char *name = NULL, *value = NULL;
        size_t name_len = 0, value_len = 0;
        CHECK_OK(tb_agent_profile_field_at(p, i, &name, &name_len, &value, &value_len));
        report(name && strcmp(name, sorted[i]) == 0 && name_len == strlen(sorted[i]), __FILE__,
               __LINE__, "field_at(%zu) is `%s`, not `%s`", i, name ? name : "(null)", sorted[i]);
        CHECK(value && !contains(value, "sip-pass-xyz") && !contains(value, "0123abcd"));
    }
    /* The value with a NUL inside comes with its whole length by iteration too. */
    {
        const char *name = NULL, *value = NULL;
        size_t value_len = 0;
        CHECK_OK(tb_agent_profile_field_at(p, 3, &name, NULL, &value, &value_len));
        CHECK(name && strcmp(name, "nick") == 0 && value_len == 3 && memcmp(value, "a\0b", 4) == 0);
    }
    CHECK_TEXT_HOLDS(tb_agent_profile_raw_json(p, &lt, &ln), "\"extension\":\"7001\"");
    CHECK(!contains(lt, "sip-pass-xyz") && !contains(lt, "0123abcd") && !contains(lt, "secret"));
    tb_agent_profile_free(p);
    tb_ucontact_client_free(u);

    /* Access data whose expiry is not YYYYMMDDhhmmss, without an embedded URL. */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/anna/", fake_server_port(fs));
    tb_anna_client *a = new_anna(url);
    tb_access_data *d = NULL;
    CHECK_OK(tb_anna_user_hash(a, "42", NULL, &d));
    CHECK_TEXT(tb_access_data_hash(d, &lt, &ln), "h4sh-value");
    CHECK_TEXT(tb_access_data_chat_url(d, &lt, &ln), "https://chat.example/c?h=h4sh-value");
    lt = SENTINEL;
    ln = 77;
    CHECK_OK(tb_access_data_embedded_url(d, &lt, &ln));
    CHECK(ln == 0 && lt != SENTINEL && (lt == NULL || lt[0] == '\0'));
    tb_datetime when = {-1, -1, -1, -1, -1, -1};
    CHECK_STATUS(tb_access_data_expires(d, &when), TB_ABSENT); /* not a YYYYMMDDhhmmss date */
    CHECK(when.year == 0 && when.month == 0 && when.second == 0);
    CHECK_TEXT(tb_access_data_expires_raw(d, &lt, &ln), "31/12/2024 23:59");
    CHECK_TEXT_HOLDS(tb_access_data_raw_json(d, &lt, &ln), "\"Note\":1");
    tb_access_data_free(d);

    /* Requests under Portuguese names, one of them nearly empty. */
    tb_messenger_requests *l = NULL;
    CHECK_OK(tb_anna_messenger_requests(a, "42", NULL, NULL, NULL, &l));
    CHECK(tb_messenger_requests_count(l) == 2);
    CHECK_TEXT(tb_messenger_requests_protocol(l, 0, &lt, &ln), "P-1");
    CHECK_TEXT(tb_messenger_requests_department(l, 0, &lt, &ln), "Vendas");
    CHECK_TEXT(tb_messenger_requests_channel(l, 0, &lt, &ln), "Chat");
    CHECK_TEXT(tb_messenger_requests_opened_at(l, 0, &lt, &ln), "2024-01-02");
    CHECK_TEXT(tb_messenger_requests_status_raw(l, 0, &lt, &ln), "encerrado");
    CHECK_TEXT(tb_messenger_requests_link(l, 0, &lt, &ln), "https://x.example/1");
    lt = NULL;
    ln = 0;
    CHECK_OK(tb_messenger_requests_description(l, 0, &lt, &ln));
    CHECK(lt && ln == 3 && memcmp(lt, "a\0b", 4) == 0);
    tb_messenger_status kind = TB_MESSENGER_STATUS_NONE;
    tb_messenger_pending pending = TB_MESSENGER_PENDING_NONE;
    CHECK_OK(tb_messenger_requests_status(l, 0, &kind));
    CHECK_OK(tb_messenger_requests_pending(l, 0, &pending));
    CHECK(kind == TB_MESSENGER_STATUS_CLOSED && pending == TB_MESSENGER_PENDING_NO);
    CHECK_TEXT(tb_messenger_requests_get(l, 0, "Extra", &lt, &ln), "{\"k\":[1,2]}");
    CHECK_TEXT(tb_messenger_requests_get(l, 0, "Pendente", &lt, &ln), "false");
    CHECK(tb_messenger_requests_field_count(l, 0) == 9);
    CHECK_TEXT(tb_messenger_requests_status_raw(l, 1, &lt, &ln), "X");
    kind = (tb_messenger_status)-9;
    pending = (tb_messenger_pending)-9;
    CHECK_OK(tb_messenger_requests_status(l, 1, &kind)); /* sent, but neither word */
    CHECK_STATUS(tb_messenger_requests_pending(l, 1, &pending), TB_ABSENT); /* not sent */
    CHECK(kind == TB_MESSENGER_STATUS_NONE && pending == TB_MESSENGER_PENDING_NONE);
    CHECK_TEXT(tb_messenger_requests_protocol(l, 1, &lt, &ln), NULL);
    CHECK_TEXT(tb_messenger_requests_department(l, 1, &lt, &ln), NULL);
    CHECK_TEXT(tb_messenger_requests_description(l, 1, &lt, &ln), NULL);
    CHECK_TEXT(tb_messenger_requests_link(l, 1, &lt, &ln), NULL);
    CHECK_TEXT(tb_messenger_requests_get(l, 1, "Numero", &lt, &ln), "7");
    CHECK(tb_messenger_requests_field_count(l, 1) == 2);
    tb_messenger_requests_free(l);
    tb_anna_client_free(a);
    fake_server_stop(fs);
}

/* ------------------------------------------------------------------ threads */

#define THREADS 8
#define ROUNDS 4

static tb_anna_client *g_shared_anna;
static tb_yativo_client *g_shared_yativo;
static tb_messenger_filter *g_shared_filter; /* open, not pending, support */
static pthread_barrier_t g_barrier;

/* One failing call with this thread's own answer: an unknown user id, or a bad
 * argument. */
static void fail_own_way(int id, char *user) {
    char *s = SENTINEL;
    tb_access_data *d = (tb_access_data *)SENTINEL;
    if (id % 2 == 0) {
        CHECK_STATUS(tb_anna_user_hash(g_shared_anna, user, NULL, &d), TB_REJECTED);
    } else {
        CHECK_STATUS(tb_anna_messenger_link(g_shared_anna, user, "CPF", NULL, &s),
                     TB_INVALID_ARGUMENT);
    }
    CHECK(s == SENTINEL && d == (tb_access_data *)SENTINEL);
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
    tb_access_data *d = NULL;
    CHECK_OK(tb_anna_user_hash(g_shared_anna, "42", NULL, &d));
    const char *hash = NULL;
    size_t hash_len = 0;
    CHECK_OK(tb_access_data_hash(d, &hash, &hash_len));
    CHECK(hash && hash_len == 40 && strlen(hash) == 40);
    CHECK_TEXT_HOLDS(tb_access_data_chat_url(d, &lt, &ln), "/anna/chat/42?hash=");
    tb_access_data_free(d);
    char *s = NULL;
    CHECK_OK(tb_anna_messenger_link(g_shared_anna, id % 2 ? "42" : NULL, id % 2 ? NULL : "CPF",
                                    id % 2 ? NULL : "12345678900", &s));
    CHECK(contains(s, "/anna/messenger/42?token="));
    tb_string_free(s);
    uint64_t n = 0;
    CHECK_OK(tb_anna_messenger_alert_counter(g_shared_anna, "42", NULL, NULL, NULL, &n));
    CHECK(n == 1);
    /* One filter, built before the threads started, used by all at once. */
    n = 77;
    CHECK_OK(tb_anna_messenger_alert_counter(g_shared_anna, "42", NULL, NULL, g_shared_filter, &n));
    CHECK(n == 0);
    tb_messenger_requests *l = NULL;
    CHECK_OK(tb_anna_messenger_requests(g_shared_anna, "42", NULL, NULL, g_shared_filter, &l));
    CHECK(tb_messenger_requests_count(l) == 1);
    CHECK_TEXT(tb_messenger_requests_protocol(l, 0, &lt, &ln), "2024000102");
    tb_messenger_requests_free(l);
    uint16_t status = 0;
    s = NULL;
    CHECK_OK(send_call(YATIVO, g_shared_yativo, "GET", "wallet/balance", NULL, NULL, &status, &s));
    CHECK(status == 200 && contains(s, "\"balances\""));
    free(s);
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
    g_shared_filter = tb_messenger_filter_new();
    CHECK_OK(tb_messenger_filter_set_status(g_shared_filter, TB_MESSENGER_STATUS_OPEN));
    CHECK_OK(tb_messenger_filter_set_pending(g_shared_filter, TB_MESSENGER_PENDING_NO));
    CHECK_OK(tb_messenger_filter_set_department_alias(g_shared_filter, "suporte"));
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
    tb_messenger_filter_free(g_shared_filter);
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
    CHECK_ERROR(send_call(YATIVO, limited, "GET", "stall", NULL, NULL, &status, &body),
                TB_CANCELLED, "cancelled");
    double waited = now_ms() - start;
    pthread_join(thread, NULL);
    /* Cancelled at 300 ms: back within 200 ms of it (valgrind's slowness included). */
    CHECK(waited >= 250 && waited < 500);
    printf("cancel in flight: the call returned %.0f ms after it started, cancelled at 300 ms\n",
           waited);
    CHECK(status == 7 && body == SENTINEL);
    CHECK(tb_cancel_token_is_cancelled(token));
    /* The client stays usable; the cancelled handle fails at once. */
    CHECK_OK(send_call(YATIVO, y, "GET", "anything", NULL, NULL, &status, &body));
    CHECK(status == 200 && contains(body, "fine"));
    free(body);
    body = SENTINEL;
    status = 7;
    start = now_ms();
    CHECK_ERROR(send_call(YATIVO, limited, "GET", "anything", NULL, NULL, &status, &body),
                TB_CANCELLED, "cancelled");
    CHECK(now_ms() - start < 100 && status == 7 && body == SENTINEL);
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
    CHECK_ERROR(send_call(YATIVO, limited, "GET", "stall", NULL, NULL, &status, &body),
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
    CHECK_OK(send_call(UCONTACT, u, "POST", "Integra/resources/Dialers/DialerTask", NULL, NULL,
                       &status, &body));
    CHECK(status == 200);
    free(body);
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
    test_agent_profile();
    test_yativo();
    test_filter_setters();
    test_anna();
    test_transport_failures();
    test_unusual_answers();
    test_threads();

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
