//! Per-call options: an overall deadline and a cancellation handle another thread
//! can trigger.
#![forbid(unsafe_code)]

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A handle that cancels the calls it is given to, from any thread.
///
/// Clones share one flag: keep one clone, pass another in [`CallOptions`], and call
/// [`cancel`](CancelToken::cancel) to end the call. A cancelled call returns
/// [`Error::Cancelled`](crate::Error::Cancelled) within about 100 ms, drops the
/// connection it was using (no half-read answer goes back to the pool) and leaves the
/// client usable. A token stays cancelled: later calls given it fail at once.
///
/// ```
/// use std::time::Duration;
/// use tokenbridge::{CallOptions, CancelToken};
///
/// let cancel = CancelToken::new();
/// let options = CallOptions::new()
///     .deadline(Duration::from_secs(5))
///     .cancel_token(cancel.clone());
/// // hand `cancel` to another thread; `cancel.cancel()` ends the call.
/// assert!(!cancel.is_cancelled());
/// cancel.cancel();
/// assert!(cancel.is_cancelled());
/// # let _ = options;
/// ```
#[derive(Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A new token, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every call that was given this token (or a clone of it), now and later.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`cancel`](CancelToken::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CancelToken")
            .field(&self.is_cancelled())
            .finish()
    }
}

/// Options for one call: an overall deadline and a cancellation handle.
///
/// The deadline covers the whole call: a login or refresh it needs, every retry and
/// its backoff, and reading the answer. Per-phase timeouts of the [`Config`]
/// (connect, send, receive) still apply inside it.
///
/// [`Config`]: crate::Config
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    pub(crate) deadline: Option<Duration>,
    pub(crate) cancel: Option<CancelToken>,
}

impl CallOptions {
    /// No deadline, no cancellation (the per-phase timeouts of the `Config` apply).
    pub fn new() -> Self {
        Self::default()
    }

    /// The longest the whole call may take, counted from its start.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }

    /// A token that cancels the call when another thread calls
    /// [`CancelToken::cancel`].
    pub fn cancel_token(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// The instant the deadline falls on, for a call starting now.
    pub(crate) fn start(&self) -> CallLimits {
        CallLimits {
            deadline: self.deadline.map(|d| Instant::now() + d),
            budget: self.deadline,
            cancel: self.cancel.clone(),
            pid: std::process::id(),
        }
    }
}

/// A call's limits once it has started: the deadline as an instant.
#[derive(Clone, Debug, Default)]
pub(crate) struct CallLimits {
    pub deadline: Option<Instant>,
    /// The deadline as it was given, for messages.
    pub budget: Option<Duration>,
    pub cancel: Option<CancelToken>,
    /// The process the call started in (0: not known), read once per call: the token
    /// cache and the agent each compare it with the pid they saw last, to start over
    /// in a forked child. `getpid` is a system call; it was made twice per call.
    /// A call runs whole in one process: only the forking thread lives on in a child.
    pub pid: u32,
}

impl CallLimits {
    /// No limits.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether the call was cancelled.
    pub fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// The process the call runs in.
    pub fn pid(&self) -> u32 {
        match self.pid {
            0 => std::process::id(),
            pid => pid,
        }
    }

    /// Time left before the deadline (`None` without one; zero once it passed).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }
}
