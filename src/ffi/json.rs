//! The JSON shapes of the C API: structured answers out (agent profile, access
//! data, messenger structure, requests) and JSON arguments in (messenger filters,
//! form bodies). These shapes are part of the stable contract (`docs/c-api.md`).

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::anna::{
    AccessData, MessengerFilter, MessengerRequests, MessengerStructure, RequestStatus,
};
use crate::error::{Error, Result};
use crate::time::Date;
use crate::ucontact::AgentProfile;

/// The agent profile as the server sent it, minus `secret` and `md5secret`.
pub(crate) fn agent_profile(p: &AgentProfile) -> String {
    p.to_json_without_sip_secrets().to_string()
}

#[derive(Serialize)]
struct AccessDataJson<'a> {
    hash: &'a str,
    chat_url: &'a str,
    embedded_url: &'a str,
    expires: Option<String>,
    expires_raw: &'a str,
}

/// `{"hash", "chat_url", "embedded_url", "expires": "yyyy-MM-ddThh:mm:ss" | null,
/// "expires_raw"}`.
pub(crate) fn access_data(a: &AccessData) -> String {
    to_string(&AccessDataJson {
        hash: a.hash.expose(),
        chat_url: &a.chat_url,
        embedded_url: &a.embedded_url,
        expires: a.expires.map(|t| t.to_string()),
        expires_raw: &a.expires_raw,
    })
}

#[derive(Serialize)]
struct ChannelJson<'a> {
    alias: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct DepartmentJson<'a> {
    alias: &'a str,
    name: &'a str,
    channels: Vec<ChannelJson<'a>>,
}

#[derive(Serialize)]
struct StructureJson<'a> {
    companies_hash: &'a str,
    companies_name: &'a str,
    departments: Vec<DepartmentJson<'a>>,
    raw: &'a Value,
}

/// `{"companies_hash", "companies_name", "departments": [{"alias", "name",
/// "channels": [{"alias", "name"}]}], "raw"}`.
pub(crate) fn structure(s: &MessengerStructure) -> String {
    to_string(&StructureJson {
        companies_hash: &s.companies_hash,
        companies_name: &s.companies_name,
        departments: s
            .departments
            .iter()
            .map(|d| DepartmentJson {
                alias: &d.alias,
                name: &d.name,
                channels: d
                    .channels
                    .iter()
                    .map(|c| ChannelJson {
                        alias: &c.alias,
                        name: &c.name,
                    })
                    .collect(),
            })
            .collect(),
        raw: s.raw(),
    })
}

#[derive(Serialize)]
struct RequestJson<'a> {
    department: Option<&'a str>,
    channel: Option<&'a str>,
    description: Option<&'a str>,
    opened_at: Option<&'a str>,
    protocol: Option<&'a str>,
    status: Option<&'a str>,
    pending: Option<bool>,
    link: Option<&'a str>,
    raw: &'a Value,
}

#[derive(Serialize)]
struct RequestsJson<'a> {
    items: Vec<RequestJson<'a>>,
}

/// `{"items": [{"department", "channel", "description", "opened_at", "protocol",
/// "status", "pending", "link", "raw"}]}`.
pub(crate) fn requests(r: &MessengerRequests) -> String {
    to_string(&RequestsJson {
        items: r
            .items
            .iter()
            .map(|i| RequestJson {
                department: i.department.as_deref(),
                channel: i.channel.as_deref(),
                description: i.description.as_deref(),
                opened_at: i.opened_at.as_deref(),
                protocol: i.protocol.as_deref(),
                status: i.status.as_deref(),
                pending: i.pending,
                link: i.link.as_deref(),
                raw: &i.raw,
            })
            .collect(),
    })
}

fn to_string(v: &impl Serialize) -> String {
    // Serialising these plain structs (strings, options, `Value`s) cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterJson {
    department_alias: Option<String>,
    channel_alias: Option<String>,
    date_from: Option<String>,
    date_to: Option<String>,
    status: Option<String>,
    pending: Option<bool>,
}

const FILTER_ARG: &str = "filter_json";

