//! AnnA Corporate User V3 (A1 GetToken … A8 Messenger/Link) against a mock server:
//! what goes over the wire, what comes back, and every way it can fail.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use mockito::{Matcher, Server};
use serde_json::{json, Value};
use tokenbridge::anna::{self, MessengerFilter, RequestStatus, User};
use tokenbridge::{Body, Clock, Config, Date, ErrorKind, Method};

const COMPANY_HASH: &str = "COMPANYHASH-7f3a9c";
const API_USER: &str = "integration";
const GET_TOKEN: &str = "/REST/Credentials/GetToken";
const USER_HASH: &str = "/REST/AnnACorporate/User/UserHash";
const USER_HASH_FORCED: &str = "/REST/AnnACorporate/User/UserHashForced";
const INACTIVATE: &str = "/REST/AnnACorporate/User/Inactivate";
const STRUCTURE: &str = "/REST/AnnACorporate/Messenger/Structure";
const ALERT_COUNTER: &str = "/REST/AnnACorporate/Messenger/AlertCounter";
const REQUESTS: &str = "/REST/AnnACorporate/Messenger/Requests";
const LINK: &str = "/REST/AnnACorporate/Messenger/Link";
/// 2100-01-01T00:00:00Z, the `exp` of every test token.
const JWT_EXP: u64 = 4_102_444_800;

fn token(n: u32) -> String {
    jwt(&json!({"sub": API_USER, "n": n, "exp": JWT_EXP}))
}

fn bearer(n: u32) -> String {
    format!("Bearer {}", token(n))
}

fn client_at(url: &str, config: &Config) -> anna::Client {
    anna::Client::new(
        url,
        anna::Credentials::new(COMPANY_HASH, API_USER, PASSWORD),
        config,
    )
    .unwrap()
}

fn client(server: &Server) -> anna::Client {
    // The per-customer base URL, written with a trailing slash as vendors give it.
    client_at(&format!("{}/", server.url()), &config())
}

fn ok(payload: &str, value: Value) -> String {
    let mut answer = json!({"success": true, "message": ""});
    answer[payload] = value;
    answer.to_string()
}

fn refused(message: &str) -> String {
    json!({"success": false, "message": message}).to_string()
}

/// A GetToken mock answering `token(n)` once.
fn token_mock(server: &mut Server, n: u32) -> mockito::Mock {
    server
        .mock("POST", GET_TOKEN)
        .with_header("content-type", "application/json")
        .with_body(ok("data", json!({"Token": token(n), "ExpiresIn": "3600"})))
        .expect(1)
        .create()
}

/// A mock of a protected call: JSON content type, bearer `token(1)`, exactly `body`.
fn protected(server: &mut Server, path: &str, body: Value) -> mockito::Mock {
    server
        .mock("POST", path)
        .match_header("content-type", json_content_type())
        .match_header("authorization", bearer(1).as_str())
        .match_header("user-agent", user_agent().as_str())
        .match_body(Matcher::Json(body))
}

fn access_data_json() -> Value {
    json!({
        "Hash": "u-hash-5e6f7a8b",
        "ChatURL": "https://chat.anna.example/c/u-hash-5e6f7a8b",
        "EmbeddedURL": "https://chat.anna.example/e/u-hash-5e6f7a8b",
        "Expires": "20241231235959"
    })
}

fn full_filter() -> MessengerFilter {
    MessengerFilter {
        department_alias: Some("vendas".into()),
        channel_alias: Some("wa".into()),
        date_from: Some(Date::new(2024, 1, 1).unwrap()),
        date_to: Some(Date::new(2024, 12, 31).unwrap()),
        status: Some(RequestStatus::Open),
        pending: Some(true),
    }
}

fn full_filter_wire() -> Value {
    json!({
        "departmentAlias": "vendas",
        "channelAlias": "wa",
        "dataIni": "01/01/2024",
        "dataFim": "31/12/2024",
        "status": "A",
        "pendentes": "S"
    })
}

fn no_filter_wire() -> Value {
    json!({
        "departmentAlias": "", "channelAlias": "", "dataIni": "", "dataFim": "",
        "status": "", "pendentes": ""
    })
}

// ---------------------------------------------------------------- A1 GetToken

