//! Tests of the test server itself (tests/common/server.rs), with a raw std
//! `TcpStream` as the client so every byte on the wire is checked.

#[path = "common/server.rs"]
#[allow(dead_code)]
mod server;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use server::{Reply, Seen, Server};

/// A raw HTTP/1.1 client on one connection.
struct Client {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

impl Client {
    fn connect(server: &Server) -> Client {
        let addr = server.url().trim_start_matches("http://").to_owned();
        let w = TcpStream::connect(addr).unwrap();
        w.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        w.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        let r = BufReader::new(w.try_clone().unwrap());
        Client { w, r }
    }

    fn send(&mut self, raw: &[u8]) {
        self.w.write_all(raw).unwrap();
    }

    fn read_timeout(&self, t: Duration) {
        self.w.set_read_timeout(Some(t)).unwrap();
    }

    /// Status and headers; `UnexpectedEof` when the server closed first.
    fn head(&mut self) -> io::Result<(u16, Vec<(String, String)>)> {
        let mut line = String::new();
        if self.r.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let status = line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if self.r.read_line(&mut line)? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let line = line.trim_end_matches("\r\n");
            if line.is_empty() {
                return Ok((status, headers));
            }
            let (k, v) = line.split_once(':').expect("header line");
            headers.push((k.to_owned(), v.trim().to_owned()));
        }
    }

    fn body(&mut self, headers: &[(String, String)]) -> io::Result<Vec<u8>> {
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
        };
        let mut body = Vec::new();
        if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            for _ in 0..1000 {
                let mut size = String::new();
                self.r.read_line(&mut size)?;
                let size = usize::from_str_radix(size.trim(), 16).expect("chunk size");
                if size == 0 {
                    let mut end = String::new();
                    self.r.read_line(&mut end)?;
                    assert_eq!(end, "\r\n", "no trailers expected");
                    return Ok(body);
                }
                let mut chunk = vec![0; size + 2];
                self.r.read_exact(&mut chunk)?;
                assert!(chunk.ends_with(b"\r\n"));
                body.extend_from_slice(&chunk[..size]);
            }
            panic!("too many chunks");
        } else if let Some(len) = get("content-length") {
            body.resize(len.parse().unwrap(), 0);
            self.r.read_exact(&mut body)?;
        }
        Ok(body)
    }

    fn response(&mut self) -> io::Result<Response> {
        let (status, headers) = self.head()?;
        let body = self.body(&headers)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// What is left until the server closes (EOF or reset); a timeout fails.
    fn until_closed(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        match self.r.read_to_end(&mut rest) {
            Ok(_) => rest,
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => rest,
            Err(e) => panic!("the connection was not closed: {e}"),
        }
    }
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").into_bytes()
}

#[test]
fn two_requests_share_one_connection() {
    let server = Server::start(|s: &Seen| Reply::text(200, &format!("you asked {}", s.path)));
    let mut c = Client::connect(&server);
    c.send(&get("/one"));
    let a = c.response().unwrap();
    c.send(&get("/two"));
    let b = c.response().unwrap();

    assert_eq!((a.status, a.text()), (200, "you asked /one"));
    assert_eq!((b.status, b.text()), (200, "you asked /two"));
    assert_eq!(a.header("content-length"), Some("14"));
    assert!(a
        .header("date")
        .is_some_and(|d| d.ends_with(" GMT") && d.len() == 29));
    assert_eq!(a.header("connection"), None, "keep-alive is the default");
    assert_eq!(server.connections(), 1);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].connection, seen[1].connection), (1, 1));
    assert_eq!(
        (seen[0].path.as_str(), seen[1].path.as_str()),
        ("/one", "/two")
    );
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = Server::start(|s: &Seen| Reply::text(200, &s.path));
    let mut c = Client::connect(&server);
    let mut both = get("/a");
    both.extend(get("/b"));
    c.send(&both);
    assert_eq!(c.response().unwrap().text(), "/a");
    assert_eq!(c.response().unwrap().text(), "/b");
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_real_client_reuses_its_connection() {
    let server = Server::start(|s: &Seen| Reply::text(200, &s.method));
    let agent = ureq::Agent::new_with_defaults();
    for _ in 0..3 {
        let mut r = agent.get(server.url() + "/x").call().unwrap();
        assert_eq!(r.body_mut().read_to_string().unwrap(), "GET");
        let mut r = agent.post(server.url() + "/y").send("payload").unwrap();
        assert_eq!(r.body_mut().read_to_string().unwrap(), "POST");
    }
    assert_eq!(server.seen().len(), 6);
    assert_eq!(server.seen()[5].body_text(), "payload");
    assert_eq!(server.connections(), 1);
}

