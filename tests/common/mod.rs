//! What the API test files share: the client settings, matchers for the wire, and
//! checks that no secret reaches an error message.
#![allow(dead_code)] // each test file uses a different part of this module
pub mod server;

use std::net::TcpListener;
use std::sync::Arc;

use mockito::Matcher;
use tokenbridge::{Config, Error, ManualClock, ProxySetting, RetryPolicy};

/// A password with every character a form or a JSON body could mangle: `&`, `=`,
/// `+`, a space and non-ASCII.
pub const PASSWORD: &str = "p&ss=w+rd é";

/// [`PASSWORD`] as `application/x-www-form-urlencoded` writes it.
pub const PASSWORD_FORM_ENCODED: &str = "p%26ss%3Dw%2Brd+%C3%A9";

/// Plain http to the mock server, no retries, no proxy from the environment.
pub fn config() -> Config {
    Config::default()
        .allow_http(true)
        .retry(RetryPolicy::none())
        .proxy(ProxySetting::None)
}

/// [`config`] with a clock that only moves when told to, to check expiry instants.
pub fn config_with_clock() -> (Config, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    (config().clock(clock.clone()), clock)
}

/// `Content-Type` of a form (the optional `charset` is accepted by the server).
pub fn form_content_type() -> Matcher {
    Matcher::Regex(r"(?i)^application/x-www-form-urlencoded(\s*;\s*charset=utf-8)?$".into())
}

/// `Content-Type` of a JSON body.
pub fn json_content_type() -> Matcher {
    Matcher::Regex(r"(?i)^application/json(\s*;\s*charset=utf-8)?$".into())
}

/// The `User-Agent` every call carries.
pub fn user_agent() -> String {
    format!("tokenbridge/{}", tokenbridge::VERSION)
}

/// A form body that holds exactly these fields (each with this decoded value), no
/// other field and no field twice.
pub fn form_body(fields: &[(&str, &str)]) -> Matcher {
    let mut all: Vec<Matcher> = fields
        .iter()
        .map(|(k, v)| Matcher::UrlEncoded((*k).to_owned(), (*v).to_owned()))
        .collect();
    // The pairs are counted and each key must appear, so that an extra or repeated
    // field fails the match whatever the order.
    all.push(Matcher::Regex(format!(
        "^[^&=]+=[^&]*(&[^&=]+=[^&]*){{{}}}$",
        fields.len().saturating_sub(1)
    )));
    for (k, _) in fields {
        all.push(Matcher::Regex(format!(
            "(^|&){}=[^&]*(&|$)",
            regex_escape(k)
        )));
    }
    Matcher::AllOf(all)
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                vec![c]
            } else {
                vec!['\\', c]
            }
        })
        .collect()
}

/// An unsigned JWT (`header.payload.sig`) with these claims.
pub fn jwt(claims: &serde_json::Value) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        base64url(claims.to_string().as_bytes())
    )
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Fails when any of the secrets (as given, form-encoded or JSON-escaped) shows in
/// the error's `Display` or `Debug`.
pub fn assert_secret_free(err: &Error, secrets: &[&str]) {
    let shown = format!("{err} | {err:?}");
    for s in secrets {
        let json = serde_json::to_string(s).unwrap();
        for variant in [
            s.to_string(),
            form_encode(s),
            json.trim_matches('"').to_owned(),
        ] {
            assert!(
                !shown.contains(&variant),
                "a secret ({variant:?}) leaked into the error: {shown}"
            );
        }
    }
}

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

/// A long HTML error page, as a Java application server or a proxy writes it.
pub fn html_error_page() -> String {
    format!(
        "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>\
         <body><h1>Internal Server Error</h1><p>{}</p></body></html>",
        "java.lang.NullPointerException at com.example.Servlet.service(Servlet.java:42) "
            .repeat(60)
    )
}

/// Checks an `HttpStatus` 500 error made from [`html_error_page`]: the code, the
/// operation, the start of the page, and an excerpt cut short.
pub fn assert_http_500(err: &Error, operation: &str) {
    assert_eq!(err.kind(), tokenbridge::ErrorKind::HttpStatus, "{err:?}");
    assert_eq!(err.http_status(), Some(500));
    let msg = err.to_string();
    assert!(msg.starts_with(operation), "{msg}");
    assert!(msg.contains("HTTP 500"), "{msg}");
    assert!(msg.contains("Internal Server Error"), "{msg}");
    assert!(
        msg.chars().count() < 400,
        "the excerpt should be short, got {} characters: {msg}",
        msg.chars().count()
    );
    assert!(!msg.contains('\n'), "{msg}");
}

/// A `http://127.0.0.1:port` where nothing listens.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
