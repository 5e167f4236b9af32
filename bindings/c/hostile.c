/*
 * Hostile input through the C ABI: every exported function that takes a pointer,
 * with NULL in each pointer argument, and every string argument as invalid UTF-8,
 * as an empty string and as a 1 MiB string; every index and enum argument out of
 * range. Never a crash (run under valgrind by run-hostile.sh): NULL and invalid
 * UTF-8 give TB_INVALID_ARGUMENT with a message naming the parameter (an optional
 * parameter's NULL means "none"); an empty or huge string gives TB_INVALID_ARGUMENT
 * where the value cannot be valid, else the documented result of the call; an index
 * past the last or a number that is no value of its enum gives TB_INVALID_ARGUMENT
 * naming it. On every failure the thread's last error matches the returned status
 * and out-pointers are left untouched; on success outputs are checked and freed
 * (valgrind checks nothing leaks).
 *
 * The answer handles (tb_agent_profile, tb_access_data, tb_messenger_structure,
 * tb_messenger_requests) come from the sandbox once and are read by every accessor
 * case; each tb_messenger_filter setter case gets a new filter.
 *
 * Also: the functions that return no status (counts, bool accessors, frees), the
 * rest of the out-of-range enums, and that no C error message shows a password or
 * app secret.
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
/* One request per API, for tb_<api>_send (never changed). */
static tb_request *g_requests[3];
/* Answers from the sandbox, read by the accessor cases (read-only). */
static tb_agent_profile *g_profile;
static tb_access_data *g_access;
static tb_messenger_structure *g_structure;
static tb_messenger_requests *g_list;
/* A filter for A6/A7 (never changed), and a new one for each setter case. */
static tb_messenger_filter *g_filter, *g_scratch_filter;

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
    CFG,       /* const tb_config *, NULL allowed (defaults) */
    CFG_REQ,   /* tb_config *, required */
    UC,        /* tb_ucontact_client * (an API user) */
    UCA,       /* tb_ucontact_client * (an agent) */
    YT,        /* tb_yativo_client * */
    AN,        /* tb_anna_client * */
    REQ,       /* const tb_request *: g_requests[num] */
    PROFILE,   /* const tb_agent_profile * */
    ACCESS,    /* const tb_access_data * */
    STRUCTURE, /* const tb_messenger_structure * */
    LIST,      /* const tb_messenger_requests * */
    FILTER,    /* tb_messenger_filter * to change, required */
    FILTER_OPT, /* const tb_messenger_filter *, NULL means none */
    STR,       /* const char *, required */
    STR_OPT,   /* const char *, NULL means none */
    IDX,       /* size_t: `num` valid, `bad` the first past the last */
    INT,       /* int32_t (an enum or a number): `num` valid, `bad` out of range */
    OUT_STR,   /* char **, required */
    OUT_STR_OPT,
    OUT_I64_OPT,
    OUT_U64,
    OUT_LENT,    /* const char ** (a lent string), required */
    OUT_LEN_OPT, /* size_t * (the length of the lent string before it), optional */
    OUT_I32,     /* an enum out, required */
    OUT_UC,
    OUT_YT,
    OUT_AN,
    OUT_RESPONSE,
    OUT_PROFILE,
    OUT_ACCESS,
    OUT_STRUCTURE,
    OUT_LIST,
};

#define MAX_ARGS 8

/* How an empty or a 1 MiB string in this argument must come out. */
enum rule {
    ANY = 0,      /* a defined result of the call (shown in the observed rows) */
    INVALID,      /* TB_INVALID_ARGUMENT naming the parameter */
    INVALID_PAIR, /* TB_INVALID_ARGUMENT naming the parameter or its partner
                     (an empty user_id beside doc_type/doc_value is "given") */
    OK,           /* TB_OK (an accessor's unknown name: a NULL text; an alias) */
};

struct arg {
    enum kind kind;
    const char *name;
    const char *value; /* strings: the valid value */
    enum rule empty, huge;
    long long num, bad; /* IDX, INT: a valid value and one out of range; REQ: which */
};

struct hcase {
    const char *function;
    tb_status (*call)(void **a);
    struct arg args[MAX_ARGS];
};

/* A handle or out-pointer argument. */
#define P(kind, name) {kind, name, NULL, ANY, ANY, 0, 0}
/* A string argument, required or optional, with its valid value. */
#define S(name, value, empty, huge) {STR, name, value, empty, huge, 0, 0}
#define SO(name, value, empty, huge) {STR_OPT, name, value, empty, huge, 0, 0}
/* An index with a valid value and the first one past the last. */
#define IX(name, valid, past) {IDX, name, NULL, ANY, ANY, valid, past}
/* An int32_t with a valid value and one out of range. */
#define NUM(name, valid, bad) {INT, name, NULL, ANY, ANY, valid, bad}
#define REQUEST(which) {REQ, "request", NULL, ANY, ANY, which, 0}
/* A lent string and its optional length. */
#define LENT(name, len_name) P(OUT_LENT, name), P(OUT_LEN_OPT, len_name)

/* ------------------------------------------------------------ wrappers */

#define W(name, expr) \
    static tb_status name(void **a) { return (expr); }
/* Numbers travel in the void * slots. */
#define IDX_AT(i) ((size_t)(uintptr_t)a[i])
#define INT_AT(i) ((int32_t)(intptr_t)a[i])

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
W(w_uc_send, tb_ucontact_send(a[0], a[1], a[2]))

