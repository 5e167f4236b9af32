/* THREADS threads, each with its own libcurl easy handle (the way libcurl is meant to
 * be used from threads: a handle is not shared), https with the test CA.
 *   curl_threads PORT THREADS TOTAL WARMUP CAFILE */
#include <curl/curl.h>
#include "threads.h"

static char url[256];
static const char *ca;
static struct curl_slist *hdr;
static const char *body = "{\"hash\":\"COMPANYHASH\",\"userId\":\"42\",\"userDocType\":\"\",\"userDocValue\":\"\","
                          "\"messengerFilters\":{\"departmentAlias\":\"\",\"channelAlias\":\"\",\"dataIni\":\"\","
                          "\"dataFim\":\"\",\"status\":\"\",\"pendentes\":\"\"}}";

struct state { CURL *h; char buf[4096]; size_t len; };

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud) {
    struct state *s = ud;
    size_t n = size * nmemb;
    if (s->len + n < sizeof s->buf) { memcpy(s->buf + s->len, p, n); s->len += n; }
    return n;
}

static void *bench_thread_setup(void) {
    struct state *s = calloc(1, sizeof *s);
    s->h = curl_easy_init();
    curl_easy_setopt(s->h, CURLOPT_URL, url);
    curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(s->h, CURLOPT_USERAGENT, "curl-bench");
    curl_easy_setopt(s->h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->h, CURLOPT_CAINFO, ca);
    return s;
}

static int bench_call(void *state) {
    struct state *s = state;
    long code = 0;
    s->len = 0;
    return curl_easy_perform(s->h) == CURLE_OK &&
                   curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200
               ? 0
               : 1;
}

static void bench_thread_done(void *state) {
    struct state *s = state;
    curl_easy_cleanup(s->h);
    free(s);
}

int main(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: curl_threads PORT THREADS TOTAL WARMUP CAFILE\n"); return 2; }
    snprintf(url, sizeof url, "https://127.0.0.1:%s/anna/REST/AnnACorporate/Messenger/AlertCounter", argv[1]);
    ca = argv[5];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    hdr = curl_slist_append(hdr, "Authorization: Bearer bench-token");
    int rc = bench_threads_main("libcurl", strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10),
                                strtoul(argv[4], NULL, 10));
    curl_slist_free_all(hdr);
    curl_global_cleanup();
    return rc;
}
