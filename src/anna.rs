//! AnnA Corporate User V3 (chat / messenger): tokens, user hashes, inactivation,
//! and the messenger's structure, counters, requests and links.
//!
//! Every AnnA answer carries `{"success": bool, "message": "..."}`; `success: false`
//! becomes [`Error::Rejected`] with the message, even inside an HTTP 200.
//!
//! ```no_run
//! use tokenbridge::{anna, Config, Date};
//! let client = anna::Client::new(
//!     "https://anna.example.com/api/",
//!     anna::Credentials::new("COMPANYHASH", "integration", "s3cret"),
//!     &Config::default(),
//! )?;
//! let access = client.user_hash("42", None)?;
//! println!("chat at {} until {:?}", access.chat_url, access.expires);
//! let filter = anna::MessengerFilter {
//!     date_from: Some(Date::new(2024, 1, 1)?),
//!     date_to: Some(Date::new(2024, 12, 31)?),
//!     status: Some(anna::RequestStatus::Open),
//!     ..Default::default()
//! };
//! let open = client.messenger_alert_counter(&anna::User::id("42"), &filter)?;
//! # Ok::<(), tokenbridge::Error>(())
//! ```
#![forbid(unsafe_code)]

use std::fmt;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::client::{Fetched, Vendor};
use crate::config::Config;
use crate::error::{Api, Error, Result};
use crate::http::{Auth, CallLimits, Http, Method, Outgoing, Reply};
use crate::json;
use crate::jwt;
use crate::secret::Secret;
use crate::time::{parse_date_time, Date, LocalDateTime};

/// The company hash, user and password of an AnnA integration.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The company hash sent as `hash` in every body (a per-customer constant).
    pub company_hash: Secret,
    /// The API user.
    pub user: String,
    /// The API user's password.
    pub pass: Secret,
}

impl Credentials {
    /// Credentials from the company hash, user and password.
    pub fn new(
        company_hash: impl Into<Secret>,
        user: impl Into<String>,
        pass: impl Into<Secret>,
    ) -> Self {
        Credentials {
            company_hash: company_hash.into(),
            user: user.into(),
            pass: pass.into(),
        }
    }
}

/// A bearer token from `GetToken`.
#[derive(Clone)]
#[non_exhaustive]
pub struct Token {
    /// The JWT.
    pub token: Secret,
    /// When it expires: from `ExpiresIn` (seconds, as number or string, or a
    /// date-time), else from the JWT's `exp` claim (read, not verified), else unknown.
    pub expires_at: Option<SystemTime>,
    /// `ExpiresIn` as the server wrote it.
    pub expires_in_raw: Option<String>,
    raw: Value,
}

impl Token {
    /// The whole answer as it came (it holds the token).
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("token", &self.token)
            .field("expires_at", &self.expires_at)
            .field("expires_in_raw", &self.expires_in_raw)
            .finish_non_exhaustive()
    }
}

/// What `UserHash` and `UserHashForced` return: the user's chat access.
#[derive(Clone)]
#[non_exhaustive]
pub struct AccessData {
    /// `Hash`: the user's access hash (a credential).
    pub hash: Secret,
    /// `ChatURL`.
    pub chat_url: String,
    /// `EmbeddedURL`.
    pub embedded_url: String,
    /// `Expires`, parsed from `YYYYMMDDhhmmss` (the server's local time).
    pub expires: Option<LocalDateTime>,
    /// `Expires` as the server wrote it.
    pub expires_raw: String,
    raw: Value,
}

impl AccessData {
    /// The `accessData` object as it came (it holds the hash).
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

impl fmt::Debug for AccessData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URLs may carry the hash: print their host and path only, and mask the
        // hash where the path holds it.
        let hash = self.hash.expose();
        let strip = |u: &str| {
            let u = u.split(['?', '#']).next().unwrap_or("");
            if hash.is_empty() {
                u.to_owned()
            } else {
                u.replace(hash, "***")
            }
        };
        f.debug_struct("AccessData")
            .field("hash", &self.hash)
            .field("chat_url", &strip(&self.chat_url))
            .field("embedded_url", &strip(&self.embedded_url))
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// Which user a messenger call is about: by id, or by a unique document. Exactly
/// one of the two is sent; the other fields go as empty strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum User {
    /// `userId`.
    Id(String),
    /// `userDocType` + `userDocValue` (e.g. a tax id type and number).
    Document {
        /// The document type.
        doc_type: String,
        /// The document number.
        value: String,
    },
}

