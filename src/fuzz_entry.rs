//! Entry points for the fuzz targets in `fuzz/`: every parser of a server's answer,
//! run on arbitrary bytes without a network. Not part of the API (hidden, unstable).
//!
//! The property is that nothing panics (the C ABI's answer handles are built from
//! every parsed answer too), and that what a caller may print stays
//! printable and bounded. Each answer function takes the first byte as the HTTP
//! status (picked from the statuses the parsers treat differently) and the rest as
//! the body; a body that is not UTF-8 never reaches a parser (the transport turns it
//! into an error), so it is skipped.
#![forbid(unsafe_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::error::Error;
use crate::http::TextAnswer;
use crate::{anna, ffi, jwt, secret, time, ucontact, yativo};

/// Statuses the parsers tell apart, and a few odd ones.
const STATUSES: &[u16] = &[
    200, 201, 204, 299, 301, 302, 307, 400, 401, 403, 404, 408, 422, 429, 500, 502, 503, 504, 100,
    599,
];

/// A fixed "now" (2024-05-01T10:00:00Z), so runs are reproducible.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_714_557_600)
}

/// The secrets a call would carry: scrubbed from every message below.
const SECRETS: &[&str] = &["fuzz-password", "fuzz-token"];

fn reply(data: &[u8]) -> Option<TextAnswer<'static>> {
    let (&first, body) = data.split_first()?;
    let status = STATUSES[first as usize % STATUSES.len()];
    let body = std::str::from_utf8(body).ok()?;
    Some(TextAnswer::from_parts(status, body.to_owned(), SECRETS))
}

/// Prints an outcome the ways a caller may, and checks an error's text is bounded.
fn show<T: std::fmt::Debug>(result: &Result<T, Error>) {
    match result {
        Ok(v) => {
            let _ = format!("{v:?}");
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.chars().count() < 2_000,
                "an error message of {} characters",
                text.chars().count()
            );
            let _ = format!("{e:?}");
            let _ = (
                e.kind(),
                e.http_status(),
                e.vendor_message(),
                e.is_transient(),
            );
        }
    }
}

/// U1, uContact `getUserToken`.
pub fn ucontact_get_user_token(data: &[u8]) {
    if let Some(r) = reply(data) {
        show(&ucontact::parse_user_token(&r, "uContact getUserToken"));
    }
}

/// U2, uContact `AgentLogin`.
pub fn ucontact_agent_login(data: &[u8]) {
    if let Some(r) = reply(data) {
        let result = ucontact::parse_agent_login(&r, "uContact AgentLogin");
        if let Ok(profile) = &result {
            let _ = profile.to_json_without_sip_secrets().to_string();
            let _ = ffi::answers::tb_agent_profile::new(profile);
        }
        show(&result);
    }
}

/// U3, uContact `EndSession`.
pub fn ucontact_end_session(data: &[u8]) {
    if let Some(r) = reply(data) {
        show(&ucontact::parse_end_session(&r, "uContact EndSession"));
    }
}

/// uContact's vendor error envelope (`0` / `Error...` in any body).
pub fn ucontact_vendor_error(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ucontact::vendor_error(text);
    }
}

/// Y1, Yativo `auth/login`.
pub fn yativo_login(data: &[u8]) {
    if let Some(r) = reply(data) {
        show(&yativo::parse_token(&r, "Yativo login", true, now()).map(|f| f.value));
    }
}

/// Y2, Yativo `auth/refresh-token`.
pub fn yativo_refresh(data: &[u8]) {
    if let Some(r) = reply(data) {
        show(&yativo::parse_token(&r, "Yativo refresh-token", false, now()).map(|f| f.value));
    }
}

/// Yativo's envelope, as a login and as a protected call.
pub fn yativo_envelope(data: &[u8]) {
    if let Some(r) = reply(data) {
        show(&yativo::open_envelope(&r, "Yativo login", true));
        show(&yativo::open_envelope(&r, "Yativo call", false));
    }
}

