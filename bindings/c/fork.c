/*
 * fork() safety through the C ABI: a uContact client used in a process forked from
 * the one that filled it must drop the inherited connections (never read the
 * parent's answers from them), drop the inherited token and any login in progress,
 * log in on its own, and never end the parent's session when freed in the child.
 *
 * The program runs its own tiny keep-alive uContact server (threads in the parent
 * only, on 127.0.0.1); the child reaches it over loopback.
 *
 *   A  one warm keep-alive connection, then fork: parent and child each make 300
 *      echo calls at the same time with their own numbers; every answer must be
 *      the caller's own, and the child must log in on its own (2 logins in all).
 *   B  the child freed its copy: no EndSession was sent; the parent's next call
 *      needs no new login; freeing the parent's client ends its own session.
 *   C  fork while another thread is in a (600 ms) login: the child's call must
 *      log in by itself within 5 s instead of waiting for a thread that does not
 *      exist in the child; the parent thread's call succeeds too.
 *
 * Prints "fork: all scenarios passed" and exits 0 when everything passes.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tokenbridge.h"

#define CALLS 300
#define CHILD_BASE 100000
#define MAX_CONNS 64          /* connections served at the same time */
#define MAX_TOKENS 256        /* logins over the whole run */
#define MAX_ECHO_LOG 4096     /* echo requests remembered (number, token) */
#define IDLE_CLOSE_MS 5000    /* an idle connection is closed after this */
#define MAX_REQS_PER_CONN 100000
#define HEAD_MAX 16384
#define BODY_MAX 65536

static int g_failed;

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL fork.c: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    g_failed++;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ================================================================ the server */

struct token {
    char text[64];
    int alive;
    int echoes;
};

static struct {
    pthread_mutex_t lock;
    int stopping;
    int slow_login;
    int logins;
    int bad_logins;
    int end_sessions;
    int last_ended; /* index in tokens of the token EndSession ended, -1 if none */
    int ended_log[MAX_TOKENS]; /* the token each EndSession ended (-1: none) */
    int unauthorized;
    int protocol_errors;
    int connections;
    int refused;
    struct token tokens[MAX_TOKENS];
    struct {
        long n;
        int token; /* index in tokens */
    } echo_log[MAX_ECHO_LOG];
    int echo_count;
} S = {.lock = PTHREAD_MUTEX_INITIALIZER, .last_ended = -1};

static int g_listen_fd = -1;
static int g_port;
static pthread_t g_accept_thread;

struct conn_slot {
    pthread_t thread;
    int used;          /* a thread was started in this slot and not joined yet */
    int done;          /* the thread finished (under S.lock) */
    int fd;
};
static struct conn_slot g_slots[MAX_CONNS];

static int stopping(void) {
    pthread_mutex_lock(&S.lock);
    int s = S.stopping;
    pthread_mutex_unlock(&S.lock);
    return s;
}

static int send_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int reply(int fd, int status, const char *reason, const char *body) {
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     status, reason, strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof buf) return -1;
    return send_all(fd, buf, (size_t)n);
}

static void base64(const char *in, char *out, size_t size) {
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = strlen(in), o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i += 3) {
        unsigned v = (unsigned char)in[i] << 16;
        if (i + 1 < len) v |= (unsigned char)in[i + 1] << 8;
        if (i + 2 < len) v |= (unsigned char)in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The url-decoded value of form field `name` in `body`, into out; 0 if found. */
static int form_field(const char *body, const char *name, char *out, size_t size) {
    size_t nlen = strlen(name);
    const char *p = body;
    while (p && *p) {
        if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            p += nlen + 1;
            size_t o = 0;
            while (*p && *p != '&' && o + 1 < size) {
                if (*p == '+') {
                    out[o++] = ' ';
                    p++;
                } else if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
                    out[o++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
                    p += 3;
                } else {
                    out[o++] = *p++;
                }
            }
            out[o] = '\0';
            return 0;
        }
        p = strchr(p, '&');
        if (p) p++;
    }
    return -1;
}

