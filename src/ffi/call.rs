//! The generic authenticated calls (`tb_ucontact_call`, `tb_yativo_call`,
//! `tb_anna_call`): arguments in, status and body out.

use std::os::raw::c_char;

use super::{json, strings};
use crate::error::{Error, Result};
use crate::http::{Body, Method, Response};

/// How the `body` argument of a `tb_*_call` is sent.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tb_body_kind {
    /// No body; `body` must be NULL or `""`.
    TB_BODY_NONE = 0,
    /// `body` is a JSON object whose values are strings, e.g.
    /// `{"campaign": "Sales", "phone": "+598 99 123 456"}`, sent as
    /// `application/x-www-form-urlencoded` fields in the object's order.
    TB_BODY_FORM = 1,
    /// `body` is JSON text, checked and sent as `application/json` (the same JSON
    /// value; whitespace and the order of object keys may differ).
    TB_BODY_JSON = 2,
}

/// A [`tb_body_kind`] as it comes from C: any 32-bit number (the header declares
/// it as `tb_body_kind`); out-of-range numbers are `TB_INVALID_ARGUMENT`.
pub type tb_body_kind_raw = i32;

/// Checks the arguments of a generic call, sends it with `send`, and writes the
/// answer's status and body (only when everything succeeded).
///
/// # Safety
///
/// `method`, `path` and `body` are NULL or NUL-terminated strings; `out_status`
/// and `out_body` are NULL or valid for writes.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn generic(
    operation: &'static str,
    method: *const c_char,
    path: *const c_char,
    kind: tb_body_kind_raw,
    body: *const c_char,
    out_status: *mut u16,
    out_body: *mut *mut c_char,
    send: impl FnOnce(Method, &str, Body) -> Result<Response>,
) -> Result<()> {
    // SAFETY: the caller promises NULL or NUL-terminated strings.
    let method = Method::parse(unsafe { strings::required(method, "method") }?)?;
    // SAFETY: as above.
    let path = unsafe { strings::required(path, "path") }?;
    // SAFETY: as above.
    let body_text = unsafe { strings::optional(body, "body") }?;
    let body = match kind {
        k if k == tb_body_kind::TB_BODY_NONE as i32 => match body_text {
            None | Some("") => Body::None,
            Some(_) => {
                return Err(Error::invalid_input(
                    "body",
                    "must be NULL or empty when kind is TB_BODY_NONE",
                ))
            }
        },
        k if k == tb_body_kind::TB_BODY_FORM as i32 => Body::Form(json::form_fields(
            body_text.ok_or_else(|| Error::invalid_input("body", "is NULL"))?,
        )?),
        k if k == tb_body_kind::TB_BODY_JSON as i32 => Body::Json(json::json_body(
            body_text.ok_or_else(|| Error::invalid_input("body", "is NULL"))?,
        )?),
        other => {
            return Err(Error::invalid_input(
                "kind",
                format!(
                    "{other} is not a tb_body_kind (0 = TB_BODY_NONE, 1 = TB_BODY_FORM, 2 = TB_BODY_JSON)"
                ),
            ))
        }
    };
    strings::out_ptr(out_status, "out_status")?;
    strings::out_ptr(out_body, "out_body")?;
    let response = send(method, path, body)?;
    let status = response.status;
    let body = response.text()?.to_owned();
    let text = strings::c_string(body, operation, "a response body").map_err(|e| match e {
        Error::UnexpectedResponse {
            operation,
            expected,
            excerpt,
            ..
        } => Error::UnexpectedResponse {
            operation,
            status,
            expected,
            excerpt,
        },
        other => other,
    })?;
    // SAFETY: both out-pointers were checked above and the caller promises they
    // are valid for writes.
    unsafe {
        strings::write(out_status, status);
        strings::write_string(out_body, text);
    }
    Ok(())
}