/// A1, AnnA `GetToken` (with its `ExpiresIn` and the JWT's `exp`).
pub fn anna_get_token(data: &[u8]) {
    if let Some(r) = reply(data) {
        show(&anna::parse_token(&r, "AnnA GetToken", now()).map(|f| f.value));
    }
}

/// AnnA's `{success, message}` envelope, as a login and as a protected call.
pub fn anna_envelope(data: &[u8]) {
    if let Some(r) = reply(data) {
        show(&anna::open_answer(&r, "AnnA GetToken", true));
        show(&anna::open_answer(&r, "AnnA call", false));
    }
}

fn anna_payload<T: std::fmt::Debug>(
    data: &[u8],
    op: &'static str,
    payload: &str,
    parse: impl FnOnce(Value) -> Result<T, Error>,
) {
    if let Some(r) = reply(data) {
        let v = anna::parse_payload(&r, op, payload);
        show(&v);
        if let Ok(v) = v {
            show(&parse(v));
        }
    }
}

/// A2, AnnA `UserHash`.
pub fn anna_user_hash(data: &[u8]) {
    anna_payload(data, "AnnA UserHash", "accessData", |v| {
        anna::access_data("AnnA UserHash", v).inspect(|a| {
            ffi::answers::tb_access_data::new(a);
        })
    });
}

/// A3, AnnA `UserHashForced`.
pub fn anna_user_hash_forced(data: &[u8]) {
    anna_payload(data, "AnnA UserHashForced", "accessData", |v| {
        anna::access_data("AnnA UserHashForced", v)
    });
}

/// A4, AnnA `Inactivate`.
pub fn anna_inactivate(data: &[u8]) {
    anna_payload(data, "AnnA Inactivate", "message", |v| {
        Ok(v.as_str().unwrap_or_default().to_owned())
    });
}

/// A5, AnnA `Messenger/Structure`.
pub fn anna_structure(data: &[u8]) {
    anna_payload(data, "AnnA Messenger/Structure", "structure", |v| {
        anna::structure_from("AnnA Messenger/Structure", v).inspect(|s| {
            ffi::answers::tb_messenger_structure::new(s);
        })
    });
}

/// A6, AnnA `Messenger/AlertCounter`.
pub fn anna_alert_counter(data: &[u8]) {
    anna_payload(data, "AnnA Messenger/AlertCounter", "alertCounter", |v| {
        anna::alert_counter_from("AnnA Messenger/AlertCounter", &v)
    });
}

/// A7, AnnA `Messenger/Requests`.
pub fn anna_requests(data: &[u8]) {
    anna_payload(data, "AnnA Messenger/Requests", "userRequests", |v| {
        anna::requests_from("AnnA Messenger/Requests", v).inspect(|r| {
            ffi::answers::tb_messenger_requests::new(r);
        })
    });
}

/// A8, AnnA `Messenger/Link`.
pub fn anna_link(data: &[u8]) {
    anna_payload(data, "AnnA Messenger/Link", "messengerLink", |v| {
        anna::link_from("AnnA Messenger/Link", &v)
    });
}

/// AnnA's `ExpiresIn` (seconds or a date-time) with the JWT's `exp` as fallback:
/// the input is `ExpiresIn`, a NUL byte, then the token.
pub fn anna_expiry(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (expires_in, token) = text.split_once('\0').unwrap_or((text, ""));
    let _ = anna::expiry(Some(expires_in), token, now());
    let _ = anna::expiry(None, token, now());
}

/// A JWT's `exp` claim (header.payload.signature, payload base64url JSON).
pub fn jwt_exp(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = jwt::expiry(text);
    }
}

/// Every date and time parser: `dd/MM/yyyy` and `yyyy-MM-dd`, `YYYYMMDDhhmmss`,
/// ISO 8601 date-times, HTTP dates and `Retry-After`.
pub fn dates(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = crate::Date::parse(text) {
        let _ = (d.to_string(), d.to_anna_string());
    }
    if let Ok(t) = crate::LocalDateTime::parse_compact(text) {
        let _ = (t.to_string(), t.to_system_time(0));
    }
    if let Some(p) = time::parse_date_time(text) {
        let _ = p.local.to_system_time(p.offset.unwrap_or(0));
        let _ = p.local.to_string();
    }
    let _ = time::parse_http_date(text);
    let _ = crate::http::reply::parse_retry_after(text);
}

