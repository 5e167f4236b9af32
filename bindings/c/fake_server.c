/* See fake_server.h. BSD sockets (POSIX, or Winsock 2 on Windows with MinGW) and
 * POSIX threads (winpthreads on MinGW); one connection at a time. */
#define _POSIX_C_SOURCE 200809L

#include "fake_server.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef _WIN32
/* Winsock: a SOCKET, closesocket(), WSAPoll(), int lengths, and WSAStartup()
 * before the first socket (counted: each start is paired with a WSACleanup()). */
#include <winsock2.h>
#include <ws2tcpip.h>
typedef SOCKET sock_t;
#define SOCK_INVALID INVALID_SOCKET
#define sock_close closesocket
#define poll WSAPoll
#define MSG_NOSIGNAL 0 /* Windows raises no SIGPIPE */
#define SHUT_WR SD_SEND
typedef int io_len;
static int net_start(void) {
    WSADATA data;
    return WSAStartup(MAKEWORD(2, 2), &data) == 0 ? 0 : -1;
}
static void net_stop(void) { WSACleanup(); }
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
typedef int sock_t;
#define SOCK_INVALID (-1)
#define sock_close close
typedef size_t io_len;
static int net_start(void) { return 0; }
static void net_stop(void) {}
#endif

struct fake_server {
    sock_t listen_fd;
    int port;
    const fake_route *routes;
    size_t count;
    pthread_t thread;
    pthread_mutex_t lock;
    int stopping;
    unsigned requests;
    char last_head[8192];
    char last_body[FAKE_BODY_MAX];
    size_t last_body_len;
};

static int is_stopping(fake_server *s) {
    pthread_mutex_lock(&s->lock);
    int stop = s->stopping;
    pthread_mutex_unlock(&s->lock);
    return stop;
}

static void write_all(sock_t fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, data, (io_len)len, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return;
        }
        data += n;
        len -= (size_t)n;
    }
}

/* Reads the head and the Content-Length body of one request, keeping the body's
 * first FAKE_BODY_MAX bytes in body (*body_len of them); 0 on success, 1 for a TLS
 * ClientHello (head is then "TLS"), -1 on failure. */
static int read_request(sock_t fd, char *head, size_t size, char *body, size_t *body_len) {
    size_t used = 0;
    char *end = NULL;
    while (!end) {
        if (used + 1 >= size) return -1;
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0) return -1;
        ssize_t n = recv(fd, head + used, (io_len)(size - 1 - used), 0);
        if (n <= 0) return -1;
        if (used == 0 && head[0] == 0x16) { /* a TLS handshake record */
            snprintf(head, size, "TLS");
            return 1;
        }
        used += (size_t)n;
        head[used] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - head) + 4;
    size_t have = used - head_len;
    size_t want = 0;
    for (char *line = strstr(head, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "content-length:", 15) == 0) {
            want = (size_t)strtoul(line + 17, NULL, 10);
        }
    }
    if (have > want) have = want;
    *body_len = have < FAKE_BODY_MAX ? have : FAKE_BODY_MAX;
    memcpy(body, head + head_len, *body_len);
    char sink[1024];
    while (have < want) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0) return -1;
        size_t chunk = want - have < sizeof sink ? want - have : sizeof sink;
        ssize_t n = recv(fd, sink, (io_len)chunk, 0);
        if (n <= 0) return -1;
        size_t keep = *body_len < FAKE_BODY_MAX ? FAKE_BODY_MAX - *body_len : 0;
        if (keep > (size_t)n) keep = (size_t)n;
        memcpy(body + *body_len, sink, keep);
        *body_len += keep;
        have += (size_t)n;
    }
    *end = '\0';
    return 0;
}

