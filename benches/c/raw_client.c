/* The floor: one keep-alive TCP connection, the request written with one write(),
 * the answer read until its Content-Length is complete. No TLS, no parsing beyond that. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include "stats.h"

static int read_answer(int fd, char *buf, size_t cap) {
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, cap - have - 1);
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
            r = read(fd, buf + have, cap - have - 1);
            if (r <= 0) return -1;
            have += (size_t)r;
        }
        return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : -1;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: raw_client PORT REQUESTS WARMUP\n"); return 2; }
    int port = atoi(argv[1]);
    size_t n = strtoul(argv[2], NULL, 10), warm = strtoul(argv[3], NULL, 10);
    const char *body = "{\"hash\":\"COMPANYHASH\",\"userId\":\"42\",\"userDocType\":\"\",\"userDocValue\":\"\","
                       "\"messengerFilters\":{\"departmentAlias\":\"\",\"channelAlias\":\"\",\"dataIni\":\"\","
                       "\"dataFim\":\"\",\"status\":\"\",\"pendentes\":\"\"}}";
    char req[1024];
    int len = snprintf(req, sizeof req,
        "POST /anna/REST/AnnACorporate/Messenger/AlertCounter HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
        "User-Agent: raw\r\nAccept: application/json\r\nContent-Type: application/json\r\n"
        "Authorization: Bearer bench-token\r\nContent-Length: %zu\r\n\r\n%s",
        port, strlen(body), body);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { perror("connect"); return 1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    static char buf[65536];
    uint64_t *lat = malloc(n * sizeof *lat);
    for (size_t i = 0; i < warm + n; i++) {
        uint64_t t0 = bench_now_ns();
        if (write(fd, req, (size_t)len) != len || read_answer(fd, buf, sizeof buf) != 0) {
            fprintf(stderr, "raw_client: request %zu failed\n", i);
            return 1;
        }
        if (i >= warm) lat[i - warm] = bench_now_ns() - t0;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += lat[i];
    bench_report("raw-socket", lat, n, total);
    free(lat);
    close(fd);
    return 0;
}
