/*
 * tokenbridge: a blocking client for the uContact, Yativo and AnnA REST APIs.
 *
 * The C ABI. Contract: docs/c-api.md. Rules in short:
 * - Every fallible function returns a tb_status (TB_OK = 0). Outputs go through
 *   out-pointers and are written only on success.
 * - After a failure, the same thread reads tb_last_error_status(), tb_last_error_message(),
 *   tb_last_error_http_status() and tb_last_error_vendor_message(); for
 *   TB_INVALID_ARGUMENT also tb_last_error_parameter() (the argument's name, as data) and
 *   tb_last_error_reason(). Every fallible call clears the calling thread's last error on
 *   entry.
 * - Strings in are NUL-terminated UTF-8; NULL or invalid UTF-8 is TB_INVALID_ARGUMENT
 *   naming the parameter, unless the parameter is documented as optional.
 * - Strings: one rule, by where they come from.
 *   - Owned: a client call's `char **out` (a token, a link, a message) and the
 *     tb_last_error_* strings. Free them with tb_string_free(), never with free().
 *   - Lent: every text an answer handle's getters give: `const char **out` plus an
 *     optional `size_t *out_len`. NUL-terminated UTF-8, valid and unchanged until the
 *     handle's *_free, never freed by the caller. The length is the whole text (a server
 *     may put a NUL inside a string). The handle's *_free wipes the bytes (answers can
 *     hold hashes).
 * - Answers (tb_response, tb_agent_profile, tb_access_data, tb_messenger_structure,
 *   tb_messenger_requests, tb_yativo_event) are immutable handles read with getters, one
 *   convention:
 *   - One getter per field: tb_status tb_<handle>_<field>(const H *h, [size_t index,]
 *     T *out [, size_t *out_len]), T being lent text, int64_t, tb_datetime or an enum.
 *     TB_OK: *out is set. TB_ABSENT: the field is optional and the server did not send
 *     it; *out is NULL, 0 or zeroed; not a failure (the last error stays clear). Fields
 *     documented as always present never give TB_ABSENT. An index past the last is
 *     TB_INVALID_ARGUMENT naming the index.
 *   - A field with a typed getter has the text as sent beside it: <field>_raw.
 *   - Fields the vendor does not publish: tb_<handle>_get(h, [index,] name, ...) by wire
 *     name, with the same rule; *_field_count and *_field_at enumerate every field.
 *   - A count, or a value the handle always has (the HTTP status), is returned as it is:
 *     0 for NULL.
 *   - Dates are the server's local time as numbers (tb_datetime). A leap second is second
 *     60; as an instant it is the next second (23:59:60 is 00:00:00 of the next day), and
 *     bindings that convert to a date type do the same.
 *   - The only JSON text that crosses the boundary is the *_raw_json escape hatches (the
 *     value the server sent, written anew with object keys sorted), a webhook event's
 *     data (tb_yativo_event_data_json, as it came) and tb_request_set_json's body.
 * - Handles are opaque; *_free(NULL) does nothing. Client handles are thread-safe;
 *   a tb_config is not (clients copy it when created).
 * - No panic crosses the boundary: an internal error is TB_PANIC.
 *
 * Bindings: tb_status and the other enums are 32-bit signed integers; bool is the
 * C99 one-byte bool (.NET: [MarshalAs(UnmanagedType.U1)]); return strings as pointers
 * (IntPtr / Pointer / c_void_p), copy them, then call tb_string_free() for owned ones.
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */

#ifndef TOKENBRIDGE_H
#define TOKENBRIDGE_H

/* Generated from src/ffi/ by the cbindgen CLI (settings: cbindgen.toml). Do not edit: change
 * the Rust code and run `bash scripts/check-header.sh --write`. CI runs scripts/check-header.sh,
 * which fails when this file is stale. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifndef TB_API
#if defined(_WIN32) && !defined(TB_STATIC)
/** How the functions are declared: imported from tokenbridge.dll on Windows (define
 * TB_STATIC when linking the static library), plain declarations elsewhere. */
#define TB_API __declspec(dllimport)
#else
#define TB_API
#endif
#endif
/** The major version of this header (compare with tb_version_number()). */
#define TB_VERSION_MAJOR 0
/** The minor version of this header. */
#define TB_VERSION_MINOR 2
/** The patch version of this header. */
#define TB_VERSION_PATCH 0
/** This header's version as a string, "MAJOR.MINOR.PATCH" (equal to tb_version()). */
#define TB_VERSION_STRING "0.2.0"
/** This header's version as MAJOR * 10000 + MINOR * 100 + PATCH (equal to tb_version_number()). */
#define TB_VERSION_NUMBER ((TB_VERSION_MAJOR) * 10000 + (TB_VERSION_MINOR) * 100 + (TB_VERSION_PATCH))

/** Yativo's production base URL, for tb_yativo_client_new(). */
#define TB_YATIVO_PRODUCTION_URL "https://api.yativo.com/api/v1"
/** Yativo's online sandbox base URL, for tb_yativo_client_new(). */
#define TB_YATIVO_SANDBOX_URL "https://smtp.yativo.com/api/v1"

/**
 * The longest `message` a log callback receives, in bytes (without the NUL).
 * Longer records are cut at a character boundary and end with `" [truncated]"`.
 */
#define TB_LOG_MESSAGE_MAX 4096

/**
 * What a fallible function returns: `TB_OK` (0) on success, else the kind of
 * failure. The numbers are fixed and never reused. After a failure,
 * `tb_last_error_message()` (and for some kinds `tb_last_error_http_status()` and
 * `tb_last_error_vendor_message()`) tell more, on the same thread.
 *
 * In C this type is an `int32_t`; in C++ an enum whose underlying type is
 * `int32_t`. Bindings should read it as a 32-bit signed integer and treat unknown
 * values like `TB_PANIC`.
 */
enum tb_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Success.
     */
    TB_OK = 0,
    /**
     * An argument or setting is not usable (NULL, invalid UTF-8, out of range, a
     * malformed URL or filter...); the message names it. Nothing was sent.
     */
    TB_INVALID_ARGUMENT = 1,
    /**
     * Not a failure: the answer does not have the field a getter asked for (the
     * server did not send it). The out-pointer is set to NULL (text) or zero
     * (numbers, dates, enums); `tb_last_error_status()` stays `TB_OK`. Only getters
     * of fields documented as optional return it.
     */
    TB_ABSENT = 2,
    /**
     * The host name could not be resolved.
     */
    TB_DNS = 10,
    /**
     * The TCP connection could not be made (refused, unreachable).
     */
    TB_CONNECT = 11,
    /**
     * The TLS handshake or certificate check failed.
     */
    TB_TLS = 12,
    /**
     * A configured timeout ran out (connect, send or receive).
     */
    TB_TIMEOUT = 13,
    /**
     * The connection was reset or closed before the whole answer arrived.
     */
    TB_RESET = 14,
    /**
     * The proxy could not be reached or refused the tunnel.
     */
    TB_PROXY = 15,
    /**
     * The server spoke something that is not valid HTTP.
     */
    TB_PROTOCOL = 16,
    /**
     * Any other input/output failure.
     */
    TB_IO = 17,
    /**
     * The server answered an HTTP status that is neither success nor a recognised
     * vendor error; `tb_last_error_http_status()` gives it.
     */
    TB_HTTP_STATUS = 20,
    /**
     * The API understood the call and said no (wrong credentials, unknown user...);
     * `tb_last_error_vendor_message()` gives the API's own message.
     */
    TB_REJECTED = 21,
    /**
     * The server answered HTTP 401 even after one new login.
     */
    TB_UNAUTHORIZED = 22,
    /**
     * The answer could not be understood (or could not be handed over as a C
     * string because it holds a NUL character).
     */
    TB_UNEXPECTED_RESPONSE = 23,
    /**
     * The call was cancelled through its cancellation token.
     */
    TB_CANCELLED = 24,
    /**
     * The call was made from inside the same client's login on the same thread
     * (a log callback calling the client back) and needs the token that login is
     * getting: it returns at once instead of waiting for itself. Nothing was
     * sent; the login goes on. Call again after the callback returned.
     */
    TB_WOULD_DEADLOCK = 25,
    /**
     * An internal error (a bug in the library), caught before it could cross into
     * the caller; the message says what happened. The handles stay usable.
     */
    TB_PANIC = 99,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum tb_status tb_status;
#else
typedef int32_t tb_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * The level of a log record, most severe first. The numbers are fixed.
 *
 * In C this type is an `int32_t`; in C++ an enum whose underlying type is
 * `int32_t`.
 */
enum tb_log_level
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * A failure the library could not handle itself.
     */
    TB_LOG_ERROR = 1,
    /**
     * Something unexpected that the library worked around.
     */
    TB_LOG_WARN = 2,
    /**
     * A login, a token refresh, a retry, an ended session: a few records per
     * client.
     */
    TB_LOG_INFO = 3,
    /**
     * One record per HTTP request: operation, method, path, status or error, time
     * and attempt.
     */
    TB_LOG_DEBUG = 4,
    /**
     * Everything the libraries underneath log as well (TLS handshakes, the
     * connection pool), except the HTTP library's own TRACE records, which hold
     * the bytes of every request and answer, secrets included: those never reach
     * the callback.
     */
    TB_LOG_TRACE = 5,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum tb_log_level tb_log_level;
#else
typedef int32_t tb_log_level;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * A messenger request's status: in a filter, which requests to count or list; in
 * an answer, what the server said.
 */
enum tb_messenger_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * In a filter: any status. In an answer: a status that is neither open nor
     * closed (read the text with `tb_messenger_requests_status_raw`).
     */
    TB_MESSENGER_STATUS_NONE = 0,
    /**
     * Open (`A` on the wire).
     */
    TB_MESSENGER_STATUS_OPEN = 1,
    /**
     * Closed (`E` on the wire).
     */
    TB_MESSENGER_STATUS_CLOSED = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum tb_messenger_status tb_messenger_status;
#else
typedef int32_t tb_messenger_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Whether a messenger request awaits the user's answer: in a filter, which
 * requests to count or list; in an answer, what the server said.
 */
enum tb_messenger_pending
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * In a filter: pending or not. In an answer: written with `TB_ABSENT`.
     */
    TB_MESSENGER_PENDING_NONE = 0,
    /**
     * Awaits the user's answer (`S` on the wire).
     */
    TB_MESSENGER_PENDING_YES = 1,
    /**
     * Does not (`N` on the wire).
     */
    TB_MESSENGER_PENDING_NO = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum tb_messenger_pending tb_messenger_pending;
#else
typedef int32_t tb_messenger_pending;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Which certificate authorities clients trust for `https://`.
 */
enum tb_tls_roots
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Mozilla's root certificates, bundled in the library (the default).
     */
    TB_TLS_ROOTS_MOZILLA = 0,
    /**
     * The operating system's trust store (Windows, macOS, Linux).
     */
    TB_TLS_ROOTS_OS = 1,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum tb_tls_roots tb_tls_roots;
#else
typedef int32_t tb_tls_roots;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * How a uContact client logs in when it needs a token.
 */