/// The scrubber and the JSON masker that make error excerpts: the input is a secret,
/// a NUL byte, then a text. A secret of 3 characters or more (without `*`, spaces or
/// control characters, which the masking itself may produce) never survives.
pub fn scrub(data: &[u8]) {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (secret_value, text) = input.split_once('\0').unwrap_or(("", input));
    let out = secret::scrub(text, &[secret_value], 200);
    assert!(
        out.chars().count() <= 201,
        "an excerpt of {} chars",
        out.len()
    );
    if secret_value.chars().count() >= 3
        && !secret_value
            .chars()
            .any(|c| c == '*' || c.is_whitespace() || c.is_control())
    {
        assert!(
            !out.contains(secret_value),
            "{secret_value:?} survived in {out:?}"
        );
    }
    let _ = secret::mask_json_values(text);
}

/// Yativo webhooks: the signature verifier and the event reader. The input is a
/// flags byte (bits 0–1: which signature header; bit 2: `sha256=`), then the secret,
/// a NUL byte, a signature header value, a NUL byte, and the body.
///
/// Checked: nothing panics; an error's text is bounded, never holds the MAC the
/// body should have had, and is the same with another secret (so it cannot tell
/// anything about the secret); the body's true signature verifies exactly when
/// the body reads as an event, to the same event; one changed byte of the body
/// never verifies; the `Timestamp` check takes any bytes.
pub fn yativo_webhook(data: &[u8]) {
    use crate::yativo::webhook::{Event, Verifier, WebhookError, SIGNATURE_HEADERS};
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |&b| b == 0);
    let (Some(secret), Some(value)) = (parts.next(), parts.next()) else {
        return;
    };
    let body = parts.next().unwrap_or_default();
    let Ok(secret) = std::str::from_utf8(secret) else {
        return;
    };
    let Ok(verifier) = Verifier::new([secret, "fuzz-second-secret"]) else {
        assert!(secret.is_empty(), "only an empty secret is refused");
        return;
    };
    let unrelated = Verifier::new(["fuzz-unrelated-secret", "fuzz-second-secret"]).unwrap();
    let header = SIGNATURE_HEADERS[usize::from(flags & 3) % SIGNATURE_HEADERS.len()];
    let expected = Verifier::sign(secret, body);
    let check = |result: &Result<Event, WebhookError>,
                 other: Option<&Result<Event, WebhookError>>| {
        if let Err(e) = result {
            let text = e.to_string();
            assert!(
                text.chars().count() < 2_000,
                "an error of {} chars",
                text.len()
            );
            assert!(!text.contains(&expected), "the expected MAC in {text:?}");
            let _ = format!("{e:?}");
            let _ = Error::from(e.clone()).to_string();
            if let Some(Err(o)) = other {
                if !matches!(e, WebhookError::NotAnEvent { .. }) {
                    assert_eq!(text, o.to_string(), "the error depends on the secret");
                }
            }
        }
    };

    // The header value as given.
    let given = verifier.verify([(header, value)], body);
    check(&given, Some(&unrelated.verify([(header, value)], body)));
    if let Ok(event) = &given {
        let index = event.secret_index().unwrap();
        assert!(index < 2);
    }
    let _ = verifier.verify_header(header, value, body);

    // The true signature, in the spelling the flags pick.
    let good = if flags & 4 != 0 {
        format!("sha256={expected}")
    } else {
        expected.clone()
    };
    let signed = verifier.verify([(header, good.as_str())], body);
    match (&signed, Event::from_body(body)) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                (a.id(), a.event_type(), a.data().get(), a.created_at()),
                (b.id(), b.event_type(), b.data().get(), b.created_at())
            );
            // The first secret that matches: ours, unless it equals the second.
            assert!(a.secret_index() == Some(0) || secret == "fuzz-second-secret");
            let _ = format!("{a:?}");
        }
        (Err(e), Err(f)) => assert_eq!(e, &f),
        (a, b) => panic!("verified {a:?} but read {b:?}"),
    }

    // One byte changed: never verifies.
    if !body.is_empty() {
        let mut changed = body.to_vec();
        let i = usize::from(flags) % changed.len();
        changed[i] ^= 0x01 | (flags & 0xf0);
        match verifier.verify([(header, good.as_str())], &changed) {
            Err(WebhookError::NoSecretMatched { .. }) => {}
            other => panic!("a changed body gave {other:?}"),
        }
    }

    // Any bytes as the unsigned Timestamp.
    let strict = verifier.clone().tolerance(Duration::from_secs(300));
    let stamped = strict.verify_at(
        [
            (header, good.as_bytes()),
            (crate::yativo::webhook::TIMESTAMP_HEADER, value),
        ],
        body,
        now(),
    );
    check(&stamped, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found while making the parsers fuzzable (the fuzzer then crashed on it from a
    /// seed): an `expires_in` too large for the clock panicked with "overflow when
    /// adding duration to instant". It now falls back to the JWT's `exp`, else 600 s.
    #[test]
    fn regression_yativo_expires_in_overflow() {
        for body in [
            r#"{"status":"success","data":{"access_token":"t","expires_in":1e300}}"#,
            r#"{"status":"success","data":{"access_token":"t","expires_in":9223372036854775807}}"#,
            r#"{"status":"success","data":{"access_token":"t","expires_in":"315360001"}}"#,
        ] {
            let mut data = vec![0u8];
            data.extend_from_slice(body.as_bytes());
            yativo_login(&data);
            yativo_refresh(&data);
            let reply = TextAnswer::from_parts(200, body.to_owned(), &[]);
            let token = yativo::parse_token(&reply, "Yativo login", true, now()).unwrap();
            assert_eq!(
                token.expires,
                Some(now() + Duration::from_secs(600)),
                "{body}"
            );
        }
        // Ten years is still believed.
        let body = r#"{"status":"success","data":{"access_token":"t","expires_in":315360000}}"#;
        let reply = TextAnswer::from_parts(200, body.to_owned(), &[]);
        let token = yativo::parse_token(&reply, "Yativo login", true, now()).unwrap();
        assert_eq!(
            token.expires,
            Some(now() + Duration::from_secs(315_360_000))
        );
    }

    /// Each entry point runs on a few inputs (the fuzz targets run them on millions).
    #[test]
    fn every_entry_point_runs() {
        let samples: &[&[u8]] = &[
            b"",
            b"\x00",
            b"\x00\"QWRtaW4=\"",
            b"\x00{\"status\":\"success\",\"data\":{\"access_token\":\"t\",\"expires_in\":60}}",
            b"\x00{\"success\":true,\"message\":\"\",\"data\":{\"Token\":\"t\",\"ExpiresIn\":\"60\"}}",
            b"\x06{\"success\":false,\"message\":\"no\"}",
            b"\x00\xff\xfe",
            b"\x04whsec\x00sha256=00\x00{\"id\":\"e\",\"event\":\"x\",\"data\":{}}",
        ];
        type Entry = fn(&[u8]);
        let entries: &[Entry] = &[
            ucontact_get_user_token,
            ucontact_agent_login,
            ucontact_end_session,
            ucontact_vendor_error,
            yativo_login,
            yativo_refresh,
            yativo_envelope,
            anna_get_token,
            anna_envelope,
            anna_user_hash,
            anna_user_hash_forced,
            anna_inactivate,
            anna_structure,
            anna_alert_counter,
            anna_requests,
            anna_link,
            anna_expiry,
            jwt_exp,
            dates,
            scrub,
            yativo_webhook,
        ];
        for entry in entries {
            for sample in samples {
                entry(sample);
            }
        }
    }
}
