//! [`tb_status`]: what every fallible C function returns.

use std::os::raw::c_char;

use crate::error::{Error, ErrorKind, TransportKind};

/// What a fallible function returns: `TB_OK` (0) on success, else the kind of
/// failure. The numbers are fixed and never reused. After a failure,
/// `tb_last_error_message()` (and for some kinds `tb_last_error_http_status()` and
/// `tb_last_error_vendor_message()`) tell more, on the same thread.
///
/// In C this type is an `int32_t`; in C++ an enum whose underlying type is
/// `int32_t`. Bindings should read it as a 32-bit signed integer and treat unknown
/// values like `TB_PANIC`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum tb_status {
    /// Success.
    TB_OK = 0,
    /// An argument or setting is not usable (NULL, invalid UTF-8, out of range, a
    /// malformed URL or filter...); the message names it. Nothing was sent.
    TB_INVALID_ARGUMENT = 1,
    /// Not a failure: the answer does not have the field a getter asked for (the
    /// server did not send it). The out-pointer is set to NULL (text) or zero
    /// (numbers, dates, enums); `tb_last_error_status()` stays `TB_OK`. Only getters
    /// of fields documented as optional return it.
    TB_ABSENT = 2,
    /// The host name could not be resolved.
    TB_DNS = 10,
    /// The TCP connection could not be made (refused, unreachable).
    TB_CONNECT = 11,
    /// The TLS handshake or certificate check failed.
    TB_TLS = 12,
    /// A configured timeout ran out (connect, send or receive).
    TB_TIMEOUT = 13,
    /// The connection was reset or closed before the whole answer arrived.
    TB_RESET = 14,
    /// The proxy could not be reached or refused the tunnel.
    TB_PROXY = 15,
    /// The server spoke something that is not valid HTTP.
    TB_PROTOCOL = 16,
    /// Any other input/output failure.
    TB_IO = 17,
    /// The server answered an HTTP status that is neither success nor a recognised
    /// vendor error; `tb_last_error_http_status()` gives it.
    TB_HTTP_STATUS = 20,
    /// The API understood the call and said no (wrong credentials, unknown user...);
    /// `tb_last_error_vendor_message()` gives the API's own message.
    TB_REJECTED = 21,
    /// The server answered HTTP 401 even after one new login.
    TB_UNAUTHORIZED = 22,
    /// The answer could not be understood (or could not be handed over as a C
    /// string because it holds a NUL character).
    TB_UNEXPECTED_RESPONSE = 23,
    /// The call was cancelled through its cancellation token.
    TB_CANCELLED = 24,
    /// The call was made from inside the same client's login on the same thread
    /// (a log callback calling the client back) and needs the token that login is
    /// getting: it returns at once instead of waiting for itself. Nothing was
    /// sent; the login goes on. Call again after the callback returned.
    TB_WOULD_DEADLOCK = 25,
    /// An internal error (a bug in the library), caught before it could cross into
    /// the caller; the message says what happened. The handles stay usable.
    TB_PANIC = 99,
}

impl tb_status {
    /// The status for a core error.
    pub(crate) fn of(e: &Error) -> tb_status {
        match e.kind() {
            ErrorKind::InvalidInput => tb_status::TB_INVALID_ARGUMENT,
            ErrorKind::Transport(t) => match t {
                TransportKind::Dns => tb_status::TB_DNS,
                TransportKind::Connect => tb_status::TB_CONNECT,
                TransportKind::Tls => tb_status::TB_TLS,
                TransportKind::Timeout => tb_status::TB_TIMEOUT,
                TransportKind::Reset => tb_status::TB_RESET,
                TransportKind::Proxy => tb_status::TB_PROXY,
                TransportKind::Protocol => tb_status::TB_PROTOCOL,
                TransportKind::Io => tb_status::TB_IO,
            },
            ErrorKind::HttpStatus => tb_status::TB_HTTP_STATUS,
            ErrorKind::Rejected => tb_status::TB_REJECTED,
            ErrorKind::Unauthorized => tb_status::TB_UNAUTHORIZED,
            ErrorKind::UnexpectedResponse => tb_status::TB_UNEXPECTED_RESPONSE,
            ErrorKind::Cancelled => tb_status::TB_CANCELLED,
            ErrorKind::WouldDeadlock => tb_status::TB_WOULD_DEADLOCK,
        }
    }

