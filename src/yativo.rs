//! Yativo (payments): log in with an account id and app secret, refresh the
//! 10-minute bearer token, and call any other Yativo endpoint with it.
//!
//! Every Yativo answer is an envelope `{"status", "status_code", "message", "data"}`;
//! a `status` other than `success` becomes [`Error::Rejected`] with Yativo's reason
//! (`data.error`, a validation answer's field messages, else `message`). Every POST
//! carries an `Idempotency-Key`, kept across its retries.
//!
//! ```no_run
//! use tokenbridge::{yativo, Config, Method, Body};
//! let client = yativo::Client::new(
//!     yativo::Environment::Sandbox.base_url(),
//!     yativo::Credentials::new("acct_123", "app-secret"),
//!     &Config::default(),
//! )?;
//! // Logs in on first use and refreshes ahead of expiry, invisibly:
//! let wallets = client.call(Method::Get, "wallet/balance", Body::None)?;
//! println!("{} {}", wallets.status, wallets.text()?);
//! # Ok::<(), tokenbridge::Error>(())
//! ```
#![forbid(unsafe_code)]

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::client::{Fetched, Vendor};
use crate::config::Config;
use crate::error::{Api, Error, Result};
use crate::http::{Auth, CallLimits, Http, Method, Outgoing, Reply, Request};
use crate::json;
use crate::jwt;
use crate::secret::Secret;

/// The production API.
pub const PRODUCTION_URL: &str = "https://api.yativo.com/api/v1";
/// The vendor's online sandbox.
pub const SANDBOX_URL: &str = "https://smtp.yativo.com/api/v1";

/// Token lifetime the vendor documents, used when an answer gives none.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);

/// The longest `expires_in` believed (ten years); a longer one is treated as missing.
const MAX_LIFETIME_SECS: i64 = 10 * 365 * 86_400;

/// Yativo's two published environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// `https://api.yativo.com/api/v1`
    Production,
    /// `https://smtp.yativo.com/api/v1`
    Sandbox,
}

impl Environment {
    /// The environment's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Production => PRODUCTION_URL,
            Environment::Sandbox => SANDBOX_URL,
        }
    }
}

/// An account id and its app secret.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The account id.
    pub account_id: String,
    /// The app secret.
    pub app_secret: Secret,
}

impl Credentials {
    /// Credentials from an account id and an app secret.
    pub fn new(account_id: impl Into<String>, app_secret: impl Into<Secret>) -> Self {
        Credentials {
            account_id: account_id.into(),
            app_secret: app_secret.into(),
        }
    }
}

/// A bearer token from `auth/login` or `auth/refresh-token`.
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessToken {
    /// The JWT.
    pub access_token: Secret,
    /// The token type (`bearer`; Yativo's refresh answer may leave it out).
    pub token_type: String,
    /// The lifetime the server gave, in seconds.
    pub expires_in: u64,
    /// When the token expires.
    pub expires_at: SystemTime,
    raw: Value,
}

impl AccessToken {
    /// The whole envelope as it came (it holds the token).
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Yativo's side of a [`Client`]: its credentials, login and refresh, the
/// envelope of its answers, and an `Idempotency-Key` on every POST.
pub struct Yativo {
    credentials: Credentials,
}

impl fmt::Debug for Yativo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yativo")
            .field("account_id", &self.credentials.account_id)
            .finish_non_exhaustive()
    }
}

/// A Yativo client: one connection pool, one account, one cached token refreshed
/// ahead of expiry. Cheap to clone; clones share the token. `Send + Sync`.
///
/// Every POST it sends carries an `Idempotency-Key` (Yativo refuses authenticated
/// POSTs without one): the caller's ([`Request::idempotency_key`]) or a fresh UUID
/// v4 per call, the same on that call's retries — so the server runs a payout once
/// even when an answer is lost and the POST is retried.
pub type Client = crate::client::Client<Yativo>;

#[allow(private_interfaces)] // the sealed trait names crate-private types
impl Vendor for Yativo {
    type Token = AccessToken;
    type Credentials = Credentials;
    const CALL: &'static str = "Yativo call";
    const LOGIN: &'static str = "Yativo login";

