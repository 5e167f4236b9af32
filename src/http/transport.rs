//! A thin layer over ureq's own transport (TCP, then TLS when https). It sees the
//! plaintext HTTP bytes and does three jobs.
//!
//! **Fewer system calls** on a kept-alive connection:
//!
//! * the request head and a body are sent in one write, not two;
//! * socket timeouts are handed down rounded up to a multiple of 100 ms (at most
//!   100 ms later than asked), so ureq does not reset `SO_RCVTIMEO`/`SO_SNDTIMEO` on
//!   every call as the remaining time shrinks by microseconds;
//! * of the two liveness probes per request (when a connection goes back to the pool,
//!   and when it is taken out), only the one at checkout is made — the one that can
//!   see a connection the server closed while it was idle.
//!
//! Measured on loopback (see BENCHMARKS.md): ~12 system calls per request down to ~5.
//!
//! **An overall deadline and cancellation**, without a thread per call. The HTTP layer
//! sets the calling thread's current [`Exchange`] around each attempt
//! ([`with_exchange`]); ureq does all its I/O on that thread, so this layer reads the
//! call's limits from there. With limits, reads wait in slices of 100 ms and check
//! between slices whether the call was cancelled or its deadline passed; the error is
//! then an [`io::Error`] carrying [`Cancelled`] or [`DeadlinePassed`], and the
//! connection is not put back in the pool.
//!
//! **No secret in a log record of ureq-proto.** ureq-proto logs at TRACE every request
//! head and body it writes and every response head and body chunk it reads, as hex and
//! ASCII rows. So the HTTP layer gives ureq placeholders and masked bytes, and the
//! secrets exist only below ureq-proto, here:
//!
//! * in the request head, each placeholder of [`Exchange::swaps`] is replaced by the
//!   real value just before the head goes to the socket;
//! * the request body comes XOR-masked ([`apply_mask`] with the exchange's seed) and
//!   is unmasked just before it goes to the socket;
//! * the body bytes of each response are masked (with [`incoming_seed`]) as they come
//!   in, before ureq-proto sees them; the HTTP layer unmasks what ureq's body reader
//!   gives it. A small, strict framing tracker ([`Rx`]) finds those bytes: response
//!   heads, chunk-size lines and trailers stay as they are.
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Timeout;

use super::options::CallLimits;

// ---------------------------------------------------------------------------------
// The current exchange
// ---------------------------------------------------------------------------------

/// What this layer needs to know about the attempt running on the calling thread.
///
/// Set with [`with_exchange`] around `agent.run(..)` *and* the reading of the body.
pub(crate) struct Exchange {
    /// The call's deadline and cancel token. Without either, reads and writes are not
    /// sliced (Frugal's behaviour).
    pub limits: CallLimits,
    /// For the request head: placeholder → real bytes (same length). Every occurrence
    /// of each placeholder in the head is replaced just before the head is sent.
    pub swaps: Vec<(Vec<u8>, Vec<u8>)>,
    /// `None`: no masking in either direction. `Some(seed)`: the request body ureq is
    /// given is masked with `apply_mask(seed, ..)`, and the response body ureq hands
    /// back is masked with `apply_mask(incoming_seed(seed), ..)`; both streams start
    /// at offset 0.
    pub mask_seed: Option<u64>,
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exchange")
            .field("limits", &self.limits)
            .field("swaps", &self.swaps.len())
            .field("mask_seed", &self.mask_seed.map(|_| "***"))
            .finish()
    }
}

thread_local! {
    /// The exchange running on this thread, if any.
    static CURRENT: RefCell<Option<Exchange>> = const { RefCell::new(None) };
}

/// Puts the previous exchange back when dropped (also while unwinding).
struct Restore(Option<Exchange>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        let _ = CURRENT.try_with(|c| {
            if let Ok(mut slot) = c.try_borrow_mut() {
                *slot = previous;
            }
        });
    }
}

/// Runs `f` with `ex` as this thread's current exchange; the previous one (if any) is
/// restored afterwards, also when `f` panics.
pub(crate) fn with_exchange<R>(ex: Exchange, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT
        .try_with(|c| {
            c.try_borrow_mut()
                .ok()
                .and_then(|mut slot| slot.replace(ex))
        })
        .ok()
        .flatten();
    let _restore = Restore(previous);
    f()
}