enum tb_ucontact_login_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * An API user, with `getUserToken`.
     */
    TB_UCONTACT_LOGIN_API_USER = 0,
    /**
     * An agent, with `AgentLogin` (which also logs the agent into the SIP side).
     */
    TB_UCONTACT_LOGIN_AGENT = 1,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum tb_ucontact_login_kind tb_ucontact_login_kind;
#else
typedef int32_t tb_ucontact_login_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * A user's chat access from `tb_anna_user_hash` or `tb_anna_user_hash_forced`
 * (A2, A3). Free it with `tb_access_data_free`. Read-only: any number of threads
 * may read one at once. Its text fields are always present (never `TB_ABSENT`): as
 * in the Rust model, a URL the server left out is the empty string (length 0);
 * without a hash the call fails with `TB_UNEXPECTED_RESPONSE`.
 */
typedef struct tb_access_data tb_access_data;

/**
 * An agent's profile from `tb_ucontact_agent_login` (U2): every field the server
 * sent except `secret` and `md5secret`. Free it with `tb_agent_profile_free`.
 * Read-only: any number of threads may read one profile at once.
 */
typedef struct tb_agent_profile tb_agent_profile;

/**
 * An AnnA client: one connection pool, one API user, one cached bearer token
 * (renewed with `GetToken` ahead of expiry). Create with `tb_anna_client_new`,
 * free with `tb_anna_client_free`.
 *
 * Thread-safe: all `tb_anna_*` calls on one client may run from many threads at
 * once (they share the token; only one `GetToken` runs at a time). Do not free it
 * while another thread uses it.
 */
typedef struct tb_anna_client tb_anna_client;

/**
 * Options for calls: an overall deadline and a cancellation token. Create with
 * `tb_call_options_new`, set with `tb_call_options_set_*`, apply with
 * `tb_<api>_client_with_options` (which copies them), free with
 * `tb_call_options_free`.
 *
 * Not thread-safe to change: do not call setters on one options object from several
 * threads at once.
 */
typedef struct tb_call_options tb_call_options;

/**
 * A token that cancels the calls it is given to, from any thread. Create with
 * `tb_cancel_token_new`, trigger with `tb_cancel_token_cancel`, free with
 * `tb_cancel_token_free`.
 *
 * Thread-safe: `tb_cancel_token_cancel` may be called from any thread while calls
 * given the token run on others. A cancelled call returns `TB_CANCELLED` within
 * about 100 ms, drops the connection it was using and leaves the client usable; a
 * token stays cancelled (calls given it later fail at once). Options and client
 * handles keep their own reference, so the token may be freed while they live.
 */
typedef struct tb_cancel_token tb_cancel_token;

/**
 * Settings for new clients: timeouts, proxy, user agent, TLS roots, plain-http
 * permission, response size limit, retries, token refresh and uContact's
 * end-session-on-close. Create with `tb_config_new`, change with the
 * `tb_config_set_*` functions, pass to a `tb_*_client_new` (which copies it), free
 * with `tb_config_free`.
 *
 * Not thread-safe to change: do not call setters on one config from several
 * threads at once, or while a client is being created from it.
 */
typedef struct tb_config tb_config;

/**
 * Which messenger requests `tb_anna_messenger_alert_counter` and
 * `tb_anna_messenger_requests` count or list. A new filter lets everything
 * through; each setter narrows it (and a NULL / zero / `_NONE` argument widens it
 * again). Create with `tb_messenger_filter_new`, free with
 * `tb_messenger_filter_free`; it may be freed right after the call that used it.
 *
 * ```c
 * tb_messenger_filter *f = tb_messenger_filter_new();
 * tb_messenger_filter_set_date_from(f, 2024, 1, 1);
 * tb_messenger_filter_set_status(f, TB_MESSENGER_STATUS_OPEN);
 * tb_messenger_filter_set_pending(f, TB_MESSENGER_PENDING_YES);
 * uint64_t n;
 * tb_status s = tb_anna_messenger_alert_counter(client, "42", NULL, NULL, f, &n);
 * tb_messenger_filter_free(f);
 * ```
 *
 * Not thread-safe while being changed; a filter no longer changed may be used by
 * many calls at once.
 */
typedef struct tb_messenger_filter tb_messenger_filter;

/**
 * A user's messenger requests from `tb_anna_messenger_requests` (A7), by index
 * (0 = the first, in the server's order). Free it with
 * `tb_messenger_requests_free`. Read-only: any number of threads may read one at
 * once.
 *
 * AnnA does not publish the items' field names: the named accessors find each
 * field under its likely spellings (English and Portuguese, any case), and
 * `tb_messenger_requests_get` / `_field_at` reach every field as sent.
 *
 * ```c
 * for (size_t i = 0; i < tb_messenger_requests_count(list); i++) {
 *     const char *protocol, *description;
 *     if (tb_messenger_requests_protocol(list, i, &protocol, NULL) != TB_OK)
 *         protocol = "-";  // TB_ABSENT: the server sent none
 *     if (tb_messenger_requests_description(list, i, &description, NULL) != TB_OK)
 *         description = "";
 *     printf("%s: %s\n", protocol, description);
 * }
 * ```
 */
typedef struct tb_messenger_requests tb_messenger_requests;

/**
 * The messenger's structure from `tb_anna_messenger_structure` (A5): the company,
 * its departments and their channels, by index. Free it with
 * `tb_messenger_structure_free`. Read-only: any number of threads may read one at
 * once.
 *
 * ```c
 * for (size_t d = 0; d < tb_messenger_structure_department_count(s); d++) {
 *     const char *alias, *name;
 *     tb_messenger_structure_department(s, d, &alias, NULL, &name, NULL);
 *     for (size_t k = 0; k < tb_messenger_structure_channel_count(s, d); k++) {
 *         const char *ch_alias, *ch_name;
 *         tb_messenger_structure_channel(s, d, k, &ch_alias, NULL, &ch_name, NULL);
 *     }
 * }
 * ```
 */
typedef struct tb_messenger_structure tb_messenger_structure;

/**
 * A request for `tb_<api>_send`: a method, a path on the client's server, query
 * parameters, extra headers, a body, an idempotency key. Create with
 * `tb_request_new`, fill with `tb_request_add_*` / `tb_request_set_*`, send with
 * `tb_ucontact_send`, `tb_yativo_send` or `tb_anna_send` (as often as you like, to
 * any client), free with `tb_request_free`.
 *
 * ```c
 * tb_request *req = NULL;
 * tb_response *resp = NULL;
 * if (tb_request_new("POST", "payouts", &req) == TB_OK &&
 *     tb_request_set_json(req, "{\"amount\": \"10.00\", \"currency\": \"USD\"}") == TB_OK &&
 *     tb_request_set_idempotency_key(req, "order-4711") == TB_OK &&
 *     tb_yativo_send(client, req, &resp) == TB_OK) {
 *     const uint8_t *body; size_t len;
 *     tb_response_body(resp, &body, &len);
 *     printf("%u: %.*s\n", tb_response_status(resp), (int)len, (const char *)body);
 *     tb_response_free(resp);
 * }
 * tb_request_free(req);
 * ```
 *
 * Each function checks its own arguments (`TB_INVALID_ARGUMENT` naming the
 * parameter; the request is then unchanged), except the headers, which are checked
 * when the request is sent — whether an `Authorization` may go depends on
 * `tb_request_allow_authorization_header`, which may come later. A refused header
 * is `TB_INVALID_ARGUMENT` naming it, and nothing is sent.
 *
 * Not thread-safe to change: do not call setters on one request from several
 * threads at once, nor while it is being sent. A request nobody changes may be sent
 * from several threads at once.
 */
typedef struct tb_request tb_request;

/**
 * The answer to `tb_<api>_send`: the HTTP status, the headers (names lower-cased;
 * the values of a name that came several times next to each other, in the order
 * they came) and the body, as they came, whatever the status. Read with
 * `tb_response_status`, `tb_response_body`, `tb_response_header_count`,
 * `tb_response_header_at` and `tb_response_header`; free with `tb_response_free`.
 *
 * Everything these accessors give is borrowed from the response: valid, unchanged,
 * until `tb_response_free`, and never freed by the caller. Header names and values
 * are NUL-terminated UTF-8 (a value that was not UTF-8 has U+FFFD in place of the
 * bad bytes) and come with their length (`strlen` of the text). The body is bytes
 * (it may hold NUL) with a length, followed by one NUL byte not counted in the
 * length, so that a text body can be read as a C string.
 *
 * Thread-safe: a response never changes, so any thread may read it, several at
 * once; do not free it while another thread reads it.
 */
typedef struct tb_response tb_response;

/**
 * A uContact client: one connection pool, one user or agent, one cached session
 * token. Create with `tb_ucontact_client_new`, free with
 * `tb_ucontact_client_free`.
 *
 * Thread-safe: all `tb_ucontact_*` calls on one client may run from many threads
 * at once (they share the session token; only one login runs at a time). Do not
 * free it while another thread uses it.
 */
typedef struct tb_ucontact_client tb_ucontact_client;

/**
 * A Yativo client: one connection pool, one account, one cached bearer token
 * refreshed ahead of expiry. Create with `tb_yativo_client_new`, free with
 * `tb_yativo_client_free`.
 *
 * Thread-safe: all `tb_yativo_*` calls on one client may run from many threads at
 * once (they share the token; only one login or refresh runs at a time). Do not
 * free it while another thread uses it.
 */
typedef struct tb_yativo_client tb_yativo_client;

/**
 * A verified Yativo webhook event (from `tb_yativo_webhook_verify`): its type, id,
 * time and `data`. Free it with `tb_yativo_event_free`. Read-only: any number of
 * threads may read one at once.
 *
 * Webhooks are delivered at least once: remember the ids you processed
 * (`tb_yativo_event_id`) and skip the ones you have seen.
 */
typedef struct tb_yativo_event tb_yativo_event;

/**
 * A function that receives log records; see `tb_set_log_callback`.
 *
 * `target` says where the record comes from (`"tokenbridge"`,
 * `"tokenbridge::http"`, or a library underneath such as `"rustls::client::hs"`);
 * `message` is the record's text. Both are UTF-8, NUL-terminated and without
 * NUL characters inside, so `target_len == strlen(target)` and
 * `message_len == strlen(message)` (at most `TB_LOG_MESSAGE_MAX`). They are valid
 * only until the callback returns: copy what you keep.
 */
typedef void (*tb_log_callback)(void *user_data,
                                tb_log_level level,
                                const char *target,
                                size_t target_len,
                                const char *message,
                                size_t message_len);

/**
 * A date and time as numbers (the server's local time; AnnA sends no zone).
 */
typedef struct {
    /**
     * The year, e.g. 2024.
     */
    int32_t year;
    /**
     * 1 to 12.
     */
    int32_t month;
    /**
     * 1 to 31.
     */
    int32_t day;
    /**
     * 0 to 23.
     */
    int32_t hour;
    /**
     * 0 to 59.
     */
    int32_t minute;
    /**
     * 0 to 60 (60 only for a leap second).
     */
    int32_t second;
} tb_datetime;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The library's version as a static string `"MAJOR.MINOR.PATCH"` (the same text as
 * `TB_VERSION_STRING` when the header matches the library). Never free it.
 *
 * Thread-safe.
 */
TB_API const char *tb_version(void);

