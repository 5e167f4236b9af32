//! The HTTP layer every client shares, split by concern:
//!
//! * [`request`]: what a call sends (the public [`Request`], the crate's `Outgoing`)
//!   and what a generic call gets back ([`Response`]);
//! * [`reply`]: the answer as the vendor modules read it, and ureq's failures mapped
//!   to errors that name the right culprit;
//! * [`agent`]: the ureq agent (TLS roots, proxy, timeouts), one per process;
//! * [`options`]: a call's deadline and cancellation;
//! * [`transport`]: the one layer under ureq, right above each socket: the call's
//!   deadline and cancellation bound every wait; it never touches a byte;
//! * [`exchange`]: the attempt running on the calling thread, whose limits the
//!   transport and the resolver read;
//! * [`lookup`]: the system resolver asked within the call's limits (a small pool);
//! * [`resolve`]: the DNS cache;
//! * this file: sending one request with the retry rules, and logging it.
#![forbid(unsafe_code)]

pub(crate) mod agent;
mod exchange;
mod lookup;
pub(crate) mod options;
pub(crate) mod reply;
pub(crate) mod request;
mod resolve;
pub(crate) mod transport;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use options::{CallOptions, CancelToken};
pub use request::{Body, Method, Request, Response, MAX_HEADER_VALUE_BYTES};

pub(crate) use agent::normalize_base_url;
pub(crate) use options::CallLimits;
pub(crate) use reply::{no_reason, show, the_deadline, ReasonReader, Reply, EXCERPT_CHARS};
pub(crate) use request::{check_value, Auth, Outgoing};

use self::agent::{AgentSetup, ProcessAgent};
use self::exchange::{with_exchange, Exchange};
use self::reply::{authorization, from_ureq, parse_retry_after, Route, Secrets, SendError};
use crate::config::{Config, RetryPolicy};
use crate::error::{Error, Result, TransportKind};
use crate::secret::Secret;

/// An answer as it came off the wire, before it is read as text or handed out.
struct Raw {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

/// One client's connection to one API.
pub(crate) struct Http {
    agent: ProcessAgent,
    base: String,
    max_body: u64,
    retry: RetryPolicy,
    /// The connect timeout of the settings; a call's deadline may shorten it.
    timeout_connect: Duration,
    seed: RandomState,
    counter: AtomicU64,
    /// The client's credentials, scrubbed from every error of every call, including
    /// calls that do not send them (a server's debug page may echo them anyway).
    secrets: Vec<Secret>,
    /// How the vendor's error answers give a reason.
    reason: ReasonReader,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("base", &self.base).finish()
    }
}

impl Http {
    pub fn new(base_url: &str, config: &Config) -> Result<Http> {
        let base = normalize_base_url(base_url, config.allow_http)?;
        crate::logging::warn_if_unredacted();
        Ok(Http {
            agent: ProcessAgent::new(AgentSetup::new(config, &base)?),
            base,
            max_body: config.max_response_bytes,
            retry: config.retry,
            timeout_connect: config.timeout_connect,
            seed: RandomState::new(),
            counter: AtomicU64::new(0),
            secrets: Vec::new(),
            reason: no_reason,
        })
    }

    /// Adds the client's credentials to the secrets scrubbed from every error.
    pub fn with_secrets(mut self, secrets: &[&Secret]) -> Http {
        self.secrets.extend(secrets.iter().map(|s| (*s).clone()));
        self
    }

    /// How the vendor's error answers give a reason.
    pub fn with_reason(mut self, reason: ReasonReader) -> Http {
        self.reason = reason;
        self
    }