/// Why a call is to stop now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// Its cancel token fired.
    Cancelled,
    /// Its deadline passed.
    Deadline,
}

/// What the current exchange's limits say right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// No exchange, or one without limits: do as Frugal does.
    Free,
    /// Limits that have not struck yet: wait in slices (the deadline, if any).
    Limited(Option<Instant>),
    /// Stop the call.
    Stop(Stop),
}

/// Checks the current exchange's limits.
fn gate() -> Gate {
    CURRENT
        .try_with(|c| match c.try_borrow() {
            Ok(slot) => match slot.as_ref() {
                Some(ex) => gate_of(&ex.limits),
                None => Gate::Free,
            },
            Err(_) => Gate::Free,
        })
        .unwrap_or(Gate::Free)
}

/// What `limits` say right now.
fn gate_of(limits: &CallLimits) -> Gate {
    if limits.cancelled() {
        return Gate::Stop(Stop::Cancelled);
    }
    match limits.deadline {
        Some(d) if Instant::now() >= d => Gate::Stop(Stop::Deadline),
        Some(d) => Gate::Limited(Some(d)),
        None if limits.cancel.is_some() => Gate::Limited(None),
        None => Gate::Free,
    }
}

/// The error a stopped call returns.
fn stop_error(stop: Stop) -> ureq::Error {
    match stop {
        Stop::Cancelled => ureq::Error::Io(io::Error::other(Cancelled)),
        Stop::Deadline => ureq::Error::Io(io::Error::new(io::ErrorKind::TimedOut, DeadlinePassed)),
    }
}

/// The call was cancelled through its [`CancelToken`](super::options::CancelToken).
///
/// Carried by an [`io::Error`] of kind `Other` inside `ureq::Error::Io` (or, from the
/// body reader, the `io::Error` itself): find it with
/// `io_err.get_ref().and_then(|e| e.downcast_ref::<Cancelled>())`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the call was cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// The call's overall deadline passed.
///
/// Carried by an [`io::Error`] of kind `TimedOut`, found the same way as [`Cancelled`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DeadlinePassed;

impl fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the call's deadline passed")
    }
}

impl std::error::Error for DeadlinePassed {}

// ---------------------------------------------------------------------------------
// The keystream
// ---------------------------------------------------------------------------------

/// The splitmix64 increment.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64's finaliser: a cheap bijection that spreads every input bit.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The keystream's 8 bytes at stream position `8 * block`.
#[inline]
fn block_key(seed: u64, block: u64) -> [u8; 8] {
    mix(seed.wrapping_add(block.wrapping_add(1).wrapping_mul(GOLDEN))).to_le_bytes()
}

/// XORs `bytes` with the keystream of `seed`, `bytes[0]` being at stream position
/// `offset`. Applying it twice restores the bytes, and a stream may be processed in
/// pieces of any size. This keeps secrets out of log records; it is no encryption.
pub(crate) fn apply_mask(seed: u64, offset: u64, bytes: &mut [u8]) {
    let mut block = offset / 8;
    let skip = (offset % 8) as usize;
    let mut rest = bytes;
    if skip != 0 {
        let key = block_key(seed, block);
        let n = (8 - skip).min(rest.len());
        let (head, tail) = rest.split_at_mut(n);
        for (b, k) in head.iter_mut().zip(&key[skip..]) {
            *b ^= k;
        }
        rest = tail;
        block = block.wrapping_add(1);
    }
    let mut chunks = rest.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let key = block_key(seed, block);
        for (b, k) in chunk.iter_mut().zip(key) {
            *b ^= k;
        }
        block = block.wrapping_add(1);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let key = block_key(seed, block);
        for (b, k) in tail.iter_mut().zip(key) {
            *b ^= k;
        }
    }
}

/// The seed response bodies are masked with, for an exchange masked with `seed`.
pub(crate) fn incoming_seed(seed: u64) -> u64 {
    mix(seed ^ 0x5DEE_CE66_D1CE_4E5B)
}

// ---------------------------------------------------------------------------------
// The connector and the transport
// ---------------------------------------------------------------------------------

