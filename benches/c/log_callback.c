/*
 * tb_set_log_callback with many distinct user-data pointers (issue 20): the time of
 * a call at the start, and after 20,000 distinct pointers were set, for a pointer
 * never seen and for one set before. No network, no records.
 *
 *   cargo build --release --lib && ln -sf libtokenbridge.so target/release/libtokenbridge.so.0
 *   gcc -std=c11 -O2 -Iinclude benches/c/log_callback.c -Ltarget/release -ltokenbridge \
 *       -Wl,-rpath,$PWD/target/release -o target/log_callback && target/log_callback
 *
 * Prints: RESULT log_callback <case> <calls> <us_per_call>
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tokenbridge.h"
#include "stats.h"

static void on_record(void *user_data, tb_log_level level, const char *target, size_t target_len,
                      const char *message, size_t message_len) {
    (void)user_data, (void)level, (void)target, (void)target_len, (void)message, (void)message_len;
}

static char g_cells[40000]; /* the user data: one distinct address per call */

/* Sets `n` callbacks with the user data g_cells[from ...]; the time per call. */
static double per_call_us(size_t from, size_t n) {
    uint64_t start = bench_now_ns();
    for (size_t i = 0; i < n; i++) {
        if (tb_set_log_callback(on_record, TB_LOG_ERROR, &g_cells[from + i]) != TB_OK) {
            fprintf(stderr, "tb_set_log_callback failed\n");
            exit(1);
        }
    }
    return (double)(bench_now_ns() - start) / 1e3 / (double)n;
}

int main(void) {
    const size_t batch = 1000, many = 20000;
    printf("RESULT log_callback first_%zu_new %zu %.2f\n", batch, batch, per_call_us(0, batch));
    per_call_us(batch, many - batch);
    printf("RESULT log_callback new_after_%zu %zu %.2f\n", many, batch, per_call_us(many, batch));
    printf("RESULT log_callback again_after_%zu %zu %.2f\n", many, batch, per_call_us(many / 2, batch));
    tb_set_log_callback(NULL, 0, NULL);
    return 0;
}
