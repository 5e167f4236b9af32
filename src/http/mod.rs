//! The HTTP layer every client shares: one `ureq::Agent` per client, bounded reads,
//! retries with backoff, and error mapping that never leaks a secret.
#![forbid(unsafe_code)]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::DefaultResolver;
use ureq::unversioned::transport::{Connector, DefaultConnector};

use crate::resolve::{CachingResolver, DnsCache};
use crate::transport::Frugal;

use crate::config::{Config, ProxySetting, RetryPolicy, TlsRoots};
use crate::error::{Error, Result, TransportKind};
use crate::secret::{mask_json_values, scrub, Secret};

/// How long excerpts of server answers in error messages may be, in characters.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// An HTTP method for the generic authenticated calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    fn to_http(self) -> ureq::http::Method {
        use ureq::http::Method as M;
        match self {
            Method::Get => M::GET,
            Method::Post => M::POST,
            Method::Put => M::PUT,
            Method::Patch => M::PATCH,
            Method::Delete => M::DELETE,
        }
    }

    /// Parses a method name (case-insensitive).
    pub fn parse(name: &str) -> Result<Method> {
        match name.to_ascii_uppercase().as_str() {
            "GET" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "PATCH" => Ok(Method::Patch),
            "DELETE" => Ok(Method::Delete),
            _ => Err(Error::invalid_input(
                "method",
                format!("`{name}` is not one of GET, POST, PUT, PATCH, DELETE"),
            )),
        }
    }
}

/// A request body for the generic authenticated calls.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// `application/x-www-form-urlencoded` fields, in order.
    Form(Vec<(String, String)>),
    /// `application/json`.
    Json(serde_json::Value),
}

/// The answer to a generic authenticated call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body, as UTF-8 text.
    pub body: String,
}

/// Encodes a value as `application/x-www-form-urlencoded` does.
pub(crate) fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
    out
}

/// Encodes form fields into a body.
pub(crate) fn form_body(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&form_encode(k));
        out.push('=');
        out.push_str(&form_encode(v));
    }
    out.into_bytes()
}

