/*
 * Hostile input through the C ABI: every exported function that takes a pointer,
 * with NULL in each pointer argument, and every string argument as invalid UTF-8,
 * as an empty string and as a 1 MiB string. Never a crash (run under valgrind by
 * run-hostile.sh): NULL and invalid UTF-8 give TB_INVALID_ARGUMENT with a message
 * naming the parameter (an optional parameter's NULL means "none"); an empty or
 * huge string gives TB_INVALID_ARGUMENT where the value cannot be valid, else the
 * documented result of the call. On every failure the thread's last error matches
 * the returned status and out-pointers are left untouched; on success outputs are
 * freed (valgrind checks nothing leaks).
 *
 * Also: out-of-range enum values, the functions without pointers, and that no C
 * error message shows a password or app secret.
 *
 * Needs TOKENBRIDGE_SANDBOX_URL (docs/sandbox-contract.md). Prints failed checks and
 * a final "N passed, M failed"; exits 1 when a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokenbridge.h"
#include "check.h"

/* ------------------------------------------------------------ the sandbox */

static char g_uc_url[512], g_yt_url[512], g_an_url[512];
static const char *UC_USER = "apiuser", *UC_PASSWORD = "s3cret&=+ \xc3\xa9";
static const char *YT_ACCOUNT = "acct-sandbox", *YT_SECRET = "yativo-secret";
static const char *AN_HASH = "COMPANYHASH", *AN_USER = "annauser", *AN_PASS = "anna-pass";

static tb_config *g_cfg;     /* the clients' settings, never changed by a case */
static tb_config *g_scratch; /* the one the tb_config_set_* cases change */
static tb_ucontact_client *g_uc, *g_uca;
static tb_yativo_client *g_yt;
static tb_anna_client *g_an;

static tb_config *new_config(void) {
    tb_config *cfg = tb_config_new();
    if (!cfg) {
        fprintf(stderr, "tb_config_new failed\n");
        exit(2);
    }
    tb_config_set_allow_http(cfg, true);
    tb_config_set_no_proxy(cfg);
    tb_config_set_retries(cfg, 0, 1, 1);
    tb_config_set_timeout_receive_ms(cfg, 10000);
    tb_config_set_end_session_on_close(cfg, false);
    return cfg;
}

/* ------------------------------------------------------------ argument kinds */

enum kind {
    CFG,      /* const tb_config *, NULL allowed (defaults) */
    CFG_REQ,  /* tb_config *, required */
    UC,       /* tb_ucontact_client * (an API user) */
    UCA,      /* tb_ucontact_client * (an agent) */
    YT,       /* tb_yativo_client * */
    AN,       /* tb_anna_client * */
    STR,      /* const char *, required */
    STR_OPT,  /* const char *, NULL means none */
    OUT_STR,  /* char **, required */
    OUT_STR_OPT,
    OUT_I64_OPT,
    OUT_U16,
    OUT_U64,
    OUT_UC,
    OUT_YT,
    OUT_AN,
};

#define MAX_ARGS 8

/* How an empty string in this argument must come out. */
enum empty_rule {
    EMPTY_ANY = 0,   /* a defined result of the call (documented per function) */
    EMPTY_INVALID,   /* TB_INVALID_ARGUMENT naming the parameter */
    EMPTY_INVALID_PAIR, /* TB_INVALID_ARGUMENT naming the parameter or its partner
                           (an empty user_id beside doc_type/doc_value is "given") */
};

struct arg {
    enum kind kind;
    const char *name;
    const char *value; /* strings: the valid value */
    enum empty_rule empty;
};

struct hcase {
    const char *function;
    tb_status (*call)(void **a);
    struct arg args[MAX_ARGS];
};

/* A handle or out-pointer argument (no string value). */
#define P(kind, name) {kind, name, NULL, EMPTY_ANY}

/* ------------------------------------------------------------ wrappers */

#define W(name, expr) \
    static tb_status name(void **a) { return (expr); }

