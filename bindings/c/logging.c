/*
 * The log callback through the C ABI (tb_set_log_callback), against the sandbox:
 *
 * * At TB_LOG_TRACE, a uContact login + call + end session, a Yativo login + refresh
 *   + a login with a wrong secret, and an AnnA user hash (on another thread) give
 *   well-formed records (NUL-terminated, lengths right, levels in range): one DEBUG
 *   record per request naming its method and path, on the thread that made the call,
 *   INFO records for the logins, the refresh and the end of the session, and the
 *   libraries' DEBUG records of each request head (headers other than a few
 *   harmless ones left out), and none of the HTTP library's TRACE records (its wire
 *   dump, which holds every byte sent, secrets included).
 * * No record holds a secret: the passwords, the app secrets, the company hash and
 *   the tokens and user hash the calls returned, as they are and form-encoded; and
 *   no record is a hex dump row.
 * * NULL turns logging off: no record arrives afterwards.
 * * Levels filter: at TB_LOG_INFO no DEBUG or TRACE record; at TB_LOG_DEBUG the
 *   request records but nothing below WARN from other libraries.
 * * A callback may call tb_set_log_callback itself (no deadlock).
 * * A callback may call the client whose login it is told about, on the login's own
 *   thread: the call returns TB_WOULD_DEADLOCK at once instead of waiting for the
 *   login it is part of; 16 threads doing so at once, each with its client and all on
 *   one shared client: none hangs, every login succeeds.
 * * Bad levels are TB_INVALID_ARGUMENT naming `max_level`.
 *
 * Needs TOKENBRIDGE_SANDBOX_URL (docs/sandbox-contract.md); run under valgrind by
 * run-hostile.sh. Set LOGGING_DUMP=1 to print every record. Prints failed checks and
 * a final "N passed, M failed"; exits 1 when a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tokenbridge.h"
#include "check.h"

#define CHECK_OK(call)                                                                          \
    do {                                                                                        \
        tb_status s_ = (call);                                                                  \
        CHECK(s_ == TB_OK, "%s: %s (%s)", #call, tb_status_name(s_), last_message());           \
    } while (0)

static char *xstrdup(const char *s, size_t len) {
    char *copy = malloc(len + 1);
    if (!copy) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

/* ------------------------------------------------------------ collecting records */

struct record {
    int level;
    char *target;
    char *message;
    pthread_t thread;
};

struct collector {
    pthread_mutex_t lock;
    struct record *records;
    size_t count, cap;
    int malformed; /* records whose pointers, lengths, NULs or level were wrong */
    int reentered; /* calls of tb_set_log_callback made from inside the callback */
};

static void collector_init(struct collector *c) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
}

static void collector_free(struct collector *c) {
    for (size_t i = 0; i < c->count; i++) {
        free(c->records[i].target);
        free(c->records[i].message);
    }
    free(c->records);
    pthread_mutex_destroy(&c->lock);
}

