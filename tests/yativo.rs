//! Yativo (Y1 login, Y2 refresh-token) against a mock server: what goes over the
//! wire, what comes back, and every way it can fail.

mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::*;
use mockito::{Matcher, Server};
use serde_json::{json, Value};
use tokenbridge::{yativo, Body, Clock, Config, ErrorKind, Method};

const ACCOUNT: &str = "acct_123";
/// An app secret with what JSON must escape (`"`, `\`) and what a form would mangle.
const APP_SECRET: &str = "ap\"p-s3cr\\et é&=+";
const LOGIN: &str = "/auth/login";
const REFRESH: &str = "/auth/refresh-token";

fn client_at(url: &str, config: &Config) -> yativo::Client {
    yativo::Client::new(url, yativo::Credentials::new(ACCOUNT, APP_SECRET), config).unwrap()
}

fn client(server: &Server) -> yativo::Client {
    client_at(&server.url(), &config())
}

fn token(n: u32) -> String {
    jwt(&json!({"sub": ACCOUNT, "n": n, "exp": 4_102_444_800u64}))
}

fn success(data: Value) -> String {
    json!({"status": "success", "status_code": 200, "message": "OK", "data": data}).to_string()
}

/// A login mock answering `token(n)` once.
fn login_mock(server: &mut Server, n: u32) -> mockito::Mock {
    server
        .mock("POST", LOGIN)
        .with_header("content-type", "application/json")
        .with_body(success(
            json!({"access_token": token(n), "token_type": "bearer", "expires_in": 600}),
        ))
        .expect(1)
        .create()
}

// ---------------------------------------------------------------- Y1 login

#[test]
fn login_posts_json_credentials_and_returns_a_typed_token() {
    let mut server = Server::new();
    let m = server
        .mock("POST", LOGIN)
        .match_header("content-type", json_content_type())
        .match_header("authorization", Matcher::Missing)
        .match_header("user-agent", user_agent().as_str())
        .match_body(Matcher::Json(
            json!({"account_id": ACCOUNT, "app_secret": APP_SECRET}),
        ))
        .with_header("content-type", "application/json")
        .with_body(success(
            json!({"access_token": token(1), "token_type": "bearer", "expires_in": 600}),
        ))
        .expect(1)
        .create();
    let (config, clock) = config_with_clock();
    let client = client_at(&server.url(), &config);
    let now = clock.now();

    let t = client.login().unwrap();

    m.assert();
    assert_eq!(t.access_token.expose(), token(1));
    assert_eq!(t.token_type, "bearer");
    assert_eq!(t.expires_in, 600);
    assert_eq!(t.expires_at, now + Duration::from_secs(600));
    assert_eq!(t.raw()["status"], "success");
    assert_eq!(t.raw()["data"]["expires_in"], 600);
    // Cached: asking for a token sends nothing more.
    assert_eq!(client.token().unwrap().access_token.expose(), token(1));
    m.assert();
}

#[test]
fn login_without_expires_in_uses_the_jwt_exp() {
    let mut server = Server::new();
    let jwt_token = jwt(&json!({"exp": 4_102_444_800u64}));
    server
        .mock("POST", LOGIN)
        .with_body(success(json!({"access_token": jwt_token})))
        .create();
    let t = client(&server).login().unwrap();
    assert_eq!(
        t.expires_at,
        UNIX_EPOCH + Duration::from_secs(4_102_444_800)
    );
    assert_eq!(t.token_type, "bearer", "a missing token_type means bearer");
}

#[test]
fn login_status_error_is_rejected_with_the_vendor_message() {
    let mut server = Server::new();
    let m = server
        .mock("POST", LOGIN)
        .with_status(200)
        .with_body(
            json!({"status": "error", "status_code": 422, "message": "Invalid account id or app secret", "data": null})
                .to_string(),
        )
        .expect(1)
        .create();
    let err = client(&server).login().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected, "{err:?}");
    assert_eq!(
        err.vendor_message(),
        Some("Invalid account id or app secret")
    );
    assert_eq!(err.http_status(), Some(200));
    assert_eq!(
        err.to_string(),
        "Yativo login: Yativo rejected the request: Invalid account id or app secret"
    );
}