W(w_cfg_proxy, tb_config_set_proxy(a[0], a[1]))
W(w_cfg_no_proxy, tb_config_set_no_proxy(a[0]))
W(w_cfg_ua, tb_config_set_user_agent(a[0], a[1]))
W(w_cfg_ca, tb_config_set_extra_ca_file(a[0], a[1]))
W(w_cfg_tc, tb_config_set_timeout_connect_ms(a[0], 1000))
W(w_cfg_ts, tb_config_set_timeout_send_ms(a[0], 1000))
W(w_cfg_tr, tb_config_set_timeout_receive_ms(a[0], 10000))
W(w_cfg_http, tb_config_set_allow_http(a[0], true))
W(w_cfg_max, tb_config_set_max_response_bytes(a[0], 1 << 20))
W(w_cfg_roots, tb_config_set_tls_roots(a[0], TB_TLS_ROOTS_MOZILLA))
W(w_cfg_retries, tb_config_set_retries(a[0], 0, 1, 1))
W(w_cfg_ahead, tb_config_set_refresh_ahead_ms(a[0], 60000))
W(w_cfg_dns, tb_config_set_dns_cache_ttl_ms(a[0], 60000))
W(w_cfg_end, tb_config_set_end_session_on_close(a[0], false))

W(w_uc_new, tb_ucontact_client_new(a[0], a[1], a[2], a[3], TB_UCONTACT_LOGIN_API_USER, a[4]))
W(w_uc_token_get, tb_ucontact_get_user_token(a[0], a[1]))
W(w_uc_agent, tb_ucontact_agent_login(a[0], a[1]))
W(w_uc_end, tb_ucontact_end_session(a[0]))
W(w_uc_token, tb_ucontact_token(a[0], a[1]))
W(w_uc_set, tb_ucontact_set_token(a[0], a[1]))
W(w_uc_call, tb_ucontact_call(a[0], a[1], a[2], TB_BODY_FORM, a[3], a[4], a[5]))

W(w_yt_new, tb_yativo_client_new(a[0], a[1], a[2], a[3], a[4]))
W(w_yt_login, tb_yativo_login(a[0], a[1], a[2]))
W(w_yt_refresh, tb_yativo_refresh_token(a[0], a[1], a[2]))
W(w_yt_token, tb_yativo_token(a[0], a[1]))
W(w_yt_set, tb_yativo_set_token(a[0], a[1], 0))
W(w_yt_call, tb_yativo_call(a[0], a[1], a[2], TB_BODY_JSON, a[3], a[4], a[5]))

W(w_an_new, tb_anna_client_new(a[0], a[1], a[2], a[3], a[4], a[5]))
W(w_an_get, tb_anna_get_token(a[0], a[1], a[2]))
W(w_an_hash, tb_anna_user_hash(a[0], a[1], a[2], a[3]))
W(w_an_forced, tb_anna_user_hash_forced(a[0], a[1], a[2], a[3], a[4]))
W(w_an_inactivate, tb_anna_inactivate_user(a[0], a[1], a[2]))
W(w_an_structure, tb_anna_messenger_structure(a[0], a[1]))
W(w_an_counter, tb_anna_messenger_alert_counter(a[0], a[1], a[2], a[3], a[4], a[5]))
W(w_an_requests, tb_anna_messenger_requests(a[0], a[1], a[2], a[3], a[4], a[5]))
W(w_an_link, tb_anna_messenger_link(a[0], a[1], a[2], a[3], a[4]))
W(w_an_token, tb_anna_token(a[0], a[1]))
W(w_an_set, tb_anna_set_token(a[0], a[1], 0))
W(w_an_call, tb_anna_call(a[0], a[1], a[2], TB_BODY_JSON, a[3], a[4], a[5]))

/* The valid token set before set_token calls (any non-empty text is accepted). */
#define FILTER "{\"date_from\": \"2024-01-01\", \"status\": \"open\"}"

