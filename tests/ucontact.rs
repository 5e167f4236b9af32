//! uContact (U1 getUserToken, U2 AgentLogin, U3 EndSession) against a mock server:
//! what goes over the wire, what comes back, and every way it can fail.

mod common;

use std::time::Duration;

use common::*;
use mockito::{Matcher, Server};
use serde_json::json;
use tokenbridge::{ucontact, Body, Config, ErrorKind, Method, RetryPolicy, TransportKind};

const GET_USER_TOKEN: &str = "/Integra/resources/auth/getUserToken";
const AGENT_LOGIN: &str = "/Integra/resources/auth/AgentLogin";
const END_SESSION: &str = "/Integra/resources/auth/EndSession";
const USER: &str = "integration";
/// base64 of `user:uuid`, with the `+`, `/` and `=` a form must escape.
const TOKEN: &str = "aW50ZWdyYXRpb246OTgz+/NjQ=";

/// No EndSession on drop: these tests count every request.
fn uc_config() -> Config {
    config().end_session_on_close(false)
}

fn api_client(server: &Server) -> ucontact::Client {
    ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user(USER, PASSWORD),
        &uc_config(),
    )
    .unwrap()
}

fn agent_client(server: &Server) -> ucontact::Client {
    ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::agent("agent7", PASSWORD),
        &uc_config(),
    )
    .unwrap()
}

/// A getUserToken mock answering `token` once.
fn token_mock(server: &mut Server, token: &str) -> mockito::Mock {
    server
        .mock("POST", GET_USER_TOKEN)
        .with_header("content-type", "text/plain")
        .with_body(format!("\"{token}\""))
        .expect(1)
        .create()
}

// ---------------------------------------------------------------- U1 getUserToken

#[test]
fn get_user_token_posts_the_form_and_returns_the_token() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_USER_TOKEN)
        .match_header("content-type", form_content_type())
        .match_header("authorization", Matcher::Missing)
        .match_header("user-agent", user_agent().as_str())
        .match_body(form_body(&[("user", USER), ("password", PASSWORD)]))
        .with_header("content-type", "application/json")
        .with_body(format!("\"{TOKEN}\""))
        .expect(1)
        .create();
    let client = api_client(&server);
    assert!(!client.has_session());

    let token = client.get_user_token().unwrap();

    m.assert();
    assert_eq!(token.expose(), TOKEN);
    assert!(client.has_session());
    assert_eq!(
        client.token().unwrap().expose(),
        TOKEN,
        "the token is cached"
    );
}

#[test]
fn get_user_token_encodes_the_password_as_a_form_does() {
    // The exact bytes: `&`, `=`, `+` escaped, the space as `+`, é as UTF-8.
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_USER_TOKEN)
        .match_body(Matcher::Regex(format!(
            "(^|&)password={}(&|$)",
            regex_quote(PASSWORD_FORM_ENCODED)
        )))
        .with_body(format!("\"{TOKEN}\""))
        .expect(1)
        .create();
    api_client(&server).get_user_token().unwrap();
    m.assert();
}

fn regex_quote(s: &str) -> String {
    s.replace('+', r"\+")
}

#[test]
fn get_user_token_accepts_the_array_answer() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_USER_TOKEN)
        .match_body(form_body(&[("user", USER), ("password", PASSWORD)]))
        .with_body(format!("[\"{USER}\", 983, \"{TOKEN}\"]"))
        .expect(1)
        .create();
    let token = api_client(&server).get_user_token().unwrap();
    m.assert();
    assert_eq!(token.expose(), TOKEN, "the last element is the token");
}

#[test]
fn get_user_token_zero_is_rejected() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_USER_TOKEN)
        .with_status(200)
        .with_body("0")
        .expect(1)
        .create();
    let client = api_client(&server);
    let err = client.get_user_token().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err:?}");
    assert_eq!(err.http_status(), Some(200));
    let vendor = err.vendor_message().unwrap();
    assert!(vendor.contains("`0`"), "{vendor}");
    assert!(vendor.contains("wrong user or password"), "{vendor}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("uContact getUserToken: uContact rejected the request"),
        "{msg}"
    );
    assert_secret_free(&err, &[PASSWORD]);
    assert!(!client.has_session());
}

#[test]
fn get_user_token_error_text_is_rejected_with_the_vendor_message() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_USER_TOKEN)
        .with_body("Error: el usuario integration está bloqueado")
        .expect(1)
        .create();
    let err = api_client(&server).get_user_token().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(
        err.vendor_message(),
        Some("Error: el usuario integration está bloqueado")
    );
    assert!(err.to_string().contains("está bloqueado"), "{err}");
}

