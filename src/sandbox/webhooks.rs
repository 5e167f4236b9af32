//! Signed webhooks: when a payout is carried out, the sandbox POSTs a
//! `payout.created` event to every URL a test subscribed, signed the way Yativo
//! signs (HMAC-SHA256 of the raw body, hex) in the header form the subscription
//! chose — or deliberately broken, to test that a receiver refuses it.
//!
//! Delivery runs on a thread of its own, after the payout's answer is decided: it
//! never delays the answer, and it gives up after the subscription's
//! [`timeout`](Webhook::timeout) (connect, send and read the status line). Each
//! outcome is kept for `GET /__sandbox/webhooks` ([`Sandbox::webhook_deliveries`](super::Sandbox::webhook_deliveries)).

use std::collections::VecDeque;
use std::fmt;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use super::sync::lock;
use crate::yativo::webhook::{Verifier, SIGNATURE_HEADERS};

/// The longest delivery timeout a subscription may ask for.
const MAX_TIMEOUT: Duration = Duration::from_secs(30);
/// The delivery timeout when none is given.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How many delivery outcomes are kept.
const KEPT_DELIVERIES: usize = 100;

/// How a [`Webhook`] breaks what it sends, for testing a receiver's refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Tamper {
    /// A correct signature (`"none"`).
    #[default]
    None,
    /// One byte of the body changed after signing: a digit of `data.amount`
    /// (`"body"`).
    Body,
    /// Signed with another secret (the subscription's secret with `-wrong`
    /// appended) (`"wrong_secret"`).
    WrongSecret,
    /// The signature's last 8 hex digits cut off (`"truncated"`).
    Truncated,
    /// The signature's 10th digit replaced by `g` (`"non_hex"`).
    NonHex,
    /// The signature header sent with an empty value (`"empty"`).
    Empty,
}

impl Tamper {
    const ALL: [(&'static str, Tamper); 6] = [
        ("none", Tamper::None),
        ("body", Tamper::Body),
        ("wrong_secret", Tamper::WrongSecret),
        ("truncated", Tamper::Truncated),
        ("non_hex", Tamper::NonHex),
        ("empty", Tamper::Empty),
    ];

    fn name(self) -> &'static str {
        Tamper::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("none", |(n, _)| n)
    }
}

