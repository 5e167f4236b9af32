/* Cold start through the C ABI, as the README's example runs: a new process makes a
 * client, logs in (AnnA GetToken) and makes one authenticated call over https, then
 * exits. Run many times by cold_run; what it measures is the whole process.
 *   cold_abi PORT CAFILE      the bundled Mozilla roots plus CAFILE (tb_config_set_extra_ca_file)
 *   cold_abi PORT os          the OS trust store (TB_TLS_ROOTS_OS); the caller points
 *                             SSL_CERT_FILE at the test CA, as curl's --cacert does */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tokenbridge.h>

static int fail(const char *what) {
    char *msg = tb_last_error_message();
    fprintf(stderr, "cold_abi: %s failed: %s\n", what, msg ? msg : "(no message)");
    tb_string_free(msg);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: cold_abi PORT CAFILE\n"); return 2; }
    char base[128];
    snprintf(base, sizeof base, "https://127.0.0.1:%s/anna/", argv[1]);
    tb_config *cfg = tb_config_new();
    if (strcmp(argv[2], "os") == 0) {
        if (tb_config_set_tls_roots(cfg, TB_TLS_ROOTS_OS) != TB_OK) return fail("tls_roots");
    } else if (tb_config_set_extra_ca_file(cfg, argv[2]) != TB_OK) {
        return fail("extra_ca_file");
    }
    if (tb_config_set_no_proxy(cfg) != TB_OK) return fail("no_proxy");
    tb_anna_client *c = NULL;
    tb_status st = tb_anna_client_new(cfg, base, "COMPANYHASH", "annauser", "anna-pass", &c);
    tb_config_free(cfg);
    if (st != TB_OK) return fail("client");
    char *token = NULL;
    int64_t expires_at = 0;
    if (tb_anna_get_token(c, &token, &expires_at) != TB_OK) return fail("GetToken");
    tb_string_free(token); /* the client keeps it */
    uint64_t count = 0;
    if (tb_anna_messenger_alert_counter(c, "42", NULL, NULL, NULL, &count) != TB_OK)
        return fail("AlertCounter");
    tb_anna_client_free(c);
    return count == 3 ? 0 : 1;
}
