//! A programmable HTTP/1.1 server for the tests that keeps connections alive like a
//! real one, so that the client's connection pool is exercised (a server closing
//! every connection would hide its bugs).
//!
//! - listens on `127.0.0.1:0` only; one thread per connection, at most
//!   [`MAX_CONNECTIONS`] at once (further connections are closed at once);
//! - keep-alive: an answer carries `Connection: close` only when the request asked
//!   for it (or was HTTP/1.0 without `keep-alive`); an idle connection is closed
//!   after [`IDLE_TIMEOUT`], as real servers do;
//! - request bodies by `Content-Length` or chunked; heads up to [`MAX_HEAD`] bytes
//!   (431 beyond), bodies up to [`MAX_BODY`] (413 beyond); `Expect: 100-continue` is
//!   answered; HEAD gets the head only; answers carry `Date` and `Content-Length`
//!   (or are chunked);
//! - every request is recorded *before* the handler runs, so a test sees requests
//!   it answered with [`Reply::Reset`] too; a panicking handler gets a 500 whose
//!   body is the panic message;
//! - dropping the [`Server`] stops it: waits end early, every thread is joined.
//!
//! Only std (plus `socket2` for SO_LINGER 0 and `serde_json` for JSON helpers).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Connections served at once; further ones are closed without a word.
pub const MAX_CONNECTIONS: usize = 64;
/// A connection that sends nothing for this long is closed (also mid-request).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// Request line plus headers (and chunked trailers); beyond: 431.
pub const MAX_HEAD: usize = 64 * 1024;
/// Request body; beyond: 413.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
/// Requests on one connection; after that it is closed.
const MAX_REQUESTS_PER_CONNECTION: usize = 10_000;
/// [`Reply::Silent`] gives up (closes, still without answering) after this long.
const SILENT_LIMIT: Duration = Duration::from_secs(60);
/// A write that makes no progress for this long ends the connection.
const WRITE_STALL_LIMIT: Duration = Duration::from_secs(10);
/// How long a closing connection drains what the client still sends.
const LINGER: Duration = Duration::from_secs(1);
/// Socket read/write timeout: how often blocked I/O looks at the stop flag.
const POLL: Duration = Duration::from_millis(20);
/// Pause of the accept loop when no connection is waiting.
const ACCEPT_POLL: Duration = Duration::from_millis(5);

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Seen {
    /// Which TCP connection it came on (1, 2, ... in accept order), to check reuse.
    pub connection: u64,
    pub method: String,
    /// The request target without its query (not decoded).
    pub path: String,
    /// The query's pairs, percent-decoded (`+` as a space), in order.
    pub query: Vec<(String, String)>,
    /// Names lower-cased, values trimmed, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Seen {
    /// The first header of this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text; panics (showing it) when it is not UTF-8.
    pub fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not UTF-8 ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as `application/x-www-form-urlencoded` pairs, decoded, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        decode_pairs(self.body_text())
    }

    /// The body as JSON; panics (showing the body) when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// What the handler answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// An answer with `Content-Length`.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// An answer with `Transfer-Encoding: chunked`, the body in a few chunks.
    Chunked {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Waits, then answers; when the server stops first, the connection is closed
    /// without an answer.
    After(Duration, Box<Reply>),
    /// The head (with `Content-Length`) at once, then one body byte after each `every`.
    Trickle {
        status: u16,
        body: Vec<u8>,
        every: Duration,
    },
    /// Resets the connection (SO_LINGER 0, so an RST) without answering.
    Reset,
    /// Closes the connection (FIN) without answering.
    Close,
    /// Never answers: holds the connection until the server stops (at most 60 s).
    Silent,
}

impl Reply {
    /// `status` with this JSON body and `Content-Type: application/json`.
    pub fn json(status: u16, v: serde_json::Value) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: v.to_string().into_bytes(),
        }
    }

    /// `status` with this text body and `Content-Type: text/plain; charset=utf-8`.
    pub fn text(status: u16, body: &str) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// Adds a header to an `Answer` or `Chunked` (also inside `After`). A given
    /// `Content-Length`, `Transfer-Encoding` or `Date` replaces the automatic one;
    /// `Connection: close` closes the connection after the answer. Panics on the
    /// replies that carry no headers.
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Answer {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Answer {
                    status,
                    headers,
                    body,
                }
            }
            Reply::Chunked {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Chunked {
                    status,
                    headers,
                    body,
                }
            }
            Reply::After(wait, inner) => {
                Reply::After(wait, Box::new(inner.with_header(name, value)))
            }
            other => panic!("Reply::with_header({name:?}): {other:?} carries no headers"),
        }
    }
}

