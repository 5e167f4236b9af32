//! The thread-local last error (libgit2 style): every fallible call clears it on
//! entry and records it on failure; the same thread then reads it with the
//! `tb_last_error_*` functions. Other threads never see it.

use std::any::Any;
use std::cell::RefCell;
use std::os::raw::c_char;

use super::panic::{catch, guard};
use super::status::tb_status;
use super::strings;
use crate::error::{Error, Result};

/// Runs the body of a fallible exported function: clears the thread's last error,
/// catches panics, and turns the outcome into a [`tb_status`] (recording the last
/// error on failure).
pub(crate) fn run(body: impl FnOnce() -> Result<()>) -> tb_status {
    run_status(|| body().map(|()| tb_status::TB_OK))
}

/// [`run`] for a body that chooses its own success status (`TB_OK`, or `TB_ABSENT`
/// for a getter whose field the answer does not have).
pub(crate) fn run_status(body: impl FnOnce() -> Result<tb_status>) -> tb_status {
    clear();
    match catch(body) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => record(&e),
        Err(payload) => record_panic(payload),
    }
}

struct LastError {
    status: tb_status,
    message: String,
    http_status: u16,
    vendor_message: Option<String>,
    /// For `TB_INVALID_ARGUMENT`: the argument's name and why it was refused.
    argument: Option<(&'static str, String)>,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

fn set(value: Option<LastError>) {
    // `try_with` fails only while the thread is being torn down; then there is no
    // one left to read the error.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = value;
        }
    });
}

fn read<T>(f: impl FnOnce(&LastError) -> T) -> Option<T> {
    LAST_ERROR
        .try_with(|slot| slot.try_borrow().ok()?.as_ref().map(f))
        .ok()
        .flatten()
}

/// Forgets the thread's last error (done on entry to every fallible call).
pub(crate) fn clear() {
    set(None);
}

/// Records `e` as the thread's last error and returns its status.
pub(crate) fn record(e: &Error) -> tb_status {
    let status = tb_status::of(e);
    set(Some(LastError {
        status,
        message: e.to_string(),
        http_status: e.http_status().unwrap_or(0),
        vendor_message: e.vendor_message().map(str::to_owned),
        argument: match e {
            Error::InvalidInput { argument, reason } => Some((*argument, reason.clone())),
            _ => None,
        },
    }));
    status
}

/// Records a caught panic as the thread's last error; returns `TB_PANIC`.
pub(crate) fn record_panic(payload: Box<dyn Any + Send>) -> tb_status {
    let detail = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    };
    guard((), move || drop(payload));
    set(Some(LastError {
        status: tb_status::TB_PANIC,
        message: format!(
            "internal error (a bug in tokenbridge {}, please report it): {detail}",
            crate::VERSION
        ),
        http_status: 0,
        vendor_message: None,
        argument: None,
    }));
    tb_status::TB_PANIC
}

#[cfg(test)]
pub(crate) fn last_message_for_tests() -> Option<String> {
    read(|e| e.message.clone())
}

/// The status of the last failed call on this thread, or `TB_OK` when the last
/// fallible call on this thread succeeded (or there was none).
///
/// Thread-safe; reads the calling thread's own last error.
#[no_mangle]
pub extern "C" fn tb_last_error_status() -> tb_status {
    guard(tb_status::TB_PANIC, || {
        read(|e| e.status).unwrap_or(tb_status::TB_OK)
    })
}

/// A newly allocated copy of the message of the last failed call on this thread,
/// or NULL when the last fallible call succeeded. Free it with `tb_string_free`.
///
/// Messages are English sentences meant for logs and people, e.g.
/// ``invalid argument `password`: is NULL``. They never hold passwords, app
/// secrets or tokens. Reading the message does not clear it.
///
/// Thread-safe; reads the calling thread's own last error.
#[no_mangle]
pub extern "C" fn tb_last_error_message() -> *mut c_char {
    owned(|e| Some(&e.message))
}

/// A newly allocated copy of the text `pick` finds in the thread's last error, or
/// NULL when there is none (or no last error): the body of the string getters.
fn owned(pick: impl FnOnce(&LastError) -> Option<&str>) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        read(|e| pick(e).map(|t| strings::lossy_c_string(t).into_raw()))
            .flatten()
            .unwrap_or(std::ptr::null_mut())
    })
}

/// The HTTP status of the answer behind the last failed call on this thread
/// (e.g. 500 for `TB_HTTP_STATUS`, 401 for `TB_UNAUTHORIZED`, often 200 for
/// `TB_REJECTED`), or 0 when there was no answer or no failure.
///
/// Thread-safe; reads the calling thread's own last error.
#[no_mangle]
pub extern "C" fn tb_last_error_http_status() -> u16 {
    guard(0, || read(|e| e.http_status).unwrap_or(0))
}

