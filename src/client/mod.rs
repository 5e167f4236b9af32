//! The one authenticated client the three vendors share: the token cache, `new`,
//! `base_url`, `token`, `set_token`, the generic call, the 401 re-login and the retry
//! rules. A vendor module adds only what is its own (a [`Vendor`]): how to log in and
//! refresh, how its answers and errors read, and its typed operations.
#![forbid(unsafe_code)]

pub(crate) mod token_cache;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::http::{
    check_value, Auth, Body, CallLimits, CallOptions, Http, Method, Request, Response, TextAnswer,
};
use crate::secret::Secret;
use crate::store::{self, Store, Stored};

pub(crate) use token_cache::{Entry, Fetched, Obtained, TokenCache};

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
        /// Who logs in (user, account, kind of login): with the base URL and the
        /// secrets, what names a token store's slot (hashed, never stored).
        fn user(&self) -> String;
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
        /// The refusal a generic call's 2xx answer stands for, as the vendor writes
        /// them (uContact `0` / `Error…`, Yativo's `failed` envelope, AnnA's
        /// `success: false`); `None` when the answer does not say no.
        fn refusal(_reply: &TextAnswer<'_>) -> Option<Error> {
            None
        }
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
    /// The token store shared with other processes, when configured.
    pub store: Option<Store>,
}

impl<V: Vendor> Drop for Shared<V> {
    fn drop(&mut self) {
        // With a shared store, the session belongs to the fleet: a process that
        // goes does not end it (`end_session` does, for everyone).
        if self.store.is_none() {
            V::on_drop(self);
        }
    }
}

/// The token text of a vendor's token (what its `Authorization` carries).
fn token_text<V: Vendor>(token: &V::Token) -> &str {
    V::auth(token).parts().map_or("", |(_, t)| t.expose())
}

/// How often a process whose token is still valid looks at the store again while
/// another process renews it, and how often one without a token looks while it
/// waits.
const STORE_POLL: Duration = Duration::from_millis(100);

impl<V: Vendor> Shared<V> {
    /// A valid token: the cached one, or one from a login or refresh.
    pub fn token(&self, limits: &CallLimits) -> Result<Arc<Entry<V::Token>>> {
        match &self.store {
            None => self
                .cache
                .get_within(limits, |prev| self.fetch(prev.map(|p| &p.value), limits)),
            Some(store) => self
                .cache
                .get_with(limits, |prev| self.obtain(store, prev, limits)),
        }
    }

    /// The time a store operation may take in this call.
    fn op_timeout(limits: &CallLimits) -> Duration {
        limits
            .remaining()
            .map_or(store::OP_TIMEOUT, |r| r.min(store::OP_TIMEOUT))
            .max(Duration::from_millis(1))
    }

    /// Whether a stored token is due for renewal here (with an allowance for the
    /// clocks of other hosts: a tenth of its life, at most 2 s).
    fn stored_due(&self, s: &Stored) -> bool {
        let Some(expires) = s.expires else {
            return false;
        };
        let life = expires.duration_since(s.obtained).unwrap_or_default();
        let skew = (life / 10).min(Duration::from_secs(2));
        let margin = self.cache.refresh_ahead().min(life / 2) + skew;
        self.cache.now() + margin >= expires
    }

    /// A token from the store, as the cache keeps it.
    fn adopt(&self, s: Stored) -> Obtained<V::Token> {
        let now = self.cache.now();
        Obtained {
            fetched: V::adopt(s.token, s.expires, now),
            obtained: Some(s.obtained.min(now)),
            recheck_at: None,
        }
    }

    /// A fresh login (never a refresh: with a shared store, the previous token may
    /// be the fleet's, and a Yativo refresh revokes it at once), put in the store.
    fn login_for_fleet(&self, store: &Store, limits: &CallLimits) -> Result<Obtained<V::Token>> {
        let fetched = self.fetch(None, limits)?;
        let obtained = self.cache.now();
        store.save(
            &Stored {
                token: Secret::new(token_text::<V>(&fetched.value)),
                expires: fetched.expires,
                obtained,
            },
            Self::op_timeout(limits),
        );
        Ok(Obtained {
            fetched,
            obtained: Some(obtained),
            recheck_at: None,
        })
    }