static struct hcase g_cases[] = {
    {"tb_config_set_proxy", w_cfg_proxy, {P(CFG_REQ, "cfg"), {STR, "url", "http://proxy.example:3128", EMPTY_INVALID}}},
    {"tb_config_set_no_proxy", w_cfg_no_proxy, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_user_agent", w_cfg_ua, {P(CFG_REQ, "cfg"), {STR, "user_agent", "hostile/1.0", EMPTY_ANY}}},
    {"tb_config_set_extra_ca_file", w_cfg_ca, {P(CFG_REQ, "cfg"), {STR, "path", "/etc/ssl/certs/ca-certificates.crt", EMPTY_INVALID}}},
    {"tb_config_set_timeout_connect_ms", w_cfg_tc, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_timeout_send_ms", w_cfg_ts, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_timeout_receive_ms", w_cfg_tr, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_allow_http", w_cfg_http, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_max_response_bytes", w_cfg_max, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_tls_roots", w_cfg_roots, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_retries", w_cfg_retries, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_refresh_ahead_ms", w_cfg_ahead, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_dns_cache_ttl_ms", w_cfg_dns, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_end_session_on_close", w_cfg_end, {P(CFG_REQ, "cfg")}},

    {"tb_ucontact_client_new", w_uc_new,
     {P(CFG, "cfg"), {STR, "server", g_uc_url, EMPTY_INVALID}, {STR, "user", "apiuser", EMPTY_ANY},
      {STR, "password", "s3cret&=+ \xc3\xa9", EMPTY_ANY}, P(OUT_UC, "out")}},
    {"tb_ucontact_get_user_token", w_uc_token_get, {P(UC, "c"), P(OUT_STR, "out_token")}},
    {"tb_ucontact_agent_login", w_uc_agent, {P(UCA, "c"), P(OUT_STR, "out_profile_json")}},
    {"tb_ucontact_token", w_uc_token, {P(UC, "c"), P(OUT_STR, "out_token")}},
    {"tb_ucontact_set_token", w_uc_set, {P(UC, "c"), {STR, "token", "VUMtVE9LRU4=", EMPTY_INVALID}}},
    {"tb_ucontact_end_session", w_uc_end, {P(UC, "c")}},
    {"tb_ucontact_call", w_uc_call,
     {P(UC, "c"), {STR, "method", "POST", EMPTY_INVALID},
      {STR, "path", "Integra/resources/Dialers/DialerTask", EMPTY_INVALID},
      {STR, "body", "{\"campaign\": \"Sales\"}", EMPTY_INVALID}, P(OUT_U16, "out_status"),
      P(OUT_STR, "out_body")}},

    {"tb_yativo_client_new", w_yt_new,
     {P(CFG, "cfg"), {STR, "base_url", g_yt_url, EMPTY_INVALID}, {STR, "account_id", "acct-sandbox", EMPTY_ANY},
      {STR, "app_secret", "yativo-secret", EMPTY_ANY}, P(OUT_YT, "out")}},
    {"tb_yativo_login", w_yt_login, {P(YT, "c"), P(OUT_STR, "out_access_token"), P(OUT_I64_OPT, "out_expires_at")}},
    {"tb_yativo_refresh_token", w_yt_refresh,
     {P(YT, "c"), P(OUT_STR, "out_access_token"), P(OUT_I64_OPT, "out_expires_at")}},
    {"tb_yativo_token", w_yt_token, {P(YT, "c"), P(OUT_STR, "out_token")}},
    {"tb_yativo_set_token", w_yt_set, {P(YT, "c"), {STR, "token", "not-a-jwt-but-a-token", EMPTY_INVALID}}},
    {"tb_yativo_call", w_yt_call,
     {P(YT, "c"), {STR, "method", "GET", EMPTY_INVALID}, {STR, "path", "wallet/balance", EMPTY_INVALID},
      {STR, "body", "{}", EMPTY_INVALID}, P(OUT_U16, "out_status"), P(OUT_STR, "out_body")}},

    {"tb_anna_client_new", w_an_new,
     {P(CFG, "cfg"), {STR, "base_url", g_an_url, EMPTY_INVALID}, {STR, "company_hash", "COMPANYHASH", EMPTY_ANY},
      {STR, "user", "annauser", EMPTY_ANY}, {STR, "pass", "anna-pass", EMPTY_ANY}, P(OUT_AN, "out")}},
    {"tb_anna_get_token", w_an_get, {P(AN, "c"), P(OUT_STR, "out_token"), P(OUT_I64_OPT, "out_expires_at")}},
    {"tb_anna_user_hash", w_an_hash,
     {P(AN, "c"), {STR, "user_id", "42", EMPTY_INVALID}, {STR_OPT, "start_service", "sales", EMPTY_ANY},
      P(OUT_STR, "out_access_data_json")}},
    {"tb_anna_user_hash_forced", w_an_forced,
     {P(AN, "c"), {STR, "user_id", "42", EMPTY_INVALID}, {STR, "user_name", "Ana Souza", EMPTY_INVALID},
      {STR_OPT, "start_service", "", EMPTY_ANY}, P(OUT_STR, "out_access_data_json")}},
    {"tb_anna_inactivate_user", w_an_inactivate,
     {P(AN, "c"), {STR, "user_id", "7", EMPTY_INVALID}, P(OUT_STR_OPT, "out_message")}},
    {"tb_anna_messenger_structure", w_an_structure, {P(AN, "c"), P(OUT_STR, "out_structure_json")}},
    {"tb_anna_messenger_alert_counter (user id)", w_an_counter,
     {P(AN, "c"), {STR, "user_id", "42", EMPTY_INVALID}, {STR_OPT, "doc_type", NULL, EMPTY_INVALID},
      {STR_OPT, "doc_value", NULL, EMPTY_INVALID}, {STR_OPT, "filter_json", FILTER, EMPTY_ANY},
      P(OUT_U64, "out_count")}},
    {"tb_anna_messenger_alert_counter (document)", w_an_counter,
     {P(AN, "c"), {STR_OPT, "user_id", NULL, EMPTY_INVALID_PAIR}, {STR, "doc_type", "CPF", EMPTY_INVALID},
      {STR, "doc_value", "12345678900", EMPTY_INVALID}, {STR_OPT, "filter_json", NULL, EMPTY_ANY},
      P(OUT_U64, "out_count")}},
    {"tb_anna_messenger_requests (user id)", w_an_requests,
     {P(AN, "c"), {STR, "user_id", "42", EMPTY_INVALID}, {STR_OPT, "doc_type", NULL, EMPTY_INVALID},
      {STR_OPT, "doc_value", NULL, EMPTY_INVALID}, {STR_OPT, "filter_json", FILTER, EMPTY_ANY},
      P(OUT_STR, "out_requests_json")}},
    {"tb_anna_messenger_requests (document)", w_an_requests,
     {P(AN, "c"), {STR_OPT, "user_id", NULL, EMPTY_INVALID_PAIR}, {STR, "doc_type", "CPF", EMPTY_INVALID},
      {STR, "doc_value", "12345678900", EMPTY_INVALID}, {STR_OPT, "filter_json", "", EMPTY_ANY},
      P(OUT_STR, "out_requests_json")}},
    {"tb_anna_messenger_link (user id)", w_an_link,
     {P(AN, "c"), {STR, "user_id", "42", EMPTY_INVALID}, {STR_OPT, "doc_type", NULL, EMPTY_INVALID},
      {STR_OPT, "doc_value", NULL, EMPTY_INVALID}, P(OUT_STR, "out_link")}},
    {"tb_anna_messenger_link (document)", w_an_link,
     {P(AN, "c"), {STR_OPT, "user_id", NULL, EMPTY_INVALID_PAIR}, {STR, "doc_type", "CPF", EMPTY_INVALID},
      {STR, "doc_value", "12345678900", EMPTY_INVALID}, P(OUT_STR, "out_link")}},
    {"tb_anna_token", w_an_token, {P(AN, "c"), P(OUT_STR, "out_token")}},
    {"tb_anna_set_token", w_an_set, {P(AN, "c"), {STR, "token", "anna-token", EMPTY_INVALID}}},
    {"tb_anna_call", w_an_call,
     {P(AN, "c"), {STR, "method", "POST", EMPTY_INVALID}, {STR, "path", "REST/AnnACorporate/Ping", EMPTY_INVALID},
      {STR, "body", "{\"x\": 1}", EMPTY_INVALID}, P(OUT_U16, "out_status"), P(OUT_STR, "out_body")}},
};

/* ------------------------------------------------------------ running a case */

static int nargs(const struct hcase *c) {
    int n = 0;
    while (n < MAX_ARGS && c->args[n].name) n++;
    return n;
}

static int is_string(enum kind k) { return k == STR || k == STR_OPT; }
static int is_optional(enum kind k) {
    return k == CFG || k == STR_OPT || k == OUT_STR_OPT || k == OUT_I64_OPT;
}

#define SENTINEL ((void *)0x5e)

/* Storage behind the out-pointers, filled with sentinels before each call. */
struct outs {
    char *str[MAX_ARGS];
    int64_t i64;
    uint16_t u16;
    uint64_t u64;
    void *handle;
};

/* Fresh clients for every call, so that no call sees a token another one set. */
static void new_clients(void) {
    tb_ucontact_client_free(g_uc);
    tb_ucontact_client_free(g_uca);
    tb_yativo_client_free(g_yt);
    tb_anna_client_free(g_an);
    g_uc = NULL;
    g_uca = NULL;
    g_yt = NULL;
    g_an = NULL;
    if (tb_ucontact_client_new(g_cfg, g_uc_url, UC_USER, UC_PASSWORD, 0, &g_uc) != TB_OK ||
        tb_ucontact_client_new(g_cfg, g_uc_url, "agent1", "agent-pass", 1, &g_uca) != TB_OK ||
        tb_yativo_client_new(g_cfg, g_yt_url, YT_ACCOUNT, YT_SECRET, &g_yt) != TB_OK ||
        tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, AN_PASS, &g_an) != TB_OK) {
        fprintf(stderr, "cannot create the clients: %s\n", last_message());
        exit(2);
    }
}

/*
 * Calls the case with the valid arguments, except argument `which` replaced by
 * `replacement` (when `which` >= 0). Returns the status; on failure checks the last
 * error and that no out-pointer was written; on success frees what was returned.
 */
static tb_status call_case(const struct hcase *c, int which, const char *replacement, int use_null,
                           const char *what) {
    void *a[MAX_ARGS] = {0};
    struct outs o;
    int n = nargs(c);
    for (int i = 0; i < n; i++) o.str[i] = SENTINEL;
    o.i64 = 0x5e5e;
    o.u16 = 0x5e5e;
    o.u64 = 0x5e5e;
    o.handle = SENTINEL;
    for (int i = 0; i < n; i++) {
        switch (c->args[i].kind) {
        case CFG: a[i] = g_cfg; break;
        case CFG_REQ: a[i] = g_scratch; break;
        case UC: a[i] = g_uc; break;
        case UCA: a[i] = g_uca; break;
        case YT: a[i] = g_yt; break;
        case AN: a[i] = g_an; break;
        case STR:
        case STR_OPT: a[i] = (void *)c->args[i].value; break;
        case OUT_STR:
        case OUT_STR_OPT: a[i] = &o.str[i]; break;
        case OUT_I64_OPT: a[i] = &o.i64; break;
        case OUT_U16: a[i] = &o.u16; break;
        case OUT_U64: a[i] = &o.u64; break;
        case OUT_UC:
        case OUT_YT:
        case OUT_AN: a[i] = &o.handle; break;
        }
    }
    if (which >= 0) a[which] = use_null ? NULL : (void *)replacement;

    tb_status s = c->call(a);
    CHECK(tb_status_name(s) && strcmp(tb_status_name(s), "TB_UNKNOWN_STATUS") != 0,
          "%s %s: unknown status %d", c->function, what, (int)s);
    CHECK(s != TB_PANIC, "%s %s: TB_PANIC: %s", c->function, what, last_message());
    CHECK(tb_last_error_status() == s, "%s %s: returned %s, last error %s", c->function, what,
          tb_status_name(s), tb_status_name(tb_last_error_status()));
    if (s != TB_OK) {
        const char *m = last_message();
        CHECK(m[0] != '\0', "%s %s: %s without a message", c->function, what, tb_status_name(s));
        for (int i = 0; i < n; i++) {
            if (c->args[i].kind == OUT_STR || c->args[i].kind == OUT_STR_OPT)
                CHECK(o.str[i] == SENTINEL, "%s %s: failed but wrote %s", c->function, what,
                      c->args[i].name);
        }
        CHECK(o.i64 == 0x5e5e && o.u16 == 0x5e5e && o.u64 == 0x5e5e && o.handle == SENTINEL,
              "%s %s: failed but wrote an output", c->function, what);
    } else {
        CHECK(tb_last_error_message() == NULL, "%s %s: TB_OK with a last error", c->function, what);
        for (int i = 0; i < n; i++) {
            if ((c->args[i].kind == OUT_STR || c->args[i].kind == OUT_STR_OPT) && a[i] != NULL) {
                CHECK(o.str[i] != SENTINEL && o.str[i] != NULL, "%s %s: TB_OK without %s",
                      c->function, what, c->args[i].name);
                if (o.str[i] != SENTINEL) tb_string_free(o.str[i]);
            }
            if (a[i] != NULL && o.handle != SENTINEL) {
                if (c->args[i].kind == OUT_UC) tb_ucontact_client_free(o.handle);
                if (c->args[i].kind == OUT_YT) tb_yativo_client_free(o.handle);
                if (c->args[i].kind == OUT_AN) tb_anna_client_free(o.handle);
            }
        }
    }
    new_clients();
    return s;
}

static void expect_invalid(const struct hcase *c, tb_status s, const char *param, const char *what) {
    if (strcmp(param, "user_id (or doc_type)") == 0) {
        CHECK(s == TB_INVALID_ARGUMENT && (strstr(g_message, "`user_id`") || strstr(g_message, "`doc_type`")),
              "%s: %s: want TB_INVALID_ARGUMENT naming user_id or doc_type, got %s: %s", c->function,
              what, tb_status_name(s), g_message);
        return;
    }
    CHECK(s == TB_INVALID_ARGUMENT, "%s: %s: want TB_INVALID_ARGUMENT, got %s (%s)", c->function,
          what, tb_status_name(s), s == TB_OK ? "" : g_message);
    char named[128];
    snprintf(named, sizeof named, "`%s`", param);
    CHECK(s != TB_INVALID_ARGUMENT || strstr(g_message, named) != NULL,
          "%s: %s: the message does not name %s: %s", c->function, what, named, g_message);
}

static char *g_huge;        /* 1 MiB of 'a' */
static char g_bad_utf8[64]; /* invalid UTF-8 */
static int g_observed_rows;

static void run_case(const struct hcase *c) {
    int n = nargs(c);
    char what[160];

    /* The valid arguments work, so the failures below come from the one change. */
    tb_status base = call_case(c, -1, NULL, 0, "(valid arguments)");
    CHECK(base == TB_OK, "%s: valid arguments gave %s: %s", c->function, tb_status_name(base),
          g_message);

    for (int i = 0; i < n; i++) {
        const struct arg *p = &c->args[i];
        snprintf(what, sizeof what, "NULL %s", p->name);
        tb_status s = call_case(c, i, NULL, 1, what);
        if (p->value == NULL && is_string(p->kind)) {
            /* Already NULL in the valid call (the other user selector). */
        } else if (!is_optional(p->kind)) {
            expect_invalid(c, s, p->name, what);
        } else {
            char named[128];
            snprintf(named, sizeof named, "`%s`", p->name);
            CHECK(s == TB_OK || strstr(g_message, named) == NULL,
                  "%s: %s is optional but was refused: %s", c->function, what, g_message);
        }
        if (!is_string(p->kind)) continue;

        snprintf(what, sizeof what, "invalid UTF-8 %s", p->name);
        expect_invalid(c, call_case(c, i, g_bad_utf8, 0, what), p->name, what);

        snprintf(what, sizeof what, "empty %s", p->name);
        s = call_case(c, i, "", 0, what);
        if (p->empty == EMPTY_INVALID) expect_invalid(c, s, p->name, what);
        if (p->empty == EMPTY_INVALID_PAIR) expect_invalid(c, s, "user_id (or doc_type)", what);
        printf("  %-44s %-20s empty -> %s\n", c->function, p->name, tb_status_name(s));

        snprintf(what, sizeof what, "1 MiB %s", p->name);
        s = call_case(c, i, g_huge, 0, what);
        printf("  %-44s %-20s 1 MiB -> %s\n", c->function, p->name, tb_status_name(s));
        g_observed_rows += 2;
    }
}

/* ------------------------------------------------------------ the rest */

static void functions_without_pointers(void) {
    CHECK(tb_version() && strcmp(tb_version(), TB_VERSION_STRING) == 0, "tb_version");
    CHECK(tb_version_number() == TB_VERSION_NUMBER, "tb_version_number");
    int values[] = {-2147483647 - 1, -1, 2, 9, 18, 25, 98, 100, 2147483647};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        const char *name = tb_status_name(values[i]);
        CHECK(name && strcmp(name, "TB_UNKNOWN_STATUS") == 0, "tb_status_name(%d) = %s", values[i],
              name ? name : "NULL");
    }
    CHECK(strcmp(tb_status_name(TB_OK), "TB_OK") == 0, "tb_status_name(TB_OK)");
    CHECK(strcmp(tb_status_name(TB_CANCELLED), "TB_CANCELLED") == 0, "tb_status_name(TB_CANCELLED)");
    /* The free functions take NULL. */
    tb_string_free(NULL);
    tb_config_free(NULL);
    tb_ucontact_client_free(NULL);
    tb_yativo_client_free(NULL);
    tb_anna_client_free(NULL);
    /* The last error getters work with no error and after one. */
    tb_config_set_no_proxy(g_cfg);
    CHECK(tb_last_error_status() == TB_OK && tb_last_error_http_status() == 0, "no last error");
    CHECK(tb_last_error_message() == NULL && tb_last_error_vendor_message() == NULL,
          "no last error message");
    CHECK(tb_config_set_proxy(NULL, NULL) == TB_INVALID_ARGUMENT, "set_proxy(NULL, NULL)");
    char *vendor = tb_last_error_vendor_message();
    CHECK(vendor == NULL, "no vendor message for an invalid argument");
    tb_string_free(vendor);
    CHECK(tb_last_error_http_status() == 0, "no HTTP status for an invalid argument");
}