#[test]
fn login_401_envelope_is_a_rejected_credential_not_retried() {
    let mut server = Server::new();
    let m = server
        .mock("POST", LOGIN)
        .with_status(401)
        .with_body(
            json!({"status": "error", "status_code": 401, "message": "Unauthenticated."})
                .to_string(),
        )
        .expect(1)
        .create();
    let err = client(&server).login().unwrap_err();
    m.assert();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.http_status(), Some(401));
    assert_eq!(err.vendor_message(), Some("Unauthenticated."));
}

#[test]
fn login_vendor_message_echoing_the_secret_is_scrubbed() {
    let mut server = Server::new();
    server
        .mock("POST", LOGIN)
        .with_status(400)
        .with_body(
            json!({"status": "error", "message": format!("app_secret {APP_SECRET} is not valid")})
                .to_string(),
        )
        .create();
    let err = client(&server).login().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert!(
        err.vendor_message().unwrap().starts_with("app_secret"),
        "{err}"
    );
    assert!(
        err.vendor_message().unwrap().ends_with("is not valid"),
        "{err}"
    );
    assert_secret_free(&err, &[APP_SECRET]);
}

#[test]
fn login_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    server
        .mock("POST", LOGIN)
        .with_status(500)
        .with_header("content-type", "text/html")
        .with_body(html_error_page())
        .create();
    let err = client(&server).login().unwrap_err();
    assert_http_500(&err, "Yativo login");
    assert_secret_free(&err, &[APP_SECRET]);
}

#[test]
fn login_malformed_body_is_an_unexpected_response() {
    let mut server = Server::new();
    server
        .mock("POST", LOGIN)
        .with_body("{\"status\": \"success\", \"data\": {\"access_token\": ")
        .create();
    let err = client(&server).login().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.starts_with("Yativo login: unexpected response: expected a JSON envelope"),
        "{msg}"
    );
    assert!(
        msg.contains("\"access_token\""),
        "the excerpt shows what came: {msg}"
    );
}

#[test]
fn login_success_without_a_usable_token_is_an_unexpected_response() {
    for (data, expected) in [
        (json!(null), "`data` holding an object"),
        (json!({"token_type": "bearer"}), "`data.access_token`"),
        (json!({"access_token": ""}), "`data.access_token`"),
        (
            json!({"access_token": "x.y.z", "expires_in": -1}),
            "`data.expires_in`",
        ),
    ] {
        let mut server = Server::new();
        server
            .mock("POST", LOGIN)
            .with_body(success(data.clone()))
            .create();
        let err = client(&server).login().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{data}: {err:?}");
        assert!(err.to_string().contains(expected), "{data}: {err}");
    }
}

#[test]
fn login_with_an_empty_app_secret_sends_nothing() {
    let mut server = Server::new();
    let m = server.mock("POST", Matcher::Any).expect(0).create();
    let client = yativo::Client::new(
        &server.url(),
        yativo::Credentials::new(ACCOUNT, ""),
        &config(),
    )
    .unwrap();
    let err = client.login().unwrap_err();
    m.assert();
    assert_eq!(
        err.to_string(),
        "invalid argument `app_secret`: must not be empty"
    );
}

// ---------------------------------------------------------------- Y2 refresh-token

#[test]
fn refresh_token_sends_the_current_bearer_token_without_body() {
    let mut server = Server::new();
    let login = login_mock(&mut server, 1);
    let refresh = server
        .mock("GET", REFRESH)
        .match_header("authorization", format!("Bearer {}", token(1)).as_str())
        .match_header("content-type", Matcher::Missing)
        .match_body(Matcher::Missing)
        .with_body(success(
            json!({"access_token": token(2), "expires_in": 3600}),
        ))
        .expect(1)
        .create();
    let (config, clock) = config_with_clock();
    let client = client_at(&server.url(), &config);
    client.login().unwrap();
    let now = clock.now();

    let t = client.refresh_token().unwrap();

    login.assert();
    refresh.assert();
    assert_eq!(t.access_token.expose(), token(2));
    assert_eq!(
        t.token_type, "bearer",
        "the refresh answer has no token_type"
    );
    assert_eq!(t.expires_in, 3600);
    assert_eq!(t.expires_at, now + Duration::from_secs(3600));
    assert_eq!(t.raw()["data"]["expires_in"], 3600);
    assert_eq!(
        client.token().unwrap().access_token.expose(),
        token(2),
        "the new token replaces the old one"
    );
}

