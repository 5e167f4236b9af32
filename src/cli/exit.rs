//! Exit codes by kind of failure, and the one-line message that goes with each.

use crate::{Error, ErrorKind, TransportKind};

/// Anything not listed below (writing the output failed, an I/O error).
pub const OTHER: u8 = 1;
/// A usage error: bad arguments, an unknown profile, a bad profiles file, a secret on
/// the command line, input the library refused before sending anything.
pub const USAGE: u8 = 2;
/// The credentials were refused (a login said no).
pub const CREDENTIALS: u8 = 3;
/// The API understood the request and refused it (uContact `0`, Yativo `failed`,
/// AnnA `success: false`), `call` included.
pub const REJECTED: u8 = 4;
/// The server answered an HTTP status that is not success (a 401 after one more
/// login, a 5xx, a 4xx the vendor gave no reason for).
pub const HTTP_STATUS: u8 = 5;
/// No answer: DNS, connect, TLS, proxy, a connection reset, invalid HTTP.
pub const TRANSPORT: u8 = 6;
/// A timeout: `--timeout`, or a connect/send/receive timeout of the profile.
pub const TIMEOUT: u8 = 7;
/// An answer that could not be understood.
pub const UNEXPECTED: u8 = 8;
/// A secret could not be read: its variable is unset, its file unreadable or open to
/// others, its command failed.
pub const SECRET_SOURCE: u8 = 9;
/// Cancelled by Ctrl-C (or SIGTERM).
pub const CANCELLED: u8 = 130;

/// The table for `--help` and the README.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    other failure (e.g. writing the output)
  2    usage: bad arguments, unknown profile, bad profiles file, a secret on the command line
  3    the credentials were refused (a login said no)
  4    the API refused the request (uContact 0, Yativo failed, AnnA success: false)
  5    an HTTP status that is not success (call: the body is still printed)
  6    transport: DNS, connect, TLS, proxy, reset, invalid HTTP
  7    timeout (--timeout, or the profile's connect/send/receive timeouts)
  8    an answer that could not be understood
  9    a secret could not be read (variable unset, file open to others, command failed)
  130  cancelled (Ctrl-C)";

/// Why a command failed: an exit code and a one-line message for stderr.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// The message, without the `tokenbridge:` prefix.
    pub message: String,
}

impl Failure {
    /// A failure with this code and message.
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(USAGE, message)
    }

    /// The message on one line (a vendor's reason may hold line breaks).
    pub fn one_line(&self) -> String {
        self.message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Whether an operation name is one of the logins.
fn is_login(operation: &str) -> bool {
    matches!(
        operation,
        "uContact getUserToken"
            | "uContact AgentLogin"
            | "uContact login"
            | "Yativo login"
            | "AnnA GetToken"
            | "AnnA login"
    )
}

/// The exit code of a library error.
pub fn code_of(e: &Error) -> u8 {
    match (e, e.kind()) {
        (Error::Rejected { operation, .. }, _) if is_login(operation) => CREDENTIALS,
        (
            Error::HttpStatus {
                operation, status, ..
            },
            _,
        ) if is_login(operation) && *status < 500 => CREDENTIALS,
        // A server failure in the API's own shape is a failure, not a refusal.
        (Error::Rejected { status, .. }, _) if *status >= 500 => HTTP_STATUS,
        (_, ErrorKind::InvalidInput) => USAGE,
        (_, ErrorKind::Rejected) => REJECTED,
        (_, ErrorKind::HttpStatus | ErrorKind::Unauthorized) => HTTP_STATUS,
        (_, ErrorKind::Transport(TransportKind::Timeout)) => TIMEOUT,
        (_, ErrorKind::Transport(_)) => TRANSPORT,
        (_, ErrorKind::UnexpectedResponse) => UNEXPECTED,
        (_, ErrorKind::Cancelled) => CANCELLED,
        _ => OTHER,
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::new(code_of(&e), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_their_codes() {
        let rejected = |operation| Error::Rejected {
            operation,
            api: crate::Api::Yativo,
            status: 401,
            message: "Invalid login credentials".into(),
        };
        assert_eq!(code_of(&rejected("Yativo login")), CREDENTIALS);
        assert_eq!(code_of(&rejected("Yativo call")), REJECTED);
        let failed = Error::Rejected {
            operation: "AnnA call",
            api: crate::Api::Anna,
            status: 503,
            message: "down".into(),
        };
        assert_eq!(code_of(&failed), HTTP_STATUS);
        assert_eq!(code_of(&Error::invalid_input("x", "y")), USAGE);
        assert_eq!(
            code_of(&Error::Cancelled {
                operation: "AnnA call"
            }),
            CANCELLED
        );
        let transport = |kind| Error::Transport {
            operation: "AnnA call",
            kind,
            url: "http://127.0.0.1:1".into(),
            detail: String::new(),
        };
        assert_eq!(code_of(&transport(TransportKind::Timeout)), TIMEOUT);
        assert_eq!(code_of(&transport(TransportKind::Connect)), TRANSPORT);
        let f = Failure::new(OTHER, "a\nb  c");
        assert_eq!(f.one_line(), "a b c");
    }
}
