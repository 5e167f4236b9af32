//! Yativo (payments): log in with an account id and app secret, refresh the
//! 10-minute bearer token, and call any other Yativo endpoint with it.
//!
//! Every Yativo answer is an envelope `{"status", "status_code", "message", "data"}`;
//! a `status` other than `success` becomes [`Error::Rejected`] with the `message`.
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
//! println!("{} {}", wallets.status, wallets.body);
//! # Ok::<(), tokenbridge::Error>(())
//! ```
#![forbid(unsafe_code)]

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::config::Config;
use crate::error::{Api, Error, Result};
use crate::http::{Auth, Body, Http, Method, RawResponse, Reply, Request};
use crate::json;
use crate::jwt;
use crate::secret::Secret;
use crate::session::{Entry, Fetched, TokenCache};

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

/// A Yativo client: one connection pool, one account, one cached token refreshed
/// ahead of expiry. Cheap to clone; clones share the token. `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: Http,
    credentials: Credentials,
    cache: TokenCache<AccessToken>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("yativo::Client")
            .field("base_url", &self.http.base())
            .field("account_id", &self.credentials.account_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for a base URL ([`Environment::base_url`] or any other). Nothing is
    /// sent until the first call.
    pub fn new(base_url: &str, credentials: Credentials, config: &Config) -> Result<Client> {
        Ok(Client {
            inner: Arc::new(Inner {
                http: Http::new(base_url, config)?.with_secrets(&[&credentials.app_secret]),
                credentials,
                cache: TokenCache::new(config.clock.clone(), config.refresh_ahead),
            }),
        })
    }

    /// The base URL calls go to.
    pub fn base_url(&self) -> &str {
        self.inner.http.base()
    }

    /// Y1: logs in with the app secret and returns the new token (also cached).
    /// Safe to repeat: each call issues a new token.
    pub fn login(&self) -> Result<AccessToken> {
        let fetched = self.inner.login()?;
        Ok(self.inner.cache.store(fetched).value.clone())
    }

    /// Y2: exchanges the current token for a new one with `auth/refresh-token`
    /// (logging in first when there is no valid token), and caches it. A 401 drops
    /// the refused token; the client logs in again and refreshes once more. Safe to
    /// repeat.
    pub fn refresh_token(&self) -> Result<AccessToken> {
        let inner = &self.inner;
        let fetched = inner
            .cache
            .authorized(|prev| inner.fetch(prev), |current| inner.refresh(current))?;
        Ok(inner.cache.store(fetched).value.clone())
    }

    /// A valid token: the cached one, refreshed ahead of expiry, or a new login.
    pub fn token(&self) -> Result<AccessToken> {
        Ok(self
            .inner
            .cache
            .get(|prev| self.inner.fetch(prev))?
            .value
            .clone())
    }

    /// Uses a token obtained elsewhere. Its expiry is `expires_at` when given, else
    /// the JWT's `exp` claim, else 10 minutes from now.
    pub fn set_token(
        &self,
        token: impl Into<Secret>,
        expires_at: Option<SystemTime>,
    ) -> Result<()> {
        let token = token.into();
        if token.is_empty() {
            return Err(Error::invalid_input("token", "must not be empty"));
        }
        let now = self.inner.cache.now();
        let expires_at = expires_at
            .or_else(|| jwt::expiry(token.expose()))
            .unwrap_or(now + DEFAULT_LIFETIME);
        let expires_in = expires_at.duration_since(now).unwrap_or_default().as_secs();
        self.inner.cache.store(Fetched {
            value: AccessToken {
                access_token: token,
                token_type: "bearer".to_owned(),
                expires_in,
                expires_at,
                raw: Value::Null,
            },
            expires: Some(expires_at),
        });
        Ok(())
    }

    /// Calls any other Yativo endpoint (wallets, payments...) with
    /// `Authorization: Bearer {token}`, refreshing or logging in as needed and once
    /// more after a 401. Returns status and body as they came. Repeating it is as safe
    /// as the endpoint called.
    pub fn call(&self, method: Method, path: &str, body: Body) -> Result<RawResponse> {
        let inner = &self.inner;
        inner.cache.authorized(
            |prev| inner.fetch(prev),
            |token| {
                let auth = Auth::Bearer(&token.access_token);
                inner
                    .http
                    .call_raw("Yativo call", method, path, &body, auth)
            },
        )
    }
}

impl Inner {
    /// What the cache runs: refresh while the token is valid, else log in.
    fn fetch(&self, previous: Option<&Entry<AccessToken>>) -> Result<Fetched<AccessToken>> {
        match previous {
            Some(p) => match self.refresh(&p.value) {
                Err(Error::Rejected { .. } | Error::Unauthorized { .. }) => self.login(),
                other => other,
            },
            None => self.login(),
        }
    }

    fn login(&self) -> Result<Fetched<AccessToken>> {
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
        let req = Request::json(OP, Method::Post, "auth/login", Some(&body), Auth::None)
            .secret(c.app_secret.expose());
        let reply = self.http.send(&req)?;
        self.token_from(&reply, OP, true)
    }

    fn refresh(&self, current: &AccessToken) -> Result<Fetched<AccessToken>> {
        const OP: &str = "Yativo refresh-token";
        let req = Request::new(
            OP,
            Method::Get,
            "auth/refresh-token",
            Auth::Bearer(&current.access_token),
        );
        let reply = self.http.send(&req)?;
        self.token_from(&reply, OP, false)
    }

    fn token_from(
        &self,
        reply: &Reply,
        op: &'static str,
        is_login: bool,
    ) -> Result<Fetched<AccessToken>> {
        parse_token(reply, op, is_login, self.cache.now())
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
    let message = envelope
        .and_then(|e| json::text(e, "message"))
        .filter(|m| !m.trim().is_empty());

    if reply.status == 401 && !is_login {
        return Err(reply.status_error(op));
    }
    let failed = !reply.is_success() || status.is_some_and(|s| !s.eq_ignore_ascii_case("success"));
    if failed {
        return match (status, message) {
            (Some(_), Some(m)) | (None, Some(m)) if envelope.is_some() => Err(Error::Rejected {
                operation: op,
                api: Api::Yativo,
                status: reply.status,
                message: reply.scrub(&m),
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
