//! The transport layer under ureq-proto ([`Frugal`]): a thin layer over ureq's own
//! transport (TCP, then TLS when https) that sees the plaintext HTTP bytes.
//!
//! **Fewer system calls** on a kept-alive connection:
//!
//! * the request head and a body are sent in one write, not two;
//! * socket timeouts are handed down rounded up to a multiple of 100 ms (at most
//!   100 ms later than asked), so ureq does not reset `SO_RCVTIMEO`/`SO_SNDTIMEO` on
//!   every call as the remaining time shrinks by microseconds; under TLS, whose
//!   layer hands the socket the time left of its own timeout, [`Steady`] rounds
//!   again right above the socket;
//! * of the two liveness probes per request (when a connection goes back to the pool,
//!   and when it is taken out), only the one at checkout is made — the one that can
//!   see a connection the server closed while it was idle.
//!
//! Measured on loopback (see BENCHMARKS.md): ~12 system calls per request down to ~5.
//!
//! It is also where the attempt running on the calling thread ([`exchange`]) meets
//! the socket:
//!
//! * **an overall deadline and cancellation**, without a thread per call: with
//!   limits, reads wait in slices of 100 ms and check between slices whether the call
//!   was cancelled or its deadline passed, and a write does not outlast the deadline;
//!   a stopped call's connection is not put back in the pool;
//! * **no secret in a log record of ureq-proto**: the head's placeholders are swapped
//!   and the request body unmasked just before they go to the socket, and response
//!   body bytes are masked as they come in ([`masking`] says why, [`framing`] finds
//!   the body bytes).
//!
//! [`exchange`]: super::exchange
//! [`masking`]: super::masking
//! [`framing`]: super::framing
#![forbid(unsafe_code)]

use std::fmt;
use std::time::{Duration, Instant};

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Timeout;

use super::exchange::{gate, stop_error, with_current, Gate, Stop};
use super::framing::{request_method, Rx};
use super::masking::{apply_mask, apply_swaps, find, incoming_seed};

/// Sits right above the TCP socket, under TLS: rounds the timeouts the TLS layer
/// hands down (ureq's TLS layer passes the time left of its own timeout, a few
/// microseconds less on every read and write) as [`Frugal`] does, so the socket's
/// timeouts are not set again on every call (2 `setsockopt` per HTTPS call).
#[derive(Debug, Default)]
pub(super) struct Steady;

impl<In: Transport> Connector<In> for Steady {
    type Out = SteadyTransport<In>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(SteadyTransport))
    }
}

/// The transport [`Steady`] makes.
#[derive(Debug)]
pub(super) struct SteadyTransport<T>(T);

impl<T: Transport> Transport for SteadyTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.0.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.0.transmit_output(amount, steady(timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.0.await_input(steady(timeout))
    }

    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }

    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}

/// Wraps whatever transport the chain before it made.
#[derive(Debug, Default)]
pub(super) struct Frugal;

impl<In: Transport> Connector<In> for Frugal {
    type Out = FrugalTransport<In>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let Some(inner) = chained else {
            return Ok(None);
        };
        // TCP (and TLS) connected; a call cancelled or out of time meanwhile stops
        // here (dropping `inner` closes the socket).
        if let Gate::Stop(stop) = gate() {
            return Err(stop_error(stop));
        }
        // Ours is the buffer a response head must fit in (the ones under it are
        // drained into it): room for the longest head ureq accepts, allocated only as
        // the bytes come, while the buffers under it stay small (agent::BUFFER_BYTES).
        let config = &details.config;
        Ok(Some(FrugalTransport::new(
            inner,
            config
                .input_buffer_size()
                .max(config.max_response_header_size()),
        )))
    }
}

