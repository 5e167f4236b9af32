//! The sandbox's server: a listener that owns every client connection and relays its
//! bytes to a tiny_http server on loopback, and the worker threads that answer
//! tiny_http's requests. Owning the client sockets lets the sandbox close one on
//! purpose (the `reset` fault), close one that stayed idle too long (as real servers
//! close idle keep-alive connections) and close them all when it stops — tiny_http
//! itself can do none of these (it has no idle timeout and closes a connection only
//! when the client asks).
//!
//! Threads: one accepting, four workers, two relays per open connection (one each
//! way), plus tiny_http's own (one accepting, one per connection). Every loop of ours
//! ends when the sandbox stops: blocking reads wake every [`POLL`] to look.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::api::{Api, Reply};
use super::control::{self, Outcome, Shared};
use super::sync::lock;
use super::wire::Incoming;

/// How often a blocked relay or worker looks whether the sandbox stopped.
const POLL: Duration = Duration::from_millis(100);
/// How many threads answer requests.
const WORKERS: usize = 4;
/// The pause after handing a new connection to tiny_http (see the accept loop).
const ACCEPT_PACE: Duration = Duration::from_millis(5);
/// The largest request body the sandbox reads.
const MAX_BODY: u64 = 4 << 20;

/// Stops a running sandbox from any thread, e.g. from a Ctrl-C handler: closes its
/// listener and every client connection and wakes [`Sandbox::wait`]. Dropping the
/// sandbox then only joins its threads. `Clone + Send + Sync`; stopping twice is
/// harmless.
///
/// [`Sandbox::wait`]: super::Sandbox::wait
#[derive(Clone)]
pub struct Stopper {
    life: Arc<Lifecycle>,
}

impl std::fmt::Debug for Stopper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stopper")
            .field("stopped", &self.is_stopped())
            .finish()
    }
}

impl Stopper {
    /// Stops the sandbox (it answers no more requests).
    pub fn stop(&self) {
        self.life.stop();
    }

    /// Whether it was stopped.
    pub fn is_stopped(&self) -> bool {
        self.life.is_stopped()
    }

