//! What comes back: the answer as the vendor modules read it ([`TextAnswer`]), and the
//! mapping of ureq's failures to [`Error`]s that name the right culprit and never a
//! secret.
#![forbid(unsafe_code)]

use std::io;
use std::time::Duration;

use super::exchange::{Cancelled, DeadlinePassed};
use super::lookup::{DnsNoAnswer, LookupStopped};
use super::request::{Auth, Outgoing, CALL_SECRETS};
use crate::error::{Error, Result, TransportKind};
use crate::secret::{mask_json_values, scrub, Secret};

/// How long excerpts of server answers in error messages may be, in characters.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// Reads a vendor's reason out of an error answer's body (Yativo's `data.error`,
/// AnnA's `message`...), for the errors of statuses the vendor module does not read
/// itself.
pub(crate) type ReasonReader = fn(&str) -> Option<String>;

/// No vendor reason.
pub(crate) fn no_reason(_: &str) -> Option<String> {
    None
}

/// The secret values an answer's texts are scrubbed of: the request's, its token and
/// the client's credentials. Borrowed, so that a call that goes well copies none.
#[derive(Clone, Copy)]
pub(crate) struct Secrets<'a> {
    call: [&'a str; CALL_SECRETS],
    token: Option<&'a str>,
    client: &'a [Secret],
    listed: &'a [&'a str],
}

impl<'a> Secrets<'a> {
    pub fn of(req: &Outgoing<'a>, client: &'a [Secret]) -> Secrets<'a> {
        Secrets {
            call: req.secrets,
            token: req.auth.parts().map(|(_, t)| t.expose()),
            client,
            listed: &[],
        }
    }

    /// All of them, for [`scrub`] (only built when a text is about to be shown).
    pub fn list(&self) -> Vec<&'a str> {
        let mut v: Vec<&'a str> = self
            .call
            .iter()
            .copied()
            .filter(|s| !s.is_empty())
            .collect();
        v.extend(self.token);
        v.extend(self.client.iter().map(Secret::expose));
        v.extend(self.listed.iter().copied());
        v
    }
}

impl std::fmt::Debug for Secrets<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(***)")
    }
}

/// An answer as the vendor modules read it: the status, the body read and checked
/// as UTF-8, and the call's secrets, scrubbed from every text taken out of it. (The
/// bytes before they are read are `run::WireAnswer`; the public answer of a generic
/// call is [`Response`](super::Response).)
#[derive(Debug)]
pub(crate) struct TextAnswer<'a> {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    /// Borrowed from the request and the client: no copy of a secret per call.
    pub(super) secrets: Secrets<'a>,
    pub(super) reason: ReasonReader,
}

impl<'a> TextAnswer<'a> {
    /// A reply as [`super::Http::send`] hands it over (status, UTF-8 body), for the
    /// parsers to be run without a network (the fuzz targets).
    pub(crate) fn from_parts(status: u16, body: String, secrets: &'a [&'a str]) -> TextAnswer<'a> {
        TextAnswer::scrubbed(status, body, &[], secrets, no_reason)
    }

    /// A reply whose texts are scrubbed of a client's credentials and of `listed`.
    pub(crate) fn scrubbed(
        status: u16,
        body: String,
        client: &'a [Secret],
        listed: &'a [&'a str],
        reason: ReasonReader,
    ) -> TextAnswer<'a> {
        TextAnswer {
            status,
            body,
            location: None,
            secrets: Secrets {
                call: [""; CALL_SECRETS],
                token: None,
                client,
                listed,
            },
            reason,
        }
    }

    /// A short excerpt of the body with the call's secrets removed.
    pub fn excerpt(&self) -> String {
        let text = if self.body.trim().is_empty() {
            "(empty body)"
        } else {
            &self.body
        };
        scrub(text, &self.secrets.list(), EXCERPT_CHARS)
    }

    /// Removes the call's secrets from a vendor message.
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, &self.secrets.list(), 500)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The vendor's reason in this error answer, scrubbed.
    pub fn vendor_reason(&self) -> Option<String> {
        (self.reason)(&self.body).map(|m| self.scrub(&m))
    }

    /// The error for a status that is not 2xx, with the vendor's reason when its
    /// answer gave one.
    pub fn status_error(&self, operation: &'static str) -> Error {
        let message = self.vendor_reason();
        if self.status == 401 {
            return Error::Unauthorized {
                operation,
                message,
                excerpt: self.excerpt(),
            };
        }
        let mut excerpt = self.excerpt();
        if (300..400).contains(&self.status) {
            excerpt = format!(
                "a redirect to {}, which tokenbridge does not follow on calls that carry credentials; point the base URL at the final address",
                self.location.as_deref().unwrap_or("(no Location header)")
            );
        }
        Error::HttpStatus {
            operation,
            status: self.status,
            message,
            excerpt,
        }
    }

    /// An [`Error::UnexpectedResponse`] for this reply. A JSON body shows its shape
    /// with string values masked: an answer not understood may still carry a fresh
    /// token or secret the library could not pick out to scrub.
    pub fn unexpected(&self, operation: &'static str, expected: impl Into<String>) -> Error {
        let excerpt = if self.body.trim_start().starts_with(['{', '[', '"']) {
            scrub(
                &mask_json_values(&self.body),
                &self.secrets.list(),
                EXCERPT_CHARS,
            )
        } else {
            self.excerpt()
        };
        Error::UnexpectedResponse {
            operation,
            status: self.status,
            expected: expected.into(),
            excerpt,
        }
    }

    /// Parses the body as JSON.
    pub fn json(&self, operation: &'static str, expected: &str) -> Result<serde_json::Value> {
        serde_json::from_str(self.body.trim()).map_err(|e| {
            self.unexpected(
                operation,
                format!("{expected} (JSON: {e})").replace(['\n', '\r'], " "),
            )
        })
    }
}