/// The transport [`Frugal`] makes. It owns the input buffer ureq reads from (so it can
/// mask response bodies in it); output and scratch space are the inner transport's.
pub(super) struct FrugalTransport<T> {
    inner: T,
    /// The request head, held back until the body (or the wait for the answer).
    pending: Vec<u8>,
    /// Whether the head in `pending` has had its placeholders replaced.
    head_ready: bool,
    /// True while the next bytes ureq sends are a request head: on a new connection,
    /// and after ureq looked at the connection through the pool.
    expect_head: bool,
    /// True right after a completed exchange: the next liveness probe is the one made
    /// when the connection is put back in the pool, and is skipped.
    fresh: bool,
    /// Set once a call was stopped on this connection: it never goes back to the pool.
    broken: bool,
    /// The input ureq reads, body bytes masked.
    input: InputBuf,
    /// Whether the last `input_consume` consumed anything (as `LazyBuffers` tracks).
    progress: bool,
    /// The most unread input held (the longest response head ureq accepts): more is
    /// not read.
    input_cap: usize,
    /// The seed the current request's body is unmasked with, if masked.
    tx_seed: Option<u64>,
    /// Stream position of the next request body byte.
    tx_off: u64,
    /// Response framing, for masking response bodies.
    rx: Rx,
}

impl<T> fmt::Debug for FrugalTransport<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrugalTransport").finish_non_exhaustive()
    }
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

impl<T: Transport> FrugalTransport<T> {
    /// A transport over `inner`; `input_cap` bounds the unread input it holds.
    fn new(inner: T, input_cap: usize) -> Self {
        FrugalTransport {
            inner,
            pending: Vec::new(),
            head_ready: false,
            expect_head: true,
            fresh: false,
            broken: false,
            input: InputBuf::default(),
            progress: false,
            input_cap: input_cap.max(1),
            tx_seed: None,
            tx_off: 0,
            rx: Rx::default(),
        }
    }

    /// Stops the call: the connection is not reused.
    fn stop(&mut self, stop: Stop) -> ureq::Error {
        self.broken = true;
        stop_error(stop)
    }

    /// The held-back head is about to be sent: replace its placeholders and set up
    /// the masking of this request's body and answer.
    fn prepare_head(&mut self) {
        if self.head_ready {
            return;
        }
        self.head_ready = true;
        self.expect_head = false;
        let method = request_method(&self.pending);
        let head = &mut self.pending;
        let seed = with_current(|ex| {
            apply_swaps(head, &ex.swaps);
            ex.mask_seed
        })
        .flatten();
        self.tx_seed = seed;
        self.tx_off = 0;
        self.rx.reset(method, seed.map(incoming_seed));
    }

    /// Unmasks request body bytes in the output buffer.
    fn unmask_body(&mut self, from: usize, to: usize) {
        if let Some(seed) = self.tx_seed {
            let output = self.inner.buffers().output();
            if let Some(body) = output.get_mut(from..to) {
                apply_mask(seed, self.tx_off, body);
                self.tx_off = self.tx_off.wrapping_add(body.len() as u64);
            }
        }
    }

    /// Whether the held-back bytes hold a whole request head.
    fn head_complete(&self) -> bool {
        find(&self.pending, b"\r\n\r\n").is_some()
    }

    /// Sends `amount` bytes of the output buffer; with limits, not past the deadline.
    ///
    /// A write is not sliced: a write that timed out may have sent part of its bytes,
    /// so it cannot be tried again. A cancelled call is seen before the write and when
    /// it ends; the deadline bounds it.
    fn send(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        match gate() {
            Gate::Free => self.inner.transmit_output(amount, timeout),
            Gate::Stop(stop) => Err(self.stop(stop)),
            Gate::Limited(deadline) => {
                let mut t = timeout;
                if let Some(d) = deadline {
                    let left = UreqDuration::Exact(d.saturating_duration_since(Instant::now()));
                    if left < t.after {
                        t.after = left;
                        t = steady(t);
                    }
                }
                let result = self.inner.transmit_output(amount, t);
                if let Err(ureq::Error::Timeout(_)) = result {
                    if let Gate::Stop(stop) = gate() {
                        return Err(self.stop(stop));
                    }
                }
                result
            }
        }
    }

