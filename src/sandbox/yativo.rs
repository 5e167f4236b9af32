//! Yativo: JSON in, JSON envelope out (`status`, `status_code`, `message`, `data`);
//! bearer JWTs that live `yativo_token_lifetime`; a refresh revokes the old token at
//! once; every POST to an authenticated route needs an `Idempotency-Key`, whose
//! first answer is kept 60 minutes and replayed; payouts, the money-moving POST.
//!
//! Errors are shaped as Yativo's Laravel backend builds them: `status: "failed"`,
//! `message: "Request failed."`, the reason in `data.error` — or, for a validation
//! failure (HTTP 422), `data` holding field → list of messages.

use std::time::Instant;

use serde_json::{json, Map, Value};

use super::api::{unauthorized, Api, Op, Reply};
use super::state::{Payout, State, IDEMPOTENCY_WINDOW};
use super::wire::{self, Incoming};

/// A validation failure: 422, `data` = field → messages.
fn invalid(fields: Map<String, Value>) -> Reply {
    Reply::json(
        422,
        &json!({
            "status": "failed",
            "status_code": 422,
            "message": "Request failed.",
            "data": fields,
        }),
    )
}

fn success(status: u16, message: &str, data: Value) -> Reply {
    Reply::json(
        status,
        &json!({"status": "success", "status_code": status, "message": message, "data": data}),
    )
}

pub(crate) fn handle(st: &mut State, op: Op, req: &Incoming) -> Reply {
    let result = match op {
        Op::YaLogin => login(st, req),
        Op::YaRefresh => refresh(st, req),
        Op::YaPayout => payout(st, req),
        Op::YaGetPayout => get_payout(st, req),
        _ => wallet_balance(st, req),
    };
    result.unwrap_or_else(|reply| reply)
}

fn bad(message: String) -> Reply {
    Api::Yativo.error(400, &message)
}

/// A JSON object body, or the 400.
fn json_body(req: &Incoming) -> Result<Map<String, Value>, Reply> {
    wire::require_content_type(req, "application/json", false).map_err(bad)?;
    wire::json_object(req).map_err(bad)
}

/// `account_id` → `account id`, as Laravel writes field names in its messages.
fn words(field: &str) -> String {
    field.replace('_', " ")
}

fn required(field: &str) -> Value {
    json!([format!("The {} field is required.", words(field))])
}

/// Collects a 422's field messages.
#[derive(Default)]
struct Validation(Map<String, Value>);

impl Validation {
    fn fail(&mut self, field: &str, message: Value) {
        self.0.entry(field.to_owned()).or_insert(message);
    }

    /// A required string field (present, a string, not blank).
    fn string<'a>(&mut self, body: &'a Map<String, Value>, field: &str) -> &'a str {
        match body.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            Some(Value::String(_) | Value::Null) | None => {
                self.fail(field, required(field));
                ""
            }
            Some(_) => {
                self.fail(
                    field,
                    json!([format!("The {} must be a string.", words(field))]),
                );
                ""
            }
        }
    }

    fn finish(self) -> Result<(), Reply> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(invalid(self.0))
        }
    }
}

fn issue(st: &mut State, account: &str) -> (String, u64) {
    let lifetime = st.options.yativo_token_lifetime;
    let token = st.rng.jwt_for("yativo-sandbox", account, lifetime);
    st.yativo_tokens.issue(&token, account, lifetime);
    (token, lifetime.as_secs())
}

/// The live bearer token of a request and its account, or the 401.
fn authorize(st: &State, req: &Incoming) -> Result<(String, String), Reply> {
    let token =
        wire::authorization(req, "Bearer").map_err(|reason| unauthorized(Api::Yativo, &reason))?;
    match st.yativo_tokens.check(&token) {
        Ok(t) => {
            let account = t.subject.clone();
            Ok((token, account))
        }
        Err(reason) => Err(unauthorized(Api::Yativo, &reason)),
    }
}

/// Y1: `{"account_id", "app_secret"}` → a bearer token. No `Idempotency-Key` needed
/// (an `auth/*` route).
fn login(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let body = json_body(req)?;
    let mut v = Validation::default();
    let account = v.string(&body, "account_id");
    let secret = v.string(&body, "app_secret");
    v.finish()?;
    if account != st.options.yativo_account || secret != st.options.yativo_secret {
        return Err(Api::Yativo.error(401, "Invalid login credentials"));
    }
    let (token, expires_in) = issue(st, account);
    Ok(success(
        200,
        "Login successful",
        json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in}),
    ))
}

