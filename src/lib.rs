//! # tokenbridge
//!
//! A small, blocking client for three REST APIs, with a C ABI for C, C++, .NET and
//! Java:
//!
//! * [`ucontact`]: uContact (contact center): client tokens, agent login, end session.
//! * [`yativo`]: Yativo (payments): login and token refresh.
//! * [`anna`]: AnnA Corporate User V3 (chat / messenger): tokens, user hashes,
//!   inactivation, messenger structure, counters, requests and links.
//!
//! Every client keeps its own token: it logs in when it has none, refreshes ahead of
//! expiry, logs in again once after a 401, and retries transient failures with
//! backoff. Errors are one [`Error`] type whose [`kind`](Error::kind) you can branch
//! on, with the vendor's own message when the API said no. Secrets are [`Secret`]s:
//! they print as `***` and are wiped when dropped.
//!
//! ```no_run
//! use tokenbridge::{yativo, Config};
//!
//! let client = yativo::Client::new(
//!     yativo::PRODUCTION_URL,
//!     yativo::Credentials::new("my-account", "my-app-secret"),
//!     &Config::default(),
//! )?;
//! let token = client.login()?;
//! println!("{} token, expires at {:?}", token.token_type, token.expires_at);
//! # Ok::<(), tokenbridge::Error>(())
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[doc(hidden)]
#[path = "fuzz_entry.rs"]
pub mod __fuzz;
pub mod anna;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
mod client;
mod clock;
mod config;
mod error;
#[allow(unsafe_code)]
pub mod ffi;
mod http;
mod json;
mod jwt;
pub mod logging;
/// An offline, stateful sandbox of the three APIs on a local HTTP server, for tests
/// in any language (feature `sandbox`; also the `tokenbridge-sandbox` executable).
#[cfg(feature = "sandbox")]
pub mod sandbox;

mod secret;
mod store;

mod time;

pub mod ucontact;
pub mod yativo;

pub use client::Client;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, ProxySetting, RetryPolicy, TlsRoots};
pub use error::{Api, Error, ErrorKind, Result, TransportKind};
pub use http::{Body, CallOptions, CancelToken, Method, Request, Response, MAX_HEADER_VALUE_BYTES};
pub use secret::Secret;
pub use time::{Date, LocalDateTime};

/// The library's version, `MAJOR.MINOR.PATCH`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The README's Rust examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
