//! What the three client handles share, written once: creating and freeing a
//! handle, its token, `set_token`, `with_options` and the generic call (`send`).
//! The per-vendor files keep only their `extern "C"` signatures (the header's
//! declarations, with their docs), their [`Handle`] impl and their typed
//! operations; each of these exports is one call into here.

use std::os::raw::c_char;

use super::answers::tb_response;
use super::config::{config_or_default, tb_config};
use super::error::run;
use super::options::tb_call_options;
use super::panic::handle;
use super::request::tb_request;
use super::{strings, tb_status};
use crate::client::{Client, Vendor};
use crate::error::Result;

/// A C handle around a client of one vendor.
pub(crate) trait Handle: Sized {
    /// The vendor whose client the handle holds.
    type V: Vendor;
    /// The handle for a new client.
    fn wrap(client: Client<Self::V>) -> Self;
    /// The client inside.
    fn client(&self) -> &Client<Self::V>;
}

/// The client behind a handle argument `c`; NULL is `TB_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `c` is NULL or a live handle not freed during `'a`.
pub(crate) unsafe fn client<'a, H: Handle + 'a>(c: *mut H) -> Result<&'a Client<H::V>> {
    // SAFETY: forwarded from this function's contract.
    unsafe { handle(c, "c") }.map(H::client)
}

/// Builds a client from checked arguments and writes its handle to `out`.
///
/// # Safety
///
/// `cfg` is NULL or a live config; `out` is NULL or valid for writes.
pub(crate) unsafe fn create<H: Handle>(
    cfg: *const tb_config,
    server: &str,
    credentials: <H::V as Vendor>::Credentials,
    out: *mut *mut H,
) -> Result<()> {
    strings::out_ptr(out, "out")?;
    // SAFETY: the caller promises NULL or a live config.
    let config = unsafe { config_or_default(cfg) };
    let client = Client::<H::V>::new(server, credentials, &config)?;
    // SAFETY: `out` was checked and the caller promises it is valid for writes.
    unsafe { strings::write_boxed(out, H::wrap(client)) };
    Ok(())
}

/// A new handle to the same client (same pool, same token) whose calls run with
/// these options.
///
/// # Safety
///
/// `c` is NULL or a live handle; `opts` is NULL or live options; `out` is NULL or
/// valid for writes.
pub(crate) unsafe fn with_options<H: Handle>(
    c: *const H,
    opts: *const tb_call_options,
    out: *mut *mut H,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let client = unsafe { handle(c, "c") }?.client();
        // SAFETY: the caller promises NULL or live options.
        let opts = unsafe { handle(opts, "opts") }?;
        strings::out_ptr(out, "out")?;
        let wrapped = H::wrap(client.with_options(opts.0.clone()));
        // SAFETY: `out` was checked and the caller promises it is valid for writes.
        unsafe { strings::write_boxed(out, wrapped) };
        Ok(())
    })
}

/// Runs an operation that gives a token (a login, a refresh, `token()`) and writes
/// the token and, when `out_expires_at` is not NULL, its expiry in Unix seconds (0
/// when unknown).
///
/// # Safety
///
/// `c` is NULL or a live handle; the out-pointers are NULL or valid for writes.
pub(crate) unsafe fn token_op<H: Handle>(
    c: *mut H,
    operation: &'static str,
    (out_name, out_token): (&'static str, *mut *mut c_char),
    out_expires_at: *mut i64,
    op: impl FnOnce(&Client<H::V>) -> Result<<H::V as Vendor>::Token>,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let client = unsafe { client(c) }?;
        strings::out_ptr(out_token, out_name)?;
        let token = op(client)?;
        let secret = H::V::auth(&token)
            .parts()
            .map(|(_, s)| s.expose())
            .unwrap_or("");
        let text = strings::c_string(secret, operation, "a token")?;
        let expires = H::V::expiry(&token).map_or(0, super::unix_seconds);
        // SAFETY: `out_token` was checked; the caller promises valid pointers.
        unsafe {
            strings::write_string(out_token, text);
            strings::write_optional(out_expires_at, expires);
        }
        Ok(())
    })
}

/// Hands the client a token obtained elsewhere.
///
/// # Safety
///
/// `c` is NULL or a live handle; `token` is NULL or NUL-terminated.
pub(crate) unsafe fn set_token<H: Handle>(
    c: *mut H,
    token: *const c_char,
    expires_at: i64,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let client = unsafe { client(c) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let token = unsafe { strings::required(token, "token") }?;
        client.set_token(token, super::expires_at_arg(expires_at)?)
    })
}

/// The generic call with a request built by `tb_request_*`; the answer, whatever its
/// status but a 401 after the new login, as a response handle.
///
/// # Safety
///
/// `c` is NULL or a live handle; `request` is NULL or a live request not changed
/// during the call; `out` is NULL or valid for writes.
pub(crate) unsafe fn send<H: Handle>(
    c: *mut H,
    request: *const tb_request,
    out: *mut *mut tb_response,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let client = unsafe { client(c) }?;
        // SAFETY: the caller promises NULL or a live request.
        let request = unsafe { handle(request, "request") }?;
        strings::out_ptr(out, "out")?;
        let response = tb_response::new(client.send(&request.0)?);
        // SAFETY: `out` was checked and the caller promises it is valid for writes.
        unsafe { strings::write_boxed(out, response) };
        Ok(())
    })
}