type Handler = dyn Fn(&Seen) -> Reply + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    seen: Mutex<Vec<Seen>>,
    seen_changed: Condvar,
    connections: AtomicU64,
    stopped: AtomicBool,
    stop_lock: Mutex<()>,
    stop_changed: Condvar,
}

impl Shared {
    fn stopping(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn stop(&self) {
        let _guard = lock(&self.stop_lock);
        self.stopped.store(true, Ordering::SeqCst);
        self.stop_changed.notify_all();
    }

    /// Sleeps `wait`, or less when the server stops; true when the whole time passed.
    fn pause(&self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        let mut guard = lock(&self.stop_lock);
        loop {
            if self.stopping() {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            guard = self
                .stop_changed
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The server; stops, and joins its threads, when dropped.
pub struct Server {
    shared: Arc<Shared>,
    addr: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on `127.0.0.1:0` and answers every request with `handler`.
    pub fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("test server: bind");
        listener
            .set_nonblocking(true)
            .expect("test server: non-blocking listener");
        let addr = listener.local_addr().expect("test server: local address");
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            seen: Mutex::new(Vec::new()),
            seen_changed: Condvar::new(),
            connections: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            stop_lock: Mutex::new(()),
            stop_changed: Condvar::new(),
        });
        let for_acceptor = shared.clone();
        let acceptor = thread::Builder::new()
            .name(format!("test-server-{}", addr.port()))
            .spawn(move || accept_loop(listener, &for_acceptor))
            .expect("test server: spawn the accept thread");
        Server {
            shared,
            addr,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.shared.seen).clone()
    }

    /// TCP connections accepted so far (including any closed for being over the limit).
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until `n` requests were seen; false when `within` passed first.
    pub fn wait_for(&self, n: usize, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut seen = lock(&self.shared.seen);
        loop {
            if seen.len() >= n {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            seen = self
                .shared
                .seen_changed
                .wait_timeout(seen, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop();
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Accepts until the server stops, then joins the connection threads.
fn accept_loop(listener: TcpListener, shared: &Arc<Shared>) {
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    while !shared.stopping() {
        match listener.accept() {
            Ok((stream, _)) => {
                let id = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
                let (done, live): (Vec<_>, Vec<_>) =
                    workers.into_iter().partition(|w| w.is_finished());
                for w in done {
                    let _ = w.join();
                }
                workers = live;
                if workers.len() >= MAX_CONNECTIONS {
                    drop(stream); // over the limit: closed at once
                    continue;
                }
                let for_worker = shared.clone();
                if let Ok(w) = thread::Builder::new()
                    .name(format!("test-server-conn-{id}"))
                    .spawn(move || serve(stream, id, &for_worker))
                {
                    workers.push(w);
                }
            }
            Err(_) => {
                // WouldBlock (nothing waiting) or a transient accept error.
                shared.pause(ACCEPT_POLL);
            }
        }
    }
    drop(listener);
    for w in workers {
        let _ = w.join();
    }
}

/// What to do with the connection after an exchange.
enum Next {
    KeepAlive,
    /// Close politely: FIN, then drain what the client still sends.
    Close,
    /// Just drop the socket (already closed, reset or dead).
    Drop,
}

/// Why reading a request stopped.
enum Stop {
    /// EOF, idle timeout, I/O error or the server stopping: close without a word.
    Quiet,
    /// A bad request: answer this status, then close.
    Bad(u16, &'static str),
}

struct Request {
    method: String,
    target: String,
    http10: bool,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn serve(stream: TcpStream, id: u64, shared: &Shared) {
    let setup = stream
        .set_nonblocking(false)
        .and_then(|_| stream.set_nodelay(true))
        .and_then(|_| stream.set_read_timeout(Some(POLL)))
        .and_then(|_| stream.set_write_timeout(Some(POLL)));
    if setup.is_err() {
        return;
    }
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
        start: 0,
        shared,
    };
    for _ in 0..MAX_REQUESTS_PER_CONNECTION {
        match conn.exchange(id) {
            Next::KeepAlive => {}
            Next::Close => return conn.close_gracefully(),
            Next::Drop => return,
        }
    }
    conn.close_gracefully();
}

struct Conn<'a> {
    stream: TcpStream,
    /// Bytes read; `buf[start..]` not yet consumed.
    buf: Vec<u8>,
    start: usize,
    shared: &'a Shared,
}

impl Conn<'_> {
    /// Reads one request, records it, runs the handler and answers.
    fn exchange(&mut self, id: u64) -> Next {
        let request = match self.read_request() {
            Ok(r) => r,
            Err(Stop::Quiet) => return Next::Drop,
            Err(Stop::Bad(status, why)) => {
                let reply = Reply::text(status, why);
                self.respond(reply, false, false, false);
                return Next::Close;
            }
        };
        let (path, query) = match request.target.split_once('?') {
            Some((p, q)) => (p.to_owned(), decode_pairs(q)),
            None => (request.target.clone(), Vec::new()),
        };
        let tokens = |name: &str| -> Vec<String> {
            request
                .headers
                .iter()
                .filter(|(k, _)| k == name)
                .flat_map(|(_, v)| v.split(','))
                .map(|t| t.trim().to_ascii_lowercase())
                .collect()
        };
        let connection = tokens("connection");
        let keep = if request.http10 {
            connection.iter().any(|t| t == "keep-alive")
        } else {
            !connection.iter().any(|t| t == "close")
        };
        let seen = Seen {
            connection: id,
            method: request.method,
            path,
            query,
            headers: request.headers,
            body: request.body,
        };
        {
            let mut all = lock(&self.shared.seen);
            all.push(seen.clone());
            self.shared.seen_changed.notify_all();
        }
        let handler = &self.shared.handler;
        let reply = match panic::catch_unwind(AssertUnwindSafe(|| handler(&seen))) {
            Ok(reply) => reply,
            Err(payload) => {
                let text = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(not a string)".into());
                Reply::text(500, &format!("handler panicked: {text}"))
            }
        };
        let head_only = seen.method.eq_ignore_ascii_case("HEAD");
        self.respond(reply, head_only, keep, request.http10)
    }

    fn respond(&mut self, reply: Reply, head_only: bool, keep: bool, http10: bool) -> Next {
        match reply {
            Reply::Answer {
                status,
                headers,
                body,
            } => self.answer(status, &headers, &body, false, head_only, keep, http10),
            Reply::Chunked {
                status,
                headers,
                body,
            } => self.answer(status, &headers, &body, true, head_only, keep, http10),
            Reply::After(wait, inner) => {
                if self.shared.pause(wait) {
                    self.respond(*inner, head_only, keep, http10)
                } else {
                    Next::Drop
                }
            }
            Reply::Trickle {
                status,
                body,
                every,
            } => {
                let length = [("Content-Length".to_owned(), body.len().to_string())];
                let head = head(status, &length, keep, http10);
                if !self.send(head.as_bytes()) {
                    return Next::Drop;
                }
                if !head_only {
                    for byte in &body {
                        if !self.shared.pause(every) || !self.send(std::slice::from_ref(byte)) {
                            return Next::Drop;
                        }
                    }
                }
                if keep {
                    Next::KeepAlive
                } else {
                    Next::Close
                }
            }
            Reply::Reset => {
                let _ = socket2::SockRef::from(&self.stream).set_linger(Some(Duration::ZERO));
                Next::Drop // dropping the socket now sends the RST
            }
            Reply::Close => Next::Close,
            Reply::Silent => {
                self.shared.pause(SILENT_LIMIT);
                Next::Drop
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn answer(
        &mut self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
        chunked: bool,
        head_only: bool,
        keep: bool,
        http10: bool,
    ) -> Next {
        let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        let bodyless = status < 200 || status == 204 || status == 304;
        let mut all = Vec::new();
        if !bodyless && !has("content-length") && !has("transfer-encoding") {
            all.push(if chunked {
                ("Transfer-Encoding".to_owned(), "chunked".to_owned())
            } else {
                ("Content-Length".to_owned(), body.len().to_string())
            });
        }
        all.extend(headers.iter().cloned());
        let keep = keep
            && !headers.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("connection")
                    && v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close"))
            });
        let mut out = head(status, &all, keep, http10).into_bytes();
        if head_only || bodyless {
            if !self.send(&out) {
                return Next::Drop;
            }
        } else if !chunked {
            out.extend_from_slice(body);
            if !self.send(&out) {
                return Next::Drop;
            }
        } else {
            if !self.send(&out) {
                return Next::Drop;
            }
            // A few chunks, each its own write, then the last chunk.
            let size = body.len().div_ceil(3).max(1);
            for piece in body.chunks(size) {
                let mut chunk = format!("{:x}\r\n", piece.len()).into_bytes();
                chunk.extend_from_slice(piece);
                chunk.extend_from_slice(b"\r\n");
                if !self.send(&chunk) {
                    return Next::Drop;
                }
            }
            if !self.send(b"0\r\n\r\n") {
                return Next::Drop;
            }
        }
        if keep {
            Next::KeepAlive
        } else {
            Next::Close
        }
    }

    fn read_request(&mut self) -> Result<Request, Stop> {
        let mut head_left = MAX_HEAD;
        // Request line, after at most a few stray empty lines.
        let mut line = Vec::new();
        for _ in 0..8 {
            line = self.read_line(head_left, 431)?;
            head_left = head_left.saturating_sub(line.len() + 2);
            if !line.is_empty() {
                break;
            }
        }
        let line =
            String::from_utf8(line).map_err(|_| Stop::Bad(400, "request line is not UTF-8"))?;
        let parts: Vec<&str> = line.split(' ').collect();
        let [method, target, version] = parts[..] else {
            return Err(Stop::Bad(400, "malformed request line"));
        };
        if method.is_empty() || target.is_empty() || !version.starts_with("HTTP/1.") {
            return Err(Stop::Bad(400, "malformed request line"));
        }
        let http10 = version == "HTTP/1.0";

        let headers = self.read_fields(&mut head_left)?;
        let header = |name: &'static str| {
            headers
                .iter()
                .filter(move |(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };

        let transfer_encoding = header("transfer-encoding").next_back();
        let lengths: Vec<&str> = header("content-length").collect();
        let chunked = match transfer_encoding {
            None => false,
            Some(_) if !lengths.is_empty() => {
                return Err(Stop::Bad(400, "both Transfer-Encoding and Content-Length"));
            }
            Some(te)
                if te
                    .rsplit(',')
                    .next()
                    .map(str::trim)
                    .is_some_and(|t| t.eq_ignore_ascii_case("chunked")) =>
            {
                true
            }
            Some(_) => return Err(Stop::Bad(400, "unsupported Transfer-Encoding")),
        };
        let length = match lengths.first() {
            None => 0,
            Some(first) => {
                if lengths.iter().any(|l| l != first)
                    || first.is_empty()
                    || first.len() > 18
                    || !first.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(Stop::Bad(400, "bad Content-Length"));
                }
                first
                    .parse::<usize>()
                    .map_err(|_| Stop::Bad(400, "bad Content-Length"))?
            }
        };
        if length > MAX_BODY {
            return Err(Stop::Bad(413, "request body too large"));
        }
        let expects_continue = header("expect").any(|v| v.eq_ignore_ascii_case("100-continue"));
        if expects_continue
            && (chunked || length > 0)
            && !self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        {
            return Err(Stop::Quiet);
        }
        let body = if chunked {
            self.read_chunked(&mut head_left)?
        } else {
            self.take(length)?
        };
        Ok(Request {
            method: method.to_owned(),
            target: target.to_owned(),
            http10,
            headers,
            body,
        })
    }

    /// Header (or trailer) lines up to the empty line.
    fn read_fields(&mut self, head_left: &mut usize) -> Result<Vec<(String, String)>, Stop> {
        let mut fields = Vec::new();
        // Each line takes at least 2 bytes of the head's budget: bounded.
        loop {
            let line = self.read_line(*head_left, 431)?;
            *head_left = head_left.saturating_sub(line.len() + 2);
            if line.is_empty() {
                return Ok(fields);
            }
            if *head_left == 0 {
                return Err(Stop::Bad(431, "request head too large"));
            }
            if line[0] == b' ' || line[0] == b'\t' {
                return Err(Stop::Bad(400, "obsolete header folding"));
            }
            let line = String::from_utf8_lossy(&line);
            let Some((name, value)) = line.split_once(':') else {
                return Err(Stop::Bad(400, "header line without a colon"));
            };
            if name.is_empty() || name.contains(|c: char| c.is_ascii_whitespace()) {
                return Err(Stop::Bad(400, "bad header name"));
            }
            fields.push((
                name.to_ascii_lowercase(),
                value.trim_matches([' ', '\t']).to_owned(),
            ));
        }
    }

    fn read_chunked(&mut self, head_left: &mut usize) -> Result<Vec<u8>, Stop> {
        let mut body = Vec::new();
        // Each chunk adds at least one byte to a body of at most MAX_BODY: bounded.
        loop {
            let line = self.read_line(1024, 400)?;
            let line = String::from_utf8_lossy(&line);
            let size = line.split(';').next().unwrap_or("").trim();
            if size.is_empty() || size.len() > 8 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Stop::Bad(400, "bad chunk size"));
            }
            let size =
                usize::from_str_radix(size, 16).map_err(|_| Stop::Bad(400, "bad chunk size"))?;
            if size == 0 {
                break;
            }
            if body.len() + size > MAX_BODY {
                return Err(Stop::Bad(413, "request body too large"));
            }
            body.extend_from_slice(&self.take(size)?);
            if !self.read_line(2, 400)?.is_empty() {
                return Err(Stop::Bad(400, "chunk data longer than its size"));
            }
        }
        self.read_fields(head_left)?; // trailers, ignored
        Ok(body)
    }

    /// One line without its `\r\n` (or bare `\n`); `too_long` when it is longer than `limit`.
    fn read_line(&mut self, limit: usize, too_long: u16) -> Result<Vec<u8>, Stop> {
        let mut searched = 0;
        loop {
            let pending = &self.buf[self.start..];
            if let Some(i) = pending[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + i;
                if end > limit {
                    return Err(Stop::Bad(too_long, "line too long"));
                }
                let mut line = pending[..end].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.start += end + 1;
                return Ok(line);
            }
            searched = pending.len();
            if searched > limit {
                return Err(Stop::Bad(too_long, "line too long"));
            }
            // Each fill adds at least one byte, and at most `limit` are kept: bounded.
            self.fill()?;
        }
    }

    /// Exactly `n` bytes.
    fn take(&mut self, n: usize) -> Result<Vec<u8>, Stop> {
        while self.buf.len() - self.start < n {
            self.fill()?;
        }
        let out = self.buf[self.start..self.start + n].to_vec();
        self.start += n;
        Ok(out)
    }

    /// Reads more bytes; fails on EOF, error, the server stopping, or [`IDLE_TIMEOUT`]
    /// without a byte.
    fn fill(&mut self) -> Result<(), Stop> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let since = Instant::now();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if self.shared.stopping() {
                return Err(Stop::Quiet);
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(Stop::Quiet),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if is_timeout(&e) => {
                    if since.elapsed() >= IDLE_TIMEOUT {
                        return Err(Stop::Quiet);
                    }
                }
                Err(_) => return Err(Stop::Quiet),
            }
        }
    }

    /// Writes everything; false when the client is gone, the server stops, or no
    /// byte could be written for [`WRITE_STALL_LIMIT`].
    fn send(&mut self, mut data: &[u8]) -> bool {
        let mut progress = Instant::now();
        while !data.is_empty() {
            if self.shared.stopping() {
                return false;
            }
            match self.stream.write(data) {
                Ok(0) => return false,
                Ok(n) => {
                    data = &data[n..];
                    progress = Instant::now();
                }
                Err(e) if is_timeout(&e) => {
                    if progress.elapsed() >= WRITE_STALL_LIMIT {
                        return false;
                    }
                }
                Err(_) => return false,
            }
        }
        true
    }

    /// FIN, then reads (and drops) what the client still sends for a while, so that
    /// unread bytes do not turn the close into a reset before the answer arrives.
    fn close_gracefully(&mut self) {
        let _ = self.stream.flush();
        let _ = self.stream.shutdown(Shutdown::Write);
        let until = Instant::now() + LINGER;
        let mut sink = [0u8; 16 * 1024];
        let mut drained = 0usize;
        while Instant::now() < until && !self.shared.stopping() && drained < MAX_BODY {
            match self.stream.read(&mut sink) {
                Ok(0) => break,
                Ok(n) => drained += n,
                Err(e) if is_timeout(&e) => {}
                Err(_) => break,
            }
        }
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Status line, `Date` (unless given), the headers, `Connection` as needed, empty line.
fn head(status: u16, headers: &[(String, String)], keep: bool, http10: bool) -> String {
    let has = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    if !has("date") {
        out.push_str(&format!("Date: {}\r\n", http_date(SystemTime::now())));
    }
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has("connection") {
        if !keep {
            out.push_str("Connection: close\r\n");
        } else if http10 {
            out.push_str("Connection: keep-alive\r\n");
        }
    }
    out.push_str("\r\n");
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`
fn http_date(t: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3_600,
        rem / 60 % 60,
        rem % 60
    )
}

/// `a=1&b=x+y%21` as decoded pairs; a part without `=` has an empty value.
fn decode_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// `%XX` and `+` (a space) decoded; a stray `%` is kept; invalid UTF-8 replaced.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' if i + 2 < b.len() && hex(b[i + 1]).is_some() && hex(b[i + 2]).is_some() => {
                out.push(hex(b[i + 1]).unwrap() * 16 + hex(b[i + 2]).unwrap());
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