W(w_yt_new, tb_yativo_client_new(a[0], a[1], a[2], a[3], a[4]))
W(w_yt_login, tb_yativo_login(a[0], a[1], a[2]))
W(w_yt_refresh, tb_yativo_refresh_token(a[0], a[1], a[2]))
W(w_yt_token, tb_yativo_token(a[0], a[1]))
W(w_yt_set, tb_yativo_set_token(a[0], a[1], 0))
W(w_yt_send, tb_yativo_send(a[0], a[1], a[2]))

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
W(w_an_send, tb_anna_send(a[0], a[1], a[2]))

W(w_prof_callerid, tb_agent_profile_callerid(a[0], a[1], a[2]))
W(w_prof_get, tb_agent_profile_get(a[0], a[1], a[2], a[3]))
W(w_prof_at, tb_agent_profile_field_at(a[0], IDX_AT(1), a[2], a[3], a[4], a[5]))
W(w_prof_raw, tb_agent_profile_raw_json(a[0], a[1], a[2]))

W(w_ad_hash, tb_access_data_hash(a[0], a[1], a[2]))
W(w_ad_chat, tb_access_data_chat_url(a[0], a[1], a[2]))
W(w_ad_embedded, tb_access_data_embedded_url(a[0], a[1], a[2]))
W(w_ad_expires_raw, tb_access_data_expires_raw(a[0], a[1], a[2]))
W(w_ad_raw, tb_access_data_raw_json(a[0], a[1], a[2]))

W(w_st_hash, tb_messenger_structure_companies_hash(a[0], a[1], a[2]))
W(w_st_name, tb_messenger_structure_companies_name(a[0], a[1], a[2]))
W(w_st_dept, tb_messenger_structure_department(a[0], IDX_AT(1), a[2], a[3], a[4], a[5]))
W(w_st_chan, tb_messenger_structure_channel(a[0], IDX_AT(1), IDX_AT(2), a[3], a[4], a[5], a[6]))
W(w_st_raw, tb_messenger_structure_raw_json(a[0], a[1], a[2]))

W(w_rq_department, tb_messenger_requests_department(a[0], IDX_AT(1), a[2], a[3]))
W(w_rq_channel, tb_messenger_requests_channel(a[0], IDX_AT(1), a[2], a[3]))
W(w_rq_description, tb_messenger_requests_description(a[0], IDX_AT(1), a[2], a[3]))
W(w_rq_opened_at, tb_messenger_requests_opened_at(a[0], IDX_AT(1), a[2], a[3]))
W(w_rq_protocol, tb_messenger_requests_protocol(a[0], IDX_AT(1), a[2], a[3]))
W(w_rq_status_raw, tb_messenger_requests_status_raw(a[0], IDX_AT(1), a[2], a[3]))
W(w_rq_link, tb_messenger_requests_link(a[0], IDX_AT(1), a[2], a[3]))
W(w_rq_status, tb_messenger_requests_status(a[0], IDX_AT(1), a[2]))
W(w_rq_pending, tb_messenger_requests_pending(a[0], IDX_AT(1), a[2]))
W(w_rq_get, tb_messenger_requests_get(a[0], IDX_AT(1), a[2], a[3], a[4]))
W(w_rq_at, tb_messenger_requests_field_at(a[0], IDX_AT(1), IDX_AT(2), a[3], a[4], a[5], a[6]))
W(w_rq_raw, tb_messenger_requests_raw_json(a[0], a[1], a[2]))

W(w_f_department, tb_messenger_filter_set_department_alias(a[0], a[1]))
W(w_f_channel, tb_messenger_filter_set_channel_alias(a[0], a[1]))
W(w_f_from, tb_messenger_filter_set_date_from(a[0], INT_AT(1), INT_AT(2), INT_AT(3)))
W(w_f_to, tb_messenger_filter_set_date_to(a[0], INT_AT(1), INT_AT(2), INT_AT(3)))
W(w_f_status, tb_messenger_filter_set_status(a[0], INT_AT(1)))
W(w_f_pending, tb_messenger_filter_set_pending(a[0], INT_AT(1)))

