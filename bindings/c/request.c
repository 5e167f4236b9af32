/*
 * The generic call as typed data through the C ABI: tb_request_* (a builder),
 * tb_<api>_send and tb_response_* (an answer handle with accessors).
 *
 * Against the sandbox:
 * * a Yativo payout with our own Idempotency-Key, then the same request again: the
 *   same payout id, `Idempotent-Replayed: true`, and the sandbox executed it once;
 *   the status, a header by name (any case) and by index, the body bytes; then the
 *   payout read back with GET payouts/{id};
 * * a uContact form POST (fields in order, reserved characters and UTF-8), an AnnA
 *   JSON POST, HEAD and GET with a query, a 1 MiB raw body (sent and echoed);
 * * refusals, each TB_INVALID_ARGUMENT naming what was wrong, with nothing sent (the
 *   sandbox's request count does not move): a Host header, CR/LF in a value, an
 *   Authorization header without tb_request_allow_authorization_header, a 1 MiB
 *   header value, an empty header name; with the permission, our own Authorization
 *   goes out instead of the token (no login) and its 401 comes back as TB_OK;
 * * a 401 after the new login (a sandbox fault) is TB_UNAUTHORIZED.
 *
 * Against fake_server.c (to see the wire and answer what the sandbox does not): the
 * request line with the query percent-encoded in order, our headers, the content
 * types and the idempotency key as sent; an answer whose header repeats in another
 * case, holds a non-UTF-8 byte, and whose body holds a NUL.
 *
 * And every new function with NULL in each pointer argument, invalid UTF-8 and an
 * empty string in each string argument: TB_INVALID_ARGUMENT naming the parameter,
 * outputs untouched; optional out-pointers may be NULL.
 *
 * Needs TOKENBRIDGE_SANDBOX_URL (docs/sandbox-contract.md); run under valgrind by
 * run-hostile.sh. Prints failed checks and a final "N passed, M failed"; exits 1
 * when a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "fake_server.h"
#include "tokenbridge.h"
#include "check.h"

#define CHECK_OK(call)                                                                          \
    do {                                                                                        \
        tb_status s_ = (call);                                                                  \
        CHECK(s_ == TB_OK, "%s: %s (%s)", #call, tb_status_name(s_), last_message());           \
    } while (0)

/* TB_INVALID_ARGUMENT whose message (and the thread's last error) holds `needle`. */
static void check_invalid(tb_status s, const char *needle, int line, const char *what) {
    const char *msg = last_message();
    check(s == TB_INVALID_ARGUMENT && tb_last_error_status() == TB_INVALID_ARGUMENT &&
              strstr(msg, needle) != NULL,
          __FILE__, line, "%s: %s, message \"%s\" (wanted TB_INVALID_ARGUMENT naming %s)", what,
          tb_status_name(s), msg, needle);
}
#define CHECK_INVALID(call, needle) check_invalid((call), (needle), __LINE__, #call)

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* Out-pointers must stay as they were after a failure. */
static int g_sentinel_object;
#define SENTINEL ((void *)&g_sentinel_object)
#define SENTINEL_LEN ((size_t)0x5e5e)

static const char *BAD_UTF8 = "ab\xff\xfe";

/* ------------------------------------------------------------ the sandbox */

static char g_url[512], g_uc_url[512], g_yt_url[512], g_an_url[512], g_control_url[512];
static const char *UC_USER = "apiuser", *UC_PASSWORD = "s3cret&=+ \xc3\xa9";
static const char *YT_ACCOUNT = "acct-sandbox", *YT_SECRET = "yativo-secret";
static const char *AN_HASH = "COMPANYHASH", *AN_USER = "annauser", *AN_PASS = "anna-pass";

static tb_config *g_cfg;
static tb_ucontact_client *g_uc;
static tb_yativo_client *g_yt;
static tb_anna_client *g_an;
/* A Yativo client whose base URL is the sandbox's control endpoint, with a token set
 * so that it never logs in: it reads the statistics and sets faults through the very
 * functions under test. */
static tb_yativo_client *g_control;

static tb_config *new_config(void) {
    tb_config *cfg = tb_config_new();
    if (!cfg) {
        fprintf(stderr, "tb_config_new failed\n");
        exit(2);
    }
    CHECK_OK(tb_config_set_allow_http(cfg, true));
    CHECK_OK(tb_config_set_no_proxy(cfg));
    CHECK_OK(tb_config_set_retries(cfg, 0, 1, 1));
    CHECK_OK(tb_config_set_timeout_receive_ms(cfg, 20000));
    CHECK_OK(tb_config_set_end_session_on_close(cfg, false));
    /* The sandbox echoes the 1 MiB body: its answer is over the 1 MiB default. */
    CHECK_OK(tb_config_set_max_response_bytes(cfg, 4 * 1024 * 1024));
    return cfg;
}

static tb_request *new_request(const char *method, const char *path) {
    tb_request *r = NULL;
    CHECK_OK(tb_request_new(method, path, &r));
    if (!r) {
        fprintf(stderr, "tb_request_new(%s, %s) failed: %s\n", method, path, last_message());
        exit(2);
    }
    return r;
}

/* The body as text (the library puts a NUL after it); "" when it cannot be read. */
static const char *body_text(const tb_response *resp, size_t *len) {
    const uint8_t *bytes = NULL;
    size_t n = 0;
    tb_status s = tb_response_body(resp, &bytes, &n);
    CHECK(s == TB_OK && bytes != NULL, "tb_response_body: %s (%s)", tb_status_name(s),
          last_message());
    if (s != TB_OK || !bytes) return "";
    CHECK(bytes[n] == 0, "the body is followed by a NUL");
    if (len) *len = n;
    return (const char *)bytes;
}

/* A statistic of the sandbox, or -1. */
static long sandbox_stat(const char *key) {
    tb_request *r = new_request("GET", "stats");
    tb_response *resp = NULL;
    long value = -1;
    tb_status s = tb_yativo_send(g_control, r, &resp);
    CHECK(s == TB_OK && tb_response_status(resp) == 200, "GET /__sandbox/stats: %s (%s)",
          tb_status_name(s), last_message());
    if (s == TB_OK) {
        char needle[128];
        snprintf(needle, sizeof needle, "\"%s\":", key);
        const char *at = strstr(body_text(resp, NULL), needle);
        if (at) value = strtol(at + strlen(needle), NULL, 10);
        CHECK(at != NULL, "the statistics have %s", key);
    }
    tb_response_free(resp);
    tb_request_free(r);
    return value;
}

