//! uContact (contact center): client tokens, agent login, ending sessions, and
//! authenticated calls to any other uContact resource.
//!
//! uContact answers most failures with HTTP 200 and a body of `0` (or `Error ...`);
//! this module reads the body, not only the status, and turns those into
//! [`Error::Rejected`].
//!
//! ```no_run
//! use tokenbridge::{ucontact, Config};
//! let client = ucontact::Client::new(
//!     "mycompany", // becomes https://mycompany.ucontactcloud.com
//!     ucontact::Credentials::api_user("integration", "s3cret"),
//!     &Config::default(),
//! )?;
//! let token = client.get_user_token()?;
//! let tasks = client.send(
//!     &tokenbridge::Request::new(tokenbridge::Method::Post, "Integra/resources/Dialers/DialerTask")
//!         .form([("campaign", "Sales")]),
//! )?;
//! client.close()?; // ends the session
//! # Ok::<(), tokenbridge::Error>(())
//! ```
#![forbid(unsafe_code)]

mod models;
mod ops;
mod wire;

use std::fmt;
use std::time::SystemTime;

use crate::client::{Entry, Fetched, Shared, Vendor};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{Auth, CallLimits, Http, Outgoing, TextAnswer};
use crate::secret::Secret;

#[cfg(test)]
pub(crate) use models::PUBLISHED_FIELDS;
pub use models::{AgentProfile, Credentials, LoginKind};
use wire::call_refusal;
pub(crate) use wire::{parse_agent_login, parse_end_session, parse_user_token, vendor_error};
use wire::{AGENT_LOGIN, END_SESSION, GET_USER_TOKEN};

/// The base URL for a uContact server given as a cloud domain (`mycompany` →
/// `https://mycompany.ucontactcloud.com`) or as a full URL (on-premise installs).
///
/// ```
/// assert_eq!(
///     tokenbridge::ucontact::base_url("acme").unwrap(),
///     "https://acme.ucontactcloud.com"
/// );
/// assert_eq!(
///     tokenbridge::ucontact::base_url("https://uc.acme.local:8443/").unwrap(),
///     "https://uc.acme.local:8443/"
/// );
/// assert!(tokenbridge::ucontact::base_url("acme corp").is_err());
/// ```
pub fn base_url(domain_or_url: &str) -> Result<String> {
    let s = domain_or_url.trim();
    if s.contains("://") {
        return Ok(s.to_owned());
    }
    let valid = !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if !valid {
        return Err(Error::invalid_input(
            "server",
            format!("`{s}` is neither a full URL nor a cloud domain (letters, digits and `-`)"),
        ));
    }
    Ok(format!("https://{s}.ucontactcloud.com"))
}
/// uContact's side of a [`Client`]: its credentials, its two logins, `EndSession`
/// when the last clone goes, and answers that say `0` with HTTP 200.
pub struct UContact {
    credentials: Credentials,
    end_on_close: bool,
}

impl fmt::Debug for UContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UContact")
            .field("user", &self.credentials.user)
            .field("login", &self.credentials.kind)
            .finish_non_exhaustive()
    }
}

/// A uContact client: one connection pool, one set of credentials, one cached
/// session token. Cheap to clone; clones share the session. `Send + Sync`.
///
/// uContact tokens do not expire on the client side: the cached token is used until
/// the server answers 401 (then the client logs in again once) or the session is
/// ended. When the last clone is dropped with a live session, the session is ended
/// (see [`Config::end_session_on_close`]); call [`Client::close`] to see whether that
/// worked. A forked child never ends its parent's session: it logs in on its own.
pub type Client = crate::client::Client<UContact>;

#[allow(private_interfaces)] // the sealed trait names crate-private types
impl Vendor for UContact {
    type Token = Secret;
    type Credentials = Credentials;
    const CALL: &'static str = "uContact call";
    const LOGIN: &'static str = "uContact login";

    fn new(credentials: Credentials, config: &Config) -> Result<Self> {
        Ok(UContact {
            credentials,
            end_on_close: config.end_session_on_close,
        })
    }

