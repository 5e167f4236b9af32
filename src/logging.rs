//! Keeping secrets out of log records, whoever installs the logger.
//!
//! tokenbridge's own records (targets `tokenbridge` and `tokenbridge::*`) never hold a
//! password, token, company hash or proxy credential, at any level. The HTTP library
//! underneath logs too, through the same `log` facade, and at **TRACE** it logs what
//! it sends and receives: ureq-proto every byte of every request and answer (an
//! `Authorization` header, a login body with the password, an answer with a token),
//! ureq the path and query of each request. Those records are the ones
//! [`may_hold_secrets`] names, and they never reach a logger that tokenbridge
//! installs or wraps:
//!
//! * the C ABI's log callback (`tb_set_log_callback`), and so the C#, Java and
//!   Python bindings, never receive them;
//! * a Rust program that installs its own logger wraps it in [`Redacting`]. The
//!   first client made while the process's logger would record them logs one WARN
//!   saying so.
//!
//! At DEBUG ureq logs each request and answer head with only a short list of
//! harmless headers (`content-type`, `content-length`, `date`, …; the others are
//! counted, "1 HEADERS ARE REDACTED"), and a `Location` as `******` unless TRACE is
//! enabled for it; those records pass.
//!
//! Why a filter at the logger, not a layer that hides the bytes from ureq: such a
//! layer sits between ureq and the socket, where it cannot tell a request from a
//! proxy's tunnel or a TLS record — 0.2.0's did, and broke every call through a
//! proxy. The logger is the one place every record passes, and it changes no byte
//! on any connection.
#![forbid(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};

use log::{Level, Log, Metadata, Record};

/// Whether a record with this level and target may carry secrets: a TRACE record of
/// the HTTP library underneath (targets `ureq` and `ureq_proto`, and their modules).
///
/// ```
/// use log::{Level, Metadata};
/// use tokenbridge::logging::may_hold_secrets;
///
/// let at = |level, target| Metadata::builder().level(level).target(target).build();
/// assert!(may_hold_secrets(&at(Level::Trace, "ureq_proto::util")));
/// assert!(!may_hold_secrets(&at(Level::Debug, "ureq::run")));
/// assert!(!may_hold_secrets(&at(Level::Trace, "tokenbridge::http")));
/// ```
pub fn may_hold_secrets(metadata: &Metadata<'_>) -> bool {
    metadata.level() == Level::Trace && is_http_library(metadata.target())
}

/// `ureq`, `ureq_proto` or one of their modules.
fn is_http_library(target: &str) -> bool {
    let Some(rest) = target.strip_prefix("ureq") else {
        return false;
    };
    rest.is_empty()
        || rest.starts_with("::")
        || rest
            .strip_prefix("_proto")
            .is_some_and(|r| r.is_empty() || r.starts_with("::"))
}

/// A logger that passes every record to the one it wraps, except those that
/// [`may_hold_secrets`]. Install it instead of your logger:
///
/// ```
/// use tokenbridge::logging::Redacting;
///
/// struct Stderr;
/// impl log::Log for Stderr {
///     fn enabled(&self, _: &log::Metadata<'_>) -> bool {
///         true
///     }
///     fn log(&self, record: &log::Record<'_>) {
///         eprintln!("{} {}: {}", record.level(), record.target(), record.args());
///     }
///     fn flush(&self) {}
/// }
///
/// static LOGGER: Redacting<Stderr> = Redacting::new(Stderr);
/// log::set_logger(&LOGGER).expect("no logger yet");
/// log::set_max_level(log::LevelFilter::Trace);
/// ```
///
/// A logger built at run time (`env_logger`, `fern`, …) goes in a box:
/// `log::set_boxed_logger(Box::new(Redacting::new(logger)))`.
#[derive(Debug, Default)]
pub struct Redacting<L>(L);

impl<L> Redacting<L> {
    /// Wraps `inner`.
    pub const fn new(inner: L) -> Self {
        Redacting(inner)
    }

    /// The wrapped logger.
    pub fn inner(&self) -> &L {
        &self.0
    }
}

impl<L: Log> Log for Redacting<L> {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        !may_hold_secrets(metadata) && self.0.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        if !may_hold_secrets(record.metadata()) {
            self.0.log(record);
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// Logs one WARN, once per process, when the installed logger would record what
/// [`may_hold_secrets`]: called when a client is made.
pub(crate) fn warn_if_unredacted() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if log::max_level() < Level::Trace || WARNED.load(Ordering::Relaxed) {
        return;
    }
    let probe = Metadata::builder()
        .level(Level::Trace)
        .target("ureq_proto::util")
        .build();
    if log::logger().enabled(&probe) && !WARNED.swap(true, Ordering::Relaxed) {
        log::warn!(target: "tokenbridge",
            "the installed logger records ureq_proto's TRACE records, which hold every byte sent and received, passwords and tokens included; wrap it in tokenbridge::logging::Redacting (or turn off TRACE for the ureq targets)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_library_targets() {
        for t in ["ureq", "ureq::run", "ureq_proto", "ureq_proto::util"] {
            assert!(is_http_library(t), "{t}");
        }
        for t in [
            "ureqx",
            "ureq_protocol",
            "tokenbridge",
            "rustls::client",
            "",
        ] {
            assert!(!is_http_library(t), "{t}");
        }
    }
}
