//! uContact's calls (U1–U3), each a method of [`Client`].

use std::sync::Arc;

use super::models::AgentProfile;
use super::Client;
use crate::client::Fetched;
use crate::error::Result;
use crate::secret::Secret;

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

    /// Ends the session (when [`Config::end_session_on_close`](crate::Config::end_session_on_close) is on) and releases the
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
