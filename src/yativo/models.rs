//! Yativo's public answers and inputs: environments, credentials, tokens.

use std::fmt;
use std::time::SystemTime;

use serde_json::Value;

use crate::secret::Secret;

/// The production API.
pub const PRODUCTION_URL: &str = "https://api.yativo.com/api/v1";
/// The vendor's online sandbox.
pub const SANDBOX_URL: &str = "https://smtp.yativo.com/api/v1";
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

/// An account id and its app secret. `Debug` shows neither: the account id
/// identifies a person (Yativo makes it the base64 of the account's e-mail), so it
/// appears as its [fingerprint](Credentials::account_fingerprint).
#[derive(Clone)]
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

    /// What log records, `Debug` and errors show instead of the account id:
    /// `sha256:` and the first 8 hex digits of its plain SHA-256 (stable across
    /// processes, so you can compute it for your account and find its lines).
    ///
    /// ```
    /// use tokenbridge::yativo::Credentials;
    /// let c = Credentials::new("amFuZS5kb2VAZXhhbXBsZS5jb20=", "app-secret");
    /// assert_eq!(c.account_fingerprint(), "sha256:3e165ffd");
    /// assert!(!format!("{c:?}").contains("amFuZS5k"));
    /// ```
    pub fn account_fingerprint(&self) -> String {
        crate::secret::fingerprint(&self.account_id)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("account", &self.account_fingerprint())
            .field("app_secret", &self.app_secret)
            .finish()
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
    pub(super) raw: Value,
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