/**
 * The library's version as one number, `MAJOR * 10000 + MINOR * 100 + PATCH`
 * (the same value as `TB_VERSION_NUMBER` when the header matches the library).
 * Compare it with `TB_VERSION_NUMBER` at startup to catch a header/library mismatch.
 *
 * Thread-safe.
 */
TB_API uint32_t tb_version_number(void);

/**
 * Frees a string returned by this library (through a `char **out` parameter or
 * by `tb_last_error_message` / `tb_last_error_vendor_message`). The bytes are
 * overwritten before the memory is released, since such strings may hold tokens.
 * `tb_string_free(NULL)` does nothing.
 *
 * Never free these strings with `free()` or a runtime's allocator, and never free
 * one twice.
 *
 * Thread-safe (for distinct strings).
 *
 * # Safety
 *
 * `s` is NULL or a pointer this library returned as a string and that was not
 * freed yet.
 */
TB_API void tb_string_free(char *s);

/**
 * The name of a status as a static string, e.g. `"TB_REJECTED"` for
 * `TB_REJECTED`, or `"TB_UNKNOWN_STATUS"` for a number that is no status. Never
 * free it.
 *
 * Thread-safe.
 */
TB_API const char *tb_status_name(tb_status status);

/**
 * The status of the last failed call on this thread, or `TB_OK` when the last
 * fallible call on this thread succeeded (or there was none).
 *
 * Thread-safe; reads the calling thread's own last error.
 */
TB_API tb_status tb_last_error_status(void);

/**
 * A newly allocated copy of the message of the last failed call on this thread,
 * or NULL when the last fallible call succeeded. Free it with `tb_string_free`.
 *
 * Messages are English sentences meant for logs and people, e.g.
 * ``invalid argument `password`: is NULL``. They never hold passwords, app
 * secrets or tokens. Reading the message does not clear it.
 *
 * Thread-safe; reads the calling thread's own last error.
 */
TB_API char *tb_last_error_message(void);

/**
 * The HTTP status of the answer behind the last failed call on this thread
 * (e.g. 500 for `TB_HTTP_STATUS`, 401 for `TB_UNAUTHORIZED`, often 200 for
 * `TB_REJECTED`), or 0 when there was no answer or no failure.
 *
 * Thread-safe; reads the calling thread's own last error.
 */
TB_API uint16_t tb_last_error_http_status(void);

/**
 * A newly allocated copy of the API's own message for the last failed call on
 * this thread (set for `TB_REJECTED`, e.g. the AnnA `message` of a
 * `success: false` answer), or NULL when there is none. Free it with
 * `tb_string_free`.
 *
 * Thread-safe; reads the calling thread's own last error.
 */
TB_API char *tb_last_error_vendor_message(void);

/**
 * A newly allocated copy of the name of the argument the last failed call on
 * this thread refused (for `TB_INVALID_ARGUMENT`), or NULL for any other outcome.
 * Free it with `tb_string_free`.
 *
 * The name is data for bindings, which spell arguments their own way: it is the
 * C parameter's name (`password`, `timeout_connect_ms`, `index`), one name per
 * concept whichever client it belongs to, or for a value inside a handle
 * argument the handle's field (`filter` for a bad filter). A binding maps it to
 * its own name and puts it beside `tb_last_error_reason()`, never rewriting the
 * English of `tb_last_error_message()`.
 *
 * ```c
 * if (tb_config_set_timeout_connect_ms(cfg, 0) == TB_INVALID_ARGUMENT) {
 *     char *arg = tb_last_error_parameter();     // "timeout_connect_ms"
 *     char *why = tb_last_error_reason();        // "must be more than 0"
 *     tb_string_free(why);
 *     tb_string_free(arg);
 * }
 * ```
 *
 * Thread-safe; reads the calling thread's own last error.
 */
TB_API char *tb_last_error_parameter(void);

/**
 * A newly allocated copy of why the argument named by `tb_last_error_parameter()`
 * was refused (the message without its "invalid argument `name`: " prefix, e.g.
 * `is NULL`), or NULL when the last failure was not `TB_INVALID_ARGUMENT`. Free it
 * with `tb_string_free`.
 *
 * Thread-safe; reads the calling thread's own last error.
 */
TB_API char *tb_last_error_reason(void);

/**
 * Sends the library's log records to `callback`, or turns logging off when
 * `callback` is NULL. Off is the default: without a callback, nothing is
 * formatted.
 *
 * `max_level` (a `tb_log_level`: `TB_LOG_ERROR` ... `TB_LOG_TRACE`, taken as a
 * plain `int32_t` so that any number is safe to pass) chooses what arrives:
 * tokenbridge's records of that level and more severe (INFO: logins, refreshes,
 * retries, ended sessions; DEBUG: one record per HTTP request), and warnings and
 * errors of the libraries underneath (ureq, rustls). `TB_LOG_TRACE` adds
 * everything those libraries log, including ureq's dump of every byte sent and
 * received (16 bytes a row, hex and ASCII). No record holds a password, app
 * secret, company hash or token, at any level: the wire dump shows them replaced.
 * Any other `max_level` is `TB_INVALID_ARGUMENT` (ignored when `callback` is
 * NULL).
 *
 * Each call replaces the callback, `max_level` and `user_data` of the previous
 * one, for all threads; a record already being delivered may still reach the old
 * callback, so keep its `user_data` valid until no call is in flight.
 *
 * The callback runs on the thread whose call made the record (a library underneath
 * may log from a helper thread of its own), so on several threads at once: it
 * must be thread-safe and return quickly (the call waits for it). It must not unwind (no C++ exception, no `longjmp`) out of the callback.
 * No lock is held while it runs, so it may call `tb_set_log_callback`; it should
 * not call other `tb_` functions (the records they make meanwhile are dropped,
 * and they change the thread's last error).
 *
 * The library can log through a callback only if it is the process's logger:
 * when Rust code in the same process already installed a `log` logger (one per
 * process), setting a callback fails with `TB_INVALID_ARGUMENT` naming
 * `callback`, and tokenbridge's records go to that logger. Each distinct
 * (callback, `max_level`, `user_data`) keeps a few bytes until the process ends.
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `callback` is NULL or a function with the `tb_log_callback` signature that is
 * safe to call with `user_data` from any thread, at any time until a later call
 * replaces it (and while records already in flight finish).
 */
TB_API
tb_status tb_set_log_callback(tb_log_callback callback,
                              int32_t max_level,
                              void *user_data);

/**
 * A new config with the defaults: connect timeout 10 s, send and receive 30 s,
 * proxy from the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`,
 * `NO_PROXY`), user agent `tokenbridge/<version>`, https only, responses up to
 * 1 MiB, Mozilla roots, 2 retries (200 ms base delay, 5 s cap), tokens refreshed
 * 60 s before expiry, uContact sessions ended on close.
 *
 * Returns NULL only if the library failed internally. Free with `tb_config_free`.
 *
 * Thread-safe.
 */
TB_API tb_config *tb_config_new(void);

/**
 * Frees a config. `tb_config_free(NULL)` does nothing. Clients created from the
 * config keep their own copy, so it may be freed right after creating them.
 *
 * # Safety
 *
 * `cfg` is NULL or a config from `tb_config_new`, not freed yet and not in use
 * by another thread.
 */
TB_API void tb_config_free(tb_config *cfg);

/**
 * Time allowed to open a connection, including the TLS handshake (default
 * 10000 ms). 0 is `TB_INVALID_ARGUMENT`.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_timeout_connect_ms(tb_config *cfg, uint64_t timeout_connect_ms);

/**
 * Time allowed to send the request headers, and again the body (default
 * 30000 ms). 0 is `TB_INVALID_ARGUMENT`.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_timeout_send_ms(tb_config *cfg, uint64_t timeout_send_ms);

/**
 * Time allowed to receive the response headers, and again the body (default
 * 30000 ms). 0 is `TB_INVALID_ARGUMENT`.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_timeout_receive_ms(tb_config *cfg, uint64_t timeout_receive_ms);

/**
 * Uses this HTTP proxy (CONNECT for HTTPS), e.g. `"http://proxy.corp:3128"`
 * (default: from the environment). The URL is checked when a client is created
 * (`TB_INVALID_ARGUMENT` naming `proxy` if it is not a proxy URL, or a SOCKS proxy,
 * which is not supported).
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call;
 * `url` is NULL or a NUL-terminated string.
 */
TB_API tb_status tb_config_set_proxy(tb_config *cfg, const char *url);

/**
 * Uses no proxy at all, whatever the environment says.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_no_proxy(tb_config *cfg);

/**
 * Shares tokens through a token store with the other processes (and hosts) that
 * use the same credentials: `"file:///var/lib/app/tokens"` (a directory of this
 * host), `"redis://user:pass@host:6379/0"` or `"rediss://…"` (TLS; a library built
 * with the `redis` feature, as the C library, the wheel, the jar and the NuGet
 * package are). Default: none, each process keeps its own token. A bad URL is
 * `TB_INVALID_ARGUMENT` naming `url`; the URL's credentials are secrets, never
 * repeated in an error or a log record.
 *
 * Sessions: with a store, a uContact session belongs to the fleet. A process that
 * frees its client (`tb_ucontact_client_free`, even with end-session-on-close on)
 * or exits does not end a session other processes use; an explicit
 * `tb_ucontact_end_session` ends it for every process and removes it from the
 * store (the next call of any process logs in again).
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call;
 * `url` is NULL or a NUL-terminated string.
 */
TB_API tb_status tb_config_set_token_store(tb_config *cfg, const char *url);

/**
 * The `User-Agent` header of every request (default `tokenbridge/<version>`).
 * Checked here: a control character (CR, LF, NUL...; a tab is allowed) or more
 * than 8192 bytes is `TB_INVALID_ARGUMENT` naming `user_agent`, and the config is
 * then unchanged.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call;
 * `user_agent` is NULL or a NUL-terminated string.
 */
TB_API tb_status tb_config_set_user_agent(tb_config *cfg, const char *user_agent);

/**
 * Allows plain `http://` base URLs (default `false`: only `https://`). For tests
 * and on-premise labs only: credentials then cross the network in clear text.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_allow_http(tb_config *cfg, bool allow);

/**
 * The largest response body accepted, in bytes (default 1048576). A larger
 * answer fails the call. 0 is `TB_INVALID_ARGUMENT`.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_max_response_bytes(tb_config *cfg, uint64_t max_response_bytes);

/**
 * Which root certificates to trust: `TB_TLS_ROOTS_MOZILLA` (bundled, the
 * default) or `TB_TLS_ROOTS_OS` (the system's store). Any other number is
 * `TB_INVALID_ARGUMENT`.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_tls_roots(tb_config *cfg, tb_tls_roots roots);

/**
 * A PEM file of extra CA certificates to trust besides the Mozilla roots (for
 * inspecting proxies and private CAs). The file is read when a client is created:
 * a missing or unparsable file, or combining it with `TB_TLS_ROOTS_OS`, makes
 * `tb_*_client_new` fail with `TB_INVALID_ARGUMENT` naming `extra_ca_file`.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call;
 * `path` is NULL or a NUL-terminated string.
 */
TB_API tb_status tb_config_set_extra_ca_file(tb_config *cfg, const char *path);

