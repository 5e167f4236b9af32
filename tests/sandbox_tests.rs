//! The sandbox's own tests: each stateful behaviour, through the public Rust API and
//! through raw HTTP (for what the library never sends: malformed requests, stale
//! tokens), plus the statistics. (The quickstart's walkthrough is checked by running
//! it, as a user does: scripts/check-quickstart.sh.)

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{json, Value};
use tokenbridge::anna::{self, MessengerFilter, RequestStatus};
use tokenbridge::{ucontact, yativo, Body, Date, Error, ErrorKind, Method};

use tokenbridge::sandbox::{client_config, Sandbox, SandboxOptions};

// ---------------------------------------------------------------------------
// Raw HTTP.

#[derive(Debug)]
struct Raw {
    status: u16,
    content_type: String,
    body: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn raw(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Raw {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let result = if body.is_empty() {
        agent.run(builder.body(()).unwrap())
    } else {
        agent.run(builder.body(body.to_vec()).unwrap())
    };
    let mut response = result.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Raw {
        status: response.status().as_u16(),
        content_type,
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn encode_form(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");
const JSON: (&str, &str) = ("Content-Type", "application/json");

fn post_form(url: &str, fields: &[(&str, &str)], auth: Option<&str>) -> Raw {
    let auth = auth.map(|t| format!("Basic {t}"));
    let mut headers = vec![FORM];
    if let Some(a) = &auth {
        headers.push(("Authorization", a));
    }
    raw("POST", url, &headers, encode_form(fields).as_bytes())
}

fn post_json(url: &str, body: &Value, bearer: Option<&str>) -> Raw {
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let mut headers = vec![JSON];
    if let Some(a) = &auth {
        headers.push(("Authorization", a));
    }
    raw("POST", url, &headers, body.to_string().as_bytes())
}

fn get_bearer(url: &str, token: &str) -> Raw {
    raw(
        "GET",
        url,
        &[("Authorization", &format!("Bearer {token}"))],
        b"",
    )
}

/// The claims of a JWT (signature not checked).
fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn short_lived(secs: u64) -> Sandbox {
    Sandbox::start_with(SandboxOptions::default().token_lifetime(Duration::from_secs(secs)))
}

fn assert_rejected(e: &Error, status: u16, needle: &str) {
    assert_eq!(e.kind(), ErrorKind::Rejected, "{e}");
    assert_eq!(e.http_status(), Some(status), "{e}");
    let message = e.vendor_message().unwrap_or_default();
    assert!(message.contains(needle), "`{needle}` not in `{message}`");
}

// ---------------------------------------------------------------------------
// uContact.

fn uc_url(sb: &Sandbox, op: &str) -> String {
    format!("{}/Integra/resources/auth/{op}", sb.ucontact_url())
}

fn dialer_url(sb: &Sandbox) -> String {
    format!("{}/Integra/resources/Dialers/DialerTask", sb.ucontact_url())
}

fn uc_client(sb: &Sandbox, credentials: ucontact::Credentials) -> ucontact::Client {
    ucontact::Client::new(&sb.ucontact_url(), credentials, &client_config()).unwrap()
}

#[test]
fn ucontact_user_token_is_base64_user_and_uuid_last_in_an_array() {
    let sb = Sandbox::start();
    let r = post_form(
        &uc_url(&sb, "getUserToken"),
        &[("user", "apiuser"), ("password", "s3cret&=+ é")],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    // The shape uContact's own API documentation shows: the token last in an array.
    let answer: Vec<String> = serde_json::from_str(&r.body).unwrap();
    assert_eq!(answer.len(), 3, "{r:?}");
    assert_eq!(answer[1], "apiuser");
    let token = answer[2].clone();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&token)
        .unwrap();
    let decoded = String::from_utf8(decoded).unwrap();
    let (user, uuid) = decoded.split_once(':').unwrap();
    assert_eq!(user, "apiuser");
    assert_eq!(uuid.len(), 36, "{uuid}");

    // The library sends the password (with `&`, `=`, `+`, space, é) form-encoded.
    let client = uc_client(&sb, sb.ucontact_credentials());
    let token = client.get_user_token().unwrap();
    assert!(!token.expose().is_empty());
    assert_eq!(sb.count("ucontact.getUserToken"), 2);

    // The other shape, a bare JSON string, on request; the library reads both.
    let sb = Sandbox::start_with(SandboxOptions {
        ucontact_token_as_array: false,
        ..Default::default()
    });
    let r = post_form(
        &uc_url(&sb, "getUserToken"),
        &[("user", "apiuser"), ("password", "s3cret&=+ é")],
        None,
    );
    assert!(r.body.starts_with('"') && r.body.ends_with('"'), "{r:?}");
    let client = uc_client(&sb, sb.ucontact_credentials());
    assert!(!client.get_user_token().unwrap().expose().is_empty());
}

#[test]
fn ucontact_wrong_password_is_http_200_with_body_zero() {
    let sb = Sandbox::start();
    for (user, password) in [
        ("apiuser", "wrong"),
        ("nobody", "s3cret&=+ é"),
        ("apiuser", ""),
    ] {
        let r = post_form(
            &uc_url(&sb, "getUserToken"),
            &[("user", user), ("password", password)],
            None,
        );
        assert_eq!((r.status, r.body.as_str()), (200, "0"), "{user}/{password}");
    }
    let r = post_form(
        &uc_url(&sb, "AgentLogin"),
        &[("agent", "agent1"), ("password", "wrong")],
        None,
    );
    assert_eq!((r.status, r.body.as_str()), (200, "0"));

    let client = uc_client(&sb, ucontact::Credentials::api_user("apiuser", "wrong"));
    let e = client.get_user_token().unwrap_err();
    assert_rejected(&e, 200, "`0`");
    let agent = uc_client(&sb, ucontact::Credentials::agent("agent1", "wrong"));
    assert_rejected(&agent.agent_login().unwrap_err(), 200, "`0`");
}

/// Every field of U2's profile that API.md lists.
const PROFILE_FIELDS: [&str; 35] = [
    "id",
    "name",
    "host",
    "nat",
    "type",
    "accountcode",
    "callgroup",
    "callerid",
    "canreinvite",
    "context",
    "dtmfmode",
    "insecure",
    "language",
    "mailbox",
    "md5secret",
    "pickupgroup",
    "qualify",
    "secret",
    "disallow",
    "allow",
    "port",
    "defaultuser",
    "subscribecontext",
    "record",
    "email",
    "phonetype",
    "LogLevel",
    "limite",
    "transport",
    "encryption",
    "did",
    "outboundproxy",
    "fullname",
    "token",
    "name",
];

#[test]
fn ucontact_agent_login_returns_the_full_profile() {
    let sb = Sandbox::start();
    let r = post_form(
        &uc_url(&sb, "AgentLogin"),
        &[("agent", "agent1"), ("password", "agent-pass")],
        None,
    );
    assert_eq!(r.status, 200);
    let profile = r.json();
    for field in PROFILE_FIELDS {
        assert!(
            profile.get(field).is_some(),
            "missing `{field}` in {profile}"
        );
    }
    assert!(profile["id"].is_number() && profile["limite"].is_number());
    assert_eq!(profile.as_object().unwrap().len(), 34, "no other fields");

    let client = uc_client(&sb, sb.agent_credentials());
    let p = client.agent_login().unwrap();
    assert_eq!(p.id, Some(1001));
    assert_eq!(p.limite, Some(2));
    assert_eq!(p.fullname.as_deref(), Some("Agent One"));
    assert_eq!(p.log_level.as_deref(), Some("info"));
    assert!(p.secret.is_some() && p.md5secret.is_some());
    assert!(p.extra.is_empty(), "{:?}", p.extra.keys());
    // The profile's token opens the protected resources.
    let call = client
        .call(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
            Body::None,
        )
        .unwrap();
    assert_eq!(call.status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&call.body).unwrap()["user"],
        "agent1"
    );
    client.close().unwrap();
    assert_eq!(sb.count("ucontact.EndSession"), 1);
}

#[test]
fn ucontact_end_session_kills_the_token() {
    let sb = Sandbox::start();
    let client = uc_client(&sb, sb.ucontact_credentials());
    let token = client.get_user_token().unwrap();
    let token = token.expose();
    let r = post_form(&dialer_url(&sb), &[("campaign", "Sales")], Some(token));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["received"], json!({"campaign": "Sales"}));

    client.end_session().unwrap();
    assert!(!client.has_session());
    let r = post_form(&dialer_url(&sb), &[], Some(token));
    assert_eq!(r.status, 401, "{r:?}");
    assert!(r.body.contains("ended by EndSession"), "{}", r.body);

    // Ending it again: uContact's `0`, HTTP 200.
    let r = post_form(
        &uc_url(&sb, "EndSession"),
        &[("user", "apiuser"), ("token", token)],
        Some(token),
    );
    assert_eq!((r.status, r.body.as_str()), (200, "0"));
}

#[test]
fn ucontact_end_session_of_an_unknown_token_is_zero() {
    let sb = Sandbox::start();
    let r = post_form(
        &uc_url(&sb, "EndSession"),
        &[("user", "apiuser"), ("token", "bm9ib2R5OjE=")],
        Some("bm9ib2R5OjE="),
    );
    assert_eq!((r.status, r.body.as_str()), (200, "0"));

    let client = uc_client(&sb, sb.ucontact_credentials());
    client.set_token("bm9ib2R5OjE=", None).unwrap();
    let e = client.end_session().unwrap_err();
    assert_rejected(&e, 200, "not ended");

    // Without the Authorization header: 401.
    let r = post_form(
        &uc_url(&sb, "EndSession"),
        &[("user", "apiuser"), ("token", "bm9ib2R5OjE=")],
        None,
    );
    assert_eq!(r.status, 401, "{r:?}");
}

#[test]
fn ucontact_call_needs_a_live_token() {
    let sb = Sandbox::start();
    let r = post_form(&dialer_url(&sb), &[], None);
    assert_eq!(r.status, 401);
    assert!(
        r.body.contains("missing `Authorization: Basic"),
        "{}",
        r.body
    );
    let r = post_form(&dialer_url(&sb), &[], Some("bm9ib2R5OjE="));
    assert_eq!(r.status, 401);
    assert!(r.body.contains("unknown token"), "{}", r.body);
    let r = raw(
        "POST",
        &dialer_url(&sb),
        &[("Authorization", "Bearer x")],
        b"",
    );
    assert_eq!(r.status, 401);
}

#[test]
fn ucontact_tokens_expire_and_the_client_logs_in_again() {
    let sb = short_lived(1);
    let client = uc_client(&sb, sb.ucontact_credentials());
    let token = client.get_user_token().unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    let r = post_form(&dialer_url(&sb), &[], Some(token.expose()));
    assert_eq!(r.status, 401);
    assert!(r.body.contains("expired"), "{}", r.body);
    // The client does not know uContact expiry: it gets the 401, logs in, retries.
    let call = client
        .call(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
            Body::None,
        )
        .unwrap();
    assert_eq!(call.status, 200);
    assert_eq!(sb.count("ucontact.getUserToken"), 2);
    assert_eq!(sb.count("ucontact.call"), 3);
}

#[test]
fn ucontact_malformed_requests_get_a_clear_400_or_405() {
    let sb = Sandbox::start();
    let url = uc_url(&sb, "getUserToken");
    let body = br#"{"user":"apiuser","password":"x"}"#;
    let r = raw("POST", &url, &[JSON], body);
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("Content-Type") && r.body.contains("application/x-www-form-urlencoded"),
        "{}",
        r.body
    );
    let r = raw("POST", &url, &[], b"user=apiuser&password=x");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("missing Content-Type"), "{}", r.body);
    // charset is fine.
    let r = raw(
        "POST",
        &url,
        &[(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )],
        encode_form(&[("user", "apiuser"), ("password", "s3cret&=+ é")]).as_bytes(),
    );
    assert_eq!(r.status, 200, "{r:?}");

    let r = post_form(&url, &[("user", "apiuser")], None);
    assert_eq!(r.status, 400);
    assert!(
        r.body.contains("missing form field `password`"),
        "{}",
        r.body
    );
    let r = post_form(&uc_url(&sb, "AgentLogin"), &[("password", "x")], None);
    assert!(r.status == 400 && r.body.contains("`agent`"), "{r:?}");
    let r = raw("POST", &url, &[FORM], b"user=%ZZ&password=x");
    assert!(
        r.status == 400 && r.body.contains("percent-encoding"),
        "{r:?}"
    );

    let r = raw("GET", &url, &[], b"");
    assert_eq!(r.status, 405);
    assert!(r.body.contains("takes POST, not GET"), "{}", r.body);

    let r = post_form(
        &uc_url(&sb, "EndSession"),
        &[("user", "apiuser"), ("token", "a")],
        Some("b"),
    );
    assert!(
        r.status == 400 && r.body.contains("different tokens"),
        "{r:?}"
    );
    let r = post_form(
        &uc_url(&sb, "EndSession"),
        &[("user", "apiuser")],
        Some("b"),
    );
    assert!(r.status == 400 && r.body.contains("`token`"), "{r:?}");
}

// ---------------------------------------------------------------------------
// Yativo.

fn ya_url(sb: &Sandbox, path: &str) -> String {
    format!("{}/{path}", sb.yativo_url())
}

fn ya_client(sb: &Sandbox) -> yativo::Client {
    yativo::Client::new(&sb.yativo_url(), sb.yativo_credentials(), &client_config()).unwrap()
}

fn ya_login_raw(sb: &Sandbox) -> Value {
    let r = post_json(
        &ya_url(sb, "auth/login"),
        &json!({"account_id": "acct-sandbox", "app_secret": "yativo-secret"}),
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.content_type.starts_with("application/json"));
    r.json()
}

#[test]
fn yativo_login_gives_a_jwt_with_expires_in() {
    let sb = Sandbox::start();
    let v = ya_login_raw(&sb);
    assert_eq!(v["status"], "success");
    assert_eq!(v["status_code"], 200);
    assert_eq!(v["data"]["token_type"], "bearer");
    assert_eq!(v["data"]["expires_in"], 600);
    let claims = jwt_claims(v["data"]["access_token"].as_str().unwrap());
    let exp = claims["exp"].as_u64().unwrap();
    assert!(exp.abs_diff(unix_now() + 600) <= 2, "{claims}");
    assert_eq!(claims["sub"], "acct-sandbox");

    let token = ya_client(&sb).login().unwrap();
    assert_eq!(token.expires_in, 600);
    assert_eq!(token.token_type, "bearer");
}

#[test]
fn yativo_wrong_secret_is_refused_with_a_message() {
    let sb = Sandbox::start();
    let r = post_json(
        &ya_url(&sb, "auth/login"),
        &json!({"account_id": "acct-sandbox", "app_secret": "nope"}),
        None,
    );
    assert_eq!(r.status, 401);
    // Yativo's real error envelope: a generic message, the reason in `data.error`.
    assert_eq!(r.json()["status"], "failed");
    assert_eq!(r.json()["message"], "Request failed.");
    assert_eq!(r.json()["data"]["error"], "Invalid login credentials");
    let client = yativo::Client::new(
        &sb.yativo_url(),
        yativo::Credentials::new("acct-sandbox", "nope"),
        &client_config(),
    )
    .unwrap();
    let e = client.login().unwrap_err();
    assert_rejected(&e, 401, "Invalid login credentials");
    assert_eq!(e.vendor_message(), Some("Invalid login credentials"));
}

#[test]
fn yativo_refresh_replaces_the_old_token() {
    let sb = Sandbox::start();
    let client = ya_client(&sb);
    let first = client.login().unwrap();
    let second = client.refresh_token().unwrap();
    assert_ne!(first.access_token, second.access_token);
    assert_eq!(second.expires_in, 600);

    let r = get_bearer(&ya_url(&sb, "wallet/balance"), first.access_token.expose());
    assert_eq!(r.status, 401);
    assert!(r.body.contains("replaced by a refresh"), "{}", r.body);
    let r = get_bearer(
        &ya_url(&sb, "auth/refresh-token"),
        first.access_token.expose(),
    );
    assert_eq!(r.status, 401);
    let r = get_bearer(&ya_url(&sb, "wallet/balance"), second.access_token.expose());
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["data"]["account_id"], "acct-sandbox");

