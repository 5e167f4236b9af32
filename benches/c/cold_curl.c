/* Cold start with libcurl, doing what cold_abi does: a new process logs in (AnnA
 * GetToken, the token read out of the answer), then makes one authenticated call on
 * the same connection (one easy handle), then exits.
 *   cold_curl PORT CAFILE */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink { char buf[4096]; size_t len; };

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud) {
    struct sink *s = ud;
    size_t n = size * nmemb;
    if (s->len + n < sizeof s->buf) { memcpy(s->buf + s->len, p, n); s->len += n; s->buf[s->len] = 0; }
    return n;
}

static int post(CURL *h, const char *url, struct curl_slist *hdr, const char *body, struct sink *s) {
    long code = 0;
    s->len = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    return curl_easy_perform(h) == CURLE_OK &&
           curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code == 200;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: cold_curl PORT CAFILE\n"); return 2; }
    char url[256], auth[600];
    static struct sink sink;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_CAINFO, argv[2]);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    struct curl_slist *login = curl_slist_append(NULL, "Content-Type: application/json");
    login = curl_slist_append(login, "Accept: application/json");
    snprintf(url, sizeof url, "https://127.0.0.1:%s/anna/REST/Credentials/GetToken", argv[1]);
    if (!post(h, url, login, "{\"hash\":\"COMPANYHASH\",\"user\":\"annauser\",\"pass\":\"anna-pass\"}", &sink)) {
        fprintf(stderr, "cold_curl: GetToken failed\n");
        return 1;
    }
    char *t = strstr(sink.buf, "\"Token\":\"");
    char *end = t ? strchr(t + 9, '"') : NULL;
    if (!end || end - (t + 9) > 500) { fprintf(stderr, "cold_curl: no token\n"); return 1; }
    snprintf(auth, sizeof auth, "Authorization: Bearer %.*s", (int)(end - (t + 9)), t + 9);
    struct curl_slist *call = curl_slist_append(NULL, "Content-Type: application/json");
    call = curl_slist_append(call, "Accept: application/json");
    call = curl_slist_append(call, auth);
    snprintf(url, sizeof url, "https://127.0.0.1:%s/anna/REST/AnnACorporate/Messenger/AlertCounter", argv[1]);
    if (!post(h, url, call,
              "{\"hash\":\"COMPANYHASH\",\"userId\":\"42\",\"userDocType\":\"\",\"userDocValue\":\"\","
              "\"messengerFilters\":{\"departmentAlias\":\"\",\"channelAlias\":\"\",\"dataIni\":\"\","
              "\"dataFim\":\"\",\"status\":\"\",\"pendentes\":\"\"}}", &sink) ||
        !strstr(sink.buf, "\"alertCounter\":3")) {
        fprintf(stderr, "cold_curl: AlertCounter failed\n");
        return 1;
    }
    curl_slist_free_all(login);
    curl_slist_free_all(call);
    curl_easy_cleanup(h);
    curl_global_cleanup();
    return 0;
}