#[test]
fn get_user_token_vendor_error_echoing_the_password_is_scrubbed() {
    let mut server = Server::new();
    server
        .mock("POST", GET_USER_TOKEN)
        .with_body(format!(
            "Error: bad password {PASSWORD} (form {PASSWORD_FORM_ENCODED})"
        ))
        .create();
    let err = api_client(&server).get_user_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(err
        .vendor_message()
        .unwrap()
        .starts_with("Error: bad password"));
    assert_secret_free(&err, &[PASSWORD]);
}

#[test]
fn get_user_token_quoted_zero_is_rejected() {
    let mut server = Server::new();
    server
        .mock("POST", GET_USER_TOKEN)
        .with_body("\"0\"")
        .create();
    let err = api_client(&server).get_user_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err:?}");
}

#[test]
fn get_user_token_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_USER_TOKEN)
        .with_status(500)
        .with_header("content-type", "text/html")
        .with_body(html_error_page())
        .expect(1)
        .create();
    let err = api_client(&server).get_user_token().unwrap_err();
    m.assert();
    assert_http_500(&err, "uContact getUserToken");
}

#[test]
fn get_user_token_malformed_body_is_an_unexpected_response() {
    let mut server = Server::new();
    server
        .mock("POST", GET_USER_TOKEN)
        .with_body("{\"token\": \"abc")
        .create();
    let err = api_client(&server).get_user_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    assert_eq!(err.http_status(), Some(200));
    let msg = err.to_string();
    assert!(
        msg.starts_with("uContact getUserToken: unexpected response: expected JSON"),
        "{msg}"
    );
    assert!(
        msg.contains("{\"token\": \"abc"),
        "the excerpt shows what came: {msg}"
    );
}

#[test]
fn get_user_token_json_without_a_token_is_an_unexpected_response() {
    for body in ["{\"token\": \"abc\"}", "[]", "\"\"", "42"] {
        let mut server = Server::new();
        server.mock("POST", GET_USER_TOKEN).with_body(body).create();
        let err = api_client(&server).get_user_token().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{body}: {err:?}");
        assert!(
            err.to_string().contains("a JSON string holding the token"),
            "{err}"
        );
    }
}

#[test]
fn get_user_token_401_is_a_rejected_credential_not_retried() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_USER_TOKEN)
        .with_status(401)
        .with_body("Unauthorized")
        .expect(1)
        .create();
    let err = api_client(&server).get_user_token().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err:?}");
    assert_eq!(err.http_status(), Some(401));
    assert!(err
        .vendor_message()
        .unwrap()
        .contains("credentials were refused"));
}

#[test]
fn get_user_token_empty_password_is_invalid_input_and_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    let client = ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user(USER, ""),
        &uc_config(),
    )
    .unwrap();
    let err = client.get_user_token().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "invalid argument `password`: must not be empty"
    );
}

#[test]
fn get_user_token_connection_refused_is_a_connect_error_without_secrets() {
    let client = ucontact::Client::new(
        &closed_port_url(),
        ucontact::Credentials::api_user(USER, PASSWORD),
        &uc_config(),
    )
    .unwrap();
    let err = client.get_user_token().unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Transport(TransportKind::Connect),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("uContact getUserToken: could not connect"),
        "{err}"
    );
    assert!(
        err.to_string().contains(GET_USER_TOKEN),
        "names the URL: {err}"
    );
    assert_secret_free(&err, &[PASSWORD]);
}

// ---------------------------------------------------------------- U2 AgentLogin

fn full_profile() -> serde_json::Value {
    json!({
        "id": 1007,
        "name": "agent7",
        "host": "dynamic",
        "nat": "force_rport,comedia",
        "type": "friend",
        "accountcode": "ACC7",
        "callgroup": "1",
        "callerid": "\"Agent Seven\" <1007>",
        "canreinvite": "no",
        "context": "from-internal",
        "dtmfmode": "rfc2833",
        "insecure": "port,invite",
        "language": "es",
        "mailbox": "1007@default",
        "md5secret": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "pickupgroup": "2",
        "qualify": "yes",
        "secret": "SipP4ss!x",
        "disallow": "all",
        "allow": "ulaw;alaw;opus",
        "port": "5060",
        "defaultuser": "agent7",
        "subscribecontext": "ext-local",
        "record": "yes",
        "email": "agent7@example.com",
        "phonetype": "webrtc",
        "LogLevel": "3",
        "limite": 2,
        "transport": "wss",
        "encryption": "yes",
        "did": "+59821234567",
        "outboundproxy": "sip.example.com",
        "fullname": "Agent Seven",
        "token": TOKEN,
        "queues": ["ventas", "soporte"],
        "webrtc": true
    })
}