/// A webhook subscription: where the sandbox POSTs an event each time a payout is
/// carried out (not for a replayed or refused one), and how it signs it.
///
/// From Rust with [`Sandbox::add_webhook`](super::Sandbox::add_webhook), or over
/// HTTP with `POST /__sandbox/webhooks` and the same fields as JSON (`timeout` as
/// `timeout_ms`, `tamper` as its name):
///
/// ```
/// use tokenbridge::sandbox::{Tamper, Webhook};
///
/// let hook = Webhook::new("http://127.0.0.1:8080/hook", "whsec_test")
///     .header("Signature")
///     .prefix(true)
///     .tamper(Tamper::Truncated);
/// let json: Webhook = serde_json::from_str(
///     r#"{"url": "http://127.0.0.1:8080/hook", "secret": "whsec_test",
///         "header": "Signature", "prefix": true, "tamper": "truncated"}"#,
/// ).unwrap();
/// assert_eq!(hook, json);
/// assert!(!format!("{hook:?}").contains("whsec_test"));
/// ```
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Value")]
pub struct Webhook {
    /// `http://HOST:PORT/PATH`; HOST an IP address or `localhost` (no name lookup,
    /// so a delivery never waits on DNS).
    pub url: String,
    /// The webhook secret it signs with.
    pub secret: String,
    /// The signature header: one of `X-Yativo-Signature` (the default),
    /// `X-Webhook-Signature`, `Signature`, written as given.
    pub header: String,
    /// Whether the value is `sha256=<hex>` rather than bare hex.
    pub prefix: bool,
    /// How the request is broken, if at all.
    pub tamper: Tamper,
    /// How many payouts it fires for; 0 (the default) = every one until cleared.
    pub times: u32,
    /// The whole delivery (connect, send, read the answer's status line) gives up
    /// after this long (default 5 s, at most 30 s).
    pub timeout: Duration,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .field("secret", &"***")
            .field("header", &self.header)
            .field("prefix", &self.prefix)
            .field("tamper", &self.tamper)
            .field("times", &self.times)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Webhook {
    /// A subscription for `url`, signed with `secret` in `X-Yativo-Signature`,
    /// bare hex, untampered, for every payout.
    pub fn new(url: impl Into<String>, secret: impl Into<String>) -> Webhook {
        Webhook {
            url: url.into(),
            secret: secret.into(),
            header: SIGNATURE_HEADERS[0].to_owned(),
            prefix: false,
            tamper: Tamper::None,
            times: 0,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The signature header's name (one of the three, in any case).
    pub fn header(mut self, name: impl Into<String>) -> Webhook {
        self.header = name.into();
        self
    }

    /// Writes the signature as `sha256=<hex>` (`true`) or bare hex.
    pub fn prefix(mut self, prefix: bool) -> Webhook {
        self.prefix = prefix;
        self
    }

    /// Breaks the request this way.
    pub fn tamper(mut self, tamper: Tamper) -> Webhook {
        self.tamper = tamper;
        self
    }

    /// Fires for this many payouts (0: until cleared).
    pub fn times(mut self, times: u32) -> Webhook {
        self.times = times;
        self
    }

    /// Gives up a delivery after this long.
    pub fn timeout(mut self, timeout: Duration) -> Webhook {
        self.timeout = timeout;
        self
    }

    /// Whether the subscription is usable, or what is wrong with it.
    pub fn check(&self) -> Result<(), String> {
        Target::parse(&self.url)?;
        if self.secret.is_empty() {
            return Err("`secret` must not be empty".into());
        }
        if !SIGNATURE_HEADERS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&self.header))
        {
            return Err(format!(
                "`header` `{}` must be one of {}",
                self.header,
                SIGNATURE_HEADERS.join(", ")
            ));
        }
        if self.timeout.is_zero() || self.timeout > MAX_TIMEOUT {
            return Err("`timeout_ms` must be from 1 to 30000".into());
        }
        Ok(())
    }
}

/// The control endpoint's JSON: every field checked, the wrong one named.
impl TryFrom<Value> for Webhook {
    type Error = String;

    fn try_from(value: Value) -> Result<Webhook, String> {
        const FIELDS: &str = "url, secret, header, prefix, tamper, times, timeout_ms";
        let Value::Object(m) = value else {
            return Err(format!(
                "a webhook is a JSON object with the fields {FIELDS}"
            ));
        };
        if let Some(k) = m
            .keys()
            .find(|k| !FIELDS.split(", ").any(|f| f == k.as_str()))
        {
            return Err(format!("unknown field `{k}`; a webhook takes {FIELDS}"));
        }
        let string = |key: &str| -> Result<Option<String>, String> {
            match m.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("field `{key}` must be a string")),
            }
        };
        let uint =
            |key: &str, max: u64| -> Result<Option<u64>, String> {
                match m.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v) => v.as_u64().filter(|n| *n <= max).map(Some).ok_or_else(|| {
                        format!("field `{key}` must be a whole number from 0 to {max}")
                    }),
                }
            };
        let url = string("url")?.ok_or("missing field `url`")?;
        let secret = string("secret")?.ok_or("missing field `secret`")?;
        let mut hook = Webhook::new(url, secret);
        if let Some(h) = string("header")? {
            hook.header = h;
        }
        hook.prefix = match m.get("prefix") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err("field `prefix` must be true or false".into()),
        };
        if let Some(t) = string("tamper")? {
            hook.tamper = Tamper::ALL
                .iter()
                .find(|(n, _)| *n == t)
                .map(|(_, t)| *t)
                .ok_or_else(|| {
                    let names: Vec<&str> = Tamper::ALL.iter().map(|(n, _)| *n).collect();
                    format!("field `tamper` `{t}` must be one of {}", names.join(", "))
                })?;
        }
        if let Some(t) = uint("times", u64::from(u32::MAX))? {
            hook.times = t as u32;
        }
        if let Some(ms) = uint("timeout_ms", MAX_TIMEOUT.as_millis() as u64)? {
            hook.timeout = Duration::from_millis(ms);
        }
        hook.check()?;
        Ok(hook)
    }
}