    // A raw refresh answers without `token_type`, as the real API may.
    let r = get_bearer(
        &ya_url(&sb, "auth/refresh-token"),
        second.access_token.expose(),
    );
    assert_eq!(r.status, 200);
    let data = &r.json()["data"];
    assert!(
        data.get("token_type").is_none() && data["expires_in"] == 600,
        "{data}"
    );

    // A client holding a replaced token: its refresh gets a 401, so it logs in
    // again and refreshes the new token.
    let stale = ya_client(&sb);
    stale.set_token(first.access_token.clone(), None).unwrap();
    let before = sb.count("yativo.refresh");
    let fresh = stale.refresh_token().unwrap();
    assert_eq!(sb.count("yativo.login"), 2);
    assert_eq!(sb.count("yativo.refresh"), before + 2);
    let r = get_bearer(&ya_url(&sb, "wallet/balance"), fresh.access_token.expose());
    assert_eq!(r.status, 200);
}

#[test]
fn yativo_tokens_expire_and_the_client_logs_in_again() {
    let sb = short_lived(1);
    let client = ya_client(&sb);
    let token = client.login().unwrap();
    assert_eq!(token.expires_in, 1);
    std::thread::sleep(Duration::from_millis(1100));
    for path in ["wallet/balance", "auth/refresh-token"] {
        let r = get_bearer(&ya_url(&sb, path), token.access_token.expose());
        assert_eq!(r.status, 401, "{path}");
        assert!(r.body.contains("expired"), "{}", r.body);
    }
    let r = client
        .call(Method::Get, "wallet/balance", Body::None)
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        sb.count("yativo.login"),
        2,
        "an expired token cannot be refreshed"
    );
}

