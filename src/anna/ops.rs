//! AnnA's calls (A1–A8) and the parsers of their answers.

use serde::Serialize;
use serde_json::{Map, Value};
use std::time::SystemTime;

use super::models::{
    AccessData, Channel, Department, MessengerFilter, MessengerRequest, MessengerRequests,
    MessengerStructure, RequestStatus, Token, User,
};
use super::wire::{non_empty, HashBody, MessengerBody, UserBody};
use super::{expiry, Client};
use crate::client::Fetched;
use crate::error::{Api, Error, Result};
use crate::http::{Auth, Method, Outgoing, TextAnswer};
use crate::json;
use crate::secret::Secret;
use crate::time::LocalDateTime;

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
    reply: &TextAnswer,
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
pub(crate) fn parse_payload(reply: &TextAnswer, op: &'static str, payload: &str) -> Result<Value> {
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

/// Checks AnnA's `{success, message}` and returns the parsed answer.
pub(crate) fn open_answer(reply: &TextAnswer, op: &'static str, is_login: bool) -> Result<Value> {
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

impl MessengerRequest {
    pub(super) fn from_value(v: &Value) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
