//! `tb_yativo_webhook_verify`: checks a Yativo webhook request's signature and reads
//! its event (see [`crate::yativo::webhook`]).

use std::os::raw::c_char;

use super::answers::tb_yativo_event;
use super::error::run;
use super::{strings, tb_status};
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::yativo::webhook::{Verifier, WebhookError};

/// The most secrets one call takes (a rotation needs two).
const MAX_SECRETS: usize = 16;

/// Checks a Yativo webhook request and reads its event: the HMAC-SHA256 of the raw
/// `body` (`body_len` bytes exactly as received: a body parsed and written again no
/// longer matches) against the signature header, for each of the `secret_count`
/// secrets (one, or two during a rotation), compared in constant time.
///
/// * `header_name`: the signature header's name as received —
///   `X-Yativo-Signature`, `X-Webhook-Signature` or `Signature`, in any case.
/// * `header_value`: its value, 64 hex digits with or without `sha256=`.
/// * `out`: receives the event on success; free it with `tb_yativo_event_free`.
///
/// A request that fails the check is `TB_INVALID_ARGUMENT` naming the part that is
/// wrong — `header_name` (not a signature header), `header_value` (empty, not hex,
/// the wrong length, or no secret matched: the body was changed or signed with
/// another secret), `body` (signed, but not a Yativo event) — and answer it with
/// 401 or 400. The message never holds a secret or the MAC the body should have
/// had. The signature does not cover Yativo's `Timestamp` header: deduplicate
/// events by `tb_yativo_event_id` (delivery is at least once).
///
/// ```c
/// const char *secrets[] = {"whsec_current", "whsec_previous"};
/// tb_yativo_event *event = NULL;
/// if (tb_yativo_webhook_verify(body, body_len, "X-Yativo-Signature", signature,
///                              secrets, 2, &event) == TB_OK) {
///     const char *type, *id;
///     tb_yativo_event_type(event, &type, NULL);
///     tb_yativo_event_id(event, &id, NULL);
///     printf("%s %s\n", type, id);  // then 200 OK
///     tb_yativo_event_free(event);
/// } else {
///     char *why = tb_last_error_message();  // then 401 Unauthorized
///     fprintf(stderr, "refused a webhook: %s\n", why);
///     tb_string_free(why);
/// }
/// ```
///
/// Thread-safe.
///
/// # Safety
///
/// `body` is NULL (only with `body_len` 0) or points to `body_len` readable bytes;
/// the strings are NULL or NUL-terminated; `secrets` is NULL (only with
/// `secret_count` 0) or points to `secret_count` string pointers; `out` is NULL or
/// valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_webhook_verify(
    body: *const u8,
    body_len: usize,
    header_name: *const c_char,
    header_value: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    out: *mut *mut tb_yativo_event,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or `body_len` readable bytes, and
        // NUL-terminated strings.
        let (body, name, value) = unsafe {
            (
                strings::bytes(body, body_len, ("body", "body_len"))?,
                strings::required(header_name, "header_name")?,
                strings::required(header_value, "header_value")?,
            )
        };
        // SAFETY: as above, for the secrets.
        let secrets = unsafe { secret_list(secrets, secret_count) }?;
        strings::out_ptr(out, "out")?;
        let verifier = Verifier::new(secrets).map_err(|e| rename(e, "secrets"))?;
        let event = verifier
            .verify_header(name, value.as_bytes(), body)
            .map_err(c_error)?;
        let handle = Box::into_raw(Box::new(tb_yativo_event::new(&event)));
        // SAFETY: `out` was checked; the caller promises it is valid for writes.
        unsafe { strings::write(out, handle) };
        Ok(())
    })
}

/// The secrets as the core takes them (copied into wiped memory).
///
/// # Safety
///
/// As for [`tb_yativo_webhook_verify`]'s `secrets` and `secret_count`.
unsafe fn secret_list(ptr: *const *const c_char, count: usize) -> Result<Vec<Secret>> {
    if count == 0 {
        return Err(Error::invalid_input(
            "secret_count",
            "is 0: give at least one secret",
        ));
    }
    if count > MAX_SECRETS {
        return Err(Error::invalid_input(
            "secret_count",
            format!("{count} is more than {MAX_SECRETS} (a rotation needs two)"),
        ));
    }
    if ptr.is_null() {
        return Err(Error::invalid_input("secrets", "is NULL"));
    }
    // SAFETY: not NULL, `count` is small, and the caller promises `count` pointers.
    let list = unsafe { std::slice::from_raw_parts(ptr, count) };
    list.iter()
        .map(|&p| {
            // SAFETY: the caller promises NULL or NUL-terminated strings.
            let s = unsafe { strings::required(p, "secrets") }?;
            Ok(Secret::new(s))
        })
        .collect()
}

/// A core error about the webhook, naming the C parameter instead.
fn rename(e: Error, argument: &'static str) -> Error {
    match e {
        Error::InvalidInput { reason, .. } => Error::invalid_input(argument, reason),
        other => other,
    }
}

/// What a refused request is in C terms: the parameter that holds the bad part.
fn c_error(e: WebhookError) -> Error {
    let argument = match &e {
        WebhookError::NotASignatureHeader { .. } => "header_name",
        WebhookError::NotAnEvent { .. } => "body",
        _ => "header_value",
    };
    Error::invalid_input(argument, e.to_string())
}