#[test]
fn yativo_client_refreshes_silently_before_expiry() {
    let sb = Sandbox::start_with(SandboxOptions {
        yativo_token_lifetime: Duration::from_secs(4),
        ..Default::default()
    });
    let client = ya_client(&sb);
    let first = client.login().unwrap();
    // A 4 s token is due at half its life.
    std::thread::sleep(Duration::from_millis(2200));
    let r = client
        .call(Method::Get, "wallet/balance", Body::None)
        .unwrap();
    assert_eq!(r.status, 200);
    assert_ne!(client.token().unwrap().access_token, first.access_token);
    assert_eq!(sb.count("yativo.refresh"), 1);
    assert_eq!(sb.count("yativo.login"), 1);
}

#[test]
fn yativo_missing_token_is_401() {
    let sb = Sandbox::start();
    for path in ["wallet/balance", "auth/refresh-token"] {
        let r = raw("GET", &ya_url(&sb, path), &[], b"");
        assert_eq!(r.status, 401, "{path}");
        let v = r.json();
        assert_eq!(
            (v["status"].as_str(), v["status_code"].as_u64()),
            (Some("failed"), Some(401))
        );
        assert!(
            v["data"]["error"].as_str().unwrap().contains("Bearer"),
            "{v}"
        );
    }
}

