//! uContact is served under `/ucontact`, Yativo under `/yativo/api/v1`, AnnA under
//! `/anna/`, the control endpoint under `/__sandbox/`. Behind the `sandbox` feature;
//! the `tokenbridge-sandbox` executable runs it as a process. The wire contract
//! (paths, credentials, answers, the control endpoint) is `docs/sandbox-contract.md`.
//!
//! ```no_run
//! use tokenbridge::sandbox::{client_config, Sandbox};
//! use tokenbridge::yativo;
//!
//! let sb = Sandbox::start();
//! let client = yativo::Client::new(&sb.yativo_url(), sb.yativo_credentials(), &client_config())?;
//! client.login()?;
//! assert_eq!(sb.count("yativo.login"), 1);
//! # Ok::<(), tokenbridge::Error>(())
//! ```
//!
//! What it does, like the real servers: logins issue tokens that expire on the real
//! clock, a 401 says why a token is refused (unknown, expired, ended, replaced), a
//! malformed request gets a 4xx naming what is wrong, and each API answers in its own
//! shape (uContact's HTTP 200 `0`, Yativo's envelope with the reason in `data`, AnnA's
//! `success: false`). Yativo's POSTs to authenticated routes need an
//! `Idempotency-Key` and a repeated key replays the first answer; its payouts count
//! executions apart from requests. [`Fault`](crate::sandbox::Fault)s make it slow, fail, lose an answer
//! after acting, drop the connection or expire tokens, on the next matching requests.
//!
//! How it runs: a listener on [`SandboxOptions::listen`](crate::sandbox::SandboxOptions::listen) accepts each client
//! connection and relays its bytes to a [`tiny_http`] server on 127.0.0.1 (so that
//! the sandbox owns every client socket: it can close one on purpose — the `reset`
//! fault —, closes one that stayed idle for [`SandboxOptions::idle_timeout`](crate::sandbox::SandboxOptions::idle_timeout), and
//! closes them all when it stops). tiny_http parses HTTP/1.1: connections
//! are kept alive (`Connection: close` only when the client asks), chunked request
//! bodies are accepted. Four worker threads answer the requests; a handler that
//! panics is answered with a 500, never stopping the server. Dropping the [`Sandbox`](crate::sandbox::Sandbox) (or [`Stopper::stop`](crate::sandbox::Stopper::stop)) closes the listener and
//! every connection, and the drop joins its threads (within about a second).
#![forbid(unsafe_code)]

mod anna;
mod control;
mod server;
mod tokens;
mod ucontact;
mod webhooks;
mod wire;
mod yativo;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Value};

pub use control::Fault;
pub use server::Stopper;
pub use webhooks::{Tamper, Webhook};

use tokens::{Rng, TokenBook};
use wire::Incoming;

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

    fn normalized(mut self) -> Self {
        let whole = |d: Duration| Duration::from_secs(d.as_secs().max(1));
        self.ucontact_token_lifetime = whole(self.ucontact_token_lifetime);
        self.yativo_token_lifetime = whole(self.yativo_token_lifetime);
        self.anna_token_lifetime = whole(self.anna_token_lifetime);
        self
    }
}

/// The settings a client needs for the sandbox: plain http allowed, no proxy, no
/// retries (so that a test sees each answer as it came).
pub fn client_config() -> crate::Config {
    crate::Config::default()
        .allow_http(true)
        .proxy(crate::ProxySetting::None)
        .retry(crate::RetryPolicy::none())
}

/// A running sandbox. `Send + Sync`: share it between test threads by reference.
/// Dropping it stops it: the listener and every client connection are closed and
/// its threads joined.
pub struct Sandbox {
    url: String,
    shared: Arc<Shared>,
    server: server::Server,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("url", &self.url).finish()
    }
}

impl Sandbox {
    /// A sandbox with the contract's defaults, on a free port of 127.0.0.1. Panics
    /// if it cannot start (for tests; see [`Sandbox::try_start_with`]).
    pub fn start() -> Sandbox {
        Sandbox::start_with(SandboxOptions::default())
    }

    /// A sandbox with these options. Panics if it cannot start.
    pub fn start_with(options: SandboxOptions) -> Sandbox {
        match Sandbox::try_start_with(options) {
            Ok(sb) => sb,
            Err(e) => panic!("{e}"),
        }
    }

