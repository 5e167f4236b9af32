//! Everything the sandbox remembers between requests: counts, tokens, Yativo's
//! payouts and idempotency keys, AnnA's users.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::api::{Api, Op, Reply, EXTRA_STATS};
use super::options::SandboxOptions;
use super::tokens::{Rng, TokenBook};
use super::webhooks::Hooks;
use super::wire::Incoming;

/// Everything the sandbox remembers (faults apart: see [`Shared`]).
pub(crate) struct State {
    pub(crate) options: SandboxOptions,
    /// `http://HOST:PORT`, for the links it hands out.
    pub(crate) url: String,
    pub(crate) stats: BTreeMap<&'static str, u64>,
    /// The connections counted in `connections` since the last reset.
    pub(crate) connections: HashSet<u64>,
    pub(crate) rng: Rng,
    pub(crate) ucontact_sessions: TokenBook,
    pub(crate) yativo_tokens: TokenBook,
    pub(crate) yativo: Book,
    pub(crate) anna_tokens: TokenBook,
    pub(crate) anna_users: BTreeMap<String, User>,
    /// The webhook subscriptions and what became of their deliveries.
    pub(crate) hooks: Hooks,
}

impl State {
    pub(crate) fn new(options: SandboxOptions, url: String) -> State {
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
            yativo: Book::default(),
            anna_tokens: TokenBook::default(),
            anna_users: initial_users(),
            hooks: Hooks::default(),
            options,
            url,
        }
    }

    pub(crate) fn bump(&mut self, key: &'static str) {
        *self.stats.entry(key).or_insert(0) += 1;
    }

    pub(crate) fn stats_map(&self) -> BTreeMap<String, u64> {
        self.stats
            .iter()
            .map(|(k, v)| ((*k).to_owned(), *v))
            .collect()
    }

    /// Counts an API request and, the first time, its connection.
    pub(crate) fn count_request(&mut self, req: &Incoming, op: Option<Op>) {
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
    pub(crate) fn expire_tokens(&mut self, api: Api) {
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
}

/// How long the first answer to an `Idempotency-Key` is kept.
pub(crate) const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(60 * 60);

/// What Yativo keeps beyond tokens: payouts and the answers per idempotency key.
#[derive(Debug, Default)]
pub(crate) struct Book {
    pub(crate) payouts: Vec<Payout>,
    /// (account, key) → when it was first used and its answer.
    pub(crate) answers: HashMap<(String, String), (Instant, Reply)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Payout {
    pub(crate) id: String,
    pub(crate) account: String,
    pub(crate) amount: String,
    pub(crate) currency: String,
    pub(crate) beneficiary: Option<String>,
}

impl Payout {
    pub(crate) fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "amount": self.amount,
            "currency": self.currency,
            "status": "pending",
        });
        if let Some(b) = &self.beneficiary {
            v["beneficiary"] = Value::String(b.clone());
        }
        v
    }
}

/// A user of the sandbox company.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) active: bool,
    /// Document type and number, if the user has one.
    pub(crate) document: Option<(String, String)>,
    pub(crate) requests: Vec<MessengerRequest>,
}

/// One of a user's messenger requests.
#[derive(Debug, Clone)]
pub(crate) struct MessengerRequest {
    pub(crate) protocol: &'static str,
    pub(crate) department_alias: &'static str,
    pub(crate) department: &'static str,
    pub(crate) channel_alias: &'static str,
    pub(crate) channel: &'static str,
    pub(crate) description: &'static str,
    /// Year, month, day.
    pub(crate) opened_on: (u32, u32, u32),
    pub(crate) opened_at_time: &'static str,
    /// `A` (open) or `E` (closed).
    pub(crate) status: &'static str,
    pub(crate) pending: bool,
}

/// The contract's users: 42 (active, "Ana Souza", document CPF 12345678900, three
/// requests) and 7 (inactive).
pub(crate) fn initial_users() -> BTreeMap<String, User> {
    let request = |protocol,
                   (department_alias, department),
                   (channel_alias, channel),
                   description,
                   opened_on,
                   status,
                   pending| MessengerRequest {
        protocol,
        department_alias,
        department,
        channel_alias,
        channel,
        description,
        opened_on,
        opened_at_time: "09:30:00",
        status,
        pending,
    };
    let finance = ("financeiro", "Financeiro");
    let support = ("suporte", "Suporte");
    let mut users = BTreeMap::new();
    users.insert(
        "42".to_owned(),
        User {
            name: "Ana Souza".to_owned(),
            active: true,
            document: Some(("CPF".to_owned(), "12345678900".to_owned())),
            requests: vec![
                request(
                    "2024000101",
                    finance,
                    ("whatsapp", "WhatsApp"),
                    "Segunda via de boleto",
                    (2024, 3, 15),
                    "A",
                    true,
                ),
                request(
                    "2024000102",
                    support,
                    ("chat", "Chat"),
                    "Troca de senha",
                    (2024, 5, 2),
                    "A",
                    false,
                ),
                request(
                    "2023000087",
                    finance,
                    ("email", "E-mail"),
                    "Reembolso",
                    (2023, 11, 20),
                    "E",
                    false,
                ),
            ],
        },
    );
    users.insert(
        "7".to_owned(),
        User {
            name: "Bruno Lima".to_owned(),
            active: false,
            document: Some(("CPF".to_owned(), "98765432100".to_owned())),
            requests: Vec::new(),
        },
    );
    users
}
