//! The one layer of ours under ureq: [`Bounded`], right above each TCP socket — under
//! TLS, and under a proxy's tunnel (ureq runs the same connector chain for the
//! connection to the proxy, so the CONNECT exchange goes through it too). It never
//! reads, holds back or changes a byte; it only decides how long ureq may wait:
//!
//! * **an overall deadline and cancellation**, without a thread per call: with
//!   limits, waits for input go in slices of 100 ms and check between slices whether
//!   the call was cancelled or its deadline passed; a write does not outlast the
//!   deadline; a stopped call's connection is never put back in the pool;
//! * **steady socket timeouts**: the timeouts handed down are rounded up to a
//!   multiple of 100 ms (at most 100 ms later than asked), so the socket's
//!   `SO_RCVTIMEO`/`SO_SNDTIMEO` are not set again on every call as the time left
//!   shrinks by microseconds (ureq's TLS layer hands down the time left of its own
//!   timeout);
//! * **one liveness probe per request, not two**: of the two a kept connection gets
//!   (when it goes back to the pool, right after its answer was read, and when it is
//!   taken out), only the second is made — the one that can see a connection the
//!   server closed while it was idle.
//!
//! And one layer on top of the chain, [`Joined`]: what ureq sends before it waits for
//! input goes in one write — a request head and its body, two TLS records and two
//! system calls otherwise. It holds the bytes back, exactly as given and in their
//! order, until ureq sends more or waits (`await_input`, `maybe_await_input`, which
//! ureq calls on the top of the chain; the CONNECT to a proxy waits the same way).
//! It must be on top: under TLS a wait may be served from rustls' buffer without
//! reaching the layers below, and held bytes there could wait forever.
//!
//! The limits come from the attempt running on the calling thread ([`exchange`]).
//!
//! ## What this assumes of ureq's `unversioned` API
//!
//! That API is not under semver, so the tests below fail when an upgrade breaks one
//! of these (ureq is pinned to a minor version in Cargo.toml for the same reason):
//!
//! 1. a connector in the chain after `TcpConnector` wraps every TCP connection,
//!    including the one to a CONNECT proxy, and sits under TLS and under the tunnel
//!    (`a_proxy_tunnel_carries_the_bytes_as_sent`: the bytes arrive as written, and a
//!    cancel stops a call waiting inside a tunnel);
//! 2. ureq does a call's I/O on the calling thread, so a thread-local tells the
//!    transport the call's limits (`a_cancelled_call_returns_within_300_ms`);
//! 3. an `await_input` that ends with `Error::Timeout` consumed nothing, so the wait
//!    can go on in the next slice (`a_deadline_ends_a_trickling_answer`: the bytes that
//!    trickled in are all there when the answer is complete).
//!
//! [`exchange`]: super::exchange
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

use super::exchange::{gate, stop_error, Gate, Stop};

/// Sits right above each TCP socket and bounds every wait by the call's limits.
#[derive(Debug, Default)]
pub(super) struct Bounded;

impl<In: Transport> Connector<In> for Bounded {
    type Out = BoundedTransport<In>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(inner) = chained else {
            return Ok(None);
        };
        // Connected; a call cancelled or out of time meanwhile stops here (dropping
        // `inner` closes the socket). Through a proxy this wraps the tunnel a second
        // time: the inner layer then waits in the outer one's slices, which is the
        // same thing.
        if let Gate::Stop(stop) = gate() {
            return Err(stop_error(stop));
        }
        Ok(Some(BoundedTransport {
            inner,
            broken: false,
            just_read: false,
        }))
    }
}

/// The transport [`Bounded`] makes.
#[derive(Debug)]
pub(super) struct BoundedTransport<T> {
    inner: T,
    /// Set once a call was stopped on this connection: it never goes back to the pool.
    broken: bool,
    /// The last thing done was reading input: the connection was alive a moment ago.
    just_read: bool,
}

/// The grid timeouts are rounded up to, and the longest a sliced wait blocks.
const TIMEOUT_STEP_NANOS: u128 = 100_000_000;

/// One slice of a wait under limits.
const SLICE: Duration = Duration::from_millis(100);