/**
 * Retries of transient failures (connection refused or reset, connect timeouts,
 * HTTP 408/429/502/503/504): up to `max_retries` more attempts (default 2), the
 * delay before retry n a random value between half and all of
 * `min(max_delay_ms, base_delay_ms * 2^n)` (defaults 200 ms and 5000 ms); a
 * `Retry-After` header is honoured up to `max_delay_ms`. `max_retries = 0` turns
 * retries off. `base_delay_ms > max_delay_ms` is `TB_INVALID_ARGUMENT`.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API
tb_status tb_config_set_retries(tb_config *cfg,
                                uint32_t max_retries,
                                uint64_t base_delay_ms,
                                uint64_t max_delay_ms);

/**
 * How long before expiry a token is refreshed (default 60000 ms; tokens that live
 * less than twice this are refreshed at half their life). 0 refreshes only at
 * expiry.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_refresh_ahead_ms(tb_config *cfg, uint64_t refresh_ahead_ms);

/**
 * How long a client keeps the addresses its host name resolved to (default
 * 60000 ms, as libcurl). 0 asks DNS before every request. A failed connection
 * forgets them at once.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_dns_cache_ttl_ms(tb_config *cfg, uint64_t dns_cache_ttl_ms);

/**
 * uContact only: whether `tb_ucontact_client_free` ends a live session with
 * `EndSession` first (default `true`).
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not used by another thread during the call.
 */
TB_API tb_status tb_config_set_end_session_on_close(tb_config *cfg, bool end_session_on_close);

/**
 * A new cancellation token, not cancelled. Returns NULL only if the library failed
 * internally. Free with `tb_cancel_token_free`.
 *
 * Thread-safe.
 */
TB_API tb_cancel_token *tb_cancel_token_new(void);

/**
 * Cancels every call given this token (through options), now and later.
 * `tb_cancel_token_cancel(NULL)` does nothing.
 *
 * Thread-safe: meant to be called from another thread than the call's.
 *
 * # Safety
 *
 * `token` is NULL or a live token from `tb_cancel_token_new`.
 */
TB_API void tb_cancel_token_cancel(const tb_cancel_token *token);

/**
 * Whether the token was cancelled (false for NULL). Thread-safe.
 *
 * # Safety
 *
 * `token` is NULL or a live token from `tb_cancel_token_new`.
 */
TB_API bool tb_cancel_token_is_cancelled(const tb_cancel_token *token);

/**
 * Frees a token. Options and client handles it was given to keep working (they hold
 * their own reference). `tb_cancel_token_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `token` is NULL or a token from `tb_cancel_token_new`, not freed yet, and no other
 * thread uses this pointer during or after the call.
 */
TB_API void tb_cancel_token_free(tb_cancel_token *token);

/**
 * New call options: no deadline, no cancellation token. Returns NULL only if the
 * library failed internally. Free with `tb_call_options_free`.
 *
 * Thread-safe.
 */
TB_API tb_call_options *tb_call_options_new(void);

/**
 * The longest a whole call may take, in milliseconds, counted from its start: a
 * login or refresh it needs, every retry and its backoff, and reading the answer (0
 * = no deadline, the default). A call past it returns `TB_TIMEOUT` naming the
 * deadline. At most 30 days.
 *
 * # Safety
 *
 * `opts` is NULL or live options not used by another thread during the call.
 */
TB_API tb_status tb_call_options_set_deadline_ms(tb_call_options *opts, uint64_t deadline_ms);

/**
 * The token that cancels calls made with these options (NULL = none). The options
 * keep their own reference: the token may be freed after.
 *
 * # Safety
 *
 * `opts` is NULL or live options not used by another thread during the call;
 * `token` is NULL or a live token.
 */
TB_API
tb_status tb_call_options_set_cancel_token(tb_call_options *opts,
                                           const tb_cancel_token *token);

/**
 * Frees call options. Client handles made with them keep their own copy.
 * `tb_call_options_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `opts` is NULL or options from `tb_call_options_new`, not freed yet, and unused
 * by other threads.
 */
TB_API void tb_call_options_free(tb_call_options *opts);

/**
 * Creates a uContact client. Nothing is sent until the first call.
 *
 * * `cfg`: settings, or NULL for the defaults; copied, so it may be freed after.
 * * `server`: a cloud domain (`"mycompany"` → `https://mycompany.ucontactcloud.com`)
 *   or a full base URL (on-premise, e.g. `"https://uc.example.com:8443"`).
 * * `user`, `password`: the API user's or agent's credentials (empty ones are
 *   refused at the first login).
 * * `kind`: `TB_UCONTACT_LOGIN_API_USER` or `TB_UCONTACT_LOGIN_AGENT`.
 * * `out`: receives the client on success; free it with `tb_ucontact_client_free`.
 *
 * Returns `TB_INVALID_ARGUMENT` for a NULL or non-UTF-8 string, an unknown `kind`,
 * a malformed `server`, an `http://` URL without `tb_config_set_allow_http`, or a
 * bad proxy or CA file in `cfg`. Thread-safe.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not changed during the call; the strings are NULL
 * or NUL-terminated; `out` is NULL or valid for writes.
 */
TB_API
tb_status tb_ucontact_client_new(const tb_config *cfg,
                                 const char *server,
                                 const char *user,
                                 const char *password,
                                 tb_ucontact_login_kind kind,
                                 tb_ucontact_client **out);

/**
 * Frees a client. When end-session-on-close is on (the default) and the client
 * holds a session, the session is ended first with `EndSession` (a failure there
 * cannot be reported; call `tb_ucontact_end_session` first to see it).
 * `tb_ucontact_client_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `c` is NULL or a client from `tb_ucontact_client_new`, not freed yet, and no
 * other thread uses it during or after the call.
 */
TB_API void tb_ucontact_client_free(tb_ucontact_client *c);

/**
 * U1: logs the API user in with `getUserToken` and gives the new session token
 * (also cached for later calls). Each call starts a new session.
 *
 * `out_token` receives the token; free it with `tb_string_free`. A wrong user or
 * password is `TB_REJECTED`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `out_token` is NULL or valid for writes.
 */
TB_API tb_status tb_ucontact_get_user_token(tb_ucontact_client *c, char **out_token);

/**
 * U2: logs the agent in with `AgentLogin` (also on the SIP side) and gives the
 * agent's profile: every field the server sent except `secret` and `md5secret`
 * (its `token` is also cached for later calls).
 *
 * `out` receives the profile; read it with its getters (`tb_agent_profile_name`,
 * `tb_agent_profile_callerid`, … one per published field; `tb_agent_profile_id`),
 * `tb_agent_profile_get` (any field by name), and free it with
 * `tb_agent_profile_free`. A wrong agent or password is
 * `TB_REJECTED`. Thread-safe.
 *
 * ```c
 * tb_agent_profile *profile;
 * if (tb_ucontact_agent_login(client, &profile) == TB_OK) {
 *     const char *name;
 *     if (tb_agent_profile_name(profile, &name, NULL) != TB_OK)
 *         name = "?";  // TB_ABSENT: the server sent no name
 *     printf("logged in as %s\n", name);
 *     tb_agent_profile_free(profile);
 * }
 * ```
 *
 * # Safety
 *
 * `c` is NULL or a live client; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_ucontact_agent_login(tb_ucontact_client *c, tb_agent_profile **out);

/**
 * U3: ends the cached session with `EndSession`. `TB_OK` without doing anything
 * when the client holds no session. If ending fails for a transient reason, the
 * session stays cached so ending can be tried again. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client.
 */
TB_API tb_status tb_ucontact_end_session(tb_ucontact_client *c);

/**
 * Uses a session token obtained elsewhere for the following calls (an empty
 * token is `TB_INVALID_ARGUMENT`). Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `token` is NULL or NUL-terminated.
 */
TB_API tb_status tb_ucontact_set_token(tb_ucontact_client *c, const char *token);

/**
 * A new handle to the same uContact client — the same connections, the same token —
 * whose calls run with `opts` (copied): an overall deadline and a cancellation
 * token. Use it for the calls those options are for, then free it with
 * `tb_ucontact_client_free` (freeing it does not end the client's session while
 * another handle of the client lives).
 *
 * ```c
 * tb_cancel_token *cancel = tb_cancel_token_new();
 * tb_call_options *opts = tb_call_options_new();
 * tb_call_options_set_deadline_ms(opts, 5000);
 * tb_call_options_set_cancel_token(opts, cancel);  // another thread may cancel it
 * tb_ucontact_client *limited = NULL;
 * if (tb_ucontact_client_with_options(client, opts, &limited) == TB_OK) {
 *     // ... calls on `limited` return TB_TIMEOUT past 5 s, TB_CANCELLED when cancelled
 *     tb_ucontact_client_free(limited);
 * }
 * tb_call_options_free(opts);
 * tb_cancel_token_free(cancel);
 * ```
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `opts` is NULL or live options; `out` is NULL or
 * valid for writes.
 */
TB_API
tb_status tb_ucontact_client_with_options(const tb_ucontact_client *c,
                                          const tb_call_options *opts,
                                          tb_ucontact_client **out);

/**
 * A valid uContact token: the cached session token, or a new login (with the client's
 * login kind). `out_token` receives it; free it with `tb_string_free`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `out_token` is NULL or valid for writes.
 */
TB_API tb_status tb_ucontact_token(tb_ucontact_client *c, char **out_token);

/**
 * Sends a request built with `tb_request_new` and its setters to the uContact
 * server with `Authorization: Basic {token}`, getting a token when needed and once
 * more after a 401, and gives the answer as a response handle.
 *
 * * `request`: not consumed nor changed; it may be sent again, to any client. Its
 *   headers are checked first (see `tb_request_add_header`): a refusal is
 *   `TB_INVALID_ARGUMENT` naming the header, and nothing is sent (no login either).
 * * `out`: receives the response on success, whatever its HTTP status but a 401
 *   after the new login (`TB_UNAUTHORIZED`); free it with `tb_response_free`.
 *
 * Retries: transient failures are retried for GET, HEAD, OPTIONS, PUT and DELETE,
 * and for a POST or PATCH with an idempotency key; a POST or PATCH without one only
 * when it certainly never reached the server.
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `request` is NULL or a live request not changed
 * during the call; `out` is NULL or valid for writes.
 */
TB_API
tb_status tb_ucontact_send(tb_ucontact_client *c,
                           const tb_request *request,
                           tb_response **out);

/**
 * Creates a Yativo client. Nothing is sent until the first call.
 *
 * * `cfg`: settings, or NULL for the defaults; copied, so it may be freed after.
 * * `base_url`: `TB_YATIVO_PRODUCTION_URL`, `TB_YATIVO_SANDBOX_URL` or another
 *   base URL (`http://` only with `tb_config_set_allow_http`).
 * * `account_id`, `app_secret`: the account's credentials (empty ones are refused
 *   at the first login).
 * * `out`: receives the client on success; free it with `tb_yativo_client_free`.
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not changed during the call; the strings are NULL
 * or NUL-terminated; `out` is NULL or valid for writes.
 */
TB_API
tb_status tb_yativo_client_new(const tb_config *cfg,
                               const char *base_url,
                               const char *account_id,
                               const char *app_secret,
                               tb_yativo_client **out);