    /// The base URL, without trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let path = path.trim_start_matches('/');
        let mut url = String::with_capacity(self.base.len() + 1 + path.len());
        url.push_str(&self.base);
        url.push('/');
        url.push_str(path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query.iter().copied())
                    .finish(),
            );
        }
        url
    }

    /// A number no other call of this client gets, unpredictable from outside.
    fn next_random(&self) -> u64 {
        let mut h = self.seed.build_hasher();
        h.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
        h.finish()
    }

    /// Sends a request with the retry rules and returns the answer whatever its
    /// status, its body read as UTF-8 text (the vendors' answers are text).
    pub fn send<'a>(&'a self, req: &Outgoing<'a>, limits: &CallLimits) -> Result<Reply<'a>> {
        let raw = self.exchange(req, limits)?;
        let header = |name: &str| {
            raw.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let body = String::from_utf8(raw.body).map_err(|e| Error::UnexpectedResponse {
            operation: req.operation,
            status: raw.status,
            expected: "a UTF-8 text body".to_owned(),
            excerpt: format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        })?;
        Ok(Reply {
            status: raw.status,
            body,
            location,
            secrets: Secrets::of(req, &self.secrets),
            reason: self.reason,
        })
    }

    /// A generic call's answer read as a vendor answer (for its envelope), its texts
    /// scrubbed of the client's credentials and of `also` (the token the call carried).
    pub fn reply_to<'a>(&'a self, response: &Response, also: &'a [&'a str]) -> Result<Reply<'a>> {
        let body = response.text()?.to_owned();
        Ok(Reply::scrubbed(
            response.status,
            body,
            &self.secrets,
            also,
            self.reason,
        ))
    }

    /// A generic call: the answer as it came (status, headers, body bytes), whatever
    /// its status, except a 401, which is [`Error::Unauthorized`] so that the client
    /// can log in again and retry once.
    pub fn send_raw(&self, req: &Outgoing<'_>, limits: &CallLimits) -> Result<Response> {
        let raw = self.exchange(req, limits)?;
        if raw.status == 401 {
            let text = String::from_utf8_lossy(&raw.body).into_owned();
            let reply = Reply {
                status: 401,
                body: text,
                location: None,
                secrets: Secrets::of(req, &self.secrets),
                reason: self.reason,
            };
            return Err(reply.status_error(req.operation));
        }
        let headers = raw
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        Ok(Response {
            status: raw.status,
            headers,
            body: raw.body,
        })
    }

    /// Sends a request, retrying transient failures when that is safe, and returns
    /// the answer whatever its status (after the retries for 408/429/502/503/504).
    ///
    /// Safe means: the request is repeatable (an idempotent method, an idempotency
    /// key, or a typed operation documented as safe to repeat), or the failure
    /// certainly happened before the server got it (DNS, refused or timed-out connect).
    fn exchange(&self, req: &Outgoing<'_>, limits: &CallLimits) -> Result<Raw> {
        let mut attempt = 0u32;
        loop {
            if limits.cancelled() {
                return Err(Error::Cancelled {
                    operation: req.operation,
                });
            }
            if limits.remaining() == Some(Duration::ZERO) {
                return Err(self.deadline_error(req, limits, None));
            }
            let started = Instant::now();
            let outcome = self
                .attempt(req, limits)
                .map_err(|e| self.in_terms_of_limits(e, req, limits));
            let took = started.elapsed();
            let why_retry = match &outcome {
                Ok(raw) => {
                    log::debug!(target: "tokenbridge::http",
                        "{}: {} {} -> {} in {} ms (attempt {})",
                        req.operation, req.method, req.path, raw.status, took.as_millis(), attempt + 1);
                    matches!(raw.status, 408 | 429 | 502 | 503 | 504)
                        .then(|| format!("HTTP {}", raw.status))
                }
                Err(e) => {
                    log::debug!(target: "tokenbridge::http",
                        "{}: {} {} -> failed in {} ms (attempt {}): {}",
                        req.operation, req.method, req.path, took.as_millis(), attempt + 1, e.error);
                    e.transient.then(|| kind_text(&e.error))
                }
            };
            let Some(why) = why_retry else {
                return outcome.map_err(|e| e.error);
            };
            let unsent = matches!(&outcome, Err(e) if e.unsent);
            if !req.repeatable && !unsent {
                let note = format!(
                    "not retried: a {} without an Idempotency-Key may already have been carried out by the server",
                    req.method
                );
                log::info!(target: "tokenbridge::http", "{}: {} {} -> {why}; {note}", req.operation, req.method, req.path);
                return outcome.map_err(|e| annotate(e.error, &note));
            }
            if attempt >= self.retry.max_retries {
                return outcome.map_err(|e| e.error);
            }
            let hint = outcome.as_ref().ok().and_then(|raw| {
                raw.headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(parse_retry_after)
            });
            let delay = self.backoff(attempt, hint);
            if limits.remaining().is_some_and(|left| left <= delay) {
                log::info!(target: "tokenbridge::http",
                    "{}: {} {} -> {why}; not retried: the call's deadline falls before the next attempt",
                    req.operation, req.method, req.path);
                return outcome.map_err(|e| e.error);
            }
            attempt += 1;
            log::info!(target: "tokenbridge::http",
                "{}: {} {} -> {why}; retrying in {} (attempt {} of {})",
                req.operation, req.method, req.path, show(delay), attempt + 1, self.retry.max_retries + 1);
            if !pause(delay, limits) {
                return Err(Error::Cancelled {
                    operation: req.operation,
                });
            }
        }
    }

    /// A failure while the call's own limits struck is told in their terms: a
    /// cancelled call is [`Error::Cancelled`] (whatever timed out meanwhile, and
    /// however many retries were left), and a timeout once the deadline passed names
    /// the deadline.
    fn in_terms_of_limits(
        &self,
        e: SendError,
        req: &Outgoing<'_>,
        limits: &CallLimits,
    ) -> SendError {
        if limits.cancelled() {
            return SendError::fatal(Error::Cancelled {
                operation: req.operation,
            });
        }
        match e.error {
            Error::Transport {
                kind: TransportKind::Timeout,
                ref detail,
                ..
            } if limits.remaining() == Some(Duration::ZERO) && !detail.contains("deadline") => {
                let during = detail.strip_prefix("timeout: ").unwrap_or(detail);
                SendError::fatal(self.deadline_error(req, limits, Some(during)))
            }
            _ => e,
        }
    }

    /// The call's deadline passed; `during` says what it was waiting for, if known.
    fn deadline_error(
        &self,
        req: &Outgoing<'_>,
        limits: &CallLimits,
        during: Option<&str>,
    ) -> Error {
        let mut detail = format!("{} passed", the_deadline(limits.budget));
        if let Some(during) = during {
            detail = format!("{detail} (while waiting for: {during})");
        }
        Error::Transport {
            operation: req.operation,
            kind: TransportKind::Timeout,
            url: self.url(req.path, &[]),
            detail,
        }
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let cap = self.retry.max_delay;
        if let Some(hint) = retry_after {
            return hint.min(cap);
        }
        let exp = self
            .retry
            .base_delay
            .saturating_mul(1u32.checked_shl(attempt).unwrap_or(u32::MAX))
            .min(cap);
        let fraction = (self.next_random() % 1000) as f64 / 1000.0; // 0.0 ..< 1.0
        exp.mul_f64(0.5 + fraction / 2.0)
    }

    /// One attempt on the wire.
    fn attempt(
        &self,
        req: &Outgoing<'_>,
        limits: &CallLimits,
    ) -> std::result::Result<Raw, SendError> {
        use ureq::http::{header, HeaderValue};
        let (agent, dns) = self.agent.get(limits.pid());
        let url = self.url(req.path, &req.query);
        let secrets = Secrets::of(req, &self.secrets);
        let route = Route {
            url: &url[..url.find('?').unwrap_or(url.len())],
            proxy: self.agent.setup().proxy_for(&url),
            proxy_credentials: self.agent.setup().proxy_has_credentials(),
        };
        let transport = |e: ureq::Error| {
            let e = from_ureq(e, req.operation, &route, &secrets.list(), limits.budget);
            if let Error::Transport {
                kind: TransportKind::Connect | TransportKind::Timeout | TransportKind::Dns,
                ..
            } = e.error
            {
                // The kept address may be the one that stopped answering.
                dns.forget();
            }
            e
        };

        // ureq-proto logs every byte it writes and reads at TRACE: those records
        // never reach a logger of ours or one wrapped in `logging::Redacting`
        // (crate::logging says why and how).
        let mut builder = ureq::http::Request::builder()
            .method(req.method.to_http())
            .uri(url.as_str());
        if let Some(ct) = req.content_type {
            builder = builder.header(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        if let Some(value) = authorization(&req.auth) {
            let Ok(mut value) = HeaderValue::from_bytes(&value) else {
                // The error names no value: it is a token.
                return Err(SendError::fatal(Error::invalid_input(
                    "token",
                    format!(
                        "{}: the token holds a character an Authorization header cannot carry",
                        req.operation
                    ),
                )));
            };
            value.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, value);
        }
        for (name, value) in &req.headers {
            builder = builder.header(*name, *value);
        }
        let body = &req.body;
        let exchange = Exchange::new(limits.clone());
        let (status, headers, bytes) = with_exchange(exchange, || {
            // A deadline shorter than the connect timeout bounds the connect too (the
            // transport bounds every wait for data; DNS is the system's).
            let connect = limits
                .remaining()
                .map_or(self.timeout_connect, |left| left.min(self.timeout_connect));
            let result = if body.is_empty()
                && matches!(
                    req.method,
                    Method::Get | Method::Head | Method::Delete | Method::Options
                ) {
                let r = builder.body(()).map_err(|e| SendError::invalid(req, e))?;
                agent.run(limit_connect(&agent, r, connect, self.timeout_connect))
            } else {
                let r = builder
                    .body(body.as_slice())
                    .map_err(|e| SendError::invalid(req, e))?;
                agent.run(limit_connect(&agent, r, connect, self.timeout_connect))
            };
            let mut response = result.map_err(transport)?;
            let status = response.status().as_u16();
            // Sized from Content-Length (up to the limit and 64 KiB: a header is no
            // reason to reserve more), so a usual answer is read without growing.
            let hint = response.body().content_length().unwrap_or(0);
            let mut bytes = Vec::with_capacity(hint.min(self.max_body).min(64 * 1024) as usize);
            let mut reader = response
                .body_mut()
                .with_config()
                .limit(self.max_body)
                .reader();
            io::Read::read_to_end(&mut reader, &mut bytes)
                .map_err(ureq::Error::from)
                .map_err(|e| match e {
                    ureq::Error::BodyExceedsLimit(limit) => SendError::fatal(Error::UnexpectedResponse {
                        operation: req.operation,
                        status,
                        expected: format!(
                            "a body of at most {limit} bytes (raise it with Config::max_response_bytes, in C tb_config_set_max_response_bytes)"
                        ),
                        excerpt: "a larger body; the rest was not read".to_owned(),
                    }),
                    other => {
                        // The answer had started: never retry, the server has acted.
                        let mut err = transport(other);
                        err.transient = false;
                        err.unsent = false;
                        err
                    }
                })?;
            drop(reader);
            let headers = std::mem::take(response.headers_mut());
            Ok((status, headers, bytes))
        })?;
        Ok(Raw {
            status,
            headers,
            body: bytes,
        })
    }
}