static void out_of_range_enums(void) {
    tb_ucontact_client *uc = SENTINEL;
    CHECK(tb_ucontact_client_new(g_cfg, g_uc_url, UC_USER, UC_PASSWORD, 2, &uc) == TB_INVALID_ARGUMENT &&
              uc == SENTINEL,
          "login kind 2");
    CHECK(tb_ucontact_client_new(g_cfg, g_uc_url, UC_USER, UC_PASSWORD, -1, &uc) == TB_INVALID_ARGUMENT,
          "login kind -1");
    CHECK(tb_config_set_tls_roots(g_scratch, 7) == TB_INVALID_ARGUMENT, "tls roots 7");
    uint16_t st = 0x5e5e;
    char *body = SENTINEL;
    int kinds[] = {-1, 3, 1000};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        CHECK(tb_yativo_call(g_yt, "GET", "wallet/balance", kinds[i], NULL, &st, &body) ==
                      TB_INVALID_ARGUMENT &&
                  body == SENTINEL && st == 0x5e5e,
              "body kind %d", kinds[i]);
    }
    CHECK(tb_config_set_timeout_connect_ms(g_scratch, 0) == TB_INVALID_ARGUMENT, "zero timeout");
}

/*
 * What creating a client does not check (nothing is sent then) is refused by the
 * first call, before anything is sent: empty credentials, and a proxy URL that is not
 * one (a config setter stores it; the client refuses it).
 */
