/* One process of a fleet: a Yativo client (the sandbox's default credentials) calling
 * GET wallet/balance every 100 ms until a common deadline, with or without a token
 * store shared by the fleet.
 *   fleet_worker SANDBOX_URL UNTIL_UNIX_MS [STORE_URL]
 * prints FLEETW <calls> <failed>. Tokens are refreshed 100 ms ahead of expiry (as in
 * tests/store.rs), so a 2 s token is used for its whole life. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tokenbridge.h>

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: fleet_worker SANDBOX_URL UNTIL_UNIX_MS [STORE_URL]\n"); return 2; }
    long long until = atoll(argv[2]);
    char base[256];
    snprintf(base, sizeof base, "%s/yativo/api/v1", argv[1]);
    tb_config *cfg = tb_config_new();
    if (tb_config_set_allow_http(cfg, true) != TB_OK || tb_config_set_no_proxy(cfg) != TB_OK ||
        tb_config_set_refresh_ahead_ms(cfg, 100) != TB_OK ||
        (argc > 3 && tb_config_set_token_store(cfg, argv[3]) != TB_OK)) {
        char *m = tb_last_error_message();
        fprintf(stderr, "fleet_worker: config: %s\n", m ? m : "?");
        return 1;
    }
    tb_yativo_client *c = NULL;
    if (tb_yativo_client_new(cfg, base, "acct-sandbox", "yativo-secret", &c) != TB_OK) {
        char *m = tb_last_error_message();
        fprintf(stderr, "fleet_worker: client: %s\n", m ? m : "?");
        return 1;
    }
    tb_config_free(cfg);
    tb_request *req = NULL;
    if (tb_request_new("GET", "wallet/balance", &req) != TB_OK) return 1;
    unsigned long calls = 0, failed = 0;
    /* Bounded by count and by the deadline. */
    while (calls < 100000) {
        tb_response *r = NULL;
        tb_status st = tb_yativo_send(c, req, &r);
        if (st != TB_OK || tb_response_status(r) != 200) {
            failed++;
            char *m = st != TB_OK ? tb_last_error_message() : NULL;
            fprintf(stderr, "fleet_worker: %s\n", m ? m : "HTTP status not 200");
            tb_string_free(m);
        }
        tb_response_free(r);
        calls++;
        if (now_ms() >= until) break;
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL);
    }
    tb_request_free(req);
    tb_yativo_client_free(c);
    printf("FLEETW %lu %lu\n", calls, failed);
    return 0;
}