impl User {
    /// A user by id.
    pub fn id(id: impl Into<String>) -> Self {
        User::Id(id.into())
    }
    /// A user by document.
    pub fn document(doc_type: impl Into<String>, value: impl Into<String>) -> Self {
        User::Document {
            doc_type: doc_type.into(),
            value: value.into(),
        }
    }

    fn wire(&self) -> Result<(&str, &str, &str)> {
        match self {
            User::Id(id) => {
                non_empty("user_id", id)?;
                Ok((id, "", ""))
            }
            User::Document { doc_type, value } => {
                non_empty("user_doc_type", doc_type)?;
                non_empty("user_doc_value", value)?;
                Ok(("", doc_type, value))
            }
        }
    }
}

/// A messenger request's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Open (`A`).
    Open,
    /// Closed (`E`).
    Closed,
}

impl RequestStatus {
    fn wire(self) -> &'static str {
        match self {
            RequestStatus::Open => "A",
            RequestStatus::Closed => "E",
        }
    }
}

/// Filters for the messenger counter and requests. `None` means "no filter"
/// (written as `""`).
///
/// ```
/// use tokenbridge::{anna::{MessengerFilter, RequestStatus}, Date};
/// let f = MessengerFilter {
///     date_from: Some(Date::new(2024, 1, 1).unwrap()),
///     status: Some(RequestStatus::Closed),
///     pending: Some(false),
///     ..Default::default()
/// };
/// let wire = f.to_wire();
/// assert_eq!(wire["dataIni"], "01/01/2024");
/// assert_eq!(wire["dataFim"], "");
/// assert_eq!(wire["status"], "E");
/// assert_eq!(wire["pendentes"], "N");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessengerFilter {
    /// `departmentAlias`.
    pub department_alias: Option<String>,
    /// `channelAlias`.
    pub channel_alias: Option<String>,
    /// `dataIni`: requests opened on or after this date.
    pub date_from: Option<Date>,
    /// `dataFim`: requests opened on or before this date.
    pub date_to: Option<Date>,
    /// `status`: open or closed.
    pub status: Option<RequestStatus>,
    /// `pendentes`: awaiting the user's answer (`S`) or not (`N`).
    pub pending: Option<bool>,
}

impl MessengerFilter {
    /// The `messengerFilters` object as AnnA wants it: every field a string.
    pub fn to_wire(&self) -> Value {
        serde_json::to_value(self.wire()).unwrap_or_default()
    }

    /// The `messengerFilters` object, borrowed from the filter and written straight
    /// into a request body.
    fn wire(&self) -> WireFilter<'_> {
        WireFilter {
            department_alias: self.department_alias.as_deref().unwrap_or(""),
            channel_alias: self.channel_alias.as_deref().unwrap_or(""),
            data_ini: WireDate(self.date_from),
            data_fim: WireDate(self.date_to),
            status: self.status.map(RequestStatus::wire).unwrap_or(""),
            pendentes: match self.pending {
                Some(true) => "S",
                Some(false) => "N",
                None => "",
            },
        }
    }

    fn check(&self) -> Result<()> {
        if let (Some(from), Some(to)) = (self.date_from, self.date_to) {
            if from > to {
                return Err(Error::invalid_input(
                    "filter",
                    format!("date_from {from} is after date_to {to}"),
                ));
            }
        }
        Ok(())
    }
}

/// The request bodies of AnnA's protected calls, serialised straight from borrowed
/// fields: no `Value` tree and no copies per call.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireFilter<'a> {
    department_alias: &'a str,
    channel_alias: &'a str,
    data_ini: WireDate,
    data_fim: WireDate,
    status: &'static str,
    pendentes: &'static str,
}

/// A filter date as `dd/MM/yyyy`, or `""` for none.
struct WireDate(Option<Date>);

