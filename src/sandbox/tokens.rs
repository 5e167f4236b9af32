//! Tokens the sandbox hands out and checks: random values, JWTs with a real `exp`,
//! and a book of issued tokens that expire on the real clock.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};

/// Unpredictable values from the standard library's randomly keyed hasher (the
/// sandbox needs values nobody guesses by accident, not cryptographic strength).
pub(crate) struct Rng {
    keys: RandomState,
    counter: u64,
}

impl Rng {
    pub(crate) fn new() -> Rng {
        Rng {
            keys: RandomState::new(),
            counter: 0,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.counter += 1;
        let mut h = self.keys.build_hasher();
        h.write_u64(self.counter);
        h.finish()
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n.div_ceil(8))
            .flat_map(|_| self.next_u64().to_le_bytes())
            .take(n)
            .collect()
    }

    /// `n` lower-case hex digits.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        let mut s: String = self
            .bytes(n.div_ceil(2))
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        s.truncate(n);
        s
    }

    /// A random UUID v4.
    pub(crate) fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.bytes(16));
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// A JWT (HS256 header, these claims, a random signature). The sandbox never
    /// verifies signatures: it looks tokens up in its [`TokenBook`].
    fn jwt(&mut self, claims: &Value) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{}",
            b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64.encode(claims.to_string()),
            b64.encode(self.bytes(32))
        )
    }

    /// A JWT for `subject` that expires after `lifetime`, with `iat`, `exp`, `jti`.
    pub(crate) fn jwt_for(&mut self, issuer: &str, subject: &str, lifetime: Duration) -> String {
        let now = unix_now();
        let jti = self.uuid();
        self.jwt(&json!({
            "iss": issuer,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime.as_secs(),
            "jti": jti,
        }))
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `YYYYMMDDhhmmss` (UTC, which the sandbox calls its local time).
pub(crate) fn compact_date_time(unix_secs: u64) -> String {
    i64::try_from(unix_secs)
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(|t| t.strftime("%Y%m%d%H%M%S").to_string())
        .unwrap_or_else(|| "99991231235959".to_owned())
}

/// A token the sandbox issued.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    /// Who it was issued to.
    pub(crate) subject: String,
    expires: Instant,
    /// Why it no longer works before its expiry (ended, replaced), if so.
    revoked: Option<&'static str>,
}

/// The tokens of one API.
#[derive(Debug, Default)]
pub(crate) struct TokenBook {
    tokens: HashMap<String, Issued>,
}

/// How long an expired token is still remembered (to answer "expired" rather than
/// "unknown"); older ones are forgotten so a long-running sandbox does not grow.
const REMEMBER_EXPIRED: Duration = Duration::from_secs(3600);

impl TokenBook {
    pub(crate) fn issue(&mut self, token: &str, subject: &str, lifetime: Duration) {
        let now = Instant::now();
        self.tokens
            .retain(|_, t| now.saturating_duration_since(t.expires) < REMEMBER_EXPIRED);
        self.tokens.insert(
            token.to_owned(),
            Issued {
                subject: subject.to_owned(),
                expires: now + lifetime,
                revoked: None,
            },
        );
    }

    /// The live token, or why it is refused.
    pub(crate) fn check(&self, token: &str) -> Result<&Issued, String> {
        let Some(t) = self.tokens.get(token) else {
            return Err("unknown token".to_owned());
        };
        if let Some(why) = t.revoked {
            return Err(format!("the token was {why}"));
        }
        let now = Instant::now();
        if now >= t.expires {
            return Err(format!(
                "the token expired {:.1} s ago",
                now.duration_since(t.expires).as_secs_f64()
            ));
        }
        Ok(t)
    }

    /// Makes a token unusable, saying why.
    pub(crate) fn revoke(&mut self, token: &str, why: &'static str) {
        if let Some(t) = self.tokens.get_mut(token) {
            t.revoked = Some(why);
        }
    }

    /// Every live token expires now (the `expire_tokens` fault).
    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        for t in self.tokens.values_mut() {
            t.expires = t.expires.min(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_dates_and_uuids() {
        assert_eq!(compact_date_time(0), "19700101000000");
        assert_eq!(compact_date_time(1_709_251_199), "20240229235959");
        let u = Rng::new().uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn tokens_expire_and_are_revoked() {
        let mut book = TokenBook::default();
        book.issue("a", "me", Duration::from_secs(60));
        book.issue("b", "me", Duration::from_secs(60));
        assert_eq!(book.check("a").unwrap().subject, "me");
        book.revoke("a", "ended");
        assert_eq!(book.check("a").unwrap_err(), "the token was ended");
        book.expire_all();
        assert!(book.check("b").unwrap_err().contains("expired"));
        assert_eq!(book.check("c").unwrap_err(), "unknown token");
    }
}
