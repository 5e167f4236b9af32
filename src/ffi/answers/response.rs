//! `tb_response`: the answer to `tb_<api>_send` (the generic call).

use std::os::raw::c_char;

use super::read::count;
use crate::ffi::error::run;
use crate::ffi::panic::{free_handle, guard, handle};
use crate::ffi::text::{Fields, Text};
use crate::ffi::{strings, tb_status};
use crate::http::Response;

/// The answer to `tb_<api>_send`: the HTTP status, the headers (names lower-cased;
/// the values of a name that came several times next to each other, in the order
/// they came) and the body, as they came, whatever the status. Read with
/// `tb_response_status`, `tb_response_body`, `tb_response_header_count`,
/// `tb_response_header_at` and `tb_response_header`; free with `tb_response_free`.
///
/// Everything these accessors give is borrowed from the response: valid, unchanged,
/// until `tb_response_free`, and never freed by the caller. Header names and values
/// are NUL-terminated UTF-8 (a value that was not UTF-8 has U+FFFD in place of the
/// bad bytes) and come with their length (`strlen` of the text). The body is bytes
/// (it may hold NUL) with a length, followed by one NUL byte not counted in the
/// length, so that a text body can be read as a C string.
///
/// Thread-safe: a response never changes, so any thread may read it, several at
/// once; do not free it while another thread reads it.
pub struct tb_response {
    status: u16,
    headers: Fields,
    body: Text,
}

impl tb_response {
    /// The handle for a core answer.
    pub(crate) fn new(response: Response) -> tb_response {
        let Response {
            status,
            headers,
            body,
        } = response;
        tb_response {
            status,
            headers: Fields::headers(headers),
            body: Text::new(body),
        }
    }
}

/// The response's HTTP status (0 for NULL).
///
/// # Safety
///
/// `response` is NULL or a live response.
#[no_mangle]
pub unsafe extern "C" fn tb_response_status(response: *const tb_response) -> u16 {
    guard(0, || {
        // SAFETY: the caller promises NULL or a live response.
        unsafe { response.as_ref() }.map_or(0, |r| r.status)
    })
}

/// The response's body, borrowed: `*out_bytes` points to `*out_len` bytes (they may
/// hold NUL), followed by a NUL byte not counted in `*out_len`. Never NULL on
/// success: an empty body (a HEAD, a 204) gives a pointer to that NUL and length 0.
/// Valid until `tb_response_free`; never free it.
///
/// # Safety
///
/// `response` is NULL or a live response; the out-pointers are NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn tb_response_body(
    response: *const tb_response,
    out_bytes: *mut *const u8,
    out_len: *mut usize,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live response.
        let r = unsafe { handle(response, "response") }?;
        strings::out_ptr(out_bytes, "out_bytes")?;
        strings::out_ptr(out_len, "out_len")?;
        // SAFETY: both out-pointers were checked and the caller promises they are
        // valid for writes.
        unsafe {
            strings::write(out_bytes, r.body.as_bytes().as_ptr());
            strings::write(out_len, r.body.as_bytes().len());
        }
        Ok(())
    })
}

/// How many headers the response has (0 for NULL). Indexes for
/// `tb_response_header_at` run from 0 to this minus 1.
///
/// # Safety
///
/// `response` is NULL or a live response.
#[no_mangle]
pub unsafe extern "C" fn tb_response_header_count(response: *const tb_response) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { count(response, |r| r.headers.len()) }
}

/// The header at `index` (0 = the first), borrowed: `*out_name` (lower
/// case) and `*out_value` are NUL-terminated, valid until `tb_response_free`;
/// `*out_name_len` and `*out_value_len` (optional, may be NULL) receive their lengths.
/// An index past the last header is `TB_INVALID_ARGUMENT` naming `index`.
///
/// ```c
/// for (size_t i = 0; i < tb_response_header_count(resp); i++) {
///     const char *name, *value;
///     if (tb_response_header_at(resp, i, &name, NULL, &value, NULL) == TB_OK)
///         printf("%s: %s\n", name, value);
/// }
/// ```
///
/// # Safety
///
/// `response` is NULL or a live response; the out-pointers are NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn tb_response_header_at(
    response: *const tb_response,
    index: usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
    out_value: *mut *const c_char,
    out_value_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        Fields::field_at(
            response,
            "response",
            (index, "index"),
            (out_name, out_name_len),
            (out_value, out_value_len),
            |r| Ok(&r.headers),
        )
    }
}

/// The value of the first header called `name` (compared without regard to ASCII
/// case), borrowed and NUL-terminated, valid until `tb_response_free`;
/// `*out_value_len` (optional, may be NULL) receives its length. A header the
/// response does not have is `TB_ABSENT` with `*out_value = NULL` (and
/// `*out_value_len = 0`). For a header that came several times, walk
/// `tb_response_header_at`.
///
/// # Safety
///
/// `response` is NULL or a live response; `name` is NULL or NUL-terminated; the
/// out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_response_header(
    response: *const tb_response,
    name: *const c_char,
    out_value: *mut *const c_char,
    out_value_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        Fields::getter(
            response,
            "response",
            name,
            ("out_value", out_value),
            out_value_len,
            |r| Ok(&r.headers),
        )
    }
}

/// Frees a response; the pointers its accessors gave become invalid. The body and
/// header values are overwritten first (they may hold tokens).
/// `tb_response_free(NULL)` does nothing.
///
/// # Safety
///
/// `response` is NULL or a response from `tb_<api>_send`, not freed yet, and no
/// other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_response_free(response: *mut tb_response) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(response) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::ptr;

    #[test]
    fn response_accessors_borrow_from_the_handle() {
        let resp = tb_response::new(Response {
            status: 201,
            headers: vec![("x-dup".into(), "1".into()), ("x-dup".into(), "2".into())],
            body: b"a\0b".to_vec(),
        });
        let resp = Box::into_raw(Box::new(resp));
        let (mut bytes, mut len) = (ptr::null(), 0usize);
        let mut value = ptr::null();
        // SAFETY: a live response and local out-pointers.
        unsafe {
            assert_eq!(tb_response_status(resp), 201);
            assert_eq!(
                tb_response_body(resp, &mut bytes, &mut len),
                tb_status::TB_OK
            );
            assert_eq!(std::slice::from_raw_parts(bytes, len + 1), b"a\0b\0");
            assert_eq!(
                tb_response_header(resp, c"X-DUP".as_ptr(), &mut value, &mut len),
                tb_status::TB_OK
            );
            assert_eq!(CStr::from_ptr(value).to_str().unwrap(), "1");
            assert_eq!(len, 1);
            assert_eq!(
                tb_response_header(resp, c"absent".as_ptr(), &mut value, ptr::null_mut()),
                tb_status::TB_ABSENT
            );
            assert!(value.is_null());
            let mut name = ptr::null();
            assert_eq!(
                tb_response_header_at(
                    resp,
                    2,
                    &mut name,
                    ptr::null_mut(),
                    &mut value,
                    ptr::null_mut()
                ),
                tb_status::TB_INVALID_ARGUMENT
            );
            assert!(name.is_null());
            tb_response_free(resp);
        }
    }
}