#[test]
fn yativo_malformed_requests_get_a_clear_400_or_405() {
    let sb = Sandbox::start();
    let url = ya_url(&sb, "auth/login");
    let msg = |r: &Raw| {
        r.json()["data"]["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    let r = raw(
        "POST",
        &url,
        &[FORM],
        b"account_id=acct-sandbox&app_secret=yativo-secret",
    );
    assert_eq!(r.status, 400);
    assert!(msg(&r).contains("Content-Type"), "{}", r.body);
    // Validation failures are 422 with `data` as field -> messages, as Laravel does.
    let r = post_json(&url, &json!({"account_id": "acct-sandbox"}), None);
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["data"]["app_secret"][0],
        "The app secret field is required."
    );
    let r = post_json(&url, &json!({"account_id": 5, "app_secret": "x"}), None);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(
        r.json()["data"]["account_id"][0],
        "The account id must be a string."
    );
    let r = raw("POST", &url, &[JSON], b"{not json");
    assert!(
        r.status == 400 && msg(&r).contains("not valid JSON"),
        "{r:?}"
    );
    let r = raw("POST", &url, &[JSON], b"[1]");
    assert!(r.status == 400 && msg(&r).contains("JSON object"), "{r:?}");
    let r = raw("POST", &url, &[JSON], b"");
    assert!(r.status == 400 && msg(&r).contains("empty"), "{r:?}");
    let r = raw("POST", &ya_url(&sb, "auth/refresh-token"), &[JSON], b"{}");
    assert_eq!(r.status, 405);
    assert!(msg(&r).contains("takes GET, not POST"), "{}", r.body);
}

// ---------------------------------------------------------------------------
// AnnA.

fn an_url(sb: &Sandbox, path: &str) -> String {
    format!("{}{path}", sb.anna_url())
}

fn an_client(sb: &Sandbox) -> anna::Client {
    anna::Client::new(&sb.anna_url(), sb.anna_credentials(), &client_config()).unwrap()
}

