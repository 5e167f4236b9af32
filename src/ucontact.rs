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

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{Map, Value};

use crate::client::{Entry, Fetched, Shared, Vendor};
use crate::config::Config;
use crate::error::{Api, Error, Result};
use crate::http::{Auth, CallLimits, Http, Outgoing, Reply};
use crate::json;
use crate::secret::Secret;

const GET_USER_TOKEN: &str = "Integra/resources/auth/getUserToken";
const AGENT_LOGIN: &str = "Integra/resources/auth/AgentLogin";
const END_SESSION: &str = "Integra/resources/auth/EndSession";

/// How the client logs in when it needs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoginKind {
    /// An API user, through `getUserToken` (the default).
    #[default]
    ApiUser,
    /// An agent, through `AgentLogin` (which also logs the agent into the SIP side).
    Agent,
}

/// Who the client logs in as.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The user or agent name.
    pub user: String,
    /// The password.
    pub password: Secret,
    /// Which login call to use.
    pub kind: LoginKind,
}

impl Credentials {
    /// An API user, logged in with `getUserToken`.
    pub fn api_user(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
            kind: LoginKind::ApiUser,
        }
    }

    /// An agent, logged in with `AgentLogin`.
    pub fn agent(agent: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            user: agent.into(),
            password: password.into(),
            kind: LoginKind::Agent,
        }
    }
}

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

