//! The bodies the answer handles' non-text getters share: a value through an
//! out-pointer, a count, an optional value. The text getters' body is
//! [`crate::ffi::text::accessor`].

use crate::error::Result;
use crate::ffi::error::run;
use crate::ffi::panic::{guard, handle};
use crate::ffi::{strings, tb_status};

/// Writes an enum-or-number answer through a checked out-pointer, after checking
/// the handle: the body of the typed (non-text) accessors.
///
/// # Safety
///
/// `h` is NULL or a live handle; `out` is NULL or valid for writes.
pub(super) unsafe fn value_accessor<H, T>(
    h: *const H,
    name: &'static str,
    out: *mut T,
    pick: impl FnOnce(&H) -> Result<T>,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let h = unsafe { handle(h, name) }?;
        strings::out_ptr(out, "out")?;
        let value = pick(h)?;
        // SAFETY: checked above; the caller promises it is valid for writes.
        unsafe { strings::write(out, value) };
        Ok(())
    })
}

/// A count read from a handle (0 for NULL): the body of the `_count` accessors.
///
/// # Safety
///
/// `h` is NULL or live.
pub(super) unsafe fn count<H>(h: *const H, pick: impl FnOnce(&H) -> usize) -> usize {
    guard(0, || {
        // SAFETY: the caller promises NULL or a live handle.
        unsafe { h.as_ref() }.map_or(0, pick)
    })
}

/// Writes an optional value and says whether there was one (false for NULL
/// arguments).
///
/// # Safety
///
/// `h` is NULL or live; `out` is NULL or valid for writes.
pub(super) unsafe fn known<H, T>(
    h: *const H,
    out: *mut T,
    pick: impl FnOnce(&H) -> Option<T>,
) -> bool {
    guard(false, || {
        // SAFETY: the caller promises NULL or a live handle.
        match (unsafe { h.as_ref() }.and_then(pick), out.is_null()) {
            (Some(n), false) => {
                // SAFETY: not NULL; the caller promises it is valid for writes.
                unsafe { strings::write(out, n) };
                true
            }
            _ => false,
        }
    })
}