static struct hcase g_cases[] = {
    {"tb_config_set_proxy", w_cfg_proxy, {P(CFG_REQ, "cfg"), S("url", "http://proxy.example:3128", INVALID, ANY)}},
    {"tb_config_set_no_proxy", w_cfg_no_proxy, {P(CFG_REQ, "cfg")}},
    {"tb_config_set_user_agent", w_cfg_ua, {P(CFG_REQ, "cfg"), S("user_agent", "hostile/1.0", ANY, INVALID)}},
    {"tb_config_set_extra_ca_file", w_cfg_ca, {P(CFG_REQ, "cfg"), S("path", "/etc/ssl/certs/ca-certificates.crt", INVALID, ANY)}},
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
     {P(CFG, "cfg"), S("server", g_uc_url, INVALID, ANY), S("user", "apiuser", ANY, ANY),
      S("password", "s3cret&=+ \xc3\xa9", ANY, ANY), P(OUT_UC, "out")}},
    {"tb_ucontact_get_user_token", w_uc_token_get, {P(UC, "c"), P(OUT_STR, "out_token")}},
    {"tb_ucontact_agent_login", w_uc_agent, {P(UCA, "c"), P(OUT_PROFILE, "out")}},
    {"tb_ucontact_token", w_uc_token, {P(UC, "c"), P(OUT_STR, "out_token")}},
    {"tb_ucontact_set_token", w_uc_set, {P(UC, "c"), S("token", "VUMtVE9LRU4=", INVALID, ANY)}},
    {"tb_ucontact_end_session", w_uc_end, {P(UC, "c")}},
    {"tb_ucontact_send", w_uc_send, {P(UC, "c"), REQUEST(0), P(OUT_RESPONSE, "out")}},

    {"tb_yativo_client_new", w_yt_new,
     {P(CFG, "cfg"), S("base_url", g_yt_url, INVALID, ANY), S("account_id", "acct-sandbox", ANY, ANY),
      S("app_secret", "yativo-secret", ANY, ANY), P(OUT_YT, "out")}},
    {"tb_yativo_login", w_yt_login, {P(YT, "c"), P(OUT_STR, "out_access_token"), P(OUT_I64_OPT, "out_expires_at")}},
    {"tb_yativo_refresh_token", w_yt_refresh,
     {P(YT, "c"), P(OUT_STR, "out_access_token"), P(OUT_I64_OPT, "out_expires_at")}},
    {"tb_yativo_token", w_yt_token, {P(YT, "c"), P(OUT_STR, "out_token")}},
    {"tb_yativo_set_token", w_yt_set, {P(YT, "c"), S("token", "not-a-jwt-but-a-token", INVALID, ANY)}},
    {"tb_yativo_send", w_yt_send, {P(YT, "c"), REQUEST(1), P(OUT_RESPONSE, "out")}},

    {"tb_anna_client_new", w_an_new,
     {P(CFG, "cfg"), S("base_url", g_an_url, INVALID, ANY), S("company_hash", "COMPANYHASH", ANY, ANY),
      S("user", "annauser", ANY, ANY), S("password", "anna-pass", ANY, ANY), P(OUT_AN, "out")}},
    {"tb_anna_get_token", w_an_get, {P(AN, "c"), P(OUT_STR, "out_token"), P(OUT_I64_OPT, "out_expires_at")}},
    {"tb_anna_user_hash", w_an_hash,
     {P(AN, "c"), S("user_id", "42", INVALID, ANY), SO("start_service", "sales", ANY, ANY),
      P(OUT_ACCESS, "out")}},
    {"tb_anna_user_hash_forced", w_an_forced,
     {P(AN, "c"), S("user_id", "42", INVALID, ANY), S("user_name", "Ana Souza", INVALID, ANY),
      SO("start_service", "", ANY, ANY), P(OUT_ACCESS, "out")}},
    {"tb_anna_inactivate_user", w_an_inactivate,
     {P(AN, "c"), S("user_id", "7", INVALID, ANY), P(OUT_STR_OPT, "out_message")}},
    {"tb_anna_messenger_structure", w_an_structure, {P(AN, "c"), P(OUT_STRUCTURE, "out")}},
    {"tb_anna_messenger_alert_counter (user id)", w_an_counter,
     {P(AN, "c"), S("user_id", "42", INVALID, ANY), SO("doc_type", NULL, INVALID, ANY),
      SO("doc_value", NULL, INVALID, ANY), P(FILTER_OPT, "filter"), P(OUT_U64, "out_count")}},
    {"tb_anna_messenger_alert_counter (document)", w_an_counter,
     {P(AN, "c"), SO("user_id", NULL, INVALID_PAIR, ANY), S("doc_type", "CPF", INVALID, ANY),
      S("doc_value", "12345678900", INVALID, ANY), P(FILTER_OPT, "filter"), P(OUT_U64, "out_count")}},
    {"tb_anna_messenger_requests (user id)", w_an_requests,
     {P(AN, "c"), S("user_id", "42", INVALID, ANY), SO("doc_type", NULL, INVALID, ANY),
      SO("doc_value", NULL, INVALID, ANY), P(FILTER_OPT, "filter"), P(OUT_LIST, "out")}},
    {"tb_anna_messenger_requests (document)", w_an_requests,
     {P(AN, "c"), SO("user_id", NULL, INVALID_PAIR, ANY), S("doc_type", "CPF", INVALID, ANY),
      S("doc_value", "12345678900", INVALID, ANY), P(FILTER_OPT, "filter"), P(OUT_LIST, "out")}},
    {"tb_anna_messenger_link (user id)", w_an_link,
     {P(AN, "c"), S("user_id", "42", INVALID, ANY), SO("doc_type", NULL, INVALID, ANY),
      SO("doc_value", NULL, INVALID, ANY), P(OUT_STR, "out_link")}},
    {"tb_anna_messenger_link (document)", w_an_link,
     {P(AN, "c"), SO("user_id", NULL, INVALID_PAIR, ANY), S("doc_type", "CPF", INVALID, ANY),
      S("doc_value", "12345678900", INVALID, ANY), P(OUT_STR, "out_link")}},
    {"tb_anna_token", w_an_token, {P(AN, "c"), P(OUT_STR, "out_token")}},
    {"tb_anna_set_token", w_an_set, {P(AN, "c"), S("token", "anna-token", INVALID, ANY)}},
    {"tb_anna_send", w_an_send, {P(AN, "c"), REQUEST(2), P(OUT_RESPONSE, "out")}},

    /* The agent profile of the sandbox has 32 fields. */
    {"tb_agent_profile_callerid", w_prof_callerid, {P(PROFILE, "profile"), LENT("out", "out_len")}},
    {"tb_agent_profile_get", w_prof_get,
     {P(PROFILE, "profile"), S("name", "callerid", OK, OK), LENT("out", "out_len")}},
    {"tb_agent_profile_field_at", w_prof_at,
     {P(PROFILE, "profile"), IX("index", 31, 32), LENT("out_name", "out_name_len"),
      LENT("out_value", "out_value_len")}},
    {"tb_agent_profile_raw_json", w_prof_raw, {P(PROFILE, "profile"), LENT("out_json", "out_len")}},

    {"tb_access_data_hash", w_ad_hash, {P(ACCESS, "data"), LENT("out", "out_len")}},
    {"tb_access_data_chat_url", w_ad_chat, {P(ACCESS, "data"), LENT("out", "out_len")}},
    {"tb_access_data_embedded_url", w_ad_embedded, {P(ACCESS, "data"), LENT("out", "out_len")}},
    {"tb_access_data_expires_raw", w_ad_expires_raw, {P(ACCESS, "data"), LENT("out", "out_len")}},
    {"tb_access_data_raw_json", w_ad_raw, {P(ACCESS, "data"), LENT("out_json", "out_len")}},

    /* The sandbox's structure: 2 departments, of 2 and 1 channels. */
    {"tb_messenger_structure_companies_hash", w_st_hash, {P(STRUCTURE, "structure"), LENT("out", "out_len")}},
    {"tb_messenger_structure_companies_name", w_st_name, {P(STRUCTURE, "structure"), LENT("out", "out_len")}},
    {"tb_messenger_structure_department", w_st_dept,
     {P(STRUCTURE, "structure"), IX("department", 1, 2), LENT("out_alias", "out_alias_len"),
      LENT("out_name", "out_name_len")}},
    {"tb_messenger_structure_channel", w_st_chan,
     {P(STRUCTURE, "structure"), IX("department", 0, 2), IX("channel", 1, 2),
      LENT("out_alias", "out_alias_len"), LENT("out_name", "out_name_len")}},
    {"tb_messenger_structure_raw_json", w_st_raw, {P(STRUCTURE, "structure"), LENT("out_json", "out_len")}},

    /* User 42's 3 requests, of 10 fields each. */
    {"tb_messenger_requests_department", w_rq_department, {P(LIST, "list"), IX("index", 2, 3), LENT("out", "out_len")}},
    {"tb_messenger_requests_channel", w_rq_channel, {P(LIST, "list"), IX("index", 2, 3), LENT("out", "out_len")}},
    {"tb_messenger_requests_description", w_rq_description, {P(LIST, "list"), IX("index", 2, 3), LENT("out", "out_len")}},
    {"tb_messenger_requests_opened_at", w_rq_opened_at, {P(LIST, "list"), IX("index", 2, 3), LENT("out", "out_len")}},
    {"tb_messenger_requests_protocol", w_rq_protocol, {P(LIST, "list"), IX("index", 2, 3), LENT("out", "out_len")}},
    {"tb_messenger_requests_status_raw", w_rq_status_raw, {P(LIST, "list"), IX("index", 2, 3), LENT("out", "out_len")}},
    {"tb_messenger_requests_link", w_rq_link, {P(LIST, "list"), IX("index", 2, 3), LENT("out", "out_len")}},
    {"tb_messenger_requests_status", w_rq_status, {P(LIST, "list"), IX("index", 2, 3), P(OUT_I32, "out")}},
    {"tb_messenger_requests_pending", w_rq_pending, {P(LIST, "list"), IX("index", 0, 3), P(OUT_I32, "out")}},
    {"tb_messenger_requests_get", w_rq_get,
     {P(LIST, "list"), IX("index", 1, 3), S("name", "ChannelAlias", OK, OK), LENT("out", "out_len")}},
    {"tb_messenger_requests_field_at", w_rq_at,
     {P(LIST, "list"), IX("index", 0, 3), IX("field", 9, 10), LENT("out_name", "out_name_len"),
      LENT("out_value", "out_value_len")}},
    {"tb_messenger_requests_raw_json", w_rq_raw, {P(LIST, "list"), LENT("out_json", "out_len")}},

    {"tb_messenger_filter_set_department_alias", w_f_department, {P(FILTER, "filter"), SO("alias", "financeiro", OK, OK)}},
    {"tb_messenger_filter_set_channel_alias", w_f_channel, {P(FILTER, "filter"), SO("alias", "whatsapp", OK, OK)}},
    {"tb_messenger_filter_set_date_from", w_f_from,
     {P(FILTER, "filter"), NUM("year", 2024, 0), NUM("month", 2, 13), NUM("day", 29, 30)}},
    {"tb_messenger_filter_set_date_to", w_f_to,
     {P(FILTER, "filter"), NUM("year", 2024, 10000), NUM("month", 12, 0), NUM("day", 31, 32)}},
    {"tb_messenger_filter_set_status", w_f_status, {P(FILTER, "filter"), NUM("status", TB_MESSENGER_STATUS_CLOSED, 3)}},
    {"tb_messenger_filter_set_pending", w_f_pending, {P(FILTER, "filter"), NUM("pending", TB_MESSENGER_PENDING_NO, 3)}},
};