static size_t collector_count(struct collector *c) {
    pthread_mutex_lock(&c->lock);
    size_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static void on_log(void *user_data, tb_log_level level, const char *target, size_t target_len,
                   const char *message, size_t message_len) {
    struct collector *c = user_data;
    int ok = level >= TB_LOG_ERROR && level <= TB_LOG_TRACE && target && message &&
             target[target_len] == '\0' && strlen(target) == target_len &&
             message[message_len] == '\0' && strlen(message) == message_len &&
             message_len <= TB_LOG_MESSAGE_MAX && target_len > 0;
    pthread_mutex_lock(&c->lock);
    if (!ok) {
        c->malformed++;
    } else {
        if (c->count == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 256;
            struct record *grown = realloc(c->records, c->cap * sizeof *grown);
            if (!grown) {
                fprintf(stderr, "out of memory\n");
                exit(2);
            }
            c->records = grown;
        }
        struct record *r = &c->records[c->count++];
        r->level = (int)level;
        r->target = xstrdup(target, target_len);
        r->message = xstrdup(message, message_len);
        r->thread = pthread_self();
    }
    pthread_mutex_unlock(&c->lock);
}

/* Sets itself again (same callback, level and user data) from inside the callback. */
static void on_log_reentrant(void *user_data, tb_log_level level, const char *target,
                             size_t target_len, const char *message, size_t message_len) {
    struct collector *c = user_data;
    if (tb_set_log_callback(on_log_reentrant, TB_LOG_DEBUG, user_data) == TB_OK) {
        pthread_mutex_lock(&c->lock);
        c->reentered++;
        pthread_mutex_unlock(&c->lock);
    }
    on_log(user_data, level, target, target_len, message, message_len);
}

static int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int is_ours(const struct record *r) {
    return strcmp(r->target, "tokenbridge") == 0 || starts_with(r->target, "tokenbridge::");
}

/* A record of ours at `level` whose message holds every one of the NULL-ended words. */
static const struct record *find(const struct collector *c, int level, ...) {
    for (size_t i = 0; i < c->count; i++) {
        const struct record *r = &c->records[i];
        if (r->level != level || !is_ours(r)) continue;
        va_list ap;
        va_start(ap, level);
        int all = 1;
        for (const char *w = va_arg(ap, const char *); w; w = va_arg(ap, const char *)) {
            if (!strstr(r->message, w)) all = 0;
        }
        va_end(ap);
        if (all) return r;
    }
    return NULL;
}

static int dumping(void) {
    const char *d = getenv("LOGGING_DUMP");
    return d && *d && strcmp(d, "0") != 0;
}

static void dump(const struct collector *c, const char *title) {
    fprintf(stderr, "-- %s: %zu records\n", title, c->count);
    for (size_t i = 0; i < c->count; i++) {
        fprintf(stderr, "  %d %s: %s\n", c->records[i].level, c->records[i].target,
                c->records[i].message);
    }
}

/* ------------------------------------------------------------ secrets */

static const char *UC_USER = "apiuser", *UC_PASSWORD = "s3cret&=+ \xc3\xa9";
static const char *YT_ACCOUNT = "acct-sandbox", *YT_SECRET = "yativo-secret";
static const char *YT_WRONG_SECRET = "not-the-yativo-secret-7";
static const char *AN_HASH = "COMPANYHASH", *AN_USER = "annauser", *AN_PASS = "anna-pass";

#define MAX_SECRETS 32
static char *g_secrets[MAX_SECRETS];
static size_t g_secret_count;

/* application/x-www-form-urlencoded, as the library encodes form fields. */
static char *form_encoded(const char *s) {
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1), *o = out;
    if (!out) exit(2);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '*' || *p == '-' || *p == '.' || *p == '_') {
            *o++ = (char)*p;
        } else if (*p == ' ') {
            *o++ = '+';
        } else {
            o += sprintf(o, "%%%02X", *p);
        }
    }
    *o = '\0';
    return out;
}

/* Adds a secret (copied) and its form-encoded form when that differs. */
static void add_secret(const char *s) {
    if (!s || !*s || g_secret_count + 2 > MAX_SECRETS) {
        CHECK(0, "secret missing or too many secrets");
        return;
    }
    g_secrets[g_secret_count++] = xstrdup(s, strlen(s));
    char *form = form_encoded(s);
    if (strcmp(form, s) != 0) {
        g_secrets[g_secret_count++] = form;
    } else {
        free(form);
    }
}

/* ------------------------------------------------------------ ureq_proto's hex rows */

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The length of the hex column of a dump row (hex digits, spaces and '-' before the
 * first double space), or 0 when the record is no such row. */
static size_t hex_column(const struct record *r) {
    if (strlen(r->message) < 40) return 0; /* of any target */
    const char *end = strstr(r->message, "  ");
    if (!end || end == r->message) return 0;
    for (const char *p = r->message; p < end; p++) {
        if (hex_value(*p) < 0 && *p != ' ' && *p != '-') return 0;
    }
    return (size_t)(end - r->message);
}