/// Rounds a timeout up to a multiple of 100 ms, so that it stays the same from call
/// to call.
fn steady(mut t: NextTimeout) -> NextTimeout {
    if let UreqDuration::Exact(d) = t.after {
        let steps = d.as_nanos().div_ceil(TIMEOUT_STEP_NANOS);
        let nanos = u64::try_from(steps * TIMEOUT_STEP_NANOS).unwrap_or(u64::MAX);
        t.after = UreqDuration::Exact(Duration::from_nanos(nanos));
    }
    t
}

impl<T: Transport> BoundedTransport<T> {
    /// Stops the call: the connection is not reused.
    fn stop(&mut self, stop: Stop) -> ureq::Error {
        self.broken = true;
        stop_error(stop)
    }

    /// Waits for input in slices of at most 100 ms, checking the limits between them.
    fn await_sliced(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        // The per-read timeout is ours to apply: each slice is a read of its own.
        let t = timeout.for_read();
        let end = match t.after {
            UreqDuration::Exact(d) => Instant::now().checked_add(d),
            UreqDuration::NotHappening => None,
        };
        loop {
            let (after, last) = match end {
                Some(end) => {
                    let left = end.saturating_duration_since(Instant::now());
                    if left <= SLICE {
                        (left, true)
                    } else {
                        (SLICE, false)
                    }
                }
                None => (SLICE, false),
            };
            let slice = steady(NextTimeout {
                after: UreqDuration::Exact(after),
                reason: t.reason,
                per_read: None,
                per_write: None,
            });
            match self.inner.await_input(slice) {
                // A slice ran out, not the phase: nothing was read (assumption 3).
                Err(ureq::Error::Timeout(_)) if !last => {}
                other => return other,
            }
            if let Gate::Stop(stop) = gate() {
                return Err(self.stop(stop));
            }
        }
    }
}

impl<T: Transport> Transport for BoundedTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    /// Sends `amount` bytes of the output buffer; with limits, not past the deadline.
    ///
    /// A write is not sliced: a write that timed out may have sent part of its bytes,
    /// so it cannot be tried again. A cancelled call is seen before the write and when
    /// it ends; the deadline bounds it.
    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.just_read = false;
        self.write(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let read = match gate() {
            Gate::Free => self.inner.await_input(steady(timeout)),
            Gate::Stop(stop) => Err(self.stop(stop)),
            Gate::Limited(_) => self.await_sliced(timeout),
        };
        self.just_read = read.is_ok();
        read
    }

    fn is_open(&mut self) -> bool {
        if self.broken {
            return false;
        }
        // ureq asks when the connection goes back to the pool, right after its answer
        // was read, and again when it takes it out: only the second probe can see a
        // connection the server closed while it was idle.
        if std::mem::take(&mut self.just_read) {
            return true;
        }
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

impl<T: Transport> BoundedTransport<T> {
    /// One write of `amount` bytes of the output buffer; with limits, not past the
    /// deadline.
    fn write(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        match gate() {
            Gate::Free => self.inner.transmit_output(amount, steady(timeout)),
            Gate::Stop(stop) => Err(self.stop(stop)),
            Gate::Limited(deadline) => {
                let mut t = timeout;
                if let Some(d) = deadline {
                    let left = UreqDuration::Exact(d.saturating_duration_since(Instant::now()));
                    if left < t.after {
                        t.after = left;
                    }
                }
                let result = self.inner.transmit_output(amount, steady(t));
                if let Err(ureq::Error::Timeout(_)) = result {
                    if let Gate::Stop(stop) = gate() {
                        return Err(self.stop(stop));
                    }
                }
                result
            }
        }
    }
}

/// On top of the chain: joins what ureq sends before it waits into one write.
#[derive(Debug, Default)]
pub(super) struct Join;

impl<In: Transport> Connector<In> for Join {
    type Out = Joined<In>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Joined {
            inner,
            held: Vec::new(),
        }))
    }
}

/// The transport [`Join`] makes.
#[derive(Debug)]
pub(super) struct Joined<T> {
    inner: T,
    /// Bytes ureq handed over to send, held back until it sends more or waits.
    held: Vec<u8>,
}