    /// Blocks until it is stopped.
    pub(crate) fn wait(&self) {
        let mut stopped = lock(&self.life.stopped);
        while !*stopped {
            stopped = self
                .life
                .changed
                .wait(stopped)
                .unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// Whether the sandbox runs, and its client connections.
struct Lifecycle {
    stopped: Mutex<bool>,
    changed: Condvar,
    flag: AtomicBool,
    /// Where the accept loop can be reached, to wake it when stopping.
    wake: SocketAddr,
    /// How long a connection may carry no byte before it is closed.
    idle: Duration,
    /// The origin of the connections' last-activity stamps.
    epoch: Instant,
    connections: Mutex<Connections>,
}

#[derive(Default)]
struct Connections {
    /// By the local port of the relay's connection to tiny_http (which tiny_http
    /// reports as the request's remote port).
    by_relay_port: HashMap<u16, Connection>,
    next_id: u64,
    relays: Vec<JoinHandle<()>>,
}

struct Connection {
    id: u64,
    client: TcpStream,
    closed: Arc<AtomicBool>,
}

impl Connection {
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let _ = self.client.shutdown(Shutdown::Both);
    }
}

impl Lifecycle {
    fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    fn stop(&self) {
        {
            let mut stopped = lock(&self.stopped);
            if *stopped {
                return;
            }
            *stopped = true;
            self.flag.store(true, Ordering::SeqCst);
        }
        self.changed.notify_all();
        // Wake the accept loop, which then sees the flag.
        let _ = TcpStream::connect_timeout(&self.wake, Duration::from_secs(1));
        for c in lock(&self.connections).by_relay_port.values() {
            c.close();
        }
    }

    /// Waits `d`, or less if the sandbox stops meanwhile.
    fn pause(&self, d: Duration) {
        let deadline = Instant::now() + d;
        let mut stopped = lock(&self.stopped);
        while !*stopped {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            stopped = self
                .changed
                .wait_timeout(stopped, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Relays a new client connection to tiny_http.
    fn adopt(self: &Arc<Self>, client: TcpStream, backend: SocketAddr) -> std::io::Result<()> {
        client.set_nonblocking(false)?;
        let relay = TcpStream::connect(backend)?;
        let port = relay.local_addr()?.port();
        for s in [&client, &relay] {
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(POLL))?;
            s.set_write_timeout(Some(Duration::from_secs(5)))?;
        }
        let closed = Arc::new(AtomicBool::new(false));
        let active = Arc::new(AtomicU64::new(self.now_ms()));
        let mut conns = lock(&self.connections);
        if self.is_stopped() {
            return Ok(()); // dropping the sockets closes them
        }
        conns.relays.retain(|h| !h.is_finished());
        conns.next_id += 1;
        let id = conns.next_id;
        let up = {
            let (from, to) = (client.try_clone()?, relay.try_clone()?);
            let (life, closed, active) = (self.clone(), closed.clone(), active.clone());
            spawn("tokenbridge-sandbox-relay", move || {
                pump(from, to, &life, &closed, &active);
            })?
        };
        let down = {
            let (from, to) = (relay, client.try_clone()?);
            let (life, closed) = (self.clone(), closed.clone());
            spawn("tokenbridge-sandbox-relay", move || {
                pump(from, to, &life, &closed, &active);
                lock(&life.connections).by_relay_port.remove(&port);
            })?
        };
        conns.relays.extend([up, down]);
        conns
            .by_relay_port
            .insert(port, Connection { id, client, closed });
        Ok(())
    }

    /// Milliseconds since the server started, for the connections' activity stamps.
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The connection a request came on (by tiny_http's remote port).
    fn connection_id(&self, relay_port: u16) -> Option<u64> {
        lock(&self.connections)
            .by_relay_port
            .get(&relay_port)
            .map(|c| c.id)
    }

    /// Closes one client connection (the `reset` fault).
    fn close_connection(&self, relay_port: u16) {
        if let Some(c) = lock(&self.connections).by_relay_port.get(&relay_port) {
            c.close();
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> std::io::Result<JoinHandle<()>> {
    thread::Builder::new().name(name.to_owned()).spawn(f)
}

/// Copies bytes one way until either side closes, the connection is closed on
/// purpose, it carried no byte either way for the idle timeout, or the sandbox
/// stops; then closes both ways. `active` is shared by both directions.
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    life: &Lifecycle,
    closed: &AtomicBool,
    active: &AtomicU64,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                active.store(life.now_ms(), Ordering::SeqCst);
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
            Err(e) if is_wait(&e) => {
                if life.is_stopped() || closed.load(Ordering::SeqCst) {
                    break;
                }
                let idle_ms = life.now_ms().saturating_sub(active.load(Ordering::SeqCst));
                if u128::from(idle_ms) >= life.idle.as_millis() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    closed.store(true, Ordering::SeqCst);
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

fn is_wait(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock
            | std::io::ErrorKind::TimedOut
            | std::io::ErrorKind::Interrupted
    )
}

/// The address clients use to reach a listener bound to `addr`.
pub(crate) fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}

/// The running server of a [`Sandbox`](super::Sandbox).
pub(crate) struct Server {
    port: u16,
    life: Arc<Lifecycle>,
    accept: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
    backend: Option<Arc<tiny_http::Server>>,
}

impl Server {
    /// Serves `shared` on `listener` (bound to `bound`).
    pub(crate) fn start(
        listener: TcpListener,
        bound: SocketAddr,
        shared: Arc<Shared>,
        idle: Duration,
    ) -> Result<Server, String> {
        let backend = tiny_http::Server::http("127.0.0.1:0")
            .map_err(|e| format!("cannot start the sandbox's HTTP server on 127.0.0.1: {e}"))?;
        let backend_addr = backend
            .server_addr()
            .to_ip()
            .ok_or("the sandbox's HTTP server has no IP address")?;
        let backend = Arc::new(backend);
        let life = Arc::new(Lifecycle {
            stopped: Mutex::new(false),
            changed: Condvar::new(),
            flag: AtomicBool::new(false),
            wake: reachable(bound),
            idle,
            epoch: Instant::now(),
            connections: Mutex::new(Connections::default()),
        });
        let mut server = Server {
            port: bound.port(),
            life: life.clone(),
            accept: None,
            workers: Vec::new(),
            backend: Some(backend.clone()),
        };
        let spawn_error = |e: std::io::Error| format!("cannot start the sandbox's threads: {e}");
        for _ in 0..WORKERS {
            let (backend, shared, life) = (backend.clone(), shared.clone(), life.clone());
            server.workers.push(
                spawn("tokenbridge-sandbox-worker", move || {
                    work(&backend, &shared, &life)
                })
                .map_err(spawn_error)?,
            );
        }
        server.accept = Some(
            spawn("tokenbridge-sandbox-accept", move || {
                for client in listener.incoming() {
                    if life.is_stopped() {
                        break;
                    }
                    match client {
                        Ok(client) => {
                            if let Err(e) = life.adopt(client, backend_addr) {
                                log::warn!(target: "tokenbridge::sandbox", "cannot relay a connection: {e}");
                            }
                            // tiny_http 0.12 hands each connection to a thread of its
                            // pool for the connection's whole life, and its pool has a
                            // race: two connections arriving before the thread woken
                            // for the first has taken it both go to that one thread,
                            // and the second waits until some connection closes. Many
                            // clients keeping connections alive (16 threads, 16 kept
                            // connections) then see a request unanswered for seconds.
                            // A pause between connections lets the woken thread take
                            // its connection first; one connection is never delayed.
                            life.pause(ACCEPT_PACE);
                        }
                        // E.g. out of file descriptors: wait a little, do not spin.
                        Err(_) => life.pause(Duration::from_millis(20)),
                    }
                }
            })
            .map_err(spawn_error)?,
        );
        Ok(server)
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn stopper(&self) -> Stopper {
        Stopper {
            life: self.life.clone(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.life.stop();
        if let Some(accept) = self.accept.take() {
            // Woken by `stop`'s connection; should that have failed, do not hang.
            let deadline = Instant::now() + Duration::from_secs(1);
            while !accept.is_finished() && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(5));
            }
            if accept.is_finished() {
                let _ = accept.join();
            }
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        // The last reference: tiny_http stops accepting.
        drop(self.backend.take());
        let relays = std::mem::take(&mut lock(&self.life.connections).relays);
        for r in relays {
            let _ = r.join();
        }
    }
}

/// A worker: answers requests until the sandbox stops.
fn work(backend: &tiny_http::Server, shared: &Shared, life: &Lifecycle) {
    while !life.is_stopped() {
        match backend.recv_timeout(POLL) {
            Ok(Some(request)) => serve(request, shared, life),
            Ok(None) => {}
            Err(_) => life.pause(POLL),
        }
    }
}

fn serve(mut request: tiny_http::Request, shared: &Shared, life: &Lifecycle) {
    let relay_port = request.remote_addr().map(|a| a.port());
    let connection = relay_port
        .and_then(|p| life.connection_id(p))
        // Not through the relay (someone found tiny_http's port): still one id.
        .unwrap_or_else(|| (1 << 32) + u64::from(relay_port.unwrap_or(0)));
    let headers = request
        .headers()
        .iter()
        .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_owned()))
        .collect();
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    let incoming = Incoming::new(
        request.method().as_str(),
        request.url(),
        headers,
        body,
        connection,
    );
    let api = Api::of_path(&incoming.path);
    let outcome = match read {
        Err(e) => Outcome::Reply(api.error(400, &format!("cannot read the request body: {e}"))),
        Ok(n) if n as u64 > MAX_BODY => Outcome::Reply(api.error(
            413,
            &format!("the body is larger than the sandbox takes ({MAX_BODY} bytes)"),
        )),
        Ok(_) => catch_unwind(AssertUnwindSafe(|| {
            control::respond(shared, &incoming, &|d| life.pause(d))
        }))
        .unwrap_or_else(|_| {
            Outcome::Reply(api.error(
                500,
                "the sandbox failed on this request (a bug in the sandbox)",
            ))
        }),
    };
    match outcome {
        Outcome::Reply(reply) => {
            let _ = request.respond(response(reply));
        }
        Outcome::Reset => {
            if let Some(p) = relay_port {
                life.close_connection(p);
            }
            // Nothing is written: the writer is dropped unused.
            drop(request.into_writer());
        }
    }
}

fn response(reply: Reply) -> tiny_http::Response<Cursor<Vec<u8>>> {
    let mut r = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
    let headers = [
        ("Content-Type", reply.content_type.to_owned()),
        ("Server", "tokenbridge-sandbox".to_owned()),
    ];
    for (name, value) in headers.into_iter().chain(reply.headers) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            r.add_header(h);
        }
    }
    r
}
