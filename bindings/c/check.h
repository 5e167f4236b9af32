/*
 * The checks the C test programs share (hostile.c, logging.c, request.c): a counted
 * CHECK that prints the failing line with its file, and the thread's last error
 * message as a string. Header-only (static functions), one copy per program; each
 * program prints "N passed, M failed" from g_passed and g_failed at its end.
 */
#ifndef TOKENBRIDGE_TEST_CHECK_H
#define TOKENBRIDGE_TEST_CHECK_H

#include <stdarg.h>
#include <stdio.h>

#include "tokenbridge.h"

static int g_passed, g_failed;

static void check(int ok, const char *file, int line, const char *fmt, ...) {
    if (ok) {
        g_passed++;
        return;
    }
    g_failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}
#define CHECK(cond, ...) check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* The thread's last error message, copied ("" when none). */
static char g_message[4096];
static const char *last_message(void) {
    char *m = tb_last_error_message();
    snprintf(g_message, sizeof g_message, "%s", m ? m : "");
    tb_string_free(m);
    return g_message;
}

#endif
