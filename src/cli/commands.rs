//! The subcommands that talk to an API: `token`, `call`, the 13 operations and
//! `logout`; and `profiles`, which only reads the profiles.

use std::io::{Read, Write};

use crate::anna::{MessengerFilter, RequestStatus, User};
use crate::{Body, Date, Method, Request};
use serde_json::{json, Value};

use super::args::{AnnaFilter, AnnaOp, AnnaUser, CallArgs, StatusArg, UContactOp, YativoOp, YesNo};
use super::clients::{open, AnyClient, Limits};
use super::exit::{Failure, OTHER};
use super::profile::{ApiName, Login, Profiles};
use super::show;

/// What a command writes to stdout, and the failure it ends with, if any (`call`
/// prints the body of an error answer too).
pub struct Outcome {
    /// The bytes for stdout.
    pub stdout: Vec<u8>,
    /// The failure, if any.
    pub failure: Option<Failure>,
}

impl Outcome {
    fn ok(stdout: impl Into<Vec<u8>>) -> Outcome {
        Outcome {
            stdout: stdout.into(),
            failure: None,
        }
    }

    fn json(v: &Value) -> Outcome {
        Outcome::ok(format!("{v:#}\n"))
    }
}

/// `tokenbridge token`.
pub fn token(
    profiles: &Profiles,
    name: &str,
    format: super::args::TokenFormat,
    var: &str,
    limits: &Limits,
) -> Result<Outcome, Failure> {
    if var.is_empty()
        || !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        || var.as_bytes()[0].is_ascii_digit()
    {
        return Err(Failure::usage(format!(
            "--name `{var}` is not a variable name (letters, digits and _, not starting with a digit)"
        )));
    }
    let client = open(profiles, name, None, limits)?;
    let info = client.token()?;
    Ok(Outcome::ok(show::token(&info, format, var, name)))
}

/// `name=value`, or a usage error naming the flag.
fn pair<'a>(flag: &str, text: &'a str) -> Result<(&'a str, &'a str), Failure> {
    text.split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| Failure::usage(format!("{flag} `{text}` is not NAME=VALUE")))
}

/// Field names whose value is a credential: not taken on the command line.
fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "password",
        "pass",
        "passwd",
        "secret",
        "app_secret",
        "token",
        "hash",
        "api_key",
        "apikey",
    ]
    .contains(&n.as_str())
}

/// The bytes of `@FILE` or `@-` (stdin).
fn read_at(flag: &str, spec: &str) -> Result<Vec<u8>, Failure> {
    let Some(path) = spec.strip_prefix('@') else {
        return Err(Failure::usage(format!(
            "{flag} takes @FILE or @- (stdin), so that a body never sits on the command line; `{}…` is neither",
            spec.chars().take(10).collect::<String>()
        )));
    };
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    read.map_err(|e| Failure::usage(format!("{flag} {spec}: cannot read it: {e}")))?;
    Ok(bytes)
}

/// The request `call` sends.
fn request(a: &CallArgs) -> Result<Request, Failure> {
    let method = Method::parse(&a.method)?;
    let mut req = Request::new(method, a.path.clone());
    for q in &a.query {
        let (k, v) = pair("-q", q)?;
        if is_secret_name(k) {
            return Err(secret_field("-q", k));
        }
        req = req.query(k, v);
    }
    for h in &a.header {
        let (k, v) = h
            .split_once(':')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| Failure::usage(format!("-H `{h}` is not `Name: value`")))?;
        let k = k.trim();
        if k.eq_ignore_ascii_case("authorization") || k.eq_ignore_ascii_case("proxy-authorization")
        {
            return Err(Failure::usage(format!(
                "-H {k}: a credential on the command line is visible in ps and the shell history; tokenbridge sends the profile's token itself (proxy credentials go in HTTPS_PROXY or the profile's proxy)"
            )));
        }
        req = req.header(k, v.trim());
    }
    if let Some(j) = &a.json {
        let text = if j.starts_with('@') {
            read_at("--json", j)?
        } else {
            j.as_bytes().to_vec()
        };
        let v: Value = serde_json::from_slice(&text)
            .map_err(|e| Failure::usage(format!("--json: not valid JSON: {e}")))?;
        req = req.json(v);
    } else if !a.form.is_empty() {
        let mut fields = Vec::new();
        for f in &a.form {
            let (k, v) = pair("--form", f)?;
            if is_secret_name(k) {
                return Err(secret_field("--form", k));
            }
            fields.push((k.to_owned(), v.to_owned()));
        }
        req = req.body(Body::Form(fields));
    } else if let (Some(d), Some(ct)) = (&a.data, &a.content_type) {
        req = req.raw(ct.clone(), read_at("--data", d)?);
    }
    if let Some(k) = &a.idempotency_key {
        req = req.idempotency_key(k.clone());
    }
    Ok(req)
}