#[test]
fn refresh_token_without_a_token_logs_in_first() {
    let mut server = Server::new();
    let login = login_mock(&mut server, 1);
    let refresh = server
        .mock("GET", REFRESH)
        .match_header("authorization", format!("Bearer {}", token(1)).as_str())
        .with_body(success(
            json!({"access_token": token(2), "token_type": "Bearer", "expires_in": 600}),
        ))
        .expect(1)
        .create();
    let t = client(&server).refresh_token().unwrap();
    login.assert();
    refresh.assert();
    assert_eq!(t.access_token.expose(), token(2));
    assert_eq!(t.token_type, "Bearer");
}

#[test]
fn refresh_token_status_error_is_rejected() {
    let mut server = Server::new();
    login_mock(&mut server, 1);
    server
        .mock("GET", REFRESH)
        .with_body(
            json!({"status": "error", "status_code": 400, "message": "Token has been blacklisted"})
                .to_string(),
        )
        .create();
    let client = client(&server);
    client.login().unwrap();
    let err = client.refresh_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Rejected);
    assert_eq!(err.vendor_message(), Some("Token has been blacklisted"));
    assert!(
        err.to_string()
            .starts_with("Yativo refresh-token: Yativo rejected"),
        "{err}"
    );
}

#[test]
fn refresh_token_401_twice_logs_in_again_once_then_is_unauthorized() {
    let mut server = Server::new();
    let first = login_mock(&mut server, 1);
    let second = login_mock(&mut server, 2);
    let refused = server
        .mock("GET", REFRESH)
        .match_header(
            "authorization",
            Matcher::AnyOf(vec![
                Matcher::Exact(format!("Bearer {}", token(1))),
                Matcher::Exact(format!("Bearer {}", token(2))),
            ]),
        )
        .with_status(401)
        .with_body(json!({"message": format!("Unauthenticated: {}", token(2))}).to_string())
        .expect(2)
        .create();
    let client = client(&server);
    client.login().unwrap();

    let err = client.refresh_token().unwrap_err();

    first.assert();
    second.assert();
    refused.assert();
    assert_eq!(err.kind(), ErrorKind::Unauthorized, "{err:?}");
    assert_eq!(err.http_status(), Some(401));
    let msg = err.to_string();
    assert!(
        msg.starts_with("Yativo refresh-token: unauthorized (HTTP 401)"),
        "{msg}"
    );
    assert!(msg.contains("Unauthenticated"), "{msg}");
    assert_secret_free(&err, &[&token(1), &token(2), APP_SECRET]);
}

#[test]
fn refresh_token_401_then_success_after_logging_in_again() {
    let mut server = Server::new();
    let first = login_mock(&mut server, 1);
    let second = login_mock(&mut server, 2);
    let refused = server
        .mock("GET", REFRESH)
        .match_header("authorization", format!("Bearer {}", token(1)).as_str())
        .with_status(401)
        .expect(1)
        .create();
    let accepted = server
        .mock("GET", REFRESH)
        .match_header("authorization", format!("Bearer {}", token(2)).as_str())
        .with_body(success(
            json!({"access_token": token(3), "expires_in": 600}),
        ))
        .expect(1)
        .create();
    let client = client(&server);
    client.login().unwrap();
    let t = client.refresh_token().unwrap();
    assert_eq!(t.access_token.expose(), token(3));
    for m in [first, second, refused, accepted] {
        m.assert();
    }
}

