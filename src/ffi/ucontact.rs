//! `tb_ucontact_*`: the uContact client (U1 getUserToken, U2 AgentLogin, U3
//! EndSession), its token and its generic calls.

use std::os::raw::c_char;

use super::answers::tb_agent_profile;
use super::answers::tb_response;
use super::client::{self, Handle};
use super::config::tb_config;
use super::error::run;
use super::options::tb_call_options;
use super::request::tb_request;
use super::{strings, tb_status};
use crate::error::Error;
use crate::ucontact::{Client, Credentials};

/// A uContact client: one connection pool, one user or agent, one cached session
/// token. Create with `tb_ucontact_client_new`, free with
/// `tb_ucontact_client_free`.
///
/// Thread-safe: all `tb_ucontact_*` calls on one client may run from many threads
/// at once (they share the session token; only one login runs at a time). Do not
/// free it while another thread uses it.
pub struct tb_ucontact_client(pub(crate) Client);

impl Handle for tb_ucontact_client {
    type V = crate::ucontact::UContact;
    fn wrap(client: Client) -> Self {
        tb_ucontact_client(client)
    }
    fn client(&self) -> &Client {
        &self.0
    }
}

/// How a uContact client logs in when it needs a token.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tb_ucontact_login_kind {
    /// An API user, with `getUserToken`.
    TB_UCONTACT_LOGIN_API_USER = 0,
    /// An agent, with `AgentLogin` (which also logs the agent into the SIP side).
    TB_UCONTACT_LOGIN_AGENT = 1,
}

/// A [`tb_ucontact_login_kind`] as it comes from C: any 32-bit number (the header
/// declares it as `tb_ucontact_login_kind`); out-of-range numbers are
/// `TB_INVALID_ARGUMENT`.
pub type tb_ucontact_login_kind_raw = i32;

/// Creates a uContact client. Nothing is sent until the first call.
///
/// * `cfg`: settings, or NULL for the defaults; copied, so it may be freed after.
/// * `server`: a cloud domain (`"mycompany"` → `https://mycompany.ucontactcloud.com`)
///   or a full base URL (on-premise, e.g. `"https://uc.example.com:8443"`).
/// * `user`, `password`: the API user's or agent's credentials (empty ones are
///   refused at the first login).
/// * `kind`: `TB_UCONTACT_LOGIN_API_USER` or `TB_UCONTACT_LOGIN_AGENT`.
/// * `out`: receives the client on success; free it with `tb_ucontact_client_free`.
///
/// Returns `TB_INVALID_ARGUMENT` for a NULL or non-UTF-8 string, an unknown `kind`,
/// a malformed `server`, an `http://` URL without `tb_config_set_allow_http`, or a
/// bad proxy or CA file in `cfg`. Thread-safe.
///
/// # Safety
///
/// `cfg` is NULL or a live config not changed during the call; the strings are NULL
/// or NUL-terminated; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_ucontact_client_new(
    cfg: *const tb_config,
    server: *const c_char,
    user: *const c_char,
    password: *const c_char,
    kind: tb_ucontact_login_kind_raw,
    out: *mut *mut tb_ucontact_client,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let (server, user, password) = unsafe {
            (
                strings::required(server, "server")?,
                strings::required(user, "user")?,
                strings::required(password, "password")?,
            )
        };
        let credentials = match kind {
            k if k == tb_ucontact_login_kind::TB_UCONTACT_LOGIN_API_USER as i32 => {
                Credentials::api_user(user, password)
            }
            k if k == tb_ucontact_login_kind::TB_UCONTACT_LOGIN_AGENT as i32 => {
                Credentials::agent(user, password)
            }
            other => {
                return Err(Error::invalid_input(
                    "kind",
                    format!(
                        "{other} is not a tb_ucontact_login_kind (0 = TB_UCONTACT_LOGIN_API_USER, 1 = TB_UCONTACT_LOGIN_AGENT)"
                    ),
                ))
            }
        };
        // SAFETY: the caller promises NULL or a live config and a writable `out`.
        unsafe { client::create(cfg, server, credentials, out) }
    })
}

/// Frees a client. When end-session-on-close is on (the default) and the client
/// holds a session, the session is ended first with `EndSession` (a failure there
/// cannot be reported; call `tb_ucontact_end_session` first to see it).
/// `tb_ucontact_client_free(NULL)` does nothing.
///
/// # Safety
///
/// `c` is NULL or a client from `tb_ucontact_client_new`, not freed yet, and no
/// other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_ucontact_client_free(c: *mut tb_ucontact_client) {
    // SAFETY: forwarded from this function's contract.
    unsafe { super::panic::free_handle(c) }
}

