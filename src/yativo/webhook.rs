//! Yativo webhooks: check the signature of a request before trusting its body, then
//! read the event it carries.
//!
//! Yativo signs the **raw request body** with HMAC-SHA256 and the webhook's secret,
//! hex-encoded, in one of three headers depending on the source:
//! `X-Yativo-Signature` (fiat API reference), `X-Webhook-Signature` (crypto API
//! docs) or `Signature` (the official SDK and the backend's webhook server); one
//! page writes the value as `sha256=<hex>`. A [`Verifier`] accepts all three names
//! (in any case) and both spellings of the value, compares in constant time
//! (through `ring::hmac::verify`), and takes several secrets, because a secret can
//! be regenerated and both are valid while the rotation lasts.
//!
//! Give it the bytes exactly as they came off the wire: a body parsed and written
//! again (another key order, other spaces) no longer matches its signature.
//!
//! **Replays.** The signature covers the body only. The `Timestamp` header Yativo's
//! SDK sends is **not signed**: anyone who captured a request can send it again
//! with a fresh `Timestamp`. [`Verifier::tolerance`] refuses requests whose
//! `Timestamp` is too far from now (which stops a redelivery of an old request
//! that kept its header), but the protection against replays is the event's
//! [`id`](Event::id): webhooks are delivered at least once, so remember the ids you
//! processed and skip the ones you have seen.
//!
//! A minimal receiver (std only; a real one runs inside your web framework, which
//! hands over the same headers and raw body):
//!
//! ```no_run
//! use std::io::{BufRead, BufReader, Read, Write};
//! use std::collections::HashSet;
//! use std::time::Duration;
//! use tokenbridge::yativo::webhook::Verifier;
//!
//! // The secret Yativo shows for the webhook; during a rotation, both.
//! let verifier = Verifier::new(["whsec_current", "whsec_previous"])?
//!     .tolerance(Duration::from_secs(300));
//! let mut seen = HashSet::new(); // keep this in your database in real life
//! let listener = std::net::TcpListener::bind("127.0.0.1:8080").unwrap();
//! for stream in listener.incoming() {
//!     let mut stream = stream.unwrap();
//!     let mut reader = BufReader::new(stream.try_clone().unwrap());
//!     let (mut headers, mut line) = (Vec::new(), String::new());
//!     reader.read_line(&mut line).unwrap(); // POST /hook HTTP/1.1
//!     loop {
//!         line.clear();
//!         reader.read_line(&mut line).unwrap();
//!         match line.trim_end().split_once(':') {
//!             Some((name, value)) => headers.push((name.to_owned(), value.trim().to_owned())),
//!             None => break,
//!         }
//!     }
//!     let length: usize = headers.iter()
//!         .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
//!         .and_then(|(_, v)| v.parse().ok())
//!         .unwrap_or(0);
//!     let mut body = vec![0; length.min(1 << 20)];
//!     reader.read_exact(&mut body).unwrap();
//!     let status = match verifier.verify(&headers, &body) {
//!         Ok(event) if !seen.insert(event.id().to_owned()) => "200 OK", // a redelivery
//!         Ok(event) => {
//!             println!("{} {}: {}", event.event_type(), event.id(), event.data().get());
//!             "200 OK"
//!         }
//!         Err(e) => {
//!             eprintln!("refused a webhook: {e}");
//!             "401 Unauthorized"
//!         }
//!     };
//!     write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
//! }
//! # Ok::<(), tokenbridge::Error>(())
//! ```
#![forbid(unsafe_code)]

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::hmac;
use serde::de::{self, Deserializer as _, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::Error;
use crate::secret::Secret;

/// The signature headers, in the order they are looked for (names compare without
/// case).
pub const SIGNATURE_HEADERS: [&str; 3] = ["X-Yativo-Signature", "X-Webhook-Signature", "Signature"];

/// The unsigned header with the time of sending (see [`Verifier::tolerance`]).
pub const TIMESTAMP_HEADER: &str = "Timestamp";

/// The optional prefix of a signature's value, `sha256=<hex>`.
const PREFIX: &str = "sha256=";

/// Hex digits in an HMAC-SHA256.
const HEX_DIGITS: usize = 64;

/// What is wrong with a signature header's value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The value is empty (or only `sha256=`).
    Empty,
    /// A character that is not a hex digit, at this position (counted from 1, after
    /// any `sha256=`).
    NotHex {
        /// Where the first such character is.
        position: usize,
    },
    /// Hex, but not the 64 digits of an HMAC-SHA256.
    WrongLength {
        /// How many hex digits there are.
        digits: usize,
    },
    /// A prefix that names another algorithm (`sha1=`, `v1=`...).
    OtherScheme {
        /// The prefix, without the `=`.
        scheme: String,
    },
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::Empty => f.write_str("it is empty"),
            Malformed::NotHex { position } => {
                write!(f, "character {position} is not a hex digit")
            }
            Malformed::WrongLength { digits } => write!(
                f,
                "it has {digits} hex digits; an HMAC-SHA256 has {HEX_DIGITS} (cut short?)"
            ),
            Malformed::OtherScheme { scheme } => write!(
                f,
                "its prefix `{scheme}=` names another scheme; Yativo signs with HMAC-SHA256 (`sha256=` or no prefix)"
            ),
        }
    }
}

