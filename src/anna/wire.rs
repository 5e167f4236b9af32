//! AnnA on the wire: the request bodies, serialised straight from borrowed fields
//! (no `Value` tree, no copies per call), and the readers of its answers.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Map, Value};

use super::models::{
    AccessData, Channel, Department, MessengerFilter, MessengerRequest, MessengerRequests,
    MessengerStructure, RequestStatus, Token, User,
};
use crate::client::Fetched;
use crate::error::{Api, Error, Result};
use crate::http::TextAnswer;
use crate::json;
use crate::jwt;
use crate::secret::Secret;
use crate::time::{parse_date_time, Date, LocalDateTime};

impl User {
    /// The user as `userId`, `userDocType` and `userDocValue` (the unused ones empty).
    pub(super) fn wire(&self) -> Result<(&str, &str, &str)> {
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

impl RequestStatus {
    /// The status as `status` carries it.
    pub(super) fn wire(self) -> &'static str {
        match self {
            RequestStatus::Open => "A",
            RequestStatus::Closed => "E",
        }
    }
}

impl MessengerFilter {
    /// The `messengerFilters` object, borrowed from the filter and written straight
    /// into a request body.
    pub(super) fn wire(&self) -> WireFilter<'_> {
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
}

/// The request bodies of AnnA's protected calls, serialised straight from borrowed
/// fields: no `Value` tree and no copies per call.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireFilter<'a> {
    pub(super) department_alias: &'a str,
    pub(super) channel_alias: &'a str,
    pub(super) data_ini: WireDate,
    pub(super) data_fim: WireDate,
    pub(super) status: &'static str,
    pub(super) pendentes: &'static str,
}

/// A filter date as `dd/MM/yyyy`, or `""` for none.
pub(super) struct WireDate(Option<Date>);

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
pub(super) struct MessengerBody<'a> {
    pub(super) hash: &'a str,
    pub(super) user_id: &'a str,
    pub(super) user_doc_type: &'a str,
    pub(super) user_doc_value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) messenger_filters: Option<WireFilter<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UserBody<'a> {
    pub(super) hash: &'a str,
    pub(super) user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) user_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) start_service: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct HashBody<'a> {
    pub(super) hash: &'a str,
}

#[derive(Serialize)]
pub(super) struct GetTokenBody<'a> {
    pub(super) hash: &'a str,
    pub(super) user: &'a str,
    pub(super) pass: &'a str,
}

pub(super) fn non_empty(argument: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid_input(argument, "must not be empty"))
    } else {
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
    use serde_json::json;
    use std::time::{Duration, UNIX_EPOCH};

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
}
