//! AnnA Corporate User V3: every call a POST with a JSON body holding the company
//! `hash`; every answer `{"success", "message", <payload>}`, `success: false` inside
//! an HTTP 200 when the API says no; bearer JWTs from `GetToken`.

use serde_json::{json, Map, Value};

use super::api::{unauthorized, Api, Op, Reply};
use super::state::{MessengerRequest, State, User};
use super::tokens::{compact_date_time, unix_now};
use super::wire::{self, Incoming};

/// The API said no: HTTP 200 with `success: false`.
fn refused(message: String) -> Reply {
    Api::Anna.error(200, &message)
}

fn bad(message: String) -> Reply {
    Api::Anna.error(400, &message)
}

fn success(message: &str, payload: &str, value: Value) -> Reply {
    let mut m = Map::new();
    m.insert("success".into(), Value::Bool(true));
    m.insert("message".into(), Value::String(message.to_owned()));
    if payload != "message" {
        m.insert(payload.to_owned(), value);
    }
    Reply::json(200, &Value::Object(m))
}

pub(crate) fn handle(st: &mut State, op: Op, req: &Incoming) -> Reply {
    let result = match op {
        Op::AnPage => Ok(page()),
        Op::AnGetToken => get_token(st, req),
        Op::AnCall => ping(st, req),
        _ => protected(st, op, req),
    };
    result.unwrap_or_else(|reply| reply)
}

fn page() -> Reply {
    Reply::html(
        200,
        "<!doctype html><title>AnnA sandbox</title><p>AnnA sandbox: the chat or messenger would open here. No real chat runs in the sandbox.</p>",
    )
}

fn json_body(req: &Incoming) -> Result<Map<String, Value>, Reply> {
    wire::require_content_type(req, "application/json", false).map_err(bad)?;
    wire::json_object(req).map_err(bad)
}

/// A1: `{"hash", "user", "pass"}` → `data: {"Token", "ExpiresIn"}`.
fn get_token(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let body = json_body(req)?;
    let hash = wire::require_str(&body, "hash").map_err(bad)?;
    let user = wire::require_str(&body, "user").map_err(bad)?;
    let pass = wire::require_str(&body, "pass").map_err(bad)?;
    if hash != st.options.anna_company_hash {
        return Err(refused("Company not found for the given hash.".to_owned()));
    }
    if user != st.options.anna_user || pass != st.options.anna_pass {
        return Err(refused("Invalid user or password.".to_owned()));
    }
    let lifetime = st.options.anna_token_lifetime;
    let token = st.rng.jwt_for("anna-sandbox", user, lifetime);
    st.anna_tokens.issue(&token, user, lifetime);
    Ok(Reply::json(
        200,
        &json!({
            "success": true,
            "message": "Token generated.",
            "data": {"Token": token, "ExpiresIn": lifetime.as_secs().to_string()}
        }),
    ))
}

/// The live bearer token's user, or the 401.
fn authorize(st: &State, req: &Incoming) -> Result<String, Reply> {
    let token =
        wire::authorization(req, "Bearer").map_err(|reason| unauthorized(Api::Anna, &reason))?;
    match st.anna_tokens.check(&token) {
        Ok(t) => Ok(t.subject.clone()),
        Err(reason) => Err(unauthorized(Api::Anna, &reason)),
    }
}

/// The generic protected resource: a form, JSON or no body, with a live token.
fn ping(st: &mut State, req: &Incoming) -> Result<Reply, Reply> {
    let user = authorize(st, req)?;
    let received = wire::any_body(req).map_err(bad)?;
    Ok(Reply::json(
        200,
        &json!({
            "success": true,
            "message": "pong",
            "data": {"user": user, "time": unix_now(), "received": received, "echo": req.echo()}
        }),
    ))
}

/// `userId` as text (a JSON string, or a number).
fn user_id(body: &Map<String, Value>) -> Result<String, String> {
    match body.get("userId") {
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Null) | None => Err("missing field `userId`".to_owned()),
        Some(_) => Err("field `userId` must be a string".to_owned()),
    }
}

fn non_empty_user_id(body: &Map<String, Value>) -> Result<String, Reply> {
    let id = user_id(body).map_err(bad)?;
    if id.is_empty() {
        return Err(bad("field `userId` must not be empty".to_owned()));
    }
    Ok(id)
}