/* ------------------------------------------------------------ the sandbox */

static char g_uc_url[512], g_yt_url[512], g_an_url[512];
static tb_config *g_cfg;

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
    return cfg;
}

static tb_yativo_client *new_yativo(const char *secret) {
    tb_yativo_client *y = NULL;
    CHECK_OK(tb_yativo_client_new(g_cfg, g_yt_url, YT_ACCOUNT, secret, &y));
    if (!y) exit(2);
    return y;
}

struct anna_job {
    tb_anna_client *client;
    tb_status status;
    tb_access_data *access_data;
    pthread_t thread;
};

static void *anna_thread(void *arg) {
    struct anna_job *job = arg;
    job->thread = pthread_self();
    job->status = tb_anna_user_hash(job->client, "42", NULL, &job->access_data);
    return NULL;
}

/* The access data's hash (copied), or NULL. */
static char *access_hash(const tb_access_data *data) {
    const char *hash = NULL;
    size_t len = 0;
    if (tb_access_data_hash(data, &hash, &len) != TB_OK || !hash) return NULL;
    return xstrdup(hash, len);
}

/* A request for `method path`, with a form of one field when `field` is given. */
static tb_request *new_request(const char *method, const char *path, const char *field,
                               const char *value) {
    tb_request *req = NULL;
    CHECK_OK(tb_request_new(method, path, &req));
    if (field) CHECK_OK(tb_request_add_form_field(req, field, value));
    if (!req) exit(2);
    return req;
}

/* The response's HTTP status (0 for none); frees the response. */
static uint16_t status_of(tb_response *resp) {
    uint16_t status = tb_response_status(resp);
    tb_response_free(resp);
    return status;
}

/* ------------------------------------------------------------ the cases */

static void bad_levels(struct collector *c) {
    int bad[] = {0, 6, -1, 1000};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tb_status s = tb_set_log_callback(on_log, bad[i], c);
        CHECK(s == TB_INVALID_ARGUMENT, "max_level %d: %s", bad[i], tb_status_name(s));
        CHECK(starts_with(last_message(), "invalid argument `max_level`:"), "message: %s",
              g_message);
    }
    /* NULL turns off whatever the level (nothing was on). */
    CHECK_OK(tb_set_log_callback(NULL, 0, NULL));
    CHECK(tb_last_error_status() == TB_OK, "last error cleared");
}