/// Where a delivery goes: an address (no name lookup) and the request target.
struct Target {
    addr: SocketAddr,
    host: String,
    path: String,
}

impl Target {
    fn parse(url: &str) -> Result<Target, String> {
        let bad = |why: &str| format!("`url` `{url}` {why}");
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| bad("must start with http:// (the sandbox sends plain HTTP)"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad("must not carry credentials"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| bad("has a port that is not a number from 1 to 65535"))?;
                (h, port)
            }
            _ => (authority, 80),
        };
        let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| {
                    bad("must name its host by IP address or as localhost (no DNS lookup)")
                })?
        };
        if port == 0 {
            return Err(bad("has port 0"));
        }
        if path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
            return Err(bad("has spaces or control characters in its path"));
        }
        Ok(Target {
            addr: SocketAddr::new(ip, port),
            host: authority.to_owned(),
            path: path.to_owned(),
        })
    }
}

/// The outcomes of the deliveries, newest last (shared with the delivery threads).
pub(crate) type Deliveries = Arc<Mutex<VecDeque<Value>>>;

/// The subscriptions and what became of their deliveries.
#[derive(Debug, Default)]
pub(crate) struct Hooks {
    subscriptions: Vec<Webhook>,
    deliveries: Deliveries,
}

impl Hooks {
    pub(crate) fn add(&mut self, hook: Webhook) {
        self.subscriptions.push(hook);
    }

    pub(crate) fn clear(&mut self) {
        self.subscriptions.clear();
    }

    /// What `GET /__sandbox/webhooks` answers: the subscriptions (secrets left
    /// out) and the kept delivery outcomes.
    pub(crate) fn to_json(&self) -> Value {
        let subs: Vec<Value> = self
            .subscriptions
            .iter()
            .map(|h| {
                json!({"url": h.url, "header": h.header, "prefix": h.prefix,
                       "tamper": h.tamper.name(), "times": h.times,
                       "timeout_ms": h.timeout.as_millis() as u64})
            })
            .collect();
        json!({"subscriptions": subs, "deliveries": self.deliveries()})
    }

    pub(crate) fn deliveries(&self) -> Vec<Value> {
        lock(&self.deliveries).iter().cloned().collect()
    }

    /// Sends `event` (its type and `data`) to every subscription, each on a thread
    /// of its own; used-up subscriptions are removed.
    pub(crate) fn fire(&mut self, event_type: &str, data: &Value) {
        if self.subscriptions.is_empty() {
            return;
        }
        let now = SystemTime::now();
        let created_at = jiff::Timestamp::try_from(now)
            .map(|t| format!("{t:.0}"))
            .unwrap_or_default();
        let timestamp = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let mut used_up = Vec::with_capacity(self.subscriptions.len());
        for hook in &mut self.subscriptions {
            let id = format!("evt_{}", uuid::Uuid::new_v4().simple());
            let body =
                json!({"id": id, "event": event_type, "created_at": created_at, "data": data})
                    .to_string()
                    .into_bytes();
            let request = signed(hook, &id, body, timestamp);
            let deliveries = self.deliveries.clone();
            let hook_copy = hook.clone();
            let spawned = std::thread::Builder::new()
                .name("sandbox-webhook".into())
                .spawn(move || {
                    let outcome = deliver(&hook_copy, &request);
                    let mut kept = lock(&deliveries);
                    if kept.len() >= KEPT_DELIVERIES {
                        kept.pop_front();
                    }
                    kept.push_back(outcome);
                });
            if let Err(e) = spawned {
                lock(&self.deliveries).push_back(
                    json!({"event_id": id, "url": hook.url, "error": format!("no thread: {e}")}),
                );
            }
            used_up.push(hook.times == 1);
            hook.times = hook.times.saturating_sub(1);
        }
        let mut used_up = used_up.into_iter();
        self.subscriptions
            .retain(|_| !used_up.next().unwrap_or(false));
    }
}

/// One delivery, ready to write.
struct Signed {
    event_id: String,
    head: String,
    body: Vec<u8>,
}