    /// Sends the held-back head, if any, in front of `amount` body bytes already in
    /// the output buffer.
    fn send_with_pending(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> Result<(), ureq::Error> {
        if self.pending.is_empty() {
            self.unmask_body(0, amount);
            return self.send(amount, timeout);
        }
        self.prepare_head();
        let head = self.pending.len();
        let output = self.inner.buffers().output();
        if head + amount <= output.len() {
            output.copy_within(0..amount, head);
            output[..head].copy_from_slice(&self.pending);
            self.pending.clear();
            self.unmask_body(head, head + amount);
            self.send(head + amount, timeout)
        } else {
            // Too big to join: send the head on its own first.
            let body: Vec<u8> = output[..amount].to_vec();
            self.flush(timeout)?;
            let output = self.inner.buffers().output();
            output[..amount].copy_from_slice(&body);
            self.unmask_body(0, amount);
            self.send(amount, timeout)
        }
    }

    /// Sends the held-back head, if any.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.prepare_head();
        let mut head = std::mem::take(&mut self.pending);
        let room = self.inner.buffers().output().len().max(1);
        for part in head.chunks(room) {
            let output = self.inner.buffers().output();
            output[..part.len()].copy_from_slice(part);
            self.send(part.len(), timeout)?;
        }
        head.clear();
        self.pending = head;
        Ok(())
    }

    /// Moves what the inner transport read into our input buffer, masking body bytes.
    fn pull(&mut self) {
        let src = self.inner.buffers().input();
        let n = src.len();
        if n == 0 {
            return;
        }
        let dst = self.input.free_mut(n);
        dst[..n].copy_from_slice(src);
        // After `free_mut`: it may have moved the unread bytes to the front.
        let start = self.input.filled;
        self.input.filled += n;
        self.inner.buffers().input_consume(n);
        if let Some(fresh) = self.input.buf.get_mut(start..start + n) {
            self.rx.feed(fresh);
        }
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
            let result = self.inner.await_input(slice);
            self.pull();
            match result {
                // A slice ran out, not the phase: nothing was read, the stream is as
                // it was (TCP: EAGAIN; TLS: rustls keeps its state on an I/O error).
                Err(ureq::Error::Timeout(_)) if !last => {}
                other => return other,
            }
            if let Gate::Stop(stop) = gate() {
                return Err(self.stop(stop));
            }
        }
    }
}

impl<T: Transport> Buffers for FrugalTransport<T> {
    fn output(&mut self) -> &mut [u8] {
        self.inner.buffers().output()
    }

    fn input(&self) -> &[u8] {
        self.input.unconsumed()
    }

    fn input_append_buf(&mut self) -> &mut [u8] {
        let want = self
            .input_cap
            .saturating_sub(self.input.unconsumed().len())
            .max(1);
        self.input.free_mut(want)
    }

    fn input_appended(&mut self, amount: usize) {
        let start = self.input.filled;
        let end = (start + amount).min(self.input.buf.len());
        self.input.filled = end;
        if let Some(fresh) = self.input.buf.get_mut(start..end) {
            self.rx.feed(fresh);
        }
    }

    fn input_consume(&mut self, amount: usize) {
        self.progress = amount > 0;
        self.input.consume(amount);
    }

    fn tmp_and_output(&mut self) -> (&mut [u8], &mut [u8]) {
        self.inner.buffers().tmp_and_output()
    }

    fn can_use_input(&self) -> bool {
        !self.input.unconsumed().is_empty() && self.progress
    }
}

