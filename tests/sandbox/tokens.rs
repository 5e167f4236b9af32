//! Tokens the sandbox hands out and checks: random values, JWTs with a real `exp`,
//! and a book of issued tokens that expire on the real clock.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};

/// Unpredictable values from the standard library's randomly keyed hasher.
pub struct Rng {
    keys: RandomState,
    counter: u64,
}

impl Rng {
    pub fn new() -> Rng {
        Rng {
            keys: RandomState::new(),
            counter: 0,
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.counter += 1;
        let mut h = self.keys.build_hasher();
        h.write_u64(self.counter);
        h.finish()
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n.div_ceil(8))
            .flat_map(|_| self.next_u64().to_le_bytes())
            .take(n)
            .collect()
    }

    /// `n` lower-case hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        self.bytes(n.div_ceil(2))
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
            .chars()
            .take(n)
            .collect()
    }

    /// A random UUID (version 4 layout).
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let (a, rest) = h.split_at(8);
        let (b, rest) = rest.split_at(4);
        let (c, rest) = rest.split_at(4);
        let (d, e) = rest.split_at(4);
        format!("{a}-{b}-4{}-a{}-{e}", &c[1..], &d[1..])
    }

    /// A JWT (HS256 header, these claims, a random signature). The sandbox never
    /// verifies signatures: it looks tokens up in its [`TokenBook`].
    pub fn jwt(&mut self, claims: &Value) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.{}",
            b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64.encode(claims.to_string()),
            b64.encode(self.bytes(32))
        )
    }

    /// A JWT for `subject` that expires after `lifetime`, with `iat`, `exp`, `jti`.
    pub fn jwt_for(&mut self, issuer: &str, subject: &str, lifetime: Duration) -> String {
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
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `YYYYMMDDhhmmss` (UTC, which the sandbox calls its local time).
pub fn compact_date_time(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let secs = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A token the sandbox issued.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Who it was issued to.
    pub subject: String,
    pub expires: Instant,
    /// Why it no longer works before its expiry (ended, replaced), if so.
    pub revoked: Option<&'static str>,
}

/// The tokens of one API.
#[derive(Debug, Default)]
pub struct TokenBook {
    tokens: HashMap<String, Issued>,
}

/// How long an expired token is still remembered (to answer "expired" rather than
/// "unknown"); older ones are forgotten so a long-running sandbox does not grow.
const REMEMBER_EXPIRED: Duration = Duration::from_secs(3600);

impl TokenBook {
    pub fn issue(&mut self, token: &str, subject: &str, lifetime: Duration) {
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
    pub fn check(&self, token: &str) -> Result<&Issued, String> {
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
    pub fn revoke(&mut self, token: &str, why: &'static str) {
        if let Some(t) = self.tokens.get_mut(token) {
            t.revoked = Some(why);
        }
    }

    /// How many tokens are live.
    pub fn live(&self) -> usize {
        self.tokens.keys().filter(|k| self.check(k).is_ok()).count()
    }
}
