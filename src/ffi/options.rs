//! `tb_cancel_token` and `tb_call_options`: a deadline and a cancellation token for
//! calls, handed to a client with `tb_<api>_client_with_options`.

use std::time::Duration;

use super::error::run;
use super::panic::guard;
use super::tb_status;
use crate::error::{Error, Result};
use crate::http::{CallOptions, CancelToken};

/// A token that cancels the calls it is given to, from any thread. Create with
/// `tb_cancel_token_new`, trigger with `tb_cancel_token_cancel`, free with
/// `tb_cancel_token_free`.
///
/// Thread-safe: `tb_cancel_token_cancel` may be called from any thread while calls
/// given the token run on others. A cancelled call returns `TB_CANCELLED` within
/// about 100 ms, drops the connection it was using and leaves the client usable; a
/// token stays cancelled (calls given it later fail at once). Options and client
/// handles keep their own reference, so the token may be freed while they live.
pub struct tb_cancel_token(pub(crate) CancelToken);

/// Options for calls: an overall deadline and a cancellation token. Create with
/// `tb_call_options_new`, set with `tb_call_options_set_*`, apply with
/// `tb_<api>_client_with_options` (which copies them), free with
/// `tb_call_options_free`.
///
/// Not thread-safe to change: do not call setters on one options object from several
/// threads at once.
pub struct tb_call_options(pub(crate) CallOptions);

/// A new cancellation token, not cancelled. Returns NULL only if the library failed
/// internally. Free with `tb_cancel_token_free`.
///
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tb_cancel_token_new() -> *mut tb_cancel_token {
    guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(tb_cancel_token(CancelToken::new())))
    })
}

/// Cancels every call given this token (through options), now and later.
/// `tb_cancel_token_cancel(NULL)` does nothing.
///
/// Thread-safe: meant to be called from another thread than the call's.
///
/// # Safety
///
/// `token` is NULL or a live token from `tb_cancel_token_new`.
#[no_mangle]
pub unsafe extern "C" fn tb_cancel_token_cancel(token: *const tb_cancel_token) {
    guard((), || {
        // SAFETY: the caller promises NULL or a live token.
        if let Some(t) = unsafe { token.as_ref() } {
            t.0.cancel();
        }
    })
}

/// Whether the token was cancelled (false for NULL). Thread-safe.
///
/// # Safety
///
/// `token` is NULL or a live token from `tb_cancel_token_new`.
#[no_mangle]
pub unsafe extern "C" fn tb_cancel_token_is_cancelled(token: *const tb_cancel_token) -> bool {
    guard(false, || {
        // SAFETY: the caller promises NULL or a live token.
        unsafe { token.as_ref() }.is_some_and(|t| t.0.is_cancelled())
    })
}

/// Frees a token. Options and client handles it was given to keep working (they hold
/// their own reference). `tb_cancel_token_free(NULL)` does nothing.
///
/// # Safety
///
/// `token` is NULL or a token from `tb_cancel_token_new`, not freed yet, and no other
/// thread uses this pointer during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_cancel_token_free(token: *mut tb_cancel_token) {
    // SAFETY: forwarded from this function's contract.
    unsafe { super::panic::free_handle(token) }
}

/// New call options: no deadline, no cancellation token. Returns NULL only if the
/// library failed internally. Free with `tb_call_options_free`.
///
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tb_call_options_new() -> *mut tb_call_options {
    guard(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(tb_call_options(CallOptions::new())))
    })
}

/// The options behind `opts`, for a setter.
///
/// # Safety
///
/// `opts` is NULL or live and unshared during `'a`.
unsafe fn options_mut<'a>(opts: *mut tb_call_options) -> Result<&'a mut CallOptions> {
    // SAFETY: the caller promises NULL or a live, unshared object.
    match unsafe { opts.as_mut() } {
        Some(o) => Ok(&mut o.0),
        None => Err(Error::invalid_input("opts", "is NULL")),
    }
}

/// The longest a whole call may take, in milliseconds, counted from its start: a
/// login or refresh it needs, every retry and its backoff, and reading the answer (0
/// = no deadline, the default). A call past it returns `TB_TIMEOUT` naming the
/// deadline. At most 30 days.
///
/// # Safety
///
/// `opts` is NULL or live options not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_call_options_set_deadline_ms(
    opts: *mut tb_call_options,
    deadline_ms: u64,
) -> tb_status {
    run(|| {
        // SAFETY: forwarded from this function's contract.
        let o = unsafe { options_mut(opts) }?;
        const MAX_MS: u64 = 30 * 86_400 * 1000;
        o.deadline = match deadline_ms {
            0 => None,
            ms if ms <= MAX_MS => Some(Duration::from_millis(ms)),
            ms => {
                return Err(Error::invalid_input(
                    "deadline_ms",
                    format!("{ms} is more than 30 days ({MAX_MS} ms); 0 means no deadline"),
                ))
            }
        };
        Ok(())
    })
}

/// The token that cancels calls made with these options (NULL = none). The options
/// keep their own reference: the token may be freed after.
///
/// # Safety
///
/// `opts` is NULL or live options not used by another thread during the call;
/// `token` is NULL or a live token.
#[no_mangle]
pub unsafe extern "C" fn tb_call_options_set_cancel_token(
    opts: *mut tb_call_options,
    token: *const tb_cancel_token,
) -> tb_status {
    run(|| {
        // SAFETY: forwarded from this function's contract.
        let o = unsafe { options_mut(opts) }?;
        // SAFETY: the caller promises NULL or a live token.
        o.cancel = unsafe { token.as_ref() }.map(|t| t.0.clone());
        Ok(())
    })
}

/// Frees call options. Client handles made with them keep their own copy.
/// `tb_call_options_free(NULL)` does nothing.
///
/// # Safety
///
/// `opts` is NULL or options from `tb_call_options_new`, not freed yet, and unused
/// by other threads.
#[no_mangle]
pub unsafe extern "C" fn tb_call_options_free(opts: *mut tb_call_options) {
    // SAFETY: forwarded from this function's contract.
    unsafe { super::panic::free_handle(opts) }
}
