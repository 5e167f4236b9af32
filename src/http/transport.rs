//! A thin layer over ureq's own transport (TCP, then TLS when https) that removes
//! per-request system calls ureq would otherwise make on a kept-alive connection:
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
#![forbid(unsafe_code)]

use std::fmt;

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Timeout;

/// Wraps whatever transport the chain before it made.
#[derive(Debug, Default)]
pub(crate) struct Frugal;

impl<In: Transport> Connector<In> for Frugal {
    type Out = FrugalTransport<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| FrugalTransport {
            inner,
            pending: Vec::new(),
            fresh: false,
        }))
    }
}

pub(crate) struct FrugalTransport<T> {
    inner: T,
    /// The request head, held back until the body (or the wait for the answer).
    pending: Vec<u8>,
    /// True right after a completed exchange: the next liveness probe is the one made
    /// when the connection is put back in the pool, and is skipped.
    fresh: bool,
}

impl<T> fmt::Debug for FrugalTransport<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrugalTransport").finish_non_exhaustive()
    }
}

/// The grid timeouts are rounded up to.
const TIMEOUT_STEP_NANOS: u128 = 100_000_000;

/// Rounds a timeout up to a multiple of 100 ms, so that it stays the same from call
/// to call.
fn steady(mut t: NextTimeout) -> NextTimeout {
    if let UreqDuration::Exact(d) = t.after {
        let steps = d.as_nanos().div_ceil(TIMEOUT_STEP_NANOS);
        let nanos = u64::try_from(steps * TIMEOUT_STEP_NANOS).unwrap_or(u64::MAX);
        t.after = UreqDuration::Exact(std::time::Duration::from_nanos(nanos));
    }
    t
}

impl<T: Transport> FrugalTransport<T> {
    /// Sends the held-back head, if any, in front of `amount` bytes already in the
    /// output buffer.
    fn send_with_pending(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> Result<(), ureq::Error> {
        let head = self.pending.len();
        if head == 0 {
            return self.inner.transmit_output(amount, timeout);
        }
        let output = self.inner.buffers().output();
        if head + amount <= output.len() {
            output.copy_within(0..amount, head);
            output[..head].copy_from_slice(&self.pending);
            self.pending.clear();
            self.inner.transmit_output(head + amount, timeout)
        } else {
            // Too big to join: send the head on its own first.
            let body: Vec<u8> = output[..amount].to_vec();
            self.flush(timeout)?;
            let output = self.inner.buffers().output();
            output[..amount].copy_from_slice(&body);
            self.inner.transmit_output(amount, timeout)
        }
    }

    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let head = std::mem::take(&mut self.pending);
        let output = self.inner.buffers().output();
        if head.len() <= output.len() {
            output[..head.len()].copy_from_slice(&head);
            self.inner.transmit_output(head.len(), timeout)
        } else {
            for part in head.chunks(output.len().max(1)) {
                let output = self.inner.buffers().output();
                output[..part.len()].copy_from_slice(part);
                self.inner.transmit_output(part.len(), timeout)?;
            }
            Ok(())
        }
    }
}

impl<T: Transport> Transport for FrugalTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.fresh = false;
        let timeout = steady(timeout);
        if timeout.reason == Timeout::SendRequest {
            // The head: hold it back until the body or the wait for the answer.
            let output = self.inner.buffers().output();
            self.pending.extend_from_slice(&output[..amount]);
            return Ok(());
        }
        self.send_with_pending(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = steady(timeout);
        self.flush(timeout)?;
        let progress = self.inner.await_input(timeout)?;
        self.fresh = true;
        Ok(progress)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        if self.inner.buffers().can_use_input() && self.pending.is_empty() {
            return Ok(true);
        }
        self.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        if !self.pending.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
