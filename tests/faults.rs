//! Fault injection: every API against a local server that misbehaves on purpose.
//!
//! mockito cannot reset a connection, stall, or cut a body short, so this file has a
//! small hand-written HTTP/1.1 server of its own ([`FaultServer`]): one thread per
//! connection, a bounded number of connections, `Connection: close` on every answer.
//! It serves correct answers for the three APIs (same prefixes as the sandbox) and,
//! for the first few requests to a chosen path, a scripted fault instead.
//!
//! Each test checks, for the login operation and one protected operation of each API:
//! the error kind, a readable message, no panic, no hang (every call runs under a
//! watchdog), what reached the wire, and that the same client then succeeds.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokenbridge::{
    anna, ucontact, yativo, Config, Error, ErrorKind, ProxySetting, RetryPolicy, TransportKind,
};

// ---------------------------------------------------------------------------------
// The misbehaving server
// ---------------------------------------------------------------------------------

/// Connections one server accepts before it drops every further one unanswered.
const MAX_CONNECTIONS: usize = 64;
/// The largest request head the server reads.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long a connection may stay silent before the server gives up on it.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// What the server does instead of answering correctly.
#[derive(Clone, Debug)]
enum Fault {
    /// Waits this long, then answers correctly (if the client still listens).
    Slow(Duration),
    /// Reads the request, then resets the connection (`SO_LINGER` 0) without a byte.
    Reset,
    /// Announces a 1000-byte body, sends 20 bytes of it, then closes the connection.
    CloseMidBody,
    /// Answers this, with a `Content-Length`.
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Answers this with `Transfer-Encoding: chunked` (no length known up front).
    Chunked { status: u16, body: Vec<u8> },
}

