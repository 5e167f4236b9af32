//! `tb_anna_*`: the AnnA Corporate User V3 client (A1–A8), its token and its
//! generic calls.

use std::os::raw::c_char;

use super::answers::tb_response;
use super::answers::{tb_access_data, tb_messenger_requests, tb_messenger_structure};
use super::client::{self, Handle};
use super::config::tb_config;
use super::error::run;
use super::filter::{filter_arg, tb_messenger_filter};
use super::options::tb_call_options;
use super::request::tb_request;
use super::{strings, tb_status};
use crate::anna::{Client, Credentials, User};
use crate::error::{Error, Result};

/// An AnnA client: one connection pool, one API user, one cached bearer token
/// (renewed with `GetToken` ahead of expiry). Create with `tb_anna_client_new`,
/// free with `tb_anna_client_free`.
///
/// Thread-safe: all `tb_anna_*` calls on one client may run from many threads at
/// once (they share the token; only one `GetToken` runs at a time). Do not free it
/// while another thread uses it.
pub struct tb_anna_client(pub(crate) Client);

impl Handle for tb_anna_client {
    type V = crate::anna::Anna;
    fn wrap(client: Client) -> Self {
        tb_anna_client(client)
    }
    fn client(&self) -> &Client {
        &self.0
    }
}

/// Creates an AnnA client. Nothing is sent until the first call.
///
/// * `cfg`: settings, or NULL for the defaults; copied, so it may be freed after.
/// * `base_url`: the customer's AnnA base URL (a trailing `/` is optional;
///   `http://` only with `tb_config_set_allow_http`).
/// * `company_hash`, `user`, `password`: the integration's credentials (AnnA's
///   `hash`, `user`, `pass`; empty ones are refused at the first `GetToken`).
/// * `out`: receives the client on success; free it with `tb_anna_client_free`.
///
/// Thread-safe.
///
/// # Safety
///
/// `cfg` is NULL or a live config not changed during the call; the strings are NULL
/// or NUL-terminated; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_client_new(
    cfg: *const tb_config,
    base_url: *const c_char,
    company_hash: *const c_char,
    user: *const c_char,
    password: *const c_char,
    out: *mut *mut tb_anna_client,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let (base_url, company_hash, user, password) = unsafe {
            (
                strings::required(base_url, "base_url")?,
                strings::required(company_hash, "company_hash")?,
                strings::required(user, "user")?,
                strings::required(password, "password")?,
            )
        };
        let credentials = Credentials::new(company_hash, user, password);
        // SAFETY: the caller promises NULL or a live config and a writable `out`.
        unsafe { client::create(cfg, base_url, credentials, out) }
    })
}

/// Frees a client. `tb_anna_client_free(NULL)` does nothing.
///
/// # Safety
///
/// `c` is NULL or a client from `tb_anna_client_new`, not freed yet, and no other
/// thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_client_free(c: *mut tb_anna_client) {
    // SAFETY: forwarded from this function's contract.
    unsafe { super::panic::free_handle(c) }
}

/// Writes a JSON or text answer.
///
/// # Safety
///
/// `out` was checked and is valid for writes.
unsafe fn write_text(
    text: String,
    operation: &'static str,
    what: &str,
    out: *mut *mut c_char,
) -> Result<()> {
    let text = strings::c_string(text, operation, what)?;
    // SAFETY: forwarded from this function's contract.
    unsafe { strings::write_string(out, text) };
    Ok(())
}

/// The user a messenger call is about: `user_id`, or `doc_type` + `doc_value`.
///
/// # Safety
///
/// The pointers are NULL or NUL-terminated strings.
unsafe fn user_arg(
    user_id: *const c_char,
    doc_type: *const c_char,
    doc_value: *const c_char,
) -> Result<User> {
    // SAFETY: forwarded from this function's contract.
    let (id, doc_type, doc_value) = unsafe {
        (
            strings::optional(user_id, "user_id")?,
            strings::optional(doc_type, "doc_type")?,
            strings::optional(doc_value, "doc_value")?,
        )
    };
    let not_empty = |name: &'static str, v: &str| {
        if v.trim().is_empty() {
            Err(Error::invalid_input(name, "must not be empty"))
        } else {
            Ok(())
        }
    };
    match (id, doc_type, doc_value) {
        (Some(id), None, None) => {
            not_empty("user_id", id)?;
            Ok(User::id(id))
        }
        (None, Some(t), Some(v)) => {
            not_empty("doc_type", t)?;
            not_empty("doc_value", v)?;
            Ok(User::document(t, v))
        }
        (Some(_), Some(_), _) => Err(Error::invalid_input(
            "doc_type",
            "must be NULL when user_id is given (give either user_id or doc_type and doc_value)",
        )),
        (Some(_), None, Some(_)) => Err(Error::invalid_input(
            "doc_value",
            "must be NULL when user_id is given (give either user_id or doc_type and doc_value)",
        )),
        (None, None, None) => Err(Error::invalid_input(
            "user_id",
            "is NULL, and so are doc_type and doc_value (give either user_id or doc_type and doc_value)",
        )),
        (None, Some(_), None) => Err(Error::invalid_input(
            "doc_value",
            "is NULL but doc_type is given (a document needs both)",
        )),
        (None, None, Some(_)) => Err(Error::invalid_input(
            "doc_type",
            "is NULL but doc_value is given (a document needs both)",
        )),
    }
}

