//! `tb_request`: the generic call as typed data (its answer is
//! [`super::answers::response`]). A request is built
//! with setters (method, path, query, headers, a form, JSON or raw body, an
//! idempotency key), sent with `tb_<api>_send`, and answered by a response handle
//! whose status, headers and body are read with accessors — the hyper and
//! rustls-ffi way, no JSON in between.

use std::os::raw::c_char;

use super::error::run;

use super::{strings, tb_status};
use crate::error::{Error, Result};
use crate::http::{check_value, Body, Method, Request};

/// A request for `tb_<api>_send`: a method, a path on the client's server, query
/// parameters, extra headers, a body, an idempotency key. Create with
/// `tb_request_new`, fill with `tb_request_add_*` / `tb_request_set_*`, send with
/// `tb_ucontact_send`, `tb_yativo_send` or `tb_anna_send` (as often as you like, to
/// any client), free with `tb_request_free`.
///
/// ```c
/// tb_request *req = NULL;
/// tb_response *resp = NULL;
/// if (tb_request_new("POST", "payouts", &req) == TB_OK &&
///     tb_request_set_json(req, "{\"amount\": \"10.00\", \"currency\": \"USD\"}") == TB_OK &&
///     tb_request_set_idempotency_key(req, "order-4711") == TB_OK &&
///     tb_yativo_send(client, req, &resp) == TB_OK) {
///     const uint8_t *body; size_t len;
///     tb_response_body(resp, &body, &len);
///     printf("%u: %.*s\n", tb_response_status(resp), (int)len, (const char *)body);
///     tb_response_free(resp);
/// }
/// tb_request_free(req);
/// ```
///
/// Each function checks its own arguments (`TB_INVALID_ARGUMENT` naming the
/// parameter; the request is then unchanged), except the headers, which are checked
/// when the request is sent — whether an `Authorization` may go depends on
/// `tb_request_allow_authorization_header`, which may come later. A refused header
/// is `TB_INVALID_ARGUMENT` naming it, and nothing is sent.
///
/// Not thread-safe to change: do not call setters on one request from several
/// threads at once, nor while it is being sent. A request nobody changes may be sent
/// from several threads at once.
pub struct tb_request(pub(crate) Request);

/// The request behind `request`, for a setter.
///
/// # Safety
///
/// `request` is NULL or live and unshared during `'a`.
unsafe fn request_mut<'a>(request: *mut tb_request) -> Result<&'a mut Request> {
    // SAFETY: the caller promises NULL or a live, unshared object.
    match unsafe { request.as_mut() } {
        Some(r) => Ok(&mut r.0),
        None => Err(Error::invalid_input("request", "is NULL")),
    }
}

/// Runs a setter that takes two strings.
///
/// # Safety
///
/// `request` is NULL or live and unshared during the call; the strings are NULL or
/// NUL-terminated.
unsafe fn set_pair(
    request: *mut tb_request,
    name: *const c_char,
    value: *const c_char,
    set: impl FnOnce(&mut Request, String, String),
) -> tb_status {
    run(|| {
        // SAFETY: forwarded from this function's contract.
        let r = unsafe { request_mut(request) }?;
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let (name, value) = unsafe {
            (
                strings::required(name, "name")?,
                strings::required(value, "value")?,
            )
        };
        set(r, name.to_owned(), value.to_owned());
        Ok(())
    })
}

/// A new request without query, headers or body.
///
/// * `method`: `"GET"`, `"HEAD"`, `"OPTIONS"`, `"POST"`, `"PUT"`, `"PATCH"` or
///   `"DELETE"`, any case; another is `TB_INVALID_ARGUMENT` naming `method`.
/// * `path`: relative to the client's base URL, e.g. `"payouts"` or
///   `"Integra/resources/Dialers/DialerTask"`, without query (give it with
///   `tb_request_add_query`). An empty path, a full URL (it would carry the token
///   elsewhere), spaces or control characters are `TB_INVALID_ARGUMENT` naming `path`.
/// * `out`: receives the request on success; free it with `tb_request_free`.
///
/// Thread-safe.
///
/// # Safety
///
/// The strings are NULL or NUL-terminated; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_request_new(
    method: *const c_char,
    path: *const c_char,
    out: *mut *mut tb_request,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or NUL-terminated strings.
        let (method, path) = unsafe {
            (
                strings::required(method, "method")?,
                strings::required(path, "path")?,
            )
        };
        let request = Request::new(Method::parse(method)?, path);
        // The core's own check of the path, now rather than at every send.
        request.check()?;
        strings::out_ptr(out, "out")?;
        // SAFETY: `out` was checked and the caller promises it is valid for writes.
        unsafe { strings::write_boxed(out, tb_request(request)) };
        Ok(())
    })
}