#[test]
fn query_and_headers_are_recorded() {
    let server = Server::start(|_: &Seen| Reply::text(200, "ok"));
    let mut c = Client::connect(&server);
    c.send(
        b"GET /api/items?name=a%20b&plus=x+y&empty=&flag&utf=%C3%A9&odd=100%&%3D=%26 HTTP/1.1\r\n\
          Host: test\r\nX-Custom-Thing:   padded value \r\nAccept: */*\r\nX-Twice: 1\r\nx-twice: 2\r\n\r\n",
    );
    assert_eq!(c.response().unwrap().status, 200);
    let s = &server.seen()[0];
    assert_eq!(s.method, "GET");
    assert_eq!(s.path, "/api/items");
    let pairs: Vec<(&str, &str)> = s
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("name", "a b"),
            ("plus", "x y"),
            ("empty", ""),
            ("flag", ""),
            ("utf", "é"),
            ("odd", "100%"),
            ("=", "&")
        ]
    );
    let names: Vec<&str> = s.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        ["host", "x-custom-thing", "accept", "x-twice", "x-twice"]
    );
    assert_eq!(s.header("X-CUSTOM-THING"), Some("padded value"));
    assert_eq!(s.header("x-twice"), Some("1"));
    assert_eq!(s.header("missing"), None);
    assert!(s.body.is_empty());
}

#[test]
fn bodies_by_chunks_and_by_length_and_their_decoders() {
    let server =
        Server::start(|s: &Seen| Reply::json(201, serde_json::json!({ "got": s.body_text() })));
    let mut c = Client::connect(&server);
    c.send(
        b"POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
          5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n",
    );
    let r = c.response().unwrap();
    assert_eq!(r.status, 201);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
        serde_json::json!({ "got": "hello, world" })
    );

    let form = "a=1&b=x+y%26z&c=%C3%A9";
    c.send(
        format!(
            "POST /f HTTP/1.1\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        )
        .as_bytes(),
    );
    assert_eq!(c.response().unwrap().status, 201);
    let json = r#"{"k":[1,2]}"#;
    c.send(
        format!(
            "PUT /j HTTP/1.1\r\nContent-Length: {}\r\n\r\n{json}",
            json.len()
        )
        .as_bytes(),
    );
    assert_eq!(c.response().unwrap().status, 201);

    let seen = server.seen();
    assert_eq!(seen[0].body, b"hello, world");
    let form = seen[1].form();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(form, [("a", "1"), ("b", "x y&z"), ("c", "é")]);
    assert_eq!(seen[2].json(), serde_json::json!({ "k": [1, 2] }));
    assert_eq!(server.connections(), 1);
}