macro_rules! agent_profile {
    ($( $(#[$doc:meta])* $field:ident : $key:literal ),* $(,)?) => {
        /// An agent's SIP profile, as `AgentLogin` returns it. Every published field is
        /// typed; unknown fields are kept in [`AgentProfile::extra`]; `secret`,
        /// `md5secret` and `token` are [`Secret`]s.
        #[derive(Clone)]
        #[non_exhaustive]
        pub struct AgentProfile {
            /// `id`.
            pub id: Option<i64>,
            $( $(#[$doc])* pub $field: Option<String>, )*
            /// `type`.
            pub kind: Option<String>,
            /// `LogLevel`.
            pub log_level: Option<String>,
            /// `limite` (a number).
            pub limite: Option<i64>,
            /// `secret`: the SIP password.
            pub secret: Option<Secret>,
            /// `md5secret`: the SIP password's digest.
            pub md5secret: Option<Secret>,
            /// `token`: the session token.
            pub token: Secret,
            /// Fields the published profile does not list, as they came.
            pub extra: Map<String, Value>,
            raw: Value,
        }

        /// The profile's published fields (API.md), by their wire names.
        pub(crate) const PUBLISHED_FIELDS: &[&str] = &[
            "id", "type", "LogLevel", "limite", "secret", "md5secret", "token", $( $key ),*
        ];

        impl AgentProfile {
            fn from_map(map: &Map<String, Value>, raw: Value, token: Secret) -> Self {
                AgentProfile {
                    id: json::integer(map, "id"),
                    $( $field: json::text(map, $key), )*
                    kind: json::text(map, "type"),
                    log_level: json::text(map, "LogLevel"),
                    limite: json::integer(map, "limite"),
                    secret: json::text(map, "secret").map(Secret::from),
                    md5secret: json::text(map, "md5secret").map(Secret::from),
                    token,
                    extra: map
                        .iter()
                        .filter(|(k, _)| !PUBLISHED_FIELDS.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    raw,
                }
            }
        }

        impl fmt::Debug for AgentProfile {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let extra_keys: Vec<&String> = self.extra.keys().collect();
                f.debug_struct("AgentProfile")
                    .field("id", &self.id)
                    $( .field(stringify!($field), &self.$field) )*
                    .field("kind", &self.kind)
                    .field("log_level", &self.log_level)
                    .field("limite", &self.limite)
                    .field("secret", &self.secret)
                    .field("md5secret", &self.md5secret)
                    .field("token", &self.token)
                    .field("extra (keys only)", &extra_keys)
                    .finish()
            }
        }
    };
}

agent_profile! {
    /// `name`.
    name: "name",
    /// `host`.
    host: "host",
    /// `nat`.
    nat: "nat",
    /// `accountcode`.
    accountcode: "accountcode",
    /// `callgroup`.
    callgroup: "callgroup",
    /// `callerid`.
    callerid: "callerid",
    /// `canreinvite`.
    canreinvite: "canreinvite",
    /// `context`.
    context: "context",
    /// `dtmfmode`.
    dtmfmode: "dtmfmode",
    /// `insecure`.
    insecure: "insecure",
    /// `language`.
    language: "language",
    /// `mailbox`.
    mailbox: "mailbox",
    /// `pickupgroup`.
    pickupgroup: "pickupgroup",
    /// `qualify`.
    qualify: "qualify",
    /// `disallow`.
    disallow: "disallow",
    /// `allow`.
    allow: "allow",
    /// `port`.
    port: "port",
    /// `defaultuser`.
    defaultuser: "defaultuser",
    /// `subscribecontext`.
    subscribecontext: "subscribecontext",
    /// `record`.
    record: "record",
    /// `email`.
    email: "email",
    /// `phonetype`.
    phonetype: "phonetype",
    /// `transport`.
    transport: "transport",
    /// `encryption`.
    encryption: "encryption",
    /// `did`.
    did: "did",
    /// `outboundproxy`.
    outboundproxy: "outboundproxy",
    /// `fullname`.
    fullname: "fullname",
}

impl AgentProfile {
    /// The JSON object the server sent, secrets included: handle with care.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The profile as the server sent it, without `secret` and `md5secret` (the
    /// session `token` stays: it is what a login is for).
    pub fn to_json_without_sip_secrets(&self) -> Value {
        let mut v = self.raw.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("secret");
            map.remove("md5secret");
        }
        v
    }
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

impl Client {
    /// U1: logs the API user in with `getUserToken` and returns the token (also
    /// cached for later calls). Safe to repeat: each call starts a new session.
    pub fn get_user_token(&self) -> Result<Secret> {
        let inner = &self.inner;
        let token = inner.vendor.get_user_token(&inner.http, &self.limits())?;
        inner.cache.store(Fetched {
            value: token.clone(),
            expires: None,
        });
        Ok(token)
    }

    /// U2: logs the agent in with `AgentLogin` (also on the SIP side) and returns the
    /// profile; its token is cached for later calls. Safe to repeat.
    pub fn agent_login(&self) -> Result<AgentProfile> {
        let inner = &self.inner;
        let profile = inner.vendor.agent_login(&inner.http, &self.limits())?;
        inner.cache.store(Fetched {
            value: profile.token.clone(),
            expires: None,
        });
        Ok(profile)
    }

    /// U3: ends the cached session with `EndSession`. Does nothing when there is no
    /// session. Safe to repeat.
    pub fn end_session(&self) -> Result<()> {
        self.inner
            .vendor
            .end_cached_session(&self.inner, &self.limits())
    }

    /// Whether the client holds a session token.
    pub fn has_session(&self) -> bool {
        self.inner.cache.peek().is_some()
    }

    /// Ends the session (when [`Config::end_session_on_close`] is on) and releases the
    /// client, reporting a failure to end the session.
    pub fn close(self) -> Result<()> {
        if !self.inner.vendor.end_on_close || self.inner.store.is_some() {
            return Ok(());
        }
        let result = self.end_session();
        if result.is_err() {
            // The failure is reported here. When this was the last handle, the drop
            // that follows must not silently send the same EndSession (and its retries)
            // again; other clones, if any, keep the token to retry.
            if let Some(inner) = Arc::into_inner(self.inner) {
                inner.cache.take();
            }
        }
        result
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

/// U1's answer: the token, as a JSON string or the last element of an array.
pub(crate) fn parse_user_token(reply: &Reply, operation: &'static str) -> Result<Secret> {
    let value = login_body(reply, operation)?;
    let token = match &value {
        Value::String(s) => Some(s.as_str()),
        Value::Array(items) => items.last().and_then(Value::as_str),
        _ => None,
    };
    match token.map(str::trim) {
        Some(t) if !t.is_empty() && t != "0" => Ok(Secret::new(t)),
        _ => Err(reply.unexpected(
            operation,
            "a JSON string holding the token, or an array whose last element is the token",
        )),
    }
}

/// U2's answer: the agent's profile, with a non-empty `token`.
pub(crate) fn parse_agent_login(reply: &Reply, operation: &'static str) -> Result<AgentProfile> {
    let value = login_body(reply, operation)?;
    let Some(map) = value.as_object() else {
        return Err(reply.unexpected(operation, "a JSON object with the agent's profile"));
    };
    let token = match json::text(map, "token") {
        Some(t) if !t.trim().is_empty() => Secret::new(t.trim()),
        _ => {
            return Err(reply.unexpected(operation, "a profile with a non-empty `token` field"));
        }
    };
    Ok(AgentProfile::from_map(map, value.clone(), token))
}

/// U3's answer: any text but `0` / `Error...`, with a 2xx status.
pub(crate) fn parse_end_session(reply: &Reply, operation: &'static str) -> Result<()> {
    if let Some(message) = vendor_error(&reply.body) {
        return Err(rejected(
            reply,
            operation,
            message,
            "the session was not ended (unknown or already ended token)",
        ));
    }
    if !reply.is_success() {
        return Err(reply.status_error(operation));
    }
    Ok(())
}

/// `0` or `Error...` in the body, whatever the HTTP status.
pub(crate) fn vendor_error(body: &str) -> Option<String> {
    let text = body.trim();
    let text = match serde_json::from_str::<Value>(text) {
        Ok(Value::String(s)) => s,
        Ok(Value::Number(n)) if n.as_i64() == Some(0) => "0".to_owned(),
        _ => text.to_owned(),
    };
    let text = text.trim();
    if text == "0"
        || text
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case("error"))
    {
        Some(text.to_owned())
    } else {
        None
    }
}

fn rejected(
    reply: &Reply,
    operation: &'static str,
    message: String,
    meaning_of_zero: &str,
) -> Error {
    let message = if message == "0" {
        format!("the server answered `0`: {meaning_of_zero}")
    } else {
        reply.scrub(&message)
    };
    Error::Rejected {
        operation,
        api: Api::UContact,
        status: reply.status,
        message,
    }
}

/// The JSON of a login answer, or the error it stands for.
fn login_body(reply: &Reply, operation: &'static str) -> Result<Value> {
    if let Some(message) = vendor_error(&reply.body) {
        return Err(rejected(
            reply,
            operation,
            message,
            "wrong user or password, or the user may not log in",
        ));
    }
    if reply.status == 401 || reply.status == 403 {
        return Err(Error::Rejected {
            operation,
            api: Api::UContact,
            status: reply.status,
            message: format!(
                "the credentials were refused (HTTP {}): {}",
                reply.status,
                reply.excerpt()
            ),
        });
    }
    if !reply.is_success() {
        return Err(reply.status_error(operation));
    }
    reply.json(operation, "JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_errors() {
        assert_eq!(vendor_error("0").as_deref(), Some("0"));
        assert_eq!(vendor_error(" 0\n").as_deref(), Some("0"));
        assert_eq!(vendor_error("\"0\"").as_deref(), Some("0"));
        assert_eq!(
            vendor_error("Error: user locked").as_deref(),
            Some("Error: user locked")
        );
        assert_eq!(vendor_error("\"ERROR bad\"").as_deref(), Some("ERROR bad"));
        assert_eq!(vendor_error("1"), None);
        assert_eq!(vendor_error("\"QWRtaW46OTgz\""), None);
    }
}