/// Y2: a live bearer token → a new one; the old one is revoked at once.
fn refresh(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let (old, account) = authorize(st, req)?;
    let (token, expires_in) = issue(st, &account);
    st.yativo_tokens.revoke(&old, "replaced by a refresh");
    // Like the real API, the refresh answer has no `token_type`.
    Ok(success(
        200,
        "Token refreshed",
        json!({"access_token": token, "expires_in": expires_in}),
    ))
}

/// The generic protected resource.
fn wallet_balance(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let (_, account) = authorize(st, req)?;
    Ok(success(
        200,
        "Wallet balance retrieved",
        json!({
            "account_id": account,
            "balances": [
                {"currency": "USD", "available": "1250.00", "pending": "0.00"},
                {"currency": "EUR", "available": "310.50", "pending": "12.00"}
            ],
            "echo": req.echo(),
        }),
    ))
}

/// `POST payouts`: token, then `Idempotency-Key` (missing → 400; known → the kept
/// answer, replayed without running the payout again), then the payout itself.
fn payout(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let (_, account) = authorize(st, req)?;
    let key = match req.header("idempotency-key") {
        Some(k) if !k.is_empty() => k.to_owned(),
        _ => return Err(Api::Yativo.error(400, "Idempotency key missing")),
    };
    let now = Instant::now();
    let book = &mut st.yativo;
    book.answers
        .retain(|_, (at, _)| now.duration_since(*at) < IDEMPOTENCY_WINDOW);
    let slot = (account.clone(), key);
    if let Some((_, kept)) = book.answers.get(&slot) {
        let mut replay = kept.clone();
        replay
            .headers
            .push(("Idempotent-Replayed", "true".to_owned()));
        return Ok(replay);
    }
    let answer = create_payout(st, req, &account).unwrap_or_else(|r| r);
    st.yativo.answers.insert(slot, (now, answer.clone()));
    Ok(answer)
}

fn create_payout(st: &mut State, req: &Incoming, account: &str) -> Result<Reply, Reply> {
    let body = json_body(req)?;
    let mut v = Validation::default();
    let amount = match body.get("amount") {
        Some(Value::String(s)) if !s.trim().is_empty() => match positive_decimal(s.trim()) {
            Some(_) => s.trim().to_owned(),
            None => {
                v.fail(
                    "amount",
                    json!(["The amount must be a number greater than 0."]),
                );
                String::new()
            }
        },
        Some(Value::Number(n)) => match n.as_f64().filter(|f| f.is_finite() && *f > 0.0) {
            Some(f) => format!("{f:.2}"),
            None => {
                v.fail(
                    "amount",
                    json!(["The amount must be a number greater than 0."]),
                );
                String::new()
            }
        },
        Some(Value::String(_) | Value::Null) | None => {
            v.fail("amount", required("amount"));
            String::new()
        }
        Some(_) => {
            v.fail("amount", json!(["The amount must be a number."]));
            String::new()
        }
    };
    let currency = v.string(&body, "currency").trim().to_owned();
    let iso = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_alphabetic());
    if !currency.is_empty() && !iso {
        v.fail(
            "currency",
            json!(["The currency must be a 3-letter ISO 4217 code."]),
        );
    }
    let beneficiary = match body.get("beneficiary") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(_) => {
            v.fail("beneficiary", json!(["The beneficiary must be a string."]));
            None
        }
    };
    v.finish()?;
    st.bump("yativo.payouts_executed");
    let p = Payout {
        id: format!("po_{}", st.yativo.payouts.len() + 1),
        account: account.to_owned(),
        amount,
        currency: currency.to_ascii_uppercase(),
        beneficiary,
    };
    let data = p.to_json();
    st.yativo.payouts.push(p);
    st.hooks.fire("payout.created", &data);
    Ok(success(201, "Payout created", data))
}

/// A decimal number written plainly (`10`, `10.5`, `0.01`) and greater than zero.
fn positive_decimal(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite() && *f > 0.0)
}

/// `GET payouts/{id}`: the account's payout, or 404.
fn get_payout(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let (_, account) = authorize(st, req)?;
    let id = req.path.rsplit('/').next().unwrap_or("");
    st.yativo
        .payouts
        .iter()
        .find(|p| p.id == id && p.account == account)
        .map(|p| success(200, "Payout retrieved", p.to_json()))
        .ok_or_else(|| Api::Yativo.error(404, &format!("Payout {id} not found")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(positive_decimal("10.00"), Some(10.0));
        assert_eq!(positive_decimal("0.01"), Some(0.01));
        for bad in ["0", "0.00", "-1", "1e3", "10.", ".5", "1,5", "abc", "NaN"] {
            assert_eq!(positive_decimal(bad), None, "{bad}");
        }
    }
}
