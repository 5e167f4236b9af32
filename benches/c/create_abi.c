/* What a client costs: time and memory of tb_anna_client_new (https, the test CA as
 * extra CA file beside the bundled roots), the first one of the process and the ones
 * after; then of a new client plus its first call (a new TLS connection).
 *   create_abi PORT CLIENTS CAFILE new|first-call
 * One part per process, so that the memory one part frees cannot hide the other's.
 * prints CREATE <name> <count> <first µs> <p50 µs> <p99 µs> <KiB per client>. */
#include <tokenbridge.h>
#include "stats.h"

static tb_config *cfg;
static char base[128];

static tb_anna_client *make(void) {
    tb_anna_client *c = NULL;
    if (tb_anna_client_new(cfg, base, "COMPANYHASH", "annauser", "anna-pass", &c) != TB_OK) {
        char *msg = tb_last_error_message();
        fprintf(stderr, "create_abi: %s\n", msg ? msg : "(no message)");
        exit(1);
    }
    return c;
}

static void report(const char *name, uint64_t *lat, size_t n, long rss_before, long rss_after) {
    uint64_t first = lat[0];
    qsort(lat + 1, n - 1, sizeof *lat, bench_cmp_u64);
    printf("CREATE %s %zu %.1f %.1f %.1f %.1f\n", name, n, (double)first / 1000.0,
           (double)lat[1 + (n - 1) / 2] / 1000.0, (double)lat[1 + ((n - 1) * 99) / 100] / 1000.0,
           (double)(rss_after - rss_before) / (double)n);
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: create_abi PORT CLIENTS CAFILE new|first-call\n"); return 2; }
    int first_call = strcmp(argv[4], "first-call") == 0;
    size_t n = strtoul(argv[2], NULL, 10);
    if (n < 2 || n > 100000) { fprintf(stderr, "create_abi: CLIENTS out of range\n"); return 2; }
    snprintf(base, sizeof base, "https://127.0.0.1:%s/anna/", argv[1]);
    cfg = tb_config_new();
    if (tb_config_set_extra_ca_file(cfg, argv[3]) != TB_OK || tb_config_set_no_proxy(cfg) != TB_OK ||
        tb_config_set_retries(cfg, 0, 100, 1000) != TB_OK) {
        fprintf(stderr, "create_abi: config failed\n");
        return 1;
    }
    tb_anna_client **cs = calloc(n, sizeof *cs);
    uint64_t *lat = malloc(n * sizeof *lat);

    /* 1. tb_anna_client_new alone; all clients kept alive to count their memory. */
    long before = bench_rss_kib();
    if (first_call) goto first_calls;
    for (size_t i = 0; i < n; i++) {
        uint64_t t0 = bench_now_ns();
        cs[i] = make();
        lat[i] = bench_now_ns() - t0;
    }
    report("client-new", lat, n, before, bench_rss_kib());
    for (size_t i = 0; i < n; i++) tb_anna_client_free(cs[i]);
    goto done;

first_calls:;
    /* 2. A new client and its first call: its TLS connection made (and whatever the
     * library builds on first use). Kept alive, connection open, to count memory. */
    size_t m = n < 200 ? n : 200; /* nginx: worker_connections */
    before = bench_rss_kib();
    for (size_t i = 0; i < m; i++) {
        uint64_t t0 = bench_now_ns(), count = 0;
        cs[i] = make();
        if (tb_anna_set_token(cs[i], "bench-token", (int64_t)time(NULL) + 86400) != TB_OK ||
            tb_anna_messenger_alert_counter(cs[i], "42", NULL, NULL, NULL, &count) != TB_OK || count != 3) {
            char *msg = tb_last_error_message();
            fprintf(stderr, "create_abi: first call: %s\n", msg ? msg : "(no message)");
            return 1;
        }
        lat[i] = bench_now_ns() - t0;
    }
    report("client-new+first-call", lat, m, before, bench_rss_kib());
    for (size_t i = 0; i < m; i++) tb_anna_client_free(cs[i]);
done:
    tb_config_free(cfg);
    free(cs);
    free(lat);
    return 0;
}