#[test]
fn get_token_posts_json_credentials_and_returns_the_token() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_TOKEN)
        .match_header("content-type", json_content_type())
        .match_header("authorization", Matcher::Missing)
        .match_header("user-agent", user_agent().as_str())
        .match_body(Matcher::Json(
            json!({"hash": COMPANY_HASH, "user": API_USER, "pass": PASSWORD}),
        ))
        .with_header("content-type", "application/json")
        .with_body(ok("data", json!({"Token": token(1), "ExpiresIn": "3600"})))
        .expect(1)
        .create();
    let (config, clock) = config_with_clock();
    let client = client_at(&format!("{}/", server.url()), &config);

    let t = client.get_token().unwrap();

    m.assert();
    assert_eq!(t.token.expose(), token(1));
    assert_eq!(t.expires_in_raw.as_deref(), Some("3600"));
    assert_eq!(t.expires_at, Some(clock.now() + Duration::from_secs(3600)));
    assert_eq!(t.raw()["success"], true);
    assert_eq!(t.raw()["data"]["ExpiresIn"], "3600");
    // Cached for the protected calls.
    assert_eq!(client.token().unwrap().token.expose(), token(1));
    m.assert();
}

/// The expiry a GetToken answer with this `ExpiresIn` and token gives, read with
/// a stopped clock; also returns that clock's "now".
fn expiry_for(expires_in: Option<Value>, token: &str) -> (Option<SystemTime>, SystemTime) {
    let mut server = Server::new();
    let mut data = json!({"Token": token});
    if let Some(e) = expires_in {
        data["ExpiresIn"] = e;
    }
    server
        .mock("POST", GET_TOKEN)
        .with_body(ok("data", data))
        .create();
    let (config, clock) = config_with_clock();
    let t = client_at(&server.url(), &config).get_token().unwrap();
    (t.expires_at, clock.now())
}

#[test]
fn get_token_expires_in_as_a_number_of_seconds() {
    let (at, now) = expiry_for(Some(json!(1800)), &token(1));
    assert_eq!(at, Some(now + Duration::from_secs(1800)));
}

#[test]
fn get_token_expires_in_as_a_numeric_string() {
    let (at, now) = expiry_for(Some(json!(" 900 ")), &token(1));
    assert_eq!(at, Some(now + Duration::from_secs(900)));
}

#[test]
fn get_token_expires_in_as_a_date_time() {
    let at = |s| Some(UNIX_EPOCH + Duration::from_secs(s));
    // 2030-01-01T00:00:00Z = 1893456000.
    let (got, _) = expiry_for(Some(json!("2030-01-01T00:00:00Z")), &token(1));
    assert_eq!(got, at(1_893_456_000));
    let (got, _) = expiry_for(Some(json!("2030-01-01T00:00:00-03:00")), &token(1));
    assert_eq!(got, at(1_893_456_000 + 3 * 3600));
    // Without a zone and without a JWT `exp`, read as UTC.
    let (got, _) = expiry_for(Some(json!("2030-01-01 00:00:00")), "opaque-token");
    assert_eq!(got, at(1_893_456_000));
}

#[test]
fn get_token_unreadable_expires_in_falls_back_to_the_jwt_exp() {
    let exp = Some(UNIX_EPOCH + Duration::from_secs(JWT_EXP));
    for expires_in in [
        Some(json!("soon")),
        Some(json!("")),
        Some(json!(null)),
        Some(json!(-60)),
        None,
    ] {
        let (got, _) = expiry_for(expires_in.clone(), &token(1));
        assert_eq!(got, exp, "ExpiresIn {expires_in:?}");
    }
    // A zone-less date-time is trusted less than the token's own claim.
    let (got, _) = expiry_for(Some(json!("2030-01-01T00:00:00")), &token(1));
    assert_eq!(got, exp);
    // Neither readable: unknown, the token is used until a 401.
    let (got, _) = expiry_for(Some(json!("soon")), "opaque-token");
    assert_eq!(got, None);
}

#[test]
fn get_token_success_false_is_rejected_with_the_vendor_message() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_TOKEN)
        .with_status(200)
        .with_body(refused("User COMPANY@7 is inactive."))
        .expect(1)
        .create();
    let err = client(&server).get_token().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err:?}");
    assert_eq!(err.vendor_message(), Some("User COMPANY@7 is inactive."));
    assert_eq!(err.http_status(), Some(200));
    assert_eq!(
        err.to_string(),
        "AnnA GetToken: AnnA rejected the request: User COMPANY@7 is inactive."
    );
}