/// A2–A8 after the token: content type, body, company hash, then the operation.
fn protected(st: &mut State, op: Op, req: &Incoming) -> Result<Reply, Reply> {
    authorize(st, req)?;
    let body = json_body(req)?;
    let hash = wire::require_str(&body, "hash").map_err(bad)?.to_owned();
    // The fields an operation needs are checked before the hash's value, so a
    // malformed request is a 400 whatever the hash.
    let company = st.options.anna_company_hash.clone();
    let check_hash = || {
        if hash == company {
            Ok(())
        } else {
            Err(refused("Invalid company hash.".to_owned()))
        }
    };
    match op {
        Op::AnUserHash => {
            let id = non_empty_user_id(&body)?;
            let service = wire::optional_str(&body, "startService").map_err(bad)?;
            check_hash()?;
            let user = known_user(st, &id)?;
            if !user.active {
                return Err(refused(format!("User {company}@{id} is inactive.")));
            }
            let data = access_data(st, &id, service);
            Ok(success("Hash generated.", "accessData", data))
        }
        Op::AnUserHashForced => {
            let id = non_empty_user_id(&body)?;
            let name = wire::require_str(&body, "userName").map_err(bad)?.trim();
            if name.is_empty() {
                return Err(bad("field `userName` must not be empty".to_owned()));
            }
            let service = wire::optional_str(&body, "startService").map_err(bad)?;
            check_hash()?;
            let message = match st.anna_users.get_mut(&id) {
                Some(user) => {
                    user.name = name.to_owned();
                    user.active = true;
                    "User updated and hash generated."
                }
                None => {
                    st.anna_users.insert(
                        id.clone(),
                        User {
                            name: name.to_owned(),
                            active: true,
                            document: None,
                            requests: Vec::new(),
                        },
                    );
                    "User created and hash generated."
                }
            };
            let data = access_data(st, &id, service);
            Ok(success(message, "accessData", data))
        }
        Op::AnInactivate => {
            let id = non_empty_user_id(&body)?;
            check_hash()?;
            known_user(st, &id)?;
            let user = st.anna_users.get_mut(&id);
            let was_active = user.is_some_and(|u| std::mem::replace(&mut u.active, false));
            let message = if was_active {
                format!("User {id} inactivated.")
            } else {
                format!("User {id} was already inactive.")
            };
            Ok(success(&message, "message", Value::Null))
        }
        Op::AnStructure => {
            check_hash()?;
            Ok(success(
                "Structure found.",
                "structure",
                structure(&company),
            ))
        }
        Op::AnAlertCounter | Op::AnRequests => {
            let who = Who::read(&body)?;
            let filter = Filter::read(&body).map_err(bad)?;
            check_hash()?;
            let (id, user) = resolve(st, &who)?;
            let matching = user.requests.iter().filter(|r| filter.accepts(r));
            if op == Op::AnAlertCounter {
                let n = matching.filter(|r| r.status == "A" && r.pending).count();
                Ok(success("Counter found.", "alertCounter", json!(n)))
            } else {
                let list: Vec<Value> = matching.map(|r| request_json(&st.url, &id, r)).collect();
                Ok(success(
                    "Requests found.",
                    "userRequests",
                    Value::Array(list),
                ))
            }
        }
        _ => {
            // Op::AnLink
            let who = Who::read(&body)?;
            check_hash()?;
            let (id, _) = resolve(st, &who)?;
            let token = st.rng.hex(32);
            let link = format!(
                "{}/anna/messenger/{}?token={token}",
                st.url,
                wire::url_encode(&id)
            );
            Ok(success(
                "Link generated.",
                "messengerLink",
                Value::String(link),
            ))
        }
    }
}

fn known_user<'a>(st: &'a State, id: &str) -> Result<&'a User, Reply> {
    st.anna_users.get(id).ok_or_else(|| {
        refused(format!(
            "User {}@{id} not found.",
            st.options.anna_company_hash
        ))
    })
}

/// Who a messenger call is about: `userId`, else `userDocType` + `userDocValue`.
struct Who {
    id: String,
    doc_type: String,
    doc_value: String,
}

impl Who {
    fn read(body: &Map<String, Value>) -> Result<Who, Reply> {
        let id = user_id(body).map_err(bad)?;
        let doc_type = wire::require_str(body, "userDocType").map_err(bad)?;
        let doc_value = wire::require_str(body, "userDocValue").map_err(bad)?;
        if id.is_empty() && (doc_type.trim().is_empty() || doc_value.trim().is_empty()) {
            return Err(bad(
                "give `userId`, or `userDocType` and `userDocValue` (all three fields are sent; unused ones as \"\")".to_owned(),
            ));
        }
        Ok(Who {
            id,
            doc_type: doc_type.trim().to_owned(),
            doc_value: doc_value.trim().to_owned(),
        })
    }
}

/// The active user a messenger call is about, or why not.
fn resolve<'a>(st: &'a State, who: &Who) -> Result<(String, &'a User), Reply> {
    let company = &st.options.anna_company_hash;
    let (id, user) = if !who.id.is_empty() {
        (who.id.clone(), known_user(st, &who.id)?)
    } else {
        st.anna_users
            .iter()
            .find(|(_, u)| {
                u.document.as_ref().is_some_and(|(t, v)| {
                    t.eq_ignore_ascii_case(&who.doc_type) && *v == who.doc_value
                })
            })
            .map(|(id, u)| (id.clone(), u))
            .ok_or_else(|| {
                refused(format!(
                    "No user with document {} {}.",
                    who.doc_type, who.doc_value
                ))
            })?
    };
    if !user.active {
        return Err(refused(format!("User {company}@{id} is inactive.")));
    }
    Ok((id, user))
}