/* The value of header `name` (case-insensitive) in head, into out; 0 if found. */
static int header(const char *head, const char *name, char *out, size_t size) {
    size_t nlen = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, nlen) == 0 && h[nlen] == ':') {
            h += nlen + 1;
            while (*h == ' ' || *h == '\t') h++;
            const char *end = strstr(h, "\r\n");
            size_t len = end ? (size_t)(end - h) : strlen(h);
            while (len > 0 && (h[len - 1] == ' ' || h[len - 1] == '\t')) len--;
            if (len >= size) len = size - 1;
            memcpy(out, h, len);
            out[len] = '\0';
            return 0;
        }
    }
    return -1;
}

/* Answers one request; returns -1 to close the connection. */
static int handle(int fd, const char *head, const char *body) {
    char method[16], target[1024];
    if (sscanf(head, "%15s %1023s", method, target) != 2) return -1;
    if (strcmp(method, "POST") == 0 && strcmp(target, "/Integra/resources/auth/getUserToken") == 0) {
        char user[256], password[256];
        if (form_field(body, "user", user, sizeof user) != 0 ||
            form_field(body, "password", password, sizeof password) != 0 ||
            strcmp(password, "pw") != 0) {
            pthread_mutex_lock(&S.lock);
            S.bad_logins++;
            pthread_mutex_unlock(&S.lock);
            return reply(fd, 200, "OK", "\"Error: wrong user or password\"");
        }
        pthread_mutex_lock(&S.lock);
        int slow = S.slow_login;
        pthread_mutex_unlock(&S.lock);
        if (slow) sleep_ms(600);
        char quoted[80];
        pthread_mutex_lock(&S.lock);
        if (S.logins >= MAX_TOKENS) {
            pthread_mutex_unlock(&S.lock);
            return reply(fd, 500, "Too Many Logins", "\"too many logins\"");
        }
        struct token *t = &S.tokens[S.logins++];
        char plain[32];
        snprintf(plain, sizeof plain, "tok-%d", S.logins);
        base64(plain, t->text, sizeof t->text);
        t->alive = 1;
        snprintf(quoted, sizeof quoted, "\"%s\"", t->text);
        pthread_mutex_unlock(&S.lock);
        return reply(fd, 200, "OK", quoted);
    }
    if (strcmp(method, "POST") == 0 && strcmp(target, "/Integra/resources/auth/EndSession") == 0) {
        char token[256];
        if (form_field(body, "token", token, sizeof token) != 0) return reply(fd, 200, "OK", "0");
        pthread_mutex_lock(&S.lock);
        int found = 0;
        for (int i = 0; i < S.logins; i++) {
            if (strcmp(S.tokens[i].text, token) == 0 && S.tokens[i].alive) {
                S.tokens[i].alive = 0;
                S.last_ended = i;
                found = 1;
            }
        }
        if (S.end_sessions < MAX_TOKENS) S.ended_log[S.end_sessions] = found ? S.last_ended : -1;
        S.end_sessions++;
        pthread_mutex_unlock(&S.lock);
        return reply(fd, 200, "OK", found ? "1" : "0");
    }
    if (strcmp(method, "POST") == 0 && strncmp(target, "/echo/", 6) == 0) {
        const char *digits = target + 6;
        size_t nd = strspn(digits, "0123456789");
        if (nd == 0 || nd > 18 || digits[nd] != '\0') return reply(fd, 404, "Not Found", "\"bad echo\"");
        char auth[512];
        int token = -1;
        pthread_mutex_lock(&S.lock);
        if (header(head, "Authorization", auth, sizeof auth) == 0 && strncmp(auth, "Basic ", 6) == 0) {
            for (int i = 0; i < S.logins; i++) {
                if (S.tokens[i].alive && strcmp(S.tokens[i].text, auth + 6) == 0) token = i;
            }
        }
        if (token < 0) {
            S.unauthorized++;
        } else {
            S.tokens[token].echoes++;
            if (S.echo_count < MAX_ECHO_LOG) {
                S.echo_log[S.echo_count].n = strtol(digits, NULL, 10);
                S.echo_log[S.echo_count].token = token;
            }
            S.echo_count++;
        }
        pthread_mutex_unlock(&S.lock);
        if (token < 0) return reply(fd, 401, "Unauthorized", "\"no live token\"");
        return reply(fd, 200, "OK", digits);
    }
    return reply(fd, 404, "Not Found", "\"no such resource\"");
}