/// Why a webhook request was refused. None of them holds a secret or the MAC the
/// body should have had; header names are the canonical ones of
/// [`SIGNATURE_HEADERS`].
///
/// Converts into [`Error::InvalidInput`] (the request is the caller's input), with
/// the argument `webhook signature`, `webhook Timestamp` or `webhook body`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// None of the signature headers is in the request.
    #[error("the request has no signature header (looked for {})", SIGNATURE_HEADERS.join(", "))]
    MissingSignature,

    /// [`Verifier::verify_header`] was given a header name that is not one of
    /// [`SIGNATURE_HEADERS`].
    #[error("`{name}` is not a Yativo signature header (those are {})", SIGNATURE_HEADERS.join(", "))]
    NotASignatureHeader {
        /// The name given (without its value).
        name: String,
    },

    /// The signature header appears more than once.
    #[error("the `{header}` header appears {count} times; a signed request has one")]
    DuplicateSignature {
        /// The header.
        header: &'static str,
        /// How many times.
        count: usize,
    },

    /// The signature header's value is not a hex HMAC-SHA256.
    #[error("the `{header}` header is not a hex HMAC-SHA256: {reason}")]
    MalformedSignature {
        /// The header.
        header: &'static str,
        /// What is wrong with it.
        reason: Malformed,
    },

    /// A well-formed signature that no secret produces for this body: the body was
    /// changed on the way, or it was signed with another secret.
    #[error("the `{header}` signature matches none of the {secrets} webhook secret(s): the body was changed, or it was signed with another secret")]
    NoSecretMatched {
        /// The header.
        header: &'static str,
        /// How many secrets were tried.
        secrets: usize,
    },

    /// The `Timestamp` header is not a time (checked only with a tolerance).
    #[error("the `Timestamp` header is not a time (Unix seconds, RFC 3339 or an HTTP date)")]
    BadTimestamp,

    /// The `Timestamp` header is further from now than the tolerance.
    #[error("the `Timestamp` header is {skew_secs} s {}, more than the tolerance of {tolerance_secs} s (the header is not signed: deduplicate events by id)", if *.in_future { "ahead" } else { "old" })]
    OutsideTolerance {
        /// How far from now, in whole seconds.
        skew_secs: u64,
        /// Whether it is in the future.
        in_future: bool,
        /// The tolerance, in whole seconds.
        tolerance_secs: u64,
    },

    /// The body, correctly signed or read without checking, is not a Yativo event.
    #[error("the body is not a Yativo event: {reason}")]
    NotAnEvent {
        /// The field that is missing or wrong (`body` for the body as a whole).
        field: &'static str,
        /// What is wrong, naming the field.
        reason: String,
    },
}