static void checked_later(void) {
    struct {
        const char *user, *password, *name;
    } uc[] = {{"", UC_PASSWORD, "`user`"}, {UC_USER, "", "`password`"}};
    for (size_t i = 0; i < 2; i++) {
        tb_ucontact_client *c = NULL;
        char *out = SENTINEL;
        CHECK(tb_ucontact_client_new(g_cfg, g_uc_url, uc[i].user, uc[i].password, 0, &c) == TB_OK,
              "uContact client with %s empty", uc[i].name);
        CHECK(tb_ucontact_get_user_token(c, &out) == TB_INVALID_ARGUMENT && out == SENTINEL &&
                  strstr(last_message(), uc[i].name),
              "uContact login with %s empty: %s", uc[i].name, g_message);
        tb_ucontact_client_free(c);
    }
    struct {
        const char *account, *secret, *name;
    } yt[] = {{"", YT_SECRET, "`account_id`"}, {YT_ACCOUNT, "", "`app_secret`"}};
    for (size_t i = 0; i < 2; i++) {
        tb_yativo_client *c = NULL;
        char *out = SENTINEL;
        CHECK(tb_yativo_client_new(g_cfg, g_yt_url, yt[i].account, yt[i].secret, &c) == TB_OK,
              "Yativo client with %s empty", yt[i].name);
        CHECK(tb_yativo_login(c, &out, NULL) == TB_INVALID_ARGUMENT && out == SENTINEL &&
                  strstr(last_message(), yt[i].name),
              "Yativo login with %s empty: %s", yt[i].name, g_message);
        tb_yativo_client_free(c);
    }
    struct {
        const char *hash, *user, *pass, *name;
    } an[] = {{"", AN_USER, AN_PASS, "`company_hash`"},
              {AN_HASH, "", AN_PASS, "`user`"},
              {AN_HASH, AN_USER, "", "`pass`"}};
    for (size_t i = 0; i < 3; i++) {
        tb_anna_client *c = NULL;
        char *out = SENTINEL;
        CHECK(tb_anna_client_new(g_cfg, g_an_url, an[i].hash, an[i].user, an[i].pass, &c) == TB_OK,
              "AnnA client with %s empty", an[i].name);
        CHECK(tb_anna_get_token(c, &out, NULL) == TB_INVALID_ARGUMENT && out == SENTINEL &&
                  strstr(last_message(), an[i].name),
              "AnnA GetToken with %s empty: %s", an[i].name, g_message);
        tb_anna_client_free(c);
    }
    tb_config *cfg = new_config();
    CHECK(tb_config_set_proxy(cfg, g_huge) == TB_OK, "a 1 MiB proxy URL is stored");
    tb_yativo_client *c = SENTINEL;
    CHECK(tb_yativo_client_new(cfg, g_yt_url, YT_ACCOUNT, YT_SECRET, &c) == TB_INVALID_ARGUMENT &&
              c == SENTINEL && strstr(last_message(), "`proxy`"),
          "a client with a 1 MiB proxy URL: %s", g_message);
    tb_config_free(cfg);
}

