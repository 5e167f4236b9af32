//! C strings in and out, and out-pointers.
//!
//! Strings in are borrowed for the duration of the call and must be NUL-terminated
//! UTF-8. Strings out are `CString`s handed over with `into_raw` and taken back
//! only by `tb_string_free`.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use zeroize::Zeroize;

use crate::error::{Error, Result};

/// A required string argument: NULL or invalid UTF-8 is an invalid-argument error
/// naming `name`.
///
/// # Safety
///
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
pub(crate) unsafe fn required<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str> {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(ptr, name) }?.ok_or_else(|| Error::invalid_input(name, "is NULL"))
}

/// An optional string argument: NULL is `None`; invalid UTF-8 is an
/// invalid-argument error naming `name`.
///
/// # Safety
///
/// As for [`required`].
pub(crate) unsafe fn optional<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: not NULL, and the caller promises a NUL-terminated string valid for 'a.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map(Some).map_err(|e| {
        Error::invalid_input(
            name,
            format!(
                "is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A byte buffer argument: `len` bytes at `ptr`, borrowed for the call. `ptr` may be
/// NULL only with `len` 0 (an empty buffer); the errors name `names.0` (the
/// pointer) or `names.1` (the length).
///
/// # Safety
///
/// `ptr` is NULL or points to `len` readable bytes that stay unchanged for `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    names: (&'static str, &'static str),
) -> Result<&'a [u8]> {
    match (ptr.is_null(), len) {
        (_, 0) => Ok(&[]),
        (true, _) => Err(Error::invalid_input(
            names.0,
            format!(
                "is NULL with {} {len} (NULL is only for an empty one)",
                names.1
            ),
        )),
        (false, n) if n > isize::MAX as usize => Err(Error::invalid_input(
            names.1,
            format!("{n} is more than any buffer can hold"),
        )),
        // SAFETY: not NULL, `len` fits a slice, and the caller promises `len`
        // readable bytes that outlive 'a.
        (false, _) => Ok(unsafe { std::slice::from_raw_parts(ptr, len) }),
    }
}

/// Checks that an out-pointer is not NULL, before any work is done.
pub(crate) fn out_ptr<T>(ptr: *mut T, name: &'static str) -> Result<()> {
    if ptr.is_null() {
        Err(Error::invalid_input(name, "is NULL"))
    } else {
        Ok(())
    }
}

/// A string ready to be handed to C: text with a NUL inside cannot be a C string,
/// so it is an unexpected-response error (the text came from the server). An owned
/// `String` is moved, not copied, so no unwiped copy of a secret is left behind.
pub(crate) fn c_string(
    text: impl Into<Vec<u8>>,
    operation: &'static str,
    what: &str,
) -> Result<CString> {
    CString::new(text).map_err(|e| {
        let at = e.nul_position();
        // The rejected bytes may be a token: wipe them too.
        let mut bytes = e.into_vec();
        bytes.zeroize();
        Error::UnexpectedResponse {
            operation,
            status: 0,
            expected: format!("{what} without NUL characters (C strings cannot hold them)"),
            excerpt: format!("a NUL character at byte {at}"),
        }
    })
}

/// A C string for a message: NUL characters become U+FFFD (messages must always
/// reach the caller).
pub(crate) fn lossy_c_string(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Stores `value` through an out-pointer, handing ownership to the caller.
///
/// # Safety
///
/// `out` was checked with [`out_ptr`] and is valid for a write of a `T`.
pub(crate) unsafe fn write<T>(out: *mut T, value: T) {
    // SAFETY: the caller promises a valid, aligned, writable pointer; `write` does
    // not read or drop the old (possibly uninitialised) value.
    unsafe { out.write(value) }
}

/// Stores `value` through an optional out-pointer (NULL: the value is dropped).
///
/// # Safety
///
/// `out` is NULL or valid for a write of a `T`.
pub(crate) unsafe fn write_optional<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: not NULL, and the caller promises it is valid for a write.
        unsafe { out.write(value) }
    }
}

/// Hands a string to C: the caller frees it with `tb_string_free`.
///
/// # Safety
///
/// As for [`write`].
pub(crate) unsafe fn write_string(out: *mut *mut c_char, value: CString) {
    // SAFETY: forwarded from this function's contract.
    unsafe { write(out, value.into_raw()) }
}

/// Hands a new handle to C: the caller frees it with the handle's `_free`.
///
/// # Safety
///
/// As for [`write`].
pub(crate) unsafe fn write_boxed<T>(out: *mut *mut T, value: T) {
    // SAFETY: forwarded from this function's contract.
    unsafe { write(out, Box::into_raw(Box::new(value))) }
}

/// Takes back and wipes a string made by [`write_string`] or `into_raw`.
///
/// # Safety
///
/// `s` is NULL or came from `CString::into_raw` in this library and was not freed.
pub(crate) unsafe fn free_string(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    // SAFETY: the caller promises `s` came from `CString::into_raw` and is freed
    // only now; `from_raw` restores the original allocation.
    let owned = unsafe { CString::from_raw(s) };
    let mut bytes = owned.into_bytes_with_nul();
    bytes.zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked_and_named() {
        // SAFETY: NULL is allowed.
        let e = unsafe { required(std::ptr::null(), "password") }.unwrap_err();
        assert_eq!(e.to_string(), "invalid argument `password`: is NULL");
        let bad = c"ab\xffcd";
        // SAFETY: a static C string.
        let e = unsafe { required(bad.as_ptr(), "user") }.unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid argument `user`: is not valid UTF-8 (bad byte at offset 2)"
        );
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { optional(std::ptr::null(), "x") }.unwrap(), None);
        // SAFETY: a static C string.
        assert_eq!(unsafe { required(c"é".as_ptr(), "x") }.unwrap(), "é");
    }

    #[test]
    fn interior_nul_is_an_unexpected_response() {
        let e = c_string("abc\0def", "AnnA GetToken", "the token").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::UnexpectedResponse);
        assert!(e.to_string().contains("NUL"), "{e}");
        assert!(!e.to_string().contains("def"), "{e}");
        assert_eq!(lossy_c_string("a\0b").to_str().unwrap(), "a\u{FFFD}b");
    }
}