impl Serialize for WireDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Some(d) => s.serialize_str(&d.to_anna_string()),
            None => s.serialize_str(""),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessengerBody<'a> {
    hash: &'a str,
    user_id: &'a str,
    user_doc_type: &'a str,
    user_doc_value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    messenger_filters: Option<WireFilter<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserBody<'a> {
    hash: &'a str,
    user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_service: Option<&'a str>,
}

#[derive(Serialize)]
struct HashBody<'a> {
    hash: &'a str,
}

#[derive(Serialize)]
struct GetTokenBody<'a> {
    hash: &'a str,
    user: &'a str,
    pass: &'a str,
}

/// A channel of a department.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Channel {
    /// Its alias (used in filters).
    pub alias: String,
    /// Its name.
    pub name: String,
    /// The object as it came.
    pub raw: Value,
}

/// A department and its channels.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Department {
    /// Its alias (used in filters).
    pub alias: String,
    /// Its name.
    pub name: String,
    /// Its channels.
    pub channels: Vec<Channel>,
    /// The object as it came.
    pub raw: Value,
}

/// The messenger's structure: the company and its departments.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct MessengerStructure {
    /// `CompaniesHash`.
    pub companies_hash: String,
    /// `CompaniesName`.
    pub companies_name: String,
    /// `Departments`.
    pub departments: Vec<Department>,
    raw: Value,
}

impl fmt::Debug for MessengerStructure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `CompaniesHash` is the company hash the client sends as a credential.
        f.debug_struct("MessengerStructure")
            .field("companies_hash", &"***")
            .field("companies_name", &self.companies_name)
            .field("departments", &self.departments)
            .finish_non_exhaustive()
    }
}

impl MessengerStructure {
    /// The `structure` object as it came.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

/// One of a user's messenger requests. The vendor does not publish the field names,
/// so the known ones are looked up under their likely spellings (English and
/// Portuguese, any case) and every field stays reachable in [`MessengerRequest::raw`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MessengerRequest {
    /// The department.
    pub department: Option<String>,
    /// The channel.
    pub channel: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The opening date, as written by the server.
    pub opened_at: Option<String>,
    /// The protocol number.
    pub protocol: Option<String>,
    /// The status as written by the server.
    pub status: Option<String>,
    /// The status, when it is `A` (open) or `E` (closed).
    pub status_kind: Option<RequestStatus>,
    /// Whether it awaits the user's answer.
    pub pending: Option<bool>,
    /// The link to the request.
    pub link: Option<String>,
    /// The object as it came.
    pub raw: Value,
}

impl MessengerRequest {
    fn from_value(v: &Value) -> Self {
        let empty = Map::new();
        let m = v.as_object().unwrap_or(&empty);
        let status = json::find_text(m, &["Status", "Situacao", "StatusRequest"]);
        let status_kind = match status.as_deref().map(str::trim) {
            Some(s)
                if s.eq_ignore_ascii_case("A")
                    || s.eq_ignore_ascii_case("open")
                    || s.eq_ignore_ascii_case("aberto") =>
            {
                Some(RequestStatus::Open)
            }
            Some(s)
                if s.eq_ignore_ascii_case("E")
                    || s.eq_ignore_ascii_case("closed")
                    || s.eq_ignore_ascii_case("encerrado") =>
            {
                Some(RequestStatus::Closed)
            }
            _ => None,
        };
        let pending = json::find(m, &["Pending", "Pendente", "Pendentes", "AwaitingAnswer"])
            .and_then(|p| match p {
                Value::Bool(b) => Some(*b),
                Value::String(s) => match s.trim().to_ascii_uppercase().as_str() {
                    "S" | "SIM" | "Y" | "YES" | "TRUE" | "1" => Some(true),
                    "N" | "NAO" | "NÃO" | "NO" | "FALSE" | "0" => Some(false),
                    _ => None,
                },
                Value::Number(n) => n.as_i64().map(|n| n != 0),
                _ => None,
            });
        MessengerRequest {
            department: json::find_text(
                m,
                &[
                    "Department",
                    "DepartmentName",
                    "Departamento",
                    "DepartmentAlias",
                ],
            ),
            channel: json::find_text(m, &["Channel", "ChannelName", "Canal", "ChannelAlias"]),
            description: json::find_text(
                m,
                &[
                    "Description",
                    "Descricao",
                    "Descrição",
                    "Subject",
                    "Assunto",
                ],
            ),
            opened_at: json::find_text(
                m,
                &[
                    "OpeningDate",
                    "OpenedAt",
                    "DataAbertura",
                    "Date",
                    "Data",
                    "CreatedAt",
                ],
            ),
            protocol: json::find_text(
                m,
                &["Protocol", "Protocolo", "ProtocolNumber", "NumeroProtocolo"],
            ),
            status,
            status_kind,
            pending,
            link: json::find_text(m, &["Link", "Url", "URL", "MessengerLink"]),
            raw: v.clone(),
        }
    }
}