/* Sends a control request (a JSON fault, or a DELETE) and checks the 200. */
static void sandbox_control(const char *method, const char *path, const char *json) {
    tb_request *r = new_request(method, path);
    if (json) CHECK_OK(tb_request_set_json(r, json));
    tb_response *resp = NULL;
    tb_status s = tb_yativo_send(g_control, r, &resp);
    CHECK(s == TB_OK && tb_response_status(resp) == 200, "%s /__sandbox/%s: %s %u (%s)", method,
          path, tb_status_name(s), tb_response_status(resp), last_message());
    tb_response_free(resp);
    tb_request_free(r);
}

/* ------------------------------------------------------------ Yativo: payouts */

static void test_yativo_payout(void) {
    char key[64];
    snprintf(key, sizeof key, "request-c-%ld-%ld", (long)getpid(), (long)time(NULL));
    long executed = sandbox_stat("yativo.payouts_executed");
    long payouts = sandbox_stat("yativo.payout");

    tb_request *r = new_request("post", "payouts"); /* any case */
    CHECK_OK(tb_request_set_json(r, "{\"amount\": \"10.00\", \"currency\": \"USD\"}"));
    CHECK_OK(tb_request_set_idempotency_key(r, key));
    CHECK_OK(tb_request_add_header(r, "X-Request-Source", "request.c"));

    tb_response *first = NULL, *second = NULL;
    CHECK_OK(tb_yativo_send(g_yt, r, &first));
    CHECK_OK(tb_yativo_send(g_yt, r, &second)); /* not consumed: sent again */
    if (!first || !second) {
        tb_response_free(first);
        tb_response_free(second);
        tb_request_free(r);
        return;
    }
    CHECK(tb_response_status(first) == 201, "payout status %u", tb_response_status(first));
    CHECK(tb_response_status(second) == 201, "replay status %u", tb_response_status(second));

    size_t len1 = 0, len2 = 0;
    const char *b1 = body_text(first, &len1), *b2 = body_text(second, &len2);
    CHECK(len1 == strlen(b1), "a JSON body has no NUL inside (%zu vs %zu)", len1, strlen(b1));
    const char *id = strstr(b1, "\"id\":\"po_");
    CHECK(id != NULL, "the payout has an id: %s", b1);
    CHECK(strstr(b1, "\"amount\":\"10.00\"") && strstr(b1, "\"currency\":\"USD\""),
          "the payout echoes amount and currency: %s", b1);
    CHECK(len1 == len2 && memcmp(b1, b2, len1) == 0, "the replay has the same body:\n%s\n%s",
          b1, b2);
    CHECK(sandbox_stat("yativo.payouts_executed") == executed + 1,
          "the sandbox executed the payout once");
    CHECK(sandbox_stat("yativo.payout") == payouts + 2, "both POSTs reached the sandbox");

    /* A header by name, any case; absent is TB_ABSENT with NULL. */
    const char *value = SENTINEL;
    size_t value_len = SENTINEL_LEN;
    CHECK_OK(tb_response_header(first, "CONTENT-type", &value, &value_len));
    CHECK(value && strncmp(value, "application/json", 16) == 0 && value_len == strlen(value),
          "Content-Type by name: %s", value ? value : "(NULL)");
    value = SENTINEL;
    value_len = SENTINEL_LEN;
    CHECK(tb_response_header(first, "Idempotent-Replayed", &value, &value_len) == TB_ABSENT,
          "an absent header is TB_ABSENT");
    CHECK(value == NULL && value_len == 0, "the first answer is no replay");
    value = SENTINEL;
    CHECK_OK(tb_response_header(second, "idempotent-REPLAYED", &value, NULL));
    CHECK(value && strcmp(value, "true") == 0, "the second is a replay: %s",
          value ? value : "(NULL)");

    /* Headers by index: lower-case names, NUL-terminated, lengths right. */
    size_t count = tb_response_header_count(second);
    CHECK(count >= 3, "the replay has %zu headers", count);
    int seen_replayed = 0, seen_length = 0;
    for (size_t i = 0; i < count; i++) {
        const char *name = NULL, *val = NULL;
        size_t name_len = SENTINEL_LEN, val_len = SENTINEL_LEN;
        CHECK_OK(tb_response_header_at(second, i, &name, &name_len, &val, &val_len));
        if (!name || !val) continue;
        CHECK(name_len == strlen(name) && val_len == strlen(val), "lengths of header %zu", i);
        for (const char *c = name; *c; c++) CHECK(*c < 'A' || *c > 'Z', "lower case: %s", name);
        if (strcmp(name, "idempotent-replayed") == 0) seen_replayed = strcmp(val, "true") == 0;
        if (strcmp(name, "content-length") == 0) seen_length = strtoul(val, NULL, 10) == len2;
    }
    CHECK(seen_replayed, "idempotent-replayed: true among the headers");
    CHECK(seen_length, "content-length among the headers, equal to the body's length");
    const char *name = SENTINEL, *val = SENTINEL;
    size_t name_len = SENTINEL_LEN, val_len = SENTINEL_LEN;
    CHECK_INVALID(tb_response_header_at(second, count, &name, &name_len, &val, &val_len),
                  "`index`");
    CHECK(name == SENTINEL && val == SENTINEL && name_len == SENTINEL_LEN &&
              val_len == SENTINEL_LEN,
          "outputs untouched after a refused index");
    CHECK_INVALID(tb_response_header_at(second, (size_t)-1, &name, NULL, &val, NULL), "`index`");

    /* The payout read back. */
    if (id) {
        char path[128];
        const char *start = id + strlen("\"id\":\"");
        const char *end = strchr(start, '"');
        snprintf(path, sizeof path, "payouts/%.*s", end ? (int)(end - start) : 0, start);
        tb_request *get = new_request("GET", path);
        tb_response *resp = NULL;
        CHECK_OK(tb_yativo_send(g_yt, get, &resp));
        CHECK(tb_response_status(resp) == 200, "GET %s: %u", path, tb_response_status(resp));
        CHECK(strstr(body_text(resp, NULL), path + strlen("payouts/")) != NULL,
              "GET %s gives that payout", path);
        tb_response_free(resp);
        tb_request_free(get);
    }
    tb_response_free(first);
    tb_response_free(second);
    tb_request_free(r);
}

/* ------------------------------------------------------------ uContact, AnnA, HEAD */