/// The request with a shorter connect timeout, when the call's deadline asks for one.
fn limit_connect<S: ureq::AsSendBody>(
    agent: &ureq::Agent,
    request: ureq::http::Request<S>,
    connect: Duration,
    configured: Duration,
) -> ureq::http::Request<S> {
    if connect >= configured {
        return request;
    }
    agent
        .configure_request(request)
        .timeout_connect(Some(connect.max(Duration::from_millis(1))))
        .build()
}

/// What kind of transient failure an error is, for the log.
fn kind_text(e: &Error) -> String {
    match e {
        Error::Transport { kind, .. } => kind.to_string(),
        other => other.to_string(),
    }
}

/// Adds why a request was not repeated to a transport error.
fn annotate(e: Error, note: &str) -> Error {
    match e {
        Error::Transport {
            operation,
            kind,
            url,
            detail,
        } => Error::Transport {
            operation,
            kind,
            url,
            detail: format!("{detail}; {note}"),
        },
        other => other,
    }
}

/// Sleeps `delay`, waking every 50 ms to see whether the call was cancelled; false
/// when it was.
fn pause(delay: Duration, limits: &CallLimits) -> bool {
    let until = Instant::now() + delay;
    loop {
        if limits.cancelled() {
            return false;
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProxySetting;

    fn get(path: &str) -> Outgoing<'_> {
        Outgoing::new("test", Method::Get, path, Auth::None)
    }

    #[test]
    fn tls_failure_is_a_tls_error() {
        // A server that answers TLS with plain HTTP: the handshake fails.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        let config = Config::default()
            .proxy(ProxySetting::None)
            .retry(RetryPolicy::none());
        let http = Http::new(&format!("https://127.0.0.1:{port}"), &config).unwrap();
        let req = get("x");
        let err = http.send(&req, &CallLimits::none()).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::Transport(TransportKind::Tls),
            "{err}"
        );
        server.join().unwrap();
    }

    /// A keep-alive server on 127.0.0.1 for one connection: answers `n` requests with
    /// `200 ok`, then closes and stops listening.
    fn tiny_server(n: usize) -> (u16, std::thread::JoinHandle<()>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            for _ in 0..n {
                let mut buf = [0u8; 4096];
                let mut got = 0;
                while !buf[..got].windows(4).any(|w| w == b"\r\n\r\n") && got < buf.len() {
                    match conn.read(&mut buf[got..]) {
                        Ok(0) | Err(_) => return,
                        Ok(k) => got += k,
                    }
                }
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        (port, server)
    }

    #[test]
    fn dns_answers_are_kept_and_forgotten_when_a_connection_fails() {
        let (port, server) = tiny_server(3);
        let config = Config::default()
            .allow_http(true)
            .proxy(ProxySetting::None)
            .retry(RetryPolicy::none());
        let http = Http::new(&format!("http://localhost:{port}"), &config).unwrap();
        let req = get("x");
        for _ in 0..3 {
            assert_eq!(http.send(&req, &CallLimits::none()).unwrap().body, "ok");
        }
        assert_eq!(
            http.agent.get(std::process::id()).1.len(),
            1,
            "localhost's answer is kept"
        );
        server.join().unwrap();

        // Nobody listens any more: the connection is refused and the answer forgotten.
        let err = http.send(&req, &CallLimits::none()).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::Transport(TransportKind::Connect),
            "{err}"
        );
        assert_eq!(
            http.agent.get(std::process::id()).1.len(),
            0,
            "a failed connection forgets the answer"
        );
    }

    #[test]
    fn heads_and_bodies_larger_than_the_buffers_go_through() {
        // The output buffers are 16 KiB (agent::BUFFER_BYTES): a 40 KiB response head, a
        // 300 KiB body each way and a 12 KiB header line must still work.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            use std::io::{BufRead, BufReader, Read, Write};
            let (conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            let mut reader = BufReader::new(conn);
            let (mut length, mut longest) = (0usize, 0usize);
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                longest = longest.max(line.len());
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            assert!(body.iter().all(|b| *b == b'q'));
            assert!(longest > 12 * 1024, "the long header line arrived whole");
            let big_header = "h".repeat(40 * 1024);
            let answer = "a".repeat(300 * 1024);
            let mut conn = reader.into_inner();
            write!(
                conn,
                "HTTP/1.1 200 OK\r\nX-Big: {big_header}\r\nContent-Length: {}\r\n\r\n{answer}",
                answer.len()
            )
            .unwrap();
            length
        });
        let config = Config::default()
            .allow_http(true)
            .proxy(ProxySetting::None)
            .retry(RetryPolicy::none());
        let http = Http::new(&format!("http://127.0.0.1:{port}"), &config).unwrap();
        let long = "l".repeat(12 * 1024);
        let mut req = Outgoing::new("test", Method::Post, "x", Auth::None).header("X-Long", &long);
        req.body = vec![b'q'; 300 * 1024];
        req.content_type = Some("application/octet-stream");
        let reply = http.send(&req, &CallLimits::none()).unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body.len(), 300 * 1024);
        assert_eq!(server.join().unwrap(), 300 * 1024);
    }

    #[test]
    fn zero_dns_ttl_keeps_no_answer() {
        let (port, server) = tiny_server(2);
        let config = Config::default()
            .allow_http(true)
            .proxy(ProxySetting::None)
            .dns_cache_ttl(Duration::ZERO);
        let http = Http::new(&format!("http://localhost:{port}"), &config).unwrap();
        let req = get("x");
        for _ in 0..2 {
            assert_eq!(http.send(&req, &CallLimits::none()).unwrap().body, "ok");
        }
        assert_eq!(http.agent.get(std::process::id()).1.len(), 0);
        server.join().unwrap();
    }
}