/// `Retry-After` as delay-seconds or an HTTP-date.
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = crate::time::parse_http_date(v)?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// One attempt's failure, and whether another attempt may help.
pub(crate) struct SendError {
    pub error: Error,
    /// Another attempt may succeed (a transient failure).
    pub transient: bool,
    /// The request certainly did not reach the server (refused or timed-out connect,
    /// DNS): safe to send again whatever the method.
    pub unsent: bool,
}

impl SendError {
    pub fn fatal(error: Error) -> SendError {
        SendError {
            error,
            transient: false,
            unsent: false,
        }
    }

    pub fn invalid(req: &Outgoing<'_>, e: impl std::fmt::Display) -> SendError {
        SendError::fatal(Error::invalid_input(
            "request",
            format!("{}: cannot build the request: {e}", req.operation),
        ))
    }
}

/// Where a failing request went: the API URL, or the proxy in front of it.
pub(crate) struct Route<'r> {
    /// The URL without query string.
    pub url: &'r str,
    /// The proxy used for this URL, credentials removed.
    pub proxy: Option<&'r str>,
    /// Whether that proxy was given a user name or password.
    pub proxy_credentials: bool,
}

/// What a proxy's refusal of the tunnel says, from ureq's "proxy server responded
/// 407/407": the status, its reason phrase, and what to do about a 407.
fn proxy_refusal(reason: &str, credentials: bool) -> String {
    let status = reason
        .rsplit(' ')
        .next()
        .and_then(|s| s.split('/').next())
        .and_then(|s| s.parse::<u16>().ok());
    let Some(status) = status else {
        return reason.to_owned();
    };
    let phrase = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let hint = match (status, credentials) {
        (407, false) => "; the proxy wants a user name and password: give them in the proxy URL (http://user:password@host:port)",
        (407, true) => "; the proxy did not accept the user name and password of the proxy URL",
        _ => "",
    };
    format!("it refused the tunnel with HTTP {status} {phrase}{hint}")
}

