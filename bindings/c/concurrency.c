/*
 * 16 pthreads × 500 calls on one shared client per API, through the C ABI, against
 * the sandbox started with a short --token-lifetime, the token expiring in the
 * middle: no call fails, and the sandbox's own counters (GET /__sandbox/stats) show
 * exactly the expected logins and refreshes.
 *
 * Every thread stops at a barrier after the same number of calls; one of them waits
 * there until the token is due for refresh (or expired), then all go on together:
 *
 *   Yativo (refresh-ahead = half the lifetime L): due at 0.75 L -> one refresh;
 *          expired at 1.75 L -> one new login.               login +2, refresh +1
 *   AnnA   the same, its refresh being a new GetToken:       GetToken +3
 *   uContact tokens expire on the server only: at L + 0.5 s the sandbox answers
 *          401, each thread meets at most one, the client logs in again once.
 *                                                            getUserToken +2
 * Each phase must end within half the token's life, or the counts cannot be exact;
 * a slower machine is told so (raise the lifetime with TOKEN_LIFETIME).
 *
 * Needs TOKENBRIDGE_SANDBOX_URL and TOKENBRIDGE_TOKEN_LIFETIME (the sandbox's
 * --token-lifetime, seconds). Prints "N passed, M failed"; exits 1 on a failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tokenbridge.h"

#define THREADS 16
#define CALLS 500

static int g_passed, g_failed;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static void check(int ok, int line, const char *fmt, ...) {
    pthread_mutex_lock(&g_lock);
    if (ok) {
        g_passed++;
    } else {
        g_failed++;
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "FAIL concurrency.c:%d: ", line);
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        va_end(ap);
    }
    pthread_mutex_unlock(&g_lock);
}
#define CHECK(cond, ...) check(!!(cond), __LINE__, __VA_ARGS__)

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_until(double t) {
    double left = t - now_s();
    if (left <= 0) return;
    struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* ------------------------------------------------------------ sandbox stats */

static char g_host[64];
static int g_port;

/* The sandbox's count for `key` in GET /__sandbox/stats (0 when absent). */
static long stat_of(const char *stats, const char *key) {
    char quoted[96];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *p = strstr(stats, quoted);
    if (!p) return 0;
    p += strlen(quoted);
    while (*p == ' ' || *p == ':') p++;
    return strtol(p, NULL, 10);
}

/* GET /__sandbox/stats over a plain socket (not through the library: no login). */
static char *fetch_stats(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)g_port);
    inet_pton(AF_INET, g_host, &addr.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        fprintf(stderr, "cannot connect to the sandbox\n");
        exit(2);
    }
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET /__sandbox/stats HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n",
                     g_host, g_port);
    if (write(fd, req, (size_t)n) != n) exit(2);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while (buf && len + 1 < cap && (r = read(fd, buf + len, cap - len - 1)) > 0) len += (size_t)r;
    close(fd);
    if (!buf) exit(2);
    buf[len] = '\0';
    return buf;
}

/* ------------------------------------------------------------ the hammer */

struct run {
    const char *name;
    void *client;
    tb_status (*call)(void *client, char **detail);
    int checkpoints[2];
    int ncheckpoints;
    double sleep_to[2]; /* seconds after t0, per checkpoint */
    double budget;      /* the longest a phase may take */
    double t0;
    double phase_start;
    pthread_barrier_t barrier;
    int errors;
    char first_error[512];
};