/// U1: logs the API user in with `getUserToken` and gives the new session token
/// (also cached for later calls). Each call starts a new session.
///
/// `out_token` receives the token; free it with `tb_string_free`. A wrong user or
/// password is `TB_REJECTED`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `out_token` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_ucontact_get_user_token(
    c: *mut tb_ucontact_client,
    out_token: *mut *mut c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        client::token_op(
            c,
            "uContact getUserToken",
            ("out_token", out_token),
            std::ptr::null_mut(),
            |c| c.get_user_token(),
        )
    }
}

/// U2: logs the agent in with `AgentLogin` (also on the SIP side) and gives the
/// agent's profile: every field the server sent except `secret` and `md5secret`
/// (its `token` is also cached for later calls).
///
/// `out` receives the profile; read it with its getters (`tb_agent_profile_name`,
/// `tb_agent_profile_callerid`, … one per published field; `tb_agent_profile_id`),
/// `tb_agent_profile_get` (any field by name), and free it with
/// `tb_agent_profile_free`. A wrong agent or password is
/// `TB_REJECTED`. Thread-safe.
///
/// ```c
/// tb_agent_profile *profile;
/// if (tb_ucontact_agent_login(client, &profile) == TB_OK) {
///     const char *name;
///     if (tb_agent_profile_name(profile, &name, NULL) != TB_OK)
///         name = "?";  // TB_ABSENT: the server sent no name
///     printf("logged in as %s\n", name);
///     tb_agent_profile_free(profile);
/// }
/// ```
///
/// # Safety
///
/// `c` is NULL or a live client; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_ucontact_agent_login(
    c: *mut tb_ucontact_client,
    out: *mut *mut tb_agent_profile,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        let client = unsafe { client::client(c) }?;
        strings::out_ptr(out, "out")?;
        let profile = tb_agent_profile::new(&client.agent_login()?);
        // SAFETY: checked above; the caller promises it is valid for writes.
        unsafe { strings::write_boxed(out, profile) };
        Ok(())
    })
}

/// U3: ends the cached session with `EndSession`. `TB_OK` without doing anything
/// when the client holds no session. If ending fails for a transient reason, the
/// session stays cached so ending can be tried again. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client.
#[no_mangle]
pub unsafe extern "C" fn tb_ucontact_end_session(c: *mut tb_ucontact_client) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live client.
        unsafe { client::client(c) }?.end_session()
    })
}

/// Uses a session token obtained elsewhere for the following calls (an empty
/// token is `TB_INVALID_ARGUMENT`). Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `token` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_ucontact_set_token(
    c: *mut tb_ucontact_client,
    token: *const c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::set_token(c, token, 0) }
}

/// A new handle to the same uContact client — the same connections, the same token —
/// whose calls run with `opts` (copied): an overall deadline and a cancellation
/// token. Use it for the calls those options are for, then free it with
/// `tb_ucontact_client_free` (freeing it does not end the client's session while
/// another handle of the client lives).
///
/// ```c
/// tb_cancel_token *cancel = tb_cancel_token_new();
/// tb_call_options *opts = tb_call_options_new();
/// tb_call_options_set_deadline_ms(opts, 5000);
/// tb_call_options_set_cancel_token(opts, cancel);  // another thread may cancel it
/// tb_ucontact_client *limited = NULL;
/// if (tb_ucontact_client_with_options(client, opts, &limited) == TB_OK) {
///     // ... calls on `limited` return TB_TIMEOUT past 5 s, TB_CANCELLED when cancelled
///     tb_ucontact_client_free(limited);
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
pub unsafe extern "C" fn tb_ucontact_client_with_options(
    c: *const tb_ucontact_client,
    opts: *const tb_call_options,
    out: *mut *mut tb_ucontact_client,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::with_options(c, opts, out) }
}

/// A valid uContact token: the cached session token, or a new login (with the client's
/// login kind). `out_token` receives it; free it with `tb_string_free`. Thread-safe.
///
/// # Safety
///
/// `c` is NULL or a live client; `out_token` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_ucontact_token(
    c: *mut tb_ucontact_client,
    out_token: *mut *mut c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        client::token_op(
            c,
            "uContact token",
            ("out_token", out_token),
            std::ptr::null_mut(),
            |c| c.token(),
        )
    }
}

/// Sends a request built with `tb_request_new` and its setters to the uContact
/// server with `Authorization: Basic {token}`, getting a token when needed and once
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
pub unsafe extern "C" fn tb_ucontact_send(
    c: *mut tb_ucontact_client,
    request: *const tb_request,
    out: *mut *mut tb_response,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { client::send(c, request, out) }
}