/// Maps ureq's error for one attempt.
pub(crate) fn from_ureq(
    e: ureq::Error,
    operation: &'static str,
    route: &Route<'_>,
    secrets: &[&str],
    deadline: Option<Duration>,
) -> SendError {
    use ureq::Timeout as T;
    // (kind, transient, unsent)
    let (kind, transient, unsent) = match &e {
        ureq::Error::Io(io) if marker::<Cancelled>(io) => {
            return SendError::fatal(Error::Cancelled { operation });
        }
        ureq::Error::Io(io) if marker::<LookupStopped>(io) => {
            return SendError::fatal(Error::Transport {
                operation,
                kind: TransportKind::Timeout,
                url: route.url.to_owned(),
                detail: format!(
                    "{} passed while resolving the host name: {io}",
                    the_deadline(deadline)
                ),
            });
        }
        // The system resolver already made its attempts: not retried.
        ureq::Error::Io(io) if marker::<DnsNoAnswer>(io) => (TransportKind::Dns, false, true),
        ureq::Error::Io(io) if marker::<DeadlinePassed>(io) => {
            return SendError::fatal(Error::Transport {
                operation,
                kind: TransportKind::Timeout,
                url: route.url.to_owned(),
                detail: format!("{} passed", the_deadline(deadline)),
            });
        }
        ureq::Error::Timeout(T::Connect | T::Resolve) => (TransportKind::Timeout, true, true),
        ureq::Error::Timeout(_) => (TransportKind::Timeout, false, false),
        ureq::Error::HostNotFound => (TransportKind::Dns, false, true),
        ureq::Error::ConnectionFailed => (TransportKind::Connect, true, true),
        ureq::Error::Io(io) => match io.kind() {
            io::ErrorKind::ConnectionRefused => (TransportKind::Connect, true, true),
            io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable => (TransportKind::Connect, false, true),
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::UnexpectedEof => (TransportKind::Reset, true, false),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                (TransportKind::Timeout, false, false)
            }
            // rustls reports handshake and certificate failures as InvalidData
            // I/O errors; nothing else on an https connection does.
            io::ErrorKind::InvalidData if route.url.starts_with("https://") => {
                (TransportKind::Tls, false, false)
            }
            _ => (TransportKind::Io, false, false),
        },
        ureq::Error::Tls(_) | ureq::Error::Pem(_) | ureq::Error::Rustls(_) => {
            (TransportKind::Tls, false, false)
        }
        ureq::Error::TlsRequired => (TransportKind::Tls, false, true),
        ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
            (TransportKind::Proxy, false, true)
        }
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
            (TransportKind::Protocol, false, false)
        }
        ureq::Error::RequireHttpsOnly(_) | ureq::Error::BadUri(_) => {
            return SendError::fatal(Error::invalid_input(
                "base_url",
                format!("{operation}: {e}"),
            ))
        }
        _ => (TransportKind::Io, false, false),
    };
    let mut detail = match &e {
        ureq::Error::ConnectProxyFailed(reason) => proxy_refusal(reason, route.proxy_credentials),
        ureq::Error::Io(io) if marker::<DnsNoAnswer>(io) => io.to_string(),
        other => scrub(&other.to_string(), secrets, EXCERPT_CHARS),
    };
    let mut url = route.url.to_owned();
    let mut kind = kind;
    // With a proxy in front, a failure to resolve or reach "the server" is the
    // proxy's: name it, not the API URL the proxy was never asked for.
    if let Some(proxy) = route.proxy {
        if matches!(
            kind,
            TransportKind::Dns | TransportKind::Connect | TransportKind::Proxy
        ) || matches!(e, ureq::Error::Timeout(T::Connect | T::Resolve))
        {
            detail = format!("the proxy {proxy} could not be used for {url}: {detail}");
            url = proxy.to_owned();
            kind = TransportKind::Proxy;
        }
    }
    if matches!(e, ureq::Error::HostNotFound) {
        detail = format!("{detail} (the system resolver found no address for this host)");
    }
    SendError {
        error: Error::Transport {
            operation,
            kind,
            url,
            detail,
        },
        transient,
        unsent,
    }
}

fn marker<M: std::error::Error + 'static>(io: &io::Error) -> bool {
    io.get_ref().is_some_and(|inner| inner.is::<M>())
}

/// "the call's deadline of 1 s", or without the length when it is not known.
pub(crate) fn the_deadline(budget: Option<Duration>) -> String {
    match budget {
        Some(d) => format!("the call's deadline of {}", show(d)),
        None => "the call's deadline".to_owned(),
    }
}

/// A duration as people write it: `1 s`, `250 ms`.
pub(crate) fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// The `Authorization` header value for a call, as bytes.
pub(crate) fn authorization(auth: &Auth<'_>) -> Option<Vec<u8>> {
    auth.parts().map(|(scheme, token)| {
        let mut value = Vec::with_capacity(scheme.len() + token.expose().len());
        value.extend_from_slice(scheme.as_bytes());
        value.extend_from_slice(token.expose().as_bytes());
        value
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn a_refused_tunnel_reads_as_the_status() {
        assert_eq!(
            proxy_refusal("proxy server responded 407/407", false),
            "it refused the tunnel with HTTP 407 Proxy Authentication Required; the proxy wants a user name and password: give them in the proxy URL (http://user:password@host:port)"
        );
        assert_eq!(
            proxy_refusal("proxy server responded 403/403", true),
            "it refused the tunnel with HTTP 403 Forbidden"
        );
        assert_eq!(
            proxy_refusal("proxy server did not respond", true),
            "proxy server did not respond"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(show(Duration::from_secs(1)), "1 s");
        assert_eq!(show(Duration::from_millis(250)), "250 ms");
    }
}
