/*
 * The token store through the C ABI (tb_config_set_token_store, issue 23), across OS
 * processes: this program runs copies of itself (fork + execv of argv[0], the usual
 * way for a C program to start a child) with the same credentials and the same store,
 * against the sandbox (TOKENBRIDGE_SANDBOX_URL):
 *
 *   A  two processes started together, a file:// store: the sandbox counts ONE Yativo
 *      login for both, and both used the same token.
 *   B  the same through redis:// (TB_REDIS_URL: scripts/redislab.sh's ACL user and
 *      password).
 *   C  uContact: process A calls, then frees its client (tb_ucontact_client_free): no
 *      EndSession; this process (B) works on the same session without a login;
 *      process C's explicit tb_ucontact_end_session ends it for the fleet: one
 *      EndSession, and B's next call logs in again; process D then works on B's
 *      new session (what this process sealed opens elsewhere) without a login.
 *
 * A child writes the token it used to its stdout, a pipe only the parent reads; no
 * token is ever printed. Every wait is bounded (60 s per child). Run by
 * bindings/c/run-tests.sh under valgrind (the children run natively: valgrind does
 * not trace them). Prints one line per failed check and "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define YA_ACCOUNT "acct-sandbox"
#define YA_SECRET "yativo-secret"
#define UC_USER "apiuser"
#define UC_PASS "s3cret&=+ \xc3\xa9"
#define TOKEN_MAX 4096

static char g_url[256];
static const char *g_self;

static tb_config *store_config(const char *store) {
    tb_config *cfg = tb_config_new();
    CHECK(cfg != NULL, "tb_config_new");
    CHECK(tb_config_set_allow_http(cfg, true) == TB_OK, "allow_http: %s", last_message());
    CHECK(tb_config_set_no_proxy(cfg) == TB_OK, "no_proxy: %s", last_message());
    CHECK(tb_config_set_retries(cfg, 0, 0, 0) == TB_OK, "retries: %s", last_message());
    if (store)
        CHECK(tb_config_set_token_store(cfg, store) == TB_OK, "token_store: %s", last_message());
    return cfg;
}

/* One request through the generic call; the HTTP status, or -1 when the call failed. */
static int send_one(tb_ucontact_client *uc, tb_yativo_client *ya, const char *method,
                    const char *path, char *body, size_t body_size) {
    tb_request *req = NULL;
    tb_response *resp = NULL;
    int status = -1;
    if (tb_request_new(method, path, &req) != TB_OK) return -1;
    tb_status s = uc ? tb_ucontact_send(uc, req, &resp) : tb_yativo_send(ya, req, &resp);
    tb_request_free(req);
    if (s != TB_OK) {
        fprintf(stderr, "%s %s: %s\n", method, path, last_message());
        return -1;
    }
    const uint8_t *bytes = NULL;
    size_t len = 0;
    if (tb_response_body(resp, &bytes, &len) == TB_OK) {
        status = tb_response_status(resp);
        if (body) {
            size_t n = len < body_size - 1 ? len : body_size - 1;
            memcpy(body, bytes, n);
            body[n] = '\0';
        }
    }
    tb_response_free(resp);
    return status;
}

/* The sandbox's counter `key` (its own control endpoint, read as text), -1 if unknown. */
static long stat_of(const char *key) {
    tb_config *cfg = store_config(NULL);
    /* A made-up token: never send EndSession for it. */
    tb_config_set_end_session_on_close(cfg, false);
    tb_ucontact_client *c = NULL;
    tb_status s = tb_ucontact_client_new(cfg, g_url, "stats", "stats", TB_UCONTACT_LOGIN_API_USER, &c);
    tb_config_free(cfg);
    if (s != TB_OK) return -1;
    tb_ucontact_set_token(c, "not-a-session");
    static char body[16384];
    long value = -1;
    if (send_one(c, NULL, "GET", "__sandbox/stats", body, sizeof body) == 200) {
        char pattern[128];
        snprintf(pattern, sizeof pattern, "\"%s\":", key);
        const char *at = strstr(body, pattern);
        if (at) value = strtol(at + strlen(pattern), NULL, 10);
    }
    tb_ucontact_client_free(c);
    return value;
}

/* ------------------------------------------------------------------ the child */

/* `MODE STORE`: yativo (a call), ucontact (a call, then free), ucontact-end (end the
 * fleet's session). Writes the token it used to stdout (the parent's pipe). */