/* Every API at TRACE; returns the records' count. */
static size_t trace_everything(struct collector *c) {
    CHECK_OK(tb_set_log_callback(on_log, TB_LOG_TRACE, c));

    /* uContact: a login, a call, the end of the session. */
    tb_ucontact_client *uc = NULL;
    CHECK_OK(tb_ucontact_client_new(g_cfg, g_uc_url, UC_USER, UC_PASSWORD,
                                     TB_UCONTACT_LOGIN_API_USER, &uc));
    if (!uc) exit(2);
    char *uc_token = NULL;
    CHECK_OK(tb_ucontact_get_user_token(uc, &uc_token));
    tb_request *dialer = new_request("POST", "Integra/resources/Dialers/DialerTask", "campaign", "Sales");
    tb_response *resp = NULL;
    CHECK_OK(tb_ucontact_send(uc, dialer, &resp));
    uint16_t status = status_of(resp);
    CHECK(status == 200, "DialerTask answered %u", status);
    tb_request_free(dialer);
    CHECK_OK(tb_ucontact_end_session(uc));
    tb_ucontact_client_free(uc);

    /* Yativo: a login, a refresh, and a login with a wrong secret. */
    tb_yativo_client *yt = new_yativo(YT_SECRET);
    char *yt_token1 = NULL, *yt_token2 = NULL;
    int64_t expires = 0;
    CHECK_OK(tb_yativo_login(yt, &yt_token1, &expires));
    CHECK_OK(tb_yativo_refresh_token(yt, &yt_token2, NULL));
    tb_yativo_client_free(yt);
    tb_yativo_client *wrong = new_yativo(YT_WRONG_SECRET);
    char *none = NULL;
    tb_status s = tb_yativo_login(wrong, &none, NULL);
    CHECK(s == TB_UNAUTHORIZED || s == TB_REJECTED, "wrong secret: %s", tb_status_name(s));
    CHECK(none == NULL, "no token for a wrong secret");
    tb_yativo_client_free(wrong);

    /* AnnA: a user hash (with its GetToken) on another thread. */
    tb_anna_client *an = NULL;
    CHECK_OK(tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, AN_PASS, &an));
    if (!an) exit(2);
    struct anna_job job = {.client = an};
    pthread_t t;
    if (pthread_create(&t, NULL, anna_thread, &job) != 0) exit(2);
    pthread_join(t, NULL);
    CHECK(job.status == TB_OK, "UserHash on a thread: %s", tb_status_name(job.status));
    char *an_token = NULL;
    CHECK_OK(tb_anna_token(an, &an_token)); /* the cached one: no request */
    char *user_hash = access_hash(job.access_data);
    CHECK(user_hash && strlen(user_hash) >= 20, "no access hash");
    tb_anna_client_free(an);

    size_t count = collector_count(c);
    /* Off: nothing more arrives. */
    CHECK_OK(tb_set_log_callback(NULL, TB_LOG_TRACE, NULL));
    yt = new_yativo(YT_SECRET);
    CHECK_OK(tb_yativo_login(yt, &none, NULL));
    tb_string_free(none);
    tb_yativo_client_free(yt);
    CHECK(collector_count(c) == count, "%zu records after logging was turned off",
          collector_count(c) - count);

    add_secret(UC_PASSWORD);
    add_secret(uc_token);
    add_secret(YT_SECRET);
    add_secret(YT_WRONG_SECRET);
    add_secret(yt_token1);
    add_secret(yt_token2);
    add_secret(AN_HASH);
    add_secret(AN_PASS);
    add_secret(an_token);
    add_secret(user_hash);
    tb_string_free(uc_token);
    tb_string_free(yt_token1);
    tb_string_free(yt_token2);
    tb_string_free(an_token);
    tb_access_data_free(job.access_data);
    free(user_hash);

    if (dumping()) dump(c, "TRACE");
    CHECK(c->malformed == 0, "%d malformed records", c->malformed);

    /* One DEBUG record per request, naming its method and path. */
    struct {
        const char *method, *path;
    } requests[] = {
        {"POST", "getUserToken"}, {"POST", "Dialers/DialerTask"}, {"POST", "EndSession"},
        {"POST", "auth/login"},   {"GET", "auth/refresh-token"},  {"POST", "GetToken"},
        {"POST", "UserHash"},
    };
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        CHECK(find(c, TB_LOG_DEBUG, requests[i].method, requests[i].path, "->", (char *)NULL),
              "no DEBUG record for %s %s", requests[i].method, requests[i].path);
    }
    size_t logins = 0;
    for (size_t i = 0; i < c->count; i++) {
        const struct record *r = &c->records[i];
        if (r->level == TB_LOG_DEBUG && strcmp(r->target, "tokenbridge::http") == 0 &&
            strstr(r->message, "auth/login"))
            logins++;
    }
    CHECK(logins == 2, "%zu DEBUG records of Yativo logins, not 2", logins);
    CHECK(find(c, TB_LOG_INFO, "logging in", (char *)NULL), "no INFO login record");
    CHECK(find(c, TB_LOG_INFO, "refreshing", (char *)NULL), "no INFO refresh record");
    CHECK(find(c, TB_LOG_INFO, "ending the session", (char *)NULL), "no INFO EndSession record");

    /* The records of the call made on the AnnA thread came from that thread. */
    const struct record *user_hash_record = find(c, TB_LOG_DEBUG, "UserHash", "->", (char *)NULL);
    CHECK(user_hash_record && pthread_equal(user_hash_record->thread, job.thread),
          "the UserHash record came from another thread than the call's");
    const struct record *login_record = find(c, TB_LOG_DEBUG, "getUserToken", (char *)NULL);
    CHECK(login_record && pthread_equal(login_record->thread, pthread_self()),
          "the getUserToken record came from another thread than the call's");

    /* The HTTP library's DEBUG records came, its TRACE wire dump did not. */
    size_t rows = 0, ureq_trace = 0, ureq_heads = 0;
    for (size_t i = 0; i < c->count; i++) {
        const struct record *r = &c->records[i];
        if (hex_column(r) > 0) rows++;
        if (starts_with(r->target, "ureq") && r->level == TB_LOG_TRACE) ureq_trace++;
        if (starts_with(r->target, "ureq") && r->level == TB_LOG_DEBUG &&
            strstr(r->message, "HEADERS ARE REDACTED"))
            ureq_heads++;
    }
    CHECK(rows == 0, "%zu wire dump rows reached the callback", rows);
    CHECK(ureq_trace == 0, "%zu TRACE records of the HTTP library reached the callback", ureq_trace);
    CHECK(ureq_heads > 3, "only %zu DEBUG request heads of the HTTP library", ureq_heads);

    /* No secret in any record. */
    for (size_t s2 = 0; s2 < g_secret_count; s2++) {
        size_t hits = 0;
        for (size_t i = 0; i < c->count; i++) {
            const struct record *r = &c->records[i];
            if (strstr(r->message, g_secrets[s2]) || strstr(r->target, g_secrets[s2])) {
                if (hits++ == 0)
                    fprintf(stderr, "secret #%zu in: %d %s: %s\n", s2, r->level, r->target,
                            r->message);
            }
        }
        CHECK(hits == 0, "secret #%zu in %zu records", s2, hits);
    }
    printf("TRACE: %zu records, %zu library request heads, %zu secrets searched\n", count,
           ureq_heads, g_secret_count);
    return count;
}

