//! What a call sends: the public generic [`Request`] and its [`Response`], and the
//! crate's own [`Outgoing`] request that every call (typed or generic) becomes.
#![forbid(unsafe_code)]

use std::fmt;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The longest header value accepted (tokens, user agents, caller headers), in bytes.
/// Servers commonly refuse request heads over 8 KiB; a longer value would be sent and
/// then fail on every call as the server's fault.
pub const MAX_HEADER_VALUE_BYTES: usize = 8 * 1024;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
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
    const ALL: [Method; 7] = [
        Method::Get,
        Method::Head,
        Method::Options,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub(crate) fn to_http(self) -> ureq::http::Method {
        use ureq::http::Method as M;
        match self {
            Method::Get => M::GET,
            Method::Head => M::HEAD,
            Method::Options => M::OPTIONS,
            Method::Post => M::POST,
            Method::Put => M::PUT,
            Method::Patch => M::PATCH,
            Method::Delete => M::DELETE,
        }
    }

    /// Whether sending the request twice has the effect of sending it once (RFC 9110
    /// 9.2.2). POST and PATCH are not: they are repeated only with an idempotency key.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    /// Parses a method name (case-insensitive).
    pub fn parse(name: &str) -> Result<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::invalid_input(
                    "method",
                    format!("`{name}` is not one of GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE"),
                )
            })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    None,
    /// `application/x-www-form-urlencoded` fields, in order.
    Form(Vec<(String, String)>),
    /// `application/json`.
    Json(serde_json::Value),
    /// Bytes sent as they are, with their content type.
    Raw {
        /// The `Content-Type` header sent with them.
        content_type: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

/// A request for a client's generic call: any method, a path on the client's server,
/// query parameters, extra headers and a body. The client adds the `Authorization`
/// (and, for Yativo POSTs, an `Idempotency-Key`) and logs in as needed.
///
/// ```
/// use tokenbridge::{Method, Request};
/// let req = Request::new(Method::Post, "payouts")
///     .query("dry_run", "false")
///     .header("X-Request-Source", "erp")
///     .json(serde_json::json!({"amount": 100, "currency": "USD"}))
///     .idempotency_key("order-4711");
/// assert_eq!(req.method(), Method::Post);
/// ```
///
/// Headers that would break the exchange or leak it elsewhere are refused when the
/// request is sent, naming them: `Host`, `Content-Length`, `Transfer-Encoding`,
/// `Connection`, any name or value holding CR, LF or NUL, and values over
/// [`MAX_HEADER_VALUE_BYTES`]. A header `Authorization` of your own is refused unless
/// you ask for it with [`Request::allow_authorization_header`].
#[derive(Clone, PartialEq)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) own_authorization: bool,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values and bodies may hold credentials of the caller's: names only.
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        let query: Vec<&str> = self.query.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &query)
            .field("headers", &names)
            .field(
                "body",
                &match &self.body {
                    Body::None => "none",
                    Body::Form(_) => "form",
                    Body::Json(_) => "json",
                    Body::Raw { .. } => "raw",
                },
            )
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A request without query, headers or body.
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            idempotency_key: None,
            own_authorization: false,
        }
    }

    /// Adds a query parameter (percent-encoded when sent).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header (checked when sent; see the type's notes).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Body) -> Request {
        self.body = body;
        self
    }

    /// A form body (`application/x-www-form-urlencoded`).
    pub fn form<K: Into<String>, V: Into<String>>(
        self,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Request {
        self.body(Body::Form(
            fields
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ))
    }

    /// A JSON body.
    pub fn json(self, value: serde_json::Value) -> Request {
        self.body(Body::Json(value))
    }

    /// Bytes sent as they are, with their content type.
    pub fn raw(self, content_type: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Request {
        self.body(Body::Raw {
            content_type: content_type.into(),
            bytes: bytes.into(),
        })
    }

    /// Sends `Idempotency-Key: key`, the same on every retry of this call, and makes
    /// a POST or PATCH safe to retry (the server answers a repeat with the first
    /// answer instead of acting twice). Yativo POSTs get a fresh UUID v4 key when
    /// none is given.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Request {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Lets a header `Authorization` of your own replace the client's token (for
    /// resources that take another credential). Off by default, so that a header
    /// copied from elsewhere cannot silently replace the client's.
    pub fn allow_authorization_header(mut self, allow: bool) -> Request {
        self.own_authorization = allow;
        self
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The idempotency key given, if any.
    pub fn get_idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// Whether the request carries a header of this name (case-insensitive).
    pub(crate) fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    }

    /// Checks what the caller gave — path, headers (and the `Authorization` rule),
    /// idempotency key, raw body content type — without building anything, so that a
    /// bad request is refused before any login.
    pub(crate) fn check(&self) -> Result<()> {
        check_path(&self.path)?;
        for (name, value) in &self.headers {
            check_header(name, value)?;
            if name.eq_ignore_ascii_case("authorization") && !self.own_authorization {
                return Err(Error::invalid_input(
                    "header",
                    "`Authorization` would replace the client's token; call allow_authorization_header(true) to send your own",
                ));
            }
        }
        if let Some(key) = &self.idempotency_key {
            check_value("idempotency_key", key)?;
            if key.trim().is_empty() {
                return Err(Error::invalid_input("idempotency_key", "must not be empty"));
            }
        }
        if let Body::Raw { content_type, .. } = &self.body {
            check_value("content_type", content_type)?;
        }
        Ok(())
    }

    /// Whether the caller's own `Authorization` replaces the client's token.
    pub(crate) fn sends_own_authorization(&self) -> bool {
        self.own_authorization && self.has_header("authorization")
    }

    /// The request as the HTTP layer sends it ([`check`](Self::check)ed, body
    /// written out).
    pub(crate) fn outgoing<'a>(
        &'a self,
        operation: &'static str,
        auth: Auth<'a>,
    ) -> Result<Outgoing<'a>> {
        self.check()?;
        let auth = if self.sends_own_authorization() {
            Auth::None
        } else {
            auth
        };
        let mut out = Outgoing::new(operation, self.method, &self.path, auth);
        out.headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(key) = &self.idempotency_key {
            out.headers.push(("Idempotency-Key", key.as_str()));
        }
        out.query = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        out.repeatable = self.method.is_idempotent()
            || self.idempotency_key.is_some()
            || self.has_header("idempotency-key");
        match &self.body {
            Body::None => {}
            Body::Form(fields) => {
                out.content_type = Some(FORM);
                out.body = form_body(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            }
            Body::Json(v) => {
                out.content_type = Some(JSON);
                out.body = serde_json::to_vec(v).map_err(|e| {
                    Error::invalid_input("body", format!("cannot be written as JSON: {e}"))
                })?;
            }
            Body::Raw {
                content_type,
                bytes,
            } => {
                out.headers.push(("Content-Type", content_type.as_str()));
                out.body = bytes.clone();
            }
        }
        Ok(out)
    }
}

