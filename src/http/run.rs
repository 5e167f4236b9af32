//! One call from top to bottom, as ureq's `run.rs` keeps it: [`Http::send`] and
//! [`Http::send_raw`] hand out the answer; [`Http::exchange`] is the retry loop;
//! [`Http::attempt`] is one attempt on the wire; the helpers they use follow.

use std::io;
use std::time::{Duration, Instant};

use super::exchange::{with_exchange, Exchange};
use super::reply::{authorization, from_ureq, parse_retry_after, Route, Secrets, SendError};
use super::{show, the_deadline, CallLimits, Http, Method, Outgoing, Response, TextAnswer};
use crate::error::{Error, Result, TransportKind};

/// An answer as it came off the wire, before it is read as text or handed out.
pub(super) struct WireAnswer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

impl Http {
    /// Sends a request with the retry rules and returns the answer whatever its
    /// status, its body read as UTF-8 text (the vendors' answers are text).
    pub(crate) fn send<'a>(
        &'a self,
        req: &Outgoing<'a>,
        limits: &CallLimits,
    ) -> Result<TextAnswer<'a>> {
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
        Ok(TextAnswer {
            status: raw.status,
            body,
            location,
            secrets: Secrets::of(req, &self.secrets),
            reason: self.reason,
        })
    }

    /// A generic call's answer read as a vendor answer (for its envelope), its texts
    /// scrubbed of the client's credentials and of `also` (the token the call carried).
    pub(crate) fn reply_to<'a>(
        &'a self,
        response: &Response,
        also: &'a [&'a str],
    ) -> Result<TextAnswer<'a>> {
        let body = response.text()?.to_owned();
        Ok(TextAnswer::scrubbed(
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
    pub(crate) fn send_raw(&self, req: &Outgoing<'_>, limits: &CallLimits) -> Result<Response> {
        let raw = self.exchange(req, limits)?;
        if raw.status == 401 {
            let text = String::from_utf8_lossy(&raw.body).into_owned();
            let reply = TextAnswer {
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
    fn exchange(&self, req: &Outgoing<'_>, limits: &CallLimits) -> Result<WireAnswer> {
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
    ) -> std::result::Result<WireAnswer, SendError> {
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
        Ok(WireAnswer {
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