/// Wraps whatever transport the chain before it made.
#[derive(Debug, Default)]
pub(crate) struct Frugal;

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
        Ok(Some(FrugalTransport::new(
            inner,
            details.config.input_buffer_size(),
        )))
    }
}

/// The transport [`Frugal`] makes. It owns the input buffer ureq reads from (so it can
/// mask response bodies in it); output and scratch space are the inner transport's.
pub(crate) struct FrugalTransport<T> {
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
    /// ureq's configured input buffer size: more unread input than this is not read.
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

/// The first position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Replaces every occurrence of each placeholder in `head` by its real bytes.
fn apply_swaps(head: &mut Vec<u8>, swaps: &[(Vec<u8>, Vec<u8>)]) {
    for (placeholder, real) in swaps {
        if placeholder.is_empty() {
            // An empty value: nothing to swap.
            continue;
        }
        debug_assert_eq!(
            placeholder.len(),
            real.len(),
            "a placeholder of another length"
        );
        let mut from = 0;
        let mut found = false;
        while let Some(at) = head.get(from..).and_then(|h| find(h, placeholder)) {
            let at = from + at;
            let end = at + placeholder.len();
            if placeholder.len() == real.len() {
                head[at..end].copy_from_slice(real);
            } else {
                head.splice(at..end, real.iter().copied());
            }
            from = at + real.len();
            found = true;
        }
        debug_assert!(found, "a placeholder is not in the request head");
    }
}

/// What a request's method means for the framing of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReqMethod {
    /// `HEAD`: no answer has a body.
    Head,
    /// `CONNECT`: a 2xx answer has no body.
    Connect,
    /// Anything else.
    Other,
}

/// The method of a request head: its first token.
fn request_method(head: &[u8]) -> ReqMethod {
    let token = head.split(|b| *b == b' ').next().unwrap_or_default();
    match token {
        b"HEAD" => ReqMethod::Head,
        b"CONNECT" => ReqMethod::Connect,
        _ => ReqMethod::Other,
    }
}

impl<T: Transport> FrugalTransport<T> {
    /// A transport over `inner`; `input_cap` is ureq's input buffer size.
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
        let seed = CURRENT
            .try_with(|c| match c.try_borrow() {
                Ok(slot) => slot.as_ref().and_then(|ex| {
                    apply_swaps(head, &ex.swaps);
                    ex.mask_seed
                }),
                Err(_) => None,
            })
            .ok()
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

// ---------------------------------------------------------------------------------
// Response framing
// ---------------------------------------------------------------------------------

/// The longest response head line kept while looking for the end of a head; ureq
/// refuses heads over 64 KiB by default anyway.
const HEAD_LINE_LIMIT: usize = 256 * 1024;

/// The longest chunk-size line ureq-proto accepts (without its CRLF).
const CHUNK_SIZE_LINE_LIMIT: usize = 20;

/// Follows the framing of the answers on a connection and masks their body bytes in
/// place, never changing the number or positions of bytes.
///
/// It mirrors how ureq-proto frames an answer (httparse for the head, then
/// `BodyReader::for_response` and its dechunker). Whatever it cannot follow, it stops
/// masking for (ureq fails on such an answer anyway): it never panics and each step
/// takes at least one byte.
#[derive(Debug)]
struct Rx {
    /// The seed body bytes are masked with; `None`: no masking, no tracking.
    seed: Option<u64>,
    /// The method of the request being answered.
    method: ReqMethod,
    /// Where in the stream we are.
    state: RxState,
    /// The head line being read (without its line end).
    line: Vec<u8>,
}

impl Default for Rx {
    fn default() -> Self {
        Rx {
            seed: None,
            method: ReqMethod::Other,
            state: RxState::Opaque,
            line: Vec::new(),
        }
    }
}

/// Where in the stream of answers an [`Rx`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RxState {
    /// Reading a response head.
    Head(HeadScan),
    /// In a body of known length: bytes left, stream position of the next one.
    Length { left: u64, off: u64 },
    /// In a chunked body.
    Chunked { at: ChunkAt, off: u64 },
    /// In a body that ends when the connection does.
    Close { off: u64 },
    /// Not masking (lost track, or no masking asked).
    Opaque,
}