impl Fault {
    fn answer(status: u16, body: impl Into<Vec<u8>>) -> Fault {
        Fault::Answer {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }
}

/// A fault for the first `times` requests whose path is `path`.
struct Scripted {
    path: String,
    fault: Fault,
    times: usize,
}

fn script(path: &str, fault: Fault, times: usize) -> Scripted {
    Scripted {
        path: path.to_owned(),
        fault,
        times,
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
#[allow(dead_code)] // the fields are there to be printed when an assertion fails
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct State {
    stop: AtomicBool,
    connections: AtomicUsize,
    seen: Mutex<Vec<Seen>>,
    script: Mutex<Vec<Scripted>>,
}

struct FaultServer {
    addr: SocketAddr,
    state: Arc<State>,
    acceptor: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// A server that answers every API correctly.
    fn correct() -> FaultServer {
        FaultServer::start(Vec::new())
    }

    fn start(script: Vec<Scripted>) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
            script: Mutex::new(script),
        });
        let st = state.clone();
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let n = st.connections.fetch_add(1, Ordering::SeqCst) + 1;
                let Ok(stream) = stream else { continue };
                if n > MAX_CONNECTIONS {
                    continue; // dropped unanswered: the bound on threads
                }
                let st = st.clone();
                std::thread::spawn(move || serve(stream, &st));
            }
        });
        FaultServer {
            addr,
            state,
            acceptor: Some(acceptor),
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// TCP connections accepted so far.
    fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Requests read so far whose path is `path`.
    fn count(&self, path: &str) -> usize {
        self.seen().iter().filter(|s| s.path == path).count()
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees `stop` and ends.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut stream: TcpStream, state: &State) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let Some(request) = read_request(&stream) else {
        return;
    };
    state.seen.lock().unwrap().push(request.clone());
    let fault = {
        let mut script = state.script.lock().unwrap();
        script
            .iter_mut()
            .find(|s| s.path == request.path && s.times > 0)
            .map(|s| {
                s.times -= 1;
                s.fault.clone()
            })
    };
    let _ = match fault {
        None => write_answer(&mut stream, correct_answer(&request), &[]),
        Some(Fault::Slow(delay)) => {
            // Sleep in small steps so a dropped server frees its threads quickly.
            let until = Instant::now() + delay;
            while Instant::now() < until && !state.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
            write_answer(&mut stream, correct_answer(&request), &[])
        }
        Some(Fault::Reset) => {
            socket2::SockRef::from(&stream)
                .set_linger(Some(Duration::ZERO))
                .expect("SO_LINGER");
            drop(stream); // RST, not FIN
            return;
        }
        Some(Fault::CloseMidBody) => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                        Content-Length: 1000\r\nConnection: close\r\n\r\n";
            stream
                .write_all(head.as_bytes())
                .and_then(|_| stream.write_all(br#"{"status":"success","#))
                .and_then(|_| stream.flush())
                .map(|_| {
                    let _ = stream.shutdown(Shutdown::Write);
                })
        }
        Some(Fault::Answer {
            status,
            headers,
            body,
        }) => write_answer(&mut stream, (status, body), &headers),
        Some(Fault::Chunked { status, body }) => write_chunked(&mut stream, status, &body),
    };
    // Let the client read everything before the socket closes.
    let _ = stream.shutdown(Shutdown::Write);
    let mut sink = [0u8; 512];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = stream.read(&mut sink);
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut head_bytes = reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h).ok()?;
        head_bytes += n;
        if n == 0 || head_bytes > MAX_HEAD_BYTES {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len.min(1 << 20), 0);
        reader.read_exact(&mut body).ok()?;
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        for _ in 0..10_000 {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Some(Seen {
        method,
        path,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        307 => "Temporary Redirect",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Status",
    }
}

fn write_answer(
    stream: &mut TcpStream,
    (status, body): (u16, Vec<u8>),
    headers: &[(&'static str, String)],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        head.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}

fn write_chunked(stream: &mut TcpStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\
         Connection: close\r\n\r\n",
        reason(status)
    );
    stream.write_all(head.as_bytes())?;
    for chunk in body.chunks(512) {
        write!(stream, "{:x}\r\n", chunk.len())?;
        stream.write_all(chunk)?;
        stream.write_all(b"\r\n")?;
    }
    stream.write_all(b"0\r\n\r\n")?;
    stream.flush()
}

// Paths on the server, with the sandbox's prefixes.
const UC_GET_USER_TOKEN: &str = "/ucontact/Integra/resources/auth/getUserToken";
const UC_AGENT_LOGIN: &str = "/ucontact/Integra/resources/auth/AgentLogin";
const UC_END_SESSION: &str = "/ucontact/Integra/resources/auth/EndSession";
const YT_LOGIN: &str = "/yativo/api/v1/auth/login";
const YT_REFRESH: &str = "/yativo/api/v1/auth/refresh-token";
const AN_GET_TOKEN: &str = "/anna/REST/Credentials/GetToken";
const AN_USER_HASH: &str = "/anna/REST/AnnACorporate/User/UserHash";

/// The correct answer to a request, for every operation the tests use.
fn correct_answer(req: &Seen) -> (u16, Vec<u8>) {
    let body = match req.path.as_str() {
        UC_GET_USER_TOKEN => r#""VUMtVE9LRU4tT0s=""#.to_owned(),
        UC_AGENT_LOGIN => r#"{"id": 7, "name": "agent1", "token": "VUMtQUdFTlQtT0s="}"#.to_owned(),
        UC_END_SESSION => "1".to_owned(),
        YT_LOGIN | YT_REFRESH => r#"{"status":"success","status_code":200,"message":"ok",
            "data":{"access_token":"yt-token-ok","token_type":"bearer","expires_in":600}}"#
            .to_owned(),
        AN_GET_TOKEN => {
            r#"{"success":true,"message":"","data":{"Token":"anna-token-ok","ExpiresIn":"3600"}}"#
                .to_owned()
        }
        AN_USER_HASH => r#"{"success":true,"message":"","accessData":{"Hash":"user-hash-ok",
            "ChatURL":"https://chat.example/c","EmbeddedURL":"https://chat.example/e",
            "Expires":"20301231235959"}}"#
            .to_owned(),
        _ => {
            return (
                404,
                br#"{"success":false,"message":"no such path"}"#.to_vec(),
            )
        }
    };
    (200, body.into_bytes())
}

// ---------------------------------------------------------------------------------
// The three APIs, seen alike
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Api {
    UContact,
    Yativo,
    Anna,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    UcGetUserToken,
    UcAgentLogin,
    UcEndSession,
    YtLogin,
    YtRefresh,
    AnGetToken,
    AnUserHash,
}

impl Op {
    fn path(self) -> &'static str {
        match self {
            Op::UcGetUserToken => UC_GET_USER_TOKEN,
            Op::UcAgentLogin => UC_AGENT_LOGIN,
            Op::UcEndSession => UC_END_SESSION,
            Op::YtLogin => YT_LOGIN,
            Op::YtRefresh => YT_REFRESH,
            Op::AnGetToken => AN_GET_TOKEN,
            Op::AnUserHash => AN_USER_HASH,
        }
    }

    /// The operation's name, as error messages start with it.
    fn name(self) -> &'static str {
        match self {
            Op::UcGetUserToken => "uContact getUserToken",
            Op::UcAgentLogin => "uContact AgentLogin",
            Op::UcEndSession => "uContact EndSession",
            Op::YtLogin => "Yativo login",
            Op::YtRefresh => "Yativo refresh-token",
            Op::AnGetToken => "AnnA GetToken",
            Op::AnUserHash => "AnnA UserHash",
        }
    }

    /// Whether the answer must be JSON (uContact's EndSession takes any text).
    fn parses_json(self) -> bool {
        self != Op::UcEndSession
    }
}