/* max_level INFO: logins arrive, nothing below INFO. */
static void info_only(struct collector *c) {
    CHECK_OK(tb_set_log_callback(on_log, TB_LOG_INFO, c));
    tb_yativo_client *yt = new_yativo(YT_SECRET);
    char *token = NULL;
    CHECK_OK(tb_yativo_login(yt, &token, NULL));
    tb_string_free(token);
    tb_request *balance = new_request("GET", "wallet/balance", NULL, NULL);
    tb_response *resp = NULL;
    CHECK_OK(tb_yativo_send(yt, balance, &resp));
    CHECK(status_of(resp) == 200, "wallet/balance did not answer 200");
    tb_request_free(balance);
    tb_yativo_client_free(yt);
    CHECK_OK(tb_set_log_callback(NULL, 0, NULL));

    if (dumping()) dump(c, "INFO");
    CHECK(c->malformed == 0, "%d malformed records", c->malformed);
    CHECK(find(c, TB_LOG_INFO, "logging in", (char *)NULL), "no INFO login record");
    for (size_t i = 0; i < c->count; i++) {
        CHECK(c->records[i].level <= TB_LOG_INFO, "a level-%d record at INFO: %s: %s",
              c->records[i].level, c->records[i].target, c->records[i].message);
    }
    printf("INFO: %zu records\n", c->count);
}

/* max_level DEBUG, with a callback that sets itself again: the request records, no
 * INFO/DEBUG/TRACE of other libraries, and no deadlock. */