/// A user's messenger requests.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MessengerRequests {
    /// The requests, in the server's order.
    pub items: Vec<MessengerRequest>,
    raw: Value,
}

impl MessengerRequests {
    /// The `userRequests` array as it came.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}

/// AnnA's side of a [`Client`]: its credentials (the company hash goes in every
/// body), `GetToken`, and the `{success, message}` of its answers.
pub struct Anna {
    credentials: Credentials,
}

impl fmt::Debug for Anna {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Anna")
            .field("user", &self.credentials.user)
            .finish_non_exhaustive()
    }
}

/// An AnnA client: one connection pool, one API user, one cached token refreshed
/// (by logging in again) ahead of expiry. Cheap to clone; clones share the token.
/// `Send + Sync`.
pub type Client = crate::client::Client<Anna>;

fn non_empty(argument: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid_input(argument, "must not be empty"))
    } else {
        Ok(())
    }
}

#[allow(private_interfaces)] // the sealed trait names crate-private types
impl Vendor for Anna {
    type Token = Token;
    type Credentials = Credentials;
    const CALL: &'static str = "AnnA call";
    const LOGIN: &'static str = "AnnA login";

    fn new(credentials: Credentials, _config: &Config) -> Result<Self> {
        Ok(Anna { credentials })
    }

    fn secrets(&self) -> Vec<&Secret> {
        vec![&self.credentials.pass, &self.credentials.company_hash]
    }

    fn user(&self) -> String {
        self.credentials.user.clone()
    }

    fn reason(body: &str) -> Option<String> {
        let v: Value = serde_json::from_str(body.trim()).ok()?;
        json::find_text(v.as_object()?, &["message"]).filter(|m| !m.trim().is_empty())
    }

    fn fetch(
        &self,
        http: &Http,
        _previous: Option<&Token>,
        limits: &CallLimits,
        now: SystemTime,
    ) -> Result<Fetched<Token>> {
        self.get_token(http, limits, now)
    }

    fn auth(token: &Token) -> Auth<'_> {
        Auth::Bearer(&token.token)
    }

    fn expiry(token: &Token) -> Option<SystemTime> {
        token.expires_at
    }

    /// Its expiry is `expires_at` when given, else the JWT's `exp` claim, else
    /// unknown (used until the server answers 401).
    fn adopt(token: Secret, expires_at: Option<SystemTime>, _now: SystemTime) -> Fetched<Token> {
        let expires_at = expires_at.or_else(|| jwt::expiry(token.expose()));
        Fetched {
            value: Token {
                token,
                expires_at,
                expires_in_raw: None,
                raw: Value::Null,
            },
            expires: expires_at,
        }
    }
}

impl Client {
    /// A1: gets a new token with `GetToken` (also cached). Safe to repeat.
    pub fn get_token(&self) -> Result<Token> {
        self.inner.renew(None, &self.limits())
    }

    /// A2: generates the user's access hash (`UserHash`). `start_service` is the
    /// service the chat starts with (`None` = none). Fails for an unknown or inactive
    /// user. Safe to repeat.
    pub fn user_hash(&self, user_id: &str, start_service: Option<&str>) -> Result<AccessData> {
        non_empty("user_id", user_id)?;
        let v = self.post(
            "AnnA UserHash",
            "REST/AnnACorporate/User/UserHash",
            &UserBody {
                hash: self.inner.vendor.hash(),
                user_id,
                user_name: None,
                start_service: Some(start_service.unwrap_or("")),
            },
            "accessData",
        )?;
        access_data("AnnA UserHash", v)
    }