    fn new(credentials: Credentials, _config: &Config) -> Result<Self> {
        Ok(Yativo { credentials })
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.credentials.app_secret]
    }

    fn user(&self) -> String {
        self.credentials.account_id.clone()
    }

    fn reason(body: &str) -> Option<String> {
        reason(body)
    }

    /// Refresh while the token is valid, else log in.
    fn fetch(
        &self,
        http: &Http,
        previous: Option<&AccessToken>,
        limits: &CallLimits,
        now: SystemTime,
    ) -> Result<Fetched<AccessToken>> {
        match previous {
            Some(p) => match self.refresh(http, p, limits, now) {
                Err(Error::Rejected { .. } | Error::Unauthorized { .. }) => {
                    self.login(http, limits, now)
                }
                other => other,
            },
            None => self.login(http, limits, now),
        }
    }

    fn auth(token: &AccessToken) -> Auth<'_> {
        Auth::Bearer(&token.access_token)
    }

    fn expiry(token: &AccessToken) -> Option<SystemTime> {
        Some(token.expires_at)
    }

    /// Its expiry is `expires_at` when given, else the JWT's `exp` claim, else 10
    /// minutes from now.
    fn adopt(
        token: Secret,
        expires_at: Option<SystemTime>,
        now: SystemTime,
    ) -> Fetched<AccessToken> {
        let expires_at = expires_at
            .or_else(|| jwt::expiry(token.expose()))
            .unwrap_or(now + DEFAULT_LIFETIME);
        let expires_in = expires_at.duration_since(now).unwrap_or_default().as_secs();
        Fetched {
            value: AccessToken {
                access_token: token,
                token_type: "bearer".to_owned(),
                expires_in,
                expires_at,
                raw: Value::Null,
            },
            expires: Some(expires_at),
        }
    }

    fn prepare(&self, request: &mut Request) {
        if request.method() == Method::Post
            && request.get_idempotency_key().is_none()
            && !request.has_header("idempotency-key")
        {
            request.idempotency_key = Some(new_idempotency_key());
        }
    }
}

/// A fresh key for one logical call: a UUID v4.
fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Client {
    /// Y1: logs in with the app secret and returns the new token (also cached).
    /// Safe to repeat: each call issues a new token.
    pub fn login(&self) -> Result<AccessToken> {
        let limits = self.limits();
        let inner = &self.inner;
        let fetched = inner
            .vendor
            .login(&inner.http, &limits, inner.cache.now())?;
        Ok(inner.cache.store(fetched).value.clone())
    }

    /// Y2: exchanges the current token for a new one with `auth/refresh-token`
    /// (logging in first when there is no valid token), and caches it. The old token
    /// stops working at once (Yativo revokes it). A 401 drops the refused token; the
    /// client logs in again and refreshes once more. Safe to repeat.
    pub fn refresh_token(&self) -> Result<AccessToken> {
        let limits = self.limits();
        let inner = &self.inner;
        let fetched = inner.authorized(&limits, |current| {
            inner
                .vendor
                .refresh(&inner.http, current, &limits, inner.cache.now())
        })?;
        Ok(inner.cache.store(fetched).value.clone())
    }

    /// Sends a request like [`send`](crate::client::Client::send) and reads Yativo's
    /// envelope: the `data` of a `success` answer, or the error it stands for —
    /// [`Error::Rejected`] with Yativo's reason (`data.error`, or a 422's field
    /// messages joined, or `message`), [`Error::HttpStatus`] for a 429 or 5xx
    /// that outlasted the retries.
    ///
    /// ```no_run
    /// use tokenbridge::{yativo, Config, Method, Request};
    /// # let client = yativo::Client::new(yativo::SANDBOX_URL,
    /// #     yativo::Credentials::new("a", "s"), &Config::default())?;
    /// let payout = client.send_data(
    ///     &Request::new(Method::Post, "payouts")
    ///         .json(serde_json::json!({"amount": "100.00", "currency": "USD"}))
    ///         .idempotency_key("order-4711"),
    /// )?;
    /// println!("payout {}", payout["id"]);
    /// # Ok::<(), tokenbridge::Error>(())
    /// ```
    pub fn send_data(&self, request: &Request) -> Result<Value> {
        let response = self.send(request)?;
        // The reason a server gives may echo what the call carried: scrub the token too.
        let token = self.inner.cache.peek();
        let carried: Vec<&str> = token
            .iter()
            .map(|t| t.value.access_token.expose())
            .collect();
        let reply = self.inner.http.reply_to(&response, &carried)?;
        let (_, data) = open_envelope(&reply, Yativo::CALL, false)?;
        Ok(data)
    }
}