/// The `Authorization` a call carries.
pub(crate) enum Auth<'a> {
    None,
    /// `Basic {token}`, the token sent as it is (uContact's tokens are base64 already).
    BasicRaw(&'a Secret),
    /// `Bearer {token}`.
    Bearer(&'a Secret),
}

/// How many secret values one request may name (besides its `Authorization`).
const CALL_SECRETS: usize = 4;

/// One request, ready to be sent (and sent again on retry).
pub(crate) struct Request<'a> {
    pub operation: &'static str,
    pub method: Method,
    pub path: &'a str,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
    pub auth: Auth<'a>,
    /// Secret values this call carries, scrubbed from every text that may reach an
    /// error. A fixed array: naming them costs no allocation per call.
    secrets: [&'a str; CALL_SECRETS],
}

impl<'a> Request<'a> {
    /// A request without a body.
    pub fn new(operation: &'static str, method: Method, path: &'a str, auth: Auth<'a>) -> Self {
        Request {
            operation,
            method,
            path,
            content_type: None,
            body: Vec::new(),
            auth,
            secrets: [""; CALL_SECRETS],
        }
    }

    pub fn form(
        operation: &'static str,
        path: &'a str,
        fields: &[(&str, &str)],
        auth: Auth<'a>,
    ) -> Self {
        Request {
            content_type: Some("application/x-www-form-urlencoded"),
            body: form_body(fields),
            ..Request::new(operation, Method::Post, path, auth)
        }
    }

    /// A request with a JSON body written straight from `body` (a struct of borrowed
    /// fields or a [`serde_json::Value`]), or without a body.
    pub fn json<B: serde::Serialize + ?Sized>(
        operation: &'static str,
        method: Method,
        path: &'a str,
        body: Option<&B>,
        auth: Auth<'a>,
    ) -> Self {
        let mut req = Request::new(operation, method, path, auth);
        if let Some(b) = body {
            req.content_type = Some("application/json");
            // Serialising our own bodies (string keys, no floats) cannot fail.
            req.body = serde_json::to_vec(b).unwrap_or_default();
        }
        req
    }

    /// Adds a secret value to scrub from error texts.
    pub fn secret(mut self, s: &'a str) -> Self {
        let slot = self.secrets.iter_mut().find(|slot| slot.is_empty());
        debug_assert!(
            slot.is_some(),
            "more than {CALL_SECRETS} secrets on one request"
        );
        if let Some(slot) = slot {
            *slot = s;
        }
        self
    }
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
    fn of(req: &Request<'a>, client: &'a [Secret]) -> Self {
        Secrets {
            call: req.secrets,
            token: match req.auth {
                Auth::BasicRaw(s) | Auth::Bearer(s) => Some(s.expose()),
                Auth::None => None,
            },
            client,
            listed: &[],
        }
    }

    /// All of them, for [`scrub`] (only built when a text is about to be shown).
    fn list(&self) -> Vec<&'a str> {
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

/// An HTTP answer, body read and checked as UTF-8.
#[derive(Debug)]
pub(crate) struct Reply<'a> {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<Duration>,
    pub location: Option<String>,
    /// Borrowed from the request and the client: no copy of a secret per call.
    secrets: Secrets<'a>,
}

impl<'a> Reply<'a> {
    /// A reply as [`Http::send`] hands it over (status, UTF-8 body), for the parsers
    /// to be run without a network (the fuzz targets).
    pub(crate) fn from_parts(status: u16, body: String, secrets: &'a [&'a str]) -> Reply<'a> {
        Reply {
            status,
            body,
            retry_after: None,
            location: None,
            secrets: Secrets {
                call: [""; CALL_SECRETS],
                token: None,
                client: &[],
                listed: secrets,
            },
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

    /// The error for a status that is not 2xx and that the API did not explain.
    pub fn status_error(&self, operation: &'static str) -> Error {
        if self.status == 401 {
            return Error::Unauthorized {
                operation,
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

/// One client's connection to one API.
pub(crate) struct Http {
    agent: ureq::Agent,
    base: String,
    max_body: u64,
    retry: RetryPolicy,
    jitter_seed: RandomState,
    jitter_counter: AtomicU64,
    /// The client's credentials, scrubbed from every error of every call, including
    /// calls that do not send them (a server's debug page may echo them anyway).
    secrets: Vec<Secret>,
    /// The addresses the agent's resolver keeps; forgotten when a connection fails.
    dns: Arc<DnsCache>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("base", &self.base).finish()
    }
}

/// Checks and normalises a base URL: scheme present, http only when allowed, no
/// trailing slash.
pub(crate) fn normalize_base_url(url: &str, allow_http: bool) -> Result<String> {
    let url = url.trim();
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        if !allow_http {
            return Err(Error::invalid_input(
                "base_url",
                format!("`{url}` is plain http:// and would send credentials in clear text; use https:// or allow http explicitly (Config::allow_http)"),
            ));
        }
        r
    } else {
        return Err(Error::invalid_input(
            "base_url",
            format!("`{url}` must start with https:// (or http:// when allowed)"),
        ));
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(Error::invalid_input(
            "base_url",
            format!("`{url}` has no host name"),
        ));
    }
    if rest.contains(['?', '#']) {
        return Err(Error::invalid_input(
            "base_url",
            format!("`{url}` must not have a query or fragment"),
        ));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// Reads a PEM file of CA certificates; a missing, empty or malformed file is an error.
fn load_ca_file(path: &std::path::Path) -> Result<Vec<Certificate<'static>>> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| {
        Error::invalid_input("extra_ca_file", format!("cannot read `{shown}`: {e}"))
    })?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => {
                if !looks_like_der_sequence(c.der()) {
                    return Err(Error::invalid_input(
                        "extra_ca_file",
                        format!("`{shown}` holds a certificate that is not valid DER"),
                    ));
                }
                certs.push(c)
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Error::invalid_input(
                    "extra_ca_file",
                    format!("`{shown}` is not valid PEM: {e}"),
                ))
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid_input(
            "extra_ca_file",
            format!("`{shown}` holds no `BEGIN CERTIFICATE` block"),
        ));
    }
    Ok(certs)
}

/// An X.509 certificate is one DER SEQUENCE whose length covers the whole input.
fn looks_like_der_sequence(der: &[u8]) -> bool {
    if der.len() < 2 || der[0] != 0x30 {
        return false;
    }
    let (len, header) = match der[1] {
        n if n < 0x80 => (n as usize, 2),
        n => {
            let count = (n & 0x7f) as usize;
            if count == 0 || count > 4 || der.len() < 2 + count {
                return false;
            }
            let len = der[2..2 + count]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, 2 + count)
        }
    };
    header + len == der.len()
}