/// Adds a query parameter, percent-encoded when sent (`?name=value&...`, in the order
/// added; a name may repeat). Empty names and values are sent as they are.
///
/// # Safety
///
/// `request` is NULL or a live request not used by another thread during the call;
/// the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_request_add_query(
    request: *mut tb_request,
    name: *const c_char,
    value: *const c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_pair(request, name, value, |r, n, v| r.query.push((n, v))) }
}

/// Adds a header, sent after the client's own (in the order added; a name may
/// repeat). Checked when the request is sent, where a refusal is
/// `TB_INVALID_ARGUMENT` naming `header` (and the header) and nothing is sent: a name that is not an
/// HTTP token (an empty one too); `Host`, `Content-Length`, `Transfer-Encoding`,
/// `Connection`, `TE` and `Upgrade` (tokenbridge sets them); a value holding CR or LF
/// or longer than 8192 bytes; `Authorization` unless
/// `tb_request_allow_authorization_header(request, true)` was called.
///
/// # Safety
///
/// `request` is NULL or a live request not used by another thread during the call;
/// the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_request_add_header(
    request: *mut tb_request,
    name: *const c_char,
    value: *const c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { set_pair(request, name, value, |r, n, v| r.headers.push((n, v))) }
}

/// Adds a field to a form body, sent as `application/x-www-form-urlencoded` with the
/// fields in the order added (a name may repeat; empty names and values are sent as
/// they are). When the body is a JSON or raw body, this replaces it with a form of
/// this one field.
///
/// # Safety
///
/// `request` is NULL or a live request not used by another thread during the call;
/// the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_request_add_form_field(
    request: *mut tb_request,
    name: *const c_char,
    value: *const c_char,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set_pair(request, name, value, |r, n, v| match &mut r.body {
            Body::Form(fields) => fields.push((n, v)),
            other => *other = Body::Form(vec![(n, v)]),
        })
    }
}