#[test]
fn get_token_vendor_message_echoing_secrets_is_scrubbed() {
    let mut server = Server::new();
    server
        .mock("POST", GET_TOKEN)
        .with_body(refused(&format!(
            "Invalid password {PASSWORD} for {API_USER} in company {COMPANY_HASH}"
        )))
        .create();
    let err = client(&server).get_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.vendor_message()
            .unwrap()
            .starts_with("Invalid password"),
        "{err}"
    );
    assert!(err.vendor_message().unwrap().contains(API_USER), "{err}");
    assert_secret_free(&err, &[PASSWORD, COMPANY_HASH]);
}

#[test]
fn get_token_401_is_a_rejected_credential_not_retried() {
    let mut server = Server::new();
    let m = server
        .mock("POST", GET_TOKEN)
        .with_status(401)
        .with_body(json!({"message": "Invalid credentials"}).to_string())
        .expect(1)
        .create();
    let err = client(&server).get_token().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.http_status(), Some(401));
    assert_eq!(
        err.vendor_message(),
        Some("the credentials were refused (HTTP 401): Invalid credentials")
    );
}

#[test]
fn get_token_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    server
        .mock("POST", GET_TOKEN)
        .with_status(500)
        .with_header("content-type", "text/html")
        .with_body(html_error_page())
        .create();
    let err = client(&server).get_token().unwrap_err();
    assert_http_500(&err, "AnnA GetToken");
}

#[test]
fn get_token_malformed_body_is_an_unexpected_response() {
    let mut server = Server::new();
    server
        .mock("POST", GET_TOKEN)
        .with_body("{\"success\": true, \"data\": {\"Tok")
        .create();
    let err = client(&server).get_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "AnnA GetToken: unexpected response: expected a JSON object with `success`"
        ),
        "{msg}"
    );
    assert!(msg.contains("\"Tok"), "the excerpt shows what came: {msg}");
}

#[test]
fn get_token_without_a_token_is_an_unexpected_response() {
    for data in [
        json!(null),
        json!({"ExpiresIn": "3600"}),
        json!({"Token": " "}),
    ] {
        let mut server = Server::new();
        server
            .mock("POST", GET_TOKEN)
            .with_body(ok("data", data.clone()))
            .create();
        let err = client(&server).get_token().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{data}: {err:?}");
        assert!(err.to_string().contains("Token"), "{err}");
    }
}

#[test]
fn get_token_with_an_empty_password_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    let client = anna::Client::new(
        &server.url(),
        anna::Credentials::new(COMPANY_HASH, API_USER, ""),
        &config(),
    )
    .unwrap();
    let err = client.get_token().unwrap_err();
    m.assert();
    assert_eq!(
        err.to_string(),
        "invalid argument `password`: must not be empty"
    );
}

// ---------------------------------------------------------------- A2 UserHash

#[test]
fn user_hash_sends_the_body_with_the_bearer_token_and_parses_access_data() {
    let mut server = Server::new();
    let login = token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        USER_HASH,
        json!({"hash": COMPANY_HASH, "userId": "42", "startService": "suporte"}),
    )
    .with_body(ok("accessData", access_data_json()))
    .expect(1)
    .create();
    let client = client(&server);

    // No explicit GetToken: the client gets one first.
    let a = client.user_hash("42", Some("suporte")).unwrap();

    login.assert();
    m.assert();
    assert_eq!(a.hash.expose(), "u-hash-5e6f7a8b");
    assert_eq!(a.chat_url, "https://chat.anna.example/c/u-hash-5e6f7a8b");
    assert_eq!(
        a.embedded_url,
        "https://chat.anna.example/e/u-hash-5e6f7a8b"
    );
    assert_eq!(a.expires_raw, "20241231235959");
    let e = a.expires.expect("Expires parsed");
    assert_eq!(e.date(), Date::new(2024, 12, 31).unwrap());
    assert_eq!((e.hour(), e.minute(), e.second()), (23, 59, 59));
    assert_eq!(a.raw(), &access_data_json());
    let shown = format!("{a:?}");
    assert!(
        !shown.contains("u-hash-5e6f7a8b"),
        "the hash is a credential: {shown}"
    );
}

