//! AnnA's public answers and inputs: credentials, tokens, access data, users,
//! filters and the messenger's structure and requests.

use std::fmt;
use std::time::SystemTime;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::time::{Date, LocalDateTime};

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
    pub(super) raw: Value,
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
    pub(super) raw: Value,
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
}

/// A messenger request's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Open (`A`).
    Open,
    /// Closed (`E`).
    Closed,
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

    pub(super) fn check(&self) -> Result<()> {
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
    pub(super) raw: Value,
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

/// A user's messenger requests.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MessengerRequests {
    /// The requests, in the server's order.
    pub items: Vec<MessengerRequest>,
    pub(super) raw: Value,
}

impl MessengerRequests {
    /// The `userRequests` array as it came.
    pub fn raw(&self) -> &Value {
        &self.raw
    }
}