/// Sets a JSON body, sent as `application/json`: `json` is checked here (invalid
/// JSON, an empty string too, is `TB_INVALID_ARGUMENT` naming `json`, without
/// quoting it) and sent as the same JSON value (whitespace and the order of object
/// keys may differ). Replaces any body set before (form fields included).
///
/// # Safety
///
/// `request` is NULL or a live request not used by another thread during the call;
/// `json` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_request_set_json(
    request: *mut tb_request,
    json: *const c_char,
) -> tb_status {
    run(|| {
        // SAFETY: forwarded from this function's contract.
        let r = unsafe { request_mut(request) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let text = unsafe { strings::required(json, "json") }?;
        let value = serde_json::from_str(text).map_err(|e| {
            // serde_json's position, never the text (it may hold secrets).
            let what = match e.classify() {
                serde_json::error::Category::Eof => "unexpected end",
                _ => "syntax error",
            };
            Error::invalid_input(
                "json",
                format!(
                    "is not valid JSON: {what} at line {} column {}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        r.body = Body::Json(value);
        Ok(())
    })
}

/// Sets a body of bytes sent as they are, with `Content-Type: content_type`: `len`
/// bytes from `bytes` (copied; they may hold NUL). `bytes` may be NULL only when
/// `len` is 0 (an empty body). An empty content type, one with a control character
/// or over 8192 bytes is `TB_INVALID_ARGUMENT` naming `content_type`. Replaces any
/// body set before (form fields included).
///
/// # Safety
///
/// `request` is NULL or a live request not used by another thread during the call;
/// `content_type` is NULL or NUL-terminated; `bytes` is NULL or valid for reads of
/// `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn tb_request_set_body(
    request: *mut tb_request,
    content_type: *const c_char,
    bytes: *const u8,
    len: usize,
) -> tb_status {
    run(|| {
        // SAFETY: forwarded from this function's contract.
        let r = unsafe { request_mut(request) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let content_type = unsafe { strings::required(content_type, "content_type") }?;
        if content_type.trim().is_empty() {
            return Err(Error::invalid_input(
                "content_type",
                "must not be empty (e.g. \"application/octet-stream\")",
            ));
        }
        check_value("content_type", content_type)?;
        // SAFETY: the caller promises NULL or `len` readable bytes.
        let bytes = unsafe { strings::bytes(bytes, len, ("bytes", "len")) }?.to_vec();
        r.body = Body::Raw {
            content_type: content_type.to_owned(),
            bytes,
        };
        Ok(())
    })
}

/// Sends `Idempotency-Key: idempotency_key` (the same on every retry of the call,
/// and on every send of this request) and makes a POST or PATCH safe to retry: the
/// server answers a repeat with its first answer instead of acting twice. Without
/// one, Yativo POSTs get a fresh UUID v4 key per send. An empty key (or only
/// spaces), one with a control character or over 8192 bytes is
/// `TB_INVALID_ARGUMENT` naming `idempotency_key`. Replaces a key set before.
///
/// # Safety
///
/// `request` is NULL or a live request not used by another thread during the call;
/// `idempotency_key` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn tb_request_set_idempotency_key(
    request: *mut tb_request,
    idempotency_key: *const c_char,
) -> tb_status {
    run(|| {
        // SAFETY: forwarded from this function's contract.
        let r = unsafe { request_mut(request) }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let key = unsafe { strings::required(idempotency_key, "idempotency_key") }?;
        if key.trim().is_empty() {
            return Err(Error::invalid_input("idempotency_key", "must not be empty"));
        }
        check_value("idempotency_key", key)?;
        r.idempotency_key = Some(key.to_owned());
        Ok(())
    })
}

/// Whether a header `Authorization` added with `tb_request_add_header` may replace
/// the client's token (for a resource that takes another credential). The call then
/// needs no login, and a 401 to it is `TB_UNAUTHORIZED` at once (no new login is
/// tried: the credential is yours). Off by default, so that a header copied from
/// elsewhere cannot silently replace the client's.
///
/// # Safety
///
/// `request` is NULL or a live request not used by another thread during the call.
#[no_mangle]
pub unsafe extern "C" fn tb_request_allow_authorization_header(
    request: *mut tb_request,
    allow: bool,
) -> tb_status {
    run(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { request_mut(request) }?.own_authorization = allow;
        Ok(())
    })
}

/// Frees a request. Responses to it stay valid. `tb_request_free(NULL)` does nothing.
///
/// # Safety
///
/// `request` is NULL or a request from `tb_request_new`, not freed yet, and no other
/// thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_request_free(request: *mut tb_request) {
    // SAFETY: forwarded from this function's contract.
    unsafe { super::panic::free_handle(request) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::ptr;

    fn new_request(method: &CStr, path: &CStr) -> *mut tb_request {
        let mut out = ptr::null_mut();
        // SAFETY: static C strings and a local out-pointer.
        let s = unsafe { tb_request_new(method.as_ptr(), path.as_ptr(), &mut out) };
        assert_eq!(s, tb_status::TB_OK);
        out
    }

    #[test]
    fn a_setter_of_another_body_kind_replaces_the_body() {
        let r = new_request(c"post", c"x");
        // SAFETY: a live request and static C strings.
        unsafe {
            assert_eq!(tb_request_set_json(r, c"[1]".as_ptr()), tb_status::TB_OK);
            tb_request_add_form_field(r, c"a".as_ptr(), c"1".as_ptr());
            tb_request_add_form_field(r, c"b".as_ptr(), c"2".as_ptr());
            assert_eq!(
                (*r).0.body,
                Body::Form(vec![("a".into(), "1".into()), ("b".into(), "2".into())])
            );
            assert_eq!(
                tb_request_set_body(r, c"text/plain".as_ptr(), ptr::null(), 0),
                tb_status::TB_OK
            );
            assert_eq!(
                (*r).0.body,
                Body::Raw {
                    content_type: "text/plain".into(),
                    bytes: Vec::new()
                }
            );
            assert_eq!(
                tb_request_set_body(r, c"text/plain".as_ptr(), ptr::null(), 3),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert_eq!((*r).0.method, Method::Post);
            tb_request_free(r);
        }
    }

    #[test]
    fn bad_json_is_named_and_not_quoted() {
        let r = new_request(c"GET", c"x");
        // SAFETY: a live request and a static C string.
        let s = unsafe { tb_request_set_json(r, c"{\"secret\": \"hunter2".as_ptr()) };
        assert_eq!(s, tb_status::TB_INVALID_ARGUMENT);
        let msg = super::super::error::last_message_for_tests().unwrap();
        assert!(msg.contains("`json`"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
        // SAFETY: a live request.
        unsafe { tb_request_free(r) };
    }
}