#[test]
fn agent_login_posts_the_form_and_types_every_profile_field() {
    let mut server = Server::new();
    let m = server
        .mock("POST", AGENT_LOGIN)
        .match_header("content-type", form_content_type())
        .match_header("authorization", Matcher::Missing)
        .match_body(form_body(&[("agent", "agent7"), ("password", PASSWORD)]))
        .with_header("content-type", "application/json")
        .with_body(full_profile().to_string())
        .expect(1)
        .create();
    let client = agent_client(&server);

    let p = client.agent_login().unwrap();

    m.assert();
    assert_eq!(p.id, Some(1007));
    assert_eq!(p.name.as_deref(), Some("agent7"));
    assert_eq!(p.host.as_deref(), Some("dynamic"));
    assert_eq!(p.nat.as_deref(), Some("force_rport,comedia"));
    assert_eq!(p.kind.as_deref(), Some("friend"));
    assert_eq!(p.accountcode.as_deref(), Some("ACC7"));
    assert_eq!(p.callgroup.as_deref(), Some("1"));
    assert_eq!(p.callerid.as_deref(), Some("\"Agent Seven\" <1007>"));
    assert_eq!(p.canreinvite.as_deref(), Some("no"));
    assert_eq!(p.context.as_deref(), Some("from-internal"));
    assert_eq!(p.dtmfmode.as_deref(), Some("rfc2833"));
    assert_eq!(p.insecure.as_deref(), Some("port,invite"));
    assert_eq!(p.language.as_deref(), Some("es"));
    assert_eq!(p.mailbox.as_deref(), Some("1007@default"));
    assert_eq!(
        p.md5secret.as_ref().map(|s| s.expose()),
        Some("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    );
    assert_eq!(p.pickupgroup.as_deref(), Some("2"));
    assert_eq!(p.qualify.as_deref(), Some("yes"));
    assert_eq!(p.secret.as_ref().map(|s| s.expose()), Some("SipP4ss!x"));
    assert_eq!(p.disallow.as_deref(), Some("all"));
    assert_eq!(p.allow.as_deref(), Some("ulaw;alaw;opus"));
    assert_eq!(p.port.as_deref(), Some("5060"));
    assert_eq!(p.defaultuser.as_deref(), Some("agent7"));
    assert_eq!(p.subscribecontext.as_deref(), Some("ext-local"));
    assert_eq!(p.record.as_deref(), Some("yes"));
    assert_eq!(p.email.as_deref(), Some("agent7@example.com"));
    assert_eq!(p.phonetype.as_deref(), Some("webrtc"));
    assert_eq!(p.log_level.as_deref(), Some("3"));
    assert_eq!(p.limite, Some(2));
    assert_eq!(p.transport.as_deref(), Some("wss"));
    assert_eq!(p.encryption.as_deref(), Some("yes"));
    assert_eq!(p.did.as_deref(), Some("+59821234567"));
    assert_eq!(p.outboundproxy.as_deref(), Some("sip.example.com"));
    assert_eq!(p.fullname.as_deref(), Some("Agent Seven"));
    assert_eq!(p.token.expose(), TOKEN);

    // Unknown fields are kept, and only they.
    let mut extra: Vec<&str> = p.extra.keys().map(String::as_str).collect();
    extra.sort_unstable();
    assert_eq!(extra, ["queues", "webrtc"]);
    assert_eq!(p.extra["queues"], json!(["ventas", "soporte"]));
    assert_eq!(p.extra["webrtc"], json!(true));

    // The raw JSON is all there; the export without SIP secrets keeps the token.
    assert_eq!(p.raw(), &full_profile());
    let without = p.to_json_without_sip_secrets();
    assert!(without.get("secret").is_none() && without.get("md5secret").is_none());
    assert_eq!(without["token"], TOKEN);
    assert_eq!(without["fullname"], "Agent Seven");

    // The session token is cached for later calls.
    assert!(client.has_session());
    assert_eq!(client.token().unwrap().expose(), TOKEN);
}

#[test]
fn agent_profile_debug_masks_the_secrets() {
    let mut server = Server::new();
    server
        .mock("POST", AGENT_LOGIN)
        .with_body(full_profile().to_string())
        .create();
    let p = agent_client(&server).agent_login().unwrap();
    let shown = format!("{p:?}");
    for secret in ["SipP4ss!x", "0f1e2d3c4b5a69788796a5b4c3d2e1f0", TOKEN] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
    assert!(shown.contains("secret: Some(***)"), "{shown}");
    assert!(shown.contains("md5secret: Some(***)"), "{shown}");
    assert!(shown.contains("token: ***"), "{shown}");
    assert!(
        shown.contains("Agent Seven"),
        "other fields still show: {shown}"
    );
    assert!(shown.contains("queues"), "extra keys show: {shown}");
}

#[test]
fn agent_login_with_a_sparse_or_loosely_typed_profile() {
    // Numbers as strings, fields missing: still a profile.
    let mut server = Server::new();
    server
        .mock("POST", AGENT_LOGIN)
        .with_body(json!({"id": "12", "limite": "5", "port": 5060, "token": TOKEN}).to_string())
        .create();
    let p = agent_client(&server).agent_login().unwrap();
    assert_eq!(p.id, Some(12));
    assert_eq!(p.limite, Some(5));
    assert_eq!(p.port.as_deref(), Some("5060"));
    assert_eq!(p.name, None);
    assert!(p.secret.is_none() && p.md5secret.is_none());
    assert!(p.extra.is_empty());
}

#[test]
fn agent_login_zero_is_rejected() {
    let mut server = Server::new();
    let m = server
        .mock("POST", AGENT_LOGIN)
        .match_body(form_body(&[("agent", "agent7"), ("password", PASSWORD)]))
        .with_body("0")
        .expect(1)
        .create();
    let client = agent_client(&server);
    let err = client.agent_login().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.to_string()
            .starts_with("uContact AgentLogin: uContact rejected"),
        "{err}"
    );
    assert!(err.vendor_message().unwrap().contains("`0`"));
    assert_secret_free(&err, &[PASSWORD]);
    assert!(!client.has_session());
}

#[test]
fn agent_login_error_text_is_rejected() {
    let mut server = Server::new();
    server
        .mock("POST", AGENT_LOGIN)
        .with_body("ERROR agent already logged in")
        .create();
    let err = agent_client(&server).agent_login().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.vendor_message(), Some("ERROR agent already logged in"));
}