/// The request for `hook`: the body signed (and broken as the hook says).
fn signed(hook: &Webhook, event_id: &str, mut body: Vec<u8>, timestamp: u64) -> Signed {
    let secret = match hook.tamper {
        Tamper::WrongSecret => format!("{}-wrong", hook.secret),
        _ => hook.secret.clone(),
    };
    let mut signature = Verifier::sign(&secret, &body);
    match hook.tamper {
        Tamper::Body => change_one_byte(&mut body),
        Tamper::Truncated => signature.truncate(signature.len() - 8),
        Tamper::NonHex => signature.replace_range(9..10, "g"),
        Tamper::Empty => signature.clear(),
        Tamper::None | Tamper::WrongSecret => {}
    }
    let value = if hook.prefix && hook.tamper != Tamper::Empty {
        format!("sha256={signature}")
    } else {
        signature
    };
    let target = Target::parse(&hook.url).expect("checked when added");
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: tokenbridge-sandbox\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}: {}\r\nTimestamp: {timestamp}\r\nConnection: close\r\n\r\n",
        target.path,
        target.host,
        body.len(),
        hook.header,
        value
    );
    Signed {
        event_id: event_id.to_owned(),
        head,
        body,
    }
}

/// A digit of `"amount":"…"` one higher (9 becomes 0): the JSON stays valid, one
/// byte differs.
fn change_one_byte(body: &mut [u8]) {
    let key = br#""amount":""#;
    let at = body
        .windows(key.len())
        .position(|w| w == key)
        .map(|i| i + key.len())
        .and_then(|i| (i..body.len()).find(|&j| body[j].is_ascii_digit()))
        .unwrap_or(body.len().saturating_sub(2));
    body[at] = match body[at] {
        b'9' => b'0',
        d @ b'0'..=b'8' => d + 1,
        other => other ^ 1,
    };
}

/// Sends one request within the hook's timeout; the outcome as JSON.
fn deliver(hook: &Webhook, request: &Signed) -> Value {
    let started = Instant::now();
    let result = send(hook, request, started + hook.timeout);
    let mut v = json!({
        "event_id": request.event_id,
        "url": hook.url,
        "header": hook.header,
        "tamper": hook.tamper.name(),
        "elapsed_ms": started.elapsed().as_millis() as u64,
    });
    match result {
        Ok(status) => v["status"] = json!(status),
        Err(e) => v["error"] = json!(e),
    }
    v
}

fn send(hook: &Webhook, request: &Signed, deadline: Instant) -> Result<u16, String> {
    let timed_out = || format!("timed out after {} ms", hook.timeout.as_millis());
    // A socket timeout is WouldBlock on Unix, TimedOut on Windows.
    let io = |what: &str, e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => timed_out(),
        _ => format!("{what}: {e}"),
    };
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(timed_out)
    };
    let target = Target::parse(&hook.url)?;
    let mut stream = TcpStream::connect_timeout(&target.addr, left()?)
        .map_err(|e| io(&format!("cannot connect to {}", target.addr), e))?;
    stream
        .set_write_timeout(Some(left()?))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(request.head.as_bytes())
        .and_then(|()| stream.write_all(&request.body))
        .map_err(|e| io("sending", e))?;
    // The status line is all the sandbox needs of the answer.
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.windows(2).any(|w| w == b"\r\n") && got.len() < 1024 {
        stream
            .set_read_timeout(Some(left()?))
            .map_err(|e| e.to_string())?;
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io("reading the answer", e)),
        }
    }
    let line = String::from_utf8_lossy(&got);
    line.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|_| line.starts_with("HTTP/"))
        .ok_or_else(|| "the answer is not HTTP".to_owned())
}

