//! The address, credentials and token lifetimes a sandbox starts with.

use std::net::SocketAddr;
use std::time::Duration;

/// The address, credentials and token lifetimes of a sandbox. `Default` gives the
/// values of the contract (`docs/sandbox-contract.md`).
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Where to listen; the default `127.0.0.1:0` picks a free port on loopback.
    pub listen: SocketAddr,
    /// uContact API user (U1).
    pub ucontact_user: String,
    /// Its password.
    pub ucontact_password: String,
    /// uContact agent (U2).
    pub ucontact_agent: String,
    /// Its password.
    pub ucontact_agent_password: String,
    /// Yativo account id.
    pub yativo_account: String,
    /// Yativo app secret.
    pub yativo_secret: String,
    /// AnnA company hash.
    pub anna_company_hash: String,
    /// AnnA API user.
    pub anna_user: String,
    /// Its password.
    pub anna_pass: String,
    /// How long a uContact session token lives (whole seconds, at least 1).
    pub ucontact_token_lifetime: Duration,
    /// How long a Yativo token lives; reported as `expires_in`.
    pub yativo_token_lifetime: Duration,
    /// How long an AnnA token lives; reported as `ExpiresIn` (seconds, as a string)
    /// and as the JWT's `exp`.
    pub anna_token_lifetime: Duration,
    /// uContact U1 answers `["OK", user, token]`, the array uContact's own API
    /// documentation shows (`true`, the default), or a bare JSON string (`false`).
    pub ucontact_token_as_array: bool,
    /// A connection that carries no byte in either direction for this long is closed,
    /// as real servers close idle keep-alive connections (default 30 s).
    pub idle_timeout: Duration,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ucontact_user: "apiuser".into(),
            ucontact_password: "s3cret&=+ é".into(),
            ucontact_agent: "agent1".into(),
            ucontact_agent_password: "agent-pass".into(),
            yativo_account: "acct-sandbox".into(),
            yativo_secret: "yativo-secret".into(),
            anna_company_hash: "COMPANYHASH".into(),
            anna_user: "annauser".into(),
            anna_pass: "anna-pass".into(),
            ucontact_token_lifetime: Duration::from_secs(3600),
            yativo_token_lifetime: Duration::from_secs(600),
            anna_token_lifetime: Duration::from_secs(3600),
            ucontact_token_as_array: true,
            idle_timeout: Duration::from_secs(30),
        }
    }
}

impl SandboxOptions {
    /// The same lifetime for the tokens of all three APIs.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.ucontact_token_lifetime = lifetime;
        self.yativo_token_lifetime = lifetime;
        self.anna_token_lifetime = lifetime;
        self
    }

    pub(crate) fn normalized(mut self) -> Self {
        let whole = |d: Duration| Duration::from_secs(d.as_secs().max(1));
        self.ucontact_token_lifetime = whole(self.ucontact_token_lifetime);
        self.yativo_token_lifetime = whole(self.yativo_token_lifetime);
        self.anna_token_lifetime = whole(self.anna_token_lifetime);
        self
    }
}
