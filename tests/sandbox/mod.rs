//! A local, stateful sandbox of the three APIs (uContact, Yativo, AnnA), built on
//! one mockito server on 127.0.0.1. The contract other test suites rely on is
//! `docs/sandbox-contract.md`; this module implements it.
//!
//! ```ignore
//! let sb = sandbox::Sandbox::start();
//! let client = tokenbridge::yativo::Client::new(
//!     &sb.yativo_url(), sb.yativo_credentials(), &sandbox::client_config())?;
//! client.login()?;
//! assert_eq!(sb.stats()["yativo.login"], 1);
//! ```
//!
//! How it is put together: every operation is one mockito mock whose
//! `match_request` accepts exactly the requests the routing table sends to it (the
//! same method and path), and one fallback mock per HTTP method accepts everything
//! else, so mockito's own empty `501` is never what a client sees for a standard
//! method. A mock's status, `Content-Type` and body come from three separate mockito
//! callbacks; the first of them computes the whole answer (and changes the state),
//! the other two reuse it (see [`Shared::answer`]). mockito handles one request at a
//! time per server, under its own lock, so the three callbacks of one request are
//! never interleaved with those of another.
//!
//! Nothing in a callback may panic (a panic would poison mockito's lock and stop the
//! server): locks recover from poisoning, no `unwrap`, and every handler runs under
//! `catch_unwind` as a last resort, answering 500.
// This file is compiled into several crates (tests/sandbox_tests.rs, the examples,
// the other API test files); each uses a different part, so unused items are expected.
#![allow(dead_code)]

mod anna;
mod tokens;
mod ucontact;
mod wire;
mod yativo;

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use mockito::{Matcher, Request, Server, ServerOpts};
use serde_json::{json, Value};

use tokens::{Rng, TokenBook};

/// The credentials, token lifetimes and port of a sandbox. `Default` gives the
/// values of the contract.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The port to listen on (on 127.0.0.1); 0 picks a free one.
    pub port: u16,
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
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            port: 0,
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
pub fn client_config() -> tokenbridge::Config {
    tokenbridge::Config::default()
        .allow_http(true)
        .proxy(tokenbridge::ProxySetting::None)
        .retry(tokenbridge::RetryPolicy::none())
}

/// A running sandbox. Dropping it removes its mocks (later requests get mockito's
/// empty 501); the listening thread belongs to mockito.
pub struct Sandbox {
    server: Server,
    shared: Arc<Shared>,
    url: String,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").field("url", &self.url).finish()
    }
}

impl Sandbox {
    /// A sandbox with the contract's defaults, on a free port. Panics if it cannot
    /// start (for tests; see [`Sandbox::try_start_with`]).
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

    /// A sandbox with these options, or why it could not start (port taken...).
    pub fn try_start_with(options: SandboxOptions) -> Result<Sandbox, String> {
        let options = options.normalized();
        if options.port != 0 {
            // mockito panics on its own thread when it cannot bind: check first.
            std::net::TcpListener::bind(("127.0.0.1", options.port))
                .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.port))?;
        }
        let opts = ServerOpts {
            host: "127.0.0.1",
            port: options.port,
            assert_on_drop: false,
        };
        let mut server = catch_unwind(|| Server::new_with_opts(opts))
            .map_err(|_| format!("cannot start the mock server on port {}", options.port))?;
        let url = server.url();
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(options, url.clone())),
            memo: Mutex::new(None),
        });
        for op in Op::ALL {
            register(&mut server, &shared, op.method(), Some(op));
        }
        for method in FALLBACK_METHODS {
            register(&mut server, &shared, method, None);
        }
        Ok(Sandbox {
            server,
            shared,
            url,
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.server.socket_address().port()
    }
    /// The base URL for a uContact client.
    pub fn ucontact_url(&self) -> String {
        format!("{}/ucontact", self.url)
    }
    /// The base URL for a Yativo client.
    pub fn yativo_url(&self) -> String {
        format!("{}/yativo/api/v1", self.url)
    }
    /// The base URL for an AnnA client.
    pub fn anna_url(&self) -> String {
        format!("{}/anna/", self.url)
    }

    /// The options it runs with.
    pub fn options(&self) -> SandboxOptions {
        self.shared.lock_state().options.clone()
    }

    /// Requests received per operation (every key of the contract, 0 when unused).
    pub fn stats(&self) -> BTreeMap<String, u64> {
        let st = self.shared.lock_state();
        st.stats
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect()
    }

    /// One count of [`Sandbox::stats`].
    pub fn count(&self, key: &str) -> u64 {
        self.shared
            .lock_state()
            .stats
            .get(key)
            .copied()
            .unwrap_or(0)
    }

    /// The API user's credentials.
    pub fn ucontact_credentials(&self) -> tokenbridge::ucontact::Credentials {
        let o = self.options();
        tokenbridge::ucontact::Credentials::api_user(o.ucontact_user, o.ucontact_password)
    }
    /// The agent's credentials.
    pub fn agent_credentials(&self) -> tokenbridge::ucontact::Credentials {
        let o = self.options();
        tokenbridge::ucontact::Credentials::agent(o.ucontact_agent, o.ucontact_agent_password)
    }
    /// The Yativo credentials.
    pub fn yativo_credentials(&self) -> tokenbridge::yativo::Credentials {
        let o = self.options();
        tokenbridge::yativo::Credentials::new(o.yativo_account, o.yativo_secret)
    }
    /// The AnnA credentials.
    pub fn anna_credentials(&self) -> tokenbridge::anna::Credentials {
        let o = self.options();
        tokenbridge::anna::Credentials::new(o.anna_company_hash, o.anna_user, o.anna_pass)
    }
}