/* ------------------------------------------------------------ running a case */

static int nargs(const struct hcase *c) {
    int n = 0;
    while (n < MAX_ARGS && c->args[n].name) n++;
    return n;
}

static int is_string(enum kind k) { return k == STR || k == STR_OPT; }
static int is_number(enum kind k) { return k == IDX || k == INT; }
static int is_optional(enum kind k) {
    return k == CFG || k == STR_OPT || k == OUT_STR_OPT || k == OUT_I64_OPT || k == OUT_LEN_OPT ||
           k == FILTER_OPT;
}

#define SENTINEL ((void *)0x5e)
#define SENTINEL_LEN ((size_t)0x5e5e)

/* Storage behind the out-pointers, filled with sentinels before each call. */
struct outs {
    char *str[MAX_ARGS];
    const char *lent[MAX_ARGS];
    size_t len[MAX_ARGS];
    int32_t i32;
    int64_t i64;
    uint64_t u64;
    void *handle;
};

/* Fresh clients (and a fresh scratch filter) for every call, so that no call sees a
 * token or a setting another one made. */
static void new_clients(void) {
    tb_ucontact_client_free(g_uc);
    tb_ucontact_client_free(g_uca);
    tb_yativo_client_free(g_yt);
    tb_anna_client_free(g_an);
    tb_messenger_filter_free(g_scratch_filter);
    g_uc = NULL;
    g_uca = NULL;
    g_yt = NULL;
    g_an = NULL;
    g_scratch_filter = tb_messenger_filter_new();
    if (!g_scratch_filter ||
        tb_ucontact_client_new(g_cfg, g_uc_url, UC_USER, UC_PASSWORD, 0, &g_uc) != TB_OK ||
        tb_ucontact_client_new(g_cfg, g_uc_url, "agent1", "agent-pass", 1, &g_uca) != TB_OK ||
        tb_yativo_client_new(g_cfg, g_yt_url, YT_ACCOUNT, YT_SECRET, &g_yt) != TB_OK ||
        tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, AN_PASS, &g_an) != TB_OK) {
        fprintf(stderr, "cannot create the clients: %s\n", last_message());
        exit(2);
    }
}