#[test]
fn agent_login_profile_without_token_is_an_unexpected_response() {
    let mut server = Server::new();
    server
        .mock("POST", AGENT_LOGIN)
        .with_body(
            json!({"id": 1, "name": "agent7", "secret": "SipP4ss!x", "token": ""}).to_string(),
        )
        .create();
    let err = agent_client(&server).agent_login().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert!(err.to_string().contains("non-empty `token`"), "{err}");
}

#[test]
fn agent_login_non_object_is_an_unexpected_response() {
    let mut server = Server::new();
    server
        .mock("POST", AGENT_LOGIN)
        .with_body(format!("\"{TOKEN}\""))
        .create();
    let err = agent_client(&server).agent_login().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert!(err.to_string().contains("the agent's profile"), "{err}");
}

#[test]
fn agent_login_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    server
        .mock("POST", AGENT_LOGIN)
        .with_status(500)
        .with_body(html_error_page())
        .create();
    let err = agent_client(&server).agent_login().unwrap_err();
    assert_http_500(&err, "uContact AgentLogin");
}

// ---------------------------------------------------------------- U3 EndSession

#[test]
fn end_session_posts_user_and_token_with_the_raw_basic_token() {
    let mut server = Server::new();
    let login = token_mock(&mut server, TOKEN);
    let end = server
        .mock("POST", END_SESSION)
        .match_header("content-type", form_content_type())
        // As it is: the token is already base64 and must not be encoded again.
        .match_header("authorization", format!("Basic {TOKEN}").as_str())
        .match_body(form_body(&[("user", USER), ("token", TOKEN)]))
        .with_body("1")
        .expect(1)
        .create();
    let client = api_client(&server);
    client.get_user_token().unwrap();

    client.end_session().unwrap();

    assert!(!client.has_session());
    // Nothing left to end: a second call sends nothing.
    client.end_session().unwrap();
    login.assert();
    end.assert();
}