/// The login operation and one protected operation of each API (plus uContact's
/// second login, AgentLogin, whose answer is an object).
fn ops(api: Api) -> &'static [Op] {
    match api {
        Api::UContact => &[Op::UcGetUserToken, Op::UcAgentLogin, Op::UcEndSession],
        Api::Yativo => &[Op::YtLogin, Op::YtRefresh],
        Api::Anna => &[Op::AnGetToken, Op::AnUserHash],
    }
}

enum Client {
    UContact(ucontact::Client),
    Yativo(yativo::Client),
    Anna(anna::Client),
}

fn base_url(api: Api, server: &str) -> String {
    match api {
        Api::UContact => format!("{server}/ucontact"),
        Api::Yativo => format!("{server}/yativo/api/v1"),
        Api::Anna => format!("{server}/anna/"),
    }
}

fn new_client(api: Api, server: &str, config: &Config) -> Result<Client, Error> {
    let url = base_url(api, server);
    Ok(match api {
        Api::UContact => Client::UContact(ucontact::Client::new(
            &url,
            ucontact::Credentials::api_user("apiuser", "uc-password"),
            config,
        )?),
        Api::Yativo => Client::Yativo(yativo::Client::new(
            &url,
            yativo::Credentials::new("acct", "yt-app-secret"),
            config,
        )?),
        Api::Anna => Client::Anna(anna::Client::new(
            &url,
            anna::Credentials::new("COMPANYHASH", "annauser", "anna-pass"),
            config,
        )?),
    })
}

/// Runs one operation. Protected operations get their token from the (correct)
/// login first when the client holds none.
fn run(client: &Client, op: Op) -> Result<(), Error> {
    match (client, op) {
        (Client::UContact(c), Op::UcGetUserToken) => c.get_user_token().map(drop),
        (Client::UContact(c), Op::UcAgentLogin) => c.agent_login().map(drop),
        (Client::UContact(c), Op::UcEndSession) => {
            c.token()?;
            c.end_session()
        }
        (Client::Yativo(c), Op::YtLogin) => c.login().map(drop),
        (Client::Yativo(c), Op::YtRefresh) => c.refresh_token().map(drop),
        (Client::Anna(c), Op::AnGetToken) => c.get_token().map(drop),
        (Client::Anna(c), Op::AnUserHash) => c.user_hash("42", None).map(drop),
        _ => unreachable!("{op:?} is not an operation of this client"),
    }
}