static void debug_reentrant(struct collector *c) {
    CHECK_OK(tb_set_log_callback(on_log_reentrant, TB_LOG_DEBUG, c));
    tb_yativo_client *yt = new_yativo(YT_SECRET);
    tb_request *balance = new_request("GET", "wallet/balance", NULL, NULL);
    tb_response *resp = NULL;
    CHECK_OK(tb_yativo_send(yt, balance, &resp));
    uint16_t status = status_of(resp);
    CHECK(status == 200, "wallet/balance answered %u", status);
    tb_request_free(balance);
    tb_yativo_client_free(yt);
    CHECK_OK(tb_set_log_callback(NULL, 0, NULL));

    if (dumping()) dump(c, "DEBUG");
    CHECK(c->malformed == 0, "%d malformed records", c->malformed);
    CHECK(find(c, TB_LOG_DEBUG, "GET", "wallet/balance", "-> 200", (char *)NULL),
          "no DEBUG record of the call");
    CHECK(c->reentered > 0 && (size_t)c->reentered == c->count,
          "tb_set_log_callback from the callback: %d of %zu", c->reentered, c->count);
    for (size_t i = 0; i < c->count; i++) {
        const struct record *r = &c->records[i];
        CHECK(r->level <= TB_LOG_DEBUG, "a level-%d record at DEBUG: %s", r->level, r->message);
        CHECK(is_ours(r) || r->level <= TB_LOG_WARN, "another library's level-%d record: %s: %s",
              r->level, r->target, r->message);
    }
    printf("DEBUG: %zu records\n", c->count);
}

/* ------------------------------------------------ a callback calling its own client */

#define REENTRY_THREADS 16

/* The client the calling thread is using, for the callback to call back. */
static __thread tb_anna_client *tl_client;
static __thread int tl_reentered;

struct reentry {
    pthread_mutex_t lock;
    int calls;           /* re-entrant calls made */
    int would_deadlock;  /* of which returned TB_WOULD_DEADLOCK */
    int other;           /* of which returned something else */
    double slowest_ms;   /* the longest a re-entrant call took */
};

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void on_log_call_client(void *user_data, tb_log_level level, const char *target,
                               size_t target_len, const char *message, size_t message_len) {
    (void)target;
    (void)target_len;
    (void)message_len;
    struct reentry *r = user_data;
    if (level != TB_LOG_INFO || !tl_client || tl_reentered || !strstr(message, "getting a token"))
        return;
    tl_reentered = 1;
    double start = now_ms();
    char *token = NULL;
    tb_status s = tb_anna_token(tl_client, &token); /* this very client, mid-login */
    double took = now_ms() - start;
    tb_string_free(token);
    pthread_mutex_lock(&r->lock);
    r->calls++;
    if (s == TB_WOULD_DEADLOCK)
        r->would_deadlock++;
    else
        r->other++;
    if (took > r->slowest_ms) r->slowest_ms = took;
    pthread_mutex_unlock(&r->lock);
    if (s == TB_WOULD_DEADLOCK) {
        const char *m = last_message();
        CHECK(strstr(m, "AnnA login:") && strstr(m, "inside this client's login"),
              "TB_WOULD_DEADLOCK message: %s", m);
    }
}

struct reentry_job {
    tb_anna_client *client;
    tb_status status;
};

static void *reentry_thread(void *arg) {
    struct reentry_job *job = arg;
    tl_client = job->client;
    tl_reentered = 0;
    char *token = NULL;
    job->status = tb_anna_token(job->client, &token);
    tb_string_free(token);
    tl_client = NULL;
    return NULL;
}

/* Runs REENTRY_THREADS threads, each getting a token of clients[i]; returns how many
 * failed. */
static int run_reentry(tb_anna_client **clients) {
    pthread_t threads[REENTRY_THREADS];
    struct reentry_job jobs[REENTRY_THREADS];
    for (int i = 0; i < REENTRY_THREADS; i++) {
        jobs[i].client = clients[i];
        jobs[i].status = TB_PANIC;
        if (pthread_create(&threads[i], NULL, reentry_thread, &jobs[i]) != 0) exit(2);
    }
    int failed = 0;
    for (int i = 0; i < REENTRY_THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (jobs[i].status != TB_OK) {
            failed++;
            fprintf(stderr, "thread %d: %s\n", i, tb_status_name(jobs[i].status));
        }
    }
    return failed;
}