impl Http {
    pub fn new(base_url: &str, config: &Config) -> Result<Http> {
        let base = normalize_base_url(base_url, config.allow_http)?;
        let roots = match (config.tls_roots, &config.extra_ca_file) {
            (TlsRoots::Mozilla, None) => RootCerts::WebPki,
            (TlsRoots::Os, None) => RootCerts::PlatformVerifier,
            (TlsRoots::Mozilla, Some(path)) => {
                let mut certs = load_ca_file(path)?;
                certs.extend(mozilla_roots());
                RootCerts::new_with_certs(&certs)
            }
            (TlsRoots::Os, Some(_)) => {
                return Err(Error::invalid_input(
                    "extra_ca_file",
                    "an extra CA file adds to the bundled Mozilla roots; to trust the OS store, install the CA there instead",
                ))
            }
        };
        let proxy = match &config.proxy {
            ProxySetting::FromEnvironment => ureq::Proxy::try_from_env(),
            ProxySetting::None => None,
            ProxySetting::Url(u) => Some(ureq::Proxy::new(u).map_err(|_| {
                Error::invalid_input("proxy", "not a valid proxy URL (e.g. http://host:3128)")
            })?),
        };
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(!config.allow_http)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(config.user_agent.as_str())
            .accept("application/json, text/plain, */*")
            .proxy(proxy)
            .timeout_connect(Some(config.timeout_connect))
            .timeout_send_request(Some(config.timeout_send))
            .timeout_send_body(Some(config.timeout_send))
            .timeout_recv_response(Some(config.timeout_receive))
            .timeout_recv_body(Some(config.timeout_receive))
            .tls_config(TlsConfig::builder().root_certs(roots).build())
            .build();
        let dns = Arc::new(DnsCache::default());
        let agent = ureq::Agent::with_parts(
            agent_config,
            DefaultConnector::new().chain(Frugal),
            CachingResolver::new(
                DefaultResolver::default(),
                config.dns_cache_ttl,
                dns.clone(),
            ),
        );
        Ok(Http {
            agent,
            base,
            max_body: config.max_response_bytes,
            retry: config.retry,
            jitter_seed: RandomState::new(),
            jitter_counter: AtomicU64::new(0),
            secrets: Vec::new(),
            dns,
        })
    }

    /// Adds the client's credentials to the secrets scrubbed from every error.
    pub fn with_secrets(mut self, secrets: &[&Secret]) -> Http {
        self.secrets.extend(secrets.iter().map(|s| (*s).clone()));
        self
    }

    /// A generic authenticated call: the answer as it came, whatever its status,
    /// except a 401, which is [`Error::Unauthorized`] so the token cache can log in
    /// again and retry once.
    pub fn call_raw(
        &self,
        operation: &'static str,
        method: Method,
        path: &str,
        body: &Body,
        auth: Auth<'_>,
    ) -> Result<RawResponse> {
        let reply = self.send(&generic_request(operation, method, path, body, auth)?)?;
        if reply.status == 401 {
            return Err(reply.status_error(operation));
        }
        Ok(RawResponse {
            status: reply.status,
            body: reply.body,
        })
    }