/// Settings for these tests: plain http to 127.0.0.1, no proxy, short timeouts,
/// retries with tiny delays (the cap stays above a 1-second `Retry-After`).
fn config() -> Config {
    Config::default()
        .allow_http(true)
        .proxy(ProxySetting::None)
        .timeout_connect(Duration::from_secs(2))
        .timeout_send(Duration::from_secs(2))
        .timeout_receive(Duration::from_secs(3))
        .retry(retries())
        .end_session_on_close(false)
}

const MAX_RETRIES: u32 = 2;

fn retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: MAX_RETRIES,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(3),
    }
}

/// Runs `f` on its own thread and fails the test if it takes longer than `limit`:
/// a hang becomes a failure, not a stuck test run.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the call hung for more than {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the call panicked"),
    }
}

/// Runs `op` under a 10 s watchdog and returns the result with how long it took.
fn timed(client: &Arc<Client>, op: Op) -> (Result<(), Error>, Duration) {
    let client = client.clone();
    within(Duration::from_secs(10), move || {
        let t = Instant::now();
        let r = run(&client, op);
        (r, t.elapsed())
    })
}

/// The error of an operation that must fail.
fn fails(client: &Arc<Client>, op: Op) -> (Error, Duration) {
    match timed(client, op) {
        (Err(e), took) => (e, took),
        (Ok(()), _) => panic!("{op:?} succeeded against a faulty server"),
    }
}

/// The next call on the same client succeeds.
fn still_works(client: &Arc<Client>, op: Op) {
    if let (Err(e), _) = timed(client, op) {
        panic!("{op:?}: the client did not recover after the fault: {e}");
    }
}

/// The message starts with the operation's name, holds each piece, stays on one
/// line and is short enough to read.
fn assert_message(err: &Error, op: Op, pieces: &[&str]) {
    let msg = err.to_string();
    assert!(msg.starts_with(op.name()), "{op:?}: {msg}");
    for p in pieces {
        assert!(msg.contains(p), "{op:?}: expected {p:?} in: {msg}");
    }
    assert!(!msg.contains('\n'), "{op:?}: {msg}");
    assert!(msg.chars().count() < 600, "{op:?}: too long: {msg}");
}

/// One server with `fault` scripted `times` on `op`'s path, one client with `config`.
fn setup(api: Api, op: Op, fault: Fault, times: usize, cfg: Config) -> (FaultServer, Arc<Client>) {
    let server = FaultServer::start(vec![script(op.path(), fault, times)]);
    let client = new_client(api, &server.url(), &cfg).expect("client");
    (server, Arc::new(client))
}

// ---------------------------------------------------------------------------------
// The faults
// ---------------------------------------------------------------------------------

/// An answer slower than the receive timeout: a Timeout error within timeout + 1 s,
/// not retried (the server may have acted on the request). The transport rounds
/// socket timeouts up to a multiple of 100 ms, so 300 ms fires at about 300 ms.
fn slow_answer(api: Api) {
    let timeout = Duration::from_millis(300);
    for &op in ops(api) {
        let cfg = config().timeout_receive(timeout);
        let (server, client) = setup(api, op, Fault::Slow(Duration::from_secs(3)), 1, cfg);
        let (err, took) = fails(&client, op);
        assert_eq!(
            err.kind(),
            ErrorKind::Transport(TransportKind::Timeout),
            "{op:?}: {err:?}"
        );
        assert!(took >= timeout, "{op:?}: gave up early, after {took:?}");
        assert!(
            took < timeout + Duration::from_secs(1),
            "{op:?}: took {took:?}"
        );
        assert_message(&err, op, &["timed out", "127.0.0.1"]);
        assert!(err.is_transient());
        assert_eq!(
            server.count(op.path()),
            1,
            "{op:?}: a timeout is not retried"
        );
        still_works(&client, op);
    }
}

