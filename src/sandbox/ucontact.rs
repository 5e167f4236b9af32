//! uContact: every call a POST form; failures are HTTP 200 with a body of `0`;
//! tokens are base64 of `user:uuid`, sent back as `Authorization: Basic {token}`.

use base64::Engine;
use serde_json::{json, Value};

use super::api::{unauthorized, Api, Op, Reply};
use super::state::State;
use super::wire::{self, Form, Incoming};

const FORM: &str = "application/x-www-form-urlencoded";

pub(crate) fn handle(st: &mut State, op: Op, req: &Incoming) -> Reply {
    let result = match op {
        Op::UcGetUserToken => get_user_token(st, req),
        Op::UcAgentLogin => agent_login(st, req),
        Op::UcEndSession => end_session(st, req),
        _ => dialer_task(st, req),
    };
    result.unwrap_or_else(|reply| reply)
}

fn bad(message: String) -> Reply {
    Api::UContact.error(400, &message)
}

/// uContact's answer to a rejected call: HTTP 200, body `0`.
fn zero() -> Reply {
    Reply::text(200, "0")
}

fn form(req: &Incoming) -> Result<Form, Reply> {
    wire::require_content_type(req, FORM, false).map_err(bad)?;
    wire::form(req).map_err(bad)
}

fn new_session(st: &mut State, user: &str) -> String {
    let uuid = st.rng.uuid();
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{uuid}"));
    let lifetime = st.options.ucontact_token_lifetime;
    st.ucontact_sessions.issue(&token, user, lifetime);
    token
}

/// U1: the token, or `0`. As uContact's own API documentation shows it, a JSON
/// array whose last element is the token (`["OK", user, token]`); with
/// `ucontact_token_as_array` off, a bare JSON string literal (the other shape seen).
fn get_user_token(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let f = form(req)?;
    let user = f.require("user").map_err(bad)?;
    let password = f.require("password").map_err(bad)?;
    if user != st.options.ucontact_user || password != st.options.ucontact_password {
        return Ok(zero());
    }
    let token = new_session(st, user);
    let body = if st.options.ucontact_token_as_array {
        json!(["OK", user, token])
    } else {
        Value::String(token)
    };
    Ok(Reply::json(200, &body))
}

/// U2: the agent's SIP profile, with the session token, or `0`.
fn agent_login(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let f = form(req)?;
    let agent = f.require("agent").map_err(bad)?;
    let password = f.require("password").map_err(bad)?;
    if agent != st.options.ucontact_agent || password != st.options.ucontact_agent_password {
        return Ok(zero());
    }
    let token = new_session(st, agent);
    let md5secret = st.rng.hex(32);
    Ok(Reply::json(200, &agent_profile(agent, &token, &md5secret)))
}

/// Every field API.md lists for U2's profile.
fn agent_profile(agent: &str, token: &str, md5secret: &str) -> Value {
    json!({
        "id": 1001,
        "name": agent,
        "host": "dynamic",
        "nat": "force_rport,comedia",
        "type": "friend",
        "accountcode": "sandbox",
        "callgroup": "1",
        "callerid": format!("\"Agent One\" <1001>"),
        "canreinvite": "no",
        "context": "from-agents",
        "dtmfmode": "rfc2833",
        "insecure": "port,invite",
        "language": "es",
        "mailbox": "1001@default",
        "md5secret": md5secret,
        "pickupgroup": "1",
        "qualify": "yes",
        "secret": format!("sip-{agent}-secret"),
        "disallow": "all",
        "allow": "ulaw;alaw;opus",
        "port": "5060",
        "defaultuser": agent,
        "subscribecontext": "from-agents",
        "record": "yes",
        "email": format!("{agent}@sandbox.invalid"),
        "phonetype": "webrtc",
        "LogLevel": "info",
        "limite": 2,
        "transport": "wss",
        "encryption": "yes",
        "did": "+59820001001",
        "outboundproxy": "",
        "fullname": "Agent One",
        "token": token,
    })
}

/// U3: `1` when the session was live and is now ended; `0` for an unknown, ended or
/// expired token (or another user's); 401 without the `Authorization` header.
fn end_session(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let header_token =
        wire::authorization(req, "Basic").map_err(|reason| unauthorized(Api::UContact, &reason))?;
    let f = form(req)?;
    let user = f.require("user").map_err(bad)?;
    let token = f.require("token").map_err(bad)?;
    if token != header_token {
        return Err(bad(
            "the `token` field and the `Authorization: Basic` header carry different tokens"
                .to_owned(),
        ));
    }
    match st.ucontact_sessions.check(token) {
        Ok(session) if session.subject == user => {
            st.ucontact_sessions.revoke(token, "ended by EndSession");
            Ok(Reply::text(200, "1"))
        }
        _ => Ok(zero()),
    }
}

/// The generic protected resource: a form, JSON or no body, with a live token.
fn dialer_task(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let token =
        wire::authorization(req, "Basic").map_err(|reason| unauthorized(Api::UContact, &reason))?;
    let user = match st.ucontact_sessions.check(&token) {
        Ok(session) => session.subject.clone(),
        Err(reason) => return Err(unauthorized(Api::UContact, &reason)),
    };
    let received = wire::any_body(req).map_err(bad)?;
    Ok(Reply::json(
        200,
        &json!({
            "ok": true,
            "resource": "Dialers/DialerTask",
            "user": user,
            "received": received,
            "echo": req.echo(),
        }),
    ))
}