/// A newly allocated copy of the API's own message for the last failed call on
/// this thread (set for `TB_REJECTED`, e.g. the AnnA `message` of a
/// `success: false` answer), or NULL when there is none. Free it with
/// `tb_string_free`.
///
/// Thread-safe; reads the calling thread's own last error.
#[no_mangle]
pub extern "C" fn tb_last_error_vendor_message() -> *mut c_char {
    owned(|e| e.vendor_message.as_deref())
}

/// A newly allocated copy of the name of the argument the last failed call on
/// this thread refused (for `TB_INVALID_ARGUMENT`), or NULL for any other outcome.
/// Free it with `tb_string_free`.
///
/// The name is data for bindings, which spell arguments their own way: it is the
/// C parameter's name (`password`, `timeout_connect_ms`, `index`), one name per
/// concept whichever client it belongs to, or for a value inside a handle
/// argument the handle's field (`filter` for a bad filter). A binding maps it to
/// its own name and puts it beside `tb_last_error_reason()`, never rewriting the
/// English of `tb_last_error_message()`.
///
/// ```c
/// if (tb_config_set_timeout_connect_ms(cfg, 0) == TB_INVALID_ARGUMENT) {
///     char *arg = tb_last_error_parameter();     // "timeout_connect_ms"
///     char *why = tb_last_error_reason();        // "must be more than 0"
///     tb_string_free(why);
///     tb_string_free(arg);
/// }
/// ```
///
/// Thread-safe; reads the calling thread's own last error.
#[no_mangle]
pub extern "C" fn tb_last_error_parameter() -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        read(|e| {
            e.argument
                .as_ref()
                .map(|(a, _)| strings::lossy_c_string(a).into_raw())
        })
        .flatten()
        .unwrap_or(std::ptr::null_mut())
    })
}

/// A newly allocated copy of why the argument named by `tb_last_error_parameter()`
/// was refused (the message without its "invalid argument `name`: " prefix, e.g.
/// `is NULL`), or NULL when the last failure was not `TB_INVALID_ARGUMENT`. Free it
/// with `tb_string_free`.
///
/// Thread-safe; reads the calling thread's own last error.
#[no_mangle]
pub extern "C" fn tb_last_error_reason() -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        read(|e| {
            e.argument
                .as_ref()
                .map(|(_, r)| strings::lossy_c_string(r).into_raw())
        })
        .flatten()
        .unwrap_or(std::ptr::null_mut())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::tb_string_free;
    use std::ffi::CStr;

    fn take(p: *mut c_char) -> Option<String> {
        if p.is_null() {
            return None;
        }
        // SAFETY: p is a live string from this library; freed right after copying.
        let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned();
        // SAFETY: p came from CString::into_raw and is freed once.
        unsafe { tb_string_free(p) };
        Some(s)
    }

    #[test]
    fn last_error_is_per_thread() {
        let e = Error::Rejected {
            operation: "AnnA UserHash",
            api: crate::Api::Anna,
            status: 200,
            message: "User not found".into(),
        };
        assert_eq!(record(&e), tb_status::TB_REJECTED);
        std::thread::spawn(|| {
            assert_eq!(tb_last_error_status(), tb_status::TB_OK);
            assert!(tb_last_error_message().is_null());
        })
        .join()
        .unwrap();
        assert_eq!(tb_last_error_status(), tb_status::TB_REJECTED);
        assert_eq!(tb_last_error_http_status(), 200);
        assert_eq!(
            take(tb_last_error_vendor_message()).as_deref(),
            Some("User not found")
        );
        assert!(take(tb_last_error_message())
            .unwrap()
            .contains("User not found"));
        assert!(tb_last_error_parameter().is_null(), "not an argument error");
        assert!(tb_last_error_reason().is_null());
        record(&Error::invalid_input("password", "is NULL"));
        assert_eq!(take(tb_last_error_parameter()).as_deref(), Some("password"));
        assert_eq!(take(tb_last_error_reason()).as_deref(), Some("is NULL"));
        assert_eq!(
            take(tb_last_error_message()).as_deref(),
            Some("invalid argument `password`: is NULL")
        );
        clear();
        assert!(tb_last_error_parameter().is_null());
        assert_eq!(tb_last_error_status(), tb_status::TB_OK);
        assert_eq!(tb_last_error_http_status(), 0);
        assert!(tb_last_error_vendor_message().is_null());
    }
}
