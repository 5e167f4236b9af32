//! The HTTP layer every client shares, split by concern:
//!
//! * [`request`]: what a call sends (the public [`Request`], the crate's `Outgoing`)
//!   and what a generic call gets back ([`Response`]);
//! * [`reply`]: the answer as the vendor modules read it, and ureq's failures mapped
//!   to errors that name the right culprit;
//! * [`agent`]: the ureq agent (TLS roots, proxy, timeouts), one per process;
//! * [`options`]: a call's deadline and cancellation;
//! * [`transport`]: the one layer under ureq, right above each socket: the call's
//!   deadline and cancellation bound every wait; it never touches a byte;
//! * [`exchange`]: the attempt running on the calling thread, whose limits the
//!   transport and the resolver read;
//! * [`lookup`]: the system resolver asked within the call's limits (a small pool);
//! * [`resolve`]: the DNS cache;
//! * [`run`]: one call from top to bottom: the retry loop, one attempt on the wire,
//!   the answer read as text or handed out;
//! * this file: a client's connection to one API ([`Http`]) and its settings.
#![forbid(unsafe_code)]

pub(crate) mod agent;
mod buffers;
mod exchange;
mod lookup;
pub(crate) mod options;
pub(crate) mod reply;
pub(crate) mod request;
mod resolve;
mod run;
mod tls;
pub(crate) mod transport;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use options::{CallOptions, CancelToken};
pub use request::{Body, Method, Request, Response, MAX_HEADER_VALUE_BYTES};

pub(crate) use agent::normalize_base_url;
pub(crate) use options::CallLimits;
pub(crate) use reply::{no_reason, show, the_deadline, ReasonReader, TextAnswer, EXCERPT_CHARS};
pub(crate) use request::{check_value, Auth, Outgoing};

use self::agent::{AgentSetup, ProcessAgent};
use crate::config::{Config, RetryPolicy};
use crate::error::Result;
use crate::secret::Secret;

/// One client's connection to one API.
pub(crate) struct Http {
    agent: ProcessAgent,
    base: String,
    max_body: u64,
    retry: RetryPolicy,
    /// The connect timeout of the settings; a call's deadline may shorten it.
    timeout_connect: Duration,
    seed: RandomState,
    counter: AtomicU64,
    /// The client's credentials, scrubbed from every error of every call, including
    /// calls that do not send them (a server's debug page may echo them anyway).
    secrets: Vec<Secret>,
    /// How the vendor's error answers give a reason.
    reason: ReasonReader,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("base", &self.base).finish()
    }
}

impl Http {
    pub fn new(base_url: &str, config: &Config) -> Result<Http> {
        let base = normalize_base_url(base_url, config.allow_http)?;
        crate::logging::warn_if_unredacted();
        Ok(Http {
            agent: ProcessAgent::new(AgentSetup::new(config, &base)?),
            base,
            max_body: config.max_response_bytes,
            retry: config.retry,
            timeout_connect: config.timeout_connect,
            seed: RandomState::new(),
            counter: AtomicU64::new(0),
            secrets: Vec::new(),
            reason: no_reason,
        })
    }

    /// Adds the client's credentials to the secrets scrubbed from every error.
    pub fn with_secrets(mut self, secrets: &[&Secret]) -> Http {
        self.secrets.extend(secrets.iter().map(|s| (*s).clone()));
        self
    }

    /// How the vendor's error answers give a reason.
    pub fn with_reason(mut self, reason: ReasonReader) -> Http {
        self.reason = reason;
        self
    }

