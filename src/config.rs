//! [`Config`]: the settings every client shares (HTTP, TLS, retries, token refresh).
#![forbid(unsafe_code)]

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::secret::Secret;

/// Which certificate authorities a client trusts for `https://`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsRoots {
    /// Mozilla's root certificates, bundled in the library (the default): the same
    /// answer on every machine.
    #[default]
    Mozilla,
    /// The operating system's trust store (Windows, macOS, Linux), for networks whose
    /// inspecting proxy's CA is installed there.
    Os,
}

/// How a client finds its HTTP proxy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ProxySetting {
    /// From `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (and `NO_PROXY`), the default.
    #[default]
    FromEnvironment,
    /// No proxy, whatever the environment says.
    None,
    /// This HTTP proxy (CONNECT for HTTPS), e.g. `http://proxy.corp:3128` or
    /// `http://user:pass@proxy.corp:3128`. SOCKS proxies are not supported: a
    /// `socks5://` URL is an invalid-input error when the client is created.
    Url(String),
}

/// Retries of transient failures: connection refused or reset before an answer,
/// connect timeouts, and HTTP 408/429/502/503/504.
///
/// The delay before retry `n` (0-based) is a random value between half and all of
/// `min(cap, base * 2^n)`; a `Retry-After` header replaces it, up to `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a call is tried again after the first attempt (default 2).
    pub max_retries: u32,
    /// The first backoff delay (default 200 ms).
    pub base_delay: Duration,
    /// The longest delay, also the most a `Retry-After` is honoured (default 5 s).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }
}

/// Settings shared by the clients of all three APIs. Every setting has a sane
/// default; change what you need with the builder-style methods.
///
/// ```
/// use std::time::Duration;
/// use tokenbridge::{Config, TlsRoots};
/// let config = Config::default()
///     .timeout_connect(Duration::from_secs(5))
///     .tls_roots(TlsRoots::Os)
///     .max_response_bytes(256 * 1024);
/// assert_eq!(config.get_timeout_connect(), Duration::from_secs(5));
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) timeout_connect: Duration,
    pub(crate) timeout_send: Duration,
    pub(crate) timeout_receive: Duration,
    pub(crate) proxy: ProxySetting,
    pub(crate) user_agent: String,
    pub(crate) allow_http: bool,
    pub(crate) max_response_bytes: u64,
    pub(crate) tls_roots: TlsRoots,
    pub(crate) extra_ca_file: Option<PathBuf>,
    pub(crate) retry: RetryPolicy,
    pub(crate) refresh_ahead: Duration,
    pub(crate) end_session_on_close: bool,
    pub(crate) dns_cache_ttl: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) token_store: Option<Secret>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout_connect: Duration::from_secs(10),
            timeout_send: Duration::from_secs(30),
            timeout_receive: Duration::from_secs(30),
            proxy: ProxySetting::FromEnvironment,
            user_agent: format!("tokenbridge/{}", env!("CARGO_PKG_VERSION")),
            allow_http: false,
            max_response_bytes: 1024 * 1024,
            tls_roots: TlsRoots::Mozilla,
            extra_ca_file: None,
            retry: RetryPolicy::default(),
            refresh_ahead: Duration::from_secs(60),
            end_session_on_close: true,
            dns_cache_ttl: Duration::from_secs(60),
            clock: Arc::new(SystemClock),
            token_store: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("timeout_connect", &self.timeout_connect)
            .field("timeout_send", &self.timeout_send)
            .field("timeout_receive", &self.timeout_receive)
            .field("proxy", &self.proxy_for_debug())
            .field("user_agent", &self.user_agent)
            .field("allow_http", &self.allow_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("tls_roots", &self.tls_roots)
            .field("extra_ca_file", &self.extra_ca_file)
            .field("retry", &self.retry)
            .field("refresh_ahead", &self.refresh_ahead)
            .field("end_session_on_close", &self.end_session_on_close)
            .field("dns_cache_ttl", &self.dns_cache_ttl)
            .field(
                "token_store",
                &self.token_store.as_ref().map(crate::store::describe),
            )
            .finish_non_exhaustive()
    }
}

impl Config {
    fn proxy_for_debug(&self) -> String {
        match &self.proxy {
            // A proxy URL may carry a user and password: show only scheme and host.
            ProxySetting::Url(u) => match u.split_once("://") {
                Some((scheme, rest)) => {
                    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                    format!("Url({scheme}://{host})")
                }
                None => "Url(…)".to_owned(),
            },
            other => format!("{other:?}"),
        }
    }