    /// The status whose number is `value`, if there is one.
    pub(crate) fn from_raw(value: i32) -> Option<tb_status> {
        use tb_status::*;
        [
            TB_OK,
            TB_INVALID_ARGUMENT,
            TB_ABSENT,
            TB_DNS,
            TB_CONNECT,
            TB_TLS,
            TB_TIMEOUT,
            TB_RESET,
            TB_PROXY,
            TB_PROTOCOL,
            TB_IO,
            TB_HTTP_STATUS,
            TB_REJECTED,
            TB_UNAUTHORIZED,
            TB_UNEXPECTED_RESPONSE,
            TB_CANCELLED,
            TB_WOULD_DEADLOCK,
            TB_PANIC,
        ]
        .into_iter()
        .find(|s| *s as i32 == value)
    }

    /// The status's C name, NUL-terminated.
    fn name_nul(self) -> &'static str {
        match self {
            tb_status::TB_OK => "TB_OK\0",
            tb_status::TB_INVALID_ARGUMENT => "TB_INVALID_ARGUMENT\0",
            tb_status::TB_ABSENT => "TB_ABSENT\0",
            tb_status::TB_DNS => "TB_DNS\0",
            tb_status::TB_CONNECT => "TB_CONNECT\0",
            tb_status::TB_TLS => "TB_TLS\0",
            tb_status::TB_TIMEOUT => "TB_TIMEOUT\0",
            tb_status::TB_RESET => "TB_RESET\0",
            tb_status::TB_PROXY => "TB_PROXY\0",
            tb_status::TB_WOULD_DEADLOCK => "TB_WOULD_DEADLOCK\0",
            tb_status::TB_PROTOCOL => "TB_PROTOCOL\0",
            tb_status::TB_IO => "TB_IO\0",
            tb_status::TB_HTTP_STATUS => "TB_HTTP_STATUS\0",
            tb_status::TB_REJECTED => "TB_REJECTED\0",
            tb_status::TB_UNAUTHORIZED => "TB_UNAUTHORIZED\0",
            tb_status::TB_UNEXPECTED_RESPONSE => "TB_UNEXPECTED_RESPONSE\0",
            tb_status::TB_CANCELLED => "TB_CANCELLED\0",
            tb_status::TB_PANIC => "TB_PANIC\0",
        }
    }
}

/// The name of a status as a static string, e.g. `"TB_REJECTED"` for
/// `TB_REJECTED`, or `"TB_UNKNOWN_STATUS"` for a number that is no status. Never
/// free it.
///
/// Thread-safe.
#[no_mangle]
pub extern "C" fn tb_status_name(status: tb_status_raw) -> *const c_char {
    super::panic::guard(c"TB_PANIC".as_ptr(), || {
        let name = match tb_status::from_raw(status) {
            Some(s) => s.name_nul(),
            None => "TB_UNKNOWN_STATUS\0",
        };
        name.as_ptr().cast()
    })
}

/// A [`tb_status`] as it comes from C: any 32-bit number (the header declares it
/// as `tb_status`). Taking the enum itself would make an out-of-range number
/// undefined behaviour.
pub type tb_status_raw = i32;

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn names_round_trip() {
        for n in -1..=100 {
            // SAFETY: tb_status_name returns a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(tb_status_name(n)) }
                .to_str()
                .unwrap();
            match tb_status::from_raw(n) {
                Some(s) => assert_eq!(name, s.name_nul().trim_end_matches('\0')),
                None => assert_eq!(name, "TB_UNKNOWN_STATUS"),
            }
        }
        // SAFETY: as above.
        let name = unsafe { CStr::from_ptr(tb_status_name(21)) };
        assert_eq!(name.to_str().unwrap(), "TB_REJECTED");
    }
}