/// The connection is reset (RST) before any answer: retried, then a Reset error.
fn reset_before_answer(api: Api) {
    for &op in ops(api) {
        let tries = 1 + MAX_RETRIES as usize;
        let (server, client) = setup(api, op, Fault::Reset, tries, config());
        let (err, _) = fails(&client, op);
        assert_eq!(
            err.kind(),
            ErrorKind::Transport(TransportKind::Reset),
            "{op:?}: {err:?}"
        );
        assert_message(&err, op, &["connection reset or closed early", "127.0.0.1"]);
        assert_eq!(server.count(op.path()), tries, "{op:?}: retried twice");
        still_works(&client, op);
    }
}

/// A single reset is absorbed by a retry: the caller sees success.
fn reset_once_is_retried(api: Api) {
    for &op in ops(api) {
        let (server, client) = setup(api, op, Fault::Reset, 1, config());
        still_works(&client, op);
        assert_eq!(server.count(op.path()), 2, "{op:?}");
    }
}

/// The body stops before its `Content-Length`: a Reset error, not retried (the answer
/// had started), never a half-read value.
fn closed_mid_body(api: Api) {
    for &op in ops(api) {
        let (server, client) = setup(api, op, Fault::CloseMidBody, 1, config());
        let (err, _) = fails(&client, op);
        assert_eq!(
            err.kind(),
            ErrorKind::Transport(TransportKind::Reset),
            "{op:?}: {err:?}"
        );
        assert_message(&err, op, &["connection reset or closed early"]);
        assert_eq!(server.count(op.path()), 1, "{op:?}: not retried");
        still_works(&client, op);
    }
}

/// A proxy's 502 HTML page: retried, then HttpStatus 502 with a short excerpt.
fn bad_gateway_html(api: Api) {
    let page = format!(
        "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n\
         <center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx/1.25.3</center>\n{}\
         </body>\n</html>\n",
        "<!-- a padding comment to make the page long -->\n".repeat(100)
    );
    for &op in ops(api) {
        let tries = 1 + MAX_RETRIES as usize;
        let fault = Fault::Answer {
            status: 502,
            headers: vec![("Content-Type", "text/html".to_owned())],
            body: page.clone().into_bytes(),
        };
        let (server, client) = setup(api, op, fault, tries, config());
        let (err, _) = fails(&client, op);
        assert_eq!(err.kind(), ErrorKind::HttpStatus, "{op:?}: {err:?}");
        assert_eq!(err.http_status(), Some(502));
        assert_message(&err, op, &["HTTP 502", "502 Bad Gateway", "…"]);
        assert!(
            err.to_string().chars().count() < 400,
            "{op:?}: the excerpt should be short: {err}"
        );
        assert_eq!(server.count(op.path()), tries, "{op:?}: retried twice");
        still_works(&client, op);
    }
}

/// JSON cut short: UnexpectedResponse.
fn truncated_json(api: Api) {
    for &op in ops(api).iter().filter(|op| op.parses_json()) {
        let body: &str = match op {
            Op::UcGetUserToken => r#""VUMtVE9L"#,
            Op::UcAgentLogin => r#"{"id": 7, "name": "agent1", "tok"#,
            Op::YtLogin | Op::YtRefresh => r#"{"status":"success","data":{"access_tok"#,
            Op::AnGetToken => r#"{"success":true,"message":"","data":{"Tok"#,
            Op::AnUserHash => r#"{"success":true,"message":"","accessData":{"Ha"#,
            Op::UcEndSession => unreachable!(),
        };
        let (server, client) = setup(api, op, Fault::answer(200, body), 1, config());
        let (err, _) = fails(&client, op);
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{op:?}: {err:?}");
        assert_eq!(err.http_status(), Some(200));
        assert_message(&err, op, &["unexpected response", "expected"]);
        assert_eq!(server.count(op.path()), 1);
        still_works(&client, op);
    }
}