fn an_token_raw(sb: &Sandbox) -> String {
    let r = post_json(
        &an_url(sb, "REST/Credentials/GetToken"),
        &json!({"hash": "COMPANYHASH", "user": "annauser", "pass": "anna-pass"}),
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    r.json()["data"]["Token"].as_str().unwrap().to_owned()
}

fn no_filter() -> Value {
    MessengerFilter::default().to_wire()
}

#[test]
fn anna_token_is_a_jwt_with_exp_and_expires_in_seconds_as_a_string() {
    let sb = Sandbox::start();
    let r = post_json(
        &an_url(&sb, "REST/Credentials/GetToken"),
        &json!({"hash": "COMPANYHASH", "user": "annauser", "pass": "anna-pass"}),
        None,
    );
    let v = r.json();
    assert_eq!(v["success"], true);
    assert_eq!(v["data"]["ExpiresIn"], "3600");
    let claims = jwt_claims(v["data"]["Token"].as_str().unwrap());
    assert!(claims["exp"].as_u64().unwrap().abs_diff(unix_now() + 3600) <= 2);
    assert_eq!(claims["sub"], "annauser");

    let token = an_client(&sb).get_token().unwrap();
    assert_eq!(token.expires_in_raw.as_deref(), Some("3600"));
    let left = token
        .expires_at
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(left.as_secs().abs_diff(3600) <= 2, "{left:?}");
}

#[test]
fn anna_login_failures_are_success_false() {
    let sb = Sandbox::start();
    for (body, needle) in [
        (
            json!({"hash": "WRONG", "user": "annauser", "pass": "anna-pass"}),
            "Company not found",
        ),
        (
            json!({"hash": "COMPANYHASH", "user": "annauser", "pass": "nope"}),
            "Invalid user or password",
        ),
        (
            json!({"hash": "COMPANYHASH", "user": "other", "pass": "anna-pass"}),
            "Invalid user or password",
        ),
    ] {
        let r = post_json(&an_url(&sb, "REST/Credentials/GetToken"), &body, None);
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_eq!(v["success"], false);
        assert!(v["message"].as_str().unwrap().contains(needle), "{v}");
    }
    let client = anna::Client::new(
        &sb.anna_url(),
        anna::Credentials::new("COMPANYHASH", "annauser", "nope"),
        &client_config(),
    )
    .unwrap();
    assert_rejected(
        &client.get_token().unwrap_err(),
        200,
        "Invalid user or password",
    );
}

#[test]
fn anna_unknown_and_inactive_users_and_wrong_hash_are_success_false() {
    let sb = Sandbox::start();
    let client = an_client(&sb);
    assert_rejected(
        &client.user_hash("7", None).unwrap_err(),
        200,
        "@7 is inactive.",
    );
    assert_rejected(
        &client.user_hash("999", None).unwrap_err(),
        200,
        "@999 not found.",
    );
    let all = MessengerFilter::default();
    let e = client
        .messenger_alert_counter(&anna::User::id("7"), &all)
        .unwrap_err();
    assert_rejected(&e, 200, "inactive");
    let e = client
        .messenger_link(&anna::User::document("CPF", "00000000000"))
        .unwrap_err();
    assert_rejected(&e, 200, "No user with document CPF 00000000000");
    assert_rejected(
        &client.inactivate_user("999").unwrap_err(),
        200,
        "not found",
    );

    // A valid token with a body holding another company's hash.
    let token = an_token_raw(&sb);
    let r = post_json(
        &an_url(&sb, "REST/AnnACorporate/User/UserHash"),
        &json!({"hash": "WRONG", "userId": "42", "startService": ""}),
        Some(&token),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"success": false, "message": "Invalid company hash."})
    );
}

#[test]
fn anna_inactivate_then_user_hash_fails_and_user_hash_forced_reactivates() {
    let sb = Sandbox::start();
    let client = an_client(&sb);
    client.user_hash("42", None).unwrap();
    assert_eq!(
        client.inactivate_user("42").unwrap(),
        "User 42 inactivated."
    );
    assert_rejected(
        &client.user_hash("42", None).unwrap_err(),
        200,
        "@42 is inactive.",
    );
    assert_eq!(
        client.inactivate_user("42").unwrap(),
        "User 42 was already inactive."
    );
    let e = client
        .messenger_link(&anna::User::document("CPF", "12345678900"))
        .unwrap_err();
    assert_rejected(&e, 200, "inactive");

    let access = client
        .user_hash_forced("42", "Ana Souza", Some("support"))
        .unwrap();
    assert!(
        access.chat_url.contains("service=support"),
        "{}",
        access.chat_url
    );
    client.user_hash("42", None).unwrap();
    // User 7, inactive from the start, is re-activated the same way.
    client.user_hash_forced("7", "Bruno Lima", None).unwrap();
    client.user_hash("7", None).unwrap();
    assert_eq!(sb.count("anna.UserHash"), 4);
    assert_eq!(sb.count("anna.UserHashForced"), 2);
    assert_eq!(sb.count("anna.Inactivate"), 2);
}

#[test]
fn anna_user_hash_forced_creates_a_user() {
    let sb = Sandbox::start();
    let client = an_client(&sb);
    assert_rejected(
        &client.user_hash("555", None).unwrap_err(),
        200,
        "not found",
    );
    client
        .user_hash_forced("555", "Novo Usuário", None)
        .unwrap();
    let access = client.user_hash("555", None).unwrap();
    assert!(!access.hash.expose().is_empty());
    let requests = client
        .messenger_requests(&anna::User::id("555"), &MessengerFilter::default())
        .unwrap();
    assert!(requests.items.is_empty());
}