#[test]
fn user_hash_without_start_service_sends_an_empty_string() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        USER_HASH,
        json!({"hash": COMPANY_HASH, "userId": "42", "startService": ""}),
    )
    .with_body(ok(
        "accessData",
        json!({"Hash": "h", "ChatURL": "", "EmbeddedURL": "", "Expires": "not a date"}),
    ))
    .expect(1)
    .create();
    let a = client(&server).user_hash("42", None).unwrap();
    m.assert();
    assert_eq!(a.expires, None, "an unreadable Expires is kept raw only");
    assert_eq!(a.expires_raw, "not a date");
}

#[test]
fn user_hash_success_false_is_rejected_with_the_vendor_message() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = server
        .mock("POST", USER_HASH)
        .with_body(refused("User COMPANY@7 is inactive."))
        .expect(1)
        .create();
    let err = client(&server).user_hash("7", None).unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.vendor_message(), Some("User COMPANY@7 is inactive."));
    assert_eq!(
        err.to_string(),
        "AnnA UserHash: AnnA rejected the request: User COMPANY@7 is inactive."
    );
}

#[test]
fn user_hash_without_access_data_is_an_unexpected_response() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", USER_HASH)
        .with_body(json!({"success": true, "message": "ok"}).to_string())
        .create();
    let err = client(&server).user_hash("42", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    assert!(
        err.to_string()
            .starts_with("AnnA UserHash: unexpected response: expected a `accessData` field"),
        "{err}"
    );
}

#[test]
fn user_hash_401_then_success_with_a_new_token() {
    let mut server = Server::new();
    let first = token_mock(&mut server, 1);
    let second = token_mock(&mut server, 2);
    let rejected = server
        .mock("POST", USER_HASH)
        .match_header("authorization", bearer(1).as_str())
        .with_status(401)
        .expect(1)
        .create();
    let accepted = server
        .mock("POST", USER_HASH)
        .match_header("authorization", bearer(2).as_str())
        .with_body(ok("accessData", access_data_json()))
        .expect(1)
        .create();
    let a = client(&server).user_hash("42", None).unwrap();
    assert_eq!(a.hash.expose(), "u-hash-5e6f7a8b");
    for m in [first, second, rejected, accepted] {
        m.assert();
    }
}

#[test]
fn user_hash_with_an_empty_user_id_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    let err = client(&server).user_hash(" ", None).unwrap_err();
    m.assert();
    assert_eq!(
        err.to_string(),
        "invalid argument `user_id`: must not be empty"
    );
}

// ---------------------------------------------------------------- A3 UserHashForced

#[test]
fn user_hash_forced_sends_the_user_name_and_parses_access_data() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        USER_HASH_FORCED,
        json!({"hash": COMPANY_HASH, "userId": "42", "userName": "José da Silva & Filhos", "startService": ""}),
    )
    .with_body(ok("accessData", access_data_json()))
    .expect(1)
    .create();
    let a = client(&server)
        .user_hash_forced("42", "José da Silva & Filhos", None)
        .unwrap();
    m.assert();
    assert_eq!(a.hash.expose(), "u-hash-5e6f7a8b");
    assert_eq!(a.chat_url, "https://chat.anna.example/c/u-hash-5e6f7a8b");
    assert_eq!(
        a.embedded_url,
        "https://chat.anna.example/e/u-hash-5e6f7a8b"
    );
    assert_eq!(a.expires.unwrap().to_string(), "2024-12-31T23:59:59");
}

#[test]
fn user_hash_forced_access_data_without_hash_is_an_unexpected_response() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", USER_HASH_FORCED)
        .with_body(ok(
            "accessData",
            json!({"ChatURL": "https://x", "Expires": "20241231235959"}),
        ))
        .create();
    let err = client(&server)
        .user_hash_forced("42", "José", Some("vendas"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("AnnA UserHashForced: unexpected response: expected `accessData.Hash`"),
        "names the operation that ran: {msg}"
    );
}

#[test]
fn user_hash_forced_success_false_is_rejected() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", USER_HASH_FORCED)
        .with_body(refused("Invalid userName."))
        .create();
    let err = client(&server)
        .user_hash_forced("42", "José", None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.vendor_message(), Some("Invalid userName."));
}

#[test]
fn user_hash_forced_with_an_empty_name_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    let err = client(&server)
        .user_hash_forced("42", "", None)
        .unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("`user_name`"), "{err}");
}

// ---------------------------------------------------------------- A4 Inactivate

