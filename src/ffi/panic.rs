//! The panic boundary and the handle helpers, a leaf of the C ABI: [`guard`] keeps a
//! panic from unwinding into the host process (the exports with no status to return
//! use it directly; [`super::error::run`] builds the fallible exports' boundary on
//! it), [`handle`] turns a handle argument into a reference and [`free_handle`] frees
//! one. It imports nothing from the rest of `ffi`, so every module may use it.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use crate::error::{Error, Result};

/// Frees a handle made with `Box::into_raw` (NULL does nothing), never letting a
/// panic of its drop cross into the caller.
///
/// # Safety
///
/// `handle` is NULL or a pointer from `Box::into_raw`, not freed yet and used by no
/// other thread.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    guard((), || {
        if !handle.is_null() {
            // SAFETY: the caller promises a live pointer from Box::into_raw, freed once.
            drop(unsafe { Box::from_raw(handle) });
        }
    })
}

/// Runs the body of an exported function that has no status to return (frees,
/// getters): a panic gives `on_panic` instead of unwinding into the caller.
pub(crate) fn guard<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    match catch(body) {
        Ok(value) => value,
        Err(payload) => {
            // Dropping a payload runs foreign code; keep even that from unwinding.
            let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
            on_panic
        }
    }
}

/// The object behind a handle argument; NULL is an invalid-argument error naming
/// `name`.
///
/// # Safety
///
/// `ptr` is NULL or points to a live `T` that is not freed during `'a`.
pub(crate) unsafe fn handle<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T> {
    // SAFETY: the caller promises NULL or a live object.
    unsafe { ptr.as_ref() }.ok_or_else(|| Error::invalid_input(name, "is NULL"))
}

/// Runs `body`, catching a panic: its payload is the error. The one place the C ABI
/// calls `catch_unwind` for an export's body.
pub(crate) fn catch<T>(body: impl FnOnce() -> T) -> std::result::Result<T, Box<dyn Any + Send>> {
    panic::catch_unwind(AssertUnwindSafe(body))
}