/// Methods that get a clear 404/405 instead of mockito's empty 501. (A request with
/// any other method still gets mockito's 501: mockito matches methods exactly.)
const FALLBACK_METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];

fn register(server: &mut Server, shared: &Arc<Shared>, method: &str, op: Option<Op>) {
    let (s1, s2, s3) = (shared.clone(), shared.clone(), shared.clone());
    server
        .mock(method, Matcher::Any)
        .match_request(move |req| Op::route(req.method(), req.path()) == op)
        .with_status_code_from_request(move |req| {
            usize::from(s1.answer(req, Part::Status, op).status)
        })
        .with_header_from_request("content-type", move |req| {
            s2.answer(req, Part::ContentType, op)
                .content_type
                .to_owned()
        })
        .with_body_from_request(move |req| s3.answer(req, Part::Body, op).body)
        .create();
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
    Stats,
}

pub(crate) const UCONTACT_PREFIX: &str = "/ucontact";
pub(crate) const YATIVO_PREFIX: &str = "/yativo/api/v1";
pub(crate) const ANNA_PREFIX: &str = "/anna";
const ANNA_PAGES: [&str; 3] = ["/anna/chat/", "/anna/embedded/", "/anna/messenger/"];

impl Op {
    const ALL: [Op; 18] = [
        Op::UcGetUserToken,
        Op::UcAgentLogin,
        Op::UcEndSession,
        Op::UcCall,
        Op::YaLogin,
        Op::YaRefresh,
        Op::YaCall,
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
        Op::Stats,
    ];

    /// The path below the API's prefix (for [`Op::AnPage`], only the first one).
    fn path(self) -> (&'static str, &'static str) {
        match self {
            Op::UcGetUserToken => (UCONTACT_PREFIX, "/Integra/resources/auth/getUserToken"),
            Op::UcAgentLogin => (UCONTACT_PREFIX, "/Integra/resources/auth/AgentLogin"),
            Op::UcEndSession => (UCONTACT_PREFIX, "/Integra/resources/auth/EndSession"),
            Op::UcCall => (UCONTACT_PREFIX, "/Integra/resources/Dialers/DialerTask"),
            Op::YaLogin => (YATIVO_PREFIX, "/auth/login"),
            Op::YaRefresh => (YATIVO_PREFIX, "/auth/refresh-token"),
            Op::YaCall => (YATIVO_PREFIX, "/wallet/balance"),
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
            Op::Stats => ("", "/__sandbox/stats"),
        }
    }

    pub(crate) fn method(self) -> &'static str {
        match self {
            Op::YaRefresh | Op::YaCall | Op::AnPage | Op::Stats => "GET",
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
            Op::AnGetToken => "anna.GetToken",
            Op::AnUserHash => "anna.UserHash",
            Op::AnUserHashForced => "anna.UserHashForced",
            Op::AnInactivate => "anna.Inactivate",
            Op::AnStructure => "anna.Structure",
            Op::AnAlertCounter => "anna.AlertCounter",
            Op::AnRequests => "anna.Requests",
            Op::AnLink => "anna.Link",
            Op::AnCall => "anna.call",
            Op::AnPage | Op::Stats => return None,
        })
    }

    /// The operation at this path, whatever the method.
    fn at_path(path: &str) -> Option<Op> {
        if ANNA_PAGES
            .iter()
            .any(|p| path.starts_with(p) && path.len() > p.len())
        {
            return Some(Op::AnPage);
        }
        Op::ALL.into_iter().find(|op| {
            let (prefix, rest) = op.path();
            *op != Op::AnPage
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
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

pub(crate) const JSON: &str = "application/json; charset=utf-8";
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";
pub(crate) const HTML: &str = "text/html; charset=utf-8";

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            content_type: JSON,
            body: value.to_string().into_bytes(),
        }
    }
    pub fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            content_type: TEXT,
            body: text.as_bytes().to_vec(),
        }
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
    pub fn error(self, status: u16, message: &str) -> Reply {
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
        500 => "Internal Server Error",
        _ => "Error",
    }
}

/// Everything the sandbox remembers.
pub(crate) struct State {
    pub options: SandboxOptions,
    /// `http://127.0.0.1:PORT`, for the links it hands out.
    pub url: String,
    pub stats: BTreeMap<&'static str, u64>,
    pub rng: Rng,
    pub ucontact_sessions: TokenBook,
    pub yativo_tokens: TokenBook,
    pub anna_tokens: TokenBook,
    pub anna_users: BTreeMap<String, anna::User>,
}