/**
 * Frees a client. `tb_yativo_client_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `c` is NULL or a client from `tb_yativo_client_new`, not freed yet, and no other
 * thread uses it during or after the call.
 */
TB_API void tb_yativo_client_free(tb_yativo_client *c);

/**
 * Y1: logs in with the app secret (`auth/login`) and gives the new bearer token
 * (also cached). Each call issues a new token.
 *
 * `out_access_token` receives the token (free it with `tb_string_free`);
 * `out_expires_at` (optional, may be NULL) receives its expiry in Unix seconds. A
 * wrong account or secret is `TB_REJECTED`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_yativo_login(tb_yativo_client *c,
                          char **out_access_token,
                          int64_t *out_expires_at);

/**
 * Y2: exchanges the current token for a new one (`auth/refresh-token`), logging
 * in first when there is no valid token, and caches it.
 *
 * Outputs as for `tb_yativo_login`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_yativo_refresh_token(tb_yativo_client *c,
                                  char **out_access_token,
                                  int64_t *out_expires_at);

/**
 * Uses a bearer token obtained elsewhere for the following calls.
 * `expires_at` is its expiry in Unix seconds, or 0: then the JWT's `exp` claim,
 * else 10 minutes from now. An empty token or a negative `expires_at` is
 * `TB_INVALID_ARGUMENT`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `token` is NULL or NUL-terminated.
 */
TB_API tb_status tb_yativo_set_token(tb_yativo_client *c, const char *token, int64_t expires_at);

/**
 * A new handle to the same Yativo client — the same connections, the same token —
 * whose calls run with `opts` (copied): an overall deadline and a cancellation
 * token. Use it for the calls those options are for, then free it with
 * `tb_yativo_client_free` (freeing it does not end the client's session while
 * another handle of the client lives).
 *
 * ```c
 * tb_cancel_token *cancel = tb_cancel_token_new();
 * tb_call_options *opts = tb_call_options_new();
 * tb_call_options_set_deadline_ms(opts, 5000);
 * tb_call_options_set_cancel_token(opts, cancel);  // another thread may cancel it
 * tb_yativo_client *limited = NULL;
 * if (tb_yativo_client_with_options(client, opts, &limited) == TB_OK) {
 *     // ... calls on `limited` return TB_TIMEOUT past 5 s, TB_CANCELLED when cancelled
 *     tb_yativo_client_free(limited);
 * }
 * tb_call_options_free(opts);
 * tb_cancel_token_free(cancel);
 * ```
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `opts` is NULL or live options; `out` is NULL or
 * valid for writes.
 */
TB_API
tb_status tb_yativo_client_with_options(const tb_yativo_client *c,
                                        const tb_call_options *opts,
                                        tb_yativo_client **out);

/**
 * A valid Yativo token: the cached bearer token, refreshed ahead of expiry, or a new
 * login. `out_token` receives it; free it with `tb_string_free`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `out_token` is NULL or valid for writes.
 */
TB_API tb_status tb_yativo_token(tb_yativo_client *c, char **out_token);

/**
 * Sends a request built with `tb_request_new` and its setters to the Yativo
 * server with `Authorization: Bearer {token}`, getting a token when needed and once
 * more after a 401, and gives the answer as a response handle. A POST
 * without `tb_request_set_idempotency_key` carries a fresh UUID v4
 * `Idempotency-Key` per send (the same on its retries), so it is retried like a GET.
 *
 * * `request`: not consumed nor changed; it may be sent again, to any client. Its
 *   headers are checked first (see `tb_request_add_header`): a refusal is
 *   `TB_INVALID_ARGUMENT` naming the header, and nothing is sent (no login either).
 * * `out`: receives the response on success, whatever its HTTP status but a 401
 *   after the new login (`TB_UNAUTHORIZED`); free it with `tb_response_free`.
 *
 * Retries: transient failures are retried for GET, HEAD, OPTIONS, PUT and DELETE,
 * and for a POST or PATCH with an idempotency key; a POST or PATCH without one only
 * when it certainly never reached the server.
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `request` is NULL or a live request not changed
 * during the call; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_yativo_send(tb_yativo_client *c, const tb_request *request, tb_response **out);

/**
 * Creates an AnnA client. Nothing is sent until the first call.
 *
 * * `cfg`: settings, or NULL for the defaults; copied, so it may be freed after.
 * * `base_url`: the customer's AnnA base URL (a trailing `/` is optional;
 *   `http://` only with `tb_config_set_allow_http`).
 * * `company_hash`, `user`, `password`: the integration's credentials (AnnA's
 *   `hash`, `user`, `pass`; empty ones are refused at the first `GetToken`).
 * * `out`: receives the client on success; free it with `tb_anna_client_free`.
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `cfg` is NULL or a live config not changed during the call; the strings are NULL
 * or NUL-terminated; `out` is NULL or valid for writes.
 */
TB_API
tb_status tb_anna_client_new(const tb_config *cfg,
                             const char *base_url,
                             const char *company_hash,
                             const char *user,
                             const char *password,
                             tb_anna_client **out);

/**
 * Frees a client. `tb_anna_client_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `c` is NULL or a client from `tb_anna_client_new`, not freed yet, and no other
 * thread uses it during or after the call.
 */
TB_API void tb_anna_client_free(tb_anna_client *c);

/**
 * A1: gets a new token with `GetToken` (also cached).
 *
 * `out_token` receives it (free with `tb_string_free`); `out_expires_at`
 * (optional, may be NULL) its expiry in Unix seconds, 0 when unknown. Wrong
 * credentials are `TB_REJECTED`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; the out-pointers are NULL or valid for writes.
 */
TB_API tb_status tb_anna_get_token(tb_anna_client *c, char **out_token, int64_t *out_expires_at);

/**
 * A2: generates the user's access hash (`UserHash`). `start_service` (optional,
 * may be NULL) is the service the chat starts with.
 *
 * `out` receives the access data: read it with `tb_access_data_chat_url`,
 * `tb_access_data_hash`, `tb_access_data_expires` and the others; free it with
 * `tb_access_data_free`. An unknown or inactive user is `TB_REJECTED`.
 * Thread-safe.
 *
 * ```c
 * tb_access_data *access;
 * if (tb_anna_user_hash(client, "42", NULL, &access) == TB_OK) {
 *     const char *url;
 *     tb_access_data_chat_url(access, &url, NULL);
 *     printf("chat: %s\n", url);
 *     tb_access_data_free(access);
 * }
 * ```
 *
 * # Safety
 *
 * `c` is NULL or a live client; the strings are NULL or NUL-terminated; `out` is
 * NULL or valid for writes.
 */
TB_API
tb_status tb_anna_user_hash(tb_anna_client *c,
                            const char *user_id,
                            const char *start_service,
                            tb_access_data **out);

/**
 * A3: creates or updates (and re-activates) the user, then generates its access
 * hash (`UserHashForced`). `start_service` is optional (may be NULL).
 *
 * `out` receives the access data, as for `tb_anna_user_hash`; free it with
 * `tb_access_data_free`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; the strings are NULL or NUL-terminated; `out` is
 * NULL or valid for writes.
 */
TB_API
tb_status tb_anna_user_hash_forced(tb_anna_client *c,
                                   const char *user_id,
                                   const char *user_name,
                                   const char *start_service,
                                   tb_access_data **out);

/**
 * A4: inactivates the user (`Inactivate`). `out_message` (optional, may be NULL)
 * receives the server's message; free it with `tb_string_free`. An unknown user
 * is `TB_REJECTED`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `user_id` is NULL or NUL-terminated;
 * `out_message` is NULL or valid for writes.
 */
TB_API
tb_status tb_anna_inactivate_user(tb_anna_client *c,
                                  const char *user_id,
                                  char **out_message);

/**
 * A5: the messenger's structure: company, departments and their channels.
 *
 * `out` receives it: read it with `tb_messenger_structure_department_count`,
 * `tb_messenger_structure_department`, `tb_messenger_structure_channel` and the
 * others; free it with `tb_messenger_structure_free`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_anna_messenger_structure(tb_anna_client *c, tb_messenger_structure **out);

/**
 * A6: how many open requests await the user's answer.
 *
 * The user is `user_id` (then `doc_type` and `doc_value` are NULL) or a document,
 * `doc_type` + `doc_value` (then `user_id` is NULL); any other combination is
 * `TB_INVALID_ARGUMENT` naming the parameter. `filter` is optional (NULL = no
 * filter; see `tb_messenger_filter_new`). `out_count` receives the count.
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; the strings are NULL or NUL-terminated; `filter`
 * is NULL or a live filter not changed during the call; `out_count` is NULL or
 * valid for writes.
 */
TB_API
tb_status tb_anna_messenger_alert_counter(tb_anna_client *c,
                                          const char *user_id,
                                          const char *doc_type,
                                          const char *doc_value,
                                          const tb_messenger_filter *filter,
                                          uint64_t *out_count);

/**
 * A7: the user's messenger requests. User selection and `filter` as for
 * `tb_anna_messenger_alert_counter`.
 *
 * `out` receives the list: read it with `tb_messenger_requests_count` and the
 * `tb_messenger_requests_*` accessors; free it with `tb_messenger_requests_free`.
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; the strings are NULL or NUL-terminated; `filter`
 * is NULL or a live filter not changed during the call; `out` is NULL or valid for
 * writes.
 */
TB_API
tb_status tb_anna_messenger_requests(tb_anna_client *c,
                                     const char *user_id,
                                     const char *doc_type,
                                     const char *doc_value,
                                     const tb_messenger_filter *filter,
                                     tb_messenger_requests **out);

/**
 * A8: the link that opens the user's messenger. User selection as for
 * `tb_anna_messenger_alert_counter`. `out_link` receives the URL; free it with
 * `tb_string_free`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; the strings are NULL or NUL-terminated;
 * `out_link` is NULL or valid for writes.
 */
TB_API
tb_status tb_anna_messenger_link(tb_anna_client *c,
                                 const char *user_id,
                                 const char *doc_type,
                                 const char *doc_value,
                                 char **out_link);

/**
 * Uses a bearer token obtained elsewhere for the following calls. `expires_at`
 * is its expiry in Unix seconds, or 0: then the JWT's `exp` claim, else unknown
 * (used until the server answers 401). An empty token or a negative `expires_at`
 * is `TB_INVALID_ARGUMENT`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `token` is NULL or NUL-terminated.
 */
TB_API tb_status tb_anna_set_token(tb_anna_client *c, const char *token, int64_t expires_at);

/**
 * A new handle to the same AnnA client — the same connections, the same token —
 * whose calls run with `opts` (copied): an overall deadline and a cancellation
 * token. Use it for the calls those options are for, then free it with
 * `tb_anna_client_free` (freeing it does not end the client's session while
 * another handle of the client lives).
 *
 * ```c
 * tb_cancel_token *cancel = tb_cancel_token_new();
 * tb_call_options *opts = tb_call_options_new();
 * tb_call_options_set_deadline_ms(opts, 5000);
 * tb_call_options_set_cancel_token(opts, cancel);  // another thread may cancel it
 * tb_anna_client *limited = NULL;
 * if (tb_anna_client_with_options(client, opts, &limited) == TB_OK) {
 *     // ... calls on `limited` return TB_TIMEOUT past 5 s, TB_CANCELLED when cancelled
 *     tb_anna_client_free(limited);
 * }
 * tb_call_options_free(opts);
 * tb_cancel_token_free(cancel);
 * ```
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `opts` is NULL or live options; `out` is NULL or
 * valid for writes.
 */
