/* THREADS threads calling tb_anna_messenger_alert_counter through ONE shared client
 * (https, cached token): what a server integrating tokenbridge does.
 *   abi_threads PORT THREADS TOTAL WARMUP CAFILE */
#include <tokenbridge.h>
#include "threads.h"

static tb_anna_client *client;

static void *bench_thread_setup(void) { return client; }

static int bench_call(void *state) {
    uint64_t count = 0;
    if (tb_anna_messenger_alert_counter(state, "42", NULL, NULL, NULL, &count) != TB_OK) {
        char *msg = tb_last_error_message();
        fprintf(stderr, "abi_threads: %s\n", msg ? msg : "(no message)");
        tb_string_free(msg);
        return 1;
    }
    return count == 3 ? 0 : 1;
}

static void bench_thread_done(void *state) { (void)state; }

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: abi_threads PORT THREADS TOTAL WARMUP CAFILE\n"); return 2; }
    char base[128];
    snprintf(base, sizeof base, "https://127.0.0.1:%s/anna/", argv[1]);
    tb_config *cfg = tb_config_new();
    if (tb_config_set_extra_ca_file(cfg, argv[5]) != TB_OK || tb_config_set_no_proxy(cfg) != TB_OK ||
        tb_config_set_retries(cfg, 0, 100, 1000) != TB_OK ||
        tb_anna_client_new(cfg, base, "COMPANYHASH", "annauser", "anna-pass", &client) != TB_OK ||
        tb_anna_set_token(client, "bench-token", (int64_t)time(NULL) + 86400) != TB_OK) {
        fprintf(stderr, "abi_threads: setup failed\n");
        return 1;
    }
    tb_config_free(cfg);
    int rc = bench_threads_main("c-abi", strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10),
                                strtoul(argv[4], NULL, 10));
    tb_anna_client_free(client);
    return rc;
}
