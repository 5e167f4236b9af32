/* Latency bookkeeping shared by the C benchmark clients. */
#ifndef TB_BENCH_STATS_H
#define TB_BENCH_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

static inline uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int bench_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static inline long bench_max_rss_kib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* The resident set now (not the peak), from /proc/self/statm. */
static inline long bench_rss_kib(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Prints: RESULT <name> <requests> <seconds> <req_per_s> <p50_us> <p99_us> */
static inline void bench_report(const char *name, uint64_t *lat_ns, size_t n, uint64_t total_ns) {
    qsort(lat_ns, n, sizeof *lat_ns, bench_cmp_u64);
    double secs = (double)total_ns / 1e9;
    printf("RESULT %s %zu %.4f %.1f %.2f %.2f\n", name, n, secs, (double)n / secs,
           (double)lat_ns[n / 2] / 1000.0, (double)lat_ns[(n * 99) / 100] / 1000.0);
    fflush(stdout);
}

#endif