impl Yativo {
    fn login(
        &self,
        http: &Http,
        limits: &CallLimits,
        now: SystemTime,
    ) -> Result<Fetched<AccessToken>> {
        const OP: &str = "Yativo login";
        let c = &self.credentials;
        if c.account_id.is_empty() {
            return Err(Error::invalid_input("account_id", "must not be empty"));
        }
        if c.app_secret.is_empty() {
            return Err(Error::invalid_input("app_secret", "must not be empty"));
        }
        #[derive(serde::Serialize)]
        struct Login<'a> {
            account_id: &'a str,
            app_secret: &'a str,
        }
        let body = Login {
            account_id: &c.account_id,
            app_secret: c.app_secret.expose(),
        };
        let key = new_idempotency_key();
        let req = Outgoing::json(OP, Method::Post, "auth/login", Some(&body), Auth::None)
            .header("Idempotency-Key", &key)
            .repeatable()
            .secret(c.app_secret.expose());
        log::info!(target: "tokenbridge", "{OP}: logging in account {}", c.account_id);
        parse_token(&http.send(&req, limits)?, OP, true, now)
    }

    fn refresh(
        &self,
        http: &Http,
        current: &AccessToken,
        limits: &CallLimits,
        now: SystemTime,
    ) -> Result<Fetched<AccessToken>> {
        const OP: &str = "Yativo refresh-token";
        let req = Outgoing::new(
            OP,
            Method::Get,
            "auth/refresh-token",
            Auth::Bearer(&current.access_token),
        );
        log::info!(target: "tokenbridge", "{OP}: refreshing the token ahead of expiry");
        parse_token(&http.send(&req, limits)?, OP, false, now)
    }
}

/// Y1's and Y2's answer: the envelope, then `data.access_token` and its expiry.
pub(crate) fn parse_token(
    reply: &Reply,
    op: &'static str,
    is_login: bool,
    now: SystemTime,
) -> Result<Fetched<AccessToken>> {
    let (envelope, data) = open_envelope(reply, op, is_login)?;
    let Some(map) = data.as_object() else {
        return Err(reply.unexpected(op, "`data` holding an object with `access_token`"));
    };
    let access_token = match map.get("access_token").and_then(Value::as_str) {
        Some(t) if !t.trim().is_empty() => Secret::new(t.trim()),
        _ => return Err(reply.unexpected(op, "`data.access_token`, a non-empty string")),
    };
    let expires_at = match json::integer(map, "expires_in") {
        Some(secs) if secs <= 0 => {
            return Err(reply.unexpected(op, "`data.expires_in`, a positive number of seconds"))
        }
        Some(secs) if secs <= MAX_LIFETIME_SECS => now + Duration::from_secs(secs as u64),
        // Missing, or too long to be true (`1e300` once overflowed the clock and
        // panicked): the JWT's own `exp`, else the documented lifetime.
        _ => jwt::expiry(access_token.expose()).unwrap_or(now + DEFAULT_LIFETIME),
    };
    let token = AccessToken {
        token_type: json::text(map, "token_type").unwrap_or_else(|| "bearer".to_owned()),
        expires_in: expires_at.duration_since(now).unwrap_or_default().as_secs(),
        expires_at,
        access_token,
        raw: envelope,
    };
    Ok(Fetched {
        value: token,
        expires: Some(expires_at),
    })
}

/// Yativo's reason in an error answer: `data.error` when it is a string; a 422's
/// `data` of field → messages joined as `field: message; ...`; else `message`.
pub(crate) fn reason(body: &str) -> Option<String> {
    let parsed: Value = serde_json::from_str(body.trim()).ok()?;
    let envelope = parsed.as_object()?;
    let from_data = match envelope.get("data") {
        Some(Value::Object(data)) => match data.get("error") {
            Some(Value::String(e)) if !e.trim().is_empty() => Some(e.trim().to_owned()),
            _ => field_messages(data),
        },
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    };
    from_data.or_else(|| json::text(envelope, "message").filter(|m| !m.trim().is_empty()))
}

