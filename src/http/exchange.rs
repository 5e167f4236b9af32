//! The attempt running on the calling thread: what the transport layer under ureq
//! needs to know about it, and when its limits stop it.
//!
//! The HTTP layer sets the calling thread's current [`Exchange`] around each attempt
//! ([`with_exchange`]); ureq does all its I/O on that thread, so the transport
//! ([`Bounded`]) and the resolver read the call's limits ([`gate`]) from there, without
//! a thread per call. A call cancelled or past its deadline ends with an [`io::Error`]
//! carrying [`Cancelled`] or [`DeadlinePassed`] ([`stop_error`]).
//!
//! [`Bounded`]: super::transport::Bounded
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use super::options::CallLimits;

/// What the transport needs to know about the attempt running on the calling thread.
///
/// Set with [`with_exchange`] around `agent.run(..)` *and* the reading of the body.
#[derive(Debug)]
pub(super) struct Exchange {
    /// The call's deadline and cancel token. Without either, waits are not sliced.
    limits: CallLimits,
}

impl Exchange {
    pub(super) fn new(limits: CallLimits) -> Exchange {
        Exchange { limits }
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
pub(super) fn with_exchange<R>(ex: Exchange, f: impl FnOnce() -> R) -> R {
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

/// The longest a wait under limits blocks before it looks at them again (the
/// transport's reads, the resolver's wait for a lookup): a cancel is seen within it.
pub(super) const SLICE: Duration = Duration::from_millis(100);

/// Why a call is to stop now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// Its cancel token fired.
    Cancelled,
    /// Its deadline passed.
    Deadline,
}

/// What the current exchange's limits say right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Gate {
    /// No exchange, or one without limits: wait as ureq asks.
    Free,
    /// Limits that have not struck yet: wait in slices (the deadline, if any).
    Limited(Option<Instant>),
    /// Stop the call.
    Stop(Stop),
}

/// Runs `f` on this thread's current exchange; `None` without one (or while it is
/// being replaced).
fn with_current<R>(f: impl FnOnce(&Exchange) -> R) -> Option<R> {
    CURRENT
        .try_with(|c| match c.try_borrow() {
            Ok(slot) => slot.as_ref().map(f),
            Err(_) => None,
        })
        .ok()
        .flatten()
}

/// Checks the current exchange's limits.
pub(super) fn gate() -> Gate {
    with_current(|ex| gate_of(&ex.limits)).unwrap_or(Gate::Free)
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
pub(super) fn stop_error(stop: Stop) -> ureq::Error {
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
pub(super) struct Cancelled;

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
pub(super) struct DeadlinePassed;

impl fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the call's deadline passed")
    }
}

impl std::error::Error for DeadlinePassed {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_is_restored_after_a_panic() {
        let cancelled = || {
            let cancel = super::super::options::CancelToken::new();
            cancel.cancel();
            Exchange::new(CallLimits {
                cancel: Some(cancel),
                ..CallLimits::none()
            })
        };
        with_exchange(cancelled(), || {
            let r = std::panic::catch_unwind(|| {
                with_exchange(Exchange::new(CallLimits::none()), || panic!("boom"))
            });
            assert!(r.is_err());
            assert_eq!(gate(), Gate::Stop(Stop::Cancelled));
            with_exchange(Exchange::new(CallLimits::none()), || {
                assert_eq!(gate(), Gate::Free)
            });
            assert_eq!(gate(), Gate::Stop(Stop::Cancelled));
        });
        assert_eq!(gate(), Gate::Free);
    }
}