/* No C error message shows a password or app secret, for wrong and huge ones. */
static void no_secret_in_c_messages(void) {
    const char *wrong = "Wr0ng-p4ss-7f3a\xc3\xa9";
    struct {
        const char *password;
    } tries[] = {{wrong}, {g_huge}};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        tb_ucontact_client *uc = NULL;
        tb_yativo_client *yt = NULL;
        tb_anna_client *an = NULL;
        char *out = SENTINEL;
        tb_ucontact_client_new(g_cfg, g_uc_url, UC_USER, tries[i].password, 0, &uc);
        tb_status s = tb_ucontact_get_user_token(uc, &out);
        CHECK(s == TB_REJECTED && out == SENTINEL, "uContact wrong password: %s", tb_status_name(s));
        CHECK(strstr(last_message(), "Wr0ng-p4ss") == NULL && strstr(g_message, "aaaaaaaa") == NULL,
              "uContact: the password is in the message: %.200s", g_message);
        tb_yativo_client_new(g_cfg, g_yt_url, YT_ACCOUNT, tries[i].password, &yt);
        s = tb_yativo_login(yt, &out, NULL);
        CHECK(s == TB_REJECTED, "Yativo wrong secret: %s", tb_status_name(s));
        CHECK(strstr(last_message(), "Wr0ng-p4ss") == NULL && strstr(g_message, "aaaaaaaa") == NULL,
              "Yativo: the app secret is in the message: %.200s", g_message);
        char *vendor = tb_last_error_vendor_message();
        CHECK(!vendor || (strstr(vendor, "Wr0ng-p4ss") == NULL && strstr(vendor, "aaaaaaaa") == NULL),
              "Yativo: the app secret is in the vendor message");
        tb_string_free(vendor);
        tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, tries[i].password, &an);
        s = tb_anna_get_token(an, &out, NULL);
        CHECK(s == TB_REJECTED, "AnnA wrong pass: %s", tb_status_name(s));
        CHECK(strstr(last_message(), "Wr0ng-p4ss") == NULL && strstr(g_message, "aaaaaaaa") == NULL,
              "AnnA: the pass is in the message: %.200s", g_message);
        tb_ucontact_client_free(uc);
        tb_yativo_client_free(yt);
        tb_anna_client_free(an);
    }
    (void)YT_SECRET;
    (void)AN_PASS;
}