    /// Time allowed to open the connection, including the TLS handshake (default 10 s).
    pub fn timeout_connect(mut self, t: Duration) -> Self {
        self.timeout_connect = t;
        self
    }
    /// Time allowed to send the request headers, and again the body (default 30 s).
    pub fn timeout_send(mut self, t: Duration) -> Self {
        self.timeout_send = t;
        self
    }
    /// Time allowed to receive the response headers, and again the body (default 30 s).
    pub fn timeout_receive(mut self, t: Duration) -> Self {
        self.timeout_receive = t;
        self
    }
    /// The proxy to use (default: from the environment).
    pub fn proxy(mut self, p: ProxySetting) -> Self {
        self.proxy = p;
        self
    }
    /// The `User-Agent` header (default `tokenbridge/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    /// Allow plain `http://` base URLs (default: refused, only `https://`). For tests and
    /// on-premise labs only: credentials then cross the network in clear text.
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }
    /// The largest response body accepted, in bytes (default 1 MiB).
    pub fn max_response_bytes(mut self, n: u64) -> Self {
        self.max_response_bytes = n;
        self
    }
    /// Which root certificates to trust (default: bundled Mozilla roots).
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.tls_roots = roots;
        self
    }
    /// A PEM file of extra CA certificates to trust besides the Mozilla roots. A
    /// missing or unparsable file makes building a client fail with a clear error.
    pub fn extra_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.extra_ca_file = Some(path.into());
        self
    }
    /// Retries of transient failures (default: 2 retries, 200 ms base, 5 s cap).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// How long before expiry a token is refreshed (default 60 s; tokens that live
    /// less than twice this are refreshed at half their life).
    pub fn refresh_ahead(mut self, t: Duration) -> Self {
        self.refresh_ahead = t;
        self
    }
    /// uContact only: end a live session when the client is closed or dropped
    /// (default on).
    pub fn end_session_on_close(mut self, on: bool) -> Self {
        self.end_session_on_close = on;
        self
    }
    /// How long a client keeps the addresses a host name resolved to (default 60 s,
    /// as libcurl; zero asks DNS before every request). A failed connection forgets
    /// them at once, so a server that moved is found on the next attempt.
    pub fn dns_cache_ttl(mut self, t: Duration) -> Self {
        self.dns_cache_ttl = t;
        self
    }
    /// A token store shared by the processes (and hosts) that use the same
    /// credentials, so that a fleet logs in once instead of once per process
    /// (default: none, each process keeps its own token in memory). The URL is
    /// `file:///var/lib/app/tokens` (a directory on this host). It is
    /// checked when a client is made: a bad URL is an invalid-input error naming
    /// `token_store`; the URL's credentials are secrets and never shown.
    ///
    /// The store is read only when a process has no token, when its token is due,
    /// and after a 401; one process renews for all (a lock in the store), the
    /// others keep their still-valid token or wait for the new one within the
    /// call's deadline. A store that fails is skipped (one WARN) and the process logs
    /// in on its own until it answers again. With a store, a renewal is a fresh
    /// login, not a Yativo refresh: a refresh revokes at once the token the rest of
    /// the fleet is using. uContact: closing or dropping a client leaves the
    /// fleet's session open; [`end_session`](crate::ucontact::Client::end_session)
    /// ends it for every process and removes it from the store.
    pub fn token_store(mut self, url: impl Into<Secret>) -> Self {
        let url = url.into();
        self.token_store = (!url.expose().trim().is_empty()).then_some(url);
        self
    }
    /// The clock used for token expiry; tests inject a [`crate::ManualClock`].
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The connect timeout.
    pub fn get_timeout_connect(&self) -> Duration {
        self.timeout_connect
    }
    /// The send timeout.
    pub fn get_timeout_send(&self) -> Duration {
        self.timeout_send
    }
    /// The receive timeout.
    pub fn get_timeout_receive(&self) -> Duration {
        self.timeout_receive
    }
    /// The retry policy.
    pub fn get_retry(&self) -> RetryPolicy {
        self.retry
    }
    /// The refresh-ahead margin.
    pub fn get_refresh_ahead(&self) -> Duration {
        self.refresh_ahead
    }
    /// Whether plain http is allowed.
    pub fn get_allow_http(&self) -> bool {
        self.allow_http
    }
    /// The response size limit.
    pub fn get_max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }
    /// How long resolved addresses are kept.
    pub fn get_dns_cache_ttl(&self) -> Duration {
        self.dns_cache_ttl
    }
}