    /// A3: creates or updates (and re-activates) the user, then generates its access
    /// hash (`UserHashForced`). Safe to repeat.
    pub fn user_hash_forced(
        &self,
        user_id: &str,
        user_name: &str,
        start_service: Option<&str>,
    ) -> Result<AccessData> {
        non_empty("user_id", user_id)?;
        non_empty("user_name", user_name)?;
        let v = self.post(
            "AnnA UserHashForced",
            "REST/AnnACorporate/User/UserHashForced",
            &UserBody {
                hash: self.inner.vendor.hash(),
                user_id,
                user_name: Some(user_name),
                start_service: Some(start_service.unwrap_or("")),
            },
            "accessData",
        )?;
        access_data("AnnA UserHashForced", v)
    }

    /// A4: inactivates the user (`Inactivate`) and returns the server's message.
    /// Safe to repeat (inactivating an inactive user may be answered as an error).
    pub fn inactivate_user(&self, user_id: &str) -> Result<String> {
        non_empty("user_id", user_id)?;
        let v = self.post(
            "AnnA Inactivate",
            "REST/AnnACorporate/User/Inactivate",
            &UserBody {
                hash: self.inner.vendor.hash(),
                user_id,
                user_name: None,
                start_service: None,
            },
            "message",
        )?;
        // AnnA's messages name `{company}@{user}`: keep the company hash out of them.
        let hash = self.inner.vendor.credentials.company_hash.expose();
        Ok(crate::secret::scrub(
            v.as_str().unwrap_or_default(),
            &[hash],
            500,
        ))
    }

    /// A5: the messenger's structure: company, departments and their channels.
    /// Read-only, safe to repeat.
    pub fn messenger_structure(&self) -> Result<MessengerStructure> {
        const OP: &str = "AnnA Messenger/Structure";
        let v = self.post(
            OP,
            "REST/AnnACorporate/Messenger/Structure",
            &HashBody {
                hash: self.inner.vendor.hash(),
            },
            "structure",
        )?;
        structure_from(OP, v)
    }

    /// A6: how many open requests await the user's answer. Read-only, safe to repeat.
    pub fn messenger_alert_counter(&self, user: &User, filter: &MessengerFilter) -> Result<u64> {
        const OP: &str = "AnnA Messenger/AlertCounter";
        let v = self.messenger_query(
            OP,
            "REST/AnnACorporate/Messenger/AlertCounter",
            user,
            Some(filter),
            "alertCounter",
        )?;
        alert_counter_from(OP, &v)
    }

    /// A7: the user's requests. Read-only, safe to repeat.
    pub fn messenger_requests(
        &self,
        user: &User,
        filter: &MessengerFilter,
    ) -> Result<MessengerRequests> {
        const OP: &str = "AnnA Messenger/Requests";
        let v = self.messenger_query(
            OP,
            "REST/AnnACorporate/Messenger/Requests",
            user,
            Some(filter),
            "userRequests",
        )?;
        requests_from(OP, v)
    }

    /// A8: the link that opens the user's messenger. Read-only, safe to repeat.
    pub fn messenger_link(&self, user: &User) -> Result<String> {
        const OP: &str = "AnnA Messenger/Link";
        let v = self.messenger_query(
            OP,
            "REST/AnnACorporate/Messenger/Link",
            user,
            None,
            "messengerLink",
        )?;
        link_from(OP, &v)
    }

    fn messenger_query(
        &self,
        op: &'static str,
        path: &'static str,
        user: &User,
        filter: Option<&MessengerFilter>,
        payload: &'static str,
    ) -> Result<Value> {
        let (id, doc_type, doc_value) = user.wire()?;
        if let Some(f) = filter {
            f.check()?;
        }
        self.post(
            op,
            path,
            &MessengerBody {
                hash: self.inner.vendor.hash(),
                user_id: id,
                user_doc_type: doc_type,
                user_doc_value: doc_value,
                messenger_filters: filter.map(MessengerFilter::wire),
            },
            payload,
        )
    }