/// A body that is not UTF-8: UnexpectedResponse naming UTF-8 (never replaced silently).
fn invalid_utf8(api: Api) {
    for &op in ops(api) {
        let prefix = br#"{"success":true,"status":"success","message":""#;
        let mut body = prefix.to_vec();
        body.extend_from_slice(&[0xC3, 0x28, 0xFF, 0xFE]);
        body.extend_from_slice(br#""}"#);
        let (server, client) = setup(api, op, Fault::answer(200, body), 1, config());
        let (err, _) = fails(&client, op);
        assert_eq!(err.kind(), ErrorKind::UnexpectedResponse, "{op:?}: {err:?}");
        assert_message(&err, op, &["UTF-8", &format!("byte {}", prefix.len())]);
        assert_eq!(server.count(op.path()), 1);
        still_works(&client, op);
    }
}

/// A body over `max_response_bytes`, announced (`Content-Length`) or streamed
/// (chunked): UnexpectedResponse naming the limit, the rest left unread.
fn body_over_limit(api: Api) {
    let limit = 1024;
    let big = format!(
        r#"{{"success":true,"status":"success","message":"{}"}}"#,
        "x".repeat(64 * 1024)
    );
    for &op in ops(api) {
        for fault in [
            Fault::answer(200, big.clone()),
            Fault::Chunked {
                status: 200,
                body: big.clone().into_bytes(),
            },
        ] {
            let cfg = config().max_response_bytes(limit);
            let (server, client) = setup(api, op, fault.clone(), 1, cfg);
            let (err, _) = fails(&client, op);
            assert_eq!(
                err.kind(),
                ErrorKind::UnexpectedResponse,
                "{op:?} {fault:?}: {err:?}"
            );
            assert_message(&err, op, &["1024 bytes", "max_response_bytes"]);
            assert_eq!(server.count(op.path()), 1);
            still_works(&client, op);
        }
    }
}

/// 429 with `Retry-After: 1`: the client waits about a second (not its 1 ms backoff),
/// tries again, and succeeds.
fn too_many_requests(api: Api) {
    for &op in ops(api) {
        let fault = Fault::Answer {
            status: 429,
            headers: vec![("Retry-After", "1".to_owned())],
            body: br#"{"status":"error","success":false,"message":"slow down"}"#.to_vec(),
        };
        let (server, client) = setup(api, op, fault, 1, config());
        let (result, took) = timed(&client, op);
        if let Err(e) = result {
            panic!("{op:?}: a 429 with Retry-After should be retried: {e}");
        }
        assert!(
            took >= Duration::from_millis(950),
            "{op:?}: Retry-After ignored, retried after {took:?}"
        );
        assert!(took < Duration::from_secs(3), "{op:?}: took {took:?}");
        assert_eq!(server.count(op.path()), 2, "{op:?}");
        still_works(&client, op);
    }
}

/// A redirect to another server: nothing follows it (no connection at all reaches
/// the other server, so neither credentials nor `Authorization` can), and the error
/// is HttpStatus 3xx naming the redirect.
fn redirect_elsewhere(api: Api) {
    for &op in ops(api) {
        for status in [302, 307] {
            let other = FaultServer::correct();
            let location = format!("{}{}", other.url(), op.path());
            let fault = Fault::Answer {
                status,
                headers: vec![
                    ("Location", location.clone()),
                    ("Content-Type", "text/html".to_owned()),
                ],
                body: b"<html><body>Moved</body></html>".to_vec(),
            };
            let (server, client) = setup(api, op, fault, 1, config());
            let (err, _) = fails(&client, op);
            assert_eq!(err.kind(), ErrorKind::HttpStatus, "{op:?}: {err:?}");
            assert_eq!(err.http_status(), Some(status));
            assert_message(
                &err,
                op,
                &[
                    &format!("HTTP {status}"),
                    "redirect",
                    &location,
                    "does not follow",
                ],
            );
            assert_eq!(server.count(op.path()), 1, "{op:?}: not retried");
            still_works(&client, op);
            // Checked last, after the next call too.
            assert_eq!(
                other.connections(),
                0,
                "{op:?} {status}: the redirect target got a connection: {:?}",
                other.seen()
            );
        }
    }
}

/// `http://` without `Config::allow_http`: refused when the client is built, before
/// any connection; the same URL with the opt-in reaches the server.
fn plain_http_refused(api: Api) {
    let server = FaultServer::correct();
    let cfg = config().allow_http(false);
    let err = match new_client(api, &server.url(), &cfg) {
        Err(e) => e,
        Ok(_) => panic!("{api:?}: an http:// client was built without allow_http"),
    };
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err:?}");
    let msg = err.to_string();
    for p in ["base_url", "http://", "clear text", "allow_http"] {
        assert!(msg.contains(p), "{api:?}: expected {p:?} in: {msg}");
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(server.connections(), 0, "{api:?}: {:?}", server.seen());

    // The server was reachable all along: with the opt-in, the login works.
    let client = Arc::new(new_client(api, &server.url(), &config()).expect("client"));
    still_works(&client, ops(api)[0]);
    assert_eq!(server.count(ops(api)[0].path()), 1);
}

/// What each protected call carried: its token, never a login's secret.
fn protected_calls_carry_the_token(api: Api) {
    let server = FaultServer::correct();
    let client = Arc::new(new_client(api, &server.url(), &config()).expect("client"));
    let op = *ops(api).last().unwrap();
    still_works(&client, op);
    let seen = server.seen();
    let call = seen.iter().find(|s| s.path == op.path()).expect("the call");
    let auth = call
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.as_str());
    let expected = match api {
        Api::UContact => "Basic VUMtVE9LRU4tT0s=",
        Api::Yativo => "Bearer yt-token-ok",
        Api::Anna => "Bearer anna-token-ok",
    };
    assert_eq!(auth, Some(expected), "{call:?}");
    assert!(!String::from_utf8_lossy(&call.body).contains("password"));
    assert_eq!(call.method, if api == Api::Yativo { "GET" } else { "POST" });
}