/// What a response head said so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeadScan {
    /// Past the empty lines httparse skips, into the status line.
    started: bool,
    /// The status code.
    status: u16,
    /// `HTTP/1.0`.
    http10: bool,
    /// The Content-Length, if one.
    content_length: Option<u64>,
    /// A Content-Length ureq-proto refuses (bad value, or values that differ).
    content_length_bad: bool,
    /// `Transfer-Encoding` names `chunked`.
    chunked: bool,
}

impl HeadScan {
    /// A head not started yet.
    const NEW: HeadScan = HeadScan {
        started: false,
        status: 0,
        http10: false,
        content_length: None,
        content_length_bad: false,
        chunked: false,
    };
}

/// Where in a chunked body a dechunker is (as ureq-proto's `Dechunker`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChunkAt {
    /// The chunk-size line: the bytes before its `\r`, how many.
    Size([u8; CHUNK_SIZE_LINE_LIMIT], usize),
    /// The `\n` after the size line's `\r`.
    SizeLf([u8; CHUNK_SIZE_LINE_LIMIT], usize),
    /// Data bytes left in this chunk.
    Data(u64),
    /// The `\r` after a chunk's data.
    DataCr,
    /// The `\n` after a chunk's data.
    DataLf,
    /// After the last chunk: a trailer line or the final empty line.
    Ending,
    /// The `\n` of the final empty line.
    EndingLf,
    /// Inside a trailer line.
    Trailer,
    /// The `\n` ending a trailer line.
    TrailerLf,
}

/// Strips optional whitespace (SP / HTAB) from both ends.
fn trim_ows(mut b: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = b {
        b = rest;
    }
    b
}

/// Parses a status line: `(HTTP/1.0, status)`.
fn parse_status_line(line: &[u8]) -> Option<(bool, u16)> {
    let rest = line.strip_prefix(b"HTTP/1.")?;
    let (minor, rest) = rest.split_first()?;
    let http10 = match minor {
        b'0' => true,
        b'1' => false,
        _ => return None,
    };
    let rest = trim_ows(rest);
    let code = rest.get(..3)?;
    if !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    Some((http10, status))
}

impl Rx {
    /// Starts on the answer to a request with `method`, masking with `seed`.
    fn reset(&mut self, method: ReqMethod, seed: Option<u64>) {
        self.seed = seed;
        self.method = method;
        self.line.clear();
        self.state = if seed.is_some() {
            RxState::Head(HeadScan::NEW)
        } else {
            RxState::Opaque
        };
    }

    /// Masks the body bytes in `buf`, the next bytes of the stream.
    fn feed(&mut self, buf: &mut [u8]) {
        let Some(seed) = self.seed else {
            return;
        };
        let mut i = 0;
        while i < buf.len() {
            let rest = &mut buf[i..];
            match self.state {
                RxState::Opaque => return,
                RxState::Close { off } => {
                    apply_mask(seed, off, rest);
                    self.state = RxState::Close {
                        off: off.wrapping_add(rest.len() as u64),
                    };
                    return;
                }
                RxState::Length { left, off } => {
                    let n = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    apply_mask(seed, off, &mut rest[..n]);
                    i += n;
                    self.state = if left == n as u64 {
                        self.next_head()
                    } else {
                        RxState::Length {
                            left: left - n as u64,
                            off: off.wrapping_add(n as u64),
                        }
                    };
                }
                RxState::Chunked { at, off } => {
                    i += self.feed_chunked(seed, at, off, rest);
                }
                RxState::Head(scan) => {
                    i += self.feed_head(scan, rest);
                }
            }
        }
    }

    /// The state at the start of the next answer's head.
    fn next_head(&mut self) -> RxState {
        self.line.clear();
        RxState::Head(HeadScan::NEW)
    }

    /// Reads head bytes up to the end of a line; returns how many were taken (≥ 1).
    fn feed_head(&mut self, mut scan: HeadScan, rest: &[u8]) -> usize {
        let Some(nl) = rest.iter().position(|b| *b == b'\n') else {
            self.line.extend_from_slice(rest);
            if self.line.len() > HEAD_LINE_LIMIT {
                self.state = RxState::Opaque;
            }
            return rest.len();
        };
        self.line.extend_from_slice(&rest[..nl]);
        let taken = nl + 1;
        // httparse ends a line with "\r\n" or "\n"; a "\r" anywhere else is an error.
        if self.line.last() == Some(&b'\r') {
            self.line.pop();
        }
        if self.line.contains(&b'\r') || self.line.len() > HEAD_LINE_LIMIT {
            self.state = RxState::Opaque;
            return taken;
        }
        let line = std::mem::take(&mut self.line);
        self.state = self.head_line(&mut scan, &line);
        self.line = line;
        self.line.clear();
        taken
    }

