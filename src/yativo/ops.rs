//! Yativo's calls (Y1, Y2, and any call through its envelope), each a method of
//! [`Client`].

use serde_json::Value;

use super::models::AccessToken;
use super::wire::open_envelope;
use super::{Client, Yativo};
use crate::client::Vendor;
use crate::error::Result;
use crate::http::Request;

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
    /// [`Error::Rejected`](crate::Error::Rejected) with Yativo's reason (`data.error`, or a 422's field
    /// messages joined, or `message`), [`Error::HttpStatus`](crate::Error::HttpStatus) for a 429 or 5xx
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