#[test]
fn end_session_of_an_agent_uses_the_profile_token() {
    let mut server = Server::new();
    server
        .mock("POST", AGENT_LOGIN)
        .with_body(full_profile().to_string())
        .create();
    let end = server
        .mock("POST", END_SESSION)
        .match_header("authorization", format!("Basic {TOKEN}").as_str())
        .match_body(form_body(&[("user", "agent7"), ("token", TOKEN)]))
        .with_body("1")
        .expect(1)
        .create();
    let client = agent_client(&server);
    client.agent_login().unwrap();
    client.end_session().unwrap();
    end.assert();
}

#[test]
fn end_session_without_a_session_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    api_client(&server).end_session().unwrap();
    m.assert();
}

#[test]
fn end_session_zero_is_rejected() {
    let mut server = Server::new();
    token_mock(&mut server, TOKEN);
    let end = server
        .mock("POST", END_SESSION)
        .with_body("0")
        .expect(1)
        .create();
    let client = api_client(&server);
    client.get_user_token().unwrap();
    let err = client.end_session().unwrap_err();
    end.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.to_string()
            .starts_with("uContact EndSession: uContact rejected"),
        "{err}"
    );
    assert!(
        err.vendor_message()
            .unwrap()
            .contains("the session was not ended"),
        "{err}"
    );
    assert_secret_free(&err, &[TOKEN, PASSWORD]);
}

#[test]
fn end_session_401_is_unauthorized_and_does_not_log_in_again() {
    // Logging in again would open a new session only to end it: one attempt only.
    let mut server = Server::new();
    let login = token_mock(&mut server, TOKEN);
    let end = server
        .mock("POST", END_SESSION)
        .with_status(401)
        .with_body(format!("token {TOKEN} unknown"))
        .expect(1)
        .create();
    let client = api_client(&server);
    client.get_user_token().unwrap();
    let err = client.end_session().unwrap_err();
    login.assert();
    end.assert();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err:?}");
    assert_eq!(err.http_status(), Some(401));
    let msg = err.to_string();
    assert!(
        msg.starts_with("uContact EndSession: unauthorized (HTTP 401)"),
        "{msg}"
    );
    assert!(msg.contains("unknown"), "{msg}");
    assert_secret_free(&err, &[TOKEN]);
    assert!(!client.has_session(), "a refused token is not kept");
}

#[test]
fn end_session_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    token_mock(&mut server, TOKEN);
    server
        .mock("POST", END_SESSION)
        .with_status(500)
        .with_body(html_error_page())
        .create();
    let client = api_client(&server);
    client.get_user_token().unwrap();
    let err = client.end_session().unwrap_err();
    assert_http_500(&err, "uContact EndSession");
}

#[test]
fn close_ends_the_session() {
    let mut server = Server::new();
    token_mock(&mut server, TOKEN);
    let end = server
        .mock("POST", END_SESSION)
        .match_body(form_body(&[("user", USER), ("token", TOKEN)]))
        .with_body("1")
        .expect(1)
        .create();
    let client = ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user(USER, PASSWORD),
        &config(), // end_session_on_close: on by default
    )
    .unwrap();
    client.get_user_token().unwrap();
    client.close().unwrap();
    end.assert();
}

// ---------------------------------------------------------------- 401 on a protected call

const DIALER_TASK: &str = "/Integra/resources/Dialers/DialerTask";

#[test]
fn call_401_twice_logs_in_again_once_then_is_unauthorized() {
    let mut server = Server::new();
    let first = token_mock(&mut server, "dG9rZW4tb25l");
    let second = token_mock(&mut server, "dG9rZW4tdHdv");
    let refused = server
        .mock("POST", DIALER_TASK)
        .match_header(
            "authorization",
            Matcher::AnyOf(vec![
                Matcher::Exact("Basic dG9rZW4tb25l".into()),
                Matcher::Exact("Basic dG9rZW4tdHdv".into()),
            ]),
        )
        .match_body(form_body(&[("campaign", "Sales")]))
        .with_status(401)
        .with_body("Unauthorized")
        .expect(2)
        .create();
    let client = api_client(&server);
    let err = client
        .call(
            Method::Post,
            "Integra/resources/Dialers/DialerTask",
            Body::Form(vec![("campaign".into(), "Sales".into())]),
        )
        .unwrap_err();
    first.assert();
    second.assert();
    refused.assert();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert!(
        err.to_string()
            .starts_with("uContact call: unauthorized (HTTP 401)"),
        "{err}"
    );
    assert!(!client.has_session(), "the refused token is dropped");
}