/// A1: gets a new token with `GetToken` (also cached).
///
/// `out_token` receives it (free with `tb_string_free`); `out_expires_at`
/// (optional, may be NULL) its expiry in Unix seconds, 0 when unknown. Wrong
/// credentials are `TB_REJECTED`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_get_token(
    c: *mut tb_anna_client,
    out_token: *mut *mut c_char,
    out_expires_at: *mut i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        client::token_op(
            c,
            "AnnA GetToken",
            ("out_token", out_token),
            out_expires_at,
            |c| c.get_token(),
        )
    }
}

/// A2: generates the user's access hash (`UserHash`). `start_service` (optional,
/// may be NULL) is the service the chat starts with.
///
/// `out` receives the access data: read it with `tb_access_data_chat_url`,
/// `tb_access_data_hash`, `tb_access_data_expires` and the others; free it with
/// `tb_access_data_free`. An unknown or inactive user is `TB_REJECTED`.
/// Thread-safe.
///
/// ```c
/// tb_access_data *access;
/// if (tb_anna_user_hash(client, "42", NULL, &access) == TB_OK) {
///     const char *url;
///     tb_access_data_chat_url(access, &url, NULL);
///     printf("chat: %s\n", url);
///     tb_access_data_free(access);
/// }
/// ```
///
/// # Safety
///
/// `c` is NULL or a live client; the strings are NULL or NUL-terminated; `out` is
/// NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_user_hash(
    c: *mut tb_anna_client,
    user_id: *const c_char,
    start_service: *const c_char,
    out: *mut *mut tb_access_data,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let (user_id, start_service) = unsafe {
            (
                strings::required(user_id, "user_id")?,
                strings::optional(start_service, "start_service")?,
            )
        };
        strings::out_ptr(out, "out")?;
        let data = tb_access_data::new(&client.user_hash(user_id, start_service)?);
        // SAFETY: checked above; the caller promises a valid pointer.
        unsafe { strings::write_boxed(out, data) };
        Ok(())
    })
}

/// A3: creates or updates (and re-activates) the user, then generates its access
/// hash (`UserHashForced`). `start_service` is optional (may be NULL).
///
/// `out` receives the access data, as for `tb_anna_user_hash`; free it with
/// `tb_access_data_free`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; the strings are NULL or NUL-terminated; `out` is
/// NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_user_hash_forced(
    c: *mut tb_anna_client,
    user_id: *const c_char,
    user_name: *const c_char,
    start_service: *const c_char,
    out: *mut *mut tb_access_data,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let (user_id, user_name, start_service) = unsafe {
            (
                strings::required(user_id, "user_id")?,
                strings::required(user_name, "user_name")?,
                strings::optional(start_service, "start_service")?,
            )
        };
        strings::out_ptr(out, "out")?;
        let data =
            tb_access_data::new(&client.user_hash_forced(user_id, user_name, start_service)?);
        // SAFETY: checked above; the caller promises a valid pointer.
        unsafe { strings::write_boxed(out, data) };
        Ok(())
    })
}

/// A4: inactivates the user (`Inactivate`). `out_message` (optional, may be NULL)
/// receives the server's message; free it with `tb_string_free`. An unknown user
/// is `TB_REJECTED`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `user_id` is NULL or NUL-terminated;
/// `out_message` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_inactivate_user(
    c: *mut tb_anna_client,
    user_id: *const c_char,
    out_message: *mut *mut c_char,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let user_id = unsafe { strings::required(user_id, "user_id") }?;
        let message = client.inactivate_user(user_id)?;
        if !out_message.is_null() {
            // SAFETY: not NULL; the caller promises it is valid for writes.
            unsafe { write_text(message, "AnnA Inactivate", "a message", out_message) }?;
        }
        Ok(())
    })
}

/// A5: the messenger's structure: company, departments and their channels.
///
/// `out` receives it: read it with `tb_messenger_structure_department_count`,
/// `tb_messenger_structure_department`, `tb_messenger_structure_channel` and the
/// others; free it with `tb_messenger_structure_free`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_messenger_structure(
    c: *mut tb_anna_client,
    out: *mut *mut tb_messenger_structure,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        strings::out_ptr(out, "out")?;
        let structure = tb_messenger_structure::new(&client.messenger_structure()?);
        // SAFETY: checked above; the caller promises a valid pointer.
        unsafe { strings::write_boxed(out, structure) };
        Ok(())
    })
}

