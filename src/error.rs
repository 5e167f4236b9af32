//! The one error type of tokenbridge, with kinds a caller can branch on.
#![forbid(unsafe_code)]

use std::fmt;

/// Which API an error or a call belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// uContact (contact center).
    UContact,
    /// Yativo (payments).
    Yativo,
    /// AnnA Corporate User V3 (chat / messenger).
    Anna,
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Api::UContact => "uContact",
            Api::Yativo => "Yativo",
            Api::Anna => "AnnA",
        })
    }
}

/// What went wrong on the way to or from the server, before an HTTP answer was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The host name could not be resolved.
    Dns,
    /// The TCP connection could not be made (refused, unreachable).
    Connect,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// A configured timeout ran out (connect, send or receive), or the call's overall
    /// deadline ([`CallOptions::deadline`](crate::CallOptions::deadline)) passed.
    Timeout,
    /// The connection was reset or closed before the whole answer arrived.
    Reset,
    /// The proxy could not be reached or refused the tunnel.
    Proxy,
    /// The server spoke something that is not valid HTTP/1.1.
    Protocol,
    /// Any other input/output failure.
    Io,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Dns => "DNS lookup failed",
            TransportKind::Connect => "could not connect",
            TransportKind::Tls => "TLS failed",
            TransportKind::Timeout => "timed out",
            TransportKind::Reset => "connection reset or closed early",
            TransportKind::Proxy => "proxy failed",
            TransportKind::Protocol => "invalid HTTP from the server",
            TransportKind::Io => "I/O error",
        })
    }
}

/// A coarse kind for every [`Error`], stable enough to map to C status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::InvalidInput`].
    InvalidInput,
    /// See [`Error::Transport`].
    Transport(TransportKind),
    /// See [`Error::HttpStatus`].
    HttpStatus,
    /// See [`Error::Rejected`].
    Rejected,
    /// See [`Error::Unauthorized`].
    Unauthorized,
    /// See [`Error::UnexpectedResponse`].
    UnexpectedResponse,
    /// See [`Error::Cancelled`].
    Cancelled,
    /// See [`Error::WouldDeadlock`].
    WouldDeadlock,
}