/// `POST /__sandbox/webhooks`' body as a subscription.
pub(crate) fn webhook_of(body: Map<String, Value>) -> Result<Webhook, String> {
    Webhook::try_from(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Webhook, String> {
        Webhook::try_from(serde_json::from_str::<Value>(s).unwrap())
    }

    #[test]
    fn subscriptions_from_json_name_the_wrong_field() {
        let h = parse(r#"{"url": "http://127.0.0.1:9/h", "secret": "s", "header": "x-webhook-signature", "tamper": "non_hex", "times": 2, "timeout_ms": 100}"#).unwrap();
        assert_eq!(
            h,
            Webhook::new("http://127.0.0.1:9/h", "s")
                .header("x-webhook-signature")
                .tamper(Tamper::NonHex)
                .times(2)
                .timeout(Duration::from_millis(100))
        );
        for (json, needle) in [
            (r#"{"secret": "s"}"#, "missing field `url`"),
            (
                r#"{"url": "http://127.0.0.1:9/"}"#,
                "missing field `secret`",
            ),
            (
                r#"{"url": "http://127.0.0.1:9/", "secret": ""}"#,
                "`secret` must not be empty",
            ),
            (
                r#"{"url": "https://127.0.0.1:9/", "secret": "s"}"#,
                "must start with http://",
            ),
            (
                r#"{"url": "http://example.com/", "secret": "s"}"#,
                "by IP address or as localhost",
            ),
            (
                r#"{"url": "http://127.0.0.1:x/", "secret": "s"}"#,
                "port that is not a number",
            ),
            (
                r#"{"url": "http://127.0.0.1:9/", "secret": "s", "header": "X-Sig"}"#,
                "`header` `X-Sig` must be one of",
            ),
            (
                r#"{"url": "http://127.0.0.1:9/", "secret": "s", "tamper": "all"}"#,
                "`tamper` `all` must be one of none, body",
            ),
            (
                r#"{"url": "http://127.0.0.1:9/", "secret": "s", "timeout_ms": 0}"#,
                "`timeout_ms` must be from 1",
            ),
            (
                r#"{"url": "http://127.0.0.1:9/", "secret": "s", "timeout_ms": 90000}"#,
                "field `timeout_ms`",
            ),
            (
                r#"{"url": "http://127.0.0.1:9/", "secret": "s", "prefix": 1}"#,
                "field `prefix` must be true or false",
            ),
            (
                r#"{"url": "http://127.0.0.1:9/", "secret": "s", "sekret": "s"}"#,
                "unknown field `sekret`",
            ),
            (r#"[1]"#, "JSON object"),
        ] {
            let e = parse(json).unwrap_err();
            assert!(e.contains(needle), "{json}: {e}");
        }
        assert!(Target::parse("http://[::1]:8080/x").is_ok());
        assert_eq!(Target::parse("http://localhost").unwrap().addr.port(), 80);
    }

    #[test]
    fn tampering_changes_exactly_what_it_says() {
        let body = br#"{"data":{"amount":"19.00"},"id":"e"}"#.to_vec();
        let hook = Webhook::new("http://127.0.0.1:9/h", "k");
        let good = signed(&hook, "e", body.clone(), 1);
        let sig = Verifier::sign("k", &body);
        assert!(good
            .head
            .contains(&format!("\r\nX-Yativo-Signature: {sig}\r\n")));
        let b = signed(&hook.clone().tamper(Tamper::Body), "e", body.clone(), 1);
        let differing = b.body.iter().zip(&body).filter(|(a, b)| a != b).count();
        assert_eq!((differing, b.body.len()), (1, body.len()));
        assert!(b.head.contains(&sig), "signed before the change");
        let t = signed(
            &hook.clone().tamper(Tamper::Truncated).prefix(true),
            "e",
            body.clone(),
            1,
        );
        assert!(t
            .head
            .contains(&format!("X-Yativo-Signature: sha256={}\r\n", &sig[..56])));
        let e = signed(
            &hook.clone().tamper(Tamper::Empty).prefix(true),
            "e",
            body.clone(),
            1,
        );
        assert!(e.head.contains("X-Yativo-Signature: \r\n"));
        let n = signed(&hook.clone().tamper(Tamper::NonHex), "e", body.clone(), 1);
        assert!(n.head.contains(&format!("{}g{}", &sig[..9], &sig[10..])));
        let w = signed(&hook.tamper(Tamper::WrongSecret), "e", body.clone(), 1);
        assert!(w.head.contains(&Verifier::sign("k-wrong", &body)));
    }
}