    /// The base URL, without trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        let path = path.trim_start_matches('/');
        let mut url = String::with_capacity(self.base.len() + 1 + path.len());
        url.push_str(&self.base);
        url.push('/');
        url.push_str(path);
        url
    }

    /// Sends a request, retrying transient failures, and returns the answer whatever
    /// its status (after the retries for 408/429/502/503/504 are used up).
    pub fn send<'a>(&'a self, req: &Request<'a>) -> Result<Reply<'a>> {
        let mut attempt = 0u32;
        loop {
            let outcome = self.send_once(req);
            let retry_after = match &outcome {
                Ok(reply) if matches!(reply.status, 408 | 429 | 502 | 503 | 504) => {
                    Some(reply.retry_after)
                }
                Err(SendError {
                    retryable: true, ..
                }) => Some(None),
                _ => None,
            };
            match retry_after {
                Some(hint) if attempt < self.retry.max_retries => {
                    std::thread::sleep(self.backoff(attempt, hint));
                    attempt += 1;
                }
                _ => return outcome.map_err(|e| e.error),
            }
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
        let mut h = self.jitter_seed.build_hasher();
        h.write_u64(self.jitter_counter.fetch_add(1, Ordering::Relaxed));
        let fraction = (h.finish() % 1000) as f64 / 1000.0; // 0.0 ..< 1.0
        exp.mul_f64(0.5 + fraction / 2.0)
    }

    fn send_once<'a>(&'a self, req: &Request<'a>) -> std::result::Result<Reply<'a>, SendError> {
        use ureq::http::{header, HeaderValue};
        let secrets = Secrets::of(req, &self.secrets);
        let transport = |e: ureq::Error| {
            let e = SendError::from_ureq(e, req.operation, &self.url(req.path), &secrets.list());
            if let Error::Transport {
                kind: TransportKind::Connect | TransportKind::Timeout | TransportKind::Dns,
                ..
            } = e.error
            {
                // The kept address may be the one that stopped answering.
                self.dns.forget();
            }
            e
        };

        // Typed header names and values where we have them: nothing to parse or copy
        // per call but the URL and the token.
        let mut builder = ureq::http::Request::builder()
            .method(req.method.to_http())
            .uri(self.url(req.path));
        if let Some(ct) = req.content_type {
            builder = builder.header(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        let (scheme, token) = match req.auth {
            Auth::None => ("", None),
            Auth::BasicRaw(token) => ("Basic ", Some(token)),
            Auth::Bearer(token) => ("Bearer ", Some(token)),
        };
        if let Some(token) = token {
            let mut value = Vec::with_capacity(scheme.len() + token.expose().len());
            value.extend_from_slice(scheme.as_bytes());
            value.extend_from_slice(token.expose().as_bytes());
            // A token with a control character cannot be sent; the error names no value.
            let mut value = HeaderValue::try_from(value).map_err(|_| SendError {
                retryable: false,
                error: Error::invalid_input(
                    "token",
                    format!(
                        "{}: the token holds a character an Authorization header cannot carry",
                        req.operation
                    ),
                ),
            })?;
            value.set_sensitive(true);
            builder = builder.header(header::AUTHORIZATION, value);
        }
        let result = if req.body.is_empty() && matches!(req.method, Method::Get | Method::Delete) {
            let http_req = builder.body(()).map_err(|e| SendError::invalid(req, e))?;
            self.agent.run(http_req)
        } else {
            let http_req = builder
                .body(req.body.as_slice())
                .map_err(|e| SendError::invalid(req, e))?;
            self.agent.run(http_req)
        };
        let mut response = result.map_err(transport)?;

        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v));
        let location = header("location");
        // Sized from Content-Length (up to the limit and 64 KiB: a header is no reason
        // to reserve more), so a usual answer is read without growing the buffer.
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
                ureq::Error::BodyExceedsLimit(limit) => SendError {
                    retryable: false,
                    error: Error::UnexpectedResponse {
                        operation: req.operation,
                        status,
                        expected: format!(
                            "a body of at most {limit} bytes (raise it with Config::max_response_bytes, in C tb_config_set_max_response_bytes)"
                        ),
                        excerpt: "a larger body; the rest was not read".to_owned(),
                    },
                },
                other => {
                    // The answer had started: never retry, the server may have acted.
                    let mut err = transport(other);
                    err.retryable = false;
                    err
                }
            })?;
        let body = String::from_utf8(bytes).map_err(|e| SendError {
            retryable: false,
            error: Error::UnexpectedResponse {
                operation: req.operation,
                status,
                expected: "a UTF-8 text body".to_owned(),
                excerpt: format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            },
        })?;
        Ok(Reply {
            status,
            body,
            retry_after,
            location,
            secrets,
        })
    }
}

fn mozilla_roots() -> Vec<Certificate<'static>> {
    // ureq's bundled Mozilla set is only reachable as `RootCerts::WebPki`, which cannot
    // be combined with extra certificates; the same set ships in webpki-root-certs.
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect()
}

/// `Retry-After` as delay-seconds (the HTTP-date form is read too).
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

struct SendError {
    error: Error,
    retryable: bool,
}

impl SendError {
    fn invalid(req: &Request<'_>, e: ureq::http::Error) -> SendError {
        SendError {
            retryable: false,
            error: Error::invalid_input(
                "request",
                format!("{}: cannot build the request: {e}", req.operation),
            ),
        }
    }