#[test]
fn call_401_then_success_with_the_new_token() {
    let mut server = Server::new();
    let first = token_mock(&mut server, "dG9rZW4tb25l");
    let second = token_mock(&mut server, "dG9rZW4tdHdv");
    let refused = server
        .mock("POST", DIALER_TASK)
        .match_header("authorization", "Basic dG9rZW4tb25l")
        .with_status(401)
        .expect(1)
        .create();
    let accepted = server
        .mock("POST", DIALER_TASK)
        .match_header("authorization", "Basic dG9rZW4tdHdv")
        .with_body("{\"ok\":true}")
        .expect(1)
        .create();
    let client = api_client(&server);
    let answer = client
        .call(Method::Post, DIALER_TASK, Body::Form(vec![]))
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.text().unwrap(), "{\"ok\":true}");
    for m in [first, second, refused, accepted] {
        m.assert();
    }
}

// ---------------------------------------------------------------- retries

#[test]
fn transient_503_is_retried_but_a_rejected_login_is_not() {
    let retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    };
    let mut server = Server::new();
    let busy = server
        .mock("POST", GET_USER_TOKEN)
        .with_status(503)
        .expect(1)
        .create();
    let ok = server
        .mock("POST", GET_USER_TOKEN)
        .with_body(format!("\"{TOKEN}\""))
        .expect(1)
        .create();
    let client = ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user(USER, PASSWORD),
        &uc_config().retry(retry),
    )
    .unwrap();
    assert_eq!(client.get_user_token().unwrap().expose(), TOKEN);
    busy.assert();
    ok.assert();

    let mut server = Server::new();
    let zero = server
        .mock("POST", GET_USER_TOKEN)
        .with_body("0")
        .expect(1)
        .create();
    let client = ucontact::Client::new(
        &server.url(),
        ucontact::Credentials::api_user(USER, PASSWORD),
        &uc_config().retry(retry),
    )
    .unwrap();
    assert_eq!(
        client.get_user_token().unwrap_err().kind(),
        ErrorKind::Rejected
    );
    zero.assert();
}

// ---------------------------------------------------------------- base URL

#[test]
fn cloud_domain_becomes_the_ucontactcloud_url() {
    assert_eq!(
        ucontact::base_url("acme").unwrap(),
        "https://acme.ucontactcloud.com"
    );
    assert_eq!(
        ucontact::base_url(" my-company ").unwrap(),
        "https://my-company.ucontactcloud.com"
    );
    assert_eq!(
        ucontact::base_url("https://uc.acme.local:8443/").unwrap(),
        "https://uc.acme.local:8443/"
    );
    for bad in ["", "acme corp", "-acme", "acme.", "acme/x"] {
        let err = ucontact::base_url(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
        assert!(err.to_string().contains("`server`"), "{err}");
    }
    let client = ucontact::Client::new(
        "acme",
        ucontact::Credentials::api_user(USER, PASSWORD),
        &Config::default().end_session_on_close(false),
    )
    .unwrap();
    assert_eq!(client.base_url(), "https://acme.ucontactcloud.com");
}

#[test]
fn plain_http_is_refused_unless_allowed() {
    let err = ucontact::Client::new(
        "http://uc.acme.local",
        ucontact::Credentials::api_user(USER, PASSWORD),
        &Config::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("allow_http"), "{err}");
}

#[test]
fn base_url_joins_with_and_without_trailing_slash_and_prefix() {
    for suffix in ["", "/", "/uc", "/uc/"] {
        let mut server = Server::new();
        let prefix = suffix.trim_end_matches('/');
        let m = server
            .mock("POST", format!("{prefix}{GET_USER_TOKEN}").as_str())
            .with_body(format!("\"{TOKEN}\""))
            .expect(1)
            .create();
        let client = ucontact::Client::new(
            &format!("{}{suffix}", server.url()),
            ucontact::Credentials::api_user(USER, PASSWORD),
            &uc_config(),
        )
        .unwrap();
        client.get_user_token().unwrap();
        m.assert();
    }
}

#[test]
fn credentials_and_client_debug_hide_the_password() {
    let creds = ucontact::Credentials::api_user(USER, PASSWORD);
    let shown = format!("{creds:?}");
    assert!(!shown.contains("p&ss"), "{shown}");
    assert!(shown.contains("***"), "{shown}");
    let client = ucontact::Client::new("acme", creds, &uc_config()).unwrap();
    client.set_token(TOKEN, None).unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("p&ss") && !shown.contains(TOKEN), "{shown}");
}