static void free_output(enum kind kind, void *handle) {
    switch (kind) {
    case OUT_UC: tb_ucontact_client_free(handle); break;
    case OUT_YT: tb_yativo_client_free(handle); break;
    case OUT_AN: tb_anna_client_free(handle); break;
    case OUT_RESPONSE: tb_response_free(handle); break;
    case OUT_PROFILE: tb_agent_profile_free(handle); break;
    case OUT_ACCESS: tb_access_data_free(handle); break;
    case OUT_STRUCTURE: tb_messenger_structure_free(handle); break;
    case OUT_LIST: tb_messenger_requests_free(handle); break;
    default: break;
    }
}

/*
 * Calls the case with the valid arguments, except argument `which` replaced by
 * `replacement` (when `which` >= 0; a number for IDX and INT arguments). Returns the
 * status; on failure checks the last error and that no out-pointer was written; on
 * success checks and frees what was returned.
 */
static tb_status call_case(const struct hcase *c, int which, const void *replacement,
                           const char *what) {
    void *a[MAX_ARGS] = {0};
    struct outs o;
    int n = nargs(c);
    for (int i = 0; i < MAX_ARGS; i++) {
        o.str[i] = SENTINEL;
        o.lent[i] = SENTINEL;
        o.len[i] = SENTINEL_LEN;
    }
    o.i32 = 0x5e5e;
    o.i64 = 0x5e5e;
    o.u64 = 0x5e5e;
    o.handle = SENTINEL;
    for (int i = 0; i < n; i++) {
        const struct arg *p = &c->args[i];
        switch (p->kind) {
        case CFG: a[i] = g_cfg; break;
        case CFG_REQ: a[i] = g_scratch; break;
        case UC: a[i] = g_uc; break;
        case UCA: a[i] = g_uca; break;
        case YT: a[i] = g_yt; break;
        case AN: a[i] = g_an; break;
        case REQ: a[i] = g_requests[p->num]; break;
        case PROFILE: a[i] = g_profile; break;
        case ACCESS: a[i] = g_access; break;
        case STRUCTURE: a[i] = g_structure; break;
        case LIST: a[i] = g_list; break;
        case FILTER: a[i] = g_scratch_filter; break;
        case FILTER_OPT: a[i] = g_filter; break;
        case STR:
        case STR_OPT: a[i] = (void *)p->value; break;
        case IDX: a[i] = (void *)(uintptr_t)p->num; break;
        case INT: a[i] = (void *)(intptr_t)p->num; break;
        case OUT_STR:
        case OUT_STR_OPT: a[i] = &o.str[i]; break;
        case OUT_I64_OPT: a[i] = &o.i64; break;
        case OUT_U64: a[i] = &o.u64; break;
        case OUT_LENT: a[i] = &o.lent[i]; break;
        case OUT_LEN_OPT: a[i] = &o.len[i]; break;
        case OUT_I32: a[i] = &o.i32; break;
        case OUT_UC:
        case OUT_YT:
        case OUT_AN:
        case OUT_RESPONSE:
        case OUT_PROFILE:
        case OUT_ACCESS:
        case OUT_STRUCTURE:
        case OUT_LIST: a[i] = &o.handle; break;
        }
    }
    if (which >= 0) a[which] = (void *)replacement;

    tb_status s = c->call(a);
    CHECK(tb_status_name(s) && strcmp(tb_status_name(s), "TB_UNKNOWN_STATUS") != 0,
          "%s %s: unknown status %d", c->function, what, (int)s);
    CHECK(s != TB_PANIC, "%s %s: TB_PANIC: %s", c->function, what, last_message());
    /* TB_ABSENT (a getter's field not sent) is no failure: nothing is recorded. */
    tb_status recorded = s == TB_ABSENT ? TB_OK : s;
    CHECK(tb_last_error_status() == recorded, "%s %s: returned %s, last error %s", c->function,
          what, tb_status_name(s), tb_status_name(tb_last_error_status()));
    if (s != TB_OK && s != TB_ABSENT) {
        const char *m = last_message();
        CHECK(m[0] != '\0', "%s %s: %s without a message", c->function, what, tb_status_name(s));
        for (int i = 0; i < n; i++) {
            CHECK(o.str[i] == SENTINEL && o.lent[i] == SENTINEL && o.len[i] == SENTINEL_LEN,
                  "%s %s: failed but wrote %s", c->function, what, c->args[i].name);
        }
        CHECK(o.i32 == 0x5e5e && o.i64 == 0x5e5e && o.u64 == 0x5e5e && o.handle == SENTINEL,
              "%s %s: failed but wrote an output", c->function, what);
    } else {
        CHECK(tb_last_error_message() == NULL, "%s %s: %s with a last error", c->function, what,
              tb_status_name(s));
        for (int i = 0; i < n; i++) {
            enum kind k = c->args[i].kind;
            if (a[i] == NULL) continue;
            if (k == OUT_STR || k == OUT_STR_OPT) {
                CHECK(o.str[i] != SENTINEL && o.str[i] != NULL, "%s %s: TB_OK without %s",
                      c->function, what, c->args[i].name);
                if (o.str[i] != SENTINEL) tb_string_free(o.str[i]);
            }
            if (k == OUT_LENT)
                CHECK(s == TB_ABSENT ? o.lent[i] == NULL : o.lent[i] != SENTINEL && o.lent[i] != NULL,
                      "%s %s: %s and %s %s", c->function, what, tb_status_name(s), c->args[i].name,
                      o.lent[i] == NULL ? "NULL" : "set");
            /* A length is the lent text's (the sandbox sends no NUL inside a text). */
            if (k == OUT_LEN_OPT && i > 0 && c->args[i - 1].kind == OUT_LENT && a[i - 1] != NULL &&
                o.lent[i - 1] != SENTINEL) {
                size_t want = o.lent[i - 1] ? strlen(o.lent[i - 1]) : 0;
                CHECK(o.len[i] == want, "%s %s: %s is %zu, the text's length %zu", c->function,
                      what, c->args[i].name, o.len[i], want);
            }
            if (k == OUT_I32)
                CHECK(o.i32 >= 0 && o.i32 <= 2, "%s %s: %s = %d is no value of its enum",
                      c->function, what, c->args[i].name, (int)o.i32);
            if (k >= OUT_UC && o.handle != SENTINEL) {
                CHECK(o.handle != NULL, "%s %s: TB_OK with a NULL %s", c->function, what,
                      c->args[i].name);
                free_output(k, o.handle);
            }
        }
    }
    new_clients();
    return s;
}