    /// A sandbox with these options, or why it could not start (the message names
    /// the address, e.g. when the port is taken).
    pub fn try_start_with(options: SandboxOptions) -> Result<Sandbox, String> {
        let options = options.normalized();
        let listener = std::net::TcpListener::bind(options.listen)
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
        let url = format!("http://{}", reachable(bound));
        let idle = options.idle_timeout.max(Duration::from_millis(100));
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(options, url.clone())),
            faults: Mutex::new(VecDeque::new()),
        });
        let server = server::Server::start(listener, bound, shared.clone(), idle)?;
        Ok(Sandbox {
            url,
            shared,
            server,
        })
    }

    /// `http://HOST:PORT`, no trailing slash (an unspecified listen address such as
    /// `0.0.0.0` shows as loopback).
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.server.port()
    }
    /// The base URL for a uContact client.
    pub fn ucontact_url(&self) -> String {
        format!("{}{UCONTACT_PREFIX}", self.url)
    }
    /// The base URL for a Yativo client.
    pub fn yativo_url(&self) -> String {
        format!("{}{YATIVO_PREFIX}", self.url)
    }
    /// The base URL for an AnnA client.
    pub fn anna_url(&self) -> String {
        format!("{}{ANNA_PREFIX}/", self.url)
    }

    /// The options it runs with (lifetimes in whole seconds).
    pub fn options(&self) -> SandboxOptions {
        self.shared.lock_state().options.clone()
    }

    /// The counts since the start or the last [`reset`](Sandbox::reset): requests
    /// per operation (every key of the contract, 0 when unused), `requests` (all API
    /// requests), `connections` (client connections that carried one),
    /// `yativo.payouts_executed` (payouts carried out, replays not included).
    pub fn stats(&self) -> BTreeMap<String, u64> {
        self.shared.lock_state().stats_map()
    }

    /// One count of [`Sandbox::stats`] (0 for an unknown key).
    pub fn count(&self, key: &str) -> u64 {
        self.shared
            .lock_state()
            .stats
            .get(key)
            .copied()
            .unwrap_or(0)
    }

    /// Back to the state it started in: forgets tokens, sessions, idempotency keys,
    /// payouts, changes to the AnnA users, faults and counts. Open connections stay
    /// open (and count again when next used).
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Adds a fault; it acts on the next matching requests (see [`Fault`]). Panics
    /// when the fault is not valid ([`Fault::check`]).
    pub fn set_fault(&self, fault: Fault) {
        if let Err(e) = fault.check() {
            panic!("invalid sandbox fault: {e}");
        }
        control::lock(&self.shared.faults).push_back(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        control::lock(&self.shared.faults).clear();
    }

    /// Subscribes a webhook: each payout carried out from now on is POSTed to its
    /// URL, signed as it says (see [`Webhook`]). Panics when the subscription is not
    /// valid ([`Webhook::check`]). [`reset`](Sandbox::reset) removes it.
    pub fn add_webhook(&self, webhook: Webhook) {
        if let Err(e) = webhook.check() {
            panic!("invalid sandbox webhook: {e}");
        }
        self.shared.lock_state().hooks.add(webhook);
    }

    /// Removes every webhook subscription (deliveries under way finish).
    pub fn clear_webhooks(&self) {
        self.shared.lock_state().hooks.clear();
    }

    /// What became of the webhook deliveries since the start or the last reset
    /// (the last 100), oldest first: each a JSON object with `event_id`, `url`,
    /// `header`, `tamper`, `elapsed_ms`, and the receiver's HTTP `status` or the
    /// `error` that stopped the delivery.
    pub fn webhook_deliveries(&self) -> Vec<Value> {
        self.shared.lock_state().hooks.deliveries()
    }

    /// Blocks until the sandbox is stopped by a [`Stopper`] (from another thread or
    /// a signal handler). The sandbox serves meanwhile.
    pub fn wait(&self) {
        self.server.stopper().wait();
    }

    /// A handle that stops the sandbox from anywhere (e.g. a Ctrl-C handler).
    pub fn stopper(&self) -> Stopper {
        self.server.stopper()
    }

    /// The API user's credentials.
    pub fn ucontact_credentials(&self) -> crate::ucontact::Credentials {
        let o = self.options();
        crate::ucontact::Credentials::api_user(o.ucontact_user, o.ucontact_password)
    }
    /// The agent's credentials.
    pub fn agent_credentials(&self) -> crate::ucontact::Credentials {
        let o = self.options();
        crate::ucontact::Credentials::agent(o.ucontact_agent, o.ucontact_agent_password)
    }
    /// The Yativo credentials.
    pub fn yativo_credentials(&self) -> crate::yativo::Credentials {
        let o = self.options();
        crate::yativo::Credentials::new(o.yativo_account, o.yativo_secret)
    }
    /// The AnnA credentials.
    pub fn anna_credentials(&self) -> crate::anna::Credentials {
        let o = self.options();
        crate::anna::Credentials::new(o.anna_company_hash, o.anna_user, o.anna_pass)
    }
}

