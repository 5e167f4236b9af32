//! Yativo on the wire: the login body, the `Idempotency-Key`, and the readers of its
//! envelope.

use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::models::AccessToken;
use crate::client::Fetched;
use crate::error::{Api, Error, Result};
use crate::http::TextAnswer;
use crate::json;
use crate::jwt;
use crate::secret::Secret;

/// `auth/login`'s body.
#[derive(serde::Serialize)]
pub(super) struct LoginBody<'a> {
    pub(super) account_id: &'a str,
    pub(super) app_secret: &'a str,
}

/// A fresh key for one logical call: a UUID v4.
pub(super) fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Token lifetime the vendor documents, used when an answer gives none.
pub(super) const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);

/// The longest `expires_in` believed (ten years); a longer one is treated as missing.
pub(super) const MAX_LIFETIME_SECS: i64 = 10 * 365 * 86_400;

/// Y1's and Y2's answer: the envelope, then `data.access_token` and its expiry.
pub(crate) fn parse_token(
    reply: &TextAnswer,
    op: &'static str,
    is_login: bool,
    now: SystemTime,
) -> Result<Fetched<AccessToken>> {
    let (envelope, data) = open_envelope(reply, op, is_login)?;
    let Some(map) = data.as_object() else {
        return Err(reply.unexpected(op, "`data` holding an object with `access_token`"));
    };
    let access_token = match map.get("access_token").and_then(Value::as_str) {
        Some(t) if !t.trim().is_empty() => Secret::new(t.trim()),
        _ => return Err(reply.unexpected(op, "`data.access_token`, a non-empty string")),
    };
    let expires_at = match json::integer(map, "expires_in") {
        Some(secs) if secs <= 0 => {
            return Err(reply.unexpected(op, "`data.expires_in`, a positive number of seconds"))
        }
        Some(secs) if secs <= MAX_LIFETIME_SECS => now + Duration::from_secs(secs as u64),
        // Missing, or too long to be true (`1e300` once overflowed the clock and
        // panicked): the JWT's own `exp`, else the documented lifetime.
        _ => jwt::expiry(access_token.expose()).unwrap_or(now + DEFAULT_LIFETIME),
    };
    let token = AccessToken {
        token_type: json::text(map, "token_type").unwrap_or_else(|| "bearer".to_owned()),
        expires_in: expires_at.duration_since(now).unwrap_or_default().as_secs(),
        expires_at,
        access_token,
        raw: envelope,
    };
    Ok(Fetched {
        value: token,
        expires: Some(expires_at),
    })
}

/// Yativo's reason in an error answer: `data.error` when it is a string; a 422's
/// `data` of field → messages joined as `field: message; ...`; else `message`.
pub(crate) fn reason(body: &str) -> Option<String> {
    let parsed: Value = serde_json::from_str(body.trim()).ok()?;
    let envelope = parsed.as_object()?;
    let from_data = match envelope.get("data") {
        Some(Value::Object(data)) => match data.get("error") {
            Some(Value::String(e)) if !e.trim().is_empty() => Some(e.trim().to_owned()),
            _ => field_messages(data),
        },
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    };
    from_data.or_else(|| json::text(envelope, "message").filter(|m| !m.trim().is_empty()))
}

/// A validation answer's `{"field": ["message", ...], ...}` as one readable line.
fn field_messages(data: &serde_json::Map<String, Value>) -> Option<String> {
    let mut parts = Vec::new();
    for (field, messages) in data {
        let texts: Vec<String> = match messages {
            Value::Array(items) => items
                .iter()
                .filter_map(|m| m.as_str().map(str::to_owned))
                .collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        };
        if !texts.is_empty() {
            parts.push(format!("{field}: {}", texts.join(" ")));
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Checks a Yativo envelope and returns it with its `data`.
pub(crate) fn open_envelope(
    reply: &TextAnswer,
    op: &'static str,
    is_login: bool,
) -> Result<(Value, Value)> {
    let parsed: Option<Value> = serde_json::from_str(reply.body.trim()).ok();
    let envelope = parsed.as_ref().and_then(Value::as_object);
    let status = envelope
        .and_then(|e| e.get("status"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let status = status.as_deref();
    let why = reason(&reply.body).map(|m| reply.scrub(&m));

    if reply.status == 401 && !is_login {
        return Err(reply.status_error(op));
    }
    // Throttled or failing after the retries: the server's state, not a refusal.
    if reply.status == 429 || reply.status >= 500 {
        return Err(reply.status_error(op));
    }
    let failed = !reply.is_success() || status.is_some_and(|s| !s.eq_ignore_ascii_case("success"));
    if failed {
        return match (status, why) {
            (_, Some(m)) if envelope.is_some() => Err(Error::Rejected {
                operation: op,
                api: Api::Yativo,
                status: reply.status,
                message: m,
            }),
            (Some(s), None) => Err(Error::Rejected {
                operation: op,
                api: Api::Yativo,
                status: reply.status,
                message: format!("status `{}` without a message", reply.scrub(s)),
            }),
            _ if is_login && matches!(reply.status, 401 | 403) => Err(Error::Rejected {
                operation: op,
                api: Api::Yativo,
                status: reply.status,
                message: format!("the credentials were refused (HTTP {})", reply.status),
            }),
            _ => Err(reply.status_error(op)),
        };
    }
    if status.is_none() {
        return Err(reply.unexpected(op, "a JSON envelope with `status`: \"success\""));
    }
    let parsed = parsed.unwrap_or_default();
    let data = parsed.get("data").cloned().unwrap_or(Value::Null);
    Ok((parsed, data))
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_from_data_first() {
        let r = |b: &str| reason(b);
        assert_eq!(
            r(r#"{"status":"failed","message":"Request failed.","data":{"error":"Invalid login credentials"}}"#).as_deref(),
            Some("Invalid login credentials")
        );
        assert_eq!(
            r(r#"{"status":"failed","message":"Request failed.","data":{"account_id":["The account id field is required."],"amount":["The amount must be a number.","The amount is too small."]}}"#).as_deref(),
            Some("account_id: The account id field is required.; amount: The amount must be a number. The amount is too small.")
        );
        assert_eq!(
            r(r#"{"status":"failed","message":"Too many attempts","data":null}"#).as_deref(),
            Some("Too many attempts")
        );
        assert_eq!(r("<html>"), None);
    }
}
