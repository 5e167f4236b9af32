//! `tb_yativo_*`: the Yativo client (Y1 login, Y2 refresh-token), its token and
//! its generic calls.

use std::os::raw::c_char;

use super::answers::tb_response;
use super::client::{self, Handle};
use super::config::tb_config;
use super::error::run;
use super::options::tb_call_options;
use super::request::tb_request;
use super::{strings, tb_status};
use crate::yativo::{Client, Credentials};

pub use super::constants::{TB_YATIVO_PRODUCTION_URL, TB_YATIVO_SANDBOX_URL};

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
// scripts/check-header.sh writes these into the header as macros; keep them equal
// to the core's.
const _: () = assert!(same(
    TB_YATIVO_PRODUCTION_URL,
    crate::yativo::PRODUCTION_URL
));
const _: () = assert!(same(TB_YATIVO_SANDBOX_URL, crate::yativo::SANDBOX_URL));

/// A Yativo client: one connection pool, one account, one cached bearer token
/// refreshed ahead of expiry. Create with `tb_yativo_client_new`, free with
/// `tb_yativo_client_free`.
///
/// Thread-safe: all `tb_yativo_*` calls on one client may run from many threads at
/// once (they share the token; only one login or refresh runs at a time). Do not
/// free it while another thread uses it.
pub struct tb_yativo_client(pub(crate) Client);

impl Handle for tb_yativo_client {
    type V = crate::yativo::Yativo;
    fn wrap(client: Client) -> Self {
        tb_yativo_client(client)
    }
    fn client(&self) -> &Client {
        &self.0
    }
}

/// Creates a Yativo client. Nothing is sent until the first call.
///
/// * `cfg`: settings, or NULL for the defaults; copied, so it may be freed after.
/// * `base_url`: `TB_YATIVO_PRODUCTION_URL`, `TB_YATIVO_SANDBOX_URL` or another
///   base URL (`http://` only with `tb_config_set_allow_http`).
/// * `account_id`, `app_secret`: the account's credentials (empty ones are refused
///   at the first login).
/// * `out`: receives the client on success; free it with `tb_yativo_client_free`.
///
/// Thread-safe.
///
/// # Safety
///
/// `cfg` is NULL or a live config not changed during the call; the strings are NULL
/// or NUL-terminated; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_client_new(
    cfg: *const tb_config,
    base_url: *const c_char,
    account_id: *const c_char,
    app_secret: *const c_char,
    out: *mut *mut tb_yativo_client,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let (base_url, account_id, app_secret) = unsafe {
            (
                strings::required(base_url, "base_url")?,
                strings::required(account_id, "account_id")?,
                strings::required(app_secret, "app_secret")?,
            )
        };
        // SAFETY: the caller promises NULL or a live config and a writable `out`.
        unsafe { client::create(cfg, base_url, Credentials::new(account_id, app_secret), out) }
    })
}

/// Frees a client. `tb_yativo_client_free(NULL)` does nothing.
///
/// # Safety
///
/// `c` is NULL or a client from `tb_yativo_client_new`, not freed yet, and no other
/// thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_client_free(c: *mut tb_yativo_client) {
    // SAFETY: forwarded from this function's contract.
    unsafe { super::panic::free_handle(c) }
}

/// Y1: logs in with the app secret (`auth/login`) and gives the new bearer token
/// (also cached). Each call issues a new token.
///
/// `out_access_token` receives the token (free it with `tb_string_free`);
/// `out_expires_at` (optional, may be NULL) receives its expiry in Unix seconds. A
/// wrong account or secret is `TB_REJECTED`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_login(
    c: *mut tb_yativo_client,
    out_access_token: *mut *mut c_char,
    out_expires_at: *mut i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        client::token_op(
            c,
            "Yativo login",
            ("out_access_token", out_access_token),
            out_expires_at,
            |c| c.login(),
        )
    }
}

/// Y2: exchanges the current token for a new one (`auth/refresh-token`), logging
/// in first when there is no valid token, and caches it.
///
/// Outputs as for `tb_yativo_login`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_refresh_token(
    c: *mut tb_yativo_client,
    out_access_token: *mut *mut c_char,
    out_expires_at: *mut i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        client::token_op(
            c,
            "Yativo refresh-token",
            ("out_access_token", out_access_token),
            out_expires_at,
            |c| c.refresh_token(),
        )
    }
}

/// Uses a bearer token obtained elsewhere for the following calls.
/// `expires_at` is its expiry in Unix seconds, or 0: then the JWT's `exp` claim,
/// else 10 minutes from now. An empty token or a negative `expires_at` is
/// `TB_INVALID_ARGUMENT`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `token` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_set_token(
    c: *mut tb_yativo_client,
    token: *const c_char,
    expires_at: i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::set_token(c, token, expires_at) }
}

/// A new handle to the same Yativo client — the same connections, the same token —
/// whose calls run with `opts` (copied): an overall deadline and a cancellation
/// token. Use it for the calls those options are for, then free it with
/// `tb_yativo_client_free` (freeing it does not end the client's session while
/// another handle of the client lives).
///
/// ```c
/// tb_cancel_token *cancel = tb_cancel_token_new();
/// tb_call_options *opts = tb_call_options_new();
/// tb_call_options_set_deadline_ms(opts, 5000);
/// tb_call_options_set_cancel_token(opts, cancel);  // another thread may cancel it
/// tb_yativo_client *limited = NULL;
/// if (tb_yativo_client_with_options(client, opts, &limited) == TB_OK) {
///     // ... calls on `limited` return TB_TIMEOUT past 5 s, TB_CANCELLED when cancelled
///     tb_yativo_client_free(limited);
/// }
/// tb_call_options_free(opts);
/// tb_cancel_token_free(cancel);
/// ```
///
/// Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `opts` is NULL or live options; `out` is NULL or
/// valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_client_with_options(
    c: *const tb_yativo_client,
    opts: *const tb_call_options,
    out: *mut *mut tb_yativo_client,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::with_options(c, opts, out) }
}

/// A valid Yativo token: the cached bearer token, refreshed ahead of expiry, or a new
/// login. `out_token` receives it; free it with `tb_string_free`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `out_token` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_token(
    c: *mut tb_yativo_client,
    out_token: *mut *mut c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        client::token_op(
            c,
            "Yativo token",
            ("out_token", out_token),
            std::ptr::null_mut(),
            |c| c.token(),
        )
    }
}

/// Sends a request built with `tb_request_new` and its setters to the Yativo
/// server with `Authorization: Bearer {token}`, getting a token when needed and once
/// more after a 401, and gives the answer as a response handle. A POST
/// without `tb_request_set_idempotency_key` carries a fresh UUID v4
/// `Idempotency-Key` per send (the same on its retries), so it is retried like a GET.
///
/// * `request`: not consumed nor changed; it may be sent again, to any client. Its
///   headers are checked first (see `tb_request_add_header`): a refusal is
///   `TB_INVALID_ARGUMENT` naming the header, and nothing is sent (no login either).
/// * `out`: receives the response on success, whatever its HTTP status but a 401
///   after the new login (`TB_UNAUTHORIZED`); free it with `tb_response_free`.
///
/// Retries: transient failures are retried for GET, HEAD, OPTIONS, PUT and DELETE,
/// and for a POST or PATCH with an idempotency key; a POST or PATCH without one only
/// when it certainly never reached the server.
///
/// Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `request` is NULL or a live request not changed
/// during the call; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_send(
    c: *mut tb_yativo_client,
    request: *const tb_request,
    out: *mut *mut tb_response,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::send(c, request, out) }
}