static void protocol_error(void) {
    pthread_mutex_lock(&S.lock);
    S.protocol_errors++;
    pthread_mutex_unlock(&S.lock);
}

/* Waits until fd is readable: 1 readable, 0 idle too long or stopping, -1 error. */
static int wait_readable(int fd, double idle_since) {
    for (;;) {
        if (stopping()) return 0;
        if ((now_s() - idle_since) * 1000 >= IDLE_CLOSE_MS) return 0;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r > 0) return 1;
        if (r < 0 && errno != EINTR) return -1;
    }
}

static void *serve_conn(void *arg) {
    struct conn_slot *slot = arg;
    int fd = slot->fd;
    char *buf = malloc(HEAD_MAX + BODY_MAX + 1);
    size_t used = 0;
    double idle_since = now_s();
    for (int req = 0; buf && req < MAX_REQS_PER_CONN; req++) {
        /* the head */
        char *end;
        while (!(end = (used ? strstr(buf, "\r\n\r\n") : NULL))) {
            if (used >= HEAD_MAX) {
                protocol_error();
                goto out;
            }
            if (wait_readable(fd, idle_since) != 1) goto out;
            ssize_t n = recv(fd, buf + used, HEAD_MAX - used, 0);
            if (n <= 0) goto out;
            used += (size_t)n;
            buf[used] = '\0';
            if (memchr(buf, '\0', used)) { /* NUL bytes: not HTTP */
                protocol_error();
                goto out;
            }
        }
        size_t head_len = (size_t)(end - buf) + 4;
        *end = '\0';
        char value[64];
        if (header(buf, "Transfer-Encoding", value, sizeof value) == 0) {
            protocol_error(); /* the client sends Content-Length bodies */
            goto out;
        }
        size_t want = 0;
        if (header(buf, "Content-Length", value, sizeof value) == 0) want = strtoul(value, NULL, 10);
        if (want > BODY_MAX) {
            protocol_error();
            goto out;
        }
        /* the body */
        while (used < head_len + want) {
            if (wait_readable(fd, idle_since) != 1) goto out;
            ssize_t n = recv(fd, buf + used, head_len + want - used, 0);
            if (n <= 0) goto out;
            used += (size_t)n;
        }
        char saved = buf[head_len + want];
        buf[head_len + want] = '\0';
        int rc = handle(fd, buf, buf + head_len);
        buf[head_len + want] = saved;
        if (rc != 0) goto out;
        /* keep what follows (a pipelined request) */
        memmove(buf, buf + head_len + want, used - head_len - want);
        used -= head_len + want;
        buf[used] = '\0';
        idle_since = now_s();
    }
out:
    free(buf);
    close(fd);
    pthread_mutex_lock(&S.lock);
    slot->done = 1;
    pthread_mutex_unlock(&S.lock);
    return NULL;
}

/* A free connection slot (joining finished threads), or NULL when all are busy. */
static struct conn_slot *free_slot(void) {
    for (int i = 0; i < MAX_CONNS; i++) {
        pthread_mutex_lock(&S.lock);
        int used = g_slots[i].used, done = g_slots[i].done;
        pthread_mutex_unlock(&S.lock);
        if (used && done) {
            pthread_join(g_slots[i].thread, NULL);
            g_slots[i].used = 0;
        }
        if (!g_slots[i].used) return &g_slots[i];
    }
    return NULL;
}

static void *accept_loop(void *arg) {
    (void)arg;
    while (!stopping()) {
        struct pollfd p = {g_listen_fd, POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r <= 0) continue;
        int fd = accept(g_listen_fd, NULL, NULL);
        if (fd < 0) continue;
        struct conn_slot *slot = free_slot();
        pthread_mutex_lock(&S.lock);
        if (slot) S.connections++;
        else S.refused++;
        pthread_mutex_unlock(&S.lock);
        if (!slot) {
            close(fd);
            continue;
        }
        slot->fd = fd;
        slot->done = 0;
        if (pthread_create(&slot->thread, NULL, serve_conn, slot) != 0) {
            close(fd);
            continue;
        }
        slot->used = 1;
    }
    for (int i = 0; i < MAX_CONNS; i++) {
        if (g_slots[i].used) pthread_join(g_slots[i].thread, NULL);
        g_slots[i].used = 0;
    }
    return NULL;
}