/* The last call's message, from call_case (g_message). */
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
    snprintf(named, sizeof named, "invalid argument `%s`", param);
    CHECK(s != TB_INVALID_ARGUMENT || strncmp(g_message, named, strlen(named)) == 0,
          "%s: %s: the message does not name `%s`: %s", c->function, what, param, g_message);
}

static void expect_rule(const struct hcase *c, tb_status s, enum rule rule, const char *param,
                        const char *what) {
    if (rule == INVALID) expect_invalid(c, s, param, what);
    if (rule == INVALID_PAIR) expect_invalid(c, s, "user_id (or doc_type)", what);
    /* Accepted: TB_OK, or for a getter by name TB_ABSENT (no such field). */
    if (rule == OK)
        CHECK(s == TB_OK || (s == TB_ABSENT && strstr(c->function, "_get")),
              "%s: %s: want TB_OK, got %s (%s)", c->function, what, tb_status_name(s), g_message);
}

static char *g_huge;        /* 1 MiB of 'a' */
static char g_bad_utf8[64]; /* invalid UTF-8 */
static int g_observed_rows, g_out_of_range;

static void run_case(const struct hcase *c) {
    int n = nargs(c);
    char what[160];

    /* The valid arguments work, so the failures below come from the one change. */
    tb_status base = call_case(c, -1, NULL, "(valid arguments)");
    CHECK(base == TB_OK, "%s: valid arguments gave %s: %s", c->function, tb_status_name(base),
          g_message);

    for (int i = 0; i < n; i++) {
        const struct arg *p = &c->args[i];
        if (is_number(p->kind)) {
            /* Out of range: past the last index, or no value of the enum. */
            long long bad[4] = {p->bad, p->kind == IDX ? -1 /* SIZE_MAX */ : -1, INT32_MIN, INT32_MAX};
            int count = p->kind == IDX ? 2 : 4;
            for (int k = 0; k < count; k++) {
                const void *value = p->kind == IDX ? (const void *)(uintptr_t)(size_t)bad[k]
                                                   : (const void *)(intptr_t)(int32_t)bad[k];
                if (p->kind == IDX)
                    snprintf(what, sizeof what, "%s %zu", p->name, (size_t)bad[k]);
                else
                    snprintf(what, sizeof what, "%s %d", p->name, (int)(int32_t)bad[k]);
                expect_invalid(c, call_case(c, i, value, what), p->name, what);
                g_out_of_range++;
            }
            continue;
        }
        snprintf(what, sizeof what, "NULL %s", p->name);
        tb_status s = call_case(c, i, NULL, what);
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
        expect_invalid(c, call_case(c, i, g_bad_utf8, what), p->name, what);

        snprintf(what, sizeof what, "empty %s", p->name);
        s = call_case(c, i, "", what);
        expect_rule(c, s, p->empty, p->name, what);
        printf("  %-44s %-20s empty -> %s\n", c->function, p->name, tb_status_name(s));

        snprintf(what, sizeof what, "1 MiB %s", p->name);
        s = call_case(c, i, g_huge, what);
        expect_rule(c, s, p->huge, p->name, what);
        printf("  %-44s %-20s 1 MiB -> %s\n", c->function, p->name, tb_status_name(s));
        g_observed_rows += 2;
    }
}