static void serve(fake_server *s, sock_t fd) {
    char head[8192];
    static _Thread_local char body[FAKE_BODY_MAX];
    size_t body_len = 0;
    int got = read_request(fd, head, sizeof head, body, &body_len);
    if (got < 0) {
        sock_close(fd);
        return;
    }
    char *line_end = strstr(head, "\r\n");
    size_t line_len = line_end ? (size_t)(line_end - head) : strlen(head);
    char line[1024];
    if (line_len >= sizeof line) line_len = sizeof line - 1;
    memcpy(line, head, line_len);
    line[line_len] = '\0';

    pthread_mutex_lock(&s->lock);
    s->requests++;
    snprintf(s->last_head, sizeof s->last_head, "%s", head);
    memcpy(s->last_body, body, body_len);
    s->last_body_len = body_len;
    pthread_mutex_unlock(&s->lock);

    const fake_route *route = NULL;
    for (size_t i = 0; i < s->count && !route && got == 0; i++) {
        if (!s->routes[i].match || strstr(line, s->routes[i].match)) route = &s->routes[i];
    }
    if (got == 1) { /* answer a TLS client with plain text */
        static const char plain[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
        write_all(fd, plain, sizeof plain - 1);
        sock_close(fd);
        return;
    }
    if (!route) {
        static const char not_found[] =
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        write_all(fd, not_found, sizeof not_found - 1);
        sock_close(fd);
        return;
    }
    switch (route->action) {
    case FAKE_REPLY:
        write_all(fd, route->reply, route->reply_len ? route->reply_len : strlen(route->reply));
        shutdown(fd, SHUT_WR);
        break;
    case FAKE_CLOSE:
        break;
    case FAKE_RESET: {
        struct linger l = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, (const void *)&l, sizeof l);
        break;
    }
    case FAKE_STALL:
        for (int i = 0; i < 100 && !is_stopping(s); i++) {
            struct pollfd p = {fd, POLLIN, 0};
            if (poll(&p, 1, 50) > 0) {
                char c;
                if (recv(fd, &c, 1, 0) <= 0) break; /* the client gave up */
            }
        }
        break;
    }
    sock_close(fd);
}

static void *accept_loop(void *arg) {
    fake_server *s = arg;
    while (!is_stopping(s)) {
        sock_t fd = accept(s->listen_fd, NULL, NULL);
        if (fd == SOCK_INVALID) {
            if (errno == EINTR) continue;
            break;
        }
        if (is_stopping(s)) {
            sock_close(fd);
            break;
        }
        serve(s, fd);
    }
    return NULL;
}

static sock_t listen_on_free_port(int *port) {
    sock_t fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd == SOCK_INVALID) return SOCK_INVALID;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        sock_close(fd);
        return SOCK_INVALID;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

fake_server *fake_server_start(const fake_route *routes, size_t count) {
    fake_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (net_start() != 0) {
        free(s);
        return NULL;
    }
    s->routes = routes;
    s->count = count;
    pthread_mutex_init(&s->lock, NULL);
    s->listen_fd = listen_on_free_port(&s->port);
    if (s->listen_fd == SOCK_INVALID || pthread_create(&s->thread, NULL, accept_loop, s) != 0) {
        if (s->listen_fd != SOCK_INVALID) sock_close(s->listen_fd);
        pthread_mutex_destroy(&s->lock);
        net_stop();
        free(s);
        return NULL;
    }
    return s;
}

int fake_server_port(const fake_server *s) { return s->port; }

unsigned fake_server_requests(fake_server *s) {
    pthread_mutex_lock(&s->lock);
    unsigned n = s->requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void fake_server_last_head(fake_server *s, char *buf, size_t size) {
    pthread_mutex_lock(&s->lock);
    snprintf(buf, size, "%s", s->last_head);
    pthread_mutex_unlock(&s->lock);
}

size_t fake_server_last_body(fake_server *s, char *buf, size_t size) {
    pthread_mutex_lock(&s->lock);
    size_t n = s->last_body_len < size ? s->last_body_len : size;
    memcpy(buf, s->last_body, n);
    pthread_mutex_unlock(&s->lock);
    return n;
}

void fake_server_stop(fake_server *s) {
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    pthread_mutex_unlock(&s->lock);
    /* Wake the accept() with a connection of our own. */
    sock_t fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd != SOCK_INVALID) {
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons((unsigned short)s->port);
        (void)connect(fd, (struct sockaddr *)&addr, sizeof addr);
        sock_close(fd);
    }
    pthread_join(s->thread, NULL);
    sock_close(s->listen_fd);
    pthread_mutex_destroy(&s->lock);
    free(s);
    net_stop();
}

int fake_closed_port(void) {
    int port = 0;
    if (net_start() != 0) return 1;
    sock_t fd = listen_on_free_port(&port);
    if (fd == SOCK_INVALID) {
        net_stop();
        return 1;
    }
    sock_close(fd);
    net_stop();
    return port;
}