/// The answer to a generic call: status, headers and body as they came.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The response headers, names lower-cased, in the order they came (a name that
    /// repeats comes with its first appearance, its values in order).
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub body: Vec<u8>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A body may hold tokens (a login answer through the generic call): its size only.
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl Response {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 text; an error names the first invalid byte.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|e| Error::UnexpectedResponse {
            operation: "Response::text",
            status: self.status,
            expected: "a UTF-8 text body".to_owned(),
            excerpt: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        })
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.body).map_err(|e| Error::UnexpectedResponse {
            operation: "Response::json",
            status: self.status,
            expected: format!("a JSON body ({e})"),
            excerpt: crate::secret::mask_json_values(&String::from_utf8_lossy(
                &self.body[..self.body.len().min(200)],
            )),
        })
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// Encodes form fields into a body, as HTML forms do.
pub(crate) fn form_body<'a>(fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
        .into_bytes()
}

/// Header names the caller may not set: the exchange depends on them.
const FORBIDDEN_HEADERS: [&str; 6] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "te",
    "upgrade",
];

fn check_header(name: &str, value: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(Error::invalid_input(
            "header",
            format!(
                "`{}` is not a valid header name",
                name.escape_debug()
                    .to_string()
                    .chars()
                    .take(64)
                    .collect::<String>()
            ),
        ));
    }
    if FORBIDDEN_HEADERS
        .iter()
        .any(|f| f.eq_ignore_ascii_case(name))
    {
        return Err(Error::invalid_input(
            "header",
            format!("`{name}` is set by tokenbridge itself and cannot be given"),
        ));
    }
    check_value_named(name, value)
}

