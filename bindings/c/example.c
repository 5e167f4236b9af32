/* Log in to Yativo and read the wallet balance with tokenbridge's C API.
 *
 *   cc -std=c11 example.c $(pkg-config --cflags --libs tokenbridge) -o example
 *   TOKENBRIDGE_YATIVO_ACCOUNT=... TOKENBRIDGE_YATIVO_SECRET=... ./example [BASE_URL]
 *
 * BASE_URL defaults to $TOKENBRIDGE_YATIVO_URL, then to Yativo's sandbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokenbridge.h>

/* Prints why the last call on this thread failed. */
static void print_error(const char *what, tb_status status) {
    char *message = tb_last_error_message();
    fprintf(stderr, "%s failed (%s): %s\n", what, tb_status_name(status),
            message ? message : "no details");
    tb_string_free(message);
}

int main(int argc, char **argv) {
    const char *base_url = argc > 1 ? argv[1] : getenv("TOKENBRIDGE_YATIVO_URL");
    const char *account = getenv("TOKENBRIDGE_YATIVO_ACCOUNT");
    const char *secret = getenv("TOKENBRIDGE_YATIVO_SECRET");
    if (!base_url) base_url = TB_YATIVO_SANDBOX_URL;
    if (!account || !secret) {
        fprintf(stderr, "set TOKENBRIDGE_YATIVO_ACCOUNT and TOKENBRIDGE_YATIVO_SECRET\n");
        return 2;
    }
    if (tb_version_number() != TB_VERSION_NUMBER) {
        fprintf(stderr, "header %s but library %s\n", TB_VERSION_STRING, tb_version());
        return 2;
    }

    tb_config *cfg = tb_config_new();
    if (strncmp(base_url, "http://", 7) == 0) {
        tb_config_set_allow_http(cfg, true); /* a local sandbox; never in production */
    }
    tb_yativo_client *client = NULL;
    tb_status status = tb_yativo_client_new(cfg, base_url, account, secret, &client);
    tb_config_free(cfg); /* the client keeps its own copy */
    if (status != TB_OK) {
        print_error("tb_yativo_client_new", status);
        return 1;
    }

    int exit_code = 1;
    tb_request *request = NULL;
    tb_response *response = NULL;
    const uint8_t *body = NULL; /* lent by the response */
    size_t body_len = 0;
    char *token = NULL;
    int64_t expires_at = 0;
    status = tb_yativo_login(client, &token, &expires_at);
    if (status != TB_OK) {
        print_error("tb_yativo_login", status);
        goto done;
    }
    printf("logged in; the token expires at %lld (Unix time)\n", (long long)expires_at);
    tb_string_free(token); /* the client caches it; never log it */

    /* Any other endpoint, with the cached token (refreshed when due). */
    status = tb_request_new("GET", "wallet/balance", &request);
    if (status == TB_OK) status = tb_yativo_send(client, request, &response);
    if (status != TB_OK) {
        print_error("GET wallet/balance", status);
        goto done;
    }
    tb_response_body(response, &body, &body_len); /* valid until tb_response_free */
    printf("GET wallet/balance: HTTP %u\n%.*s\n", (unsigned)tb_response_status(response),
           (int)body_len, (const char *)body);
    exit_code = tb_response_status(response) == 200 ? 0 : 1;

done:
    tb_response_free(response);
    tb_request_free(request);
    tb_yativo_client_free(client);
    return exit_code;
}