static int server_start(void) {
    g_listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (g_listen_fd < 0) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(g_listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(g_listen_fd, 64) != 0 ||
        getsockname(g_listen_fd, (struct sockaddr *)&addr, &len) != 0) {
        close(g_listen_fd);
        return -1;
    }
    g_port = ntohs(addr.sin_port);
    if (pthread_create(&g_accept_thread, NULL, accept_loop, NULL) != 0) {
        close(g_listen_fd);
        return -1;
    }
    return 0;
}

static void server_stop(void) {
    pthread_mutex_lock(&S.lock);
    S.stopping = 1;
    pthread_mutex_unlock(&S.lock);
    pthread_join(g_accept_thread, NULL);
    close(g_listen_fd);
}

static int server_get(const int *field) {
    pthread_mutex_lock(&S.lock);
    int v = *field;
    pthread_mutex_unlock(&S.lock);
    return v;
}

static void set_slow_login(int on) {
    pthread_mutex_lock(&S.lock);
    S.slow_login = on;
    pthread_mutex_unlock(&S.lock);
}

/* ================================================================ the client */

static tb_ucontact_client *new_client(void) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", g_port);
    tb_config *cfg = tb_config_new();
    tb_ucontact_client *c = NULL;
    if (!cfg || tb_config_set_allow_http(cfg, true) != TB_OK || tb_config_set_no_proxy(cfg) != TB_OK ||
        tb_ucontact_client_new(cfg, url, "apiuser", "pw", TB_UCONTACT_LOGIN_API_USER, &c) != TB_OK) {
        char *m = tb_last_error_message();
        fprintf(stderr, "cannot create the client: %s\n", m ? m : "?");
        tb_string_free(m);
        tb_config_free(cfg);
        exit(2);
    }
    tb_config_free(cfg);
    return c;
}

/* One echo call with number n: 0 when the answer is 200 and n; else 1 (a
 * mismatch: the call worked but the answer is not ours) or 2 (a failure), with a
 * description in why. */
static int echo(tb_ucontact_client *c, long n, char *why, size_t size) {
    char path[64], want[32];
    snprintf(path, sizeof path, "echo/%ld", n);
    snprintf(want, sizeof want, "%ld", n);
    tb_request *req = NULL;
    tb_response *resp = NULL;
    tb_status s = tb_request_new("POST", path, &req);
    if (s == TB_OK) s = tb_ucontact_send(c, req, &resp);
    tb_request_free(req);
    int rc = 0;
    if (s != TB_OK) {
        char *m = tb_last_error_message();
        snprintf(why, size, "echo %ld: %s: %s", n, tb_status_name(s), m ? m : "");
        tb_string_free(m);
        rc = 2;
    } else {
        uint16_t status = tb_response_status(resp);
        const uint8_t *body = NULL;
        size_t len = 0;
        tb_response_body(resp, &body, &len);
        const char *text = body ? (const char *)body : "(null)";
        if (status != 200 || len != strlen(want) || strcmp(text, want) != 0) {
            snprintf(why, size, "echo %ld: HTTP %u, body \"%.40s\"", n, (unsigned)status, text);
            rc = 1;
        }
    }
    tb_response_free(resp);
    return rc;
}

/* Waits for the child up to timeout_s; returns its exit status, or -1 when it hung
 * (then it is killed) or died of a signal. */
static int wait_child(pid_t pid, double timeout_s, const char *scenario) {
    double deadline = now_s() + timeout_s;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            fail("%s: waitpid: %s", scenario, strerror(errno));
            return -1;
        }
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fail("%s: child hung (no exit within %.0f s; killed)", scenario, timeout_s);
            return -1;
        }
        sleep_ms(10);
    }
    if (WIFSIGNALED(st)) {
        fail("%s: the child died of signal %d", scenario, WTERMSIG(st));
        return -1;
    }
    return WEXITSTATUS(st);
}

/* The token index used by the logged echo calls with numbers in [lo, hi]: -1 if
 * none, -2 if more than one token was used. */