static void *worker(void *arg) {
    struct run *r = arg;
    for (int i = 0; i < CALLS; i++) {
        for (int k = 0; k < r->ncheckpoints; k++) {
            if (i != r->checkpoints[k]) continue;
            int rc = pthread_barrier_wait(&r->barrier);
            if (rc == PTHREAD_BARRIER_SERIAL_THREAD) {
                double took = now_s() - r->phase_start;
                CHECK(took < r->budget,
                      "%s: phase %d took %.2f s, more than %.2f s (half the token's life): "
                      "raise TOKEN_LIFETIME on this machine",
                      r->name, k + 1, took, r->budget);
                sleep_until(r->t0 + r->sleep_to[k]);
                r->phase_start = now_s();
            }
            pthread_barrier_wait(&r->barrier);
        }
        char *detail = NULL;
        tb_status s = r->call(r->client, &detail);
        if (s != TB_OK) {
            char *m = tb_last_error_message();
            pthread_mutex_lock(&g_lock);
            if (r->errors++ == 0)
                snprintf(r->first_error, sizeof r->first_error, "call %d: %s: %s", i,
                         tb_status_name(s), m ? m : (detail ? detail : ""));
            pthread_mutex_unlock(&g_lock);
            tb_string_free(m);
        }
        tb_string_free(detail);
    }
    return NULL;
}

static void hammer(struct run *r) {
    pthread_t threads[THREADS];
    pthread_barrier_init(&r->barrier, NULL, THREADS);
    r->t0 = now_s();
    r->phase_start = r->t0;
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, worker, r);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    double last = now_s() - r->phase_start;
    CHECK(last < r->budget, "%s: the last phase took %.2f s, more than %.2f s: raise TOKEN_LIFETIME",
          r->name, last, r->budget);
    pthread_barrier_destroy(&r->barrier);
    CHECK(r->errors == 0, "%s: %d of %d calls failed, first: %s", r->name, r->errors,
          THREADS * CALLS, r->first_error);
    printf("%s: %d calls on %d threads in %.2f s, %d errors\n", r->name, THREADS * CALLS, THREADS,
           now_s() - r->t0, r->errors);
}

/* ------------------------------------------------------------ the calls */

/* The two generic calls are built once (a request may be sent from many threads at
 * once when nobody changes it) and sent through tb_<api>_send. */
static tb_request *g_balance, *g_dialer;

/* TB_OK only for HTTP 200 with a body that says what the call is about. */
static tb_status answered(tb_status s, tb_response *resp, const char *want) {
    if (s != TB_OK) return s;
    const uint8_t *body = NULL;
    size_t len = 0;
    if (tb_response_status(resp) != 200) s = TB_HTTP_STATUS;
    else if (tb_response_body(resp, &body, &len) != TB_OK || !strstr((const char *)body, want))
        s = TB_UNEXPECTED_RESPONSE;
    tb_response_free(resp);
    return s;
}

static tb_status yativo_call(void *c, char **detail) {
    (void)detail;
    tb_response *resp = NULL;
    tb_status s = tb_yativo_send(c, g_balance, &resp);
    return answered(s, resp, "\"balances\"");
}

static tb_status anna_call(void *c, char **detail) {
    tb_status s = tb_anna_messenger_link(c, "42", NULL, NULL, detail);
    return s == TB_OK && strncmp(*detail, "http", 4) != 0 ? TB_UNEXPECTED_RESPONSE : s;
}

static tb_status ucontact_call(void *c, char **detail) {
    (void)detail;
    tb_response *resp = NULL;
    tb_status s = tb_ucontact_send(c, g_dialer, &resp);
    return answered(s, resp, "\"campaign\":\"Sales\"");
}

