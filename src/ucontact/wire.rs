//! uContact on the wire: the paths of its three calls, and the readers of their
//! answers (most failures come as HTTP 200 with a body of `0` or `Error ...`).

use serde_json::Value;

use super::models::AgentProfile;
use crate::error::{Api, Error, Result};
use crate::http::TextAnswer;
use crate::json;
use crate::secret::Secret;

pub(super) const GET_USER_TOKEN: &str = "Integra/resources/auth/getUserToken";
pub(super) const AGENT_LOGIN: &str = "Integra/resources/auth/AgentLogin";
pub(super) const END_SESSION: &str = "Integra/resources/auth/EndSession";

/// U1's answer: the token, as a JSON string or the last element of an array.
pub(crate) fn parse_user_token(reply: &TextAnswer, operation: &'static str) -> Result<Secret> {
    let value = login_body(reply, operation)?;
    let token = match &value {
        Value::String(s) => Some(s.as_str()),
        Value::Array(items) => items.last().and_then(Value::as_str),
        _ => None,
    };
    match token.map(str::trim) {
        Some(t) if !t.is_empty() && t != "0" => Ok(Secret::new(t)),
        _ => Err(reply.unexpected(
            operation,
            "a JSON string holding the token, or an array whose last element is the token",
        )),
    }
}

/// U2's answer: the agent's profile, with a non-empty `token`.
pub(crate) fn parse_agent_login(
    reply: &TextAnswer,
    operation: &'static str,
) -> Result<AgentProfile> {
    let value = login_body(reply, operation)?;
    let Some(map) = value.as_object() else {
        return Err(reply.unexpected(operation, "a JSON object with the agent's profile"));
    };
    let token = match json::text(map, "token") {
        Some(t) if !t.trim().is_empty() => Secret::new(t.trim()),
        _ => {
            return Err(reply.unexpected(operation, "a profile with a non-empty `token` field"));
        }
    };
    Ok(AgentProfile::from_map(map, value.clone(), token))
}

/// U3's answer: any text but `0` / `Error...`, with a 2xx status.
pub(crate) fn parse_end_session(reply: &TextAnswer, operation: &'static str) -> Result<()> {
    if let Some(message) = vendor_error(&reply.body) {
        return Err(rejected(
            reply,
            operation,
            message,
            "the session was not ended (unknown or already ended token)",
        ));
    }
    if !reply.is_success() {
        return Err(reply.status_error(operation));
    }
    Ok(())
}

/// A generic call's answer that says no (`0` or `Error...`).
pub(crate) fn call_refusal(reply: &TextAnswer, operation: &'static str) -> Option<Error> {
    vendor_error(&reply.body)
        .map(|m| rejected(reply, operation, m, "the resource refused the call"))
}

/// `0` or `Error...` in the body, whatever the HTTP status.
pub(crate) fn vendor_error(body: &str) -> Option<String> {
    let text = body.trim();
    let text = match serde_json::from_str::<Value>(text) {
        Ok(Value::String(s)) => s,
        Ok(Value::Number(n)) if n.as_i64() == Some(0) => "0".to_owned(),
        _ => text.to_owned(),
    };
    let text = text.trim();
    if text == "0"
        || text
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case("error"))
    {
        Some(text.to_owned())
    } else {
        None
    }
}

fn rejected(
    reply: &TextAnswer,
    operation: &'static str,
    message: String,
    meaning_of_zero: &str,
) -> Error {
    let message = if message == "0" {
        format!("the server answered `0`: {meaning_of_zero}")
    } else {
        reply.scrub(&message)
    };
    Error::Rejected {
        operation,
        api: Api::UContact,
        status: reply.status,
        message,
    }
}

/// The JSON of a login answer, or the error it stands for.
fn login_body(reply: &TextAnswer, operation: &'static str) -> Result<Value> {
    if let Some(message) = vendor_error(&reply.body) {
        return Err(rejected(
            reply,
            operation,
            message,
            "wrong user or password, or the user may not log in",
        ));
    }
    if reply.status == 401 || reply.status == 403 {
        return Err(Error::Rejected {
            operation,
            api: Api::UContact,
            status: reply.status,
            message: format!(
                "the credentials were refused (HTTP {}): {}",
                reply.status,
                reply.excerpt()
            ),
        });
    }
    if !reply.is_success() {
        return Err(reply.status_error(operation));
    }
    reply.json(operation, "JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_errors() {
        assert_eq!(vendor_error("0").as_deref(), Some("0"));
        assert_eq!(vendor_error(" 0\n").as_deref(), Some("0"));
        assert_eq!(vendor_error("\"0\"").as_deref(), Some("0"));
        assert_eq!(
            vendor_error("Error: user locked").as_deref(),
            Some("Error: user locked")
        );
        assert_eq!(vendor_error("\"ERROR bad\"").as_deref(), Some("ERROR bad"));
        assert_eq!(vendor_error("1"), None);
        assert_eq!(vendor_error("\"QWRtaW46OTgz\""), None);
    }
}