fn check_value_named(name: &str, value: &str) -> Result<()> {
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Error::invalid_input(
            "header",
            format!("the value of `{name}` holds CR, LF or NUL, which would split the request"),
        ));
    }
    if value.len() > MAX_HEADER_VALUE_BYTES {
        return Err(Error::invalid_input(
            "header",
            format!(
                "the value of `{name}` is {} bytes; at most {MAX_HEADER_VALUE_BYTES} are sent",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// Checks a value that will be sent in a header: no CR, LF, NUL or other control
/// character, at most [`MAX_HEADER_VALUE_BYTES`]. The error names `argument` and
/// never shows the value (it may be a token).
pub(crate) fn check_value(argument: &'static str, value: &str) -> Result<()> {
    if let Some(b) = value.bytes().find(|b| b.is_ascii_control() && *b != b'\t') {
        return Err(Error::invalid_input(
            argument,
            format!("holds the control character 0x{b:02X}, which an HTTP header cannot carry"),
        ));
    }
    if value.len() > MAX_HEADER_VALUE_BYTES {
        return Err(Error::invalid_input(
            argument,
            format!(
                "is {} bytes long; at most {MAX_HEADER_VALUE_BYTES} fit in a header servers accept",
                value.len()
            ),
        ));
    }
    Ok(())
}

/// A path for a generic call must stay on the client's server (a full URL would carry
/// the token elsewhere).
fn check_path(path: &str) -> Result<()> {
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
    if path.contains(['?', '#']) {
        return Err(Error::invalid_input(
            "path",
            format!("`{path}` must not hold a query or fragment; give query parameters with Request::query"),
        ));
    }
    Ok(())
}

/// The `Authorization` a call carries.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    None,
    /// `Basic {token}`, the token sent as it is (uContact's tokens are base64 already).
    BasicRaw(&'a Secret),
    /// `Bearer {token}`.
    Bearer(&'a Secret),
}

impl<'a> Auth<'a> {
    /// The scheme and token, if any.
    pub fn parts(self) -> Option<(&'static str, &'a Secret)> {
        match self {
            Auth::None => None,
            Auth::BasicRaw(t) => Some(("Basic ", t)),
            Auth::Bearer(t) => Some(("Bearer ", t)),
        }
    }
}

/// How many secret values one request may name (besides its `Authorization`).
pub(crate) const CALL_SECRETS: usize = 4;

/// One request, ready to be sent (and sent again on retry).
pub(crate) struct Outgoing<'a> {
    pub operation: &'static str,
    pub method: Method,
    pub path: &'a str,
    pub query: Vec<(&'a str, &'a str)>,
    pub headers: Vec<(&'a str, &'a str)>,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
    pub auth: Auth<'a>,
    /// Whether sending it again after a failure that may have reached the server is
    /// safe (an idempotent method, an idempotency key, or a typed operation whose
    /// docs say repeating it is safe).
    pub repeatable: bool,
    /// Secret values this call carries, scrubbed from every text that may reach an
    /// error. A fixed array: naming them costs no allocation per call.
    pub secrets: [&'a str; CALL_SECRETS],
}

impl<'a> Outgoing<'a> {
    /// A request without a body; repeatable when the method is idempotent.
    pub fn new(operation: &'static str, method: Method, path: &'a str, auth: Auth<'a>) -> Self {
        Outgoing {
            operation,
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            content_type: None,
            body: Vec::new(),
            auth,
            repeatable: method.is_idempotent(),
            secrets: [""; CALL_SECRETS],
        }
    }

    /// A form POST.
    pub fn form(
        operation: &'static str,
        path: &'a str,
        fields: &[(&str, &str)],
        auth: Auth<'a>,
    ) -> Self {
        Outgoing {
            content_type: Some(FORM),
            body: form_body(fields.iter().copied()),
            ..Outgoing::new(operation, Method::Post, path, auth)
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
        let mut req = Outgoing::new(operation, method, path, auth);
        if let Some(b) = body {
            req.content_type = Some(JSON);
            // Serialising our own bodies (string keys, no floats) cannot fail.
            req.body = serde_json::to_vec(b).unwrap_or_default();
        }
        req
    }

    /// Marks a typed operation whose docs say repeating it is safe (a login, a
    /// read-only POST): retried on transient failures like a GET.
    pub fn repeatable(mut self) -> Self {
        self.repeatable = true;
        self
    }

    /// Adds a header (the caller checked it).
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
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

    /// The value of a header this request carries.
    #[cfg(test)]
    pub fn header_value(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_html_forms() {
        assert_eq!(
            String::from_utf8(form_body([("k", "a&b=c+d e/é")])).unwrap(),
            "k=a%26b%3Dc%2Bd+e%2F%C3%A9"
        );
        assert_eq!(
            String::from_utf8(form_body([("user", "x y"), ("password", "p&=")])).unwrap(),
            "user=x+y&password=p%26%3D"
        );
    }

    #[test]
    fn headers_that_break_the_exchange_are_refused_by_name() {
        for (name, value, needle) in [
            ("Host", "evil.example", "`Host`"),
            ("content-length", "5", "`content-length`"),
            ("Transfer-Encoding", "chunked", "`Transfer-Encoding`"),
            ("X-Ok", "a\r\nInjected: 1", "`X-Ok` holds CR, LF"),
            ("Bad Name", "v", "not a valid header name"),
            ("Authorization", "Bearer mine", "allow_authorization_header"),
        ] {
            let req = Request::new(Method::Get, "x").header(name, value);
            let err = req.outgoing("test", Auth::None).err().expect(name);
            assert!(err.to_string().contains(needle), "{name}: {err}");
            assert!(!err.to_string().contains("evil.example") || name == "Host");
        }
        let long = "v".repeat(MAX_HEADER_VALUE_BYTES + 1);
        let err = Request::new(Method::Get, "x")
            .header("X-Long", long)
            .outgoing("test", Auth::None)
            .err()
            .unwrap();
        assert!(err.to_string().contains("8192"), "{err}");
    }

    #[test]
    fn own_authorization_only_when_asked_and_then_replaces_the_token() {
        let token = Secret::new("t0ken");
        let req = Request::new(Method::Get, "x")
            .header("Authorization", "Bearer mine")
            .allow_authorization_header(true);
        let out = req.outgoing("test", Auth::Bearer(&token)).unwrap();
        assert!(out.auth.parts().is_none());
        assert_eq!(out.header_value("authorization"), Some("Bearer mine"));
    }

    #[test]
    fn post_is_repeatable_only_with_a_key() {
        let out = |r: &Request| r.outgoing("t", Auth::None).unwrap().repeatable;
        assert!(!out(&Request::new(Method::Post, "x")));
        assert!(!out(&Request::new(Method::Patch, "x")));
        assert!(out(&Request::new(Method::Post, "x").idempotency_key("k")));
        assert!(out(
            &Request::new(Method::Post, "x").header("idempotency-key", "k")
        ));
        assert!(out(&Request::new(Method::Put, "x")));
        assert!(out(&Request::new(Method::Head, "x")));
    }

    #[test]
    fn paths_stay_on_the_server() {
        for p in ["", "https://evil/x", "//evil/x", "a b", "x?y=1"] {
            assert!(
                Request::new(Method::Get, p)
                    .outgoing("t", Auth::None)
                    .is_err(),
                "{p}"
            );
        }
    }

    #[test]
    fn methods_parse_case_insensitively() {
        assert_eq!(Method::parse("options").unwrap(), Method::Options);
        assert_eq!(Method::parse("HEAD").unwrap(), Method::Head);
        assert!(Method::parse("TRACE").is_err());
    }
}