    fn base_url(server: &str) -> Result<String> {
        base_url(server)
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.credentials.password]
    }

    fn user(&self) -> String {
        format!("{:?}\0{}", self.credentials.kind, self.credentials.user)
    }

    fn reason(body: &str) -> Option<String> {
        vendor_error(body).filter(|m| m != "0")
    }

    fn fetch(
        &self,
        http: &Http,
        _previous: Option<&Secret>,
        limits: &CallLimits,
        _now: SystemTime,
    ) -> Result<Fetched<Secret>> {
        let token = match self.credentials.kind {
            LoginKind::ApiUser => self.get_user_token(http, limits)?,
            LoginKind::Agent => self.agent_login(http, limits)?.token,
        };
        Ok(Fetched {
            value: token,
            expires: None,
        })
    }

    fn auth(token: &Secret) -> Auth<'_> {
        Auth::BasicRaw(token)
    }

    fn refusal(reply: &TextAnswer<'_>) -> Option<Error> {
        call_refusal(reply, Self::CALL)
    }

    fn expiry(_token: &Secret) -> Option<SystemTime> {
        None
    }

    /// Used until the server refuses it, or until `expires_at` when given.
    fn adopt(token: Secret, expires_at: Option<SystemTime>, _now: SystemTime) -> Fetched<Secret> {
        Fetched {
            value: token,
            expires: expires_at,
        }
    }

    fn on_drop(client: &Shared<Self>) {
        if client.vendor.end_on_close {
            // Errors cannot be reported from a drop; `Client::close` reports them.
            let _ = client
                .vendor
                .end_cached_session(client, &CallLimits::none());
        }
    }
}
impl UContact {
    fn check_credentials(&self) -> Result<()> {
        if self.credentials.user.is_empty() {
            return Err(Error::invalid_input("user", "must not be empty"));
        }
        if self.credentials.password.is_empty() {
            return Err(Error::invalid_input("password", "must not be empty"));
        }
        Ok(())
    }
    /// One of the two login forms, with the password.
    fn login_request<'a>(
        &'a self,
        op: &'static str,
        path: &'a str,
        name_field: &'a str,
    ) -> Outgoing<'a> {
        let c = &self.credentials;
        log::info!(target: "tokenbridge", "{op}: logging in {}", c.user);
        Outgoing::form(
            op,
            path,
            &[(name_field, &c.user), ("password", c.password.expose())],
            Auth::None,
        )
        .repeatable()
        .secret(c.password.expose())
    }

    fn get_user_token(&self, http: &Http, limits: &CallLimits) -> Result<Secret> {
        const OP: &str = "uContact getUserToken";
        self.check_credentials()?;
        let req = self.login_request(OP, GET_USER_TOKEN, "user");
        parse_user_token(&http.send(&req, limits)?, OP)
    }

    fn agent_login(&self, http: &Http, limits: &CallLimits) -> Result<AgentProfile> {
        const OP: &str = "uContact AgentLogin";
        self.check_credentials()?;
        let req = self.login_request(OP, AGENT_LOGIN, "agent");
        parse_agent_login(&http.send(&req, limits)?, OP)
    }

    fn end_cached_session(&self, client: &Shared<Self>, limits: &CallLimits) -> Result<()> {
        let Some(entry) = client.take_session(limits) else {
            return Ok(());
        };
        let result = self.end_session_with(&client.http, &entry, limits);
        if result.is_ok() {
            client.forget_shared(&entry.value, limits);
        }
        if let Err(e) = &result {
            if e.is_transient() {
                // The session may still be live: keep the token so ending can be retried.
                client.cache.store(Fetched {
                    value: entry.value.clone(),
                    expires: None,
                });
            }
        }
        result
    }

    fn end_session_with(
        &self,
        http: &Http,
        entry: &Entry<Secret>,
        limits: &CallLimits,
    ) -> Result<()> {
        const OP: &str = "uContact EndSession";
        let token = &entry.value;
        let req = Outgoing::form(
            OP,
            END_SESSION,
            &[("user", &self.credentials.user), ("token", token.expose())],
            Auth::BasicRaw(token),
        )
        .repeatable();
        log::info!(target: "tokenbridge", "{OP}: ending the session of {}", self.credentials.user);
        parse_end_session(&http.send(&req, limits)?, OP)
    }
}