int main(void) {
    const char *url = getenv("TOKENBRIDGE_SANDBOX_URL");
    const char *lifetime_s = getenv("TOKENBRIDGE_TOKEN_LIFETIME");
    if (!url || !lifetime_s || sscanf(url, "http://%63[^:]:%d", g_host, &g_port) != 2) {
        fprintf(stderr, "TOKENBRIDGE_SANDBOX_URL and TOKENBRIDGE_TOKEN_LIFETIME must be set "
                        "(run bindings/c/run-hostile.sh)\n");
        return 2;
    }
    double L = atof(lifetime_s);
    char uc_url[256], yt_url[256], an_url[256];
    snprintf(uc_url, sizeof uc_url, "%s/ucontact", url);
    snprintf(yt_url, sizeof yt_url, "%s/yativo/api/v1", url);
    snprintf(an_url, sizeof an_url, "%s/anna/", url);

    tb_config *cfg = tb_config_new();
    tb_config_set_allow_http(cfg, true);
    tb_config_set_no_proxy(cfg);
    tb_config_set_retries(cfg, 0, 1, 1);
    tb_config_set_end_session_on_close(cfg, false);
    tb_config_set_timeout_receive_ms(cfg, 10000);
    /* Due at half the lifetime, so that 0.75 L is inside the refresh window. */
    tb_config_set_refresh_ahead_ms(cfg, (uint64_t)(L * 500));
    /* Kept addresses expire several times during each run: 16 threads share each
       client's DNS cache as its answers age out and are put back. */
    tb_config_set_dns_cache_ttl_ms(cfg, (uint64_t)(L * 250));

    tb_yativo_client *yt = NULL;
    tb_anna_client *an = NULL;
    tb_ucontact_client *uc = NULL;
    if (tb_yativo_client_new(cfg, yt_url, "acct-sandbox", "yativo-secret", &yt) != TB_OK ||
        tb_anna_client_new(cfg, an_url, "COMPANYHASH", "annauser", "anna-pass", &an) != TB_OK ||
        tb_ucontact_client_new(cfg, uc_url, "apiuser", "s3cret&=+ \xc3\xa9", TB_UCONTACT_LOGIN_API_USER,
                               &uc) != TB_OK) {
        fprintf(stderr, "cannot create the clients\n");
        return 2;
    }
    tb_config_free(cfg);
    if (tb_request_new("GET", "wallet/balance", &g_balance) != TB_OK ||
        tb_request_new("POST", "Integra/resources/Dialers/DialerTask", &g_dialer) != TB_OK ||
        tb_request_add_form_field(g_dialer, "campaign", "Sales") != TB_OK) {
        fprintf(stderr, "cannot build the requests\n");
        return 2;
    }

    char *before = fetch_stats();
    struct run yr = {.name = "Yativo", .client = yt, .call = yativo_call,
                     .checkpoints = {CALLS / 3, 2 * CALLS / 3}, .ncheckpoints = 2,
                     .sleep_to = {0.75 * L, 1.75 * L + 0.5}, .budget = L / 2};
    hammer(&yr);
    struct run ar = {.name = "AnnA", .client = an, .call = anna_call,
                     .checkpoints = {CALLS / 3, 2 * CALLS / 3}, .ncheckpoints = 2,
                     .sleep_to = {0.75 * L, 1.75 * L + 0.5}, .budget = L / 2};
    hammer(&ar);
    struct run ur = {.name = "uContact", .client = uc, .call = ucontact_call,
                     .checkpoints = {CALLS / 2}, .ncheckpoints = 1,
                     .sleep_to = {L + 0.5}, .budget = L};
    hammer(&ur);
    char *after = fetch_stats();

    struct {
        const char *key;
        long min, max;
    } want[] = {
        {"yativo.login", 2, 2},
        {"yativo.refresh", 1, 1},
        /* A refresh ends the old token at once: a call still carrying it meets one
           401 and is sent again with the new token (at most once per thread). */
        {"yativo.call", THREADS * CALLS, THREADS * CALLS + THREADS},
        {"anna.GetToken", 3, 3},
        {"anna.Link", THREADS * CALLS, THREADS * CALLS},
        {"ucontact.getUserToken", 2, 2},
        /* Each thread meets the revoked token at most once; each 401 is one more call. */
        {"ucontact.call", THREADS * CALLS + 1, THREADS * CALLS + THREADS},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        long got = stat_of(after, want[i].key) - stat_of(before, want[i].key);
        CHECK(got >= want[i].min && got <= want[i].max, "%s: %ld on the wire, want %ld..%ld",
              want[i].key, got, want[i].min, want[i].max);
        printf("  %-24s %6ld\n", want[i].key, got);
    }
    free(before);
    free(after);
    tb_yativo_client_free(yt);
    tb_anna_client_free(an);
    tb_ucontact_client_free(uc);
    tb_request_free(g_balance);
    tb_request_free(g_dialer);
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