#[test]
fn inactivate_user_sends_the_user_id_and_returns_the_message() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        INACTIVATE,
        json!({"hash": COMPANY_HASH, "userId": "42"}),
    )
    .with_body(
        json!({"success": true, "message": format!("User {COMPANY_HASH}@42 inactivated.")})
            .to_string(),
    )
    .expect(1)
    .create();
    let message = client(&server).inactivate_user("42").unwrap();
    m.assert();
    // The company hash is a credential: kept out of the message handed back.
    assert_eq!(message, "User ***@42 inactivated.");
}

#[test]
fn inactivate_user_success_false_is_rejected() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", INACTIVATE)
        .with_body(refused("User COMPANY@7 is inactive."))
        .create();
    let err = client(&server).inactivate_user("7").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.vendor_message(), Some("User COMPANY@7 is inactive."));
    assert!(
        err.to_string()
            .starts_with("AnnA Inactivate: AnnA rejected"),
        "{err}"
    );
}

#[test]
fn inactivate_user_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", INACTIVATE)
        .with_status(500)
        .with_body(html_error_page())
        .create();
    let err = client(&server).inactivate_user("7").unwrap_err();
    assert_http_500(&err, "AnnA Inactivate");
}

// ---------------------------------------------------------------- A5 Messenger/Structure

fn structure_json() -> Value {
    json!({
        "CompaniesHash": COMPANY_HASH,
        "CompaniesName": "Acme Comércio S.A.",
        "Departments": [
            {"Alias": "vendas", "Name": "Vendas", "Channels": [
                {"Alias": "wa", "Name": "WhatsApp"},
                {"Alias": "web", "Name": "Chat no site", "Icon": "web.png"}
            ]},
            {"Alias": "suporte", "Name": "Suporte", "Channels": []}
        ]
    })
}

#[test]
fn messenger_structure_sends_the_hash_and_types_departments_and_channels() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(&mut server, STRUCTURE, json!({"hash": COMPANY_HASH}))
        .with_body(ok("structure", structure_json()))
        .expect(1)
        .create();
    let s = client(&server).messenger_structure().unwrap();
    m.assert();
    assert_eq!(s.companies_hash, COMPANY_HASH);
    assert_eq!(s.companies_name, "Acme Comércio S.A.");
    assert_eq!(s.departments.len(), 2);
    let d = &s.departments[0];
    assert_eq!((d.alias.as_str(), d.name.as_str()), ("vendas", "Vendas"));
    let channels: Vec<(&str, &str)> = d
        .channels
        .iter()
        .map(|c| (c.alias.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(channels, [("wa", "WhatsApp"), ("web", "Chat no site")]);
    assert_eq!(
        d.channels[1].raw["Icon"], "web.png",
        "unknown fields stay in raw"
    );
    assert_eq!(s.departments[1].alias, "suporte");
    assert!(s.departments[1].channels.is_empty());
    assert_eq!(s.raw(), &structure_json());
}

#[test]
fn messenger_structure_not_an_object_is_an_unexpected_response() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", STRUCTURE)
        .with_body(ok("structure", json!("none")))
        .create();
    let err = client(&server).messenger_structure().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    let msg = err.to_string();
    assert!(
        msg.starts_with("AnnA Messenger/Structure: unexpected response"),
        "{msg}"
    );
    assert!(msg.contains("\"none\""), "{msg}");
}

#[test]
fn messenger_structure_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", STRUCTURE)
        .with_status(500)
        .with_body(html_error_page())
        .create();
    let err = client(&server).messenger_structure().unwrap_err();
    assert_http_500(&err, "AnnA Messenger/Structure");
}

// ---------------------------------------------------------------- A6 Messenger/AlertCounter

#[test]
fn messenger_alert_counter_by_id_sends_the_filters_as_wire_strings() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        ALERT_COUNTER,
        json!({
            "hash": COMPANY_HASH, "userId": "42", "userDocType": "", "userDocValue": "",
            "messengerFilters": full_filter_wire()
        }),
    )
    .with_body(ok("alertCounter", json!(3)))
    .expect(1)
    .create();
    let n = client(&server)
        .messenger_alert_counter(&User::id("42"), &full_filter())
        .unwrap();
    m.assert();
    assert_eq!(n, 3);
}