#[test]
fn a_token_refused_by_refresh_is_not_served_again() {
    let mut server = Server::new();
    let first = login_mock(&mut server, 1);
    let second = login_mock(&mut server, 2);
    let third = login_mock(&mut server, 3);
    server
        .mock("GET", REFRESH)
        .with_status(401)
        .expect(2)
        .create();
    let client = client(&server);
    client.login().unwrap();
    assert_eq!(
        client.refresh_token().unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    // The cache no longer holds a refused token: the next one comes from a login.
    assert_eq!(client.token().unwrap().access_token.expose(), token(3));
    for m in [first, second, third] {
        m.assert();
    }
}

#[test]
fn refresh_token_http_500_with_html_is_an_http_status_error() {
    let mut server = Server::new();
    login_mock(&mut server, 1);
    server
        .mock("GET", REFRESH)
        .with_status(500)
        .with_body(html_error_page())
        .create();
    let client = client(&server);
    client.login().unwrap();
    let err = client.refresh_token().unwrap_err();
    assert_http_500(&err, "Yativo refresh-token");
}

#[test]
fn refresh_token_malformed_body_is_an_unexpected_response() {
    let mut server = Server::new();
    login_mock(&mut server, 1);
    server
        .mock("GET", REFRESH)
        .with_body("<html>maintenance</html>")
        .create();
    let client = client(&server);
    client.login().unwrap();
    let err = client.refresh_token().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{err:?}");
    assert!(err.to_string().contains("maintenance"), "{err}");
}

// ---------------------------------------------------------------- 401 on a protected call

#[test]
fn call_401_twice_logs_in_again_once_then_is_unauthorized() {
    let mut server = Server::new();
    let first = login_mock(&mut server, 1);
    let second = login_mock(&mut server, 2);
    let refused = server
        .mock("GET", "/wallet/balance")
        .match_header(
            "authorization",
            Matcher::AnyOf(vec![
                Matcher::Exact(format!("Bearer {}", token(1))),
                Matcher::Exact(format!("Bearer {}", token(2))),
            ]),
        )
        .with_status(401)
        .with_body(json!({"status": "error", "message": "Unauthenticated."}).to_string())
        .expect(2)
        .create();
    let err = client(&server)
        .call(Method::Get, "wallet/balance", Body::None)
        .unwrap_err();
    first.assert();
    second.assert();
    refused.assert();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    assert!(err.to_string().contains("Unauthenticated."), "{err}");
}

// ---------------------------------------------------------------- base URL

#[test]
fn environments_are_the_published_urls() {
    assert_eq!(yativo::PRODUCTION_URL, "https://api.yativo.com/api/v1");
    assert_eq!(yativo::SANDBOX_URL, "https://smtp.yativo.com/api/v1");
    assert_eq!(
        yativo::Environment::Production.base_url(),
        yativo::PRODUCTION_URL
    );
    assert_eq!(yativo::Environment::Sandbox.base_url(), yativo::SANDBOX_URL);
    let c = yativo::Client::new(
        yativo::Environment::Sandbox.base_url(),
        yativo::Credentials::new(ACCOUNT, APP_SECRET),
        &Config::default(),
    )
    .unwrap();
    assert_eq!(c.base_url(), "https://smtp.yativo.com/api/v1");
}

#[test]
fn base_url_joins_with_and_without_trailing_slash() {
    for suffix in ["", "/", "/api/v1", "/api/v1/"] {
        let mut server = Server::new();
        let prefix = suffix.trim_end_matches('/');
        let m = server
            .mock("POST", format!("{prefix}{LOGIN}").as_str())
            .with_body(success(
                json!({"access_token": token(1), "expires_in": 600}),
            ))
            .expect(1)
            .create();
        client_at(&format!("{}{suffix}", server.url()), &config())
            .login()
            .unwrap();
        m.assert();
    }
}

#[test]
fn debug_output_hides_the_secret_and_the_token() {
    let creds = yativo::Credentials::new(ACCOUNT, APP_SECRET);
    let shown = format!("{creds:?}");
    assert!(!shown.contains("s3cr"), "{shown}");
    let mut server = Server::new();
    login_mock(&mut server, 1);
    let client = client(&server);
    let t = client.login().unwrap();
    let shown = format!("{t:?} {client:?}");
    assert!(!shown.contains(&token(1)), "{shown}");
    assert!(!shown.contains("s3cr"), "{shown}");
    assert!(shown.contains("expires_in: 600"), "{shown}");
}