/// The address clients use to reach a listener bound to `addr`.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}

/// The operations, each with its method, path and statistics key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    UcGetUserToken,
    UcAgentLogin,
    UcEndSession,
    UcCall,
    YaLogin,
    YaRefresh,
    YaCall,
    YaPayout,
    YaGetPayout,
    AnGetToken,
    AnUserHash,
    AnUserHashForced,
    AnInactivate,
    AnStructure,
    AnAlertCounter,
    AnRequests,
    AnLink,
    AnCall,
    /// The chat, embedded and messenger pages the AnnA links point to.
    AnPage,
}

const UCONTACT_PREFIX: &str = "/ucontact";
const YATIVO_PREFIX: &str = "/yativo/api/v1";
const ANNA_PREFIX: &str = "/anna";
const ANNA_PAGES: [&str; 3] = ["/anna/chat/", "/anna/embedded/", "/anna/messenger/"];
const YATIVO_PAYOUT: &str = "/yativo/api/v1/payouts/";

/// Counts that are not an operation's.
const EXTRA_STATS: [&str; 3] = ["connections", "requests", "yativo.payouts_executed"];

impl Op {
    const ALL: [Op; 19] = [
        Op::UcGetUserToken,
        Op::UcAgentLogin,
        Op::UcEndSession,
        Op::UcCall,
        Op::YaLogin,
        Op::YaRefresh,
        Op::YaCall,
        Op::YaPayout,
        Op::YaGetPayout,
        Op::AnGetToken,
        Op::AnUserHash,
        Op::AnUserHashForced,
        Op::AnInactivate,
        Op::AnStructure,
        Op::AnAlertCounter,
        Op::AnRequests,
        Op::AnLink,
        Op::AnCall,
        Op::AnPage,
    ];

    /// The path below the API's prefix (for [`Op::AnPage`] and [`Op::YaGetPayout`],
    /// a prefix: see [`Op::at_path`]).
    fn path(self) -> (&'static str, &'static str) {
        match self {
            Op::UcGetUserToken => (UCONTACT_PREFIX, "/Integra/resources/auth/getUserToken"),
            Op::UcAgentLogin => (UCONTACT_PREFIX, "/Integra/resources/auth/AgentLogin"),
            Op::UcEndSession => (UCONTACT_PREFIX, "/Integra/resources/auth/EndSession"),
            Op::UcCall => (UCONTACT_PREFIX, "/Integra/resources/Dialers/DialerTask"),
            Op::YaLogin => (YATIVO_PREFIX, "/auth/login"),
            Op::YaRefresh => (YATIVO_PREFIX, "/auth/refresh-token"),
            Op::YaCall => (YATIVO_PREFIX, "/wallet/balance"),
            Op::YaPayout => (YATIVO_PREFIX, "/payouts"),
            Op::YaGetPayout => (YATIVO_PREFIX, "/payouts/"),
            Op::AnGetToken => (ANNA_PREFIX, "/REST/Credentials/GetToken"),
            Op::AnUserHash => (ANNA_PREFIX, "/REST/AnnACorporate/User/UserHash"),
            Op::AnUserHashForced => (ANNA_PREFIX, "/REST/AnnACorporate/User/UserHashForced"),
            Op::AnInactivate => (ANNA_PREFIX, "/REST/AnnACorporate/User/Inactivate"),
            Op::AnStructure => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/Structure"),
            Op::AnAlertCounter => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/AlertCounter"),
            Op::AnRequests => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/Requests"),
            Op::AnLink => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/Link"),
            Op::AnCall => (ANNA_PREFIX, "/REST/AnnACorporate/Ping"),
            Op::AnPage => (ANNA_PREFIX, "/chat/"),
        }
    }

