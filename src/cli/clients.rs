//! A profile made into the library's client of its API, with the command's limits
//! (`--timeout`, Ctrl-C through the cancel token) and the token store.

use std::time::{Duration, SystemTime};

use crate::{anna, ucontact, yativo, CallOptions, CancelToken, Request, Response};

use super::exit::Failure;
use super::profile::{ApiName, Login, Profile, Profiles};

/// The client of one profile.
pub enum AnyClient {
    /// uContact.
    UContact(ucontact::Client),
    /// Yativo.
    Yativo(yativo::Client),
    /// AnnA.
    Anna(anna::Client),
}

/// What the command asks of every client.
pub struct Limits {
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// Cancelled by Ctrl-C.
    pub cancel: CancelToken,
    /// `--no-cache`.
    pub no_cache: bool,
    /// A uContact session outlives the process even without a store (the command
    /// prints its token for later use).
    pub keep_session: bool,
}

/// A token as `tokenbridge token` prints it.
pub struct TokenInfo {
    /// `Basic` (uContact) or `Bearer`.
    pub scheme: &'static str,
    /// The token.
    pub token: crate::Secret,
    /// When it expires, when known.
    pub expires_at: Option<SystemTime>,
}

/// The profile of this name, or a message listing the known ones.
pub fn profile<'a>(profiles: &'a Profiles, name: &str) -> Result<&'a Profile, Failure> {
    profiles.by_name.get(name).ok_or_else(|| {
        let known: Vec<&str> = profiles.by_name.keys().map(String::as_str).collect();
        let place = match &profiles.file {
            Some(f) => format!("in {}", f.display()),
            None => format!(
                "(no profiles file{}; the environment's TOKENBRIDGE_* variables give none by that name)",
                profiles
                    .looked_at
                    .as_ref()
                    .map(|p| format!(" at {}", p.display()))
                    .unwrap_or_default()
            ),
        };
        Failure::usage(if known.is_empty() {
            format!("no profile `{name}` {place}; there are none: see `tokenbridge profiles --help`")
        } else {
            format!("no profile `{name}` {place}; known: {}", known.join(", "))
        })
    })
}

/// The client for a profile, checked to be for `want` when given.
pub fn open(
    profiles: &Profiles,
    name: &str,
    want: Option<ApiName>,
    limits: &Limits,
) -> Result<AnyClient, Failure> {
    let p = profile(profiles, name)?;
    let api = p.api(name)?;
    if let Some(want) = want.filter(|w| *w != api) {
        return Err(Failure::usage(format!(
            "profile `{name}` is a {} profile; this command needs a {} one",
            api.label(),
            want.label()
        )));
    }
    let mut config = p.config(name, limits.no_cache)?;
    if limits.keep_session {
        config = config.end_session_on_close(false);
    }
    let url = p.required(name, "url", &p.url)?;
    let mut options = CallOptions::new().cancel_token(limits.cancel.clone());
    if let Some(t) = limits.timeout {
        options = options.deadline(t);
    }
    Ok(match api {
        ApiName::Ucontact => {
            let user = p.required(name, "user", &p.user)?;
            let password = p.password(name)?;
            let creds = match p.login.unwrap_or_default() {
                Login::ApiUser => ucontact::Credentials::api_user(user, password),
                Login::Agent => ucontact::Credentials::agent(user, password),
            };
            AnyClient::UContact(ucontact::Client::new(url, creds, &config)?.with_options(options))
        }
        ApiName::Yativo => {
            let url = match url.to_ascii_lowercase().as_str() {
                "production" => yativo::Environment::Production.base_url(),
                "sandbox" => yativo::Environment::Sandbox.base_url(),
                _ => url,
            };
            let creds = yativo::Credentials::new(p.account_id(name)?, p.password(name)?);
            AnyClient::Yativo(yativo::Client::new(url, creds, &config)?.with_options(options))
        }
        ApiName::Anna => {
            let user = p.required(name, "user", &p.user)?;
            let creds = anna::Credentials::new(p.company_hash(name)?, user, p.password(name)?);
            AnyClient::Anna(anna::Client::new(url, creds, &config)?.with_options(options))
        }
    })
}

impl AnyClient {
    /// A valid token: kept, renewed or new.
    pub fn token(&self) -> crate::Result<TokenInfo> {
        Ok(match self {
            AnyClient::UContact(c) => TokenInfo {
                scheme: "Basic",
                token: c.token()?,
                expires_at: None,
            },
            AnyClient::Yativo(c) => {
                let t = c.token()?;
                TokenInfo {
                    scheme: "Bearer",
                    token: t.access_token,
                    expires_at: Some(t.expires_at),
                }
            }
            AnyClient::Anna(c) => {
                let t = c.token()?;
                TokenInfo {
                    scheme: "Bearer",
                    token: t.token,
                    expires_at: t.expires_at,
                }
            }
        })
    }

    /// The generic call.
    pub fn send(&self, request: &Request) -> crate::Result<Response> {
        match self {
            AnyClient::UContact(c) => c.send(request),
            AnyClient::Yativo(c) => c.send(request),
            AnyClient::Anna(c) => c.send(request),
        }
    }

    /// The error an answer stands for: a status that is not 2xx, or a refusal in
    /// the vendor's way.
    pub fn answer_error(&self, response: &Response) -> Option<crate::Error> {
        match self {
            AnyClient::UContact(c) => c.answer_error(response),
            AnyClient::Yativo(c) => c.answer_error(response),
            AnyClient::Anna(c) => c.answer_error(response),
        }
    }

    /// `logout`: uContact ends the session; every API forgets the kept token.
    pub fn logout(&self) -> crate::Result<()> {
        match self {
            AnyClient::UContact(c) => {
                c.end_session()?;
                c.forget_token();
            }
            AnyClient::Yativo(c) => c.forget_token(),
            AnyClient::Anna(c) => c.forget_token(),
        }
        Ok(())
    }
}