    /// A protected call: body with the company hash, bearer token, 401 handling, and
    /// the payload field out of the answer. Every AnnA operation is documented as
    /// safe to repeat, so each is retried on transient failures.
    fn post<B: Serialize>(
        &self,
        op: &'static str,
        path: &'static str,
        body: &B,
        payload: &'static str,
    ) -> Result<Value> {
        let inner = &self.inner;
        let hash = inner.vendor.hash();
        let limits = self.limits();
        inner.authorized(&limits, |token| {
            let req = Outgoing::json(
                op,
                Method::Post,
                path,
                Some(body),
                Auth::Bearer(&token.token),
            )
            .repeatable()
            .secret(hash);
            parse_payload(&inner.http.send(&req, &limits)?, op, payload)
        })
    }
}

/// A1's answer: `data.Token` and its expiry.
pub(crate) fn parse_token(
    reply: &Reply,
    op: &'static str,
    now: SystemTime,
) -> Result<Fetched<Token>> {
    let answer = open_answer(reply, op, true)?;
    let data = answer
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| reply.unexpected(op, "`data` with `Token` and `ExpiresIn`"))?;
    let token = match json::find_text(data, &["Token"]) {
        Some(t) if !t.trim().is_empty() => Secret::new(t.trim()),
        _ => return Err(reply.unexpected(op, "`data.Token`, a non-empty string")),
    };
    let expires_in_raw = json::find_text(data, &["ExpiresIn"]);
    let expires_at = expiry(expires_in_raw.as_deref(), token.expose(), now);
    Ok(Fetched {
        value: Token {
            token,
            expires_at,
            expires_in_raw,
            raw: answer,
        },
        expires: expires_at,
    })
}

/// A2–A8's answer: `success`, then the payload field (`message` may be null).
pub(crate) fn parse_payload(reply: &Reply, op: &'static str, payload: &str) -> Result<Value> {
    let answer = open_answer(reply, op, false)?;
    match answer.get(payload) {
        Some(v) if payload == "message" || !v.is_null() => Ok(v.clone()),
        _ => Err(reply.unexpected(op, format!("a `{payload}` field"))),
    }
}

