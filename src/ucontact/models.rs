//! uContact's public answers and inputs: credentials and the agent's profile.

use std::fmt;

use serde_json::{Map, Value};

use crate::json;
use crate::secret::Secret;

/// How the client logs in when it needs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoginKind {
    /// An API user, through `getUserToken` (the default).
    #[default]
    ApiUser,
    /// An agent, through `AgentLogin` (which also logs the agent into the SIP side).
    Agent,
}

/// Who the client logs in as.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The user or agent name.
    pub user: String,
    /// The password.
    pub password: Secret,
    /// Which login call to use.
    pub kind: LoginKind,
}

impl Credentials {
    /// An API user, logged in with `getUserToken`.
    pub fn api_user(user: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            user: user.into(),
            password: password.into(),
            kind: LoginKind::ApiUser,
        }
    }

    /// An agent, logged in with `AgentLogin`.
    pub fn agent(agent: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            user: agent.into(),
            password: password.into(),
            kind: LoginKind::Agent,
        }
    }
}
macro_rules! agent_profile {
    ($( $(#[$doc:meta])* $field:ident : $key:literal ),* $(,)?) => {
        /// An agent's SIP profile, as `AgentLogin` returns it. Every published field is
        /// typed; unknown fields are kept in [`AgentProfile::extra`]; `secret`,
        /// `md5secret` and `token` are [`Secret`]s.
        #[derive(Clone)]
        #[non_exhaustive]
        pub struct AgentProfile {
            /// `id`.
            pub id: Option<i64>,
            $( $(#[$doc])* pub $field: Option<String>, )*
            /// `type`.
            pub kind: Option<String>,
            /// `LogLevel`.
            pub log_level: Option<String>,
            /// `limite` (a number).
            pub limite: Option<i64>,
            /// `secret`: the SIP password.
            pub secret: Option<Secret>,
            /// `md5secret`: the SIP password's digest.
            pub md5secret: Option<Secret>,
            /// `token`: the session token.
            pub token: Secret,
            /// Fields the published profile does not list, as they came.
            pub extra: Map<String, Value>,
            pub(super) raw: Value,
        }

        /// The profile's published fields (API.md), by their wire names.
        pub(crate) const PUBLISHED_FIELDS: &[&str] = &[
            "id", "type", "LogLevel", "limite", "secret", "md5secret", "token", $( $key ),*
        ];

        impl AgentProfile {
            pub(super) fn from_map(map: &Map<String, Value>, raw: Value, token: Secret) -> Self {
                AgentProfile {
                    id: json::integer(map, "id"),
                    $( $field: json::text(map, $key), )*
                    kind: json::text(map, "type"),
                    log_level: json::text(map, "LogLevel"),
                    limite: json::integer(map, "limite"),
                    secret: json::text(map, "secret").map(Secret::from),
                    md5secret: json::text(map, "md5secret").map(Secret::from),
                    token,
                    extra: map
                        .iter()
                        .filter(|(k, _)| !PUBLISHED_FIELDS.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    raw,
                }
            }
        }

        impl fmt::Debug for AgentProfile {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let extra_keys: Vec<&String> = self.extra.keys().collect();
                f.debug_struct("AgentProfile")
                    .field("id", &self.id)
                    $( .field(stringify!($field), &self.$field) )*
                    .field("kind", &self.kind)
                    .field("log_level", &self.log_level)
                    .field("limite", &self.limite)
                    .field("secret", &self.secret)
                    .field("md5secret", &self.md5secret)
                    .field("token", &self.token)
                    .field("extra (keys only)", &extra_keys)
                    .finish()
            }
        }
    };
}

agent_profile! {
    /// `name`.
    name: "name",
    /// `host`.
    host: "host",
    /// `nat`.
    nat: "nat",
    /// `accountcode`.
    accountcode: "accountcode",
    /// `callgroup`.
    callgroup: "callgroup",
    /// `callerid`.
    callerid: "callerid",
    /// `canreinvite`.
    canreinvite: "canreinvite",
    /// `context`.
    context: "context",
    /// `dtmfmode`.
    dtmfmode: "dtmfmode",
    /// `insecure`.
    insecure: "insecure",
    /// `language`.
    language: "language",
    /// `mailbox`.
    mailbox: "mailbox",
    /// `pickupgroup`.
    pickupgroup: "pickupgroup",
    /// `qualify`.
    qualify: "qualify",
    /// `disallow`.
    disallow: "disallow",
    /// `allow`.
    allow: "allow",
    /// `port`.
    port: "port",
    /// `defaultuser`.
    defaultuser: "defaultuser",
    /// `subscribecontext`.
    subscribecontext: "subscribecontext",
    /// `record`.
    record: "record",
    /// `email`.
    email: "email",
    /// `phonetype`.
    phonetype: "phonetype",
    /// `transport`.
    transport: "transport",
    /// `encryption`.
    encryption: "encryption",
    /// `did`.
    did: "did",
    /// `outboundproxy`.
    outboundproxy: "outboundproxy",
    /// `fullname`.
    fullname: "fullname",
}

impl AgentProfile {
    /// The JSON object the server sent, secrets included: handle with care.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The profile as the server sent it, without `secret` and `md5secret` (the
    /// session `token` stays: it is what a login is for).
    pub fn to_json_without_sip_secrets(&self) -> Value {
        let mut v = self.raw.clone();
        if let Some(map) = v.as_object_mut() {
            map.remove("secret");
            map.remove("md5secret");
        }
        v
    }
}
