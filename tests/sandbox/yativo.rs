//! Yativo: JSON in, JSON envelope out (`status`, `status_code`, `message`, `data`);
//! bearer JWTs that live `yativo_token_lifetime`; a refresh replaces the token.

use mockito::Request;
use serde_json::{json, Value};

use super::wire;
use super::{unauthorized, Api, Op, Reply, State};

/// An error envelope.
pub fn error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"status": "error", "status_code": status, "message": message, "data": null}),
    )
}

fn success(message: &str, data: Value) -> Reply {
    Reply::json(
        200,
        &json!({"status": "success", "status_code": 200, "message": message, "data": data}),
    )
}

pub fn handle(st: &mut State, op: Op, req: &Request) -> Reply {
    let result = match op {
        Op::YaLogin => login(st, req),
        Op::YaRefresh => refresh(st, req),
        _ => wallet_balance(st, req),
    };
    result.unwrap_or_else(|reply| reply)
}

fn bad(message: String) -> Reply {
    error(400, &message)
}

fn issue(st: &mut State, account: &str) -> (String, u64) {
    let lifetime = st.options.yativo_token_lifetime;
    let token = st.rng.jwt_for("yativo-sandbox", account, lifetime);
    st.yativo_tokens.issue(&token, account, lifetime);
    (token, lifetime.as_secs())
}

/// The live bearer token of a request and its account, or the 401.
fn authorize(st: &State, req: &Request) -> Result<(String, String), Reply> {
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

/// Y1: `{"account_id", "app_secret"}` → a bearer token.
fn login(st: &mut State, req: &Request) -> Result<Reply, Reply> {
    wire::require_content_type(req, "application/json", false).map_err(bad)?;
    let body = wire::json_object(req).map_err(bad)?;
    let account = wire::require_str(&body, "account_id").map_err(bad)?;
    let secret = wire::require_str(&body, "app_secret").map_err(bad)?;
    if account != st.options.yativo_account || secret != st.options.yativo_secret {
        return Err(error(
            401,
            "Invalid credentials: unknown account_id or wrong app_secret",
        ));
    }
    let (token, expires_in) = issue(st, account);
    Ok(success(
        "Login successful",
        json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in}),
    ))
}

/// Y2: a live bearer token → a new one; the old one stops working.
fn refresh(st: &mut State, req: &Request) -> Result<Reply, Reply> {
    let (old, account) = authorize(st, req)?;
    let (token, expires_in) = issue(st, &account);
    st.yativo_tokens.revoke(&old, "replaced by a refresh");
    // Like the real API, the refresh answer has no `token_type`.
    Ok(success(
        "Token refreshed",
        json!({"access_token": token, "expires_in": expires_in}),
    ))
}

/// The generic protected resource.
fn wallet_balance(st: &mut State, req: &Request) -> Result<Reply, Reply> {
    let (_, account) = authorize(st, req)?;
    Ok(success(
        "Wallet balance retrieved",
        json!({
            "account_id": account,
            "balances": [
                {"currency": "USD", "available": "1250.00", "pending": "0.00"},
                {"currency": "EUR", "available": "310.50", "pending": "12.00"}
            ]
        }),
    ))
}