/// At most this many bytes are held back; a larger write goes out at once.
const HOLD_MAX: usize = 8 * 1024;

impl<T: Transport> Joined<T> {
    /// Sends the held bytes, if any.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let held = std::mem::take(&mut self.held);
        let room = self.inner.buffers().output().len().max(1);
        for part in held.chunks(room) {
            self.inner.buffers().output()[..part.len()].copy_from_slice(part);
            self.inner.transmit_output(part.len(), timeout)?;
        }
        self.held = held;
        self.held.clear();
        Ok(())
    }
}

impl<T: Transport> Transport for Joined<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.held.len() + amount <= HOLD_MAX {
            let output = self.inner.buffers().output();
            self.held.extend_from_slice(&output[..amount]);
            return Ok(());
        }
        let held = self.held.len();
        let output = self.inner.buffers().output();
        if held + amount <= output.len() {
            // The held bytes in front of the new ones, one write.
            output.copy_within(0..amount, held);
            output[..held].copy_from_slice(&self.held);
            self.held.clear();
            return self.inner.transmit_output(held + amount, timeout);
        }
        let later = output[..amount].to_vec();
        self.flush(timeout)?;
        self.inner.buffers().output()[..amount].copy_from_slice(&later);
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.flush(timeout)?;
        self.inner.await_input(timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.flush(timeout)?;
        self.inner.maybe_await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.held.is_empty() && self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::{self, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::thread;

    use ureq::unversioned::resolver::DefaultResolver;
    use ureq::unversioned::transport::{ConnectProxyConnector, TcpConnector};
    use ureq::Timeout;

    use crate::http::exchange::{with_exchange, Cancelled, DeadlinePassed, Exchange};
    use crate::http::options::{CallLimits, CancelToken};

    #[test]
    fn timeouts_round_up_to_100_ms() {
        let t = |ms| NextTimeout {
            after: UreqDuration::Exact(Duration::from_millis(ms)),
            reason: Timeout::RecvResponse,
            per_read: None,
            per_write: None,
        };
        assert_eq!(*steady(t(29_999)).after, Duration::from_secs(30));
        assert_eq!(*steady(t(30_000)).after, Duration::from_secs(30));
        assert_eq!(*steady(t(1)).after, Duration::from_millis(100));
        assert_eq!(*steady(t(300)).after, Duration::from_millis(300));
        assert_eq!(*steady(t(301)).after, Duration::from_millis(400));
        assert_eq!(*steady(t(0)).after, Duration::ZERO);
    }

    /// An agent built as the HTTP layer builds it (less TLS), with `proxy`.
    fn new_agent(proxy: Option<&str>) -> ureq::Agent {
        let phase = Some(Duration::from_secs(5));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(proxy.map(|p| ureq::Proxy::new(p).unwrap()))
            .timeout_connect(phase)
            .timeout_send_request(phase)
            .timeout_send_body(phase)
            .timeout_recv_response(phase)
            .timeout_recv_body(phase)
            .build();
        let chain =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(Bounded)
                .chain(Join);
        ureq::Agent::with_parts(config, chain, DefaultResolver::default())
    }

    fn server() -> (TcpListener, String) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        (listener, url)
    }

    /// The next connection, if one comes within `wait`.
    fn accept_within(listener: &TcpListener, wait: Duration) -> Option<TcpStream> {
        listener.set_nonblocking(true).ok()?;
        let until = Instant::now() + wait;
        while Instant::now() < until {
            match listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(false).ok()?;
                    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
                    return Some(s);
                }
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
        None
    }

    /// Reads one request (head and Content-Length body); `buf` keeps what follows.
    fn read_request(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
        loop {
            if let Some(end) = find(buf, b"\r\n\r\n").map(|p| p + 4) {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let len = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if buf.len() >= end + len {
                    let rest = buf.split_off(end + len);
                    return Some(std::mem::replace(buf, rest));
                }
            }
            let mut chunk = [0u8; 4096];
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Runs one call the way the HTTP layer does: the exchange around `run` and the
    /// reading of the body. Returns the status and the body.
    fn call(
        agent: &ureq::Agent,
        req: ureq::http::Request<Vec<u8>>,
        ex: Exchange,
    ) -> Result<(u16, Vec<u8>), io::Error> {
        with_exchange(ex, || {
            let mut response = agent.run(req).map_err(ureq::Error::into_io)?;
            let mut body = Vec::new();
            response.body_mut().as_reader().read_to_end(&mut body)?;
            Ok((response.status().as_u16(), body))
        })
    }

    /// Limits with a cancel token that another thread fires 100 ms from now.
    fn cancelled_in_100_ms() -> (CallLimits, thread::JoinHandle<()>) {
        let cancel = CancelToken::new();
        let canceller = {
            let cancel = cancel.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(100));
                cancel.cancel();
            })
        };
        let limits = CallLimits {
            cancel: Some(cancel),
            ..CallLimits::none()
        };
        (limits, canceller)
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    /// A CONNECT proxy for one tunnel: answers the CONNECT, then hands every byte the
    /// client sends into the tunnel to `relay` and writes back what it returns.
    /// Returns the proxy's URL and, when joined, the CONNECT line it got.
    fn one_tunnel_proxy(
        relay: impl FnOnce(TcpStream, Vec<u8>) + Send + 'static,
    ) -> (String, thread::JoinHandle<Option<String>>) {
        let (listener, url) = server();
        let handle = thread::spawn(move || {
            let mut s = accept_within(&listener, Duration::from_secs(5))?;
            let mut buf = Vec::new();
            let head = read_request(&mut s, &mut buf)?;
            let line = String::from_utf8_lossy(&head).lines().next()?.to_owned();
            s.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .ok()?;
            relay(s, buf);
            Some(line)
        });
        (url, handle)
    }

    #[test]
    fn a_proxy_tunnel_carries_the_bytes_as_sent() {
        // What goes into the tunnel is exactly the request ureq wrote: no layer of
        // ours changes a byte of it (0.2.0 scrambled them).
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let (proxy, connect) = one_tunnel_proxy(move |mut s, mut buf| {
            let request = read_request(&mut s, &mut buf).unwrap_or_default();
            let _ = seen_tx.send(request);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            let _ = s.read(&mut [0u8; 16]);
        });
        let agent = new_agent(Some(&proxy));
        let req = ureq::http::Request::post("http://api.example:8080/v1/login")
            .header("authorization", "Bearer secret-token-42")
            .body(b"{\"pass\":\"p4ss\"}".to_vec())
            .unwrap();
        let (status, body) = call(&agent, req, Exchange::new(CallLimits::none())).unwrap();
        assert_eq!((status, body.as_slice()), (200, b"hello".as_slice()));
        let request = String::from_utf8(seen_rx.recv().unwrap()).unwrap();
        assert!(
            request.starts_with("POST /v1/login HTTP/1.1\r\n"),
            "{request}"
        );
        assert!(
            request.contains("\r\nauthorization: Bearer secret-token-42\r\n"),
            "{request}"
        );
        assert!(
            request.ends_with("\r\n\r\n{\"pass\":\"p4ss\"}"),
            "{request}"
        );
        assert_eq!(
            connect.join().unwrap().as_deref(),
            Some("CONNECT api.example:8080 HTTP/1.1")
        );

        // A call waiting for an answer inside a tunnel is cancelled as promptly as a
        // direct one: the layer is under the tunnel too.
        let (proxy, connect) = one_tunnel_proxy(|mut s, mut buf| {
            let _ = read_request(&mut s, &mut buf);
            let _ = s.read(&mut [0u8; 16]); // never answers; waits for the client to go
        });
        let agent = new_agent(Some(&proxy));
        let (limits, canceller) = cancelled_in_100_ms();
        let started = Instant::now();
        let err = call(
            &agent,
            get("http://api.example:8080"),
            Exchange::new(limits),
        )
        .expect_err("cancelled");
        let took = started.elapsed();
        assert!(
            err.get_ref()
                .and_then(|e| e.downcast_ref::<Cancelled>())
                .is_some(),
            "{err:?}"
        );
        assert!(took < Duration::from_millis(300), "took {took:?}");
        canceller.join().unwrap();
        assert!(connect.join().unwrap().is_some());
    }

    /// A server whose first connection is given to `first`, and whose second
    /// connection gets `ok` to its one request.
    fn two_connections(
        first: impl FnOnce(TcpStream) + Send + 'static,
    ) -> (String, thread::JoinHandle<bool>) {
        let (listener, url) = server();
        let handle = thread::spawn(move || {
            let Some(s) = accept_within(&listener, Duration::from_secs(5)) else {
                return false;
            };
            let holder = thread::spawn(move || first(s));
            let Some(mut s) = accept_within(&listener, Duration::from_secs(5)) else {
                return false;
            };
            let mut buf = Vec::new();
            if read_request(&mut s, &mut buf).is_none() {
                return false;
            }
            let ok = s
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .is_ok();
            let _ = holder.join();
            ok
        });
        (url, handle)
    }

    fn limited(limits: CallLimits) -> Exchange {
        Exchange::new(limits)
    }

    fn get(url: &str) -> ureq::http::Request<Vec<u8>> {
        ureq::http::Request::get(format!("{url}/x"))
            .body(Vec::new())
            .unwrap()
    }

    #[test]
    fn a_cancelled_call_returns_within_300_ms() {
        let (url, served) = two_connections(|mut s| {
            // Read the request, never answer; wait for the client to go.
            let mut buf = Vec::new();
            let _ = read_request(&mut s, &mut buf);
            let _ = s.read(&mut [0u8; 64]);
        });
        let agent = new_agent(None);
        let (limits, canceller) = cancelled_in_100_ms();
        let started = Instant::now();
        let err = call(&agent, get(&url), limited(limits)).expect_err("cancelled");
        let took = started.elapsed();
        assert!(
            err.get_ref()
                .and_then(|e| e.downcast_ref::<Cancelled>())
                .is_some(),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "the call was cancelled");
        assert!(took < Duration::from_millis(300), "took {took:?}");
        canceller.join().unwrap();

        // The agent still works, on a new connection.
        let (status, body) = call(&agent, get(&url), limited(CallLimits::none())).unwrap();
        assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));
        assert!(served.join().unwrap());

        // A token already cancelled stops a call once connected, before it sends
        // anything (the listener takes the connection but is never asked for it).
        let (listener, url) = server();
        let cancel = CancelToken::new();
        cancel.cancel();
        let limits = CallLimits {
            cancel: Some(cancel),
            ..CallLimits::none()
        };
        let err = call(&agent, get(&url), limited(limits)).expect_err("cancelled");
        assert!(
            err.get_ref()
                .and_then(|e| e.downcast_ref::<Cancelled>())
                .is_some(),
            "{err:?}"
        );
        drop(listener);
    }

    #[test]
    fn a_deadline_ends_a_trickling_answer() {
        let (url, served) = two_connections(|mut s| {
            let mut buf = Vec::new();
            if read_request(&mut s, &mut buf).is_none() {
                return;
            }
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
            for _ in 0..5 {
                if s.write_all(b"x").is_err() {
                    return;
                }
                thread::sleep(Duration::from_secs(1));
            }
        });
        let agent = new_agent(None);
        let started = Instant::now();
        let limits = CallLimits {
            deadline: Some(started + Duration::from_secs(1)),
            budget: Some(Duration::from_secs(1)),
            ..CallLimits::none()
        };
        let err = call(&agent, get(&url), limited(limits)).expect_err("out of time");
        let took = started.elapsed();
        assert!(
            err.get_ref()
                .and_then(|e| e.downcast_ref::<DeadlinePassed>())
                .is_some(),
            "{err:?}"
        );
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(took >= Duration::from_secs(1), "took {took:?}");
        assert!(took < Duration::from_millis(1300), "took {took:?}");

        let (status, body) = call(&agent, get(&url), limited(CallLimits::none())).unwrap();
        assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));
        assert!(served.join().unwrap());
    }
}