/// Everything that can go wrong in tokenbridge.
///
/// No variant ever holds a password, app secret or token: texts taken from the
/// server are cut short and scrubbed of the secrets the call carried.
///
/// ```
/// use tokenbridge::{Error, ErrorKind};
/// fn explain(e: &Error) -> &'static str {
///     match e.kind() {
///         ErrorKind::Rejected => "check the credentials or the request",
///         ErrorKind::Transport(_) => "network trouble, try later",
///         _ => "see the message",
///     }
/// }
/// let e = Error::invalid_input("password", "must not be empty");
/// assert_eq!(explain(&e), "see the message");
/// assert_eq!(e.to_string(), "invalid argument `password`: must not be empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument or setting given by the caller is not usable. Nothing was sent.
    #[error("invalid argument `{argument}`: {reason}")]
    InvalidInput {
        /// The name of the argument or setting.
        argument: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// The request did not get an HTTP answer: DNS, connect, TLS, timeout, reset...
    #[error("{operation}: {kind} ({url}): {detail}")]
    Transport {
        /// The operation that was running, e.g. `Yativo login`.
        operation: &'static str,
        /// What kind of failure it was.
        kind: TransportKind,
        /// The URL without query string.
        url: String,
        /// Detail from the network stack.
        detail: String,
    },

    /// The server answered with an HTTP status that is neither success nor a
    /// recognised vendor error.
    #[error("{operation}: the server answered HTTP {status}{}", excerpt_suffix(.message.as_deref().unwrap_or(.excerpt)))]
    HttpStatus {
        /// The operation that was running.
        operation: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The vendor's own reason, when its error answer gave one (secrets removed).
        message: Option<String>,
        /// A short excerpt of the body, with secrets removed.
        excerpt: String,
    },

    /// The API understood the call and said no (uContact `0`, Yativo `status` not
    /// `success`, AnnA `success: false`). The vendor's own message is kept.
    #[error("{operation}: {api} rejected the request: {message}")]
    Rejected {
        /// The operation that was running.
        operation: &'static str,
        /// Which API said no.
        api: Api,
        /// The HTTP status of the answer (often 200).
        status: u16,
        /// The vendor's own message, with secrets removed.
        message: String,
    },

    /// The server answered 401: the token is missing, expired or ended.
    #[error("{operation}: unauthorized (HTTP 401): the token was refused{}", excerpt_suffix(.message.as_deref().unwrap_or(.excerpt)))]
    Unauthorized {
        /// The operation that was running.
        operation: &'static str,
        /// The vendor's own reason, when its error answer gave one (secrets removed).
        message: Option<String>,
        /// A short excerpt of the body, with secrets removed.
        excerpt: String,
    },

    /// The answer could not be understood.
    #[error("{operation}: unexpected response: expected {expected}; got {excerpt}")]
    UnexpectedResponse {
        /// The operation that was running.
        operation: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// What the library expected to find.
        expected: String,
        /// A short excerpt of what came, with secrets removed.
        excerpt: String,
    },

    /// The call was cancelled through its [`CancelToken`](crate::CancelToken). The
    /// connection it used was dropped; the client stays usable.
    #[error("{operation}: cancelled")]
    Cancelled {
        /// The operation that was running.
        operation: &'static str,
    },

    /// The call was made on the thread that is logging this client in, from inside
    /// that login (a log callback or handler calling the client back) and needs its
    /// token: it cannot wait for a login that waits for it. It fails at once,
    /// nothing was sent, and the login goes on; call again once it returned.
    #[error("{operation}: called from inside this client's login on the same thread (from a log callback?); it cannot wait for the login it is part of")]
    WouldDeadlock {
        /// The operation that was running.
        operation: &'static str,
    },
}

fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        String::new()
    } else {
        format!(": {excerpt}")
    }
}

impl Error {
    /// An [`Error::InvalidInput`] for the named argument.
    pub fn invalid_input(argument: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            argument,
            reason: reason.into(),
        }
    }

    /// The kind of this error, to branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::Transport { kind, .. } => ErrorKind::Transport(*kind),
            Error::HttpStatus { .. } => ErrorKind::HttpStatus,
            Error::Rejected { .. } => ErrorKind::Rejected,
            Error::Unauthorized { .. } => ErrorKind::Unauthorized,
            Error::UnexpectedResponse { .. } => ErrorKind::UnexpectedResponse,
            Error::Cancelled { .. } => ErrorKind::Cancelled,
            Error::WouldDeadlock { .. } => ErrorKind::WouldDeadlock,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::HttpStatus { status, .. }
            | Error::Rejected { status, .. }
            | Error::UnexpectedResponse { status, .. } => Some(*status),
            Error::Unauthorized { .. } => Some(401),
            _ => None,
        }
    }

    /// The vendor's own message: always for [`Error::Rejected`], and for
    /// [`Error::HttpStatus`] and [`Error::Unauthorized`] when the error answer gave a
    /// reason (Yativo's `data.error`, AnnA's `message`...).
    pub fn vendor_message(&self) -> Option<&str> {
        match self {
            Error::Rejected { message, .. } => Some(message),
            Error::HttpStatus { message, .. } | Error::Unauthorized { message, .. } => {
                message.as_deref()
            }
            _ => None,
        }
    }

    /// Whether trying the same call again later may succeed (transport failures
    /// and 408/429/502/503/504).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => matches!(
                kind,
                TransportKind::Connect
                    | TransportKind::Timeout
                    | TransportKind::Reset
                    | TransportKind::Dns
            ),
            Error::HttpStatus { status, .. } => matches!(status, 408 | 429 | 502 | 503 | 504),
            _ => false,
        }
    }
}

/// The result type of tokenbridge.
pub type Result<T, E = Error> = std::result::Result<T, E>;