/// `messengerFilters`: every field present and a string; `""` means no filter.
struct Filter {
    department: String,
    channel: String,
    from: Option<(u32, u32, u32)>,
    to: Option<(u32, u32, u32)>,
    status: String,
    pending: String,
}

impl Filter {
    fn read(body: &Map<String, Value>) -> Result<Filter, String> {
        let m = match body.get("messengerFilters") {
            Some(Value::Object(m)) => m,
            Some(Value::Null) | None => return Err("missing field `messengerFilters`".to_owned()),
            Some(_) => return Err("field `messengerFilters` must be an object".to_owned()),
        };
        let field = |key: &str| -> Result<String, String> {
            wire::require_str(m, key)
                .map(|s| s.trim().to_owned())
                .map_err(|e| format!("messengerFilters: {e}"))
        };
        let date = |key: &str| -> Result<Option<(u32, u32, u32)>, String> {
            let v = field(key)?;
            if v.is_empty() {
                return Ok(None);
            }
            parse_date(&v).map(Some).ok_or_else(|| {
                format!("messengerFilters.{key} `{v}` is not a date written dd/MM/yyyy")
            })
        };
        let status = field("status")?.to_ascii_uppercase();
        if !matches!(status.as_str(), "" | "A" | "E") {
            return Err(format!(
                "messengerFilters.status `{status}` must be \"A\" (open), \"E\" (closed) or \"\""
            ));
        }
        let pending = field("pendentes")?.to_ascii_uppercase();
        if !matches!(pending.as_str(), "" | "S" | "N") {
            return Err(format!(
                "messengerFilters.pendentes `{pending}` must be \"S\", \"N\" or \"\""
            ));
        }
        Ok(Filter {
            department: field("departmentAlias")?,
            channel: field("channelAlias")?,
            from: date("dataIni")?,
            to: date("dataFim")?,
            status,
            pending,
        })
    }

    fn accepts(&self, r: &MessengerRequest) -> bool {
        (self.department.is_empty() || self.department.eq_ignore_ascii_case(r.department_alias))
            && (self.channel.is_empty() || self.channel.eq_ignore_ascii_case(r.channel_alias))
            && self.from.is_none_or(|from| r.opened_on >= from)
            && self.to.is_none_or(|to| r.opened_on <= to)
            && (self.status.is_empty() || self.status == r.status)
            && (self.pending.is_empty() || (self.pending == "S") == r.pending)
    }
}

/// `dd/MM/yyyy` as (year, month, day).
fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split('/');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() != 2 || m.len() != 2 || y.len() != 4 {
        return None;
    }
    let num = |t: &str| -> Option<u32> {
        t.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| t.parse().ok())
            .flatten()
    };
    let (d, m, y) = (num(d)?, num(m)?, num(y)?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

fn access_data(st: &mut State, id: &str, service: &str) -> Value {
    let hash = st.rng.hex(40);
    let id = wire::url_encode(id);
    let mut chat = format!("{}/anna/chat/{id}?hash={hash}", st.url);
    if !service.is_empty() {
        chat.push_str(&format!("&service={}", wire::url_encode(service)));
    }
    json!({
        "Hash": hash,
        "ChatURL": chat,
        "EmbeddedURL": format!("{}/anna/embedded/{id}?hash={hash}", st.url),
        "Expires": compact_date_time(unix_now() + 86_400),
    })
}

fn structure(company_hash: &str) -> Value {
    json!({
        "CompaniesHash": company_hash,
        "CompaniesName": "Sandbox Company",
        "Departments": [
            {
                "Alias": "financeiro",
                "Name": "Financeiro",
                "Channels": [
                    {"Alias": "whatsapp", "Name": "WhatsApp"},
                    {"Alias": "email", "Name": "E-mail"}
                ]
            },
            {
                "Alias": "suporte",
                "Name": "Suporte",
                "Channels": [{"Alias": "chat", "Name": "Chat"}]
            }
        ]
    })
}

fn request_json(url: &str, id: &str, r: &MessengerRequest) -> Value {
    let (y, m, d) = r.opened_on;
    json!({
        "Protocol": r.protocol,
        "Department": r.department,
        "DepartmentAlias": r.department_alias,
        "Channel": r.channel,
        "ChannelAlias": r.channel_alias,
        "Description": r.description,
        "OpeningDate": format!("{d:02}/{m:02}/{y:04} {}", r.opened_at_time),
        "Status": r.status,
        "Pending": if r.pending { "S" } else { "N" },
        "Link": format!("{url}/anna/messenger/{}/{}", wire::url_encode(id), r.protocol),
    })
}