    /// The base URL, without trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str, query: &[(&str, &str)]) -> String {
        let path = path.trim_start_matches('/');
        let mut url = String::with_capacity(self.base.len() + 1 + path.len());
        url.push_str(&self.base);
        url.push('/');
        url.push_str(path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query.iter().copied())
                    .finish(),
            );
        }
        url
    }

    /// A number no other call of this client gets, unpredictable from outside.
    fn next_random(&self) -> u64 {
        let mut h = self.seed.build_hasher();
        h.write_u64(self.counter.fetch_add(1, Ordering::Relaxed));
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ProxySetting;
    use crate::error::TransportKind;

    fn get(path: &str) -> Outgoing<'_> {
        Outgoing::new("test", Method::Get, path, Auth::None)
    }

    #[test]
    fn tls_failure_is_a_tls_error() {
        // A server that answers TLS with plain HTTP: the handshake fails.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        });
        let config = Config::default()
            .proxy(ProxySetting::None)
            .retry(RetryPolicy::none());
        let http = Http::new(&format!("https://127.0.0.1:{port}"), &config).unwrap();
        let req = get("x");
        let err = http.send(&req, &CallLimits::none()).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::Transport(TransportKind::Tls),
            "{err}"
        );
        server.join().unwrap();
    }

    /// A keep-alive server on 127.0.0.1 for one connection: answers `n` requests with
    /// `200 ok`, then closes and stops listening.
    fn tiny_server(n: usize) -> (u16, std::thread::JoinHandle<()>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            for _ in 0..n {
                let mut buf = [0u8; 4096];
                let mut got = 0;
                while !buf[..got].windows(4).any(|w| w == b"\r\n\r\n") && got < buf.len() {
                    match conn.read(&mut buf[got..]) {
                        Ok(0) | Err(_) => return,
                        Ok(k) => got += k,
                    }
                }
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        (port, server)
    }

    #[test]
    fn dns_answers_are_kept_and_forgotten_when_a_connection_fails() {
        let (port, server) = tiny_server(3);
        let config = Config::default()
            .allow_http(true)
            .proxy(ProxySetting::None)
            .retry(RetryPolicy::none());
        let http = Http::new(&format!("http://localhost:{port}"), &config).unwrap();
        let req = get("x");
        for _ in 0..3 {
            assert_eq!(http.send(&req, &CallLimits::none()).unwrap().body, "ok");
        }
        assert_eq!(
            http.agent.get(std::process::id()).1.len(),
            1,
            "localhost's answer is kept"
        );
        server.join().unwrap();

        // Nobody listens any more: the connection is refused and the answer forgotten.
        let err = http.send(&req, &CallLimits::none()).unwrap_err();
        assert_eq!(
            err.kind(),
            crate::ErrorKind::Transport(TransportKind::Connect),
            "{err}"
        );
        assert_eq!(
            http.agent.get(std::process::id()).1.len(),
            0,
            "a failed connection forgets the answer"
        );
    }

    /// A test CA and the certificate it signed for 127.0.0.1 with its key (ECDSA
    /// P-256, valid until 2126), made with openssl as `scripts/bench.sh` makes its own.
    const TEST_CA: &str = "\
-----BEGIN CERTIFICATE-----
MIIBrTCCAVOgAwIBAgIUX3zQy5FL9etung4fWdmyT8jHxoQwCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYdG9rZW5icmlkZ2UgdW5pdC10ZXN0IENBMCAXDTI2MTIwODAw
MTAzOFoYDzIxMjYxMTE0MDAxMDM4WjAjMSEwHwYDVQQDDBh0b2tlbmJyaWRnZSB1
bml0LXRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATseF/Gpt8OJ5cX
td9u7dzYzhk+4B22Vb+XcNS0QYjwBjNdXs3nwrm2CwIrlF5QqZ5wej0PdD19XE3t
1lzxU5qxo2MwYTAdBgNVHQ4EFgQU4zrxVB1y4Ndp1210zs9k5+pWKoUwHwYDVR0j
BBgwFoAU4zrxVB1y4Ndp1210zs9k5+pWKoUwDwYDVR0TAQH/BAUwAwEB/zAOBgNV
HQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDSAAwRQIgD9rDbJLc60EPgh/oBp3SxShy
ob2pBKDYr4ACP1YMmXcCIQC3hNp8hEgtjKyrRvhfuv+PSoxMWJ/pefYkw/kcNBEt
lA==
-----END CERTIFICATE-----";
    const TEST_CERT: &str = "\
-----BEGIN CERTIFICATE-----
MIIBxDCCAWmgAwIBAgIUTXOrtPGHZBPVq9nVgZoDegEBJjkwCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYdG9rZW5icmlkZ2UgdW5pdC10ZXN0IENBMCAXDTI2MTIwODAw
MTAzOFoYDzIxMjYxMTE0MDAxMDM4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTAT
BgcqhkjOPQIBBggqhkjOPQMBBwNCAARLuST6IPyqC+aDsvDxQtn+YQhs9AHrd4V1
WA2NEyXUd6pn851Rp7BY+4sJWv/s0Ao0EFietALGVz2tcQEXQvrQo4GHMIGEMA8G
A1UdEQQIMAaHBH8AAAEwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYD
VR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0OBBYEFNXxDp6kAm+kb0qbLsGdfDUp0WKY
MB8GA1UdIwQYMBaAFOM68VQdcuDXaddtdM7PZOfqViqFMAoGCCqGSM49BAMCA0kA
MEYCIQCuZUSC7FIKG0gotZmXHyx1RHHzYAAxvnhDgiNsHYL09wIhAO9tyl8jluzJ
I+PETvizA0EzAAdhFrFdyLSDGoTBhEMU
-----END CERTIFICATE-----";
    const TEST_KEY: &str = "\
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgW5zA17zQzX8F8QGg
Yo7vwUgd87NrJOio1UfJ5ZsdZBChRANCAARLuST6IPyqC+aDsvDxQtn+YQhs9AHr
d4V1WA2NEyXUd6pn851Rp7BY+4sJWv/s0Ao0EFietALGVz2tcQEXQvrQ
-----END PRIVATE KEY-----";

    /// The server side of [`heads_and_bodies_larger_than_the_buffers_go_through`]:
    /// reads one request of `X-Long` and a body of `q`s, answers a 40 KiB header and
    /// a 300 KiB body, and returns the body length it read.
    fn big_exchange(conn: impl std::io::Read + std::io::Write) -> usize {
        use std::io::{BufRead, BufReader, Read};
        let mut reader = BufReader::new(conn);
        let (mut length, mut longest) = (0usize, 0usize);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            longest = longest.max(line.len());
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        assert!(body.iter().all(|b| *b == b'q'));
        assert!(longest > 12 * 1024, "the long header line arrived whole");
        let big_header = "h".repeat(40 * 1024);
        let answer = "a".repeat(300 * 1024);
        let mut conn = reader.into_inner();
        write!(
            conn,
            "HTTP/1.1 200 OK\r\nX-Big: {big_header}\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        )
        .unwrap();
        conn.flush().unwrap();
        length
    }

    #[test]
    fn heads_and_bodies_larger_than_the_buffers_go_through() {
        // The output buffers are 16 KiB (buffers::BUFFER_BYTES), a socket's under TLS
        // 16.5 KiB, and the TLS layer's input starts at 4 KiB (buffers::PlainBuffers): a 40 KiB
        // response head, a 300 KiB body each way and a 12 KiB header line must still
        // go through, in plain http and in TLS.
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        for tls in [false, true] {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let server = std::thread::spawn(move || {
                let (conn, _) = listener.accept().unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                if !tls {
                    return big_exchange(conn);
                }
                let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
                let config = rustls::ServerConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .unwrap()
                    .with_no_client_auth()
                    .with_single_cert(
                        vec![CertificateDer::from_pem_slice(TEST_CERT.as_bytes()).unwrap()],
                        PrivateKeyDer::from_pem_slice(TEST_KEY.as_bytes()).unwrap(),
                    )
                    .unwrap();
                let tls = rustls::ServerConnection::new(std::sync::Arc::new(config)).unwrap();
                let mut stream = rustls::StreamOwned::new(tls, conn);
                let length = big_exchange(&mut stream);
                // The suite the client put first (tls.rs), which the server honours.
                assert_eq!(
                    stream.conn.negotiated_cipher_suite().map(|s| s.suite()),
                    Some(rustls::CipherSuite::TLS13_AES_128_GCM_SHA256)
                );
                length
            });
            let dir = std::env::temp_dir().join(format!("tb-big-{}", std::process::id()));
            let config = Config::default()
                .proxy(ProxySetting::None)
                .retry(RetryPolicy::none());
            let config = if tls {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(dir.join("ca.pem"), TEST_CA).unwrap();
                config.extra_ca_file(dir.join("ca.pem"))
            } else {
                config.allow_http(true)
            };
            let scheme = if tls { "https" } else { "http" };
            let http = Http::new(&format!("{scheme}://127.0.0.1:{port}"), &config).unwrap();
            let long = "l".repeat(12 * 1024);
            let mut req =
                Outgoing::new("test", Method::Post, "x", Auth::None).header("X-Long", &long);
            req.body = vec![b'q'; 300 * 1024];
            req.content_type = Some("application/octet-stream");
            let reply = http.send(&req, &CallLimits::none()).unwrap();
            assert_eq!(reply.status, 200, "{scheme}");
            assert_eq!(reply.body.len(), 300 * 1024, "{scheme}");
            assert!(reply.body.bytes().all(|b| b == b'a'), "{scheme}");
            assert_eq!(server.join().unwrap(), 300 * 1024, "{scheme}");
            if tls {
                std::fs::remove_dir_all(&dir).unwrap();
            }
        }
    }

    #[test]
    fn zero_dns_ttl_keeps_no_answer() {
        let (port, server) = tiny_server(2);
        let config = Config::default()
            .allow_http(true)
            .proxy(ProxySetting::None)
            .dns_cache_ttl(Duration::ZERO);
        let http = Http::new(&format!("http://localhost:{port}"), &config).unwrap();
        let req = get("x");
        for _ in 0..2 {
            assert_eq!(http.send(&req, &CallLimits::none()).unwrap().body, "ok");
        }
        assert_eq!(http.agent.get(std::process::id()).1.len(), 0);
        server.join().unwrap();
    }
}