/* ------------------------------------------------------------ the rest */

/* The answers every accessor case reads, and the requests the send cases send. */
static void fetch_answers(void) {
    if (tb_request_new("POST", "Integra/resources/Dialers/DialerTask", &g_requests[0]) != TB_OK ||
        tb_request_new("GET", "wallet/balance", &g_requests[1]) != TB_OK ||
        tb_request_new("POST", "REST/AnnACorporate/Ping", &g_requests[2]) != TB_OK ||
        tb_ucontact_agent_login(g_uca, &g_profile) != TB_OK ||
        tb_anna_user_hash(g_an, "42", NULL, &g_access) != TB_OK ||
        tb_anna_messenger_structure(g_an, &g_structure) != TB_OK ||
        tb_anna_messenger_requests(g_an, "42", NULL, NULL, NULL, &g_list) != TB_OK ||
        !(g_filter = tb_messenger_filter_new()) ||
        tb_messenger_filter_set_date_from(g_filter, 2024, 1, 1) != TB_OK ||
        tb_messenger_filter_set_status(g_filter, TB_MESSENGER_STATUS_OPEN) != TB_OK) {
        fprintf(stderr, "cannot fetch the answers: %s\n", last_message());
        exit(2);
    }
    /* What the table's valid and past-the-last indexes assume. */
    CHECK(tb_agent_profile_field_count(g_profile) == 32, "the profile has 32 fields");
    CHECK(tb_messenger_structure_department_count(g_structure) == 2 &&
              tb_messenger_structure_channel_count(g_structure, 0) == 2,
          "2 departments, the first with 2 channels");
    CHECK(tb_messenger_requests_count(g_list) == 3 && tb_messenger_requests_field_count(g_list, 0) == 10,
          "3 requests of 10 fields");
}

static void free_answers(void) {
    for (int i = 0; i < 3; i++) tb_request_free(g_requests[i]);
    tb_agent_profile_free(g_profile);
    tb_access_data_free(g_access);
    tb_messenger_structure_free(g_structure);
    tb_messenger_requests_free(g_list);
    tb_messenger_filter_free(g_filter);
    tb_messenger_filter_free(g_scratch_filter);
}

/* The typed getters (NULL in each pointer is TB_INVALID_ARGUMENT and writes nothing)
 * and the functions that return a count: NULL gives 0, an index past the last 0. */
static void without_status(void) {
    int64_t n = -7;
    CHECK(tb_agent_profile_id(g_profile, &n) == TB_OK && n == 1001, "tb_agent_profile_id");
    n = -7;
    CHECK(tb_agent_profile_id(NULL, &n) == TB_INVALID_ARGUMENT && n == -7,
          "tb_agent_profile_id(NULL, &n)");
    CHECK(tb_agent_profile_id(g_profile, NULL) == TB_INVALID_ARGUMENT,
          "tb_agent_profile_id(profile, NULL)");
    CHECK(tb_agent_profile_limite(g_profile, &n) == TB_OK && n == 2, "tb_agent_profile_limite");
    n = -7;
    CHECK(tb_agent_profile_limite(NULL, &n) == TB_INVALID_ARGUMENT && n == -7,
          "tb_agent_profile_limite(NULL, &n)");
    CHECK(tb_agent_profile_limite(g_profile, NULL) == TB_INVALID_ARGUMENT,
          "tb_agent_profile_limite(profile, NULL)");
    CHECK(tb_agent_profile_field_count(NULL) == 0, "tb_agent_profile_field_count(NULL)");

    tb_datetime when = {-1, -1, -1, -1, -1, -1};
    CHECK(tb_access_data_expires(NULL, &when) == TB_INVALID_ARGUMENT && when.year == -1 &&
              when.second == -1,
          "tb_access_data_expires(NULL, &when)");
    CHECK(tb_access_data_expires(g_access, NULL) == TB_INVALID_ARGUMENT,
          "tb_access_data_expires(data, NULL)");
    CHECK(tb_access_data_expires(g_access, &when) == TB_OK && when.year >= 2024 &&
              when.month >= 1 && when.month <= 12,
          "tb_access_data_expires");

    CHECK(tb_messenger_structure_department_count(NULL) == 0, "department_count(NULL)");
    CHECK(tb_messenger_structure_channel_count(NULL, 0) == 0, "channel_count(NULL, 0)");
    CHECK(tb_messenger_structure_channel_count(g_structure, 2) == 0, "channel_count(s, 2)");
    CHECK(tb_messenger_structure_channel_count(g_structure, SIZE_MAX) == 0, "channel_count(s, SIZE_MAX)");
    CHECK(tb_messenger_requests_count(NULL) == 0, "tb_messenger_requests_count(NULL)");
    CHECK(tb_messenger_requests_field_count(NULL, 0) == 0, "requests_field_count(NULL, 0)");
    CHECK(tb_messenger_requests_field_count(g_list, 3) == 0, "requests_field_count(l, 3)");
    CHECK(tb_messenger_requests_field_count(g_list, SIZE_MAX) == 0, "requests_field_count(l, SIZE_MAX)");

    /* New and free. */
    tb_messenger_filter *f = tb_messenger_filter_new();
    CHECK(f != NULL, "tb_messenger_filter_new");
    tb_messenger_filter_free(f);
    tb_messenger_filter_free(NULL);
    tb_agent_profile_free(NULL);
    tb_access_data_free(NULL);
    tb_messenger_structure_free(NULL);
    tb_messenger_requests_free(NULL);
    tb_request_free(NULL);
    tb_response_free(NULL);
}