static int child(const char *mode, const char *store) {
    tb_config *cfg = store_config(store);
    char url[300];
    char *token = NULL;
    tb_status s;
    if (strcmp(mode, "yativo") == 0) {
        snprintf(url, sizeof url, "%s/yativo/api/v1", g_url);
        tb_yativo_client *ya = NULL;
        s = tb_yativo_client_new(cfg, url, YA_ACCOUNT, YA_SECRET, &ya);
        if (s == TB_OK && send_one(NULL, ya, "GET", "wallet/balance", NULL, 0) == 200)
            s = tb_yativo_token(ya, &token);
        else if (s == TB_OK)
            s = TB_HTTP_STATUS;
        tb_yativo_client_free(ya);
    } else {
        snprintf(url, sizeof url, "%s/ucontact", g_url);
        tb_ucontact_client *uc = NULL;
        s = tb_ucontact_client_new(cfg, url, UC_USER, UC_PASS, TB_UCONTACT_LOGIN_API_USER, &uc);
        if (s == TB_OK && strcmp(mode, "ucontact-end") == 0) {
            s = tb_ucontact_token(uc, &token);
            if (s == TB_OK) s = tb_ucontact_end_session(uc);
        } else if (s == TB_OK) {
            if (send_one(uc, NULL, "POST", "Integra/resources/Dialers/DialerTask", NULL, 0) == 200)
                s = tb_ucontact_token(uc, &token);
            else
                s = TB_HTTP_STATUS;
        }
        /* With a store this never ends the fleet's session (end-session-on-close is on). */
        tb_ucontact_client_free(uc);
    }
    tb_config_free(cfg);
    if (s != TB_OK || !token) {
        fprintf(stderr, "store child %s: %s (%s)\n", mode, tb_status_name(s), last_message());
        tb_string_free(token);
        return 1;
    }
    fputs(token, stdout);
    tb_string_free(token);
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------ the parent */

struct proc {
    pid_t pid;
    int out; /* the read end of the child's stdout */
};

static struct proc start(const char *mode, const char *store) {
    struct proc p = {-1, -1};
    int fds[2];
    if (pipe(fds) != 0) {
        CHECK(0, "pipe: %s", strerror(errno));
        return p;
    }
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        char *const args[] = {(char *)g_self, "--store-child", (char *)mode, (char *)store, NULL};
        execv(g_self, args);
        _exit(127);
    }
    close(fds[1]);
    CHECK(pid > 0, "fork: %s", strerror(errno));
    if (pid < 0) {
        close(fds[0]);
        return p;
    }
    p.pid = pid;
    p.out = fds[0];
    return p;
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads the child's token into `token` and waits for it (60 s at most); 1 when it
 * ended well with a token. */
static int finish(struct proc p, char *token, size_t size) {
    if (p.pid < 0) return 0;
    size_t n = 0;
    ssize_t got;
    while (n < size - 1 && (got = read(p.out, token + n, size - 1 - n)) != 0) {
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) break;
        n += (size_t)got;
    }
    token[n] = '\0';
    close(p.out);
    double until = now_s() + 60;
    int status = 0;
    pid_t w;
    while ((w = waitpid(p.pid, &status, WNOHANG)) == 0 && now_s() < until) {
        struct timespec d = {0, 20 * 1000 * 1000};
        nanosleep(&d, NULL);
    }
    if (w == 0) {
        kill(p.pid, SIGKILL);
        waitpid(p.pid, &status, 0);
        CHECK(0, "a child did not end within 60 s");
        return 0;
    }
    int ok = w == p.pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 && n > 10;
    CHECK(ok, "the child ended well and wrote its token (exit status %d, %zu bytes)",
          WIFEXITED(status) ? WEXITSTATUS(status) : -1, n);
    return ok;
}

/* A and B: two processes started together, the same store: one login for both. */
static void two_processes_one_login(const char *what, const char *store) {
    static char ta[TOKEN_MAX], tb[TOKEN_MAX];
    long before = stat_of("yativo.login");
    struct proc a = start("yativo", store);
    struct proc b = start("yativo", store);
    int ok = finish(a, ta, sizeof ta);
    ok &= finish(b, tb, sizeof tb);
    long logins = stat_of("yativo.login") - before;
    CHECK(logins == 1, "%s: %ld logins at the sandbox for the two processes, 1 wanted", what, logins);
    CHECK(ok && strcmp(ta, tb) == 0, "%s: both processes used the same token", what);
    printf("%s: 2 processes, %ld login\n", what, logins);
}