    /// Takes in one whole head line (without its line end).
    fn head_line(&mut self, scan: &mut HeadScan, line: &[u8]) -> RxState {
        if !scan.started {
            if line.is_empty() {
                // httparse skips empty lines before the status line.
                return RxState::Head(*scan);
            }
            let Some((http10, status)) = parse_status_line(line) else {
                return RxState::Opaque;
            };
            scan.started = true;
            scan.http10 = http10;
            scan.status = status;
            return RxState::Head(*scan);
        }
        if line.is_empty() {
            return self.head_end(scan);
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            // httparse refuses it; so will ureq.
            return RxState::Head(*scan);
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.eq_ignore_ascii_case(b"content-length") {
            for element in value.split(|b| *b == b',') {
                let digits = trim_ows(element);
                let n = if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) {
                    std::str::from_utf8(digits)
                        .ok()
                        .and_then(|s| s.parse::<u64>().ok())
                } else {
                    None
                };
                match n {
                    Some(n) if scan.content_length.is_none_or(|prev| prev == n) => {
                        scan.content_length = Some(n);
                    }
                    _ => scan.content_length_bad = true,
                }
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            // ureq-proto looks only at values that are visible ASCII (`to_str`).
            let visible = value
                .iter()
                .all(|b| *b == b'\t' || (0x20..0x7f).contains(b));
            if visible
                && value
                    .split(|b| *b == b',')
                    .any(|e| trim_ows(e).eq_ignore_ascii_case(b"chunked"))
            {
                scan.chunked = true;
            }
        }
        RxState::Head(*scan)
    }

    /// The head is complete: what follows it (as `BodyReader::for_response` decides).
    fn head_end(&mut self, scan: &HeadScan) -> RxState {
        let status = scan.status;
        if status == 101 || status < 100 || scan.content_length_bad {
            // A switch of protocols, or an answer ureq refuses: stop following.
            return RxState::Opaque;
        }
        if status < 200 {
            // 100 Continue, 102, 103…: another head follows.
            return self.next_head();
        }
        let no_body = self.method == ReqMethod::Head
            || (self.method == ReqMethod::Connect && (200..300).contains(&status))
            || status == 204
            || status == 304;
        if no_body {
            return self.next_head();
        }
        if scan.chunked && !scan.http10 {
            return RxState::Chunked {
                at: ChunkAt::Size([0; CHUNK_SIZE_LINE_LIMIT], 0),
                off: 0,
            };
        }
        match scan.content_length {
            Some(0) => self.next_head(),
            Some(left) => RxState::Length { left, off: 0 },
            None => RxState::Close { off: 0 },
        }
    }

    /// Takes chunked-body bytes; returns how many (≥ 1).
    fn feed_chunked(&mut self, seed: u64, at: ChunkAt, off: u64, rest: &mut [u8]) -> usize {
        let mut take = 1;
        let b = rest[0];
        let next = match at {
            ChunkAt::Size(mut size, len) => {
                if b == b'\r' {
                    ChunkAt::SizeLf(size, len)
                } else if len < CHUNK_SIZE_LINE_LIMIT {
                    size[len] = b;
                    ChunkAt::Size(size, len + 1)
                } else {
                    // ureq-proto refuses a longer size line.
                    self.state = RxState::Opaque;
                    return take;
                }
            }
            ChunkAt::SizeLf(size, len) => {
                if b != b'\n' {
                    self.state = RxState::Opaque;
                    return take;
                }
                // As ureq-proto: the hex number before any ';', trimmed.
                let line = &size[..len];
                let end = line.iter().position(|c| *c == b';').unwrap_or(len);
                let parsed = std::str::from_utf8(&line[..end])
                    .ok()
                    .and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
                match parsed {
                    Some(0) => ChunkAt::Ending,
                    Some(n) => ChunkAt::Data(n as u64),
                    None => {
                        self.state = RxState::Opaque;
                        return take;
                    }
                }
            }
            ChunkAt::Data(left) => {
                let n = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                apply_mask(seed, off, &mut rest[..n]);
                take = n;
                let off = off.wrapping_add(n as u64);
                let at = if left == n as u64 {
                    ChunkAt::DataCr
                } else {
                    ChunkAt::Data(left - n as u64)
                };
                self.state = RxState::Chunked { at, off };
                return take;
            }
            ChunkAt::DataCr if b == b'\r' => ChunkAt::DataLf,
            ChunkAt::DataLf if b == b'\n' => ChunkAt::Size([0; CHUNK_SIZE_LINE_LIMIT], 0),
            ChunkAt::Ending if b == b'\r' => ChunkAt::EndingLf,
            ChunkAt::Ending => ChunkAt::Trailer,
            ChunkAt::EndingLf if b == b'\n' => {
                self.state = self.next_head();
                return take;
            }
            ChunkAt::Trailer if b == b'\r' => ChunkAt::TrailerLf,
            ChunkAt::Trailer => ChunkAt::Trailer,
            ChunkAt::TrailerLf if b == b'\n' => ChunkAt::Ending,
            ChunkAt::DataCr | ChunkAt::DataLf | ChunkAt::EndingLf | ChunkAt::TrailerLf => {
                self.state = RxState::Opaque;
                return take;
            }
        };
        self.state = RxState::Chunked { at: next, off };
        take
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Mutex, OnceLock};
    use std::thread::{self, ThreadId};

    use ureq::unversioned::resolver::DefaultResolver;
    use ureq::unversioned::transport::DefaultConnector;

    use crate::http::options::CancelToken;

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

    // ---- the keystream --------------------------------------------------------

    /// A small deterministic generator for test data.
    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    #[test]
    fn mask_round_trips_in_any_pieces() {
        let mut rng = 7;
        let plain: Vec<u8> = (0..300).map(|_| lcg(&mut rng) as u8).collect();
        for seed in [0, 1, u64::MAX, 0x1234_5678_9abc_def0] {
            let mut whole = plain.clone();
            apply_mask(seed, 0, &mut whole);
            assert_ne!(whole, plain);
            // The same stream masked in pieces of every size, at every start.
            for start in [0usize, 1, 7, 8, 9, 63] {
                for piece in 1..=20 {
                    let mut parts = plain[start..].to_vec();
                    let mut at = 0;
                    while at < parts.len() {
                        let end = (at + piece).min(parts.len());
                        apply_mask(seed, (start + at) as u64, &mut parts[at..end]);
                        at = end;
                    }
                    assert_eq!(
                        parts,
                        whole[start..],
                        "seed {seed} start {start} piece {piece}"
                    );
                    apply_mask(seed, start as u64, &mut parts);
                    assert_eq!(parts, plain[start..]);
                }
            }
            // Far into a stream, and near the end of the offsets.
            for offset in [1u64 << 40, u64::MAX - 20] {
                let mut a = plain[..21].to_vec();
                apply_mask(seed, offset, &mut a);
                let mut b = plain[..21].to_vec();
                apply_mask(seed, offset, &mut b[..5]);
                apply_mask(seed, offset + 5, &mut b[5..]);
                assert_eq!(a, b);
                apply_mask(seed, offset, &mut a);
                assert_eq!(a, plain[..21]);
            }
        }
        assert_ne!(incoming_seed(1), 1);
        assert_ne!(incoming_seed(1), incoming_seed(2));
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        apply_mask(1, 0, &mut a);
        apply_mask(incoming_seed(1), 0, &mut b);
        assert_ne!(a, b);
    }

    // ---- the framing tracker --------------------------------------------------

    /// A piece of a response stream: framing (kept as it is) or body (masked).
    #[derive(Clone, Copy)]
    enum P<'a> {
        F(&'a [u8]),
        B(&'a [u8]),
    }
    use P::{B, F};

    const SEED: u64 = 0xfeed_f00d;

    /// The stream, and what the tracker must make of it: each response's body bytes
    /// masked from offset 0.
    fn stream(responses: &[Vec<P<'_>>]) -> (Vec<u8>, Vec<u8>) {
        let (mut plain, mut masked) = (Vec::new(), Vec::new());
        for response in responses {
            let mut off = 0u64;
            for part in response {
                match *part {
                    F(b) => {
                        plain.extend_from_slice(b);
                        masked.extend_from_slice(b);
                    }
                    B(b) => {
                        plain.extend_from_slice(b);
                        let mut m = b.to_vec();
                        apply_mask(SEED, off, &mut m);
                        off += b.len() as u64;
                        masked.extend_from_slice(&m);
                    }
                }
            }
        }
        (plain, masked)
    }

    /// Feeds `plain` split at every position (and byte by byte) and checks the result.
    fn check_framing(method: ReqMethod, responses: &[Vec<P<'_>>]) {
        let (plain, want) = stream(responses);
        let run = |cuts: &[usize]| {
            let mut rx = Rx::default();
            rx.reset(method, Some(SEED));
            let mut out = plain.clone();
            let mut from = 0;
            for &cut in cuts.iter().chain([&plain.len()]) {
                rx.feed(&mut out[from..cut]);
                from = cut;
            }
            out
        };
        for k in 0..=plain.len() {
            let out = run(&[k]);
            assert_eq!(out.len(), plain.len());
            assert!(
                out == want,
                "split at {k}:\n got {:?}\nwant {:?}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&want)
            );
        }
        let every: Vec<usize> = (1..plain.len()).collect();
        assert!(run(&every) == want, "byte by byte");
        // And the body bytes unmask to the original, per response.
        let mut at = 0;
        for response in responses {
            let (mut body, mut original) = (Vec::new(), Vec::new());
            for part in response {
                let (F(b) | B(b)) = *part;
                if let B(_) = part {
                    body.extend_from_slice(&want[at..at + b.len()]);
                    original.extend_from_slice(b);
                }
                at += b.len();
            }
            apply_mask(SEED, 0, &mut body);
            assert_eq!(body, original);
        }
    }

    #[test]
    fn framing_content_length() {
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length:  27 \r\n\r\n"),
                B(br#"{"access_token":"s3cr3t-x"}"#),
            ]],
        );
    }

    #[test]
    fn framing_chunked_with_extensions_and_trailers() {
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\nContent-Length: 3\r\n\r\n"),
                F(b"5;name=val\r\n"),
                B(b"hello"),
                F(b"\r\n"),
                F(b"0B\r\n"),
                B(b" world\r\n0\r\n"),
                F(b"\r\n"),
                F(b" 1 ; x=\"y\"\r\n"),
                B(b";"),
                F(b"\r\n"),
                F(b"0;last\r\n"),
                F(b"X-Trailer: t0ken\r\n"),
                F(b"X-Other: 1\r\n"),
                F(b"\r\n"),
            ]],
        );
    }

    #[test]
    fn framing_no_body_for_204_304_and_head() {
        check_framing(
            ReqMethod::Other,
            &[
                vec![F(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n")],
                vec![F(
                    b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                )],
                vec![
                    F(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"),
                    B(b"body"),
                ],
            ],
        );
        check_framing(
            ReqMethod::Head,
            &[
                vec![F(b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")],
                vec![F(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")],
            ],
        );
        check_framing(
            ReqMethod::Connect,
            &[
                vec![F(b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n")],
                vec![F(b"HTTP/1.1 407 No\r\nContent-Length: 2\r\n\r\n"), B(b"no")],
            ],
        );
    }

    #[test]
    fn framing_informational_then_final() {
        check_framing(
            ReqMethod::Other,
            &[
                vec![F(b"HTTP/1.1 100 Continue\r\n\r\n")],
                vec![F(b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")],
                vec![
                    F(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"),
                    B(b"data"),
                ],
            ],
        );
    }

    #[test]
    fn framing_close_delimited() {
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"),
                B(b"all of it\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
            ]],
        );
        // HTTP/1.0 ignores chunked.
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
                B(b"3\r\nabc\r\n0\r\n\r\n"),
            ]],
        );
    }

    #[test]
    fn framing_back_to_back_on_one_connection() {
        check_framing(
            ReqMethod::Other,
            &[
                vec![
                    F(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"),
                    B(b"first!"),
                ],
                vec![
                    // httparse skips empty lines before a status line, and takes
                    // bare LF line ends.
                    F(b"\r\n\nHTTP/1.1 201 Created\nTransfer-Encoding: chunked\n\n"),
                    F(b"6\r\n"),
                    B(b"second"),
                    F(b"\r\n0\r\n\r\n"),
                ],
                vec![
                    F(b"HTTP/1.0 200 OK\r\nContent-Length: 3,3\r\n\r\n"),
                    B(b"3rd"),
                ],
            ],
        );
    }

    #[test]
    fn framing_stops_masking_what_it_cannot_follow() {
        let bad: &[&[u8]] = &[
            b"HTTP/1.1 200 OK\r\nContent-Length: 5x\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n000000000000000000005\r\nhello",
            b"HTTP/1.1 101 Switching Protocols\r\n\r\nanything",
            b"HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            b"HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 2\r\n\r\nhi",
        ];
        for plain in bad {
            check_framing(ReqMethod::Other, &[vec![F(plain)]]);
        }
        // A chunk not followed by CRLF: the data is masked, what follows is not.
        check_framing(
            ReqMethod::Other,
            &[vec![
                F(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n"),
                B(b"ab"),
                F(b"cd\r\n0\r\n\r\n"),
            ]],
        );
        // Random bytes, alone or after a head: no panic, no change of length.
        let mut rng = 3;
        for round in 0..200 {
            let mut bytes: Vec<u8> = if round % 2 == 0 {
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()
            } else {
                Vec::new()
            };
            let alphabet = b"0123456789abcdefHTP/1. \r\n;:xX";
            for _ in 0..64 {
                bytes.push(alphabet[lcg(&mut rng) as usize % alphabet.len()]);
            }
            let mut rx = Rx::default();
            rx.reset(ReqMethod::Other, Some(SEED));
            let len = bytes.len();
            let cut = lcg(&mut rng) as usize % (len + 1);
            let (a, b) = bytes.split_at_mut(cut);
            rx.feed(a);
            rx.feed(b);
            assert_eq!(bytes.len(), len);
        }
    }

    #[test]
    fn framing_without_seed_changes_nothing() {
        let mut rx = Rx::default();
        rx.reset(ReqMethod::Other, None);
        let mut bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi".to_vec();
        rx.feed(&mut bytes);
        assert_eq!(bytes, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    }

    #[test]
    fn swaps_replace_every_placeholder() {
        let mut head = b"GET / HTTP/1.1\r\nA: PPPP\r\nB: PPPP QQ\r\n\r\n".to_vec();
        apply_swaps(
            &mut head,
            &[
                (b"PPPP".to_vec(), b"s3cr".to_vec()),
                (b"QQ".to_vec(), b"zz".to_vec()),
            ],
        );
        assert_eq!(head, b"GET / HTTP/1.1\r\nA: s3cr\r\nB: s3cr zz\r\n\r\n");
        apply_swaps(&mut head, &[(Vec::new(), Vec::new())]);
        assert_eq!(head, b"GET / HTTP/1.1\r\nA: s3cr\r\nB: s3cr zz\r\n\r\n");
        assert_eq!(request_method(b"HEAD / HTTP/1.1\r\n"), ReqMethod::Head);
        assert_eq!(
            request_method(b"CONNECT a:1 HTTP/1.1\r\n"),
            ReqMethod::Connect
        );
        assert_eq!(request_method(b"POST / HTTP/1.1\r\n"), ReqMethod::Other);
        assert_eq!(request_method(b""), ReqMethod::Other);
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

    #[test]
    fn exchange_is_restored_after_a_panic() {
        let ex = |seed| Exchange {
            limits: CallLimits::none(),
            swaps: Vec::new(),
            mask_seed: Some(seed),
        };
        let seed = || CURRENT.with(|c| c.borrow().as_ref().and_then(|e| e.mask_seed));
        with_exchange(ex(1), || {
            let r = std::panic::catch_unwind(|| with_exchange(ex(2), || panic!("boom")));
            assert!(r.is_err());
            assert_eq!(seed(), Some(1));
            with_exchange(ex(3), || assert_eq!(seed(), Some(3)));
            assert_eq!(seed(), Some(1));
        });
        assert_eq!(seed(), None);
        assert_eq!(gate(), Gate::Free);
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
            cancel: None,
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
