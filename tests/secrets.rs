//! No secret ever shows: every operation of the three clients is run against mockito,
//! successful and failing (wrong password, 401, a 500 page and a vendor message that
//! echo the secrets back, answers of the wrong shape that carry them), and every
//! `Debug` of a client, config, credential and result, and every error's `Display`
//! and `Debug`, is searched for each secret in every spelling a server may echo it in.
//!
//! The secrets are distinctive strings with characters that encodings change (`&`,
//! `=`, `+`, `/`, a space, a quote, a backslash, non-ASCII), so a leak in any encoding
//! is caught. Each scenario also checks the error kind, so that a test of "the 401
//! path" cannot silently test something else.

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use tokenbridge::anna::{MessengerFilter, RequestStatus, User};
use tokenbridge::{
    anna, ucontact, yativo, Body, Config, Date, Error, ErrorKind, Method, ProxySetting,
    RetryPolicy, Secret,
};

// uContact
const UC_USER: &str = "apiuser";
const UC_PASSWORD: &str = "UcPw&=+ é/7f3a\"x";
const UC_TOKEN: &str = "VWNUb2s/OTFi+MlNF/Q1JFVA==";
const UC_AGENT_TOKEN: &str = "QWdlbnRUb2s/NTU1+Ng==";
const SIP_SECRET: &str = "SipSecret-5e1d";
const SIP_MD5: &str = "Md5Secret-9a0cf1";
// Yativo
const YT_ACCOUNT: &str = "acct-42";
const YT_APP_SECRET: &str = "YtApp\"Secr\\et/ü-44c1";
const YT_TOKEN_1: &str = "YtTok-1-a8d2e.eyJzdWIiOiJ4In0.c2ln";
const YT_TOKEN_2: &str = "YtTok-2-b7c3f.eyJzdWIiOiJ5In0.c2ln";
// AnnA
const AN_COMPANY_HASH: &str = "AnnaCo-Hash-3b9f";
const AN_USER: &str = "annauser";
const AN_PASS: &str = "AnnaPw-é&c0de/9";
const AN_TOKEN: &str = "AnnaTok-77e0.eyJzdWIiOiJ6In0.c2ln";
const AN_USER_HASH: &str = "AnnaUserHash-12ab";
// Settings
const PROXY_PASSWORD: &str = "ProxyPw-6c6c";

const ALL_SECRETS: &[&str] = &[
    UC_PASSWORD,
    UC_TOKEN,
    UC_AGENT_TOKEN,
    SIP_SECRET,
    SIP_MD5,
    YT_APP_SECRET,
    YT_TOKEN_1,
    YT_TOKEN_2,
    AN_COMPANY_HASH,
    AN_PASS,
    AN_TOKEN,
    AN_USER_HASH,
    PROXY_PASSWORD,
];

// ---------------------------------------------------------------------------------
// Spellings, echo pages, and the collector of everything a user may print
// ---------------------------------------------------------------------------------

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// JSON-escaped as serde writes it, without the quotes.
fn json_escape(s: &str) -> String {
    let j = serde_json::to_string(s).unwrap();
    j[1..j.len() - 1].to_owned()
}

