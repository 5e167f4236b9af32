//! AnnA Corporate User V3 (chat / messenger): tokens, user hashes, inactivation,
//! and the messenger's structure, counters, requests and links.
//!
//! Every AnnA answer carries `{"success": bool, "message": "..."}`; `success: false`
//! becomes [`Error::Rejected`] with the message, even inside an HTTP 200.
//!
//! ```no_run
//! use tokenbridge::{anna, Config, Date};
//! let client = anna::Client::new(
//!     "https://anna.example.com/api/",
//!     anna::Credentials::new("COMPANYHASH", "integration", "s3cret"),
//!     &Config::default(),
//! )?;
//! let access = client.user_hash("42", None)?;
//! println!("chat at {} until {:?}", access.chat_url, access.expires);
//! let filter = anna::MessengerFilter {
//!     date_from: Some(Date::new(2024, 1, 1)?),
//!     date_to: Some(Date::new(2024, 12, 31)?),
//!     status: Some(anna::RequestStatus::Open),
//!     ..Default::default()
//! };
//! let open = client.messenger_alert_counter(&anna::User::id("42"), &filter)?;
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
use crate::http::{Auth, CallLimits, Http, Method, Outgoing, TextAnswer};
use crate::json;
use crate::jwt;
use crate::secret::Secret;

pub use models::{
    AccessData, Channel, Credentials, Department, MessengerFilter, MessengerRequest,
    MessengerRequests, MessengerStructure, RequestStatus, Token, User,
};
pub(crate) use wire::{
    access_data, alert_counter_from, expiry, link_from, open_answer, parse_payload, parse_token,
    requests_from, structure_from,
};
use wire::{non_empty, GetTokenBody};

/// AnnA's side of a [`Client`]: its credentials (the company hash goes in every
/// body), `GetToken`, and the `{success, message}` of its answers.
pub struct Anna {
    credentials: Credentials,
}

impl fmt::Debug for Anna {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Anna")
            .field("user", &self.credentials.user)
            .finish_non_exhaustive()
    }
}

/// An AnnA client: one connection pool, one API user, one cached token refreshed
/// (by logging in again) ahead of expiry. Cheap to clone; clones share the token.
/// `Send + Sync`.
pub type Client = crate::client::Client<Anna>;

#[allow(private_interfaces)] // the sealed trait names crate-private types
impl Vendor for Anna {
    type Token = Token;
    type Credentials = Credentials;
    const CALL: &'static str = "AnnA call";
    const LOGIN: &'static str = "AnnA login";

    fn new(credentials: Credentials, _config: &Config) -> Result<Self> {
        Ok(Anna { credentials })
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.credentials.pass, &self.credentials.company_hash]
    }

    fn user(&self) -> String {
        self.credentials.user.clone()
    }

    fn reason(body: &str) -> Option<String> {
        let v: Value = serde_json::from_str(body.trim()).ok()?;
        json::find_text(v.as_object()?, &["message"]).filter(|m| !m.trim().is_empty())
    }

    fn fetch(
        &self,
        http: &Http,
        _previous: Option<&Token>,
        limits: &CallLimits,
        now: SystemTime,
    ) -> Result<Fetched<Token>> {
        self.get_token(http, limits, now)
    }

    fn auth(token: &Token) -> Auth<'_> {
        Auth::Bearer(&token.token)
    }

    /// An answer with `success: false`.
    fn refusal(reply: &TextAnswer<'_>) -> Option<Error> {
        let v: Value = serde_json::from_str(reply.body.trim()).ok()?;
        json::find(v.as_object()?, &["success"])?;
        open_answer(reply, Self::CALL, false).err()
    }

    fn expiry(token: &Token) -> Option<SystemTime> {
        token.expires_at
    }

    /// Its expiry is `expires_at` when given, else the JWT's `exp` claim, else
    /// unknown (used until the server answers 401).
    fn adopt(token: Secret, expires_at: Option<SystemTime>, _now: SystemTime) -> Fetched<Token> {
        let expires_at = expires_at.or_else(|| jwt::expiry(token.expose()));
        Fetched {
            value: Token {
                token,
                expires_at,
                expires_in_raw: None,
                raw: Value::Null,
            },
            expires: expires_at,
        }
    }
}

impl Anna {
    /// The company hash every protected body carries.
    fn hash(&self) -> &str {
        self.credentials.company_hash.expose()
    }

    fn get_token(
        &self,
        http: &Http,
        limits: &CallLimits,
        now: SystemTime,
    ) -> Result<Fetched<Token>> {
        const OP: &str = "AnnA GetToken";
        let c = &self.credentials;
        non_empty("company_hash", c.company_hash.expose())?;
        non_empty("user", &c.user)?;
        if c.pass.is_empty() {
            return Err(Error::invalid_input("password", "must not be empty"));
        }
        let body = GetTokenBody {
            hash: c.company_hash.expose(),
            user: &c.user,
            pass: c.pass.expose(),
        };
        let req = Outgoing::json(
            OP,
            Method::Post,
            "REST/Credentials/GetToken",
            Some(&body),
            Auth::None,
        )
        .repeatable()
        .secret(c.pass.expose())
        .secret(c.company_hash.expose());
        log::info!(target: "tokenbridge", "{OP}: getting a token for {}", c.user);
        parse_token(&http.send(&req, limits)?, OP, now)
    }
}
