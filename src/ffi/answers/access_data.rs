//! `tb_access_data` (A2, A3): a user's chat access.

use std::os::raw::c_char;

use super::read::optional;
use super::values::tb_datetime;
use crate::anna::AccessData;
use crate::ffi::panic::free_handle;
use crate::ffi::tb_status;
use crate::ffi::text::{self, Text};

/// A user's chat access from `tb_anna_user_hash` or `tb_anna_user_hash_forced`
/// (A2, A3). Free it with `tb_access_data_free`. Read-only: any number of threads
/// may read one at once. Its text fields are always present (never `TB_ABSENT`): as
/// in the Rust model, a URL the server left out is the empty string (length 0);
/// without a hash the call fails with `TB_UNEXPECTED_RESPONSE`.
pub struct tb_access_data {
    hash: Text,
    chat_url: Text,
    embedded_url: Text,
    expires: Option<tb_datetime>,
    expires_raw: Text,
    raw: Text,
}

impl tb_access_data {
    pub(crate) fn new(a: &AccessData) -> Self {
        tb_access_data {
            hash: Text::new(a.hash.expose()),
            chat_url: Text::new(a.chat_url.as_str()),
            embedded_url: Text::new(a.embedded_url.as_str()),
            expires: a.expires.map(|t| {
                let d = t.date();
                tb_datetime {
                    year: d.year().into(),
                    month: d.month().into(),
                    day: d.day().into(),
                    hour: t.hour().into(),
                    minute: t.minute().into(),
                    second: t.second().into(),
                }
            }),
            expires_raw: Text::new(a.expires_raw.as_str()),
            raw: Text::json(a.raw()),
        }
    }
}

/// `Hash`: the user's access hash (a credential: do not log it); lent (see
/// "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_hash(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { text::accessor(data, "data", ("out", out), out_len, |a| Ok(Some(&a.hash))) }
}

/// `ChatURL`: the URL that opens the user's chat (it carries the hash); lent (see
/// "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_chat_url(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out", out), out_len, |a| {
            Ok(Some(&a.chat_url))
        })
    }
}

/// `EmbeddedURL`: the URL for an embedded chat; lent (see "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_embedded_url(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out", out), out_len, |a| {
            Ok(Some(&a.embedded_url))
        })
    }
}

/// `Expires` as numbers, in the server's local time (AnnA sends no zone): `TB_OK`
/// and `*out` set when the server wrote a `YYYYMMDDhhmmss` date; `TB_ABSENT` (and
/// `*out` zeroed) when it wrote something else or nothing (read it with
/// `tb_access_data_expires_raw`). A leap second is second 60, as sent.
///
/// ```c
/// tb_datetime when;
/// if (tb_access_data_expires(data, &when) == TB_OK)
///     printf("valid until %04d-%02d-%02d %02d:%02d\n", when.year, when.month,
///            when.day, when.hour, when.minute);
/// ```
///
/// # Safety
///
/// `data` is NULL or live; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_expires(
    data: *const tb_access_data,
    out: *mut tb_datetime,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(data, "data", out, |a| Ok(a.expires)) }
}

/// `Expires` as the server wrote it (normally `YYYYMMDDhhmmss`); lent (see
/// "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_expires_raw(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out", out), out_len, |a| {
            Ok(Some(&a.expires_raw))
        })
    }
}

/// The escape hatch: the `accessData` object as the server sent it, as JSON text
/// (it holds the hash); lent (see "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_raw_json(
    data: *const tb_access_data,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out_json", out_json), out_len, |a| {
            Ok(Some(&a.raw))
        })
    }
}

/// Frees access data (its text is wiped first); the strings it lent become invalid.
/// `tb_access_data_free(NULL)` does nothing.
///
/// # Safety
///
/// `data` is NULL or access data from this library, not freed yet, and no other
/// thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_free(data: *mut tb_access_data) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(data) }
}