TB_API
tb_status tb_anna_client_with_options(const tb_anna_client *c,
                                      const tb_call_options *opts,
                                      tb_anna_client **out);

/**
 * A valid AnnA token: the cached bearer token, or a new `GetToken` ahead of expiry.
 * `out_token` receives it; free it with `tb_string_free`. Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `out_token` is NULL or valid for writes.
 */
TB_API tb_status tb_anna_token(tb_anna_client *c, char **out_token);

/**
 * Sends a request built with `tb_request_new` and its setters to the AnnA
 * server with `Authorization: Bearer {token}`, getting a token when needed and once
 * more after a 401, and gives the answer as a response handle.
 *
 * * `request`: not consumed nor changed; it may be sent again, to any client. Its
 *   headers are checked first (see `tb_request_add_header`): a refusal is
 *   `TB_INVALID_ARGUMENT` naming the header, and nothing is sent (no login either).
 * * `out`: receives the response on success, whatever its HTTP status but a 401
 *   after the new login (`TB_UNAUTHORIZED`); free it with `tb_response_free`.
 *
 * Retries: transient failures are retried for GET, HEAD, OPTIONS, PUT and DELETE,
 * and for a POST or PATCH with an idempotency key; a POST or PATCH without one only
 * when it certainly never reached the server.
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `c` is NULL or a live client; `request` is NULL or a live request not changed
 * during the call; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_anna_send(tb_anna_client *c, const tb_request *request, tb_response **out);

/**
 * Checks a Yativo webhook request and reads its event: the HMAC-SHA256 of the raw
 * `body` (`body_len` bytes exactly as received: a body parsed and written again no
 * longer matches) against the signature header, for each of the `secret_count`
 * secrets (one, or two during a rotation), compared in constant time.
 *
 * * `header_name`: the signature header's name as received —
 *   `X-Yativo-Signature`, `X-Webhook-Signature` or `Signature`, in any case.
 * * `header_value`: its value, 64 hex digits with or without `sha256=`.
 * * `out`: receives the event on success; free it with `tb_yativo_event_free`.
 *
 * A request that fails the check is `TB_INVALID_ARGUMENT` naming the part that is
 * wrong — `header_name` (not a signature header), `header_value` (empty, not hex,
 * the wrong length, or no secret matched: the body was changed or signed with
 * another secret), `body` (signed, but not a Yativo event) — and answer it with
 * 401 or 400. The message never holds a secret or the MAC the body should have
 * had. The signature does not cover Yativo's `Timestamp` header: deduplicate
 * events by `tb_yativo_event_id` (delivery is at least once).
 *
 * ```c
 * const char *secrets[] = {"whsec_current", "whsec_previous"};
 * tb_yativo_event *event = NULL;
 * if (tb_yativo_webhook_verify(body, body_len, "X-Yativo-Signature", signature,
 *                              secrets, 2, &event) == TB_OK) {
 *     const char *type, *id;
 *     tb_yativo_event_type(event, &type, NULL);
 *     tb_yativo_event_id(event, &id, NULL);
 *     printf("%s %s\n", type, id);  // then 200 OK
 *     tb_yativo_event_free(event);
 * } else {
 *     char *why = tb_last_error_message();  // then 401 Unauthorized
 *     fprintf(stderr, "refused a webhook: %s\n", why);
 *     tb_string_free(why);
 * }
 * ```
 *
 * Thread-safe.
 *
 * # Safety
 *
 * `body` is NULL (only with `body_len` 0) or points to `body_len` readable bytes;
 * the strings are NULL or NUL-terminated; `secrets` is NULL (only with
 * `secret_count` 0) or points to `secret_count` string pointers; `out` is NULL or
 * valid for writes.
 */
TB_API
tb_status tb_yativo_webhook_verify(const uint8_t *body,
                                   size_t body_len,
                                   const char *header_name,
                                   const char *header_value,
                                   const char *const *secrets,
                                   size_t secret_count,
                                   tb_yativo_event **out);

/**
 * `name`: the agent's (SIP peer's) name; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_name(const tb_agent_profile *profile,
                                const char **out,
                                size_t *out_len);

/**
 * `host`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_host(const tb_agent_profile *profile,
                                const char **out,
                                size_t *out_len);

/**
 * `nat`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_nat(const tb_agent_profile *profile,
                               const char **out,
                               size_t *out_len);

/**
 * `type`: the SIP peer type (`friend`, `peer`…); lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_type(const tb_agent_profile *profile,
                                const char **out,
                                size_t *out_len);

/**
 * `accountcode`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_accountcode(const tb_agent_profile *profile,
                                       const char **out,
                                       size_t *out_len);

/**
 * `callgroup`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_callgroup(const tb_agent_profile *profile,
                                     const char **out,
                                     size_t *out_len);

/**
 * `callerid`: the caller id shown on outgoing calls; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * ```c
 * const char *callerid;
 * if (tb_agent_profile_callerid(profile, &callerid, NULL) == TB_OK)
 *     printf("caller id: %s\n", callerid);
 * ```
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_callerid(const tb_agent_profile *profile,
                                    const char **out,
                                    size_t *out_len);

/**
 * `canreinvite`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_canreinvite(const tb_agent_profile *profile,
                                       const char **out,
                                       size_t *out_len);

/**
 * `context`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_context(const tb_agent_profile *profile,
                                   const char **out,
                                   size_t *out_len);

/**
 * `dtmfmode`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_dtmfmode(const tb_agent_profile *profile,
                                    const char **out,
                                    size_t *out_len);

/**
 * `insecure`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_insecure(const tb_agent_profile *profile,
                                    const char **out,
                                    size_t *out_len);

/**
 * `language`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_language(const tb_agent_profile *profile,
                                    const char **out,
                                    size_t *out_len);

/**
 * `mailbox`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_mailbox(const tb_agent_profile *profile,
                                   const char **out,
                                   size_t *out_len);

/**
 * `pickupgroup`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_pickupgroup(const tb_agent_profile *profile,
                                       const char **out,
                                       size_t *out_len);

/**
 * `qualify`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_qualify(const tb_agent_profile *profile,
                                   const char **out,
                                   size_t *out_len);

/**
 * `disallow`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_disallow(const tb_agent_profile *profile,
                                    const char **out,
                                    size_t *out_len);

/**
 * `allow`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_allow(const tb_agent_profile *profile,
                                 const char **out,
                                 size_t *out_len);

/**
 * `port`: the SIP port, as text; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_port(const tb_agent_profile *profile,
                                const char **out,
                                size_t *out_len);

/**
 * `defaultuser`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_defaultuser(const tb_agent_profile *profile,
                                       const char **out,
                                       size_t *out_len);

/**
 * `subscribecontext`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_subscribecontext(const tb_agent_profile *profile,
                                            const char **out,
                                            size_t *out_len);

/**
 * `record`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_record(const tb_agent_profile *profile,
                                  const char **out,
                                  size_t *out_len);

/**
 * `email`: the agent's e-mail address; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_email(const tb_agent_profile *profile,
                                 const char **out,
                                 size_t *out_len);

/**
 * `phonetype`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_phonetype(const tb_agent_profile *profile,
                                     const char **out,
                                     size_t *out_len);

/**
 * `transport`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_transport(const tb_agent_profile *profile,
                                     const char **out,
                                     size_t *out_len);

/**
 * `encryption`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_encryption(const tb_agent_profile *profile,
                                      const char **out,
                                      size_t *out_len);

/**
 * `did`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_did(const tb_agent_profile *profile,
                               const char **out,
                               size_t *out_len);

/**
 * `outboundproxy`; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_outboundproxy(const tb_agent_profile *profile,
                                         const char **out,
                                         size_t *out_len);

/**
 * `fullname`: the agent's full name; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_fullname(const tb_agent_profile *profile,
                                    const char **out,
                                    size_t *out_len);

/**
 * `LogLevel`: the agent's log level; lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_loglevel(const tb_agent_profile *profile,
                                    const char **out,
                                    size_t *out_len);

/**
 * `token`: the session token (also cached by the client); lent (see "Strings"), `TB_ABSENT` when the
 * server did not send it.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_token(const tb_agent_profile *profile,
                                 const char **out,
                                 size_t *out_len);

/**
 * Any field of the profile by its wire name (exact case), including those the
 * vendor does not publish: `*out` is lent, `TB_ABSENT` when the profile has no such
 * field (and always for `secret` and `md5secret`). Numbers, booleans, objects and arrays
 * come as their JSON text.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; `name` is NULL or NUL-terminated; the
 * out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_get(const tb_agent_profile *profile,
                               const char *name,
                               const char **out,
                               size_t *out_len);

/**
 * How many fields the profile has (for `tb_agent_profile_field_at`); 0 for NULL.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile.
 */
TB_API size_t tb_agent_profile_field_count(const tb_agent_profile *profile);

/**
 * The field at `index` (0 = the first; fields sorted by name, byte order): name
 * and value lent (see "Strings"); `*out_name_len` and `*out_value_len` are
 * optional. An index past the last is `TB_INVALID_ARGUMENT` naming `index`.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for
 * writes.
 */
TB_API
tb_status tb_agent_profile_field_at(const tb_agent_profile *profile,
                                    size_t index,
                                    const char **out_name,
                                    size_t *out_name_len,
                                    const char **out_value,
                                    size_t *out_value_len);

/**
 * The profile's `id` as a number: `TB_OK` and `*out` set, or `TB_ABSENT` (and 0)
 * when the server sent none. `tb_agent_profile_get(profile, "id", …)` gives it as
 * text.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_agent_profile_id(const tb_agent_profile *profile, int64_t *out);

/**
 * The profile's `limite` as a number: `TB_OK` and `*out` set, or `TB_ABSENT` (and
 * 0) when the server sent none.
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_agent_profile_limite(const tb_agent_profile *profile, int64_t *out);

/**
 * The escape hatch: the profile as the server sent it, as JSON text, without
 * `secret` and `md5secret`; lent (see "Strings").
 *
 * # Safety
 *
 * `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_agent_profile_raw_json(const tb_agent_profile *profile,
                                    const char **out_json,
                                    size_t *out_len);

/**
 * Frees a profile (its text is wiped first); the strings it lent become invalid.
 * `tb_agent_profile_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `profile` is NULL or a profile from `tb_ucontact_agent_login`, not freed yet,
 * and no other thread uses it during or after the call.
 */
TB_API void tb_agent_profile_free(tb_agent_profile *profile);