static void test_ucontact_form(void) {
    tb_request *r = new_request("POST", "Integra/resources/Dialers/DialerTask");
    CHECK_OK(tb_request_set_json(r, "{\"replaced\": true}")); /* a form replaces it */
    CHECK_OK(tb_request_add_form_field(r, "campaign", "Sales"));
    CHECK_OK(tb_request_add_form_field(r, "phone", "+598 99 123 456"));
    CHECK_OK(tb_request_add_form_field(r, "note", "a&b=c \xc3\xa9"));
    tb_response *resp = NULL;
    CHECK_OK(tb_ucontact_send(g_uc, r, &resp));
    CHECK(tb_response_status(resp) == 200, "DialerTask: %u", tb_response_status(resp));
    const char *body = body_text(resp, NULL);
    CHECK(strstr(body, "\"campaign\":\"Sales\"") && strstr(body, "\"phone\":\"+598 99 123 456\"") &&
              strstr(body, "\"note\":\"a&b=c \xc3\xa9\"") && !strstr(body, "replaced"),
          "the sandbox received the form: %s", body);
    tb_response_free(resp);
    tb_request_free(r);
}

static void test_anna_json(void) {
    tb_request *r = new_request("POST", "REST/AnnACorporate/Ping");
    CHECK_OK(tb_request_add_form_field(r, "replaced", "yes")); /* JSON replaces the form */
    CHECK_OK(tb_request_set_json(r, "{\"hello\": \"w\\u00f6rld\", \"n\": [1, 2]}"));
    tb_response *resp = NULL;
    CHECK_OK(tb_anna_send(g_an, r, &resp));
    CHECK(tb_response_status(resp) == 200, "Ping: %u", tb_response_status(resp));
    const char *body = body_text(resp, NULL);
    CHECK(strstr(body, "pong") && strstr(body, "\"hello\":\"w\xc3\xb6rld\"") &&
              strstr(body, "\"n\":[1,2]") && !strstr(body, "replaced"),
          "the sandbox received the JSON: %s", body);
    tb_response_free(resp);

    /* A raw JSON body, byte for byte. */
    static const char raw[] = "{\"raw\":\"yes\"}";
    CHECK_OK(tb_request_set_body(r, "application/json", (const uint8_t *)raw, strlen(raw)));
    CHECK_OK(tb_anna_send(g_an, r, &resp));
    CHECK(strstr(body_text(resp, NULL), "\"received\":{\"raw\":\"yes\"}") != NULL,
          "the sandbox received the raw JSON: %s", body_text(resp, NULL));
    tb_response_free(resp);
    tb_request_free(r);
}

static void test_head_and_query(void) {
    tb_request *r = new_request("GET", "wallet/balance");
    CHECK_OK(tb_request_add_query(r, "currency", "USD"));
    CHECK_OK(tb_request_add_query(r, "note", "a b&c"));
    tb_response *resp = NULL;
    CHECK_OK(tb_yativo_send(g_yt, r, &resp));
    CHECK(tb_response_status(resp) == 200, "GET wallet/balance?...: %u", tb_response_status(resp));
    CHECK(strstr(body_text(resp, NULL), "\"balances\"") != NULL, "the balance came");
    tb_response_free(resp);
    tb_request_free(r);

    /* HEAD: the sandbox serves only GET there (405), and a HEAD answer has no body. */
    r = new_request("head", "wallet/balance");
    resp = NULL;
    CHECK_OK(tb_yativo_send(g_yt, r, &resp));
    size_t len = SENTINEL_LEN;
    const char *body = body_text(resp, &len);
    CHECK(tb_response_status(resp) == 405 && len == 0 && body[0] == 0,
          "HEAD: status %u, %zu body bytes", tb_response_status(resp), len);
    tb_response_free(resp);
    tb_request_free(r);
}

/* ------------------------------------------------------------ refusals, big inputs */

