//! The C ABI: `tb_*` functions over the safe core, for C, C++, .NET, Java and
//! Python. `docs/c-api.md` is the contract; `include/tokenbridge.h` is generated from
//! this module by the cbindgen CLI (`bash scripts/check-header.sh --write`; cbindgen
//! copies these doc comments into it), never by a build.
//!
//! This layer only converts: C strings and integers in, C strings and integers out,
//! core errors to [`tb_status`] plus a thread-local last error. Every exported
//! function runs its body inside [`std::panic::catch_unwind`], so a panic becomes
//! `TB_PANIC` and never unwinds into the host process. All of the crate's `unsafe`
//! code lives here, each block with a `// SAFETY:` comment.
//!
//! Submodules: `panic` (the panic boundary and the handle helpers, a leaf every
//! other module may use), [`status`] (the status enum), [`error`] (last error, and
//! `run`, the fallible exports' boundary), [`log`] (the
//! log callback), [`strings`] (C strings in and out, out-pointers), [`config`],
//! [`ucontact`], [`yativo`],
//! [`anna`], [`webhook`] (Yativo webhooks checked), [`answers`] (the typed answers
//! as handles with getters), [`filter`]
//! (the messenger filter builder), [`request`] (the generic call as a request
//! builder and a response handle), [`text`] (how handles lend strings) and
//! [`constants`] (the header's URL macros). The exports every client has
//! (`_client_with_options`, `_token`, `_set_token`, `_send`) are written out in each
//! client's module — the signature and the C documentation, which is what grep,
//! rust-analyzer and cbindgen read — and each body is one call into the generic
//! `client` module.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

// The order of these modules is the order of the header's sections.
pub mod status;

pub mod error;

pub mod log;

pub mod config;

pub mod options;

pub mod ucontact;

pub mod yativo;

pub mod anna;

pub mod webhook;

pub mod answers;

pub mod filter;

mod client;
pub mod request;

pub mod constants;
mod panic;
pub mod strings;
pub mod text;

use std::os::raw::c_char;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use status::tb_status;

use panic::guard;

use crate::error::{Error, Result};

/// A point in time as Unix seconds (0 for the epoch and before, saturating far in
/// the future).
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The last second of the year 9999, the latest `expires_at` accepted.
const MAX_EXPIRES_AT: i64 = 253_402_300_799;

/// An `expires_at` argument: 0 is "not given"; negative numbers and numbers past
/// the year 9999 are refused.
pub(crate) fn expires_at_arg(secs: i64) -> Result<Option<SystemTime>> {
    match secs {
        0 => Ok(None),
        1..=MAX_EXPIRES_AT => Ok(Some(UNIX_EPOCH + Duration::from_secs(secs as u64))),
        _ => Err(Error::invalid_input(
            "expires_at",
            format!("{secs} is not a time in Unix seconds between 1970 and 9999 (0 = not given)"),
        )),
    }
}

const fn parse_decimal(s: &str) -> u32 {
    let bytes = s.as_bytes();
    let mut value = 0u32;
    let mut i = 0;
    while i < bytes.len() {
        assert!(bytes[i].is_ascii_digit(), "version part is not a number");
        value = value * 10 + (bytes[i] - b'0') as u32;
        i += 1;
    }
    value
}

const VERSION_MAJOR: u32 = parse_decimal(env!("CARGO_PKG_VERSION_MAJOR"));
const VERSION_MINOR: u32 = parse_decimal(env!("CARGO_PKG_VERSION_MINOR"));
const VERSION_PATCH: u32 = parse_decimal(env!("CARGO_PKG_VERSION_PATCH"));
const _: () = assert!(
    VERSION_MINOR < 100 && VERSION_PATCH < 100,
    "tb_version_number packs MINOR and PATCH into two decimal digits each"
);
const VERSION_NUL: &str = concat!(
    env!("CARGO_PKG_VERSION_MAJOR"),
    ".",
    env!("CARGO_PKG_VERSION_MINOR"),
    ".",
    env!("CARGO_PKG_VERSION_PATCH"),
    "\0"
);

/// The library's version as a static string `"MAJOR.MINOR.PATCH"` (the same text as
/// `TB_VERSION_STRING` when the header matches the library). Never free it.
///
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tb_version() -> *const c_char {
    VERSION_NUL.as_ptr().cast()
}

/// The library's version as one number, `MAJOR * 10000 + MINOR * 100 + PATCH`
/// (the same value as `TB_VERSION_NUMBER` when the header matches the library).
/// Compare it with `TB_VERSION_NUMBER` at startup to catch a header/library mismatch.
///
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tb_version_number() -> u32 {
    VERSION_MAJOR * 10_000 + VERSION_MINOR * 100 + VERSION_PATCH
}

/// Frees a string returned by this library (through a `char **out` parameter or
/// by `tb_last_error_message` / `tb_last_error_vendor_message`). The bytes are
/// overwritten before the memory is released, since such strings may hold tokens.
/// `tb_string_free(NULL)` does nothing.
///
/// Never free these strings with `free()` or a runtime's allocator, and never free
/// one twice.
///
/// Thread-safe (for distinct strings).
///
/// # Safety
///
/// `s` is NULL or a pointer this library returned as a string and that was not
/// freed yet.
#[no_mangle]
pub unsafe extern "C" fn tb_string_free(s: *mut c_char) {
    guard((), || {
        // SAFETY: the caller passes NULL or a string this library made with
        // `CString::into_raw` and has not freed yet.
        unsafe { strings::free_string(s) }
    })
}

#[cfg(test)]
mod tests {
    use super::error::run;
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_parts_compose() {
        // SAFETY: tb_version returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(tb_version()) }.to_str().unwrap();
        assert_eq!(v, crate::VERSION);
        let n: Vec<u32> = v.split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(tb_version_number(), n[0] * 10_000 + n[1] * 100 + n[2]);
    }

    #[test]
    fn a_panic_becomes_tb_panic_with_a_message() {
        let status = run(|| panic!("boom {}", 42));
        assert_eq!(status, tb_status::TB_PANIC);
        assert_eq!(error::tb_last_error_status(), tb_status::TB_PANIC);
        let msg = error::last_message_for_tests().unwrap();
        assert!(msg.contains("boom 42"), "{msg}");
        // The next call clears it.
        assert_eq!(run(|| Ok(())), tb_status::TB_OK);
        assert_eq!(error::tb_last_error_status(), tb_status::TB_OK);
        assert_eq!(guard(7, || panic!("static")), 7);
    }
}