fn secret_field(flag: &str, name: &str) -> Failure {
    Failure::usage(format!(
        "{flag} {name}=…: a secret on the command line is visible in ps and the shell history; put the fields in a file and send it with --data @FILE --content-type application/x-www-form-urlencoded (or --json @FILE)"
    ))
}

/// The reason phrase of a status, for `-i`.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `tokenbridge call`.
pub fn call(profiles: &Profiles, a: &CallArgs, limits: &Limits) -> Result<Outcome, Failure> {
    let req = request(a)?;
    let client = open(profiles, &a.profile, None, limits)?;
    let response = client.send(&req)?;
    let mut out = Vec::new();
    if a.include {
        let _ = write!(
            out,
            "HTTP/1.1 {} {}\r\n",
            response.status,
            reason_phrase(response.status)
        );
        for (k, v) in &response.headers {
            let _ = write!(out, "{k}: {v}\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&response.body);
    let failure = client.answer_error(&response).map(Failure::from);
    Ok(Outcome {
        stdout: out,
        failure,
    })
}

/// `tokenbridge ucontact …`.
pub fn ucontact(profiles: &Profiles, op: &UContactOp, limits: &Limits) -> Result<Outcome, Failure> {
    let (UContactOp::GetUserToken { profile }
    | UContactOp::AgentLogin { profile }
    | UContactOp::EndSession { profile }) = op;
    let want_login = match op {
        UContactOp::GetUserToken { .. } => Some(Login::ApiUser),
        UContactOp::AgentLogin { .. } => Some(Login::Agent),
        UContactOp::EndSession { .. } => None,
    };
    if let Some(want) = want_login {
        let p = super::clients::profile(profiles, profile)?;
        if p.api == Some(ApiName::Ucontact) && p.login.unwrap_or_default() != want {
            return Err(Failure::usage(format!(
                "profile `{profile}` logs in as {}; this operation needs a profile with login = \"{}\"",
                if want == Login::Agent { "an API user" } else { "an agent" },
                if want == Login::Agent { "agent" } else { "api-user" }
            )));
        }
    }
    let AnyClient::UContact(c) = open(profiles, profile, Some(ApiName::Ucontact), limits)? else {
        unreachable!("open checked the API")
    };
    Ok(Outcome::json(&match op {
        UContactOp::GetUserToken { .. } => json!({"token": c.get_user_token()?.expose()}),
        UContactOp::AgentLogin { .. } => show::agent_profile(&c.agent_login()?),
        UContactOp::EndSession { .. } => {
            c.end_session()?;
            json!({"ended": true})
        }
    }))
}

/// `tokenbridge yativo …`.
pub fn yativo(profiles: &Profiles, op: &YativoOp, limits: &Limits) -> Result<Outcome, Failure> {
    let (YativoOp::Login { profile } | YativoOp::RefreshToken { profile }) = op;
    let AnyClient::Yativo(c) = open(profiles, profile, Some(ApiName::Yativo), limits)? else {
        unreachable!("open checked the API")
    };
    let t = match op {
        YativoOp::Login { .. } => c.login()?,
        YativoOp::RefreshToken { .. } => c.refresh_token()?,
    };
    Ok(Outcome::json(&show::yativo_token(&t)))
}

fn user(u: &AnnaUser) -> User {
    match (&u.user_id, &u.doc_type, &u.doc_value) {
        (Some(id), _, _) => User::id(id.clone()),
        (None, Some(t), Some(v)) => User::document(t.clone(), v.clone()),
        // clap requires one of the two.
        _ => User::id(String::new()),
    }
}

fn filter(f: &AnnaFilter) -> Result<MessengerFilter, Failure> {
    let date = |d: &Option<String>| d.as_deref().map(Date::parse).transpose();
    Ok(MessengerFilter {
        department_alias: f.department.clone(),
        channel_alias: f.channel.clone(),
        date_from: date(&f.from)?,
        date_to: date(&f.to)?,
        status: f.status.map(|s| match s {
            StatusArg::Open => RequestStatus::Open,
            StatusArg::Closed => RequestStatus::Closed,
        }),
        pending: f.pending.map(|p| matches!(p, YesNo::Yes)),
    })
}

/// `tokenbridge anna …`.
pub fn anna(profiles: &Profiles, op: &AnnaOp, limits: &Limits) -> Result<Outcome, Failure> {
    let profile = match op {
        AnnaOp::GetToken { profile }
        | AnnaOp::UserHash { profile, .. }
        | AnnaOp::UserHashForced { profile, .. }
        | AnnaOp::Inactivate { profile, .. }
        | AnnaOp::Structure { profile }
        | AnnaOp::AlertCounter { profile, .. }
        | AnnaOp::Requests { profile, .. }
        | AnnaOp::Link { profile, .. } => profile,
    };
    let AnyClient::Anna(c) = open(profiles, profile, Some(ApiName::Anna), limits)? else {
        unreachable!("open checked the API")
    };
    Ok(Outcome::json(&match op {
        AnnaOp::GetToken { .. } => show::anna_token(&c.get_token()?),
        AnnaOp::UserHash {
            user_id,
            start_service,
            ..
        } => show::access_data(&c.user_hash(user_id, start_service.as_deref())?),
        AnnaOp::UserHashForced {
            user_id,
            user_name,
            start_service,
            ..
        } => {
            show::access_data(&c.user_hash_forced(user_id, user_name, start_service.as_deref())?)
        }
        AnnaOp::Inactivate { user_id, .. } => json!({"message": c.inactivate_user(user_id)?}),
        AnnaOp::Structure { .. } => show::structure(&c.messenger_structure()?),
        AnnaOp::AlertCounter {
            user: u, filter: f, ..
        } => {
            json!({"alert_counter": c.messenger_alert_counter(&user(u), &filter(f)?)?})
        }
        AnnaOp::Requests {
            user: u, filter: f, ..
        } => show::requests(&c.messenger_requests(&user(u), &filter(f)?)?),
        AnnaOp::Link { user: u, .. } => json!({"link": c.messenger_link(&user(u))?}),
    }))
}

/// `tokenbridge logout`.
pub fn logout(profiles: &Profiles, name: &str, limits: &Limits) -> Result<Outcome, Failure> {
    open(profiles, name, None, limits)?.logout()?;
    Ok(Outcome::ok(Vec::new()))
}

/// `tokenbridge profiles`: no secret, only where each comes from.
pub fn list(profiles: &Profiles, as_json: bool) -> Result<Outcome, Failure> {
    let source = match &profiles.file {
        Some(f) => f.display().to_string(),
        None => "environment (TOKENBRIDGE_* variables)".to_owned(),
    };
    let rows: Vec<Value> = profiles
        .by_name
        .iter()
        .map(|(name, p)| {
            json!({
                "name": name,
                "api": p.api.map(|a| a.label()),
                "url": p.url,
                "user": p.user,
                "login": p.login.map(|l| match l { Login::ApiUser => "api-user", Login::Agent => "agent" }),
                "secrets": p.describe_sources(name),
                "token_store": p.store(false).map(|s| if s.starts_with("file:") { s } else { "(set)".to_owned() }),
            })
        })
        .collect();
    if as_json {
        return Ok(Outcome::json(&json!({"source": source, "profiles": rows})));
    }
    let mut out = format!("# profiles from {source}\n");
    if rows.is_empty() {
        out.push_str("# none; see `tokenbridge profiles --help` and README.md, \"Command line\"\n");
    }
    for r in &rows {
        let text = |k: &str| r[k].as_str().unwrap_or("-").to_owned();
        out.push_str(&format!(
            "{:<16} {:<9} {}  ({})\n",
            text("name"),
            text("api"),
            text("url"),
            r["secrets"]
                .as_array()
                .map(|s| s
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; "))
                .unwrap_or_default()
        ));
    }
    Ok(Outcome::ok(out))
}

/// A failure to write stdout (a closed pipe is not worth a message).
pub fn write_failure(e: &std::io::Error) -> Option<Failure> {
    (e.kind() != std::io::ErrorKind::BrokenPipe)
        .then(|| Failure::new(OTHER, format!("cannot write the output: {e}")))
}