static void test_refusals(void) {
    long requests = sandbox_stat("requests");
    long logins = sandbox_stat("ucontact.getUserToken");
    struct {
        const char *name, *value, *needle;
    } cases[] = {
        {"Host", "evil.example", "`Host`"},
        {"content-length", "5", "`content-length`"},
        {"X-Evil", "a\r\nInjected: 1", "`X-Evil` holds CR, LF"},
        {"X-Evil-Lf", "a\nb", "`X-Evil-Lf` holds CR, LF"},
        {"Authorization", "Basic mine", "`Authorization`"},
        {"", "v", "not a valid header name"},
        {"Bad Name", "v", "not a valid header name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tb_request *r = new_request("POST", "Integra/resources/Dialers/DialerTask");
        CHECK_OK(tb_request_add_form_field(r, "campaign", "Sales"));
        CHECK_OK(tb_request_add_header(r, cases[i].name, cases[i].value)); /* checked when sent */
        tb_response *resp = SENTINEL;
        tb_status s = tb_ucontact_send(g_uc, r, &resp);
        const char *msg = last_message();
        CHECK(s == TB_INVALID_ARGUMENT && strstr(msg, "`header`") && strstr(msg, cases[i].needle),
              "header %s: %s \"%s\"", cases[i].name, tb_status_name(s), msg);
        CHECK(!strstr(msg, "evil.example") || i == 0, "no value in the message: %s", msg);
        CHECK(resp == SENTINEL, "out untouched after a refused header %s", cases[i].name);
        tb_request_free(r);
    }
    /* Authorization: the message says how to allow it. */
    {
        tb_request *r = new_request("GET", "wallet/balance");
        CHECK_OK(tb_request_add_header(r, "authorization", "Bearer mine"));
        tb_response *resp = SENTINEL;
        CHECK_INVALID(tb_yativo_send(g_yt, r, &resp), "allow_authorization_header");
        CHECK(resp == SENTINEL, "out untouched");
        tb_request_free(r);
    }
    /* A 1 MiB header value: refused, naming the header and the limit. */
    {
        size_t n = 1024 * 1024;
        char *big = xmalloc(n + 1);
        memset(big, 'v', n);
        big[n] = 0;
        tb_request *r = new_request("GET", "wallet/balance");
        CHECK_OK(tb_request_add_header(r, "X-Big", big));
        tb_response *resp = SENTINEL;
        tb_status s = tb_yativo_send(g_yt, r, &resp);
        const char *msg = last_message();
        CHECK(s == TB_INVALID_ARGUMENT && strstr(msg, "`X-Big`") && strstr(msg, "8192") &&
                  strlen(msg) < 1000,
              "a 1 MiB header: %s \"%.200s\"", tb_status_name(s), msg);
        CHECK(resp == SENTINEL, "out untouched");
        tb_request_free(r);
        /* ... and as an idempotency key or a content type: refused by the setter. */
        r = new_request("POST", "payouts");
        CHECK_INVALID(tb_request_set_idempotency_key(r, big), "`idempotency_key`");
        CHECK_INVALID(tb_request_set_body(r, big, (const uint8_t *)"x", 1), "`content_type`");
        CHECK_INVALID(tb_request_set_idempotency_key(r, "a\r\nb"), "`idempotency_key`");
        CHECK_INVALID(tb_request_set_body(r, "text/plain\r\nX: 1", NULL, 0), "`content_type`");
        tb_request_free(r);
        free(big);
    }
    CHECK(sandbox_stat("requests") == requests, "nothing was sent for the refused requests");
    CHECK(sandbox_stat("ucontact.getUserToken") == logins, "no login for them either");

    /* With the permission, our Authorization replaces the token: no login, and the
     * sandbox's 401 for it is TB_UNAUTHORIZED at once (no new login either). */
    {
        tb_request *r = new_request("POST", "Integra/resources/Dialers/DialerTask");
        CHECK_OK(tb_request_add_header(r, "Authorization", "Basic bm90LWEtdG9rZW4="));
        CHECK_OK(tb_request_allow_authorization_header(r, true));
        tb_response *resp = SENTINEL;
        tb_status s = tb_ucontact_send(g_uc, r, &resp);
        const char *msg = last_message();
        CHECK(s == TB_UNAUTHORIZED && tb_last_error_http_status() == 401 &&
                  strstr(msg, "unknown token") && !strstr(msg, "bm90LWEtdG9rZW4="),
              "our own credential refused: %s (%s)", tb_status_name(s), msg);
        CHECK(resp == SENTINEL, "out untouched");
        CHECK_OK(tb_request_allow_authorization_header(r, false));
        resp = SENTINEL;
        CHECK_INVALID(tb_ucontact_send(g_uc, r, &resp), "`Authorization`");
        CHECK(resp == SENTINEL, "out untouched");
        tb_request_free(r);
    }
    CHECK(sandbox_stat("requests") == requests + 1, "one request went out");
    CHECK(sandbox_stat("ucontact.getUserToken") == logins, "no login for our own credential");
}

static void test_big_body(void) {
    /* 1 MiB of form body, sent raw; the sandbox decodes and echoes it. */
    size_t n = 1024 * 1024;
    uint8_t *big = xmalloc(n);
    memcpy(big, "blob=", 5);
    for (size_t i = 5; i < n; i++) big[i] = (uint8_t)('a' + i % 26);
    tb_request *r = new_request("POST", "Integra/resources/Dialers/DialerTask");
    CHECK_OK(tb_request_set_body(r, "application/x-www-form-urlencoded", big, n));
    big[5] = '!'; /* the request holds its own copy */
    tb_response *resp = NULL;
    CHECK_OK(tb_ucontact_send(g_uc, r, &resp));
    CHECK(tb_response_status(resp) == 200, "1 MiB body: %u", tb_response_status(resp));
    size_t len = 0;
    const char *body = body_text(resp, &len);
    big[5] = 'f';
    const char *blob = strstr(body, "\"blob\":\"");
    CHECK(len > n && blob && memcmp(blob + 8, big + 5, n - 5) == 0 && blob[8 + n - 5] == '"',
          "the sandbox received the whole 1 MiB body (answer of %zu bytes)", len);
    tb_response_free(resp);
    tb_request_free(r);
    free(big);
}

static void test_unauthorized(void) {
    /* Two 401s in a row: the first, then the one after the new login. */
    sandbox_control("POST", "faults",
                    "{\"path\": \"/anna/REST/AnnACorporate/Ping\", \"status\": 401, \"times\": 2}");
    long logins = sandbox_stat("anna.GetToken");
    tb_request *r = new_request("POST", "REST/AnnACorporate/Ping");
    tb_response *resp = SENTINEL;
    tb_status s = tb_anna_send(g_an, r, &resp);
    CHECK(s == TB_UNAUTHORIZED && tb_last_error_http_status() == 401,
          "a 401 after the new login: %s (%s)", tb_status_name(s), last_message());
    CHECK(resp == SENTINEL, "out untouched");
    CHECK(sandbox_stat("anna.GetToken") == logins + 1, "one new login");
    sandbox_control("DELETE", "faults", NULL);
    resp = NULL;
    CHECK_OK(tb_anna_send(g_an, r, &resp));
    CHECK(tb_response_status(resp) == 200, "then it works again: %u", tb_response_status(resp));
    tb_response_free(resp);
    tb_request_free(r);
}

/* ------------------------------------------------------------ the wire (fake server) */

/* Whether the request head has this header line (the name in any case). */
static int head_has(const char *head, const char *line) {
    size_t n = strlen(line);
    for (const char *at = strstr(head, "\r\n"); at; at = strstr(at + 2, "\r\n")) {
        if (strncasecmp(at + 2, line, n) == 0 && (at[2 + n] == '\r' || at[2 + n] == '\0'))
            return 1;
    }
    return 0;
}

static const char FAKE_ANSWER[] =
    "HTTP/1.1 200 OK\r\n"
    "X-Dup: one\r\n"
    "Content-Type: application/octet-stream\r\n"
    "x-dup: two\r\n"
    "X-Latin1: caf\xe9\r\n"
    "Content-Length: 5\r\n"
    "Connection: close\r\n"
    "\r\n"
    "a\0b\0c";

static void test_wire(void) {
    static const fake_route routes[] = {{NULL, FAKE_REPLY, FAKE_ANSWER, sizeof FAKE_ANSWER - 1}};
    fake_server *server = fake_server_start(routes, 1);
    CHECK(server != NULL, "the fake server starts");
    if (!server) return;
    char base[128], head[8192];
    snprintf(base, sizeof base, "http://127.0.0.1:%d/api", fake_server_port(server));
    tb_yativo_client *c = NULL;
    CHECK_OK(tb_yativo_client_new(g_cfg, base, "acct", "secret", &c));
    CHECK_OK(tb_yativo_set_token(c, "wire-token", 0)); /* no login */
    if (!c) {
        fake_server_stop(server);
        return;
    }

    /* GET with a query (in order, a name twice, reserved characters, UTF-8, empty). */
    tb_request *r = new_request("GET", "wallet/balance");
    CHECK_OK(tb_request_add_query(r, "q", "a b&c=d/\xc3\xa9"));
    CHECK_OK(tb_request_add_query(r, "empty", ""));
    CHECK_OK(tb_request_add_query(r, "q", "2"));
    CHECK_OK(tb_request_add_header(r, "X-Trace", "t-1"));
    CHECK_OK(tb_request_add_header(r, "X-Empty", ""));
    tb_response *resp = NULL;
    CHECK_OK(tb_yativo_send(c, r, &resp));
    fake_server_last_head(server, head, sizeof head);
    static const char line[] = "GET /api/wallet/balance?q=a+b%26c%3Dd%2F%C3%A9&empty=&q=2 HTTP/1.1\r\n";
    CHECK(strncmp(head, line, strlen(line)) == 0, "the request line:\n%s", head);
    CHECK(head_has(head, "X-Trace: t-1") && head_has(head, "X-Empty: "), "our headers sent:\n%s",
          head);
    CHECK(head_has(head, "Authorization: Bearer wire-token"), "the client's token sent:\n%s",
          head);

    /* The answer as it came: the body with its NULs, repeated headers in order. */
    if (resp) {
        size_t len = 0;
        const char *body = body_text(resp, &len);
        CHECK(len == 5 && memcmp(body, "a\0b\0c", 6) == 0, "a body with NULs, %zu bytes", len);
        const char *value = NULL;
        size_t value_len = 0;
        CHECK_OK(tb_response_header(resp, "X-DUP", &value, &value_len));
        CHECK(value && strcmp(value, "one") == 0 && value_len == 3, "the first X-Dup: %s",
              value ? value : "(NULL)");
        CHECK_OK(tb_response_header(resp, "x-latin1", &value, &value_len));
        CHECK(value && strcmp(value, "caf\xef\xbf\xbd") == 0 && value_len == 6,
              "a Latin-1 byte becomes U+FFFD: %s", value ? value : "(NULL)");
        const char *names[8] = {0}, *values[8] = {0};
        size_t count = tb_response_header_count(resp);
        CHECK(count == 6, "%zu headers", count);
        for (size_t i = 0; i < count && i < 8; i++)
            CHECK_OK(tb_response_header_at(resp, i, &names[i], NULL, &values[i], NULL));
        /* Names lower-cased; a repeated name's values together, in the order they came
         * (the http crate's HeaderMap keeps them so). */
        int one = -1, two = -1, latin1 = -1;
        for (size_t i = 0; i < count && i < 8; i++) {
            if (!names[i] || !values[i]) continue;
            if (strcmp(names[i], "x-dup") == 0 && strcmp(values[i], "one") == 0) one = (int)i;
            if (strcmp(names[i], "x-dup") == 0 && strcmp(values[i], "two") == 0) two = (int)i;
            if (strcmp(names[i], "x-latin1") == 0) latin1 = (int)i;
        }
        CHECK(one >= 0 && two == one + 1 && latin1 >= 0,
              "x-dup: one, then x-dup: two, lower-cased (at %d and %d)", one, two);
        tb_response_free(resp);
    }
    tb_request_free(r);

    /* A form POST with our idempotency key; then a raw body (with NUL) with its type. */
    r = new_request("POST", "payouts");
    CHECK_OK(tb_request_add_form_field(r, "a", "1"));
    CHECK_OK(tb_request_set_idempotency_key(r, "my-key-1"));
    resp = NULL;
    CHECK_OK(tb_yativo_send(c, r, &resp));
    tb_response_free(resp);
    fake_server_last_head(server, head, sizeof head);
    CHECK(strncmp(head, "POST /api/payouts HTTP/1.1\r\n", 28) == 0, "POST line:\n%s", head);
    CHECK(head_has(head, "Idempotency-Key: my-key-1"), "our idempotency key sent:\n%s", head);
    const char *first_key = strstr(head, "dempotency-");
    CHECK(first_key && !strstr(first_key + 1, "dempotency-"), "only ours:\n%s", head);
    CHECK(head_has(head, "Content-Type: application/x-www-form-urlencoded"),
          "a form's content type:\n%s", head);
    CHECK(head_has(head, "Content-Length: 3"), "a=1 is 3 bytes:\n%s", head);

    static const uint8_t raw[] = {'x', 0, 'y', 0xff};
    CHECK_OK(tb_request_set_body(r, "application/x-test", raw, sizeof raw));
    resp = NULL;
    CHECK_OK(tb_yativo_send(c, r, &resp));
    tb_response_free(resp);
    fake_server_last_head(server, head, sizeof head);
    CHECK(head_has(head, "Content-Type: application/x-test") &&
              head_has(head, "Content-Length: 4") && !strstr(head, "x-www-form-urlencoded"),
          "a raw body replaces the form, with its type:\n%s", head);

    /* An empty raw body (NULL bytes, length 0). */
    CHECK_OK(tb_request_set_body(r, "text/plain", NULL, 0));
    resp = NULL;
    CHECK_OK(tb_yativo_send(c, r, &resp));
    tb_response_free(resp);
    fake_server_last_head(server, head, sizeof head);
    CHECK(head_has(head, "Content-Type: text/plain") &&
              (head_has(head, "Content-Length: 0") || !strstr(head, "ength:")),
          "an empty body:\n%s", head);
    tb_request_free(r);

    tb_yativo_client_free(c);
    fake_server_stop(server);
}

/* ------------------------------------------------------------ hostile arguments */

static void test_builder_arguments(void) {
    tb_request *r = SENTINEL;
    CHECK_INVALID(tb_request_new(NULL, "x", &r), "`method`");
    CHECK_INVALID(tb_request_new("GET", NULL, &r), "`path`");
    CHECK_INVALID(tb_request_new("GET", "x", NULL), "`out`");
    CHECK_INVALID(tb_request_new(BAD_UTF8, "x", &r), "`method`: is not valid UTF-8");
    CHECK_INVALID(tb_request_new("GET", BAD_UTF8, &r), "`path`: is not valid UTF-8");
    CHECK_INVALID(tb_request_new("", "x", &r), "`method`");
    CHECK_INVALID(tb_request_new("GET", "", &r), "`path`");
    CHECK_INVALID(tb_request_new("TRACE", "x", &r), "`method`");
    CHECK_INVALID(tb_request_new("GET", "https://evil.example/x", &r), "`path`");
    CHECK_INVALID(tb_request_new("GET", "x?y=1", &r), "`path`");
    CHECK(r == SENTINEL, "out untouched after refusals");
    const char *methods[] = {"GET", "head", "Options", "POST", "put", "PATCH", "delete"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        r = NULL;
        CHECK_OK(tb_request_new(methods[i], "x", &r));
        CHECK(r != NULL, "%s", methods[i]);
        tb_request_free(r);
    }

    r = new_request("POST", "x");
    typedef tb_status (*pair_fn)(tb_request *, const char *, const char *);
    const pair_fn pairs[] = {tb_request_add_query, tb_request_add_header,
                             tb_request_add_form_field};
    const char *pair_names[] = {"tb_request_add_query", "tb_request_add_header",
                                "tb_request_add_form_field"};
    for (size_t i = 0; i < 3; i++) {
        check_invalid(pairs[i](NULL, "n", "v"), "`request`", __LINE__, pair_names[i]);
        check_invalid(pairs[i](r, NULL, "v"), "`name`", __LINE__, pair_names[i]);
        check_invalid(pairs[i](r, "n", NULL), "`value`", __LINE__, pair_names[i]);
        check_invalid(pairs[i](r, BAD_UTF8, "v"), "`name`: is not valid UTF-8", __LINE__,
                      pair_names[i]);
        check_invalid(pairs[i](r, "n", BAD_UTF8), "`value`: is not valid UTF-8", __LINE__,
                      pair_names[i]);
        /* Empty names and values are taken (a header's name is checked when sent). */
        CHECK(pairs[i](r, "", "v") == TB_OK, "%s with an empty name", pair_names[i]);
        CHECK(pairs[i](r, "n", "") == TB_OK, "%s with an empty value", pair_names[i]);
    }
    CHECK_INVALID(tb_request_set_json(NULL, "{}"), "`request`");
    CHECK_INVALID(tb_request_set_json(r, NULL), "`json`");
    CHECK_INVALID(tb_request_set_json(r, BAD_UTF8), "`json`: is not valid UTF-8");
    CHECK_INVALID(tb_request_set_json(r, ""), "`json`: is not valid JSON");
    CHECK_INVALID(tb_request_set_json(r, "{\"secret\": \"hunter2"), "`json`: is not valid JSON");
    CHECK(!strstr(last_message(), "hunter2"), "the JSON is not quoted");
    CHECK_OK(tb_request_set_json(r, "null"));

    static const uint8_t one[] = {1};
    CHECK_INVALID(tb_request_set_body(NULL, "text/plain", one, 1), "`request`");
    CHECK_INVALID(tb_request_set_body(r, NULL, one, 1), "`content_type`");
    CHECK_INVALID(tb_request_set_body(r, BAD_UTF8, one, 1), "`content_type`: is not valid UTF-8");
    CHECK_INVALID(tb_request_set_body(r, "", one, 1), "`content_type`: must not be empty");
    CHECK_INVALID(tb_request_set_body(r, "text/plain", NULL, 1), "`bytes`");
    CHECK_INVALID(tb_request_set_body(r, "text/plain", one, (size_t)-1), "`len`");
    CHECK_OK(tb_request_set_body(r, "text/plain", NULL, 0));
    CHECK_OK(tb_request_set_body(r, "text/plain", one, 0));

    CHECK_INVALID(tb_request_set_idempotency_key(NULL, "k"), "`request`");
    CHECK_INVALID(tb_request_set_idempotency_key(r, NULL), "`idempotency_key`");
    CHECK_INVALID(tb_request_set_idempotency_key(r, BAD_UTF8),
                  "`idempotency_key`: is not valid UTF-8");
    CHECK_INVALID(tb_request_set_idempotency_key(r, ""), "`idempotency_key`: must not be empty");
    CHECK_INVALID(tb_request_set_idempotency_key(r, "  "), "`idempotency_key`: must not be empty");
    CHECK_OK(tb_request_set_idempotency_key(r, "k"));

    CHECK_INVALID(tb_request_allow_authorization_header(NULL, true), "`request`");
    CHECK_OK(tb_request_allow_authorization_header(r, true));
    tb_request_free(r);
    tb_request_free(NULL);
}

static tb_status send_uc(void *c, const tb_request *r, tb_response **out) {
    return tb_ucontact_send(c, r, out);
}
static tb_status send_yt(void *c, const tb_request *r, tb_response **out) {
    return tb_yativo_send(c, r, out);
}
static tb_status send_an(void *c, const tb_request *r, tb_response **out) {
    return tb_anna_send(c, r, out);
}

static void test_send_arguments(void) {
    struct {
        const char *name;
        tb_status (*send)(void *, const tb_request *, tb_response **);
        void *client;
        const char *method, *path;
    } apis[] = {
        {"tb_ucontact_send", send_uc, NULL, "POST", "Integra/resources/Dialers/DialerTask"},
        {"tb_yativo_send", send_yt, NULL, "GET", "wallet/balance"},
        {"tb_anna_send", send_an, NULL, "POST", "REST/AnnACorporate/Ping"},
    };
    apis[0].client = g_uc;
    apis[1].client = g_yt;
    apis[2].client = g_an;
    for (size_t i = 0; i < 3; i++) {
        tb_request *r = new_request(apis[i].method, apis[i].path);
        tb_response *resp = SENTINEL;
        check_invalid(apis[i].send(NULL, r, &resp), "`c`", __LINE__, apis[i].name);
        check_invalid(apis[i].send(apis[i].client, NULL, &resp), "`request`", __LINE__,
                      apis[i].name);
        check_invalid(apis[i].send(apis[i].client, r, NULL), "`out`", __LINE__, apis[i].name);
        CHECK(resp == SENTINEL, "%s: out untouched", apis[i].name);
        resp = NULL;
        tb_status s = apis[i].send(apis[i].client, r, &resp);
        CHECK(s == TB_OK && tb_response_status(resp) == 200, "%s: %s %u (%s)", apis[i].name,
              tb_status_name(s), tb_response_status(resp), last_message());
        tb_response_free(resp);
        tb_request_free(r);
    }
}

static void test_response_arguments(void) {
    tb_request *r = new_request("GET", "wallet/balance");
    tb_response *resp = NULL;
    CHECK_OK(tb_yativo_send(g_yt, r, &resp));
    tb_request_free(r); /* the response outlives its request */
    if (!resp) return;

    CHECK(tb_response_status(NULL) == 0, "status of NULL");
    CHECK(tb_response_header_count(NULL) == 0, "header count of NULL");

    const uint8_t *bytes = SENTINEL;
    size_t len = SENTINEL_LEN;
    CHECK_INVALID(tb_response_body(NULL, &bytes, &len), "`response`");
    CHECK_INVALID(tb_response_body(resp, NULL, &len), "`out_bytes`");
    CHECK_INVALID(tb_response_body(resp, &bytes, NULL), "`out_len`");
    CHECK(bytes == SENTINEL && len == SENTINEL_LEN, "body outputs untouched");

    const char *name = SENTINEL, *value = SENTINEL;
    size_t name_len = SENTINEL_LEN, value_len = SENTINEL_LEN;
    CHECK_INVALID(tb_response_header_at(NULL, 0, &name, &name_len, &value, &value_len),
                  "`response`");
    CHECK_INVALID(tb_response_header_at(resp, 0, NULL, &name_len, &value, &value_len),
                  "`out_name`");
    CHECK_INVALID(tb_response_header_at(resp, 0, &name, &name_len, NULL, &value_len),
                  "`out_value`");
    CHECK(name == SENTINEL && value == SENTINEL && name_len == SENTINEL_LEN &&
              value_len == SENTINEL_LEN,
          "header_at outputs untouched");
    CHECK_OK(tb_response_header_at(resp, 0, &name, NULL, &value, NULL)); /* lengths optional */
    CHECK(name != SENTINEL && value != SENTINEL && name_len == SENTINEL_LEN, "header 0");

    value = SENTINEL;
    value_len = SENTINEL_LEN;
    CHECK_INVALID(tb_response_header(NULL, "content-type", &value, &value_len), "`response`");
    CHECK_INVALID(tb_response_header(resp, NULL, &value, &value_len), "`name`");
    CHECK_INVALID(tb_response_header(resp, BAD_UTF8, &value, &value_len),
                  "`name`: is not valid UTF-8");
    CHECK_INVALID(tb_response_header(resp, "content-type", NULL, &value_len), "`out_value`: is NULL");
    CHECK(value == SENTINEL && value_len == SENTINEL_LEN, "header outputs untouched");
    CHECK(tb_response_header(resp, "", &value, &value_len) == TB_ABSENT, "empty name: TB_ABSENT");
    CHECK(value == NULL && value_len == 0, "an empty name is no header");
    CHECK_OK(tb_response_header(resp, "content-type", &value, NULL));
    CHECK(value && strstr(value, "json"), "Content-Type with the length not wanted");

    tb_response_free(resp);
    tb_response_free(NULL);
}

/* ------------------------------------------------------------ main */

/* ------------------------------------------------------------ Yativo: webhooks */

/* The value of header `name` (any case) in a request head, copied into buf; NULL
 * when the head has no such header. */
static const char *head_value(const char *head, const char *name, char *buf, size_t size) {
    size_t n = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, name, n) == 0 && line[2 + n] == ':') {
            const char *v = line + 3 + n;
            while (*v == ' ') v++;
            const char *end = strstr(v, "\r\n");
            size_t len = end ? (size_t)(end - v) : strlen(v);
            if (len >= size) len = size - 1;
            memcpy(buf, v, len);
            buf[len] = '\0';
            return buf;
        }
    }
    return NULL;
}