#[test]
fn anna_access_data_has_urls_and_a_compact_expiry() {
    let sb = Sandbox::start();
    let access = an_client(&sb).user_hash("42", None).unwrap();
    assert_eq!(access.hash.expose().len(), 40);
    assert!(access
        .chat_url
        .starts_with(&format!("{}/anna/chat/42?hash=", sb.url())));
    assert!(access
        .embedded_url
        .starts_with(&format!("{}/anna/embedded/42?hash=", sb.url())));
    assert_eq!(access.expires_raw.len(), 14, "{}", access.expires_raw);
    assert!(access.expires.is_some(), "{}", access.expires_raw);
    // The links lead to a page of the sandbox.
    let page = raw("GET", &access.chat_url, &[], b"");
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
}

#[test]
fn anna_messenger_structure_counter_requests_and_link() {
    let sb = Sandbox::start();
    let client = an_client(&sb);
    let s = client.messenger_structure().unwrap();
    assert_eq!(s.companies_name, "Sandbox Company");
    assert_eq!(s.companies_hash, "COMPANYHASH");
    let names: Vec<(&str, usize)> = s
        .departments
        .iter()
        .map(|d| (d.alias.as_str(), d.channels.len()))
        .collect();
    assert_eq!(names, [("financeiro", 2), ("suporte", 1)]);

    let by_id = anna::User::id("42");
    let by_doc = anna::User::document("CPF", "12345678900");
    let all = MessengerFilter::default();
    let year_2024 = MessengerFilter {
        date_from: Some(Date::new(2024, 1, 1).unwrap()),
        date_to: Some(Date::new(2024, 12, 31).unwrap()),
        ..Default::default()
    };
    assert_eq!(client.messenger_alert_counter(&by_id, &all).unwrap(), 1);
    assert_eq!(
        client.messenger_alert_counter(&by_doc, &year_2024).unwrap(),
        1
    );
    let closed = MessengerFilter {
        status: Some(RequestStatus::Closed),
        ..Default::default()
    };
    assert_eq!(client.messenger_alert_counter(&by_id, &closed).unwrap(), 0);

    let requests = client.messenger_requests(&by_doc, &all).unwrap();
    assert_eq!(requests.items.len(), 3);
    let first = &requests.items[0];
    assert_eq!(first.protocol.as_deref(), Some("2024000101"));
    assert_eq!(first.department.as_deref(), Some("Financeiro"));
    assert_eq!(first.channel.as_deref(), Some("WhatsApp"));
    assert_eq!(first.status_kind, Some(RequestStatus::Open));
    assert_eq!(first.pending, Some(true));
    assert!(first.link.as_deref().unwrap().starts_with(sb.url()));
    assert_eq!(
        client
            .messenger_requests(&by_id, &year_2024)
            .unwrap()
            .items
            .len(),
        2
    );
    let support = MessengerFilter {
        department_alias: Some("suporte".into()),
        ..Default::default()
    };
    let items = client.messenger_requests(&by_id, &support).unwrap().items;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].protocol.as_deref(), Some("2024000102"));
    let not_pending = MessengerFilter {
        pending: Some(false),
        channel_alias: Some("email".into()),
        ..Default::default()
    };
    assert_eq!(
        client
            .messenger_requests(&by_id, &not_pending)
            .unwrap()
            .items
            .len(),
        1
    );

    let link = client.messenger_link(&by_doc).unwrap();
    assert!(
        link.starts_with(&format!("{}/anna/messenger/42?token=", sb.url())),
        "{link}"
    );

    let ping = client
        .call(
            Method::Post,
            "REST/AnnACorporate/Ping",
            Body::Json(json!({})),
        )
        .unwrap();
    assert_eq!(ping.status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&ping.body).unwrap()["message"],
        "pong"
    );
}

#[test]
fn anna_protected_calls_need_a_live_token() {
    let sb = short_lived(2);
    let url = an_url(&sb, "REST/AnnACorporate/Messenger/Structure");
    let body = json!({"hash": "COMPANYHASH"});
    let r = post_json(&url, &body, None);
    assert_eq!(r.status, 401);
    let v = r.json();
    assert_eq!(v["success"], false);
    assert!(
        v["message"].as_str().unwrap().starts_with("Unauthorized"),
        "{v}"
    );
    let r = post_json(&url, &body, Some("not.a.token"));
    assert_eq!(r.status, 401);

    let token = an_token_raw(&sb);
    assert_eq!(post_json(&url, &body, Some(&token)).status, 200);
    let client = an_client(&sb);
    client.messenger_structure().unwrap();
    std::thread::sleep(Duration::from_millis(2100));
    let r = post_json(&url, &body, Some(&token));
    assert_eq!(r.status, 401);
    assert!(r.body.contains("expired"), "{}", r.body);
    // The client knows the token's expiry and gets a new one by itself.
    client.messenger_structure().unwrap();
    assert_eq!(sb.count("anna.GetToken"), 3);
}