int main(void) {
    const char *url = getenv("TOKENBRIDGE_SANDBOX_URL");
    if (!url) {
        fprintf(stderr, "TOKENBRIDGE_SANDBOX_URL is not set (run bindings/c/run-hostile.sh)\n");
        return 2;
    }
    snprintf(g_uc_url, sizeof g_uc_url, "%s/ucontact", url);
    snprintf(g_yt_url, sizeof g_yt_url, "%s/yativo/api/v1", url);
    snprintf(g_an_url, sizeof g_an_url, "%s/anna/", url);

    g_huge = malloc((1 << 20) + 1);
    if (!g_huge) return 2;
    memset(g_huge, 'a', 1 << 20);
    g_huge[1 << 20] = '\0';
    /* A lone continuation byte, an overlong '/', a surrogate, and a cut sequence. */
    snprintf(g_bad_utf8, sizeof g_bad_utf8, "ok\x80 \xc0\xaf \xed\xa0\x80 \xe2\x82");

    g_cfg = new_config();
    g_scratch = new_config();
    new_clients();

    printf("observed results of empty and 1 MiB strings:\n");
    for (size_t i = 0; i < sizeof g_cases / sizeof g_cases[0]; i++) run_case(&g_cases[i]);
    functions_without_pointers();
    out_of_range_enums();
    checked_later();
    no_secret_in_c_messages();

    tb_ucontact_client_free(g_uc);
    tb_ucontact_client_free(g_uca);
    tb_yativo_client_free(g_yt);
    tb_anna_client_free(g_an);
    tb_config_free(g_cfg);
    tb_config_free(g_scratch);
    free(g_huge);
    printf("%d cases, %d observed rows\n", (int)(sizeof g_cases / sizeof g_cases[0]), g_observed_rows);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
