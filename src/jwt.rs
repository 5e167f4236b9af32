//! Reading a JWT's `exp` claim. The signature is NOT checked: the claim is used only
//! to know when to refresh, never to trust the token's content.
#![forbid(unsafe_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;

/// The `exp` claim of a JWT (`header.payload.signature`), as an instant.
pub(crate) fn expiry(token: &str) -> Option<SystemTime> {
    let payload = token.split('.').nth(1)?;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let bytes = engine.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = &claims["exp"];
    let secs = exp
        .as_u64()
        .or_else(|| exp.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
        .or_else(|| exp.as_str().and_then(|s| s.trim().parse().ok()))?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

#[cfg(test)]
pub(crate) fn make_unsigned(claims: &serde_json::Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        engine.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        engine.encode(claims.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exp() {
        let t = make_unsigned(&serde_json::json!({"sub": "x", "exp": 1_700_000_000}));
        assert_eq!(
            expiry(&t),
            Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
        );
        let t = make_unsigned(&serde_json::json!({"exp": "1700000000"}));
        assert!(expiry(&t).is_some());
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(expiry("not a jwt"), None);
        assert_eq!(expiry("a.!!!.c"), None);
        assert_eq!(expiry(&make_unsigned(&serde_json::json!({"sub": 1}))), None);
        assert_eq!(
            expiry(&make_unsigned(&serde_json::json!({"exp": -5}))),
            None
        );
    }
}