impl State {
    fn new(options: SandboxOptions, url: String) -> State {
        State {
            stats: Op::ALL
                .iter()
                .filter_map(|op| op.stats_key())
                .map(|k| (k, 0))
                .collect(),
            rng: Rng::new(),
            ucontact_sessions: TokenBook::default(),
            yativo_tokens: TokenBook::default(),
            anna_tokens: TokenBook::default(),
            anna_users: anna::initial_users(),
            options,
            url,
        }
    }
}

/// What the mock callbacks share.
struct Shared {
    state: Mutex<State>,
    /// The answer being sent, so that status, header and body come from one
    /// computation (see [`Shared::answer`]).
    memo: Mutex<Option<Memo>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Status = 0,
    ContentType = 1,
    Body = 2,
}

struct Memo {
    fingerprint: u64,
    reply: Reply,
    used: [bool; 3],
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn lock_state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The answer to a request, for one of the three mockito callbacks. The first
    /// callback of a request computes it; the others reuse it. A request is told
    /// apart from the previous one by its address and content, and by the part
    /// already having been read: a second request identical to the first (same
    /// address, same bytes) asks again for a part the first one already used, and so
    /// gets a fresh answer.
    fn answer(&self, req: &Request, part: Part, op: Option<Op>) -> Reply {
        let fingerprint = fingerprint(req);
        let mut memo = lock(&self.memo);
        if let Some(m) = memo.as_mut() {
            if m.fingerprint == fingerprint && !m.used[part as usize] {
                m.used[part as usize] = true;
                return m.reply.clone();
            }
        }
        let reply = catch_unwind(AssertUnwindSafe(|| self.handle(req, op))).unwrap_or_else(|_| {
            Api::of_path(req.path()).error(
                500,
                "the sandbox failed on this request (a bug in the sandbox)",
            )
        });
        let mut used = [false; 3];
        used[part as usize] = true;
        *memo = Some(Memo {
            fingerprint,
            reply: reply.clone(),
            used,
        });
        reply
    }

    fn handle(&self, req: &Request, op: Option<Op>) -> Reply {
        let mut st = self.lock_state();
        let Some(op) = op else {
            return fallback(req);
        };
        if let Some(key) = op.stats_key() {
            *st.stats.entry(key).or_insert(0) += 1;
        }
        match op {
            Op::UcGetUserToken | Op::UcAgentLogin | Op::UcEndSession | Op::UcCall => {
                ucontact::handle(&mut st, op, req)
            }
            Op::YaLogin | Op::YaRefresh | Op::YaCall => yativo::handle(&mut st, op, req),
            Op::AnGetToken
            | Op::AnUserHash
            | Op::AnUserHashForced
            | Op::AnInactivate
            | Op::AnStructure
            | Op::AnAlertCounter
            | Op::AnRequests
            | Op::AnLink
            | Op::AnCall
            | Op::AnPage => anna::handle(&mut st, op, req),
            Op::Stats => Reply::json(200, &json!(st.stats)),
        }
    }
}

fn fingerprint(req: &Request) -> u64 {
    let mut h = DefaultHasher::new();
    (req as *const Request as usize).hash(&mut h);
    req.method().hash(&mut h);
    req.path_and_query().hash(&mut h);
    wire::body(req).hash(&mut h);
    for (name, value) in req.headers() {
        name.as_str().hash(&mut h);
        value.as_bytes().hash(&mut h);
    }
    h.finish()
}

/// The answer to a request no operation takes: 405 when the path is known, else 404.
fn fallback(req: &Request) -> Reply {
    let (method, path) = (req.method(), req.path());
    let api = Api::of_path(path);
    if let Some(op) = Op::at_path(path) {
        return api.error(405, &format!("{path} takes {}, not {method}", op.method()));
    }
    let known = match api {
        Api::UContact => "the uContact sandbox serves POST /ucontact/Integra/resources/auth/{getUserToken,AgentLogin,EndSession} and POST /ucontact/Integra/resources/Dialers/DialerTask",
        Api::Yativo => "the Yativo sandbox serves POST /yativo/api/v1/auth/login, GET /yativo/api/v1/auth/refresh-token and GET /yativo/api/v1/wallet/balance",
        Api::Anna => "the AnnA sandbox serves POST /anna/REST/Credentials/GetToken, POST /anna/REST/AnnACorporate/User/{UserHash,UserHashForced,Inactivate}, POST /anna/REST/AnnACorporate/Messenger/{Structure,AlertCounter,Requests,Link} and POST /anna/REST/AnnACorporate/Ping",
        Api::Sandbox => "the sandbox serves uContact under /ucontact, Yativo under /yativo/api/v1, AnnA under /anna/, and GET /__sandbox/stats (see docs/sandbox-contract.md)",
    };
    api.error(404, &format!("the sandbox has no {method} {path}; {known}"))
}

/// A 401 answer in the API's shape.
pub(crate) fn unauthorized(api: Api, reason: &str) -> Reply {
    api.error(401, &format!("Unauthorized: {reason}"))
}

/// The sandbox can be shared between threads (checked at compile time).
const _: () = {
    const fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Sandbox>();
};