impl<T: Transport> Transport for FrugalTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.fresh = false;
        let timeout = steady(timeout);
        let is_head = match timeout.reason {
            Timeout::SendRequest => true,
            Timeout::SendBody => false,
            // A shorter global or per-call timeout names itself instead of the
            // phase: tell the head by where we are.
            _ => self.expect_head && !self.head_complete(),
        };
        if is_head {
            // The head: hold it back until the body or the wait for the answer.
            if self.pending.is_empty() {
                self.head_ready = false;
            }
            let output = self.inner.buffers().output();
            self.pending.extend_from_slice(&output[..amount]);
            return Ok(());
        }
        self.send_with_pending(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = steady(timeout);
        self.flush(timeout)?;
        if self.input.unconsumed().len() >= self.input_cap {
            // As ureq's own buffers: no room, nothing read.
            return Ok(false);
        }
        let progress = match gate() {
            Gate::Free => {
                let result = self.inner.await_input(timeout);
                self.pull();
                result?
            }
            Gate::Stop(stop) => return Err(self.stop(stop)),
            Gate::Limited(_) => self.await_sliced(timeout)?,
        };
        self.fresh = true;
        Ok(progress)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if Buffers::can_use_input(self) && self.pending.is_empty() {
            return Ok(true);
        }
        self.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        // ureq looks at a connection through the pool only between requests.
        self.expect_head = true;
        if self.broken || !self.pending.is_empty() || !self.input.unconsumed().is_empty() {
            return false;
        }
        if std::mem::take(&mut self.fresh) {
            return true;
        }
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// The input buffer ureq reads from: `buf[consumed..filled]` is unread.
#[derive(Debug, Default)]
struct InputBuf {
    buf: Vec<u8>,
    filled: usize,
    consumed: usize,
}

impl InputBuf {
    /// The unread bytes.
    fn unconsumed(&self) -> &[u8] {
        self.buf.get(self.consumed..self.filled).unwrap_or_default()
    }

    /// Room for at least `min` more bytes after the unread ones.
    fn free_mut(&mut self, min: usize) -> &mut [u8] {
        if self.buf.len() - self.filled < min && self.consumed > 0 {
            self.buf.copy_within(self.consumed..self.filled, 0);
            self.filled -= self.consumed;
            self.consumed = 0;
        }
        if self.buf.len() - self.filled < min {
            self.buf.resize(self.filled + min, 0);
        }
        &mut self.buf[self.filled..]
    }

    /// Marks `amount` unread bytes as read.
    fn consume(&mut self, amount: usize) {
        self.consumed = (self.consumed + amount).min(self.filled);
        if self.consumed == self.filled {
            self.consumed = 0;
            self.filled = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::{self, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Mutex, OnceLock};
    use std::thread::{self, ThreadId};

    use ureq::unversioned::resolver::DefaultResolver;
    use ureq::unversioned::transport::DefaultConnector;

    use crate::http::exchange::{with_exchange, Cancelled, DeadlinePassed, Exchange};
    use crate::http::options::{CallLimits, CancelToken};

    const SEED: u64 = 0xfeed_f00d;

    #[test]
    fn timeouts_round_up_to_100_ms() {
        let t = |ms| NextTimeout {
            after: UreqDuration::Exact(std::time::Duration::from_millis(ms)),
            reason: Timeout::RecvResponse,
            per_read: None,
            per_write: None,
        };
        assert_eq!(*steady(t(29_999)).after, std::time::Duration::from_secs(30));
        assert_eq!(*steady(t(30_000)).after, std::time::Duration::from_secs(30));
        assert_eq!(*steady(t(1)).after, std::time::Duration::from_millis(100));
        assert_eq!(*steady(t(300)).after, std::time::Duration::from_millis(300));
        assert_eq!(*steady(t(301)).after, std::time::Duration::from_millis(400));
        assert_eq!(*steady(t(0)).after, std::time::Duration::ZERO);
    }

    /// An inner transport that hands out scripted pieces of input.
    #[derive(Debug)]
    struct Scripted {
        buffers: ureq::unversioned::transport::LazyBuffers,
        pieces: std::collections::VecDeque<Vec<u8>>,
        sent: Vec<u8>,
    }

    impl Transport for Scripted {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }

        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            let output = self.buffers.output();
            self.sent.extend_from_slice(&output[..amount]);
            Ok(())
        }

        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            let Some(piece) = self.pieces.pop_front() else {
                return Ok(false);
            };
            let input = self.buffers.input_append_buf();
            input[..piece.len()].copy_from_slice(&piece);
            self.buffers.input_appended(piece.len());
            Ok(true)
        }

        fn is_open(&mut self) -> bool {
            true
        }
    }

    #[test]
    fn own_input_buffer_masks_across_moves() {
        // Small buffers and a reader that leaves bytes unread: the unread bytes are
        // moved to the front of the buffer between reads.
        let answer = b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n";
        let body: Vec<u8> = (0..200u32).map(|i| b'a' + (i % 26) as u8).collect();
        let stream = [answer.as_slice(), &body].concat();
        let inner = Scripted {
            buffers: ureq::unversioned::transport::LazyBuffers::new(64, 64),
            pieces: stream.chunks(37).map(<[u8]>::to_vec).collect(),
            sent: Vec::new(),
        };
        let mut t = FrugalTransport::new(inner, 64);
        let ex = Exchange {
            limits: CallLimits::none(),
            swaps: vec![(b"PLACE".to_vec(), b"s3cr3".to_vec())],
            mask_seed: Some(SEED),
        };
        let timeout = NextTimeout::default();
        let got = with_exchange(ex, || {
            let head = b"POST / HTTP/1.1\r\nAuthorization: PLACE\r\nContent-Length: 4\r\n\r\n";
            t.buffers().output()[..head.len()].copy_from_slice(head);
            let send_request = NextTimeout {
                reason: Timeout::SendRequest,
                ..timeout
            };
            t.transmit_output(head.len(), send_request).unwrap();
            let mut masked_body = *b"ping";
            apply_mask(SEED, 0, &mut masked_body);
            t.buffers().output()[..4].copy_from_slice(&masked_body);
            let send_body = NextTimeout {
                reason: Timeout::SendBody,
                ..timeout
            };
            t.transmit_output(4, send_body).unwrap();
            let mut got = Vec::new();
            // Read more while some is still unread, as ureq does when it cannot
            // use a partial head.
            while t.await_input(timeout).unwrap() {
                let input = t.buffers().input();
                // Take a little less than half of what is there.
                let take = (input.len() / 2).max(1).min(input.len());
                got.extend_from_slice(&input[..take]);
                t.buffers().input_consume(take);
            }
            got.extend_from_slice(t.buffers().input());
            got
        });
        assert_eq!(
            t.inner.sent,
            b"POST / HTTP/1.1\r\nAuthorization: s3cr3\r\nContent-Length: 4\r\n\r\nping"
        );
        let (head, masked) = got.split_at(answer.len());
        assert_eq!(head, answer);
        let mut unmasked = masked.to_vec();
        apply_mask(incoming_seed(SEED), 0, &mut unmasked);
        assert_eq!(unmasked, body);
    }

    // ---- end to end -----------------------------------------------------------

    /// Every log record: the thread, the target and the text.
    static RECORDS: Mutex<Vec<(ThreadId, String, String)>> = Mutex::new(Vec::new());

    /// Captures every log record.
    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }

        fn log(&self, record: &log::Record<'_>) {
            let entry = (
                thread::current().id(),
                record.target().to_owned(),
                record.args().to_string(),
            );
            if let Ok(mut records) = RECORDS.lock() {
                records.push(entry);
            }
        }

        fn flush(&self) {}
    }

    fn capture_logs() {
        static ONCE: OnceLock<()> = OnceLock::new();
        static LOGGER: Capture = Capture;
        ONCE.get_or_init(|| {
            log::set_logger(&LOGGER).expect("no other logger in the tests");
            log::set_max_level(log::LevelFilter::Trace);
        });
    }

    /// The bytes in ureq-proto's hex rows logged on `thread`, in order.
    fn logged_bytes(thread: ThreadId) -> Vec<u8> {
        let records = RECORDS.lock().unwrap();
        let mut bytes = Vec::new();
        for (_, _, text) in records
            .iter()
            .filter(|(t, target, _)| *t == thread && target.starts_with("ureq_proto"))
        {
            let Some(hex) = text.get(..40) else { continue };
            let hex: Vec<u8> = hex.bytes().filter(|b| *b != b' ').collect();
            for pair in hex.chunks(2) {
                let Ok(pair) = std::str::from_utf8(pair) else {
                    break;
                };
                let Ok(b) = u8::from_str_radix(pair, 16) else {
                    break;
                };
                bytes.push(b);
            }
        }
        bytes
    }

    fn to_hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// An agent built as the HTTP layer builds it.
    fn agent(global: Option<Duration>) -> ureq::Agent {
        let phase = Some(Duration::from_secs(5));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(None)
            .timeout_global(global)
            .timeout_connect(phase)
            .timeout_send_request(phase)
            .timeout_send_body(phase)
            .timeout_recv_response(phase)
            .timeout_recv_body(phase)
            .build();
        ureq::Agent::with_parts(
            config,
            DefaultConnector::new().chain(Frugal),
            DefaultResolver::default(),
        )
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

    /// Runs one call the way the HTTP layer will: the exchange around `run` and the
    /// reading of the body. Returns the status and the unmasked body.
    fn call(
        agent: &ureq::Agent,
        req: ureq::http::Request<Vec<u8>>,
        ex: Exchange,
    ) -> Result<(u16, Vec<u8>), io::Error> {
        let seed = ex.mask_seed;
        with_exchange(ex, || {
            let mut response = agent.run(req).map_err(ureq::Error::into_io)?;
            let mut body = Vec::new();
            response.body_mut().as_reader().read_to_end(&mut body)?;
            if let Some(seed) = seed {
                apply_mask(incoming_seed(seed), 0, &mut body);
            }
            Ok((response.status().as_u16(), body))
        })
    }

    /// Two logins on one kept-alive connection: the server gets the real bytes, the
    /// client the real answer, and no log record holds a secret.
    fn secrets_stay_out_of_logs(global: Option<Duration>) {
        capture_logs();
        const TOKEN: &[u8] = b"tOkEn-9f8e7d6c5b4a";
        const PLACEHOLDER: &[u8] = b"XXXXXXXXXXXXXXXXXX";
        const PASSWORD: &[u8] = b"pa55-W0rd-zq";
        const ANSWER: &[u8] = b"ANSWER-T0KEN-7q7q";
        let body = [b"username=alice&password=".as_slice(), PASSWORD].concat();
        let answer = [br#"{"access_token":""#.as_slice(), ANSWER, br#"","n":1}"#].concat();

        let (listener, url) = server();
        let served = {
            let answer = answer.clone();
            thread::spawn(move || {
                let mut s = accept_within(&listener, Duration::from_secs(5)).expect("a client");
                let mut buf = Vec::new();
                let first = read_request(&mut s, &mut buf).expect("request 1");
                let mut out = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    answer.len()
                )
                .into_bytes();
                out.extend_from_slice(&answer);
                s.write_all(&out).unwrap();
                let second =
                    read_request(&mut s, &mut buf).expect("request 2 on the same connection");
                // Chunked this time, the token split over two chunks.
                let (a, b) = answer.split_at(25);
                let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                for part in [a, b] {
                    out.extend_from_slice(format!("{:x};ext=1\r\n", part.len()).as_bytes());
                    out.extend_from_slice(part);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\nX-Trailer: yes\r\n\r\n");
                s.write_all(&out).unwrap();
                let second_connection = accept_within(&listener, Duration::from_millis(200));
                (first, second, second_connection.is_some())
            })
        };

        let agent = agent(global);
        for (i, seed) in [0x0123_4567_89ab_cdefu64, 42].into_iter().enumerate() {
            let mut masked = body.clone();
            apply_mask(seed, 0, &mut masked);
            let req = ureq::http::Request::post(format!("{url}/login"))
                .header(
                    "Authorization",
                    [b"Bearer ".as_slice(), PLACEHOLDER].concat(),
                )
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(masked)
                .unwrap();
            let ex = Exchange {
                limits: CallLimits::none(),
                swaps: vec![(PLACEHOLDER.to_vec(), TOKEN.to_vec())],
                mask_seed: Some(seed),
            };
            let (status, got) = call(&agent, req, ex).expect("the call");
            assert_eq!(status, 200, "call {i}");
            assert_eq!(got, answer, "call {i}");
            if i == 0 {
                // ureq-proto logged the answer's body: masked.
                let mut masked = answer.clone();
                apply_mask(incoming_seed(seed), 0, &mut masked);
                assert!(find(&logged_bytes(thread::current().id()), &masked).is_some());
            }
        }

        let (first, second, second_connection) = served.join().unwrap();
        assert!(!second_connection, "both requests use one connection");
        for request in [&first, &second] {
            let auth = [b"authorization: Bearer ".as_slice(), TOKEN].concat();
            let text = String::from_utf8_lossy(request).to_string();
            assert!(
                text.contains(std::str::from_utf8(&auth).unwrap()),
                "the server got the real token: {text}"
            );
            assert!(
                request.ends_with(&body),
                "the server got the real body: {text}"
            );
            assert!(find(request, PLACEHOLDER).is_none());
        }

        let me = thread::current().id();
        let logged = logged_bytes(me);
        // The logs are there: the heads, with the placeholder.
        assert!(find(&logged, b"POST /login HTTP/1.1\r\n").is_some());
        assert!(find(&logged, b"HTTP/1.1 200 OK\r\n").is_some());
        assert!(find(&logged, PLACEHOLDER).is_some());
        assert!(find(&logged, b"19;ext=1\r\n").is_some(), "chunk sizes stay");
        let logged_hex = to_hex(&logged);
        let records = RECORDS.lock().unwrap();
        for secret in [TOKEN, PASSWORD, ANSWER] {
            assert!(find(&logged, secret).is_none());
            assert!(!logged_hex.contains(&to_hex(secret)));
            for (_, _, text) in records.iter() {
                assert!(!text.contains(std::str::from_utf8(secret).unwrap()));
                assert!(!text.contains(&to_hex(secret)));
            }
        }
    }

    #[test]
    fn secrets_stay_out_of_logs_with_phase_timeouts() {
        secrets_stay_out_of_logs(None);
    }

    #[test]
    fn secrets_stay_out_of_logs_under_a_global_timeout() {
        // ureq then names the global timeout for every phase: the head is found by
        // where the connection is, not by the timeout's reason.
        secrets_stay_out_of_logs(Some(Duration::from_secs(4)));
    }

    #[test]
    fn without_an_exchange_nothing_is_masked_or_limited() {
        let (listener, url) = server();
        let served = thread::spawn(move || {
            let mut s = accept_within(&listener, Duration::from_secs(5)).expect("a client");
            let mut buf = Vec::new();
            let mut requests = Vec::new();
            for answer in [
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst".as_slice(),
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecond\r\n0\r\n\r\n",
            ] {
                requests.push(read_request(&mut s, &mut buf).expect("a request"));
                s.write_all(answer).unwrap();
            }
            let again = accept_within(&listener, Duration::from_millis(200)).is_some();
            (requests, again)
        });
        let agent = agent(None);
        for want in [b"first".as_slice(), b"second"] {
            let req = ureq::http::Request::post(format!("{url}/p"))
                .header("Authorization", "Bearer PLAIN")
                .body(b"a=b".to_vec())
                .unwrap();
            let mut response = agent.run(req).unwrap();
            let body = response.body_mut().read_to_vec().unwrap();
            assert_eq!(body, want);
        }
        let (requests, again) = served.join().unwrap();
        assert!(!again, "one connection");
        for r in requests {
            assert!(find(&r, b"authorization: Bearer PLAIN\r\n").is_some());
            assert!(r.ends_with(b"\r\n\r\na=b"), "the body as it was");
        }
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
        Exchange {
            limits,
            swaps: Vec::new(),
            mask_seed: Some(9),
        }
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
        let agent = agent(None);
        let cancel = CancelToken::new();
        let canceller = {
            let cancel = cancel.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(100));
                cancel.cancel();
            })
        };
        let started = Instant::now();
        let limits = CallLimits {
            cancel: Some(cancel),
            ..CallLimits::none()
        };
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
        let agent = agent(None);
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
