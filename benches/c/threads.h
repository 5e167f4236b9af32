/* The thread benchmark's frame, shared by abi_threads.c and curl_threads.c: THREADS
 * threads each make WARMUP untimed calls, meet at a barrier, then make TOTAL/THREADS
 * timed calls. Aggregate req/s is all timed calls over the wall time from the barrier
 * to the last thread's end; p50/p99 over every call of every thread.
 * The including file defines bench_thread_setup(), bench_call(state) and
 * bench_thread_done(state), and calls bench_threads_main(). */
#ifndef TB_BENCH_THREADS_H
#define TB_BENCH_THREADS_H

#include <pthread.h>
#include "stats.h"

struct bench_thread {
    pthread_t id;
    size_t calls, warm;
    uint64_t *lat;
    uint64_t end_ns;
    int failed;
};

static pthread_barrier_t bench_barrier;
static uint64_t bench_start_ns;

static void *bench_thread_setup(void);
static int bench_call(void *state);
static void bench_thread_done(void *state);

static void *bench_thread_main(void *arg) {
    struct bench_thread *t = arg;
    void *state = bench_thread_setup();
    for (size_t i = 0; i < t->warm && !t->failed; i++) t->failed = bench_call(state) != 0;
    if (pthread_barrier_wait(&bench_barrier) == PTHREAD_BARRIER_SERIAL_THREAD) bench_start_ns = bench_now_ns();
    pthread_barrier_wait(&bench_barrier);
    for (size_t i = 0; i < t->calls && !t->failed; i++) {
        uint64_t t0 = bench_now_ns();
        t->failed = bench_call(state) != 0;
        t->lat[i] = bench_now_ns() - t0;
    }
    t->end_ns = bench_now_ns();
    bench_thread_done(state);
    return NULL;
}

/* Prints: THREADS <name> <threads> <requests> <req_per_s> <p50_us> <p99_us> */
static int bench_threads_main(const char *name, size_t threads, size_t total, size_t warm) {
    if (threads < 1 || threads > 256 || total < threads) { fprintf(stderr, "%s: bad arguments\n", name); return 2; }
    size_t per = total / threads;
    struct bench_thread *ts = calloc(threads, sizeof *ts);
    uint64_t *all = malloc(per * threads * sizeof *all);
    pthread_barrier_init(&bench_barrier, NULL, (unsigned)threads);
    for (size_t i = 0; i < threads; i++) {
        ts[i].calls = per;
        ts[i].warm = warm;
        ts[i].lat = all + i * per;
        if (pthread_create(&ts[i].id, NULL, bench_thread_main, &ts[i]) != 0) { perror("pthread_create"); return 1; }
    }
    uint64_t end = 0;
    int failed = 0;
    for (size_t i = 0; i < threads; i++) {
        pthread_join(ts[i].id, NULL);
        if (ts[i].end_ns > end) end = ts[i].end_ns;
        failed |= ts[i].failed;
    }
    if (failed) { fprintf(stderr, "%s: a call failed\n", name); return 1; }
    size_t n = per * threads;
    qsort(all, n, sizeof *all, bench_cmp_u64);
    double secs = (double)(end - bench_start_ns) / 1e9;
    printf("THREADS %s %zu %zu %.1f %.2f %.2f\n", name, threads, n, (double)n / secs,
           (double)all[n / 2] / 1000.0, (double)all[(n * 99) / 100] / 1000.0);
    free(all);
    free(ts);
    return 0;
}

#endif