/**
 * `Hash`: the user's access hash (a credential: do not log it); lent (see
 * "Strings").
 *
 * # Safety
 *
 * `data` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API tb_status tb_access_data_hash(const tb_access_data *data, const char **out, size_t *out_len);

/**
 * `ChatURL`: the URL that opens the user's chat (it carries the hash); lent (see
 * "Strings").
 *
 * # Safety
 *
 * `data` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_access_data_chat_url(const tb_access_data *data,
                                  const char **out,
                                  size_t *out_len);

/**
 * `EmbeddedURL`: the URL for an embedded chat; lent (see "Strings").
 *
 * # Safety
 *
 * `data` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_access_data_embedded_url(const tb_access_data *data,
                                      const char **out,
                                      size_t *out_len);

/**
 * `Expires` as numbers, in the server's local time (AnnA sends no zone): `TB_OK`
 * and `*out` set when the server wrote a `YYYYMMDDhhmmss` date; `TB_ABSENT` (and
 * `*out` zeroed) when it wrote something else or nothing (read it with
 * `tb_access_data_expires_raw`). A leap second is second 60, as sent.
 *
 * ```c
 * tb_datetime when;
 * if (tb_access_data_expires(data, &when) == TB_OK)
 *     printf("valid until %04d-%02d-%02d %02d:%02d\n", when.year, when.month,
 *            when.day, when.hour, when.minute);
 * ```
 *
 * # Safety
 *
 * `data` is NULL or live; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_access_data_expires(const tb_access_data *data, tb_datetime *out);

/**
 * `Expires` as the server wrote it (normally `YYYYMMDDhhmmss`); lent (see
 * "Strings").
 *
 * # Safety
 *
 * `data` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_access_data_expires_raw(const tb_access_data *data,
                                     const char **out,
                                     size_t *out_len);

/**
 * The escape hatch: the `accessData` object as the server sent it, as JSON text
 * (it holds the hash); lent (see "Strings").
 *
 * # Safety
 *
 * `data` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_access_data_raw_json(const tb_access_data *data,
                                  const char **out_json,
                                  size_t *out_len);

/**
 * Frees access data (its text is wiped first); the strings it lent become invalid.
 * `tb_access_data_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `data` is NULL or access data from this library, not freed yet, and no other
 * thread uses it during or after the call.
 */
TB_API void tb_access_data_free(tb_access_data *data);

/**
 * `CompaniesHash`: the company hash (a credential: do not log it); lent (see
 * "Strings").
 *
 * # Safety
 *
 * `structure` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_structure_companies_hash(const tb_messenger_structure *structure,
                                                const char **out,
                                                size_t *out_len);

/**
 * `CompaniesName`; lent (see "Strings").
 *
 * # Safety
 *
 * `structure` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_structure_companies_name(const tb_messenger_structure *structure,
                                                const char **out,
                                                size_t *out_len);

/**
 * How many departments there are; 0 for NULL.
 *
 * # Safety
 *
 * `structure` is NULL or live.
 */
TB_API size_t tb_messenger_structure_department_count(const tb_messenger_structure *structure);

/**
 * Department `department` (0 = the first): its alias (used in filters) and name,
 * lent (see "Strings"); the lengths are optional. An index past the last is
 * `TB_INVALID_ARGUMENT` naming `department`.
 *
 * # Safety
 *
 * `structure` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_structure_department(const tb_messenger_structure *structure,
                                            size_t department,
                                            const char **out_alias,
                                            size_t *out_alias_len,
                                            const char **out_name,
                                            size_t *out_name_len);

/**
 * How many channels department `department` has; 0 for NULL or an index past the
 * last department.
 *
 * # Safety
 *
 * `structure` is NULL or live.
 */
TB_API
size_t tb_messenger_structure_channel_count(const tb_messenger_structure *structure,
                                            size_t department);

/**
 * Channel `channel` of department `department`: its alias (used in filters) and
 * name, lent (see "Strings"); the lengths are optional. An index past the last is
 * `TB_INVALID_ARGUMENT` naming `department` or `channel`.
 *
 * # Safety
 *
 * `structure` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_structure_channel(const tb_messenger_structure *structure,
                                         size_t department,
                                         size_t channel,
                                         const char **out_alias,
                                         size_t *out_alias_len,
                                         const char **out_name,
                                         size_t *out_name_len);

/**
 * The escape hatch: the `structure` object as the server sent it, as JSON text
 * (it holds the company hash); lent (see "Strings").
 *
 * # Safety
 *
 * `structure` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_structure_raw_json(const tb_messenger_structure *structure,
                                          const char **out_json,
                                          size_t *out_len);

/**
 * Frees a structure (its text is wiped first); the strings it lent become invalid.
 * `tb_messenger_structure_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `structure` is NULL or a structure from this library, not freed yet, and no
 * other thread uses it during or after the call.
 */
TB_API void tb_messenger_structure_free(tb_messenger_structure *structure);

/**
 * How many requests there are; 0 for NULL.
 *
 * # Safety
 *
 * `list` is NULL or live.
 */
TB_API size_t tb_messenger_requests_count(const tb_messenger_requests *list);

/**
 * Request `index`'s department; lent (see "Strings"), `TB_ABSENT` when not sent. An index
 * past the last is `TB_INVALID_ARGUMENT` naming `index` (the same for every
 * `tb_messenger_requests_*` accessor).
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_department(const tb_messenger_requests *list,
                                           size_t index,
                                           const char **out,
                                           size_t *out_len);

/**
 * Request `index`'s channel; lent, `TB_ABSENT` when not sent.
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_channel(const tb_messenger_requests *list,
                                        size_t index,
                                        const char **out,
                                        size_t *out_len);

/**
 * Request `index`'s description; lent, `TB_ABSENT` when not sent.
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_description(const tb_messenger_requests *list,
                                            size_t index,
                                            const char **out,
                                            size_t *out_len);

/**
 * Request `index`'s opening date as the server wrote it; lent, `TB_ABSENT` when not sent.
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_opened_at(const tb_messenger_requests *list,
                                          size_t index,
                                          const char **out,
                                          size_t *out_len);

/**
 * Request `index`'s protocol number; lent, `TB_ABSENT` when not sent.
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_protocol(const tb_messenger_requests *list,
                                         size_t index,
                                         const char **out,
                                         size_t *out_len);

/**
 * Request `index`'s status as the server wrote it; lent, `TB_ABSENT` when not
 * sent. `tb_messenger_requests_status` gives it as an enum.
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_status_raw(const tb_messenger_requests *list,
                                           size_t index,
                                           const char **out,
                                           size_t *out_len);

/**
 * Request `index`'s link; lent, `TB_ABSENT` when not sent.
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_link(const tb_messenger_requests *list,
                                     size_t index,
                                     const char **out,
                                     size_t *out_len);

/**
 * Request `index`'s status as an enum: `TB_MESSENGER_STATUS_OPEN` (`A`, `open`,
 * `aberto`), `TB_MESSENGER_STATUS_CLOSED` (`E`, `closed`, `encerrado`), or
 * `TB_MESSENGER_STATUS_NONE` for another word (read it with
 * `tb_messenger_requests_status_raw`); `TB_ABSENT` (and `TB_MESSENGER_STATUS_NONE`)
 * when the server sent no status.
 *
 * # Safety
 *
 * `list` is NULL or live; `out` is NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_status(const tb_messenger_requests *list,
                                       size_t index,
                                       tb_messenger_status *out);

/**
 * Whether request `index` awaits the user's answer: `TB_MESSENGER_PENDING_YES` or
 * `TB_MESSENGER_PENDING_NO`; `TB_ABSENT` (and `TB_MESSENGER_PENDING_NONE`) when the
 * server did not say.
 *
 * # Safety
 *
 * `list` is NULL or live; `out` is NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_pending(const tb_messenger_requests *list,
                                        size_t index,
                                        tb_messenger_pending *out);

/**
 * Any field of request `index` by its wire name (exact case): lent, `TB_ABSENT` when the
 * item has no such field. Numbers, booleans, objects and arrays come as their JSON
 * text.
 *
 * # Safety
 *
 * `list` is NULL or live; `name` is NULL or NUL-terminated; the out-pointers are
 * NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_get(const tb_messenger_requests *list,
                                    size_t index,
                                    const char *name,
                                    const char **out,
                                    size_t *out_len);

/**
 * How many fields request `index` has; 0 for NULL or an index past the last.
 *
 * # Safety
 *
 * `list` is NULL or live.
 */
TB_API size_t tb_messenger_requests_field_count(const tb_messenger_requests *list, size_t index);

/**
 * Field `field` of request `index` (fields sorted by name, byte order): name and
 * value lent; the lengths are optional. An index past the last is
 * `TB_INVALID_ARGUMENT` naming `index` (the request's) or `field`.
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_field_at(const tb_messenger_requests *list,
                                         size_t index,
                                         size_t field,
                                         const char **out_name,
                                         size_t *out_name_len,
                                         const char **out_value,
                                         size_t *out_value_len);

/**
 * The escape hatch: the `userRequests` array as the server sent it, as JSON text;
 * lent (see "Strings").
 *
 * # Safety
 *
 * `list` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_messenger_requests_raw_json(const tb_messenger_requests *list,
                                         const char **out_json,
                                         size_t *out_len);

/**
 * Frees a list of requests (its text is wiped first); the strings it lent become
 * invalid. `tb_messenger_requests_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `list` is NULL or a list from this library, not freed yet, and no other thread
 * uses it during or after the call.
 */
TB_API void tb_messenger_requests_free(tb_messenger_requests *list);

/**
 * The response's HTTP status (0 for NULL).
 *
 * # Safety
 *
 * `response` is NULL or a live response.
 */
TB_API uint16_t tb_response_status(const tb_response *response);

/**
 * The response's body, borrowed: `*out_bytes` points to `*out_len` bytes (they may
 * hold NUL), followed by a NUL byte not counted in `*out_len`. Never NULL on
 * success: an empty body (a HEAD, a 204) gives a pointer to that NUL and length 0.
 * Valid until `tb_response_free`; never free it.
 *
 * # Safety
 *
 * `response` is NULL or a live response; the out-pointers are NULL or valid for
 * writes.
 */
TB_API
tb_status tb_response_body(const tb_response *response,
                           const uint8_t **out_bytes,
                           size_t *out_len);

/**
 * How many headers the response has (0 for NULL). Indexes for
 * `tb_response_header_at` run from 0 to this minus 1.
 *
 * # Safety
 *
 * `response` is NULL or a live response.
 */
TB_API size_t tb_response_header_count(const tb_response *response);

/**
 * The header at `index` (0 = the first), borrowed: `*out_name` (lower
 * case) and `*out_value` are NUL-terminated, valid until `tb_response_free`;
 * `*out_name_len` and `*out_value_len` (optional, may be NULL) receive their lengths.
 * An index past the last header is `TB_INVALID_ARGUMENT` naming `index`.
 *
 * ```c
 * for (size_t i = 0; i < tb_response_header_count(resp); i++) {
 *     const char *name, *value;
 *     if (tb_response_header_at(resp, i, &name, NULL, &value, NULL) == TB_OK)
 *         printf("%s: %s\n", name, value);
 * }
 * ```
 *
 * # Safety
 *
 * `response` is NULL or a live response; the out-pointers are NULL or valid for
 * writes.
 */
TB_API
tb_status tb_response_header_at(const tb_response *response,
                                size_t index,
                                const char **out_name,
                                size_t *out_name_len,
                                const char **out_value,
                                size_t *out_value_len);