/// JSON-escaped as many servers write it: non-ASCII as `\uXXXX`, `/` as `\/`.
fn json_escape_ascii(s: &str) -> String {
    let mut out = String::new();
    for c in json_escape(s).chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// Every spelling in which a server may echo a secret.
fn spellings(s: &str) -> Vec<String> {
    let mut v = vec![
        s.to_owned(),
        form_encode(s),
        form_encode(s).replace('+', "%20"),
        json_escape(s),
        json_escape_ascii(s),
    ];
    v.sort();
    v.dedup();
    v
}

/// A server error page that echoes each secret in each spelling, as debug pages of
/// application servers do (request dump, session dump).
fn echo_page(title: &str, secrets: &[&str]) -> String {
    let mut page = format!("<html><head><title>{title}</title></head><body><h1>{title}</h1><pre>");
    for s in secrets {
        for sp in spellings(s) {
            page.push_str(&format!("request: password={sp}&token={sp}\n"));
        }
    }
    page.push_str("</pre></body></html>");
    page
}

/// A JSON text echoing each secret in each spelling (already JSON-escaped ones as
/// they are, so the raw JSON carries `\u00e9` and `\/`).
fn echo_json_text(secrets: &[&str]) -> String {
    let mut parts = Vec::new();
    for s in secrets {
        parts.push(format!("password {} ", json_escape(s)));
        parts.push(format!("escaped {} ", json_escape_ascii(s)));
        parts.push(format!("form {} ", form_encode(s)));
    }
    parts.concat()
}

/// Everything printed during a scenario, searched at the end.
#[derive(Default)]
struct Printed {
    texts: Vec<(String, String)>,
    errors: usize,
}

impl Printed {
    fn debug<T: Debug>(&mut self, label: &str, value: &T) {
        self.texts.push((label.to_owned(), format!("{value:?}")));
        self.texts
            .push((format!("{label} (pretty)"), format!("{value:#?}")));
    }

    fn error(&mut self, label: &str, e: &Error) {
        self.errors += 1;
        self.texts.push((format!("{label} Display"), e.to_string()));
        self.debug(label, e);
        if let Some(m) = e.vendor_message() {
            self.texts
                .push((format!("{label} vendor_message"), m.to_owned()));
        }
    }

    /// Records a result that must be an error of this kind.
    fn failure<T: Debug>(&mut self, label: &str, result: tokenbridge::Result<T>, kind: ErrorKind) {
        self.failure_of(label, result, &[kind]);
    }

    /// Records a result that must be an error of one of these kinds.
    fn failure_of<T: Debug>(
        &mut self,
        label: &str,
        result: tokenbridge::Result<T>,
        kinds: &[ErrorKind],
    ) {
        match result {
            Err(e) => {
                assert!(kinds.contains(&e.kind()), "{label}: {kinds:?}: {e:?}");
                self.error(label, &e);
            }
            Ok(v) => panic!("{label}: expected a {kinds:?} error, got {v:?}"),
        }
    }

    /// Records a result that must succeed, and returns its value.
    fn success<T: Debug>(&mut self, label: &str, result: tokenbridge::Result<T>) -> T {
        match result {
            Ok(v) => {
                self.debug(label, &v);
                v
            }
            Err(e) => {
                self.error(label, &e);
                panic!("{label}: {e}")
            }
        }
    }

    fn assert_no_secret(&self) {
        assert!(!self.texts.is_empty());
        for (label, text) in &self.texts {
            for secret in ALL_SECRETS {
                for sp in spellings(secret) {
                    assert!(
                        !text.contains(&sp),
                        "{label}: the secret {secret:?} leaked (as {sp:?}) in: {text}"
                    );
                }
            }
        }
    }
}

fn config() -> Config {
    Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .retry(RetryPolicy::none())
        .timeout_receive(Duration::from_secs(5))
}

/// A config whose proxy URL carries a password: its `Debug` must not show it.
#[test]
fn config_debug_hides_the_proxy_password() {
    let mut p = Printed::default();
    let cfg = config().proxy(ProxySetting::Url(format!(
        "http://proxyuser:{PROXY_PASSWORD}@proxy.example:3128"
    )));
    p.debug("config", &cfg);
    assert!(
        p.texts[0].1.contains("proxy.example:3128"),
        "{}",
        p.texts[0].1
    );
    p.assert_no_secret();
}

#[test]
fn credentials_and_secrets_print_as_stars() {
    let mut p = Printed::default();
    p.debug(
        "uContact api user",
        &ucontact::Credentials::api_user(UC_USER, UC_PASSWORD),
    );
    p.debug(
        "uContact agent",
        &ucontact::Credentials::agent("agent1", UC_PASSWORD),
    );
    p.debug(
        "Yativo",
        &yativo::Credentials::new(YT_ACCOUNT, YT_APP_SECRET),
    );
    p.debug(
        "AnnA",
        &anna::Credentials::new(AN_COMPANY_HASH, AN_USER, AN_PASS),
    );
    for s in ALL_SECRETS {
        let secret = Secret::new(*s);
        p.debug("Secret", &secret);
        p.texts.push(("Secret Display".into(), secret.to_string()));
    }
    p.assert_no_secret();
}

// ---------------------------------------------------------------------------------
// uContact
// ---------------------------------------------------------------------------------

const UC_LOGIN: &str = "/Integra/resources/auth/getUserToken";
const UC_AGENT: &str = "/Integra/resources/auth/AgentLogin";
const UC_END: &str = "/Integra/resources/auth/EndSession";
const UC_TASK: &str = "/Integra/resources/Dialers/DialerTask";

fn uc_client(server: &ServerGuard, agent: bool) -> ucontact::Client {
    uc_client_with(server, agent, false)
}

fn uc_client_with(server: &ServerGuard, agent: bool, end_on_close: bool) -> ucontact::Client {
    let credentials = if agent {
        ucontact::Credentials::agent("agent1", UC_PASSWORD)
    } else {
        ucontact::Credentials::api_user(UC_USER, UC_PASSWORD)
    };
    ucontact::Client::new(
        &server.url(),
        credentials,
        &config().end_session_on_close(end_on_close),
    )
    .unwrap()
}

fn uc_profile() -> String {
    json!({
        "id": 17, "name": "agent1", "host": "dynamic", "context": "from-internal",
        "secret": SIP_SECRET, "md5secret": SIP_MD5, "token": UC_AGENT_TOKEN,
        "fullname": "Agent One", "callerid": "Agent One <1001>", "x-extra": "kept"
    })
    .to_string()
}

#[test]
fn ucontact_successful_operations_show_no_secret() {
    let mut server = Server::new();
    let login = server
        .mock("POST", UC_LOGIN)
        .match_body(Matcher::UrlEncoded("password".into(), UC_PASSWORD.into()))
        .with_body(serde_json::to_string(UC_TOKEN).unwrap())
        .create();
    let agent = server
        .mock("POST", UC_AGENT)
        .match_body(Matcher::UrlEncoded("password".into(), UC_PASSWORD.into()))
        .with_body(uc_profile())
        .create();
    let end = server
        .mock("POST", UC_END)
        .with_body("1")
        .expect(2)
        .create();
    let task = server
        .mock("POST", UC_TASK)
        .match_header("authorization", format!("Basic {UC_TOKEN}").as_str())
        .with_body(r#"{"result":"ok"}"#)
        .create();

    let mut p = Printed::default();
    let client = uc_client(&server, false);
    p.debug("client", &client);
    let token = p.success("get_user_token", client.get_user_token());
    assert_eq!(token.expose(), UC_TOKEN, "the secret did reach the caller");
    p.texts.push(("token Display".into(), token.to_string()));
    p.success("token", client.token());
    p.success(
        "call",
        client.call(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
            Body::Form(vec![("campaign".into(), "Sales".into())]),
        ),
    );
    p.success("end_session", client.end_session());
    p.success("set_token", client.set_token(UC_TOKEN, None));
    p.debug("client with a session", &client);
    p.success("close", client.close());

    let agent_client = uc_client(&server, true);
    let profile = p.success("agent_login", agent_client.agent_login());
    assert_eq!(profile.token.expose(), UC_AGENT_TOKEN);
    assert_eq!(
        profile.secret.as_ref().map(Secret::expose),
        Some(SIP_SECRET)
    );
    p.debug("agent client", &agent_client);
    p.success("agent end_session", agent_client.end_session());

    login.assert();
    agent.assert();
    end.assert();
    task.assert();
    p.assert_no_secret();
}

/// Runs every uContact operation against a server that answers them all with
/// `status` and a body made by `body` from the secrets the client knows at that
/// point (the password on logins; the password and the session token on
/// EndSession), and checks each error's kind.
fn ucontact_failing(
    status: usize,
    body: impl Fn(&[&str]) -> String,
    login_kind: ErrorKind,
    end_kind: ErrorKind,
) {
    let mut server = Server::new();
    let mut mocks: Vec<Mock> = [UC_LOGIN, UC_AGENT]
        .iter()
        .map(|path| {
            server
                .mock("POST", *path)
                .with_status(status)
                .with_body(body(&[UC_PASSWORD]))
                .create()
        })
        .collect();
    mocks.push(
        server
            .mock("POST", UC_END)
            .with_status(status)
            .with_body(body(&[UC_PASSWORD, UC_TOKEN]))
            .create(),
    );
    let mut p = Printed::default();
    let client = uc_client(&server, false);
    p.failure("get_user_token", client.get_user_token(), login_kind);
    p.failure("token", client.token(), login_kind);
    p.failure("agent_login", client.agent_login(), login_kind);
    client.set_token(UC_TOKEN, None).unwrap();
    p.failure("end_session", client.end_session(), end_kind);
    let closing = uc_client_with(&server, false, true);
    closing.set_token(UC_TOKEN, None).unwrap();
    p.failure("close", closing.close(), end_kind);
    let agent_client = uc_client(&server, true);
    p.failure("agent token", agent_client.token(), login_kind);
    p.debug("client", &client);
    drop(mocks);
    p.assert_no_secret();
}

#[test]
fn ucontact_wrong_password() {
    ucontact_failing(
        200,
        |_| "0".to_owned(),
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
}

fn uc_vendor_message(secrets: &[&str]) -> String {
    format!(
        "Error: user {UC_USER} with password {} may not do this ({})",
        secrets.join(" and token "),
        echo_json_text(secrets)
    )
}

#[test]
fn ucontact_vendor_message_echoing_the_secrets() {
    ucontact_failing(
        200,
        uc_vendor_message,
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
    ucontact_failing(
        200,
        |s| serde_json::to_string(&uc_vendor_message(s)).unwrap(),
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
}

#[test]
fn ucontact_401_page_echoing_the_secrets() {
    ucontact_failing(
        401,
        |s| echo_page("401 Unauthorized", s),
        ErrorKind::Rejected,
        ErrorKind::Unauthorized,
    );
}

#[test]
fn ucontact_500_page_echoing_the_secrets() {
    ucontact_failing(
        500,
        |s| echo_page("500 Internal Server Error", s),
        ErrorKind::HttpStatus,
        ErrorKind::HttpStatus,
    );
}

#[test]
fn ucontact_call_401_echoing_the_token() {
    let mut server = Server::new();
    let _login = server
        .mock("POST", UC_LOGIN)
        .with_body(serde_json::to_string(UC_TOKEN).unwrap())
        .create();
    let _task = server
        .mock("POST", UC_TASK)
        .with_status(401)
        .with_body(echo_page("401", &[UC_TOKEN, UC_PASSWORD]))
        .expect(2)
        .create();
    let mut p = Printed::default();
    let client = uc_client(&server, false);
    p.failure(
        "call",
        client.call(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
            Body::None,
        ),
        ErrorKind::Unauthorized,
    );
    p.assert_no_secret();
}

/// A login answer of the wrong shape that still carries the token or the SIP secrets.
#[test]
fn ucontact_malformed_login_answers_carrying_secrets() {
    let cases: &[(&str, String)] = &[
        (
            UC_LOGIN,
            json!({"token": UC_TOKEN, "password": UC_PASSWORD}).to_string(),
        ),
        (UC_LOGIN, json!([UC_TOKEN, 5]).to_string()),
        (UC_LOGIN, format!("\"{UC_TOKEN}")),
        (
            UC_AGENT,
            json!({"id": 1, "secret": SIP_SECRET, "md5secret": SIP_MD5, "token": ""}).to_string(),
        ),
        (
            UC_AGENT,
            json!([{"secret": SIP_SECRET, "md5secret": SIP_MD5, "token": UC_AGENT_TOKEN}])
                .to_string(),
        ),
    ];
    for (path, body) in cases {
        let mut server = Server::new();
        let _m = server.mock("POST", *path).with_body(body).create();
        let client = uc_client(&server, false);
        let mut p = Printed::default();
        let result = if *path == UC_LOGIN {
            client.get_user_token().map(drop)
        } else {
            client.agent_login().map(drop)
        };
        p.failure(body, result, ErrorKind::UnexpectedResponse);
        p.assert_no_secret();
    }
}

// ---------------------------------------------------------------------------------
// Yativo
// ---------------------------------------------------------------------------------

fn yt_client(server: &ServerGuard) -> yativo::Client {
    yativo::Client::new(
        &server.url(),
        yativo::Credentials::new(YT_ACCOUNT, YT_APP_SECRET),
        &config(),
    )
    .unwrap()
}

fn yt_token(token: &str) -> String {
    json!({"status": "success", "status_code": 200, "message": "Token issued",
           "data": {"access_token": token, "token_type": "bearer", "expires_in": 600}})
    .to_string()
}

#[test]
fn yativo_successful_operations_show_no_secret() {
    let mut server = Server::new();
    let login = server
        .mock("POST", "/auth/login")
        .match_body(Matcher::PartialJson(json!({"app_secret": YT_APP_SECRET})))
        .with_body(yt_token(YT_TOKEN_1))
        .create();
    let refresh = server
        .mock("GET", "/auth/refresh-token")
        .match_header("authorization", format!("Bearer {YT_TOKEN_1}").as_str())
        .with_body(yt_token(YT_TOKEN_2))
        .create();
    let wallet = server
        .mock("GET", "/wallet/balance")
        .match_header("authorization", format!("Bearer {YT_TOKEN_2}").as_str())
        .with_body(r#"{"status":"success","data":{"balance":"10.00"}}"#)
        .create();

    let mut p = Printed::default();
    let client = yt_client(&server);
    p.debug("client", &client);
    let t = p.success("login", client.login());
    assert_eq!(t.access_token.expose(), YT_TOKEN_1);
    p.success("token", client.token());
    let t = p.success("refresh_token", client.refresh_token());
    assert_eq!(t.access_token.expose(), YT_TOKEN_2);
    p.success(
        "call",
        client.call(Method::Get, "wallet/balance", Body::None),
    );
    p.success(
        "set_token",
        client.set_token(
            YT_TOKEN_2,
            Some(SystemTime::now() + Duration::from_secs(60)),
        ),
    );
    p.debug("client with a token", &client);
    login.assert();
    refresh.assert();
    wallet.assert();
    p.assert_no_secret();
}

/// Every Yativo operation against a server that answers them all with `status` and
/// a body made from the secrets the client knows (the app secret on login; the app
/// secret and the token on refresh).
fn yativo_failing(
    status: usize,
    body: impl Fn(&[&str]) -> String,
    login_kind: ErrorKind,
    refresh_kind: ErrorKind,
) {
    let mut server = Server::new();
    let _login = server
        .mock("POST", "/auth/login")
        .with_status(status)
        .with_body(body(&[YT_APP_SECRET]))
        .create();
    let _refresh = server
        .mock("GET", "/auth/refresh-token")
        .with_status(status)
        .with_body(body(&[YT_APP_SECRET, YT_TOKEN_1]))
        .create();
    let mut p = Printed::default();
    let client = yt_client(&server);
    p.failure("login", client.login(), login_kind);
    p.failure("token", client.token(), login_kind);
    p.failure(
        "refresh_token (logs in)",
        client.refresh_token(),
        login_kind,
    );
    client
        .set_token(
            YT_TOKEN_1,
            Some(SystemTime::now() + Duration::from_secs(600)),
        )
        .unwrap();
    // With a valid token, refresh-token is what fails (then, for a refused token,
    // the login it may fall back to).
    let refresh_kinds: &[ErrorKind] = if status == 401 {
        &[refresh_kind, ErrorKind::Unauthorized]
    } else {
        &[refresh_kind]
    };
    p.failure_of("refresh_token", client.refresh_token(), refresh_kinds);
    p.debug("client", &client);
    p.assert_no_secret();
}

#[test]
fn yativo_wrong_app_secret() {
    yativo_failing(
        401,
        |_| {
            json!({"status": "error", "status_code": 401, "message": "Invalid credentials", "data": null})
                .to_string()
        },
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
}

fn yt_vendor_message(secrets: &[&str]) -> String {
    let message = format!(
        "account {YT_ACCOUNT}: {} not accepted; {}",
        secrets.join(" and "),
        echo_json_text(secrets)
    );
    json!({"status": "error", "status_code": 422, "message": message, "data": {"echo": secrets}})
        .to_string()
}

#[test]
fn yativo_vendor_message_echoing_the_secrets() {
    yativo_failing(
        422,
        yt_vendor_message,
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
    // The same inside an HTTP 200.
    yativo_failing(
        200,
        yt_vendor_message,
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
}

#[test]
fn yativo_401_page_echoing_the_secrets() {
    yativo_failing(
        401,
        |s| echo_page("401 Unauthorized", s),
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
}

#[test]
fn yativo_500_page_echoing_the_secrets() {
    yativo_failing(
        500,
        |s| echo_page("500 Internal Server Error", s),
        ErrorKind::HttpStatus,
        ErrorKind::HttpStatus,
    );
}

#[test]
fn yativo_call_401_echoing_the_token() {
    let mut server = Server::new();
    let _login = server
        .mock("POST", "/auth/login")
        .with_body(yt_token(YT_TOKEN_1))
        .create();
    let _wallet = server
        .mock("GET", "/wallet/balance")
        .with_status(401)
        .with_body(echo_page("401", &[YT_TOKEN_1, YT_APP_SECRET]))
        .create();
    let mut p = Printed::default();
    let client = yt_client(&server);
    p.failure(
        "call",
        client.call(Method::Get, "wallet/balance", Body::None),
        ErrorKind::Unauthorized,
    );
    p.assert_no_secret();
}

/// A success envelope of the wrong shape that carries the new token.
#[test]
fn yativo_malformed_token_answers_carrying_the_token() {
    let bodies = [
        json!({"status": "success", "data": {"access_token": YT_TOKEN_2, "expires_in": -5}}),
        json!({"status": "success", "data": {"access_token": YT_TOKEN_2, "expires_in": 0}}),
        json!({"status": "success", "data": [YT_TOKEN_2]}),
        json!({"status": "success", "data": {"token": YT_TOKEN_2}}),
        json!({"status": "success", "data": {"access_token": [YT_TOKEN_2]}}),
    ];
    for body in bodies {
        let mut server = Server::new();
        let _m = server
            .mock("POST", "/auth/login")
            .with_body(body.to_string())
            .create();
        let mut p = Printed::default();
        p.failure(
            &body.to_string(),
            yt_client(&server).login(),
            ErrorKind::UnexpectedResponse,
        );
        p.assert_no_secret();
    }
}

// ---------------------------------------------------------------------------------
// AnnA
// ---------------------------------------------------------------------------------

const AN_GET_TOKEN: &str = "/REST/Credentials/GetToken";
const AN_PROTECTED: &[&str] = &[
    "/REST/AnnACorporate/User/UserHash",
    "/REST/AnnACorporate/User/UserHashForced",
    "/REST/AnnACorporate/User/Inactivate",
    "/REST/AnnACorporate/Messenger/Structure",
    "/REST/AnnACorporate/Messenger/AlertCounter",
    "/REST/AnnACorporate/Messenger/Requests",
    "/REST/AnnACorporate/Messenger/Link",
];

fn an_client(server: &ServerGuard) -> anna::Client {
    anna::Client::new(
        &server.url(),
        anna::Credentials::new(AN_COMPANY_HASH, AN_USER, AN_PASS),
        &config(),
    )
    .unwrap()
}

fn an_token() -> String {
    json!({"success": true, "message": "", "data": {"Token": AN_TOKEN, "ExpiresIn": "3600"}})
        .to_string()
}

fn filter() -> MessengerFilter {
    MessengerFilter {
        date_from: Some(Date::new(2024, 1, 1).unwrap()),
        date_to: Some(Date::new(2024, 12, 31).unwrap()),
        status: Some(RequestStatus::Open),
        ..Default::default()
    }
}

/// Every AnnA operation but GetToken, in the order of [`AN_PROTECTED`], each as a
/// result whose value is printed with `Debug`.
fn an_protected_ops(client: &anna::Client) -> Vec<(&'static str, tokenbridge::Result<String>)> {
    let user = User::id("42");
    let doc = User::document("CPF", "12345678900");
    fn dbg<T: Debug>(r: tokenbridge::Result<T>) -> tokenbridge::Result<String> {
        r.map(|v| format!("{v:?} | {v:#?}"))
    }
    vec![
        ("user_hash", dbg(client.user_hash("42", Some("sales")))),
        (
            "user_hash_forced",
            dbg(client.user_hash_forced("42", "Ana Souza", None)),
        ),
        ("inactivate_user", dbg(client.inactivate_user("7"))),
        ("messenger_structure", dbg(client.messenger_structure())),
        (
            "messenger_alert_counter",
            dbg(client.messenger_alert_counter(&user, &filter())),
        ),
        (
            "messenger_requests",
            dbg(client.messenger_requests(&doc, &filter())),
        ),
        ("messenger_link", dbg(client.messenger_link(&user))),
    ]
}

#[test]
fn anna_successful_operations_show_no_secret() {
    let mut server = Server::new();
    let token = server
        .mock("POST", AN_GET_TOKEN)
        .match_body(Matcher::PartialJson(
            json!({"hash": AN_COMPANY_HASH, "user": AN_USER, "pass": AN_PASS}),
        ))
        .with_body(an_token())
        .create();
    let access = json!({
        "Hash": AN_USER_HASH,
        "ChatURL": format!("https://chat.example/{AN_USER_HASH}/open?h={AN_USER_HASH}"),
        "EmbeddedURL": format!("https://chat.example/e#{AN_USER_HASH}"),
        "Expires": "20301231235959"
    });
    let answers = [
        json!({"success": true, "message": "", "accessData": access}),
        json!({"success": true, "message": "", "accessData": access}),
        json!({"success": true, "message": "User 7 inactivated."}),
        json!({"success": true, "message": "", "structure": {
            "CompaniesHash": AN_COMPANY_HASH, "CompaniesName": "ACME",
            "Departments": [{"Alias": "SAC", "Name": "Service", "Channels": [{"Alias": "WEB", "Name": "Web"}]}]}}),
        json!({"success": true, "message": "", "alertCounter": 3}),
        json!({"success": true, "message": "", "userRequests": [
            {"Department": "SAC", "Channel": "WEB", "Protocol": "2024-1", "Status": "A", "Pending": "S"}]}),
        json!({"success": true, "message": "", "messengerLink": "https://chat.example/messenger/42"}),
    ];
    let mocks: Vec<Mock> = AN_PROTECTED
        .iter()
        .zip(answers.iter())
        .map(|(path, answer)| {
            server
                .mock("POST", *path)
                .match_header("authorization", format!("Bearer {AN_TOKEN}").as_str())
                .match_body(Matcher::PartialJson(json!({"hash": AN_COMPANY_HASH})))
                .with_body(answer.to_string())
                .create()
        })
        .collect();
    let ping = server
        .mock("POST", "/REST/AnnACorporate/Ping")
        .with_body(r#"{"success":true,"message":"pong"}"#)
        .create();

    let mut p = Printed::default();
    let client = an_client(&server);
    p.debug("client", &client);
    let t = p.success("get_token", client.get_token());
    assert_eq!(t.token.expose(), AN_TOKEN);
    p.success("token", client.token());
    for (label, result) in an_protected_ops(&client) {
        let shown = p.success(label, result);
        p.texts.push((label.to_owned(), shown));
    }
    p.success(
        "call",
        client.call(
            Method::Post,
            "REST/AnnACorporate/Ping",
            Body::Json(json!({"hash": "not-the-secret"})),
        ),
    );
    p.success("set_token", client.set_token(AN_TOKEN, None));
    p.debug("client with a token", &client);
    token.assert();
    ping.assert();
    for m in mocks {
        m.assert();
    }
    p.assert_no_secret();
}

/// Every AnnA operation against a server that answers them all with `status` and a
/// body made from the secrets the client knows (company hash and password on
/// GetToken; those and the token on the other calls).
fn anna_failing(
    status: usize,
    body: impl Fn(&[&str]) -> String,
    login_kind: ErrorKind,
    protected_kind: ErrorKind,
) {
    let mut server = Server::new();
    let _token = server
        .mock("POST", AN_GET_TOKEN)
        .with_status(status)
        .with_body(body(&[AN_COMPANY_HASH, AN_PASS]))
        .create();
    let mut p = Printed::default();
    let client = an_client(&server);
    p.failure("get_token", client.get_token(), login_kind);
    p.failure("token", client.token(), login_kind);
    for (label, result) in an_protected_ops(&client) {
        p.failure(&format!("{label} (GetToken fails)"), result, login_kind);
    }
    // With a token in hand, the protected calls themselves fail.
    let _protected: Vec<Mock> = AN_PROTECTED
        .iter()
        .map(|path| {
            server
                .mock("POST", *path)
                .with_status(status)
                .with_body(body(&[AN_COMPANY_HASH, AN_PASS, AN_TOKEN]))
                .create()
        })
        .collect();
    let _token_ok = server
        .mock("POST", AN_GET_TOKEN)
        .with_body(an_token())
        .create();
    client.set_token(AN_TOKEN, None).unwrap();
    for (label, result) in an_protected_ops(&client) {
        p.failure(label, result, protected_kind);
    }
    p.debug("client", &client);
    p.assert_no_secret();
}

#[test]
fn anna_wrong_password() {
    anna_failing(
        200,
        |_| {
            json!({"success": false, "message": "Invalid user or password.", "data": null})
                .to_string()
        },
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
}

fn an_vendor_message(secrets: &[&str]) -> String {
    let message = format!(
        "User {AN_USER} with {} is inactive. {}",
        secrets.join(" and "),
        echo_json_text(secrets)
    );
    json!({"success": false, "message": message, "data": {"echo": secrets}}).to_string()
}

#[test]
fn anna_vendor_message_echoing_the_secrets() {
    anna_failing(
        200,
        an_vendor_message,
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
    anna_failing(
        400,
        an_vendor_message,
        ErrorKind::Rejected,
        ErrorKind::Rejected,
    );
}

#[test]
fn anna_401_page_echoing_the_secrets() {
    anna_failing(
        401,
        |s| echo_page("401 Unauthorized", s),
        ErrorKind::Rejected,
        ErrorKind::Unauthorized,
    );
}

#[test]
fn anna_500_page_echoing_the_secrets() {
    anna_failing(
        500,
        |s| echo_page("500 Internal Server Error", s),
        ErrorKind::HttpStatus,
        ErrorKind::HttpStatus,
    );
}

#[test]
fn anna_call_401_echoing_the_token() {
    let mut server = Server::new();
    let _token = server
        .mock("POST", AN_GET_TOKEN)
        .with_body(an_token())
        .create();
    let _ping = server
        .mock("POST", "/REST/AnnACorporate/Ping")
        .with_status(401)
        .with_body(echo_page("401", &[AN_TOKEN, AN_PASS, AN_COMPANY_HASH]))
        .create();
    let mut p = Printed::default();
    p.failure(
        "call",
        an_client(&server).call(Method::Post, "REST/AnnACorporate/Ping", Body::None),
        ErrorKind::Unauthorized,
    );
    p.assert_no_secret();
}

/// Answers of the wrong shape that carry the token or the user's access hash.
#[test]
fn anna_malformed_answers_carrying_secrets() {
    let token_bodies = [
        json!({"success": true, "message": "", "data": [AN_TOKEN]}),
        json!({"success": true, "message": "", "data": {"Token": [AN_TOKEN]}}),
        json!({"success": true, "message": "", "token": AN_TOKEN}),
    ];
    for body in token_bodies {
        let mut server = Server::new();
        let _m = server
            .mock("POST", AN_GET_TOKEN)
            .with_body(body.to_string())
            .create();
        let mut p = Printed::default();
        p.failure(
            &body.to_string(),
            an_client(&server).get_token(),
            ErrorKind::UnexpectedResponse,
        );
        p.assert_no_secret();
    }
    let hash_bodies = [
        json!({"success": true, "message": "", "accessData": [AN_USER_HASH]}),
        json!({"success": true, "message": "", "accessData": {"Hash": [AN_USER_HASH]}}),
        json!({"success": true, "message": "", "accessdata": {"Hash": AN_USER_HASH}, "accessData": null}),
    ];
    for body in hash_bodies {
        let mut server = Server::new();
        let _t = server
            .mock("POST", AN_GET_TOKEN)
            .with_body(an_token())
            .create();
        let _m = server
            .mock("POST", AN_PROTECTED[0])
            .with_body(body.to_string())
            .create();
        let mut p = Printed::default();
        p.failure(
            &body.to_string(),
            an_client(&server).user_hash("42", None),
            ErrorKind::UnexpectedResponse,
        );
        p.assert_no_secret();
    }
}

/// A transport failure's message (here: a proxy that is not there) holds neither the
/// proxy's password nor a credential.
#[test]
fn transport_errors_show_no_secret() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cfg = config()
        .timeout_connect(Duration::from_secs(2))
        .proxy(ProxySetting::Url(format!(
            "http://proxyuser:{PROXY_PASSWORD}@127.0.0.1:{port}"
        )));
    let mut p = Printed::default();
    let uc = ucontact::Client::new(
        "http://uc.example",
        ucontact::Credentials::api_user(UC_USER, UC_PASSWORD),
        &cfg.clone().end_session_on_close(false),
    )
    .unwrap();
    let yt = yativo::Client::new(
        "http://yt.example",
        yativo::Credentials::new(YT_ACCOUNT, YT_APP_SECRET),
        &cfg,
    )
    .unwrap();
    let an = anna::Client::new(
        "http://anna.example",
        anna::Credentials::new(AN_COMPANY_HASH, AN_USER, AN_PASS),
        &cfg,
    )
    .unwrap();
    for (label, r) in [
        ("uContact", uc.get_user_token().map(drop)),
        ("Yativo", yt.login().map(drop)),
        ("AnnA", an.get_token().map(drop)),
    ] {
        match r {
            Err(e) => {
                assert!(matches!(e.kind(), ErrorKind::Transport(_)), "{label}: {e}");
                p.error(label, &e);
            }
            Ok(()) => panic!("{label}: a login through a missing proxy succeeded"),
        }
    }
    p.debug("uContact client", &uc);
    p.debug("Yativo client", &yt);
    p.debug("AnnA client", &an);
    p.assert_no_secret();
}