/// Parses a `filter_json` argument: NULL or `""` is no filter; else an object with
/// the optional keys `department_alias`, `channel_alias`, `date_from`, `date_to`
/// (`yyyy-MM-dd` or `dd/MM/yyyy`), `status` (`"open"` / `"closed"`) and `pending`
/// (bool). Unknown keys are refused.
pub(crate) fn messenger_filter(text: Option<&str>) -> Result<MessengerFilter> {
    let text = match text {
        Some(t) if !t.trim().is_empty() => t,
        _ => return Ok(MessengerFilter::default()),
    };
    let f: FilterJson = serde_json::from_str(text)
        .map_err(|e| Error::invalid_input(FILTER_ARG, format!("is not a valid filter: {e}")))?;
    let date = |key: &str, v: Option<String>| -> Result<Option<Date>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(d) => Date::parse(d).map(Some).map_err(|_| {
                Error::invalid_input(
                    FILTER_ARG,
                    format!("`{key}`: `{d}` is not a date written yyyy-MM-dd or dd/MM/yyyy"),
                )
            }),
        }
    };
    let date_from = date("date_from", f.date_from)?;
    let date_to = date("date_to", f.date_to)?;
    if let (Some(from), Some(to)) = (date_from, date_to) {
        if from > to {
            return Err(Error::invalid_input(
                FILTER_ARG,
                format!("`date_from` {from} is after `date_to` {to}"),
            ));
        }
    }
    let status = match f.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) if s.eq_ignore_ascii_case("open") => Some(RequestStatus::Open),
        Some(s) if s.eq_ignore_ascii_case("closed") => Some(RequestStatus::Closed),
        Some(other) => {
            return Err(Error::invalid_input(
                FILTER_ARG,
                format!("`status`: `{other}` is neither \"open\" nor \"closed\""),
            ))
        }
    };
    let text_field = |v: Option<String>| v.filter(|s| !s.is_empty());
    Ok(MessengerFilter {
        department_alias: text_field(f.department_alias),
        channel_alias: text_field(f.channel_alias),
        date_from,
        date_to,
        status,
        pending: f.pending,
    })
}

/// Form fields in the order the JSON object lists them.
struct OrderedFields(Vec<(String, String)>);

impl<'de> Deserialize<'de> for OrderedFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = OrderedFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object whose values are strings")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<OrderedFields, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    fields.push((k, v));
                }
                Ok(OrderedFields(fields))
            }
        }
        d.deserialize_map(FieldsVisitor)
    }
}

/// Parses a form body given as a JSON object of string values, keeping the order
/// of its fields.
pub(crate) fn form_fields(text: &str) -> Result<Vec<(String, String)>> {
    serde_json::from_str::<OrderedFields>(text)
        .map(|f| f.0)
        .map_err(|e| {
            Error::invalid_input(
                "body",
                format!(
                    "is not a JSON object of string values (TB_BODY_FORM): {}",
                    strip_position(&e)
                ),
            )
        })
}

/// Parses a JSON body.
pub(crate) fn json_body(text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        Error::invalid_input(
            "body",
            format!("is not valid JSON (TB_BODY_JSON): {}", strip_position(&e)),
        )
    })
}

/// serde_json's message without quoting any of the text (a body may hold
/// secrets), plus where it went wrong.
fn strip_position(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong type",
        serde_json::error::Category::Eof => "unexpected end",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_and_refuse_unknown_keys() {
        let f = messenger_filter(Some(
            r#"{"department_alias":"SAC","date_from":"2024-01-01","date_to":"31/12/2024","status":"closed","pending":false}"#,
        ))
        .unwrap();
        assert_eq!(f.department_alias.as_deref(), Some("SAC"));
        assert_eq!(f.date_to, Some(Date::new(2024, 12, 31).unwrap()));
        assert_eq!(f.status, Some(RequestStatus::Closed));
        assert_eq!(f.pending, Some(false));
        assert_eq!(
            messenger_filter(Some("")).unwrap(),
            MessengerFilter::default()
        );
        assert_eq!(messenger_filter(None).unwrap(), MessengerFilter::default());
        for bad in [
            r#"{"colour":"red"}"#,
            r#"{"status":"maybe"}"#,
            r#"{"date_from":"2024-13-01"}"#,
            r#"{"date_from":"2024-02-01","date_to":"2024-01-01"}"#,
            "[1]",
            "{",
        ] {
            let e = messenger_filter(Some(bad)).unwrap_err();
            assert!(e.to_string().contains("`filter_json`"), "{bad}: {e}");
        }
    }

    #[test]
    fn form_fields_keep_their_order() {
        let f = form_fields(r#"{"z":"1","a":"2","z":"3"}"#).unwrap();
        assert_eq!(
            f,
            vec![
                ("z".to_owned(), "1".to_owned()),
                ("a".to_owned(), "2".to_owned()),
                ("z".to_owned(), "3".to_owned())
            ]
        );
        let e = form_fields(r#"{"password":5}"#).unwrap_err();
        assert!(e.to_string().contains("`body`"), "{e}");
        let e = json_body(r#"{"secret": "hunter2"#).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
