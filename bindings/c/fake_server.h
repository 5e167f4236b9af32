/*
 * A tiny misbehaving HTTP server on 127.0.0.1 for the C tests: it answers with
 * canned bytes chosen by the request line, closes without answering, resets the
 * connection or stalls. The sandbox gives the well-behaved answers; this gives the
 * failures the sandbox cannot (timeouts, resets, garbage, NUL bytes, 401 loops).
 */
#ifndef FAKE_SERVER_H
#define FAKE_SERVER_H

#include <stddef.h>

typedef enum fake_action {
    FAKE_REPLY = 0, /* send `reply` (reply_len bytes, or strlen when 0), then close */
    FAKE_CLOSE = 1, /* close without answering */
    FAKE_RESET = 2, /* reset the connection (SO_LINGER 0) without answering */
    FAKE_STALL = 3  /* send nothing until the server stops or 5 s pass */
} fake_action;

typedef struct fake_route {
    const char *match; /* a substring of the request line; NULL matches everything */
    fake_action action;
    const char *reply;
    size_t reply_len;
} fake_route;

typedef struct fake_server fake_server;

/* Starts a server for the given routes (the array must outlive the server); the
 * first route whose `match` is in the request line answers. NULL on failure. */
fake_server *fake_server_start(const fake_route *routes, size_t count);
/* The port it listens on. */
int fake_server_port(const fake_server *s);
/* How many requests it has read. */
unsigned fake_server_requests(fake_server *s);
/* A copy of the head (request line and headers) of the last request, into buf. */
void fake_server_last_head(fake_server *s, char *buf, size_t size);
/* The most bytes of a request body the server keeps. */
#define FAKE_BODY_MAX 65536
/* A copy of the body of the last request (its first FAKE_BODY_MAX bytes) into buf;
 * returns how many bytes were copied (at most size). */
size_t fake_server_last_body(fake_server *s, char *buf, size_t size);
/* Stops the server and frees it. */
void fake_server_stop(fake_server *s);
/* A port on 127.0.0.1 where nothing listens (just closed). */
int fake_closed_port(void);

#endif