impl From<WebhookError> for Error {
    fn from(e: WebhookError) -> Error {
        let argument = match &e {
            WebhookError::BadTimestamp | WebhookError::OutsideTolerance { .. } => {
                "webhook Timestamp"
            }
            WebhookError::NotAnEvent { .. } => "webhook body",
            _ => "webhook signature",
        };
        Error::invalid_input(argument, e.to_string())
    }
}

/// One header of a request, as [`Verifier::verify`] takes them: a pair (name, value)
/// or a reference to one, the name anything like a string (`&str`, `String`,
/// `http::HeaderName`), the value anything like bytes (`&str`, `String`,
/// `Vec<u8>`, `http::HeaderValue`). So `verify(&headers, body)` takes a
/// `Vec<(String, String)>`, and `verify(request.headers(), body)` an
/// `http::HeaderMap`.
pub trait HeaderField {
    /// The header's name.
    fn name(&self) -> &str;
    /// The header's value, as it came.
    fn value(&self) -> &[u8];
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderField for (K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &[u8] {
        self.1.as_ref()
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderField for &(K, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &[u8] {
        self.1.as_ref()
    }
}

/// Checks Yativo webhook requests against one or more secrets.
///
/// ```
/// use tokenbridge::yativo::webhook::{Verifier, WebhookError};
///
/// let body = br#"{"id":"evt_1","event":"payout.created","created_at":"2026-01-12T18:30:00Z","data":{"id":"po_1"}}"#;
/// // What Yativo sends: HMAC-SHA256 of the body with the secret, in hex.
/// let signature = Verifier::sign("whsec_new", body);
///
/// let verifier = Verifier::new(["whsec_new", "whsec_old"])?;
/// let event = verifier.verify([("X-Yativo-Signature", format!("sha256={signature}"))], body)?;
/// assert_eq!((event.event_type(), event.id()), ("payout.created", "evt_1"));
/// assert_eq!(event.data().get(), r#"{"id":"po_1"}"#);
/// assert_eq!(event.secret_index(), Some(0));
///
/// let mut changed = body.to_vec();
/// changed[10] ^= 1;
/// let e = verifier.verify([("signature", signature.as_str())], &changed).unwrap_err();
/// assert!(matches!(e, WebhookError::NoSecretMatched { secrets: 2, .. }));
/// assert!(!e.to_string().contains(&signature));
/// # Ok::<(), tokenbridge::Error>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    secrets: Vec<Secret>,
    tolerance: Option<Duration>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.secrets.len())
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Verifier {
    /// A verifier for these secrets (one, or two during a rotation; any order: the
    /// first that matches wins). No secret, or an empty one, is an
    /// [`Error::InvalidInput`] for `webhook secret`.
    pub fn new<S: Into<Secret>>(secrets: impl IntoIterator<Item = S>) -> Result<Verifier, Error> {
        let secrets: Vec<Secret> = secrets.into_iter().map(Into::into).collect();
        if secrets.is_empty() {
            return Err(Error::invalid_input(
                "webhook secret",
                "give at least one secret",
            ));
        }
        if let Some(i) = secrets.iter().position(Secret::is_empty) {
            return Err(Error::invalid_input(
                "webhook secret",
                format!("secret {} of {} is empty", i + 1, secrets.len()),
            ));
        }
        Ok(Verifier {
            secrets,
            tolerance: None,
        })
    }

    /// Refuses requests whose `Timestamp` header is further than `tolerance` from
    /// now, either way. Requests without the header are not affected, and since the
    /// header is not signed this is no protection against a deliberate replay:
    /// deduplicate by [`Event::id`].
    pub fn tolerance(mut self, tolerance: Duration) -> Verifier {
        self.tolerance = Some(tolerance);
        self
    }

    /// How many secrets it holds.
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }

    /// The signature Yativo sends for `body` with `secret`: 64 lower-case hex digits,
    /// without prefix. For tests and for senders (the sandbox signs with it).
    pub fn sign(secret: &str, body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let tag = hmac::sign(&key, body);
        let mut out = String::with_capacity(HEX_DIGITS);
        for b in tag.as_ref() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    /// Checks a request, given all its headers (name and value, in any order; names
    /// compare without case) and its raw body, and reads the event.
    ///
    /// The signature comes from the first of [`SIGNATURE_HEADERS`] present; then,
    /// with a [`tolerance`](Verifier::tolerance), the `Timestamp` header is checked
    /// against the system clock; then the body is read as an [`Event`].
    pub fn verify<I>(&self, headers: I, body: &[u8]) -> Result<Event, WebhookError>
    where
        I: IntoIterator,
        I::Item: HeaderField,
    {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Like [`verify`](Verifier::verify), with "now" given (for the tolerance).
    pub fn verify_at<I>(
        &self,
        headers: I,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Event, WebhookError>
    where
        I: IntoIterator,
        I::Item: HeaderField,
    {
        let headers: Vec<I::Item> = headers.into_iter().collect();
        let values = |name: &str| -> Vec<&[u8]> {
            headers
                .iter()
                .filter(|h| h.name().trim().eq_ignore_ascii_case(name))
                .map(|h| h.value())
                .collect()
        };
        let (header, found) = SIGNATURE_HEADERS
            .iter()
            .map(|h| (*h, values(h)))
            .find(|(_, v)| !v.is_empty())
            .ok_or(WebhookError::MissingSignature)?;
        if found.len() > 1 {
            return Err(WebhookError::DuplicateSignature {
                header,
                count: found.len(),
            });
        }
        let index = self.check(header, found[0], body)?;
        if let Some(tolerance) = self.tolerance {
            if let Some(ts) = values(TIMESTAMP_HEADER).first() {
                check_timestamp(ts, tolerance, now)?;
            }
        }
        let mut event = Event::from_body(body)?;
        event.secret_index = Some(index);
        Ok(event)
    }

    /// Checks one signature header (its name, one of [`SIGNATURE_HEADERS`] in any
    /// case, and its value) against the body, and reads the event. No `Timestamp`
    /// check: the caller gave no other header.
    pub fn verify_header(
        &self,
        name: &str,
        value: &[u8],
        body: &[u8],
    ) -> Result<Event, WebhookError> {
        let header = SIGNATURE_HEADERS
            .iter()
            .find(|h| h.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| WebhookError::NotASignatureHeader {
                name: name.chars().take(100).collect(),
            })?;
        let index = self.check(header, value, body)?;
        let mut event = Event::from_body(body)?;
        event.secret_index = Some(index);
        Ok(event)
    }

    /// The index of the secret that signed `body`, or why none did.
    fn check(
        &self,
        header: &'static str,
        value: &[u8],
        body: &[u8],
    ) -> Result<usize, WebhookError> {
        let tag = decode_signature(value)
            .map_err(|reason| WebhookError::MalformedSignature { header, reason })?;
        self.secrets
            .iter()
            .position(|s| {
                let key = hmac::Key::new(hmac::HMAC_SHA256, s.expose().as_bytes());
                hmac::verify(&key, body, &tag).is_ok()
            })
            .ok_or(WebhookError::NoSecretMatched {
                header,
                secrets: self.secrets.len(),
            })
    }
}

/// The 32 bytes of a signature header's value: 64 hex digits, optionally after
/// `sha256=` (any case), spaces around ignored.
fn decode_signature(value: &[u8]) -> Result<[u8; 32], Malformed> {
    let mut v = value.trim_ascii();
    if v.len() >= PREFIX.len() && v[..PREFIX.len()].eq_ignore_ascii_case(PREFIX.as_bytes()) {
        v = v[PREFIX.len()..].trim_ascii();
    } else if let Some(eq) = v.iter().position(|&b| b == b'=') {
        let scheme = &v[..eq];
        if !scheme.is_empty() && eq <= 16 && scheme.iter().all(u8::is_ascii_alphanumeric) {
            return Err(Malformed::OtherScheme {
                scheme: String::from_utf8_lossy(scheme).into_owned(),
            });
        }
    }
    if v.is_empty() {
        return Err(Malformed::Empty);
    }
    if let Some(i) = v.iter().position(|b| !b.is_ascii_hexdigit()) {
        return Err(Malformed::NotHex { position: i + 1 });
    }
    if v.len() != HEX_DIGITS {
        return Err(Malformed::WrongLength { digits: v.len() });
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(v.chunks_exact(2)) {
        *o = (nibble(pair[0]) << 4) | nibble(pair[1]);
    }
    Ok(out)
}

/// A hex digit's value (the caller checked it is one).
fn nibble(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// The `Timestamp` header within `tolerance` of `now`.
fn check_timestamp(value: &[u8], tolerance: Duration, now: SystemTime) -> Result<(), WebhookError> {
    let text = std::str::from_utf8(value).map_err(|_| WebhookError::BadTimestamp)?;
    let at = parse_time(text.trim()).ok_or(WebhookError::BadTimestamp)?;
    let (skew, in_future) = match now.duration_since(at) {
        Ok(age) => (age, false),
        Err(e) => (e.duration(), true),
    };
    if skew > tolerance {
        return Err(WebhookError::OutsideTolerance {
            skew_secs: skew.as_secs(),
            in_future,
            tolerance_secs: tolerance.as_secs(),
        });
    }
    Ok(())
}

/// Unix seconds (milliseconds when 13 digits or more), RFC 3339 (UTC when without
/// zone), or an HTTP date.
fn parse_time(text: &str) -> Option<SystemTime> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: u64 = text.parse().ok()?;
        let d = if text.len() >= 13 {
            Duration::from_millis(n)
        } else {
            Duration::from_secs(n)
        };
        return UNIX_EPOCH.checked_add(d);
    }
    if let Some(p) = crate::time::parse_date_time(text) {
        return p.local.to_system_time(p.offset.unwrap_or(0));
    }
    crate::time::parse_http_date(text)
}

/// A Yativo webhook event: its type, id, time and `data`, as it came.
///
/// Read from a JSON object with (names exact; the first spelling present wins):
/// the type in `event`, `event_type` or `type`; the id in `id` or `event_id`; the
/// time, if any, in `created_at` or `timestamp` (RFC 3339, read as UTC without a
/// zone, or Unix seconds); and `data`, any JSON value, kept as its raw text. Other
/// fields are ignored; one of these given twice is refused (two readers could
/// disagree on which one counts).
#[derive(Debug, Clone)]
pub struct Event {
    event_type: String,
    id: String,
    created_at: Option<SystemTime>,
    data: Box<RawValue>,
    secret_index: Option<usize>,
}

const TYPE_FIELDS: &[&str] = &["event", "event_type", "type"];
const ID_FIELDS: &[&str] = &["id", "event_id"];
const TIME_FIELDS: &[&str] = &["created_at", "timestamp"];

impl Event {
    /// Reads an event from a body **without checking any signature**: for a body
    /// already verified, or for tests. Use [`Verifier::verify`] on requests.
    pub fn from_body(body: &[u8]) -> Result<Event, WebhookError> {
        let not = |field: &'static str, reason: String| WebhookError::NotAnEvent { field, reason };
        let text = std::str::from_utf8(body).map_err(|e| {
            not(
                "body",
                format!("it is not UTF-8 (byte {})", e.valid_up_to() + 1),
            )
        })?;
        let fields = top_level_fields(text).map_err(|e| not("body", e))?;
        let pick =
            |names: &[&'static str]| -> Result<Option<(&'static str, &RawValue)>, WebhookError> {
                for name in names {
                    let mut hits = fields.iter().filter(|(k, _)| k == name);
                    if let Some((_, v)) = hits.next() {
                        if hits.next().is_some() {
                            return Err(not(
                                name,
                                format!("the field `{name}` appears more than once"),
                            ));
                        }
                        return Ok(Some((name, &**v)));
                    }
                }
                Ok(None)
            };
        let string = |names: &[&'static str], what: &str| -> Result<String, WebhookError> {
            let Some((name, raw)) = pick(names)? else {
                return Err(not(
                    names[0],
                    format!("no {what} (looked for `{}`)", names.join("`, `")),
                ));
            };
            match serde_json::from_str::<String>(raw.get()) {
                Ok(s) if !s.trim().is_empty() => Ok(s),
                Ok(_) => Err(not(name, format!("the field `{name}` is empty"))),
                Err(_) => Err(not(name, format!("the field `{name}` is not a string"))),
            }
        };
        let event_type = string(TYPE_FIELDS, "event type")?;
        let id = match pick(ID_FIELDS)? {
            // Some senders number their events.
            Some((_, raw)) if raw.get().bytes().all(|b| b.is_ascii_digit()) => raw.get().to_owned(),
            _ => string(ID_FIELDS, "event id")?,
        };
        let created_at = match pick(TIME_FIELDS)? {
            None => None,
            Some((_, raw)) if raw.get() == "null" => None,
            Some((name, raw)) => {
                let text = serde_json::from_str::<String>(raw.get())
                    .unwrap_or_else(|_| raw.get().to_owned());
                Some(parse_time(text.trim()).ok_or_else(|| {
                    not(
                        name,
                        format!("the field `{name}` is not a time (RFC 3339 or Unix seconds)"),
                    )
                })?)
            }
        };
        let data = match pick(&["data"])? {
            Some((_, raw)) => raw.to_owned(),
            None => return Err(not("data", "no `data`".to_owned())),
        };
        Ok(Event {
            event_type,
            id,
            created_at,
            data,
            secret_index: None,
        })
    }

    /// The event type, e.g. `payout.created`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The event id: the key to deduplicate on (delivery is at least once).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When the event happened, if the body says.
    pub fn created_at(&self) -> Option<SystemTime> {
        self.created_at
    }

    /// `data` as it came: read it into your own types with
    /// `serde_json::from_str(event.data().get())`.
    pub fn data(&self) -> &RawValue {
        &self.data
    }

    /// Which of the verifier's secrets signed it (0 for the first), or `None` when
    /// it was read with [`Event::from_body`]. During a rotation, this says when the
    /// old secret is no longer used.
    pub fn secret_index(&self) -> Option<usize> {
        self.secret_index
    }
}

/// The fields of a JSON object, in order, duplicates kept, values raw; or why the
/// text is not one JSON object.
fn top_level_fields(text: &str) -> Result<Vec<(String, Box<RawValue>)>, String> {
    struct Fields;
    impl<'de> Visitor<'de> for Fields {
        type Value = Vec<(String, Box<RawValue>)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = de.deserialize_any(Fields).map_err(|e| describe(&e))?;
    de.end().map_err(|e| describe(&e))?;
    Ok(fields)
}

/// A JSON error in words, without quoting the input.
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "it ends before the JSON does",
        Category::Syntax => "it is not valid JSON",
        Category::Data => "it is JSON but not an object",
        Category::Io => "it could not be read",
    };
    format!("{what} (line {}, column {})", e.line(), e.column())
}

impl<'de> de::Deserialize<'de> for Event {
    /// From the same JSON as [`Event::from_body`] (never verified).
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Event::from_body(raw.get().as_bytes()).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","event":"payout.created","created_at":"2026-01-12T18:30:00Z","data":{"id":"po_1","amount":"10.00"}}"#;

    fn sig(secret: &str) -> String {
        Verifier::sign(secret, BODY)
    }

    #[test]
    fn hmac_matches_a_known_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            Verifier::sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn every_header_name_and_both_spellings() {
        let v = Verifier::new(["k1"]).unwrap();
        for name in ["X-Yativo-Signature", "x-webhook-signature", "SIGNATURE"] {
            for value in [
                sig("k1"),
                format!("sha256={}", sig("k1")),
                format!("SHA256={}", sig("k1").to_uppercase()),
            ] {
                let e = v.verify([(name, value.as_str())], BODY).unwrap();
                assert_eq!(e.id(), "evt_1");
                assert_eq!(e.secret_index(), Some(0));
                v.verify_header(name, value.as_bytes(), BODY).unwrap();
            }
        }
    }

    #[test]
    fn headers_come_in_the_usual_shapes() {
        let v = Verifier::new(["k1"]).unwrap();
        let owned: Vec<(String, String)> = vec![("signature".into(), sig("k1"))];
        v.verify(&owned, BODY).unwrap();
        v.verify(owned, BODY).unwrap();
        let bytes: Vec<(&str, Vec<u8>)> = vec![("Signature", sig("k1").into_bytes())];
        v.verify(&bytes, BODY).unwrap();
        let mut map = ureq::http::HeaderMap::new();
        map.insert("x-webhook-signature", sig("k1").parse().unwrap());
        map.insert("timestamp", "1800000000".parse().unwrap());
        v.verify(&map, BODY).unwrap();
    }

    #[test]
    fn malformed_signatures_say_what_is_wrong() {
        let v = Verifier::new(["k1"]).unwrap();
        let good = sig("k1");
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "it is empty"),
            ("sha256=".into(), "it is empty"),
            (good[..63].into(), "it has 63 hex digits"),
            (format!("{good}00"), "it has 66 hex digits"),
            (
                format!("{}g{}", &good[..9], &good[10..]),
                "character 10 is not a hex digit",
            ),
            (format!("sha1={}", &good[..40]), "prefix `sha1=`"),
            (format!("v1,{good}"), "character 1 is not a hex digit"),
        ];
        for (value, needle) in cases {
            let e = v
                .verify([("X-Yativo-Signature", value.as_str())], BODY)
                .unwrap_err();
            assert!(
                matches!(
                    e,
                    WebhookError::MalformedSignature {
                        header: "X-Yativo-Signature",
                        ..
                    }
                ),
                "{e:?}"
            );
            let text = e.to_string();
            assert!(text.contains(needle), "{value}: {text}");
            assert!(!text.contains(&good), "{text}");
        }
        let e = v
            .verify([("Signature", [0xff_u8, 0xfe].as_slice())], BODY)
            .unwrap_err();
        assert!(
            e.to_string().contains("character 1 is not a hex digit"),
            "{e}"
        );
    }

    #[test]
    fn missing_duplicate_and_unknown_headers() {
        let v = Verifier::new(["k1"]).unwrap();
        let e = v
            .verify([("Content-Type", "application/json")], BODY)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the request has no signature header (looked for X-Yativo-Signature, X-Webhook-Signature, Signature)"
        );
        let s = sig("k1");
        let e = v
            .verify([("signature", s.as_str()), ("Signature", s.as_str())], BODY)
            .unwrap_err();
        assert!(e.to_string().contains("appears 2 times"), "{e}");
        // The first name in the list wins over the others.
        let e = v
            .verify(
                [("Signature", s.as_str()), ("X-Yativo-Signature", "00")],
                BODY,
            )
            .unwrap_err();
        assert!(e.to_string().contains("`X-Yativo-Signature`"), "{e}");
        let e = v
            .verify_header("X-Hub-Signature", s.as_bytes(), BODY)
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("`X-Hub-Signature` is not a Yativo signature header"),
            "{e}"
        );
    }

    #[test]
    fn rotation_and_wrong_secrets() {
        let v = Verifier::new(["new-secret", "old-secret"]).unwrap();
        let a = v.verify([("Signature", sig("old-secret"))], BODY).unwrap();
        assert_eq!(a.secret_index(), Some(1));
        let b = v.verify([("Signature", sig("new-secret"))], BODY).unwrap();
        assert_eq!(b.secret_index(), Some(0));
        let e = v.verify([("Signature", sig("other"))], BODY).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("matches none of the 2 webhook secret(s)"),
            "{text}"
        );
        for s in [
            "new-secret",
            "old-secret",
            &sig("new-secret"),
            &sig("old-secret"),
        ] {
            assert!(!text.contains(s) && !format!("{e:?}{v:?}").contains(s));
        }
        assert!(Verifier::new(Vec::<String>::new())
            .unwrap_err()
            .to_string()
            .contains("at least one"));
        assert!(Verifier::new(["a", ""])
            .unwrap_err()
            .to_string()
            .contains("secret 2 of 2 is empty"));
        let e: Error = WebhookError::MissingSignature.into();
        assert!(
            e.to_string()
                .starts_with("invalid argument `webhook signature`"),
            "{e}"
        );
    }

    #[test]
    fn tolerance_applies_only_to_a_timestamp_header() {
        let at = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let v = Verifier::new(["k1"])
            .unwrap()
            .tolerance(Duration::from_secs(300));
        let h = |ts: &str| {
            vec![
                ("Signature".to_owned(), sig("k1")),
                ("timestamp".to_owned(), ts.to_owned()),
            ]
        };
        v.verify_at(h("1800000100"), BODY, at).unwrap();
        v.verify_at(h("1799999800"), BODY, at).unwrap();
        v.verify_at(h("1800000000000"), BODY, at).unwrap();
        v.verify_at(h("2027-01-15T08:00:00Z"), BODY, at).unwrap();
        v.verify_at([("Signature", sig("k1"))], BODY, at).unwrap();
        let e = v.verify_at(h("1799999000"), BODY, at).unwrap_err();
        assert!(
            e.to_string()
                .contains("is 1000 s old, more than the tolerance of 300 s"),
            "{e}"
        );
        let e = v.verify_at(h("1800001000"), BODY, at).unwrap_err();
        assert!(e.to_string().contains("1000 s ahead"), "{e}");
        let e = v.verify_at(h("soon"), BODY, at).unwrap_err();
        assert_eq!(e, WebhookError::BadTimestamp);
        // Without a tolerance the header is not read.
        Verifier::new(["k1"])
            .unwrap()
            .verify_at(h("soon"), BODY, at)
            .unwrap();
    }

    #[test]
    fn events_are_read_or_the_field_named() {
        let e = Event::from_body(BODY).unwrap();
        assert_eq!(e.event_type(), "payout.created");
        assert_eq!(
            e.created_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_768_242_600))
        );
        assert_eq!(e.data().get(), r#"{"id":"po_1","amount":"10.00"}"#);
        assert_eq!(e.secret_index(), None);
        let e = Event::from_body(br#"{"event_id": 42, "type": "deposit.received", "timestamp": 1700000000, "data": [1, 2]}"#).unwrap();
        assert_eq!(
            (e.id(), e.event_type(), e.data().get()),
            ("42", "deposit.received", "[1, 2]")
        );
        assert_eq!(
            e.created_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        let e: Event = serde_json::from_str(std::str::from_utf8(BODY).unwrap()).unwrap();
        assert_eq!(e.id(), "evt_1");
        for (body, field, needle) in [
            (&b"[1]"[..], "body", "JSON but not an object"),
            (b"{\"id\":", "body", "ends before the JSON does"),
            (b"{} x", "body", "not valid JSON"),
            (b"\xff", "body", "not UTF-8"),
            (
                br#"{"id":"e","data":1}"#,
                "event",
                "no event type (looked for `event`, `event_type`, `type`)",
            ),
            (br#"{"event":"x","data":1}"#, "id", "no event id"),
            (
                br#"{"event":"x","id":"","data":1}"#,
                "id",
                "the field `id` is empty",
            ),
            (
                br#"{"event":7,"id":"e","data":1}"#,
                "event",
                "the field `event` is not a string",
            ),
            (br#"{"event":"x","id":"e"}"#, "data", "no `data`"),
            (
                br#"{"event":"x","id":"e","data":1,"created_at":"yesterday"}"#,
                "created_at",
                "`created_at` is not a time",
            ),
            (
                br#"{"event":"x","id":"a","id":"b","data":1}"#,
                "id",
                "`id` appears more than once",
            ),
        ] {
            match Event::from_body(body) {
                Err(WebhookError::NotAnEvent { field: f, reason }) => {
                    assert_eq!(f, field, "{reason}");
                    assert!(reason.contains(needle), "{reason}");
                }
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(body)),
            }
        }
    }
}