/// A5's payload: the company, its departments and their channels.
pub(crate) fn structure_from(op: &'static str, v: Value) -> Result<MessengerStructure> {
    let empty = Map::new();
    let m = v
        .as_object()
        .ok_or_else(|| unexpected_payload(op, "`structure` as an object", &v))?;
    let list = |m: &Map<String, Value>, keys: &[&str]| -> Vec<Value> {
        json::find(m, keys)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let departments = list(m, &["Departments", "Departamentos"])
        .into_iter()
        .map(|d| {
            let dm = d.as_object().unwrap_or(&empty);
            Department {
                alias: json::find_text(dm, &["Alias", "DepartmentAlias"]).unwrap_or_default(),
                name: json::find_text(dm, &["Name", "DepartmentName", "Nome"]).unwrap_or_default(),
                channels: list(dm, &["Channels", "Canais"])
                    .into_iter()
                    .map(|c| {
                        let cm = c.as_object().unwrap_or(&empty);
                        Channel {
                            alias: json::find_text(cm, &["Alias", "ChannelAlias"])
                                .unwrap_or_default(),
                            name: json::find_text(cm, &["Name", "ChannelName", "Nome"])
                                .unwrap_or_default(),
                            raw: c.clone(),
                        }
                    })
                    .collect(),
                raw: d.clone(),
            }
        })
        .collect();
    Ok(MessengerStructure {
        companies_hash: json::find_text(m, &["CompaniesHash"]).unwrap_or_default(),
        companies_name: json::find_text(m, &["CompaniesName"]).unwrap_or_default(),
        departments,
        raw: v.clone(),
    })
}

/// A6's payload: a whole number, as a JSON number or a string.
pub(crate) fn alert_counter_from(op: &'static str, v: &Value) -> Result<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| unexpected_payload(op, "`alertCounter`, a whole number", v))
}

/// A7's payload: a list of requests (`null` is an empty list).
pub(crate) fn requests_from(op: &'static str, v: Value) -> Result<MessengerRequests> {
    let items = match &v {
        Value::Array(items) => items.iter().map(MessengerRequest::from_value).collect(),
        Value::Null => Vec::new(),
        _ => return Err(unexpected_payload(op, "`userRequests`, a list", &v)),
    };
    Ok(MessengerRequests { items, raw: v })
}

/// A8's payload: a non-empty URL.
pub(crate) fn link_from(op: &'static str, v: &Value) -> Result<String> {
    match v.as_str().map(str::trim) {
        Some(link) if !link.is_empty() => Ok(link.to_owned()),
        _ => Err(unexpected_payload(
            op,
            "`messengerLink`, a non-empty URL",
            v,
        )),
    }
}

fn unexpected_payload(operation: &'static str, expected: &str, got: &Value) -> Error {
    Error::UnexpectedResponse {
        operation,
        status: 200,
        expected: expected.to_owned(),
        excerpt: crate::secret::scrub(
            &crate::secret::mask_json_values(&got.to_string()),
            &[],
            crate::http::EXCERPT_CHARS,
        ),
    }
}

pub(crate) fn access_data(op: &'static str, v: Value) -> Result<AccessData> {
    let m = v
        .as_object()
        .ok_or_else(|| unexpected_payload(op, "`accessData` as an object", &v))?;
    let hash = match json::find_text(m, &["Hash"]) {
        Some(h) if !h.is_empty() => Secret::new(h),
        // No hash in it: what came holds no secret and is shown as it is.
        _ => {
            return Err(unexpected_payload(
                op,
                "`accessData.Hash`, a non-empty string",
                &v,
            ))
        }
    };
    let expires_raw = json::find_text(m, &["Expires"]).unwrap_or_default();
    Ok(AccessData {
        hash,
        chat_url: json::find_text(m, &["ChatURL"]).unwrap_or_default(),
        embedded_url: json::find_text(m, &["EmbeddedURL"]).unwrap_or_default(),
        expires: LocalDateTime::parse_compact(expires_raw.trim()).ok(),
        expires_raw,
        raw: v.clone(),
    })
}

impl Anna {
    /// The company hash every protected body carries.
    fn hash(&self) -> &str {
        self.credentials.company_hash.expose()
    }

    fn get_token(
        &self,
        http: &Http,
        limits: &CallLimits,
        now: SystemTime,
    ) -> Result<Fetched<Token>> {
        const OP: &str = "AnnA GetToken";
        let c = &self.credentials;
        non_empty("company_hash", c.company_hash.expose())?;
        non_empty("user", &c.user)?;
        if c.pass.is_empty() {
            return Err(Error::invalid_input("pass", "must not be empty"));
        }
        let body = GetTokenBody {
            hash: c.company_hash.expose(),
            user: &c.user,
            pass: c.pass.expose(),
        };
        let req = Outgoing::json(
            OP,
            Method::Post,
            "REST/Credentials/GetToken",
            Some(&body),
            Auth::None,
        )
        .repeatable()
        .secret(c.pass.expose())
        .secret(c.company_hash.expose());
        log::info!(target: "tokenbridge", "{OP}: getting a token for {}", c.user);
        parse_token(&http.send(&req, limits)?, OP, now)
    }
}

/// When an AnnA token expires: `ExpiresIn` as seconds (number or string) or as a
/// date-time; a date-time without zone is trusted only when the JWT has no `exp`.
pub(crate) fn expiry(expires_in: Option<&str>, token: &str, now: SystemTime) -> Option<SystemTime> {
    let from_jwt = jwt::expiry(token);
    let Some(raw) = expires_in.map(str::trim).filter(|s| !s.is_empty()) else {
        return from_jwt;
    };
    let compact_date_time = raw.len() == 14 && raw.bytes().all(|b| b.is_ascii_digit());
    if let (false, Ok(secs)) = (compact_date_time, raw.parse::<f64>()) {
        if secs > 0.0 && secs.is_finite() && secs < 10.0 * 365.0 * 86_400.0 {
            return Some(now + Duration::from_secs_f64(secs));
        }
        return from_jwt;
    }
    match parse_date_time(raw) {
        Some(p) => match p.offset {
            Some(offset) => p.local.to_system_time(offset),
            None => from_jwt.or_else(|| p.local.to_system_time(0)),
        },
        None => from_jwt,
    }
}

/// Checks AnnA's `{success, message}` and returns the parsed answer.
pub(crate) fn open_answer(reply: &Reply, op: &'static str, is_login: bool) -> Result<Value> {
    if reply.status == 401 && !is_login {
        return Err(reply.status_error(op));
    }
    let parsed: Option<Value> = serde_json::from_str(reply.body.trim()).ok();
    let obj = parsed.as_ref().and_then(Value::as_object);
    let success = obj
        .and_then(|o| json::find(o, &["success"]))
        .and_then(|s| match s {
            Value::Bool(b) => Some(*b),
            Value::String(s) => Some(s.eq_ignore_ascii_case("true")),
            _ => None,
        });
    let message = obj
        .and_then(|o| json::find_text(o, &["message"]))
        .filter(|m| !m.trim().is_empty());
    match success {
        Some(false) => Err(Error::Rejected {
            operation: op,
            api: Api::Anna,
            status: reply.status,
            message: reply.scrub(
                message
                    .as_deref()
                    .unwrap_or("success: false, without a message"),
            ),
        }),
        _ if !reply.is_success() => {
            if is_login && matches!(reply.status, 401 | 403) {
                return Err(Error::Rejected {
                    operation: op,
                    api: Api::Anna,
                    status: reply.status,
                    message: format!(
                        "the credentials were refused (HTTP {}){}",
                        reply.status,
                        message
                            .map(|m| format!(": {}", reply.scrub(&m)))
                            .unwrap_or_default()
                    ),
                });
            }
            Err(reply.status_error(op))
        }
        Some(true) => Ok(parsed.expect("success was read from it")),
        None => Err(reply.unexpected(op, "a JSON object with `success` and `message`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    /// The one-pass reading gives what the full reading gives, for answers it takes
    /// and for answers it hands on.
    #[test]
    fn expiry_sources() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let jwt = jwt::make_unsigned(&json!({"exp": 1_000_500}));
        let at = |s| UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(expiry(Some("3600"), &jwt, now), Some(at(1_003_600)));
        assert_eq!(expiry(Some(" 60 "), "x", now), Some(at(1_000_060)));
        assert_eq!(
            expiry(Some("1970-01-12T14:00:00Z"), "x", now),
            Some(at(1_000_800))
        );
        assert_eq!(
            expiry(Some("1970-01-12T14:00:00"), &jwt, now),
            Some(at(1_000_500))
        );
        assert_eq!(expiry(Some("soon"), &jwt, now), Some(at(1_000_500)));
        // The compact form AnnA uses for `Expires` is a date-time, not seconds.
        assert_eq!(
            expiry(Some("19700112140000"), &jwt, now),
            Some(at(1_000_500))
        );
        assert_eq!(
            expiry(Some("19700112140000"), "x", now),
            Some(at(1_000_800))
        );
        assert_eq!(expiry(None, &jwt, now), Some(at(1_000_500)));
        assert_eq!(expiry(Some("-5"), "x", now), None);
        assert_eq!(expiry(None, "x", now), None);
    }

    #[test]
    fn user_wire() {
        assert_eq!(User::id("7").wire().unwrap(), ("7", "", ""));
        assert_eq!(
            User::document("CPF", "123").wire().unwrap(),
            ("", "CPF", "123")
        );
        let e = User::document("", "123").wire().unwrap_err();
        assert!(e.to_string().contains("user_doc_type"));
    }

    #[test]
    fn request_fields_found_in_any_spelling() {
        let r = MessengerRequest::from_value(&json!({
            "departamento": "Vendas", "Canal": "WhatsApp", "protocolo": 123,
            "Status": "A", "Pendente": "S", "Link": "https://x/1", "other": true
        }));
        assert_eq!(r.department.as_deref(), Some("Vendas"));
        assert_eq!(r.protocol.as_deref(), Some("123"));
        assert_eq!(r.status_kind, Some(RequestStatus::Open));
        assert_eq!(r.pending, Some(true));
        assert_eq!(r.raw["other"], true);
    }
}