static int token_of_echoes(long lo, long hi, int *count) {
    int tok = -1, cnt = 0;
    pthread_mutex_lock(&S.lock);
    int n = S.echo_count < MAX_ECHO_LOG ? S.echo_count : MAX_ECHO_LOG;
    for (int i = 0; i < n; i++) {
        if (S.echo_log[i].n < lo || S.echo_log[i].n > hi) continue;
        cnt++;
        if (tok == -1) tok = S.echo_log[i].token;
        else if (tok != S.echo_log[i].token) tok = -2;
    }
    pthread_mutex_unlock(&S.lock);
    if (count) *count = cnt;
    return tok;
}

/* The token the k-th EndSession (from 0) ended: its index, or -1. */
static int ended_by(int k) {
    pthread_mutex_lock(&S.lock);
    int t = k >= 0 && k < S.end_sessions && k < MAX_TOKENS ? S.ended_log[k] : -1;
    pthread_mutex_unlock(&S.lock);
    return t;
}

static int token_alive(int t) {
    pthread_mutex_lock(&S.lock);
    int alive = t >= 0 && t < S.logins && S.tokens[t].alive;
    pthread_mutex_unlock(&S.lock);
    return alive;
}

/* ================================================================ scenarios */

static int g_a_child_token = -1;

static tb_ucontact_client *g_a_client;

static int scenario_a(void) {
    int failed_before = g_failed;
    char why[512];
    tb_ucontact_client *c = new_client();
    g_a_client = c;
    if (echo(c, 0, why, sizeof why) != 0) { /* the warm-up: logs in, pools a connection */
        fail("A: the first call: %s", why);
        return -1;
    }
    int logins_before = server_get(&S.logins);
    int conns_before = server_get(&S.connections);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fail("A: fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int mismatches = 0, failures = 0;
        char first[512] = "";
        for (long i = 1; i <= CALLS; i++) {
            int r = echo(c, CHILD_BASE + i, why, sizeof why);
            if (r == 1) mismatches++;
            if (r == 2) failures++;
            if (r && !first[0]) snprintf(first, sizeof first, "%s", why);
        }
        tb_ucontact_client_free(c);
        fprintf(stderr, "  A child (pid %d): %d calls, %d mismatches, %d failures%s%s\n", (int)getpid(),
                CALLS, mismatches, failures, first[0] ? "; first: " : "", first);
        _exit(mismatches + failures > 0 ? 1 : 0);
    }
    int mismatches = 0, failures = 0;
    char first[512] = "";
    for (long i = 1; i <= CALLS; i++) {
        int r = echo(c, i, why, sizeof why);
        if (r == 1) mismatches++;
        if (r == 2) failures++;
        if (r && !first[0]) snprintf(first, sizeof first, "%s", why);
    }
    int child = wait_child(pid, 30, "A");
    int logins = server_get(&S.logins);
    printf("A: parent %d calls: %d mismatches, %d failures%s%s\n", CALLS, mismatches, failures,
           first[0] ? "; first: " : "", first);
    printf("A: child exit status %d; logins seen by the server %d (before the fork %d); "
           "connections %d (before the fork %d)\n",
           child, logins, logins_before, server_get(&S.connections), conns_before);
    if (mismatches) fail("A: the parent got %d answers that were not its own (%s)", mismatches, first);
    if (failures) fail("A: %d parent calls failed (%s)", failures, first);
    if (child > 0) fail("A: the child exited with %d (see its line above)", child);
    if (logins_before != 1) fail("A: %d logins before the fork, want 1", logins_before);
    if (logins != 2) fail("A: %d logins in all, want 2 (the parent's and the child's own)", logins);
    int pc = 0, cc = 0;
    int ptok = token_of_echoes(0, CALLS, &pc);
    int ctok = token_of_echoes(CHILD_BASE + 1, CHILD_BASE + CALLS, &cc);
    printf("A: parent echoes on token #%d (%d calls), child echoes on token #%d (%d calls)\n", ptok + 1, pc,
           ctok + 1, cc);
    if (ptok != 0) fail("A: the parent's calls did not all use its first token (token #%d)", ptok + 1);
    if (child == 0 && (ctok < 0 || ctok == ptok))
        fail("A: the child's calls did not all use a token of their own (token #%d)", ctok + 1);
    g_a_child_token = ctok;
    return g_failed == failed_before ? 0 : -1;
}