#[test]
fn messenger_alert_counter_by_document_without_filters() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        ALERT_COUNTER,
        json!({
            "hash": COMPANY_HASH, "userId": "", "userDocType": "CPF", "userDocValue": "123.456.789-09",
            "messengerFilters": no_filter_wire()
        }),
    )
    .with_body(ok("alertCounter", json!("0")))
    .expect(1)
    .create();
    let n = client(&server)
        .messenger_alert_counter(
            &User::document("CPF", "123.456.789-09"),
            &MessengerFilter::default(),
        )
        .unwrap();
    m.assert();
    assert_eq!(n, 0, "a count written as a string is read too");
}

#[test]
fn messenger_alert_counter_401_twice_logs_in_again_once_then_is_unauthorized() {
    let mut server = Server::new();
    let first = token_mock(&mut server, 1);
    let second = token_mock(&mut server, 2);
    let rejected = server
        .mock("POST", ALERT_COUNTER)
        .match_header(
            "authorization",
            Matcher::AnyOf(vec![Matcher::Exact(bearer(1)), Matcher::Exact(bearer(2))]),
        )
        .with_status(401)
        .with_body(json!({"message": format!("token {} expired", token(2))}).to_string())
        .expect(2)
        .create();
    let client = client(&server);

    let err = client
        .messenger_alert_counter(&User::id("42"), &MessengerFilter::default())
        .unwrap_err();

    first.assert();
    second.assert();
    rejected.assert();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err:?}");
    assert_eq!(err.http_status(), Some(401));
    let msg = err.to_string();
    assert!(
        msg.starts_with("AnnA Messenger/AlertCounter: unauthorized (HTTP 401)"),
        "{msg}"
    );
    assert!(msg.contains("expired"), "{msg}");
    assert_secret_free(&err, &[&token(1), &token(2), PASSWORD, COMPANY_HASH]);
}

#[test]
fn messenger_alert_counter_not_a_number_is_an_unexpected_response() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", ALERT_COUNTER)
        .with_body(ok("alertCounter", json!("many")))
        .create();
    let err = client(&server)
        .messenger_alert_counter(&User::id("42"), &MessengerFilter::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    let msg = err.to_string();
    assert!(msg.contains("`alertCounter`, a whole number"), "{msg}");
    assert!(msg.contains("many"), "{msg}");
}

#[test]
fn messenger_alert_counter_with_reversed_dates_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    let filter = MessengerFilter {
        date_from: Some(Date::new(2024, 12, 31).unwrap()),
        date_to: Some(Date::new(2024, 1, 1).unwrap()),
        ..Default::default()
    };
    let err = client(&server)
        .messenger_alert_counter(&User::id("42"), &filter)
        .unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        err.to_string(),
        "invalid argument `filter`: date_from 2024-12-31 is after date_to 2024-01-01"
    );
}

// ---------------------------------------------------------------- A7 Messenger/Requests

fn requests_json() -> Value {
    json!([
        {
            "Department": "Vendas", "Channel": "WhatsApp", "Description": "Segunda via de boleto",
            "OpeningDate": "15/03/2024 10:22", "Protocol": "2024031500042", "Status": "A",
            "Pending": "S", "Link": "https://chat.anna.example/r/42", "Rating": 5
        },
        {
            "Department": "Suporte", "Channel": "Web", "Description": "Troca de senha",
            "OpeningDate": "02/02/2024 08:00", "Protocol": 2_024_020_200_007u64, "Status": "E",
            "Pending": false, "Link": "https://chat.anna.example/r/7"
        }
    ])
}

#[test]
fn messenger_requests_sends_user_and_filters_and_types_known_fields() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let filter = MessengerFilter {
        status: Some(RequestStatus::Closed),
        pending: Some(false),
        date_from: Some(Date::new(2024, 2, 1).unwrap()),
        ..Default::default()
    };
    let m = protected(
        &mut server,
        REQUESTS,
        json!({
            "hash": COMPANY_HASH, "userId": "", "userDocType": "CNPJ", "userDocValue": "12345678000199",
            "messengerFilters": {
                "departmentAlias": "", "channelAlias": "", "dataIni": "01/02/2024", "dataFim": "",
                "status": "E", "pendentes": "N"
            }
        }),
    )
    .with_body(ok("userRequests", requests_json()))
    .expect(1)
    .create();
    let r = client(&server)
        .messenger_requests(&User::document("CNPJ", "12345678000199"), &filter)
        .unwrap();
    m.assert();
    assert_eq!(r.items.len(), 2);
    let a = &r.items[0];
    assert_eq!(a.department.as_deref(), Some("Vendas"));
    assert_eq!(a.channel.as_deref(), Some("WhatsApp"));
    assert_eq!(a.description.as_deref(), Some("Segunda via de boleto"));
    assert_eq!(a.opened_at.as_deref(), Some("15/03/2024 10:22"));
    assert_eq!(a.protocol.as_deref(), Some("2024031500042"));
    assert_eq!(a.status.as_deref(), Some("A"));
    assert_eq!(a.status_kind, Some(RequestStatus::Open));
    assert_eq!(a.pending, Some(true));
    assert_eq!(a.link.as_deref(), Some("https://chat.anna.example/r/42"));
    assert_eq!(a.raw["Rating"], 5, "every raw field is kept");
    let b = &r.items[1];
    assert_eq!(b.protocol.as_deref(), Some("2024020200007"));
    assert_eq!(b.status_kind, Some(RequestStatus::Closed));
    assert_eq!(b.pending, Some(false));
    assert_eq!(r.raw(), &requests_json());
}