/// A6: how many open requests await the user's answer.
///
/// The user is `user_id` (then `doc_type` and `doc_value` are NULL) or a document,
/// `doc_type` + `doc_value` (then `user_id` is NULL); any other combination is
/// `TB_INVALID_ARGUMENT` naming the parameter. `filter` is optional (NULL = no
/// filter; see `tb_messenger_filter_new`). `out_count` receives the count.
/// Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; the strings are NULL or NUL-terminated; `filter`
/// is NULL or a live filter not changed during the call; `out_count` is NULL or
/// valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_messenger_alert_counter(
    c: *mut tb_anna_client,
    user_id: *const c_char,
    doc_type: *const c_char,
    doc_value: *const c_char,
    filter: *const tb_messenger_filter,
    out_count: *mut u64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let user = unsafe { user_arg(user_id, doc_type, doc_value) }?;
        strings::out_ptr(out_count, "out_count")?;
        // SAFETY: the caller promises NULL or a live filter.
        let count = client.messenger_alert_counter(&user, unsafe { filter_arg(filter) })?;
        // SAFETY: checked above; the caller promises a valid pointer.
        unsafe { strings::write(out_count, count) };
        Ok(())
    })
}

/// A7: the user's messenger requests. User selection and `filter` as for
/// `tb_anna_messenger_alert_counter`.
///
/// `out` receives the list: read it with `tb_messenger_requests_count` and the
/// `tb_messenger_requests_*` accessors; free it with `tb_messenger_requests_free`.
/// Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; the strings are NULL or NUL-terminated; `filter`
/// is NULL or a live filter not changed during the call; `out` is NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_messenger_requests(
    c: *mut tb_anna_client,
    user_id: *const c_char,
    doc_type: *const c_char,
    doc_value: *const c_char,
    filter: *const tb_messenger_filter,
    out: *mut *mut tb_messenger_requests,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let user = unsafe { user_arg(user_id, doc_type, doc_value) }?;
        strings::out_ptr(out, "out")?;
        // SAFETY: the caller promises NULL or a live filter.
        let list = client.messenger_requests(&user, unsafe { filter_arg(filter) })?;
        // SAFETY: checked above; the caller promises a valid pointer.
        unsafe { strings::write_boxed(out, tb_messenger_requests::new(&list)) };
        Ok(())
    })
}

/// A8: the link that opens the user's messenger. User selection as for
/// `tb_anna_messenger_alert_counter`. `out_link` receives the URL; free it with
/// `tb_string_free`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; the strings are NULL or NUL-terminated;
/// `out_link` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_messenger_link(
    c: *mut tb_anna_client,
    user_id: *const c_char,
    doc_type: *const c_char,
    doc_value: *const c_char,
    out_link: *mut *mut c_char,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let user = unsafe { user_arg(user_id, doc_type, doc_value) }?;
        strings::out_ptr(out_link, "out_link")?;
        let link = client.messenger_link(&user)?;
        // SAFETY: checked above; the caller promises a valid pointer.
        unsafe { write_text(link, "AnnA Messenger/Link", "a link", out_link) }
    })
}

/// Uses a bearer token obtained elsewhere for the following calls. `expires_at`
/// is its expiry in Unix seconds, or 0: then the JWT's `exp` claim, else unknown
/// (used until the server answers 401). An empty token or a negative `expires_at`
/// is `TB_INVALID_ARGUMENT`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `token` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_set_token(
    c: *mut tb_anna_client,
    token: *const c_char,
    expires_at: i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::set_token(c, token, expires_at) }
}

/// A new handle to the same AnnA client — the same connections, the same token —
/// whose calls run with `opts` (copied): an overall deadline and a cancellation
/// token. Use it for the calls those options are for, then free it with
/// `tb_anna_client_free` (freeing it does not end the client's session while
/// another handle of the client lives).
///
/// ```c
/// tb_cancel_token *cancel = tb_cancel_token_new();
/// tb_call_options *opts = tb_call_options_new();
/// tb_call_options_set_deadline_ms(opts, 5000);
/// tb_call_options_set_cancel_token(opts, cancel);  // another thread may cancel it
/// tb_anna_client *limited = NULL;
/// if (tb_anna_client_with_options(client, opts, &limited) == TB_OK) {
///     // ... calls on `limited` return TB_TIMEOUT past 5 s, TB_CANCELLED when cancelled
///     tb_anna_client_free(limited);
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
pub unsafe extern "C" fn tb_anna_client_with_options(
    c: *const tb_anna_client,
    opts: *const tb_call_options,
    out: *mut *mut tb_anna_client,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::with_options(c, opts, out) }
}

/// A valid AnnA token: the cached bearer token, or a new `GetToken` ahead of expiry.
/// `out_token` receives it; free it with `tb_string_free`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `out_token` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_anna_token(
    c: *mut tb_anna_client,
    out_token: *mut *mut c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        client::token_op(
            c,
            "AnnA token",
            ("out_token", out_token),
            std::ptr::null_mut(),
            |c| c.token(),
        )
    }
}

/// Sends a request built with `tb_request_new` and its setters to the AnnA
/// server with `Authorization: Bearer {token}`, getting a token when needed and once
/// more after a 401, and gives the answer as a response handle.
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
pub unsafe extern "C" fn tb_anna_send(
    c: *mut tb_anna_client,
    request: *const tb_request,
    out: *mut *mut tb_response,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::send(c, request, out) }
}
