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

mod models;
mod ops;
mod wire;

use std::fmt;
use std::time::SystemTime;

use serde_json::Value;

use crate::client::{Fetched, Vendor};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{Auth, CallLimits, Http, Method, Outgoing, Request, TextAnswer};
use crate::jwt;
use crate::secret::Secret;

pub mod webhook;

pub use models::{AccessToken, Credentials, Environment, PRODUCTION_URL, SANDBOX_URL};
use wire::{new_idempotency_key, LoginBody, DEFAULT_LIFETIME};
pub(crate) use wire::{open_envelope, parse_token, reason};

/// Yativo's side of a [`Client`]: its credentials, login and refresh, the
/// envelope of its answers, and an `Idempotency-Key` on every POST.
pub struct Yativo {
    credentials: Credentials,
    /// The account id again, as a secret: scrubbed from every error like one.
    account: Secret,
}

impl fmt::Debug for Yativo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Yativo")
            .field("account", &self.credentials.account_fingerprint())
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
        Ok(Yativo {
            account: Secret::new(credentials.account_id.clone()),
            credentials,
        })
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.credentials.app_secret, &self.account]
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

    /// An envelope whose `status` is not `success`.
    fn refusal(reply: &TextAnswer<'_>) -> Option<Error> {
        let v: Value = serde_json::from_str(reply.body.trim()).ok()?;
        v.get("status")?.as_str()?;
        open_envelope(reply, Self::CALL, false).err()
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
        let body = LoginBody {
            account_id: &c.account_id,
            app_secret: c.app_secret.expose(),
        };
        let key = new_idempotency_key();
        let req = Outgoing::json(OP, Method::Post, "auth/login", Some(&body), Auth::None)
            .header("Idempotency-Key", &key)
            .repeatable()
            .secret(c.app_secret.expose());
        log::info!(target: "tokenbridge", "{OP}: logging in account {}", c.account_fingerprint());
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
#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn a_post_gets_a_fresh_key_and_a_given_one_is_kept() {
        let y = Yativo::new(Credentials::new("a", "s"), &Config::default()).unwrap();
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
