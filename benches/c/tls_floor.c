/* The HTTPS floor: one keep-alive TLS 1.3 connection made with OpenSSL (the CA file
 * verified, as every client here does), the prepared request written with one
 * SSL_write(), the answer read until its Content-Length is complete. No parsing beyond
 * that: what any HTTPS client must at least spend on this call.
 *   tls_floor PORT REQUESTS WARMUP CAFILE */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "stats.h"

static int read_answer(SSL *ssl, char *buf, size_t cap) {
    size_t have = 0;
    for (;;) {
        int r = SSL_read(ssl, buf + have, (int)(cap - have - 1));
        if (r <= 0) return -1;
        have += (size_t)r;
        buf[have] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end) continue;
        char *cl = strcasestr(buf, "content-length:");
        if (!cl) return -1;
        size_t body = strtoul(cl + 15, NULL, 10);
        size_t need = (size_t)(end + 4 - buf) + body;
        while (have < need) {
            r = SSL_read(ssl, buf + have, (int)(cap - have - 1));
            if (r <= 0) return -1;
            have += (size_t)r;
        }
        return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : -1;
    }
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: tls_floor PORT REQUESTS WARMUP CAFILE\n"); return 2; }
    int port = atoi(argv[1]);
    size_t n = strtoul(argv[2], NULL, 10), warm = strtoul(argv[3], NULL, 10);
    const char *body = "{\"hash\":\"COMPANYHASH\",\"userId\":\"42\",\"userDocType\":\"\",\"userDocValue\":\"\","
                       "\"messengerFilters\":{\"departmentAlias\":\"\",\"channelAlias\":\"\",\"dataIni\":\"\","
                       "\"dataFim\":\"\",\"status\":\"\",\"pendentes\":\"\"}}";
    char req[1024];
    int len = snprintf(req, sizeof req,
        "POST /anna/REST/AnnACorporate/Messenger/AlertCounter HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
        "User-Agent: tls-floor\r\nAccept: application/json\r\nContent-Type: application/json\r\n"
        "Authorization: Bearer bench-token\r\nContent-Length: %zu\r\n\r\n%s",
        port, strlen(body), body);

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || SSL_CTX_load_verify_locations(ctx, argv[4], NULL) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set1_host(ssl, "127.0.0.1");
    if (SSL_connect(ssl) != 1) { ERR_print_errors_fp(stderr); return 1; }

    static char buf[65536];
    uint64_t *lat = malloc(n * sizeof *lat);
    for (size_t i = 0; i < warm + n; i++) {
        uint64_t t0 = bench_now_ns();
        if (SSL_write(ssl, req, len) != len || read_answer(ssl, buf, sizeof buf) != 0) {
            fprintf(stderr, "tls_floor: request %zu failed\n", i);
            return 1;
        }
        if (i >= warm) lat[i - warm] = bench_now_ns() - t0;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += lat[i];
    bench_report("tls-floor", lat, n, total);
    free(lat);
    SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    return 0;
}