/* Whether `needle` (n bytes) stands in `hay` (len bytes); memmem is not portable. */
static bool holds_bytes(const char *hay, size_t len, const char *needle, size_t n) {
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (memcmp(hay + i, needle, n) == 0) return true;
    return false;
}

static const char WEBHOOK_OK[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/* One payout with the sandbox POSTing its signed event to our fake server in the
 * given header form and tamper mode; then tb_yativo_webhook_verify on what came. */
static void webhook_case(fake_server *fs, const char *header, bool prefix, const char *tamper,
                         tb_status want, const char *refused) {
    char sub[512];
    snprintf(sub, sizeof sub,
             "{\"url\": \"http://127.0.0.1:%d/hook\", \"secret\": \"whsec_c_current\", "
             "\"header\": \"%s\", \"prefix\": %s, \"tamper\": \"%s\", \"times\": 1, "
             "\"timeout_ms\": 5000}",
             fake_server_port(fs), header, prefix ? "true" : "false", tamper);
    sandbox_control("DELETE", "webhooks", NULL);
    sandbox_control("POST", "webhooks", sub);
    unsigned before = fake_server_requests(fs);
    tb_request *r = new_request("POST", "payouts");
    CHECK_OK(tb_request_set_json(r, "{\"amount\": \"12.34\", \"currency\": \"USD\"}"));
    tb_response *resp = NULL;
    CHECK_OK(tb_yativo_send(g_yt, r, &resp));
    tb_response_free(resp);
    tb_request_free(r);
    /* Delivery runs on the sandbox's own thread: wait for it, at most 10 s. */
    for (int i = 0; i < 200 && fake_server_requests(fs) == before; i++) {
        struct timespec pause = {0, 50 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    CHECK(fake_server_requests(fs) == before + 1, "%s %s: the webhook came", header, tamper);
    char head[8192], value[256];
    static char body[FAKE_BODY_MAX];
    fake_server_last_head(fs, head, sizeof head);
    size_t body_len = fake_server_last_body(fs, body, sizeof body);
    CHECK(strncmp(head, "POST /hook ", 11) == 0, "the webhook's request line: %.40s", head);
    const char *signature = head_value(head, header, value, sizeof value);
    CHECK(signature != NULL, "%s %s: the head has the signature header:\n%s", header, tamper, head);
    if (!signature) return;
    CHECK(!prefix || strncmp(signature, "sha256=", 7) == 0 || strcmp(tamper, "empty") == 0,
          "%s: the value has its prefix: %s", header, signature);

    /* The current secret second, as after a rotation: either one verifies. */
    const char *secrets[] = {"whsec_c_old", "whsec_c_current"};
    tb_yativo_event *event = (tb_yativo_event *)&g_sentinel_object;
    tb_status s = tb_yativo_webhook_verify((const uint8_t *)body, body_len, header, signature,
                                           secrets, 2, &event);
    CHECK(s == want, "%s prefix=%d tamper=%s: %s, wanted %s (%s)", header, prefix, tamper,
          tb_status_name(s), tb_status_name(want), last_message());
    if (s == TB_OK) {
        const char *text = NULL;
        size_t len = 0;
        CHECK_OK(tb_yativo_event_type(event, &text, &len));
        CHECK(text && strcmp(text, "payout.created") == 0 && len == strlen(text), "type %s",
              text ? text : "(NULL)");
        CHECK_OK(tb_yativo_event_id(event, &text, NULL));
        CHECK(text && strncmp(text, "evt_", 4) == 0 && strlen(text) == 36, "id %s",
              text ? text : "(NULL)");
        int64_t at = 0;
        CHECK_OK(tb_yativo_event_created_at(event, &at));
        CHECK(at > 1700000000 && at <= (int64_t)time(NULL) + 5, "created_at %lld", (long long)at);
        CHECK_OK(tb_yativo_event_data_json(event, &text, &len));
        CHECK(text && text[0] == '{' && strstr(text, "\"amount\":\"12.34\"") && strstr(text, "po_"),
              "data %s", text ? text : "(NULL)");
        /* data is the body's own bytes: found in it as they came. */
        CHECK(text && len > 0 && holds_bytes(body, body_len, text, len),
              "data is the raw JSON text of the body");
        size_t which = 9;
        CHECK_OK(tb_yativo_event_secret_index(event, &which));
        CHECK(which == 1, "the second secret signed it, not %zu", which);
        tb_yativo_event_free(event);
    } else {
        CHECK(event == (tb_yativo_event *)&g_sentinel_object, "a refusal writes no event");
        const char *m = last_message();
        CHECK(strstr(m, refused) != NULL, "%s %s: the message \"%s\" says \"%s\"", header, tamper,
              m, refused);
        CHECK(!strstr(m, "whsec_c_"), "the message holds no secret: %s", m);
        char *arg = tb_last_error_parameter();
        CHECK(arg && strcmp(arg, "header_value") == 0, "parameter %s", arg ? arg : "(NULL)");
        tb_string_free(arg);
    }
}

static void test_webhooks(void) {
    fake_route routes[] = {{NULL, FAKE_REPLY, WEBHOOK_OK, 0}};
    fake_server *fs = fake_server_start(routes, 1);
    CHECK(fs != NULL, "the webhook receiver started");
    if (!fs) return;
    /* Each header form, bare hex and sha256=. */
    webhook_case(fs, "X-Yativo-Signature", false, "none", TB_OK, "");
    webhook_case(fs, "X-Webhook-Signature", true, "none", TB_OK, "");
    webhook_case(fs, "Signature", false, "none", TB_OK, "");
    webhook_case(fs, "Signature", true, "none", TB_OK, "");
    /* What the receiver must refuse. */
    webhook_case(fs, "X-Yativo-Signature", false, "body", TB_INVALID_ARGUMENT,
                 "matches none of the 2 webhook secret(s)");
    webhook_case(fs, "X-Yativo-Signature", false, "wrong_secret", TB_INVALID_ARGUMENT,
                 "matches none of the 2 webhook secret(s)");
    webhook_case(fs, "X-Webhook-Signature", false, "truncated", TB_INVALID_ARGUMENT,
                 "is not a hex HMAC-SHA256");
    webhook_case(fs, "Signature", true, "non_hex", TB_INVALID_ARGUMENT, "is not a hex HMAC-SHA256");
    webhook_case(fs, "X-Yativo-Signature", false, "empty", TB_INVALID_ARGUMENT,
                 "is not a hex HMAC-SHA256");
    sandbox_control("DELETE", "webhooks", NULL);
    fake_server_stop(fs);

    /* The arguments, each named. */
    const char *one[] = {"s"}, *with_null[] = {"s", NULL};
    const uint8_t body[] = "{}";
    tb_yativo_event *event = (tb_yativo_event *)&g_sentinel_object;
    check_invalid(tb_yativo_webhook_verify(NULL, 2, "Signature", "00", one, 1, &event),
                  "`body`: is NULL with body_len 2", __LINE__, "NULL body");
    check_invalid(tb_yativo_webhook_verify(body, 2, NULL, "00", one, 1, &event), "`header_name`",
                  __LINE__, "NULL header_name");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", NULL, one, 1, &event),
                  "`header_value`", __LINE__, "NULL header_value");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", BAD_UTF8, one, 1, &event),
                  "`header_value`: is not valid UTF-8", __LINE__, "bad UTF-8 header_value");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", "00", NULL, 1, &event),
                  "`secrets`: is NULL", __LINE__, "NULL secrets");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", "00", one, 0, &event),
                  "`secret_count`", __LINE__, "no secret");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", "00", with_null, 2, &event),
                  "`secrets`: is NULL", __LINE__, "a NULL secret");
    const char *empty[] = {""};
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", "00", empty, 1, &event),
                  "`secrets`: secret 1 of 1 is empty", __LINE__, "an empty secret");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", "00", one, 1, NULL), "`out`",
                  __LINE__, "NULL out");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Authorization", "00", one, 1, &event),
                  "`header_name`: `Authorization` is not a Yativo signature header", __LINE__,
                  "another header");
    check_invalid(tb_yativo_webhook_verify(body, 2, "Signature", "00", one, 1, &event),
                  "`header_value`", __LINE__, "a short signature");
    CHECK(event == (tb_yativo_event *)&g_sentinel_object, "refusals write no event");
    /* A correctly signed body that is no event names `body`. HMAC-SHA256 with the
     * secret "s", from: printf '%s' '{"hello": 1}' | openssl dgst -sha256 -hmac s */
    const char *payload = "{\"hello\": 1}";
    const char *sig = "866ab332b8cfa38658b9a40d8b5bd943667c27bd7ed7ba379c2c4d9db5176bc0";
    check_invalid(tb_yativo_webhook_verify((const uint8_t *)payload, strlen(payload), "signature",
                                           sig, one, 1, &event),
                  "`body`: the body is not a Yativo event", __LINE__, "a signed non-event");
    CHECK(event == (tb_yativo_event *)&g_sentinel_object, "no event for a non-event");
    int64_t at = 7;
    CHECK(tb_yativo_event_created_at(NULL, &at) == TB_INVALID_ARGUMENT && at == 7,
          "tb_yativo_event_created_at(NULL)");
    tb_yativo_event_free(NULL);
}