/* C: a process that frees its client leaves the session; EndSession ends it for all. */
static void ucontact_sessions(const char *store) {
    static char ta[TOKEN_MAX], tc[TOKEN_MAX];
    long logins = stat_of("ucontact.getUserToken"), ends = stat_of("ucontact.EndSession");
    finish(start("ucontact", store), ta, sizeof ta);
    CHECK(stat_of("ucontact.getUserToken") - logins == 1, "process A logged in once");
    CHECK(stat_of("ucontact.EndSession") == ends, "freeing the client in process A ended no session");

    tb_config *cfg = store_config(store);
    char url[300];
    snprintf(url, sizeof url, "%s/ucontact", g_url);
    tb_ucontact_client *uc = NULL;
    CHECK(tb_ucontact_client_new(cfg, url, UC_USER, UC_PASS, TB_UCONTACT_LOGIN_API_USER, &uc) == TB_OK,
          "client: %s", last_message());
    tb_config_free(cfg);
    if (!uc) return;
    long calls = stat_of("ucontact.call");
    CHECK(send_one(uc, NULL, "POST", "Integra/resources/Dialers/DialerTask", NULL, 0) == 200,
          "process B's call on process A's session");
    CHECK(stat_of("ucontact.call") - calls == 1, "process B's call reached the sandbox");
    char *mine = NULL;
    CHECK(tb_ucontact_token(uc, &mine) == TB_OK, "token: %s", last_message());
    CHECK(mine && strcmp(mine, ta) == 0, "process B works on process A's session");
    tb_string_free(mine);
    CHECK(stat_of("ucontact.getUserToken") - logins == 1, "process B did not log in");

    finish(start("ucontact-end", store), tc, sizeof tc);
    CHECK(strcmp(ta, tc) == 0, "process C ended the fleet's session");
    CHECK(stat_of("ucontact.EndSession") - ends == 1, "one EndSession, from process C");
    /* The ended token is refused (401): B logs in again, once, and goes on. */
    CHECK(send_one(uc, NULL, "POST", "Integra/resources/Dialers/DialerTask", NULL, 0) == 200,
          "process B's call after the end");
    CHECK(stat_of("ucontact.getUserToken") - logins == 2, "process B logged in again, once");
    mine = NULL;
    CHECK(tb_ucontact_token(uc, &mine) == TB_OK, "token: %s", last_message());
    CHECK(mine && strcmp(mine, ta) != 0, "process B is on a new session");
    /* Process D opens what B sealed into the store: B's new session, no login. */
    static char td[TOKEN_MAX];
    finish(start("ucontact", store), td, sizeof td);
    CHECK(mine && strcmp(mine, td) == 0, "process D works on process B's new session");
    CHECK(stat_of("ucontact.getUserToken") - logins == 2, "process D did not log in");
    tb_string_free(mine);
    tb_ucontact_client_free(uc);
    CHECK(stat_of("ucontact.EndSession") - ends == 1, "freeing the client in process B ended no session");
}

/* A fresh directory under $TMPDIR (or /tmp) as a file:// URL in `url`; its path in `dir`. */
static int temp_store(char *dir, size_t dir_size, char *url, size_t url_size) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dir_size, "%s/tb-c-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return 0;
    }
    snprintf(url, url_size, "file://%s", dir);
    return 1;
}

/* Removes a store directory (its files are flat: entries and lock files). */
static void remove_store(const char *dir) {
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char path[700];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            CHECK(unlink(path) == 0, "unlink %s: %s", path, strerror(errno));
        }
        closedir(d);
    }
    CHECK(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
}

int main(int argc, char **argv) {
    const char *url = getenv("TOKENBRIDGE_SANDBOX_URL");
    if (!url || strncmp(url, "http://", 7) != 0) {
        fprintf(stderr, "TOKENBRIDGE_SANDBOX_URL is not set (run bindings/c/run-tests.sh)\n");
        return 2;
    }
    snprintf(g_url, sizeof g_url, "%s", url);
    g_self = argv[0];
    if (argc == 4 && strcmp(argv[1], "--store-child") == 0) return child(argv[2], argv[3]);

    char dir[400], store[500];
    if (temp_store(dir, sizeof dir, store, sizeof store)) {
        two_processes_one_login("file store", store);
        remove_store(dir);
    }
    const char *redis = getenv("TB_REDIS_URL");
    CHECK(redis && strncmp(redis, "redis://", 8) == 0,
          "TB_REDIS_URL is set (bindings/c/run-tests.sh starts scripts/redislab.sh)");
    if (redis) two_processes_one_login("redis store", redis);
    if (temp_store(dir, sizeof dir, store, sizeof store)) {
        ucontact_sessions(store);
        remove_store(dir);
    }

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