static void callback_calls_its_own_client(void) {
    struct reentry r = {.lock = PTHREAD_MUTEX_INITIALIZER};
    CHECK_OK(tb_set_log_callback(on_log_call_client, TB_LOG_INFO, &r));

    /* One thread: the call from inside its login returns at once. */
    tb_anna_client *own[REENTRY_THREADS];
    for (int i = 0; i < REENTRY_THREADS; i++) {
        own[i] = NULL;
        CHECK_OK(tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, AN_PASS, &own[i]));
        if (!own[i]) exit(2);
    }
    double start = now_ms();
    struct reentry_job one = {.client = own[0]};
    reentry_thread(&one);
    CHECK(one.status == TB_OK, "the login with a re-entrant callback: %s",
          tb_status_name(one.status));
    CHECK(r.calls == 1 && r.would_deadlock == 1, "one re-entrant call, TB_WOULD_DEADLOCK: %d of %d",
          r.would_deadlock, r.calls);

    /* 16 threads, each logging in its own client (15 new ones) at once. */
    r.calls = r.would_deadlock = r.other = 0;
    tb_anna_client_free(own[0]);
    own[0] = NULL;
    CHECK_OK(tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, AN_PASS, &own[0]));
    int failed = run_reentry(own);
    CHECK(failed == 0, "%d of %d threads failed to log in", failed, REENTRY_THREADS);
    CHECK(r.calls == REENTRY_THREADS && r.would_deadlock == REENTRY_THREADS,
          "16 own clients: %d re-entrant calls, %d TB_WOULD_DEADLOCK, %d other", r.calls,
          r.would_deadlock, r.other);

    /* 16 threads on one shared client: one logs in (its callback calls back), the
     * others wait for it and share its token. */
    int own_calls = r.calls;
    r.calls = r.would_deadlock = r.other = 0;
    tb_anna_client *shared = NULL;
    CHECK_OK(tb_anna_client_new(g_cfg, g_an_url, AN_HASH, AN_USER, AN_PASS, &shared));
    if (!shared) exit(2);
    tb_anna_client *same[REENTRY_THREADS];
    for (int i = 0; i < REENTRY_THREADS; i++) same[i] = shared;
    failed = run_reentry(same);
    CHECK(failed == 0, "%d of %d threads on one client failed", failed, REENTRY_THREADS);
    CHECK(r.calls >= 1 && r.other == 0, "shared client: %d re-entrant calls, %d not TB_WOULD_DEADLOCK",
          r.calls, r.other);
    double took = now_ms() - start;
    CHECK_OK(tb_set_log_callback(NULL, 0, NULL));
    tb_anna_client_free(shared);
    for (int i = 0; i < REENTRY_THREADS; i++) tb_anna_client_free(own[i]);
    printf("re-entrant callbacks: %d + %d + %d calls back into a client mid-login, slowest %.1f ms; "
           "all %.0f ms\n",
           1, own_calls, r.calls, r.slowest_ms, took);
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
    g_cfg = new_config();

    struct collector trace, info, debug;
    collector_init(&trace);
    collector_init(&info);
    collector_init(&debug);

    bad_levels(&trace);
    size_t traced = trace_everything(&trace);
    info_only(&info);
    debug_reentrant(&debug);
    callback_calls_its_own_client();
    /* Each collector got records only while it was the one set. */
    CHECK(trace.count == traced, "%zu records reached a replaced callback", trace.count - traced);
    CHECK(info.count > 0 && debug.count > 0, "every collector got records");

    collector_free(&trace);
    collector_free(&info);
    collector_free(&debug);
    for (size_t i = 0; i < g_secret_count; i++) free(g_secrets[i]);
    tb_config_free(g_cfg);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