int main(void) {
    const char *url = getenv("TOKENBRIDGE_SANDBOX_URL");
    if (!url || !*url) {
        fprintf(stderr, "TOKENBRIDGE_SANDBOX_URL is not set (run bindings/c/run-hostile.sh)\n");
        return 2;
    }
    snprintf(g_url, sizeof g_url, "%s", url);
    snprintf(g_uc_url, sizeof g_uc_url, "%s/ucontact", url);
    snprintf(g_yt_url, sizeof g_yt_url, "%s/yativo/api/v1", url);
    snprintf(g_an_url, sizeof g_an_url, "%s/anna/", url);
    snprintf(g_control_url, sizeof g_control_url, "%s/__sandbox", url);

    g_cfg = new_config();
    CHECK_OK(tb_ucontact_client_new(g_cfg, g_uc_url, UC_USER, UC_PASSWORD,
                                    TB_UCONTACT_LOGIN_API_USER, &g_uc));
    CHECK_OK(tb_yativo_client_new(g_cfg, g_yt_url, YT_ACCOUNT, YT_SECRET, &g_yt));
    CHECK_OK(tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, AN_PASS, &g_an));
    CHECK_OK(tb_yativo_client_new(g_cfg, g_control_url, "none", "none", &g_control));
    CHECK_OK(tb_yativo_set_token(g_control, "control-reader", 0));
    if (!g_uc || !g_yt || !g_an || !g_control) {
        fprintf(stderr, "the clients could not be created\n");
        return 2;
    }

    test_builder_arguments();
    test_send_arguments();
    test_response_arguments();
    test_yativo_payout();
    test_ucontact_form();
    test_anna_json();
    test_head_and_query();
    test_refusals();
    test_big_body();
    test_unauthorized();
    test_wire();
    test_webhooks();

    tb_ucontact_client_free(g_uc);
    tb_yativo_client_free(g_yt);
    tb_anna_client_free(g_an);
    tb_yativo_client_free(g_control);
    tb_config_free(g_cfg);

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