/* The library ends a session when a client is freed (end-session-on-close is on
 * by default). A child that logged in on its own may end that session of its own;
 * it must never end the parent's. */
static int scenario_b(void) {
    int failed_before = g_failed;
    char why[512];
    tb_ucontact_client *c = g_a_client;
    int ends = server_get(&S.end_sessions);
    printf("B: EndSessions after A's child freed its client: %d", ends);
    for (int k = 0; k < ends; k++) printf("%s token #%d", k ? "," : " (ended", ended_by(k) + 1);
    printf("%s\n", ends ? ")" : "");
    for (int k = 0; k < ends; k++) {
        if (ended_by(k) != g_a_child_token)
            fail("B: A's child's free ended token #%d, not its own session (token #%d)", ended_by(k) + 1,
                 g_a_child_token + 1);
    }
    if (ends > 1) fail("B: A's child's free sent %d EndSessions, want at most 1 (its own session)", ends);
    if (!token_alive(0)) fail("B: the parent's session (token #1) was ended by the child");

    /* A child that only frees its inherited copy (it holds the parent's token
       only): nothing may be sent. */
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fail("B: fork: %s", strerror(errno));
    } else if (pid == 0) {
        tb_ucontact_client_free(c);
        _exit(0);
    } else {
        int child = wait_child(pid, 10, "B");
        int ends2 = server_get(&S.end_sessions);
        printf("B: a child that only freed its inherited client: exit %d, EndSessions %d -> %d\n", child, ends,
               ends2);
        if (child > 0) fail("B: the freeing child exited with %d", child);
        if (ends2 != ends)
            fail("B: freeing the inherited client in a child sent %d EndSession(s) (ended token #%d)",
                 ends2 - ends, ended_by(ends2 - 1) + 1);
        ends = ends2;
    }
    if (!token_alive(0)) fail("B: the parent's session (token #1) is no longer live");

    int logins = server_get(&S.logins);
    int r = echo(c, CALLS + 1, why, sizeof why);
    int logins_after = server_get(&S.logins);
    int used = token_of_echoes(CALLS + 1, CALLS + 1, NULL);
    printf("B: the parent's next call %s on token #%d; logins %d -> %d\n", r ? why : "ok", used + 1, logins,
           logins_after);
    if (r) fail("B: the parent's call after the children exited: %s", why);
    if (logins_after != logins) fail("B: the parent's call logged in again (%d -> %d logins)", logins, logins_after);
    if (!r && used != 0) fail("B: the parent's call used token #%d, not its own #1", used + 1);
    tb_ucontact_client_free(c);
    g_a_client = NULL;
    int ends_after = server_get(&S.end_sessions);
    int ended = ended_by(ends_after - 1);
    printf("B: after the parent freed its client: EndSessions %d -> %d, the ended token #%d\n", ends, ends_after,
           ended + 1);
    if (ends_after != ends + 1 || ended != 0)
        fail("B: the parent's free sent %d EndSession(s) ending token #%d, want 1 ending #1 (its own)",
             ends_after - ends, ended + 1);
    return g_failed == failed_before ? 0 : -1;
}

struct bg_call {
    tb_ucontact_client *c;
    long n;
    int rc;
    char why[512];
};

static void *bg_echo(void *arg) {
    struct bg_call *b = arg;
    b->rc = echo(b->c, b->n, b->why, sizeof b->why);
    return NULL;
}

