//! The bodies the answer handles' non-text getters share: a count, and an optional
//! value through an out-pointer. The text getters' body is
//! [`crate::ffi::text::accessor`].

use crate::error::Result;
use crate::ffi::error::run_status;
use crate::ffi::panic::{guard, handle};
use crate::ffi::{strings, tb_status};

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

/// The body of a getter of an optional non-text field: writes the value and
/// returns `TB_OK`, or writes `T::default()` (zero) and returns `TB_ABSENT` when the
/// answer does not have it.
///
/// # Safety
///
/// `h` is NULL or live; `out` is NULL or valid for writes.
pub(super) unsafe fn optional<H, T: Default>(
    h: *const H,
    name: &'static str,
    out: *mut T,
    pick: impl FnOnce(&H) -> Result<Option<T>>,
) -> tb_status {
    run_status(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let h = unsafe { handle(h, name) }?;
        strings::out_ptr(out, "out")?;
        let (value, status) = match pick(h)? {
            Some(v) => (v, tb_status::TB_OK),
            None => (T::default(), tb_status::TB_ABSENT),
        };
        // SAFETY: checked above; the caller promises it is valid for writes.
        unsafe { strings::write(out, value) };
        Ok(status)
    })
}