    /// Gets a token through the store: a newer one another process holds, else a
    /// login by the one process that takes the lock; the others keep their
    /// still-valid token or wait (within the call's limits) for the new one. A
    /// store fault makes this process log in on its own.
    fn obtain(
        &self,
        store: &Store,
        prev: Option<&Entry<V::Token>>,
        limits: &CallLimits,
    ) -> Result<Obtained<V::Token>> {
        let prev_text = prev.map(|p| token_text::<V>(&p.value));
        let usable = |s: &Stored| Some(s.token.expose()) != prev_text && !self.stored_due(s);
        match store.load(Self::op_timeout(limits)) {
            Ok(Some(s)) if usable(&s) => return Ok(self.adopt(s)),
            Ok(_) => {}
            Err(()) => return self.login_for_fleet(store, limits),
        }
        let wait_until = Instant::now() + store::LOCK_TTL;
        loop {
            match store.try_lock(Self::op_timeout(limits)) {
                Err(()) => return self.login_for_fleet(store, limits),
                Ok(Some(held)) => {
                    // Someone may have renewed between the read and the lock.
                    if let Ok(Some(s)) = store.load(Self::op_timeout(limits)) {
                        if usable(&s) {
                            return Ok(self.adopt(s));
                        }
                    }
                    let got = self.login_for_fleet(store, limits);
                    drop(held);
                    return got;
                }
                Ok(None) => {}
            }
            // Another process renews. A still-valid token serves meanwhile.
            let now = self.cache.now();
            if let Some(p) = prev.filter(|p| p.expires.is_none_or(|e| now < e)) {
                return Ok(Obtained {
                    fetched: Fetched {
                        value: p.value.clone(),
                        expires: p.expires,
                    },
                    obtained: Some(p.obtained),
                    recheck_at: Some(now + STORE_POLL),
                });
            }
            if limits.cancelled() {
                return Err(Error::Cancelled {
                    operation: V::LOGIN,
                });
            }
            let remaining = limits.remaining();
            if remaining == Some(Duration::ZERO) {
                return Err(Error::Transport {
                    operation: V::LOGIN,
                    kind: crate::error::TransportKind::Timeout,
                    url: self.http.base().to_owned(),
                    detail: format!(
                        "{} passed while waiting for another process's login",
                        crate::http::the_deadline(limits.budget)
                    ),
                });
            }
            if Instant::now() >= wait_until {
                // The holder takes longer than a lock lives: log in alone.
                return self.login_for_fleet(store, limits);
            }
            std::thread::sleep(remaining.map_or(STORE_POLL, |r| r.min(STORE_POLL)));
            if let Ok(Some(s)) = store.load(Self::op_timeout(limits)) {
                if usable(&s) {
                    return Ok(self.adopt(s));
                }
            }
        }
    }

    /// The session to end: this process's, else the fleet's from the store.
    pub fn take_session(&self, limits: &CallLimits) -> Option<Arc<Entry<V::Token>>> {
        if let Some(e) = self.cache.take() {
            return Some(e);
        }
        let s = self.store.as_ref()?.load(Self::op_timeout(limits)).ok()??;
        let now = self.cache.now();
        self.cache.store(V::adopt(s.token, s.expires, now));
        self.cache.take()
    }

    /// Removes an ended session's token from the store, if it is there.
    pub fn forget_shared(&self, token: &V::Token, limits: &CallLimits) {
        if let Some(store) = &self.store {
            store.remove(Some(token_text::<V>(token)), Self::op_timeout(limits));
        }
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
        if let Some(store) = &self.store {
            // After a 401, first see whether another process holds a newer token
            // (the refused one is never taken from the store again).
            let entry = self.token(limits)?;
            return match call(&entry.value) {
                Err(Error::Unauthorized { .. }) => {
                    log::info!(target: "tokenbridge", "the token was refused (HTTP 401): looking in the token store, else logging in again, then one more try");
                    let refused = token_text::<V>(&entry.value);
                    store.refused(refused);
                    self.cache.invalidate_if(|t| token_text::<V>(t) == refused);
                    let entry = self.token(limits)?;
                    let second = call(&entry.value);
                    if matches!(second, Err(Error::Unauthorized { .. })) {
                        let refused = token_text::<V>(&entry.value);
                        store.refused(refused);
                        self.cache.invalidate_if(|t| token_text::<V>(t) == refused);
                    }
                    second
                }
                other => other,
            };
        }
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
        let store = match &config.token_store {
            None => None,
            Some(url) => {
                let secrets: Vec<&str> = vendor.secrets().iter().map(|s| s.expose()).collect();
                let keys = store::Keys::derive(V::LOGIN, http.base(), &vendor.user(), &secrets);
                Some(Store::open(url, keys, config.extra_ca_file.as_deref())?)
            }
        };
        Ok(Client {
            inner: Arc::new(Shared {
                http,
                cache,
                vendor,
                store,
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

    /// The error a generic call's answer stands for, read as the typed operations
    /// read theirs: for a status that is not 2xx, [`Error::HttpStatus`] (or
    /// [`Error::Unauthorized`]) with the vendor's reason from the body; for a 2xx
    /// answer that says no in the vendor's way (uContact `0` or `Error…`, Yativo's
    /// `failed` envelope, AnnA's `success: false`), [`Error::Rejected`] with its
    /// message. Texts are scrubbed of the client's credentials and token. `None`
    /// when the answer is not an error.
    pub fn answer_error(&self, response: &Response) -> Option<Error> {
        let token = self.inner.cache.peek();
        let carried: Vec<&str> = token.iter().map(|t| token_text::<V>(&t.value)).collect();
        match self.inner.http.reply_to(response, &carried) {
            Ok(reply) if reply.is_success() => V::refusal(&reply),
            Ok(reply) => Some(reply.status_error(V::CALL)),
            Err(_) if response.is_success() => None,
            Err(e) => Some(e),
        }
    }

    /// Forgets the token: this client's, and the one the token store holds for these
    /// credentials (the next call of any process using the store logs in). Sends
    /// nothing; a uContact session stays open (see
    /// [`end_session`](crate::ucontact::Client::end_session)).
    pub fn forget_token(&self) {
        self.inner.cache.take();
        if let Some(store) = &self.inner.store {
            store.remove(None, Shared::<V>::op_timeout(&self.limits()));
        }
    }

    /// Shorthand for `send(&Request::new(method, path).body(body))`.
    pub fn call(&self, method: Method, path: &str, body: Body) -> Result<Response> {
        self.send(&Request::new(method, path).body(body))
    }
}