/**
 * The value of the first header called `name` (compared without regard to ASCII
 * case), borrowed and NUL-terminated, valid until `tb_response_free`;
 * `*out_value_len` (optional, may be NULL) receives its length. A header the
 * response does not have is `TB_ABSENT` with `*out_value = NULL` (and
 * `*out_value_len = 0`). For a header that came several times, walk
 * `tb_response_header_at`.
 *
 * # Safety
 *
 * `response` is NULL or a live response; `name` is NULL or NUL-terminated; the
 * out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_response_header(const tb_response *response,
                             const char *name,
                             const char **out_value,
                             size_t *out_value_len);

/**
 * Frees a response; the pointers its accessors gave become invalid. The body and
 * header values are overwritten first (they may hold tokens).
 * `tb_response_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `response` is NULL or a response from `tb_<api>_send`, not freed yet, and no
 * other thread uses it during or after the call.
 */
TB_API void tb_response_free(tb_response *response);

/**
 * The event type (`event`, `event_type` or `type` in the body), e.g.
 * `payout.created`; lent (see "Strings"); always present.
 *
 * # Safety
 *
 * `event` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_yativo_event_type(const tb_yativo_event *event,
                               const char **out,
                               size_t *out_len);

/**
 * The event id (`id` or `event_id`; a number comes as its digits): the key to
 * deduplicate on; lent (see "Strings"); always present.
 *
 * # Safety
 *
 * `event` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_yativo_event_id(const tb_yativo_event *event,
                             const char **out,
                             size_t *out_len);

/**
 * When the event happened (`created_at` or `timestamp` in the body), in Unix
 * seconds; `TB_ABSENT` (and 0) when the body does not say.
 *
 * # Safety
 *
 * `event` is NULL or live; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_yativo_event_created_at(const tb_yativo_event *event, int64_t *out);

/**
 * The event's `data` as the JSON text it came as (any JSON value, byte for byte);
 * lent (see "Strings"); always present. Parse it with your JSON library.
 *
 * # Safety
 *
 * `event` is NULL or live; the out-pointers are NULL or valid for writes.
 */
TB_API
tb_status tb_yativo_event_data_json(const tb_yativo_event *event,
                                    const char **out_json,
                                    size_t *out_len);

/**
 * Which of the secrets given to `tb_yativo_webhook_verify` signed the event (0 for
 * the first): during a rotation, it tells when the old secret is no longer used.
 *
 * # Safety
 *
 * `event` is NULL or live; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_yativo_event_secret_index(const tb_yativo_event *event, size_t *out);

/**
 * Frees an event (its text is wiped first); the strings it lent become invalid.
 * `tb_yativo_event_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `event` is NULL or an event from `tb_yativo_webhook_verify`, not freed yet, and
 * no other thread uses it during or after the call.
 */
TB_API void tb_yativo_event_free(tb_yativo_event *event);

/**
 * A new filter that lets every request through, or NULL if memory ran out. Free it
 * with `tb_messenger_filter_free`.
 */
TB_API tb_messenger_filter *tb_messenger_filter_new(void);

/**
 * Only requests of the department with this alias (see
 * `tb_messenger_structure_department`); NULL or `""` for any department.
 *
 * # Safety
 *
 * `filter` is NULL or a live filter not used by another thread; `alias` is NULL or
 * NUL-terminated.
 */
TB_API
tb_status tb_messenger_filter_set_department_alias(tb_messenger_filter *filter,
                                                   const char *alias);

/**
 * Only requests of the channel with this alias (see
 * `tb_messenger_structure_channel`); NULL or `""` for any channel.
 *
 * # Safety
 *
 * `filter` is NULL or a live filter not used by another thread; `alias` is NULL or
 * NUL-terminated.
 */
TB_API
tb_status tb_messenger_filter_set_channel_alias(tb_messenger_filter *filter,
                                                const char *alias);

/**
 * Only requests opened on or after this day; `0, 0, 0` for no lower bound. An
 * impossible date (month 13, 30 February, a year before 1 or after 9999) or a day
 * after the filter's `date_to` is `TB_INVALID_ARGUMENT` naming what is wrong.
 *
 * # Safety
 *
 * `filter` is NULL or a live filter not used by another thread.
 */
TB_API
tb_status tb_messenger_filter_set_date_from(tb_messenger_filter *filter,
                                            int32_t year,
                                            int32_t month,
                                            int32_t day);

/**
 * Only requests opened on or before this day; `0, 0, 0` for no upper bound. An
 * impossible date or a day before the filter's `date_from` is
 * `TB_INVALID_ARGUMENT` naming what is wrong.
 *
 * # Safety
 *
 * `filter` is NULL or a live filter not used by another thread.
 */
TB_API
tb_status tb_messenger_filter_set_date_to(tb_messenger_filter *filter,
                                          int32_t year,
                                          int32_t month,
                                          int32_t day);

/**
 * Only open or only closed requests; `TB_MESSENGER_STATUS_NONE` for both.
 *
 * # Safety
 *
 * `filter` is NULL or a live filter not used by another thread.
 */
TB_API
tb_status tb_messenger_filter_set_status(tb_messenger_filter *filter,
                                         tb_messenger_status status);

/**
 * Only requests that await the user's answer (`TB_MESSENGER_PENDING_YES`), only
 * those that do not (`TB_MESSENGER_PENDING_NO`), or both
 * (`TB_MESSENGER_PENDING_NONE`).
 *
 * # Safety
 *
 * `filter` is NULL or a live filter not used by another thread.
 */
TB_API
tb_status tb_messenger_filter_set_pending(tb_messenger_filter *filter,
                                          tb_messenger_pending pending);

/**
 * Frees a filter. `tb_messenger_filter_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `filter` is NULL or a filter from `tb_messenger_filter_new`, not freed yet, and
 * no other thread uses it during or after the call.
 */
TB_API void tb_messenger_filter_free(tb_messenger_filter *filter);

/**
 * A new request without query, headers or body.
 *
 * * `method`: `"GET"`, `"HEAD"`, `"OPTIONS"`, `"POST"`, `"PUT"`, `"PATCH"` or
 *   `"DELETE"`, any case; another is `TB_INVALID_ARGUMENT` naming `method`.
 * * `path`: relative to the client's base URL, e.g. `"payouts"` or
 *   `"Integra/resources/Dialers/DialerTask"`, without query (give it with
 *   `tb_request_add_query`). An empty path, a full URL (it would carry the token
 *   elsewhere), spaces or control characters are `TB_INVALID_ARGUMENT` naming `path`.
 * * `out`: receives the request on success; free it with `tb_request_free`.
 *
 * Thread-safe.
 *
 * # Safety
 *
 * The strings are NULL or NUL-terminated; `out` is NULL or valid for writes.
 */
TB_API tb_status tb_request_new(const char *method, const char *path, tb_request **out);

/**
 * Adds a query parameter, percent-encoded when sent (`?name=value&...`, in the order
 * added; a name may repeat). Empty names and values are sent as they are.
 *
 * # Safety
 *
 * `request` is NULL or a live request not used by another thread during the call;
 * the strings are NULL or NUL-terminated.
 */
TB_API tb_status tb_request_add_query(tb_request *request, const char *name, const char *value);

/**
 * Adds a header, sent after the client's own (in the order added; a name may
 * repeat). Checked when the request is sent, where a refusal is
 * `TB_INVALID_ARGUMENT` naming `header` (and the header) and nothing is sent: a name that is not an
 * HTTP token (an empty one too); `Host`, `Content-Length`, `Transfer-Encoding`,
 * `Connection`, `TE` and `Upgrade` (tokenbridge sets them); a value holding CR or LF
 * or longer than 8192 bytes; `Authorization` unless
 * `tb_request_allow_authorization_header(request, true)` was called.
 *
 * # Safety
 *
 * `request` is NULL or a live request not used by another thread during the call;
 * the strings are NULL or NUL-terminated.
 */
TB_API tb_status tb_request_add_header(tb_request *request, const char *name, const char *value);

/**
 * Adds a field to a form body, sent as `application/x-www-form-urlencoded` with the
 * fields in the order added (a name may repeat; empty names and values are sent as
 * they are). When the body is a JSON or raw body, this replaces it with a form of
 * this one field.
 *
 * # Safety
 *
 * `request` is NULL or a live request not used by another thread during the call;
 * the strings are NULL or NUL-terminated.
 */
TB_API
tb_status tb_request_add_form_field(tb_request *request,
                                    const char *name,
                                    const char *value);

/**
 * Sets a JSON body, sent as `application/json`: `json` is checked here (invalid
 * JSON, an empty string too, is `TB_INVALID_ARGUMENT` naming `json`, without
 * quoting it) and sent as the same JSON value (whitespace and the order of object
 * keys may differ). Replaces any body set before (form fields included).
 *
 * # Safety
 *
 * `request` is NULL or a live request not used by another thread during the call;
 * `json` is NULL or NUL-terminated.
 */
TB_API tb_status tb_request_set_json(tb_request *request, const char *json);

/**
 * Sets a body of bytes sent as they are, with `Content-Type: content_type`: `len`
 * bytes from `bytes` (copied; they may hold NUL). `bytes` may be NULL only when
 * `len` is 0 (an empty body). An empty content type, one with a control character
 * or over 8192 bytes is `TB_INVALID_ARGUMENT` naming `content_type`. Replaces any
 * body set before (form fields included).
 *
 * # Safety
 *
 * `request` is NULL or a live request not used by another thread during the call;
 * `content_type` is NULL or NUL-terminated; `bytes` is NULL or valid for reads of
 * `len` bytes.
 */
TB_API
tb_status tb_request_set_body(tb_request *request,
                              const char *content_type,
                              const uint8_t *bytes,
                              size_t len);

/**
 * Sends `Idempotency-Key: idempotency_key` (the same on every retry of the call,
 * and on every send of this request) and makes a POST or PATCH safe to retry: the
 * server answers a repeat with its first answer instead of acting twice. Without
 * one, Yativo POSTs get a fresh UUID v4 key per send. An empty key (or only
 * spaces), one with a control character or over 8192 bytes is
 * `TB_INVALID_ARGUMENT` naming `idempotency_key`. Replaces a key set before.
 *
 * # Safety
 *
 * `request` is NULL or a live request not used by another thread during the call;
 * `idempotency_key` is NULL or NUL-terminated.
 */
TB_API tb_status tb_request_set_idempotency_key(tb_request *request, const char *idempotency_key);

/**
 * Whether a header `Authorization` added with `tb_request_add_header` may replace
 * the client's token (for a resource that takes another credential). The call then
 * needs no login, and a 401 to it is `TB_UNAUTHORIZED` at once (no new login is
 * tried: the credential is yours). Off by default, so that a header copied from
 * elsewhere cannot silently replace the client's.
 *
 * # Safety
 *
 * `request` is NULL or a live request not used by another thread during the call.
 */
TB_API tb_status tb_request_allow_authorization_header(tb_request *request, bool allow);

/**
 * Frees a request. Responses to it stay valid. `tb_request_free(NULL)` does nothing.
 *
 * # Safety
 *
 * `request` is NULL or a request from `tb_request_new`, not freed yet, and no other
 * thread uses it during or after the call.
 */
TB_API void tb_request_free(tb_request *request);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* TOKENBRIDGE_H */
