//! The one authenticated client the three vendors share: the token cache, `new`,
//! `base_url`, `token`, `set_token`, the generic call, the 401 re-login and the retry
//! rules. A vendor module adds only what is its own (a [`Vendor`]): how to log in and
//! refresh, how its answers and errors read, and its typed operations.
#![forbid(unsafe_code)]

pub(crate) mod token_cache;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{
    check_value, Auth, Body, CallLimits, CallOptions, Http, Method, Request, Response,
};
use crate::secret::Secret;

pub(crate) use token_cache::{Entry, Fetched, TokenCache};

pub(crate) mod vendor {
    use super::*;

    /// What makes one API different from the others. Implemented by the marker types
    /// [`UContact`](crate::ucontact::UContact), [`Yativo`](crate::yativo::Yativo) and
    /// [`Anna`](crate::anna::Anna); sealed (it cannot be named outside the crate).
    #[allow(private_interfaces)]
    pub trait Vendor: fmt::Debug + Send + Sync + Sized + 'static {
        /// The token the cache keeps.
        type Token: Clone + Send + Sync + 'static;
        /// What the client is made from.
        type Credentials;
        /// The operation name of a generic call, e.g. `Yativo call`.
        const CALL: &'static str;
        /// The operation name of getting a token in general (login or refresh),
        /// e.g. `Yativo login`: errors of a wait for another thread's login use it.
        const LOGIN: &'static str;

        /// The vendor's state, from the credentials and the settings.
        fn new(credentials: Self::Credentials, config: &Config) -> Result<Self>;
        /// The base URL for what the caller gave (uContact takes a cloud domain too).
        fn base_url(server: &str) -> Result<String> {
            Ok(server.to_owned())
        }
        /// The credentials, scrubbed from every error of every call.
        fn secrets(&self) -> Vec<&Secret>;
        /// The vendor's reason in an error answer's body.
        fn reason(body: &str) -> Option<String>;
        /// Logs in, or refreshes `previous` while it is still valid.
        fn fetch(
            &self,
            http: &Http,
            previous: Option<&Self::Token>,
            limits: &CallLimits,
            now: SystemTime,
        ) -> Result<Fetched<Self::Token>>;
        /// The `Authorization` a token is sent with.
        fn auth(token: &Self::Token) -> Auth<'_>;
        /// When a token expires, when known.
        fn expiry(token: &Self::Token) -> Option<SystemTime>;
        /// A token obtained elsewhere, as the cache keeps it.
        fn adopt(
            token: Secret,
            expires_at: Option<SystemTime>,
            now: SystemTime,
        ) -> Fetched<Self::Token>;
        /// Adjusts a generic request before it is sent (Yativo adds its
        /// Idempotency-Key to POSTs).
        fn prepare(&self, _request: &mut Request) {}
        /// Runs when the last clone of a client goes (uContact ends its session).
        fn on_drop(_client: &Shared<Self>) {}
    }
}

pub(crate) use vendor::Vendor;

/// What the clones of one client share.
pub(crate) struct Shared<V: Vendor> {
    pub http: Http,
    pub cache: TokenCache<V::Token>,
    pub vendor: V,
}

impl<V: Vendor> Drop for Shared<V> {
    fn drop(&mut self) {
        V::on_drop(self);
    }
}

impl<V: Vendor> Shared<V> {
    /// A valid token: the cached one, or one from a login or refresh.
    pub fn token(&self, limits: &CallLimits) -> Result<Arc<Entry<V::Token>>> {
        self.cache
            .get_within(limits, |prev| self.fetch(prev.map(|p| &p.value), limits))
    }

    fn fetch(&self, previous: Option<&V::Token>, limits: &CallLimits) -> Result<Fetched<V::Token>> {
        self.vendor
            .fetch(&self.http, previous, limits, self.cache.now())
    }

    /// Runs `call` with a valid token; after a 401, logs in again and runs it once
    /// more.
    pub fn authorized<R>(
        &self,
        limits: &CallLimits,
        call: impl Fn(&V::Token) -> Result<R>,
    ) -> Result<R> {
        self.cache.authorized_within(
            limits,
            |prev| self.fetch(prev.map(|p| &p.value), limits),
            call,
        )
    }

    /// A fresh login (or refresh), put in the cache.
    pub fn renew(&self, previous: Option<&V::Token>, limits: &CallLimits) -> Result<V::Token> {
        let fetched = self.fetch(previous, limits)?;
        Ok(self.cache.store(fetched).value.clone())
    }
}

/// A client of one API: one connection pool, one set of credentials, one cached
/// token — logged in on first use, refreshed ahead of expiry, renewed once after a
/// 401. Cheap to clone; clones share the pool and the token. `Send + Sync`: build
/// one and share it across threads.
///
/// Use it through its vendor's name: [`ucontact::Client`](crate::ucontact::Client),
/// [`yativo::Client`](crate::yativo::Client), [`anna::Client`](crate::anna::Client).
/// The methods here are the same for all three; each vendor adds its operations.
///
/// In a process forked from the one that made the client, the first call finds the
/// new process id, drops the connections and token inherited from the parent
/// (without ending the parent's session) and starts over.
pub struct Client<V: Vendor> {
    pub(crate) inner: Arc<Shared<V>>,
    pub(crate) options: CallOptions,
}