    fn method(self) -> &'static str {
        match self {
            Op::YaRefresh | Op::YaCall | Op::YaGetPayout | Op::AnPage => "GET",
            _ => "POST",
        }
    }

    /// The key in the statistics, if the operation is counted.
    fn stats_key(self) -> Option<&'static str> {
        Some(match self {
            Op::UcGetUserToken => "ucontact.getUserToken",
            Op::UcAgentLogin => "ucontact.AgentLogin",
            Op::UcEndSession => "ucontact.EndSession",
            Op::UcCall => "ucontact.call",
            Op::YaLogin => "yativo.login",
            Op::YaRefresh => "yativo.refresh",
            Op::YaCall => "yativo.call",
            Op::YaPayout => "yativo.payout",
            Op::YaGetPayout => "yativo.getPayout",
            Op::AnGetToken => "anna.GetToken",
            Op::AnUserHash => "anna.UserHash",
            Op::AnUserHashForced => "anna.UserHashForced",
            Op::AnInactivate => "anna.Inactivate",
            Op::AnStructure => "anna.Structure",
            Op::AnAlertCounter => "anna.AlertCounter",
            Op::AnRequests => "anna.Requests",
            Op::AnLink => "anna.Link",
            Op::AnCall => "anna.call",
            Op::AnPage => return None,
        })
    }

    /// The operation at this path, whatever the method.
    fn at_path(path: &str) -> Option<Op> {
        let below = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        };
        if ANNA_PAGES
            .iter()
            .any(|p| path.starts_with(p) && path.len() > p.len())
        {
            return Some(Op::AnPage);
        }
        if below(YATIVO_PAYOUT) {
            return Some(Op::YaGetPayout);
        }
        Op::ALL.into_iter().find(|op| {
            let (prefix, rest) = op.path();
            !matches!(op, Op::AnPage | Op::YaGetPayout)
                && path.len() == prefix.len() + rest.len()
                && path.starts_with(prefix)
                && path.ends_with(rest)
        })
    }

    /// The operation a request goes to: the one at its path, if the method is right.
    fn route(method: &str, path: &str) -> Option<Op> {
        Op::at_path(path).filter(|op| op.method() == method)
    }
}

/// One answer of the sandbox.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    /// Headers beyond `Content-Type`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

const JSON: &str = "application/json; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

impl Reply {
    fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            content_type,
            body,
            headers: Vec::new(),
        }
    }
    pub(crate) fn json(status: u16, value: &Value) -> Reply {
        Reply::new(status, JSON, value.to_string().into_bytes())
    }
    pub(crate) fn text(status: u16, text: &str) -> Reply {
        Reply::new(status, TEXT, text.as_bytes().to_vec())
    }
    pub(crate) fn html(status: u16, html: &str) -> Reply {
        Reply::new(status, HTML, html.as_bytes().to_vec())
    }
}

/// Which API a path belongs to, for the shape of its error answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    UContact,
    Yativo,
    Anna,
    Sandbox,
}

impl Api {
    fn of_path(path: &str) -> Api {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under(UCONTACT_PREFIX) {
            Api::UContact
        } else if under(YATIVO_PREFIX) || under("/yativo") {
            Api::Yativo
        } else if under(ANNA_PREFIX) {
            Api::Anna
        } else {
            Api::Sandbox
        }
    }

    /// An error answer in the API's own shape.
    pub(crate) fn error(self, status: u16, message: &str) -> Reply {
        match self {
            Api::UContact => ucontact::error(status, message),
            Api::Yativo => yativo::error(status, message),
            Api::Anna => anna::error(status, message),
            Api::Sandbox => Reply::json(
                status,
                &json!({"error": reason_phrase(status), "message": message}),
            ),
        }
    }
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// A 401 answer in the API's shape.
pub(crate) fn unauthorized(api: Api, reason: &str) -> Reply {
    api.error(401, &format!("Unauthorized: {reason}"))
}

/// Everything the sandbox remembers (faults apart: see [`Shared`]).
pub(crate) struct State {
    options: SandboxOptions,
    /// `http://HOST:PORT`, for the links it hands out.
    url: String,
    stats: BTreeMap<&'static str, u64>,
    /// The connections counted in `connections` since the last reset.
    connections: HashSet<u64>,
    rng: Rng,
    ucontact_sessions: TokenBook,
    yativo_tokens: TokenBook,
    yativo: yativo::Book,
    anna_tokens: TokenBook,
    anna_users: BTreeMap<String, anna::User>,
    hooks: webhooks::Hooks,
}

impl State {
    fn new(options: SandboxOptions, url: String) -> State {
        State {
            stats: Op::ALL
                .iter()
                .filter_map(|op| op.stats_key())
                .chain(EXTRA_STATS)
                .map(|k| (k, 0))
                .collect(),
            connections: HashSet::new(),
            rng: Rng::new(),
            ucontact_sessions: TokenBook::default(),
            yativo_tokens: TokenBook::default(),
            yativo: yativo::Book::default(),
            anna_tokens: TokenBook::default(),
            anna_users: anna::initial_users(),
            hooks: webhooks::Hooks::default(),
            options,
            url,
        }
    }

