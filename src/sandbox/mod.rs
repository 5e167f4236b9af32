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
mod api;
mod control;
#[doc(hidden)]
pub mod launcher;
mod options;
mod route;
mod server;
mod state;
mod sync;
mod tokens;
mod ucontact;
mod webhooks;
mod wire;
mod yativo;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use control::Fault;
pub use options::SandboxOptions;
pub use server::Stopper;
pub use webhooks::{Tamper, Webhook};

use api::{ANNA_PREFIX, UCONTACT_PREFIX, YATIVO_PREFIX};
use control::Shared;
use state::State;

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
        let url = format!("http://{}", server::reachable(bound));
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
        sync::lock(&self.shared.faults).push_back(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        sync::lock(&self.shared.faults).clear();
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
    pub fn webhook_deliveries(&self) -> Vec<serde_json::Value> {
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

/// The sandbox can be shared between threads (checked at compile time).
const _: () = {
    const fn is_send_sync<T: Send + Sync>() {}
    is_send_sync::<Sandbox>();
    is_send_sync::<Stopper>();
};

#[cfg(test)]
mod tests;