#[test]
fn expect_100_continue_is_answered() {
    let server = Server::start(|s: &Seen| Reply::text(200, s.body_text()));
    let mut c = Client::connect(&server);
    c.send(b"POST /e HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    let (status, headers) = c.head().unwrap();
    assert_eq!((status, headers.len()), (100, 0));
    c.send(b"data");
    let r = c.response().unwrap();
    assert_eq!((r.status, r.text()), (200, "data"));
}

#[test]
fn head_gets_the_head_only() {
    let server = Server::start(|_: &Seen| Reply::text(200, "hello"));
    let mut c = Client::connect(&server);
    c.send(b"HEAD / HTTP/1.1\r\n\r\n");
    let (status, headers) = c.head().unwrap();
    assert_eq!(status, 200);
    assert!(headers.contains(&("Content-Length".into(), "5".into())));
    // No body bytes followed: the next answer starts right after the head.
    c.send(&get("/"));
    assert_eq!(c.response().unwrap().text(), "hello");
}

#[test]
fn status_204_has_no_length_and_keeps_alive() {
    let server = Server::start(|_: &Seen| Reply::text(204, ""));
    let mut c = Client::connect(&server);
    c.send(&get("/"));
    let r = c.response().unwrap();
    assert_eq!(r.status, 204);
    assert_eq!(r.header("content-length"), None);
    c.send(&get("/"));
    assert_eq!(c.response().unwrap().status, 204);
    assert_eq!(server.connections(), 1);
}

#[test]
fn chunked_reply_then_keep_alive() {
    let server = Server::start(|_: &Seen| Reply::Chunked {
        status: 200,
        headers: vec![("X-Kind".into(), "chunks".into())],
        body: b"abcdefghij".to_vec(),
    });
    let mut c = Client::connect(&server);
    for _ in 0..2 {
        c.send(&get("/"));
        let r = c.response().unwrap();
        assert_eq!(r.header("transfer-encoding"), Some("chunked"));
        assert_eq!(r.header("content-length"), None);
        assert_eq!(r.header("x-kind"), Some("chunks"));
        assert_eq!(r.text(), "abcdefghij");
    }
    assert_eq!(server.connections(), 1);
}

#[test]
fn with_header_adds_and_connection_close_closes() {
    let server = Server::start(|s: &Seen| {
        let r =
            Reply::After(Duration::ZERO, Box::new(Reply::text(200, "x"))).with_header("X-Ab", "1");
        if s.path == "/last" {
            r.with_header("Connection", "close")
        } else {
            r
        }
    });
    let mut c = Client::connect(&server);
    c.send(&get("/"));
    assert_eq!(c.response().unwrap().header("x-ab"), Some("1"));
    c.send(&get("/last"));
    let r = c.response().unwrap();
    assert_eq!(r.header("connection"), Some("close"));
    assert!(c.until_closed().is_empty());
}

#[test]
fn a_request_asking_to_close_is_answered_then_closed() {
    let server = Server::start(|_: &Seen| Reply::text(200, "bye"));
    let mut c = Client::connect(&server);
    c.send(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    let r = c.response().unwrap();
    assert_eq!((r.text(), r.header("connection")), ("bye", Some("close")));
    assert!(c.until_closed().is_empty());
}

#[test]
fn reset_resets_and_the_request_is_recorded() {
    let server = Server::start(|_: &Seen| Reply::Reset);
    let mut c = Client::connect(&server);
    c.send(b"POST /r HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi");
    let err = c.response().err().expect("no answer");
    assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
    assert_eq!(server.seen()[0].body, b"hi");
}

#[test]
fn close_closes_without_an_answer() {
    let server = Server::start(|_: &Seen| Reply::Close);
    let mut c = Client::connect(&server);
    c.send(&get("/c"));
    let err = c.response().err().expect("no answer");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{err}");
    assert_eq!(server.seen()[0].path, "/c");
}

#[test]
fn silent_answers_nothing_until_the_server_stops() {
    let server = Server::start(|_: &Seen| Reply::Silent);
    let mut c = Client::connect(&server);
    c.send(&get("/s"));
    c.read_timeout(Duration::from_millis(300));
    let err = c.response().err().expect("no answer");
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    let t = Instant::now();
    drop(server);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    c.read_timeout(Duration::from_secs(2));
    assert!(c.until_closed().is_empty());
}

#[test]
fn trickle_sends_the_head_then_a_byte_per_interval() {
    let server = Server::start(|_: &Seen| Reply::Trickle {
        status: 200,
        body: b"abcd".to_vec(),
        every: Duration::from_millis(100),
    });
    let mut c = Client::connect(&server);
    let t = Instant::now();
    c.send(&get("/t"));
    let (status, headers) = c.head().unwrap();
    let head_came = Instant::now();
    assert_eq!(status, 200);
    assert!(headers.contains(&("Content-Length".into(), "4".into())));
    let mut first = [0u8; 1];
    c.r.read_exact(&mut first).unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );
    let mut rest = [0u8; 3];
    c.r.read_exact(&mut rest).unwrap();
    // The head came at once, the body over four intervals after it.
    let body_took = head_came.elapsed();
    assert!(body_took >= Duration::from_millis(350), "{body_took:?}");
    assert_eq!((&first, &rest), (b"a", b"bcd"));
    // Still alive afterwards.
    c.send(&get("/t"));
    assert_eq!(c.response().unwrap().text(), "abcd");
    assert_eq!(server.connections(), 1);
}

#[test]
fn after_waits_then_answers() {
    let server = Server::start(|_: &Seen| {
        Reply::After(
            Duration::from_millis(300),
            Box::new(Reply::text(200, "late")),
        )
    });
    let mut c = Client::connect(&server);
    let t = Instant::now();
    c.send(&get("/"));
    let r = c.response().unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(r.text(), "late");
}

#[test]
fn after_ends_early_when_the_server_stops() {
    let server =
        Server::start(|_: &Seen| Reply::After(Duration::from_secs(30), Box::new(Reply::Close)));
    let mut c = Client::connect(&server);
    c.send(&get("/"));
    assert!(server.wait_for(1, Duration::from_secs(2)));
    let t = Instant::now();
    drop(server);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert!(c.until_closed().is_empty());
}

#[test]
fn drop_stops_everything_within_one_second() {
    let server = Server::start(|s: &Seen| match s.path.as_str() {
        "/silent" => Reply::Silent,
        "/trickle" => Reply::Trickle {
            status: 200,
            body: vec![b'x'; 100],
            every: Duration::from_secs(1),
        },
        "/after" => Reply::After(Duration::from_secs(60), Box::new(Reply::text(200, "no"))),
        _ => Reply::text(200, "ok"),
    });
    let mut idle = Client::connect(&server);
    idle.send(&get("/ok"));
    assert_eq!(idle.response().unwrap().text(), "ok");
    let mut clients = vec![idle];
    for path in ["/silent", "/trickle", "/after"] {
        let mut c = Client::connect(&server);
        c.send(&get(path));
        clients.push(c);
    }
    let mut half = Client::connect(&server);
    half.send(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    clients.push(half);
    clients.push(Client::connect(&server)); // sends nothing at all
    assert!(server.wait_for(4, Duration::from_secs(2)));
    let t = Instant::now();
    drop(server);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    for c in &mut clients {
        c.read_timeout(Duration::from_secs(1));
        c.until_closed();
    }
}

#[test]
fn a_panicking_handler_gets_a_500_and_the_connection_lives_on() {
    let server = Server::start(|s: &Seen| {
        if s.path == "/p" {
            panic!("boom at {}", s.path);
        }
        Reply::text(200, "fine")
    });
    let mut c = Client::connect(&server);
    c.send(&get("/p"));
    let r = c.response().unwrap();
    assert_eq!(r.status, 500);
    assert!(r.text().contains("boom at /p"), "{}", r.text());
    c.send(&get("/q"));
    assert_eq!(c.response().unwrap().text(), "fine");
    assert_eq!(server.connections(), 1);
}

#[test]
fn an_oversized_head_gets_431() {
    let server = Server::start(|_: &Seen| Reply::text(200, "ok"));
    let mut c = Client::connect(&server);
    let mut req = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    req.extend(vec![b'a'; 70_000]);
    req.extend(b"\r\n\r\n");
    c.send(&req);
    let r = c.response().unwrap();
    assert_eq!((r.status, r.header("connection")), (431, Some("close")));
    c.until_closed();
    assert!(server.seen().is_empty());
}

#[test]
fn a_malformed_request_gets_400() {
    let server = Server::start(|_: &Seen| Reply::text(200, "ok"));
    let mut c = Client::connect(&server);
    c.send(b"NONSENSE\r\n\r\n");
    assert_eq!(c.response().unwrap().status, 400);
    c.until_closed();
}

#[test]
fn an_idle_connection_is_closed_after_five_seconds() {
    let server = Server::start(|_: &Seen| Reply::text(200, "ok"));
    let mut c = Client::connect(&server);
    c.send(&get("/"));
    let t = Instant::now();
    c.response().unwrap();
    c.read_timeout(Duration::from_secs(8));
    assert!(c.until_closed().is_empty());
    let idle = t.elapsed();
    assert!(
        idle >= Duration::from_millis(4900) && idle < Duration::from_secs(7),
        "{idle:?}"
    );
}

#[test]
fn at_most_64_connections_at_once() {
    let server = Server::start(|_: &Seen| Reply::text(200, "ok"));
    let mut clients: Vec<Client> = (0..64)
        .map(|_| {
            let mut c = Client::connect(&server);
            c.send(&get("/"));
            assert_eq!(c.response().unwrap().status, 200);
            c
        })
        .collect();
    let mut extra = Client::connect(&server);
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.connections() < 65 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(server.connections(), 65);
    extra.read_timeout(Duration::from_secs(1));
    assert!(extra.until_closed().is_empty());

    // Once a connection ends, a new one is served again.
    drop(clients.pop());
    let deadline = Instant::now() + Duration::from_secs(3);
    let served = loop {
        let mut c = Client::connect(&server);
        c.send(&get("/again"));
        if c.response().is_ok_and(|r| r.status == 200) {
            break true;
        }
        if Instant::now() >= deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(served);
}

#[test]
fn wait_for_waits_and_times_out() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let server = Server::start(move |_: &Seen| {
        counted.fetch_add(1, Ordering::SeqCst);
        Reply::text(200, "ok")
    });
    let url = server.url();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        let agent = ureq::Agent::new_with_defaults();
        agent.get(url + "/w").call().unwrap();
    });
    assert!(server.wait_for(1, Duration::from_secs(3)));
    let t = Instant::now();
    assert!(!server.wait_for(2, Duration::from_millis(150)));
    assert!(t.elapsed() >= Duration::from_millis(150));
    sender.join().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
