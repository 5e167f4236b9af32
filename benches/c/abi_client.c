/* The same calls through the C ABI: tb_anna_messenger_alert_counter with a cached token.
 *   abi_client PORT REQUESTS WARMUP [call|rss] [CAFILE [STORE_URL NAME]]
 * Mode "rss": printing peak RSS at checkpoints (it must not grow). With CAFILE: https,
 * trusting that CA beside the bundled roots (tb_config_set_extra_ca_file). With
 * STORE_URL: the client has that token store and logs in once (GetToken) before the
 * timed calls, instead of being handed its token; the results are named NAME. */
#include <tokenbridge.h>
#include "stats.h"

static void die(const char *what) {
    char *msg = tb_last_error_message();
    fprintf(stderr, "abi_client: %s failed: %s\n", what, msg ? msg : "(no message)");
    tb_string_free(msg);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: abi_client PORT REQUESTS WARMUP [call|rss] [CAFILE]\n"); return 2; }
    size_t n = strtoul(argv[2], NULL, 10), warm = strtoul(argv[3], NULL, 10);
    int rss_mode = argc > 4 && strcmp(argv[4], "rss") == 0;
    const char *ca = argc > 5 ? argv[5] : NULL;
    const char *store = argc > 7 ? argv[6] : NULL, *name = argc > 7 ? argv[7] : NULL;
    char base[128];
    snprintf(base, sizeof base, "%s://127.0.0.1:%s/anna/", ca ? "https" : "http", argv[1]);

    tb_config *cfg = tb_config_new();
    if (tb_config_set_allow_http(cfg, true) != TB_OK) die("allow_http");
    if (tb_config_set_no_proxy(cfg) != TB_OK) die("no_proxy");
    if (tb_config_set_retries(cfg, 0, 100, 1000) != TB_OK) die("retries");
    if (ca && tb_config_set_extra_ca_file(cfg, ca) != TB_OK) die("extra_ca_file");
    if (store && tb_config_set_token_store(cfg, store) != TB_OK) die("token_store");
    tb_anna_client *c = NULL;
    if (tb_anna_client_new(cfg, base, "COMPANYHASH", "annauser", "anna-pass", &c) != TB_OK) die("client");
    tb_config_free(cfg);
    if (store) {
        char *token = NULL;
        int64_t expires_at = 0;
        if (tb_anna_get_token(c, &token, &expires_at) != TB_OK) die("GetToken");
        tb_string_free(token);
    } else if (tb_anna_set_token(c, "bench-token", (int64_t)time(NULL) + 86400) != TB_OK) {
        die("set_token");
    }

    uint64_t *lat = malloc((rss_mode ? 1000 : n) * sizeof *lat);
    uint64_t count = 0;
    for (size_t i = 0; i < warm + n; i++) {
        uint64_t t0 = bench_now_ns();
        if (tb_anna_messenger_alert_counter(c, "42", NULL, NULL, NULL, &count) != TB_OK) die("AlertCounter");
        /* In rss mode latencies go round a small ring, so that only the library's own
         * memory can make the peak RSS grow. */
        if (i >= warm) lat[rss_mode ? (i - warm) % 1000 : i - warm] = bench_now_ns() - t0;
        if (count != 3) { fprintf(stderr, "abi_client: wrong count\n"); return 1; }
        if (rss_mode && (i + 1 == warm + n / 10 || i + 1 == warm + n / 2 || i + 1 == warm + n))
            printf("RSS %zu %ld\n", i + 1 - warm, bench_max_rss_kib());
    }
    size_t kept = rss_mode ? (n < 1000 ? n : 1000) : n;
    uint64_t total = 0;
    for (size_t i = 0; i < kept; i++) total += lat[i];
    bench_report(name ? name : rss_mode ? "c-abi-rss" : "c-abi", lat, kept, total);
    free(lat);
    tb_anna_client_free(c);
    return 0;
}
