/* libcurl with one reused easy handle (keep-alive), the way a careful C integration
 * calls the same endpoint: same request line, headers and body as the other clients.
 *   curl_client PORT REQUESTS WARMUP [CAFILE]
 * With CAFILE: https, trusting that CA (CURLOPT_CAINFO). */
#include <curl/curl.h>
#include "stats.h"

struct sink { char buf[65536]; size_t len; };

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud) {
    struct sink *s = ud;
    size_t n = size * nmemb;
    if (s->len + n < sizeof s->buf) { memcpy(s->buf + s->len, p, n); s->len += n; }
    return n;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: curl_client PORT REQUESTS WARMUP [CAFILE]\n"); return 2; }
    size_t n = strtoul(argv[2], NULL, 10), warm = strtoul(argv[3], NULL, 10);
    char url[256];
    const char *ca = argc > 4 ? argv[4] : NULL;
    snprintf(url, sizeof url, "%s://127.0.0.1:%s/anna/REST/AnnACorporate/Messenger/AlertCounter",
             ca ? "https" : "http", argv[1]);
    const char *body = "{\"hash\":\"COMPANYHASH\",\"userId\":\"42\",\"userDocType\":\"\",\"userDocValue\":\"\","
                       "\"messengerFilters\":{\"departmentAlias\":\"\",\"channelAlias\":\"\",\"dataIni\":\"\","
                       "\"dataFim\":\"\",\"status\":\"\",\"pendentes\":\"\"}}";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    hdr = curl_slist_append(hdr, "Authorization: Bearer bench-token");
    static struct sink sink;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "curl-bench");
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (ca) curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    uint64_t *lat = malloc(n * sizeof *lat);
    for (size_t i = 0; i < warm + n; i++) {
        sink.len = 0;
        uint64_t t0 = bench_now_ns();
        long code = 0;
        if (curl_easy_perform(h) != CURLE_OK ||
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK || code != 200) {
            fprintf(stderr, "curl_client: request %zu failed\n", i);
            return 1;
        }
        if (i >= warm) lat[i - warm] = bench_now_ns() - t0;
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += lat[i];
    bench_report("libcurl", lat, n, total);
    free(lat);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return 0;
}