impl<V: Vendor> Clone for Client<V> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
            options: self.options.clone(),
        }
    }
}

impl<V: Vendor> fmt::Debug for Client<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.http.base())
            .field("vendor", &self.inner.vendor)
            .finish_non_exhaustive()
    }
}

impl<V: Vendor> Client<V> {
    /// A client for a server and credentials. Nothing is sent until the first call.
    /// The base URL, the user agent and the TLS settings are checked here.
    pub fn new(server: &str, credentials: V::Credentials, config: &Config) -> Result<Self> {
        let vendor = V::new(credentials, config)?;
        let http = Http::new(&V::base_url(server)?, config)?
            .with_secrets(&vendor.secrets())
            .with_reason(V::reason);
        let cache = TokenCache::new(
            config.clock.clone(),
            config.refresh_ahead,
            V::LOGIN,
            http.base().to_owned(),
        );
        Ok(Client {
            inner: Arc::new(Shared {
                http,
                cache,
                vendor,
            }),
            options: CallOptions::default(),
        })
    }

    /// The base URL calls go to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        self.inner.http.base()
    }

    /// A handle to the same client (same pool, same token) whose calls run with
    /// these options: a deadline for the whole call, a cancellation token.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use tokenbridge::{yativo, CallOptions, CancelToken, Config, Method, Request};
    /// # let client = yativo::Client::new(yativo::SANDBOX_URL,
    /// #     yativo::Credentials::new("a", "s"), &Config::default())?;
    /// let cancel = CancelToken::new();
    /// let limited = client.with_options(
    ///     CallOptions::new().deadline(Duration::from_secs(2)).cancel_token(cancel.clone()),
    /// );
    /// // another thread may call cancel.cancel()
    /// let balance = limited.send(&Request::new(Method::Get, "wallet/balance"))?;
    /// # Ok::<(), tokenbridge::Error>(())
    /// ```
    pub fn with_options(&self, options: CallOptions) -> Self {
        Client {
            inner: self.inner.clone(),
            options,
        }
    }

    /// The limits of a call starting now.
    pub(crate) fn limits(&self) -> CallLimits {
        self.options.start()
    }

    /// A valid token: the cached one, refreshed ahead of expiry, or a new login.
    pub fn token(&self) -> Result<V::Token> {
        Ok(self.inner.token(&self.limits())?.value.clone())
    }

    /// Uses a token obtained elsewhere for the following calls. Its expiry is
    /// `expires_at` when given, else the JWT's own `exp` when it is one, else the
    /// vendor's usual lifetime (uContact: until the server refuses it). An empty
    /// token, one with a control character or one longer than
    /// [`MAX_HEADER_VALUE_BYTES`](crate::MAX_HEADER_VALUE_BYTES) is refused here.
    pub fn set_token(
        &self,
        token: impl Into<Secret>,
        expires_at: Option<SystemTime>,
    ) -> Result<()> {
        let token = token.into();
        if token.is_empty() {
            return Err(Error::invalid_input("token", "must not be empty"));
        }
        check_value("token", token.expose())?;
        let now = self.inner.cache.now();
        self.inner.cache.store(V::adopt(token, expires_at, now));
        Ok(())
    }

    /// Sends a request to any resource of the API with the client's token, logging
    /// in as needed and once more after a 401, and returns the answer as it came
    /// (status, headers, body) whatever its status.
    ///
    /// Retries: a transient failure (connect, reset, timeout; HTTP 408, 429, 502,
    /// 503, 504) is retried with backoff when repeating is safe: for GET, HEAD,
    /// OPTIONS, PUT and DELETE, and for a POST or PATCH that carries an idempotency
    /// key ([`Request::idempotency_key`]; Yativo POSTs always do). A POST or PATCH
    /// without one is retried only when it certainly never reached the server
    /// (DNS, a refused or timed-out connect); otherwise its answer (or error, which
    /// says so) comes back after the first attempt.
    pub fn send(&self, request: &Request) -> Result<Response> {
        let mut request = request.clone();
        self.inner.vendor.prepare(&mut request);
        let limits = self.limits();
        if request.sends_own_authorization() {
            // The caller's credential replaces the client's: no login for it, and a
            // 401 is the caller's to handle.
            let out = request.outgoing(V::CALL, Auth::None)?;
            return self.inner.http.send_raw(&out, &limits);
        }
        // Checked before anything is sent, a login included (the body is written
        // out once, for the attempt).
        request.check()?;
        self.inner.authorized(&limits, |token| {
            let out = request.outgoing(V::CALL, V::auth(token))?;
            self.inner.http.send_raw(&out, &limits)
        })
    }

    /// Shorthand for `send(&Request::new(method, path).body(body))`.
    pub fn call(&self, method: Method, path: &str, body: Body) -> Result<Response> {
        self.send(&Request::new(method, path).body(body))
    }
}