#[test]
fn anna_malformed_requests_get_a_clear_400() {
    let sb = Sandbox::start();
    let token = an_token_raw(&sb);
    let msg = |r: &Raw| r.json()["message"].as_str().unwrap_or_default().to_owned();
    let counter = an_url(&sb, "REST/AnnACorporate/Messenger/AlertCounter");
    let base =
        json!({"hash": "COMPANYHASH", "userId": "42", "userDocType": "", "userDocValue": ""});

    let r = post_json(&counter, &base, Some(&token));
    assert_eq!(
        (r.status, msg(&r)),
        (400, "missing field `messengerFilters`".into())
    );

    let mut body = base.clone();
    body["messengerFilters"] = no_filter();
    body["messengerFilters"]["dataIni"] = json!("2024-01-01");
    let r = post_json(&counter, &body, Some(&token));
    assert_eq!(r.status, 400);
    assert!(
        msg(&r).contains("dataIni") && msg(&r).contains("dd/MM/yyyy"),
        "{}",
        r.body
    );

    body["messengerFilters"] = no_filter();
    body["messengerFilters"]
        .as_object_mut()
        .unwrap()
        .remove("pendentes");
    let r = post_json(&counter, &body, Some(&token));
    assert!(r.status == 400 && msg(&r).contains("`pendentes`"), "{r:?}");

    body["messengerFilters"] = no_filter();
    body["messengerFilters"]["status"] = json!("X");
    let r = post_json(&counter, &body, Some(&token));
    assert!(r.status == 400 && msg(&r).contains("status"), "{r:?}");

    body["messengerFilters"] = no_filter();
    body.as_object_mut().unwrap().remove("userDocType");
    let r = post_json(&counter, &body, Some(&token));
    assert!(
        r.status == 400 && msg(&r).contains("`userDocType`"),
        "{r:?}"
    );

    let nobody = json!({"hash": "COMPANYHASH", "userId": "", "userDocType": "", "userDocValue": "", "messengerFilters": no_filter()});
    let r = post_json(&counter, &nobody, Some(&token));
    assert!(
        r.status == 400 && msg(&r).contains("give `userId`"),
        "{r:?}"
    );

    let r = post_json(
        &an_url(&sb, "REST/AnnACorporate/User/UserHashForced"),
        &json!({"hash": "COMPANYHASH", "userId": "42"}),
        Some(&token),
    );
    assert!(r.status == 400 && msg(&r).contains("`userName`"), "{r:?}");
    let r = post_json(
        &an_url(&sb, "REST/AnnACorporate/User/Inactivate"),
        &json!({"userId": "42"}),
        Some(&token),
    );
    assert!(r.status == 400 && msg(&r).contains("`hash`"), "{r:?}");

    let r = raw(
        "POST",
        &an_url(&sb, "REST/AnnACorporate/Messenger/Structure"),
        &[FORM, ("Authorization", &format!("Bearer {token}"))],
        b"hash=COMPANYHASH",
    );
    assert!(r.status == 400 && msg(&r).contains("Content-Type"), "{r:?}");

    let r = raw("GET", &an_url(&sb, "REST/Credentials/GetToken"), &[], b"");
    assert!(r.status == 405 && msg(&r).contains("takes POST"), "{r:?}");
}

// ---------------------------------------------------------------------------
// The sandbox as a whole.

#[test]
fn generic_resources_take_a_form_json_or_no_body() {
    let sb = Sandbox::start();
    let uc = uc_client(&sb, sb.ucontact_credentials());
    let path = "Integra/resources/Dialers/DialerTask";
    let form = Body::Form(vec![("campaign".into(), "Ventas é&=".into())]);
    for (body, received) in [
        (form, json!({"campaign": "Ventas é&="})),
        (
            Body::Json(json!({"campaign": "x"})),
            json!({"campaign": "x"}),
        ),
        (Body::None, Value::Null),
    ] {
        let r = uc.call(Method::Post, path, body).unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            (v["user"].clone(), v["received"].clone()),
            (json!("apiuser"), received)
        );
    }
    let an = an_client(&sb);
    let r = an
        .call(
            Method::Post,
            "REST/AnnACorporate/Ping",
            Body::Form(vec![("a".into(), "b".into())]),
        )
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&r.body).unwrap()["data"]["received"],
        json!({"a": "b"})
    );

    let token = uc.token().unwrap();
    let r = raw(
        "POST",
        &dialer_url(&sb),
        &[
            ("Content-Type", "text/plain"),
            ("Authorization", &format!("Basic {}", token.expose())),
        ],
        b"hello",
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("form, JSON or no body"), "{}", r.body);
    // An unknown resource is the server's 404, which the generic call returns as is.
    let ya = ya_client(&sb);
    let r = ya.call(Method::Get, "no/such/thing", Body::None).unwrap();
    assert_eq!(r.status, 404);
}

#[test]
fn unknown_requests_get_a_clear_404_or_405_in_the_api_shape() {
    let sb = Sandbox::start();
    let r = raw("GET", &format!("{}/nothing", sb.url()), &[], b"");
    assert_eq!(r.status, 404);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("GET /nothing"));
    let r = raw("DELETE", &ya_url(&sb, "payments/1"), &[], b"");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["status"], "failed");
    assert!(
        r.body.contains("DELETE /yativo/api/v1/payments/1"),
        "{}",
        r.body
    );
    let r = raw("POST", &an_url(&sb, "REST/Other"), &[JSON], b"{}");
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["success"], false);
    let r = raw("PUT", &format!("{}/x", sb.ucontact_url()), &[], b"");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("no PUT /ucontact/x"), "{}", r.body);
    for method in ["OPTIONS", "HEAD", "PATCH", "TRACE"] {
        let r = raw(method, &format!("{}/__sandbox/stats", sb.url()), &[], b"");
        assert_eq!(r.status, 405, "{method}");
    }
    let r = raw("PATCH", &format!("{}/__sandbox/stats", sb.url()), &[], b"");
    assert!(r.body.contains("takes GET, not PATCH"), "{}", r.body);
}