macro_rules! fault_tests {
    ($($module:ident => $api:expr;)*) => {$(
        mod $module {
            use super::*;
            #[test]
            fn slow_answer_times_out() { slow_answer($api) }
            #[test]
            fn reset_before_the_answer() { reset_before_answer($api) }
            #[test]
            fn one_reset_is_retried() { reset_once_is_retried($api) }
            #[test]
            fn closed_in_the_middle_of_the_body() { closed_mid_body($api) }
            #[test]
            fn bad_gateway_html_page() { bad_gateway_html($api) }
            #[test]
            fn truncated_json_is_unexpected() { truncated_json($api) }
            #[test]
            fn invalid_utf8_is_unexpected() { invalid_utf8($api) }
            #[test]
            fn body_over_the_size_limit() { body_over_limit($api) }
            #[test]
            fn too_many_requests_honours_retry_after() { too_many_requests($api) }
            #[test]
            fn redirect_to_another_host_is_not_followed() { redirect_elsewhere($api) }
            #[test]
            fn plain_http_is_refused_before_connecting() { plain_http_refused($api) }
            #[test]
            fn protected_calls_carry_only_the_token() { protected_calls_carry_the_token($api) }
        }
    )*};
}

fault_tests! {
    ucontact_faults => Api::UContact;
    yativo_faults => Api::Yativo;
    anna_faults => Api::Anna;
}