    fn from_ureq(e: ureq::Error, operation: &'static str, url: &str, secrets: &[&str]) -> Self {
        use ureq::Timeout as T;
        let (kind, retryable) = match &e {
            ureq::Error::Timeout(T::Connect | T::Resolve) => (TransportKind::Timeout, true),
            ureq::Error::Timeout(_) => (TransportKind::Timeout, false),
            ureq::Error::HostNotFound => (TransportKind::Dns, false),
            ureq::Error::ConnectionFailed => (TransportKind::Connect, true),
            ureq::Error::Io(io) => match io.kind() {
                io::ErrorKind::ConnectionRefused => (TransportKind::Connect, true),
                io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable => (TransportKind::Connect, false),
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof => (TransportKind::Reset, true),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                    (TransportKind::Timeout, false)
                }
                // rustls reports handshake and certificate failures as InvalidData
                // I/O errors; nothing else on an https connection does.
                io::ErrorKind::InvalidData if url.starts_with("https://") => {
                    (TransportKind::Tls, false)
                }
                _ => (TransportKind::Io, false),
            },
            ureq::Error::Tls(_) | ureq::Error::Pem(_) | ureq::Error::Rustls(_) => {
                (TransportKind::Tls, false)
            }
            ureq::Error::TlsRequired => (TransportKind::Tls, false),
            ureq::Error::ConnectProxyFailed(_) | ureq::Error::InvalidProxyUrl => {
                (TransportKind::Proxy, false)
            }
            ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
                (TransportKind::Protocol, false)
            }
            ureq::Error::RequireHttpsOnly(_) | ureq::Error::BadUri(_) => {
                return SendError {
                    retryable: false,
                    error: Error::invalid_input("base_url", format!("{operation}: {e}")),
                }
            }
            _ => (TransportKind::Io, false),
        };
        let detail = scrub(&e.to_string(), secrets, EXCERPT_CHARS);
        SendError {
            retryable,
            error: Error::Transport {
                operation,
                kind,
                url: url.to_owned(),
                detail,
            },
        }
    }
}

/// A request for a generic authenticated call: the path must stay on the client's
/// server (a full URL would carry the token elsewhere).
pub(crate) fn generic_request<'a>(
    operation: &'static str,
    method: Method,
    path: &'a str,
    body: &Body,
    auth: Auth<'a>,
) -> Result<Request<'a>> {
    if path.trim().is_empty() {
        return Err(Error::invalid_input("path", "must not be empty"));
    }
    if path.contains("://") || path.starts_with("//") {
        return Err(Error::invalid_input(
            "path",
            format!("`{path}` must be a path on the client's server, not a full URL"),
        ));
    }
    if path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(Error::invalid_input(
            "path",
            "must not contain spaces or control characters (percent-encode them)",
        ));
    }
    Ok(match body {
        Body::None => Request::new(operation, method, path, auth),
        Body::Form(fields) => {
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut r = Request::form(operation, path, &fields, auth);
            r.method = method;
            r
        }
        Body::Json(v) => Request::json(operation, method, path, Some(v), auth),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_html_forms() {
        assert_eq!(form_encode("a&b=c+d e/é"), "a%26b%3Dc%2Bd+e%2F%C3%A9");
        assert_eq!(
            String::from_utf8(form_body(&[("user", "x y"), ("password", "p&=")])).unwrap(),
            "user=x+y&password=p%26%3D"
        );
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(
            normalize_base_url("https://h.example/api/", false).unwrap(),
            "https://h.example/api"
        );
        let e = normalize_base_url("http://h.example", false).unwrap_err();
        assert!(e.to_string().contains("allow_http"), "{e}");
        assert!(normalize_base_url("http://127.0.0.1:1", true).is_ok());
        assert!(normalize_base_url("h.example", true).is_err());
        assert!(normalize_base_url("https:///x", true).is_err());
    }

    #[test]
    fn der_sanity() {
        assert!(looks_like_der_sequence(&[0x30, 0x01, 0x00]));
        assert!(!looks_like_der_sequence(&[0x30, 0x05, 0x00]));
        assert!(!looks_like_der_sequence(b"hello"));
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
        let req = Request::new("test", Method::Get, "x", Auth::None);
        let err = http.send(&req).unwrap_err();
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
        let req = Request::new("test", Method::Get, "x", Auth::None);
        for _ in 0..3 {
            assert_eq!(http.send(&req).unwrap().body, "ok");
        }
        assert_eq!(http.dns.len(), 1, "localhost's answer is kept");
        server.join().unwrap();

        // Nobody listens any more: the connection is refused and the answer forgotten.
        let err = http.send(&req).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::Transport(TransportKind::Connect),
            "{err}"
        );
        assert_eq!(http.dns.len(), 0, "a failed connection forgets the answer");
    }

    #[test]
    fn zero_dns_ttl_keeps_no_answer() {
        let (port, server) = tiny_server(2);
        let config = Config::default()
            .allow_http(true)
            .proxy(ProxySetting::None)
            .dns_cache_ttl(Duration::ZERO);
        let http = Http::new(&format!("http://localhost:{port}"), &config).unwrap();
        let req = Request::new("test", Method::Get, "x", Auth::None);
        for _ in 0..2 {
            assert_eq!(http.send(&req).unwrap().body, "ok");
        }
        assert_eq!(http.dns.len(), 0);
        server.join().unwrap();
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("soon"), None);
    }
}