#[test]
fn stats_count_requests_per_operation() {
    let sb = Sandbox::start();
    let uc = uc_client(&sb, sb.ucontact_credentials());
    uc.get_user_token().unwrap();
    uc.call(
        Method::Post,
        "Integra/resources/Dialers/DialerTask",
        Body::None,
    )
    .unwrap();
    uc.end_session().unwrap();
    let agent = uc_client(&sb, sb.agent_credentials());
    agent.agent_login().unwrap();
    drop(agent); // ends the session
    let ya = ya_client(&sb);
    ya.login().unwrap();
    ya.refresh_token().unwrap();
    ya.call(Method::Get, "wallet/balance", Body::None).unwrap();
    let an = an_client(&sb);
    let all = MessengerFilter::default();
    let user = anna::User::id("42");
    an.user_hash("42", None).unwrap();
    an.user_hash_forced("43", "Outro", None).unwrap();
    an.inactivate_user("43").unwrap();
    an.messenger_structure().unwrap();
    an.messenger_alert_counter(&user, &all).unwrap();
    an.messenger_requests(&user, &all).unwrap();
    an.messenger_link(&user).unwrap();
    an.call(Method::Post, "REST/AnnACorporate/Ping", Body::None)
        .unwrap();
    // Malformed requests count too.
    raw("POST", &ya_url(&sb, "auth/login"), &[JSON], b"{}");

    let mut expected = json!({
        "ucontact.getUserToken": 1, "ucontact.AgentLogin": 1, "ucontact.EndSession": 2,
        "ucontact.call": 1, "yativo.login": 2, "yativo.refresh": 1, "yativo.call": 1,
        "yativo.payout": 0, "yativo.getPayout": 0, "yativo.payouts_executed": 0,
        "anna.GetToken": 1, "anna.UserHash": 1, "anna.UserHashForced": 1,
        "anna.Inactivate": 1, "anna.Structure": 1, "anna.AlertCounter": 1,
        "anna.Requests": 1, "anna.Link": 1, "anna.call": 1
    });
    let r = raw("GET", &format!("{}/__sandbox/stats", sb.url()), &[], b"");
    assert_eq!(r.status, 200);
    let mut got = r.json();
    // Connections and requests depend on how each client pools; checked elsewhere.
    for key in ["connections", "requests"] {
        assert!(got[key].as_u64().unwrap() >= 1, "{got}");
        got.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(got, expected);
    let mut stats = serde_json::to_value(sb.stats()).unwrap();
    for key in ["connections", "requests"] {
        stats.as_object_mut().unwrap().remove(key);
    }
    expected.as_object_mut().unwrap();
    assert_eq!(stats, expected);
}

#[test]
fn custom_credentials_replace_the_defaults() {
    let sb = Sandbox::start_with(SandboxOptions {
        ucontact_user: "u".into(),
        ucontact_password: "p".into(),
        yativo_account: "a".into(),
        yativo_secret: "s".into(),
        anna_company_hash: "H".into(),
        anna_user: "x".into(),
        anna_pass: "y".into(),
        ..Default::default()
    });
    let default_user = uc_client(
        &sb,
        ucontact::Credentials::api_user("apiuser", "s3cret&=+ é"),
    );
    assert!(default_user.get_user_token().is_err());
    uc_client(&sb, sb.ucontact_credentials())
        .get_user_token()
        .unwrap();
    ya_client(&sb).login().unwrap();
    let an = an_client(&sb);
    an.get_token().unwrap();
    assert_rejected(
        &an.user_hash("7", None).unwrap_err(),
        200,
        "User H@7 is inactive.",
    );
}

#[test]
fn the_sandbox_serves_many_threads_at_once() {
    let sb = Sandbox::start();
    let ya = ya_client(&sb);
    std::thread::scope(|s| {
        for i in 0..8 {
            let (sb, ya) = (&sb, ya.clone());
            s.spawn(move || {
                let r = ya.call(Method::Get, "wallet/balance", Body::None).unwrap();
                assert_eq!(r.status, 200);
                let an = an_client(sb);
                an.user_hash_forced(&format!("t{i}"), "Thread", None)
                    .unwrap();
                an.user_hash(&format!("t{i}"), None).unwrap();
                let uc = uc_client(sb, sb.ucontact_credentials());
                uc.get_user_token().unwrap();
                uc.close().unwrap();
            });
        }
    });
    assert_eq!(
        sb.count("yativo.login"),
        1,
        "one login shared by the clones"
    );
    assert_eq!(sb.count("yativo.call"), 8);
    assert_eq!(sb.count("anna.GetToken"), 8);
    assert_eq!(sb.count("anna.UserHash"), 8);
    assert_eq!(sb.count("ucontact.EndSession"), 8);
}

#[test]
fn two_sandboxes_do_not_share_state() {
    let a = Sandbox::start();
    let b = Sandbox::start();
    assert_ne!(a.url(), b.url());
    let token = ya_client(&a).login().unwrap();
    let r = get_bearer(&ya_url(&b, "wallet/balance"), token.access_token.expose());
    assert_eq!(r.status, 401);
    assert_eq!(b.count("yativo.login"), 0);
}

#[test]
fn a_taken_port_is_an_error_not_a_panic() {
    let a = Sandbox::start();
    let e = Sandbox::try_start_with(SandboxOptions {
        listen: format!("127.0.0.1:{}", a.port()).parse().unwrap(),
        ..Default::default()
    })
    .unwrap_err();
    assert!(e.contains(&a.port().to_string()), "{e}");
}