    fn bump(&mut self, key: &'static str) {
        *self.stats.entry(key).or_insert(0) += 1;
    }

    fn stats_map(&self) -> BTreeMap<String, u64> {
        self.stats
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect()
    }

    /// Counts an API request and, the first time, its connection.
    fn count_request(&mut self, req: &Incoming, op: Option<Op>) {
        self.bump("requests");
        if self.connections.insert(req.connection) {
            self.bump("connections");
        }
        if let Some(key) = op.and_then(Op::stats_key) {
            self.bump(key);
        }
    }

    /// The `expire_tokens` fault: the live tokens of the API at `path` (all three
    /// outside the APIs) expire now.
    fn expire_tokens(&mut self, api: Api) {
        if matches!(api, Api::UContact | Api::Sandbox) {
            self.ucontact_sessions.expire_all();
        }
        if matches!(api, Api::Yativo | Api::Sandbox) {
            self.yativo_tokens.expire_all();
        }
        if matches!(api, Api::Anna | Api::Sandbox) {
            self.anna_tokens.expire_all();
        }
    }

    /// The answer of the operation a request goes to (404/405 when none).
    fn run(&mut self, req: &Incoming) -> Reply {
        let Some(op) = Op::route(&req.method, &req.path) else {
            return fallback(req);
        };
        match op {
            Op::UcGetUserToken | Op::UcAgentLogin | Op::UcEndSession | Op::UcCall => {
                ucontact::handle(self, op, req)
            }
            Op::YaLogin | Op::YaRefresh | Op::YaCall | Op::YaPayout | Op::YaGetPayout => {
                yativo::handle(self, op, req)
            }
            Op::AnGetToken
            | Op::AnUserHash
            | Op::AnUserHashForced
            | Op::AnInactivate
            | Op::AnStructure
            | Op::AnAlertCounter
            | Op::AnRequests
            | Op::AnLink
            | Op::AnCall
            | Op::AnPage => anna::handle(self, op, req),
        }
    }
}

/// What the worker threads share: the state and the pending faults (apart, so that
/// a delayed request holds no lock while it waits).
pub(crate) struct Shared {
    state: Mutex<State>,
    faults: Mutex<VecDeque<Fault>>,
}

impl Shared {
    fn lock_state(&self) -> MutexGuard<'_, State> {
        control::lock(&self.state)
    }

    fn reset(&self) {
        control::lock(&self.faults).clear();
        let mut st = self.lock_state();
        let fresh = State::new(st.options.clone(), st.url.clone());
        *st = fresh;
    }
}

/// The answer to a request no operation takes: 405 when the path is known, else 404.
fn fallback(req: &Incoming) -> Reply {
    let (method, path) = (req.method.as_str(), req.path.as_str());
    let api = Api::of_path(path);
    if let Some(op) = Op::at_path(path) {
        return api.error(405, &format!("{path} takes {}, not {method}", op.method()));
    }
    let known = match api {
        Api::UContact => "the uContact sandbox serves POST /ucontact/Integra/resources/auth/{getUserToken,AgentLogin,EndSession} and POST /ucontact/Integra/resources/Dialers/DialerTask",
        Api::Yativo => "the Yativo sandbox serves POST /yativo/api/v1/auth/login, GET /yativo/api/v1/auth/refresh-token, GET /yativo/api/v1/wallet/balance, POST /yativo/api/v1/payouts and GET /yativo/api/v1/payouts/{id}",
        Api::Anna => "the AnnA sandbox serves POST /anna/REST/Credentials/GetToken, POST /anna/REST/AnnACorporate/User/{UserHash,UserHashForced,Inactivate}, POST /anna/REST/AnnACorporate/Messenger/{Structure,AlertCounter,Requests,Link} and POST /anna/REST/AnnACorporate/Ping",
        Api::Sandbox => "the sandbox serves uContact under /ucontact, Yativo under /yativo/api/v1, AnnA under /anna/, and its control endpoint: GET /__sandbox/stats, POST /__sandbox/reset, POST and DELETE /__sandbox/faults, GET, POST and DELETE /__sandbox/webhooks (see docs/sandbox-contract.md)",
    };
    api.error(404, &format!("the sandbox has no {method} {path}; {known}"))
}

/// The sandbox can be shared between threads (checked at compile time).
const _: () = {
    const fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Sandbox>();
    is_send_sync::<Stopper>();
};

#[cfg(test)]
mod tests;