static void functions_without_pointers(void) {
    CHECK(tb_version() && strcmp(tb_version(), TB_VERSION_STRING) == 0, "tb_version");
    CHECK(tb_version_number() == TB_VERSION_NUMBER, "tb_version_number");
    int values[] = {-2147483647 - 1, -1, 3, 9, 18, 26, 98, 100, 2147483647};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        const char *name = tb_status_name(values[i]);
        CHECK(name && strcmp(name, "TB_UNKNOWN_STATUS") == 0, "tb_status_name(%d) = %s", values[i],
              name ? name : "NULL");
    }
    CHECK(strcmp(tb_status_name(TB_OK), "TB_OK") == 0, "tb_status_name(TB_OK)");
    CHECK(strcmp(tb_status_name(TB_CANCELLED), "TB_CANCELLED") == 0, "tb_status_name(TB_CANCELLED)");
    CHECK(strcmp(tb_status_name(TB_WOULD_DEADLOCK), "TB_WOULD_DEADLOCK") == 0,
          "tb_status_name(TB_WOULD_DEADLOCK)");
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
    /* The enums of the answers and the filter: in the table's out-of-range cases. */
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
              {AN_HASH, AN_USER, "", "`password`"}};
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

/*
 * A user agent is checked by its setter with the client's own check (issue 20: a
 * 1 MiB one used to be stored and refused only by tb_*_client_new): refused there,
 * naming `user_agent` and the limit, without the value, the config unchanged; what
 * the setter takes, a client takes too.
 */
static void checked_when_set(void) {
    tb_config *cfg = new_config();
    CHECK(tb_config_set_user_agent(cfg, "before/1.0") == TB_OK, "a user agent is stored");
    tb_status s = tb_config_set_user_agent(cfg, g_huge);
    const char *msg = last_message();
    CHECK(s == TB_INVALID_ARGUMENT && tb_last_error_status() == TB_INVALID_ARGUMENT,
          "a 1 MiB user agent is refused when set: %s", tb_status_name(s));
    CHECK(strncmp(msg, "invalid argument `user_agent`", 29) == 0 && strstr(msg, "8192") &&
              !strstr(msg, "aaaaaaaa") && strlen(msg) < 300,
          "the message names user_agent and the limit, not the value: %.300s", msg);
    s = tb_config_set_user_agent(cfg, "a\r\nX-Evil: 1");
    msg = last_message();
    CHECK(s == TB_INVALID_ARGUMENT && strncmp(msg, "invalid argument `user_agent`", 29) == 0 &&
              strstr(msg, "0x0D") && !strstr(msg, "X-Evil"),
          "a user agent with CR LF is refused when set: %s %s", tb_status_name(s), msg);
    /* The refused values left the config as it was: a client is created from it. */
    tb_yativo_client *c = SENTINEL;
    CHECK(tb_yativo_client_new(cfg, g_yt_url, YT_ACCOUNT, YT_SECRET, &c) == TB_OK && c != SENTINEL,
          "a client from the config after the refusals: %s", g_message);
    if (c != SENTINEL) tb_yativo_client_free(c);
    /* The setter and the client agree: a tab, and 8192 bytes, are taken by both. */
    char *max = malloc(8193);
    if (!max) exit(2);
    memset(max, 'u', 8192);
    max[8192] = '\0';
    const char *fine[] = {"tab\tseparated/1.0", max};
    for (size_t i = 0; i < 2; i++) {
        c = SENTINEL;
        CHECK(tb_config_set_user_agent(cfg, fine[i]) == TB_OK, "user agent %zu taken when set: %s", i,
              g_message);
        CHECK(tb_yativo_client_new(cfg, g_yt_url, YT_ACCOUNT, YT_SECRET, &c) == TB_OK,
              "user agent %zu taken by the client: %s", i, last_message());
        if (c != SENTINEL) tb_yativo_client_free(c);
    }
    free(max);
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
    fetch_answers();

    printf("observed results of empty and 1 MiB strings:\n");
    for (size_t i = 0; i < sizeof g_cases / sizeof g_cases[0]; i++) run_case(&g_cases[i]);
    functions_without_pointers();
    without_status();
    out_of_range_enums();
    checked_later();
    checked_when_set();
    no_secret_in_c_messages();

    tb_ucontact_client_free(g_uc);
    tb_ucontact_client_free(g_uca);
    tb_yativo_client_free(g_yt);
    tb_anna_client_free(g_an);
    tb_config_free(g_cfg);
    tb_config_free(g_scratch);
    free_answers();
    free(g_huge);
    printf("%d cases, %d observed rows, %d out-of-range numbers\n",
           (int)(sizeof g_cases / sizeof g_cases[0]), g_observed_rows, g_out_of_range);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