#[test]
fn messenger_requests_null_list_is_empty() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", REQUESTS)
        .with_body(ok("userRequests", json!([])))
        .create();
    let r = client(&server)
        .messenger_requests(&User::id("42"), &MessengerFilter::default())
        .unwrap();
    assert!(r.items.is_empty());
}

#[test]
fn messenger_requests_malformed_body_is_an_unexpected_response() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", REQUESTS)
        .with_body("{\"success\":true,\"userRequests\":[{")
        .create();
    let err = client(&server)
        .messenger_requests(&User::id("42"), &MessengerFilter::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    assert!(
        err.to_string()
            .starts_with("AnnA Messenger/Requests: unexpected response"),
        "{err}"
    );
}

#[test]
fn messenger_requests_not_a_list_is_an_unexpected_response() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", REQUESTS)
        .with_body(ok("userRequests", json!({"count": 2})))
        .create();
    let err = client(&server)
        .messenger_requests(&User::id("42"), &MessengerFilter::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert!(err.to_string().contains("`userRequests`, a list"), "{err}");
}

#[test]
fn messenger_requests_success_false_is_rejected() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", REQUESTS)
        .with_body(refused("User not found."))
        .create();
    let err = client(&server)
        .messenger_requests(&User::id("404"), &MessengerFilter::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.vendor_message(), Some("User not found."));
}

// ---------------------------------------------------------------- A8 Messenger/Link

#[test]
fn messenger_link_sends_the_user_without_filters_and_returns_the_url() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        LINK,
        json!({"hash": COMPANY_HASH, "userId": "42", "userDocType": "", "userDocValue": ""}),
    )
    .with_body(ok(
        "messengerLink",
        json!("https://chat.anna.example/m/xyz?u=42"),
    ))
    .expect(1)
    .create();
    let link = client(&server).messenger_link(&User::id("42")).unwrap();
    m.assert();
    assert_eq!(link, "https://chat.anna.example/m/xyz?u=42");
}

#[test]
fn messenger_link_by_document() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let m = protected(
        &mut server,
        LINK,
        json!({"hash": COMPANY_HASH, "userId": "", "userDocType": "CPF", "userDocValue": "12345678909"}),
    )
    .with_body(ok("messengerLink", json!("https://chat.anna.example/m/abc")))
    .expect(1)
    .create();
    let link = client(&server)
        .messenger_link(&User::document("CPF", "12345678909"))
        .unwrap();
    m.assert();
    assert_eq!(link, "https://chat.anna.example/m/abc");
}

#[test]
fn messenger_link_success_false_is_rejected() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", LINK)
        .with_body(refused("User COMPANY@7 is inactive."))
        .create();
    let err = client(&server).messenger_link(&User::id("7")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.vendor_message(), Some("User COMPANY@7 is inactive."));
    assert!(
        err.to_string()
            .starts_with("AnnA Messenger/Link: AnnA rejected"),
        "{err}"
    );
}

#[test]
fn messenger_link_empty_is_an_unexpected_response() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", LINK)
        .with_body(ok("messengerLink", json!("")))
        .create();
    let err = client(&server).messenger_link(&User::id("7")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert!(
        err.to_string().contains("`messengerLink`, a non-empty URL"),
        "{err}"
    );
}