static int scenario_c(void) {
    int failed_before = g_failed;
    char why[512];
    tb_ucontact_client *c = new_client();
    int logins_before = server_get(&S.logins);
    int ends_before = server_get(&S.end_sessions);
    set_slow_login(1);
    struct bg_call b = {.c = c, .n = 777, .rc = -1};
    pthread_t t;
    if (pthread_create(&t, NULL, bg_echo, &b) != 0) {
        fail("C: pthread_create");
        tb_ucontact_client_free(c);
        return -1;
    }
    sleep_ms(150);
    fflush(stdout);
    fflush(stderr);
    double t_fork = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        fail("C: fork: %s", strerror(errno));
        pthread_join(t, NULL);
        tb_ucontact_client_free(c);
        return -1;
    }
    if (pid == 0) {
        double t0 = now_s();
        int r = echo(c, 424242, why, sizeof why);
        double took = now_s() - t0;
        tb_ucontact_client_free(c);
        int bad = r != 0 || took >= 5.0;
        fprintf(stderr, "  C child (pid %d): echo %s in %.2f s\n", (int)getpid(), r ? why : "ok", took);
        _exit(bad ? 1 : 0);
    }
    int child = wait_child(pid, 10, "C");
    double child_took = now_s() - t_fork;
    pthread_join(t, NULL);
    int logins = server_get(&S.logins) - logins_before;
    int ends_mid = server_get(&S.end_sessions) - ends_before;
    int child_ended = ends_mid > 0 ? ended_by(ends_before) : -1;
    int ptok_count = 0, ctok_count = 0;
    int ptok = token_of_echoes(777, 777, &ptok_count);
    int ctok = token_of_echoes(424242, 424242, &ctok_count);
    printf("C: child exit status %d after %.2f s; the parent thread's call %s; logins %d; "
           "parent token #%d, child token #%d; EndSessions by the child %d (token #%d)\n",
           child, child_took, b.rc ? b.why : "ok", logins, ptok + 1, ctok + 1, ends_mid, child_ended + 1);
    if (child > 0) fail("C: the child exited with %d (see its line above)", child);
    if (b.rc) fail("C: the parent thread's call: %s", b.why);
    if (logins != 2) fail("C: %d logins, want 2 (the parent thread's and the child's own)", logins);
    if (child == 0 && (ctok < 0 || ctok == ptok)) fail("C: the child did not use a token of its own");
    if (ends_mid > 1 || (ends_mid == 1 && child_ended != ctok))
        fail("C: the child's free sent %d EndSession(s) ending token #%d, want at most 1 ending its own #%d",
             ends_mid, child_ended + 1, ctok + 1);
    if (!token_alive(ptok)) fail("C: the parent's session (token #%d) was ended before its free", ptok + 1);
    set_slow_login(0);
    tb_ucontact_client_free(c);
    int ends = server_get(&S.end_sessions) - ends_before - ends_mid;
    int ended = ended_by(server_get(&S.end_sessions) - 1);
    printf("C: after the parent freed its client: EndSessions %d, the ended token #%d\n", ends, ended + 1);
    if (ends != 1 || ended != ptok) fail("C: the parent's free ended %d sessions (token #%d), want 1 (#%d)", ends,
                                        ended + 1, ptok + 1);
    return g_failed == failed_before ? 0 : -1;
}

int main(void) {
    if (server_start() != 0) {
        fprintf(stderr, "cannot start the server\n");
        return 2;
    }
    printf("fork: server on 127.0.0.1:%d\n", g_port);
    int a = scenario_a();
    printf("scenario A (fork with a warm connection, both calling): %s\n", a == 0 ? "passed" : "FAILED");
    int b = -1;
    if (g_a_client) {
        b = scenario_b();
    } else {
        fail("B: skipped (scenario A had no client)");
    }
    printf("scenario B (the parent's session survives the child's free): %s\n", b == 0 ? "passed" : "FAILED");
    int c = scenario_c();
    printf("scenario C (fork during another thread's login): %s\n", c == 0 ? "passed" : "FAILED");
    server_stop();
    printf("server: %d connections, %d refused, %d logins, %d bad logins, %d EndSessions, %d 401s, "
           "%d protocol errors\n",
           S.connections, S.refused, S.logins, S.bad_logins, S.end_sessions, S.unauthorized, S.protocol_errors);
    if (S.refused) fail("the server refused %d connections (more than %d at once)", S.refused, MAX_CONNS);
    if (S.protocol_errors) fail("the server saw %d malformed requests", S.protocol_errors);
    if (g_failed) {
        printf("fork: %d check(s) failed\n", g_failed);
        return 1;
    }
    printf("fork: all scenarios passed\n");
    return 0;
}