/// A validation answer's `{"field": ["message", ...], ...}` as one readable line.
fn field_messages(data: &serde_json::Map<String, Value>) -> Option<String> {
    let mut parts = Vec::new();
    for (field, messages) in data {
        let texts: Vec<String> = match messages {
            Value::Array(items) => items
                .iter()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        };
        if !texts.is_empty() {
            parts.push(format!("{field}: {}", texts.join(" ")));
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Checks a Yativo envelope and returns it with its `data`.
pub(crate) fn open_envelope(
    reply: &Reply,
    op: &'static str,
    is_login: bool,
) -> Result<(Value, Value)> {
    let parsed: Option<Value> = serde_json::from_str(reply.body.trim()).ok();
    let envelope = parsed.as_ref().and_then(Value::as_object);
    let status = envelope
        .and_then(|e| e.get("status"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let status = status.as_deref();
    let why = reason(&reply.body).map(|m| reply.scrub(&m));

    if reply.status == 401 && !is_login {
        return Err(reply.status_error(op));
    }
    // Throttled or failing after the retries: the server's state, not a refusal.
    if reply.status == 429 || reply.status >= 500 {
        return Err(reply.status_error(op));
    }
    let failed = !reply.is_success() || status.is_some_and(|s| !s.eq_ignore_ascii_case("success"));
    if failed {
        return match (status, why) {
            (_, Some(m)) if envelope.is_some() => Err(Error::Rejected {
                operation: op,
                api: Api::Yativo,
                status: reply.status,
                message: m,
            }),
            (Some(s), None) => Err(Error::Rejected {
                operation: op,
                api: Api::Yativo,
                status: reply.status,
                message: format!("status `{}` without a message", reply.scrub(s)),
            }),
            _ if is_login && matches!(reply.status, 401 | 403) => Err(Error::Rejected {
                operation: op,
                api: Api::Yativo,
                status: reply.status,
                message: format!("the credentials were refused (HTTP {})", reply.status),
            }),
            _ => Err(reply.status_error(op)),
        };
    }
    if status.is_none() {
        return Err(reply.unexpected(op, "a JSON envelope with `status`: \"success\""));
    }
    let parsed = parsed.unwrap_or_default();
    let data = parsed.get("data").cloned().unwrap_or(Value::Null);
    Ok((parsed, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_from_data_first() {
        let r = |b: &str| reason(b);
        assert_eq!(
            r(r#"{"status":"failed","message":"Request failed.","data":{"error":"Invalid login credentials"}}"#).as_deref(),
            Some("Invalid login credentials")
        );
        assert_eq!(
            r(r#"{"status":"failed","message":"Request failed.","data":{"account_id":["The account id field is required."],"amount":["The amount must be a number.","The amount is too small."]}}"#).as_deref(),
            Some("account_id: The account id field is required.; amount: The amount must be a number. The amount is too small.")
        );
        assert_eq!(
            r(r#"{"status":"failed","message":"Too many attempts","data":null}"#).as_deref(),
            Some("Too many attempts")
        );
        assert_eq!(r("<html>"), None);
    }

    #[test]
    fn a_post_gets_a_fresh_key_and_a_given_one_is_kept() {
        let y = Yativo {
            credentials: Credentials::new("a", "s"),
        };
        let mut a = Request::new(Method::Post, "payouts");
        let mut b = Request::new(Method::Post, "payouts");
        y.prepare(&mut a);
        y.prepare(&mut b);
        let (ka, kb) = (
            a.get_idempotency_key().unwrap(),
            b.get_idempotency_key().unwrap(),
        );
        assert_ne!(ka, kb);
        assert_eq!(uuid::Uuid::parse_str(ka).unwrap().get_version_num(), 4);
        let mut given = Request::new(Method::Post, "payouts").idempotency_key("mine");
        y.prepare(&mut given);
        assert_eq!(given.get_idempotency_key(), Some("mine"));
        let mut get = Request::new(Method::Get, "wallet");
        y.prepare(&mut get);
        assert_eq!(get.get_idempotency_key(), None);
    }
}