#[test]
fn messenger_link_with_an_incomplete_document_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    let client = client(&server);
    let err = client
        .messenger_link(&User::document("", "123"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("`user_doc_type`"), "{err}");
    let err = client
        .messenger_link(&User::document("CPF", ""))
        .unwrap_err();
    assert!(err.to_string().contains("`user_doc_value`"), "{err}");
    let err = client.messenger_link(&User::id("")).unwrap_err();
    assert!(err.to_string().contains("`user_id`"), "{err}");
    m.assert();
}

// ---------------------------------------------------------------- shared behaviour

#[test]
fn messenger_filter_is_written_as_wire_strings() {
    assert_eq!(full_filter().to_wire(), full_filter_wire());
    assert_eq!(MessengerFilter::default().to_wire(), no_filter_wire());
    let closed = MessengerFilter {
        date_to: Some(Date::new(2024, 2, 9).unwrap()),
        status: Some(RequestStatus::Closed),
        pending: Some(false),
        ..Default::default()
    };
    assert_eq!(
        closed.to_wire(),
        json!({
            "departmentAlias": "", "channelAlias": "", "dataIni": "", "dataFim": "09/02/2024",
            "status": "E", "pendentes": "N"
        })
    );
}

#[test]
fn a_token_is_fetched_once_for_several_calls() {
    let mut server = Server::new();
    let login = token_mock(&mut server, 1);
    let link = protected(
        &mut server,
        LINK,
        json!({"hash": COMPANY_HASH, "userId": "42", "userDocType": "", "userDocValue": ""}),
    )
    .with_body(ok(
        "messengerLink",
        json!("https://chat.anna.example/m/xyz"),
    ))
    .expect(3)
    .create();
    let client = client(&server);
    for _ in 0..3 {
        client.messenger_link(&User::id("42")).unwrap();
    }
    login.assert();
    link.assert();
}

#[test]
fn a_protected_call_echoing_the_token_in_a_500_is_scrubbed() {
    let mut server = Server::new();
    token_mock(&mut server, 1);
    server
        .mock("POST", STRUCTURE)
        .with_status(500)
        .with_body(format!(
            "<html><body>Bad request for hash {COMPANY_HASH}, Authorization: Bearer {}</body></html>",
            token(1)
        ))
        .create();
    let err = client(&server).messenger_structure().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HttpStatus);
    assert!(err.to_string().contains("Bad request for hash"), "{err}");
    assert_secret_free(&err, &[&token(1), COMPANY_HASH]);
}

#[test]
fn base_url_joins_with_and_without_trailing_slash() {
    for suffix in ["", "/", "/api", "/api/"] {
        let mut server = Server::new();
        let prefix = suffix.trim_end_matches('/');
        let login = server
            .mock("POST", format!("{prefix}{GET_TOKEN}").as_str())
            .with_body(ok("data", json!({"Token": token(1), "ExpiresIn": "3600"})))
            .expect(1)
            .create();
        let call = server
            .mock("POST", format!("{prefix}{STRUCTURE}").as_str())
            .with_body(ok("structure", structure_json()))
            .expect(1)
            .create();
        let client = client_at(&format!("{}{suffix}", server.url()), &config());
        assert_eq!(client.base_url(), format!("{}{prefix}", server.url()));
        client.messenger_structure().unwrap();
        login.assert();
        call.assert();
    }
}

#[test]
fn generic_call_401_twice_logs_in_again_once() {
    let mut server = Server::new();
    let first = token_mock(&mut server, 1);
    let second = token_mock(&mut server, 2);
    let rejected = server
        .mock("POST", "/REST/AnnACorporate/Other")
        .with_status(401)
        .expect(2)
        .create();
    let err = client(&server)
        .call(
            Method::Post,
            "REST/AnnACorporate/Other",
            Body::Json(json!({})),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    for m in [first, second, rejected] {
        m.assert();
    }
}

#[test]
fn debug_output_hides_password_hash_and_token() {
    let creds = anna::Credentials::new(COMPANY_HASH, API_USER, PASSWORD);
    let shown = format!("{creds:?}");
    assert!(
        !shown.contains(COMPANY_HASH) && !shown.contains("p&ss"),
        "{shown}"
    );
    let mut server = Server::new();
    token_mock(&mut server, 1);
    let client = client(&server);
    let t = client.get_token().unwrap();
    let shown = format!("{t:?} {client:?}");
    assert!(!shown.contains(&token(1)), "{shown}");
    assert!(
        !shown.contains(COMPANY_HASH) && !shown.contains("p&ss"),
        "{shown}"
    );
}
