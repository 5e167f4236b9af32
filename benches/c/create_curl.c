/* libcurl's counterpart of create_abi's second part, for reference: a new easy handle
 * and its first call (a new TLS connection; libcurl reads CAINFO per connection).
 *   create_curl PORT HANDLES CAFILE
 * prints CREATE libcurl-new+first-call <count> <first µs> <p50 µs> <p99 µs> <KiB per handle>. */
#include <curl/curl.h>
#include "stats.h"

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud) {
    (void)p; (void)ud;
    return size * nmemb;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: create_curl PORT HANDLES CAFILE\n"); return 2; }
    size_t n = strtoul(argv[2], NULL, 10);
    if (n < 2 || n > 200) n = 200;
    char url[256];
    snprintf(url, sizeof url, "https://127.0.0.1:%s/anna/REST/AnnACorporate/Messenger/AlertCounter", argv[1]);
    const char *body = "{\"hash\":\"COMPANYHASH\",\"userId\":\"42\",\"userDocType\":\"\",\"userDocValue\":\"\","
                       "\"messengerFilters\":{\"departmentAlias\":\"\",\"channelAlias\":\"\",\"dataIni\":\"\","
                       "\"dataFim\":\"\",\"status\":\"\",\"pendentes\":\"\"}}";
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Accept: application/json");
    hdr = curl_slist_append(hdr, "Authorization: Bearer bench-token");
    CURL **hs = calloc(n, sizeof *hs);
    uint64_t *lat = malloc(n * sizeof *lat);
    long before = bench_rss_kib();
    for (size_t i = 0; i < n; i++) {
        uint64_t t0 = bench_now_ns();
        long code = 0;
        CURL *h = hs[i] = curl_easy_init();
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(h, CURLOPT_CAINFO, argv[3]);
        if (curl_easy_perform(h) != CURLE_OK || curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
            code != 200) {
            fprintf(stderr, "create_curl: call %zu failed\n", i);
            return 1;
        }
        lat[i] = bench_now_ns() - t0;
    }
    long after = bench_rss_kib();
    uint64_t first = lat[0];
    qsort(lat + 1, n - 1, sizeof *lat, bench_cmp_u64);
    printf("CREATE libcurl-new+first-call %zu %.1f %.1f %.1f %.1f\n", n, (double)first / 1000.0,
           (double)lat[1 + (n - 1) / 2] / 1000.0, (double)lat[1 + ((n - 1) * 99) / 100] / 1000.0,
           (double)(after - before) / (double)n);
    for (size_t i = 0; i < n; i++) curl_easy_cleanup(hs[i]);
    curl_slist_free_all(hdr);
    curl_global_cleanup();
    free(hs);
    free(lat);
    return 0;
}
