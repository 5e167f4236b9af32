//! What goes to stdout: a token in the format a script asked for, and the typed
//! answers of the 13 operations as JSON.

use std::time::SystemTime;

use crate::anna::{AccessData, MessengerRequests, MessengerStructure, RequestStatus};
use crate::{ucontact, yativo};
use serde_json::{json, Value};

use super::args::TokenFormat;
use super::clients::TokenInfo;

/// RFC 3339 in UTC, e.g. `2026-12-07T15:00:00Z`.
pub fn rfc3339(t: SystemTime) -> Option<String> {
    jiff::Timestamp::try_from(t).ok().map(|ts| ts.to_string())
}

fn seconds_left(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::now())
        .unwrap_or_default()
        .as_secs()
}

/// `value` single-quoted for a POSIX shell.
fn sh_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `value` single-quoted for PowerShell.
fn ps_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The lines `tokenbridge token` prints.
pub fn token(info: &TokenInfo, format: TokenFormat, name: &str, profile: &str) -> String {
    let t = info.token.expose();
    let expires = info.expires_at.and_then(rfc3339);
    match format {
        TokenFormat::Raw => format!("{t}\n"),
        TokenFormat::Header => format!("Authorization: {} {t}\n", info.scheme),
        TokenFormat::Json => {
            let v = json!({
                "profile": profile,
                "token": t,
                "scheme": info.scheme,
                "authorization": format!("{} {t}", info.scheme),
                "expires_at": expires,
                "expires_in": info.expires_at.map(seconds_left),
            });
            format!("{v:#}\n")
        }
        TokenFormat::Env => {
            let mut s = format!("export {name}={}\n", sh_quote(t));
            if let Some(e) = &expires {
                s.push_str(&format!("export {name}_EXPIRES_AT={}\n", sh_quote(e)));
            }
            s
        }
        TokenFormat::Powershell => {
            let mut s = format!("$env:{name} = {}\n", ps_quote(t));
            if let Some(e) = &expires {
                s.push_str(&format!("$env:{name}_EXPIRES_AT = {}\n", ps_quote(e)));
            }
            s
        }
        TokenFormat::Cmd => {
            // Tokens are base64 or JWT text: none of cmd's special characters.
            let mut s = format!("set \"{name}={t}\"\r\n");
            if let Some(e) = &expires {
                s.push_str(&format!("set \"{name}_EXPIRES_AT={e}\"\r\n"));
            }
            s
        }
    }
}

/// Y1 and Y2.
pub fn yativo_token(t: &yativo::AccessToken) -> Value {
    json!({
        "access_token": t.access_token.expose(),
        "token_type": t.token_type,
        "expires_in": t.expires_in,
        "expires_at": rfc3339(t.expires_at),
    })
}

/// A1.
pub fn anna_token(t: &crate::anna::Token) -> Value {
    json!({
        "token": t.token.expose(),
        "expires_at": t.expires_at.and_then(rfc3339),
        "expires_in_raw": t.expires_in_raw,
    })
}

/// U2: the profile as the server sent it, without its SIP secrets.
pub fn agent_profile(p: &ucontact::AgentProfile) -> Value {
    p.to_json_without_sip_secrets()
}

/// A2 and A3.
pub fn access_data(a: &AccessData) -> Value {
    json!({
        "hash": a.hash.expose(),
        "chat_url": a.chat_url,
        "embedded_url": a.embedded_url,
        "expires": a.expires.map(|e| e.to_string()),
        "expires_raw": a.expires_raw,
    })
}

/// A5, without `CompaniesHash` (the company hash, a credential).
pub fn structure(s: &MessengerStructure) -> Value {
    json!({
        "companies_name": s.companies_name,
        "departments": s.departments.iter().map(|d| json!({
            "alias": d.alias,
            "name": d.name,
            "channels": d.channels.iter().map(|c| json!({"alias": c.alias, "name": c.name})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// A7: the typed fields, and every field as it came under `raw`.
pub fn requests(r: &MessengerRequests) -> Value {
    Value::Array(
        r.items
            .iter()
            .map(|i| {
                json!({
                    "department": i.department,
                    "channel": i.channel,
                    "description": i.description,
                    "opened_at": i.opened_at,
                    "protocol": i.protocol,
                    "status": i.status_kind.map(|s| match s {
                        RequestStatus::Open => "open",
                        RequestStatus::Closed => "closed",
                    }),
                    "pending": i.pending,
                    "link": i.link,
                    "raw": i.raw,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_for_each_shell() {
        assert_eq!(sh_quote("a'b"), r"'a'\''b'");
        assert_eq!(ps_quote("a'b"), "'a''b'");
        assert_eq!(
            rfc3339(SystemTime::UNIX_EPOCH).as_deref(),
            Some("1970-01-01T00:00:00Z")
        );
    }
}
