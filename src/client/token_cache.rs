//! The token cache every client keeps: log in when there is no token, refresh ahead
//! of expiry, one refresher at a time, the old token kept while a refresh fails,
//! and one re-login plus one retry on a 401.
//!
//! The cache belongs to one process: a forked child that finds it (by the process
//! id) forgets the parent's token and any login in progress — that login runs on a
//! thread the child does not have, and the token is the parent's session — and
//! starts over with a login of its own.
#![forbid(unsafe_code)]

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, ThreadId};
use std::time::{Duration, SystemTime};

use crate::clock::Clock;
use crate::error::{Error, Result, TransportKind};
use crate::http::{the_deadline, CallLimits};

/// A token in the cache, with what the cache knows of its life.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    pub value: T,
    pub obtained: SystemTime,
    pub expires: Option<SystemTime>,
    /// Before this, a token due for renewal is served as fresh: another process
    /// renews it for the fleet and the store is looked at again then.
    recheck_at: Option<SystemTime>,
    generation: u64,
}

/// What a login or refresh hands back to the cache.
pub(crate) struct Fetched<T> {
    pub value: T,
    pub expires: Option<SystemTime>,
}

/// A token as a fetch through a shared store hands it back: when it was obtained
/// (by whichever process logged in; `None`: now), and until when a due token is
/// served without looking again.
pub(crate) struct Obtained<T> {
    pub fetched: Fetched<T>,
    pub obtained: Option<SystemTime>,
    pub recheck_at: Option<SystemTime>,
}

impl<T> From<Fetched<T>> for Obtained<T> {
    fn from(fetched: Fetched<T>) -> Self {
        Obtained {
            fetched,
            obtained: None,
            recheck_at: None,
        }
    }
}

struct State<T> {
    /// The process the state belongs to.
    pid: u32,
    current: Option<Arc<Entry<T>>>,
    busy: bool,
    /// The thread running the fetch while `busy`: a call it makes from inside the
    /// fetch (a log callback calling the client) must not wait for it.
    fetcher: Option<ThreadId>,
    generation: u64,
    attempts: u64,
    last_failure: Option<(u64, Error)>,
    /// When the last fetch failed; a token due for refresh is then served as it is
    /// for [`REFRESH_PAUSE`] instead of retrying the refresh on every call.
    failed_at: Option<SystemTime>,
}

/// How long a valid token is served without a new refresh attempt after one failed.
const REFRESH_PAUSE: Duration = Duration::from_secs(5);

pub(crate) struct TokenCache<T> {
    state: Mutex<State<T>>,
    changed: Condvar,
    clock: Arc<dyn Clock>,
    refresh_ahead: Duration,
    /// How the errors of a wait for another thread's login name the operation
    /// (`Yativo login`) and the URL (the client's base URL).
    operation: &'static str,
    url: String,
}

enum Freshness {
    Fresh,
    /// Valid, but due for a refresh.
    Due,
    Expired,
}

/// Clears the busy flag even if the fetch panics, so that waiters never hang.
struct BusyGuard<'a, T> {
    cache: &'a TokenCache<T>,
    armed: bool,
}

impl<T> Drop for BusyGuard<'_, T> {
    fn drop(&mut self) {
        if self.armed {
            let mut st = self.cache.lock();
            st.busy = false;
            st.fetcher = None;
            st.attempts += 1;
            drop(st);
            self.cache.changed.notify_all();
        }
    }
}

impl<T> TokenCache<T> {
    /// A cache whose wait errors name `operation` (the vendor's login) and `url`.
    pub fn new(
        clock: Arc<dyn Clock>,
        refresh_ahead: Duration,
        operation: &'static str,
        url: String,
    ) -> Self {
        TokenCache {
            state: Mutex::new(State {
                pid: std::process::id(),
                current: None,
                busy: false,
                fetcher: None,
                generation: 0,
                attempts: 0,
                last_failure: None,
                failed_at: None,
            }),
            changed: Condvar::new(),
            clock,
            refresh_ahead,
            operation,
            url,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.lock_in(std::process::id())
    }

    /// The state, as seen from process `pid` (the caller's).
    fn lock_in(&self, pid: u32) -> MutexGuard<'_, State<T>> {
        // A panic while holding the lock leaves consistent data (every update is a
        // single assignment), so a poisoned lock is still usable.
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.pid != pid {
            // A forked child: the token is the parent's session (never end or
            // refresh it from here), and a login marked busy runs in the parent.
            st.pid = pid;
            st.current = None;
            st.busy = false;
            st.fetcher = None;
            st.last_failure = None;
            st.failed_at = None;
            log::info!(target: "tokenbridge", "new process (pid {pid}) detected: the token cache starts over without the parent's token");
        }
        st
    }

    /// How long before expiry a token is renewed.
    pub fn refresh_ahead(&self) -> Duration {
        self.refresh_ahead
    }

    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    fn freshness(&self, entry: &Entry<T>, now: SystemTime) -> Freshness {
        let Some(expires) = entry.expires else {
            return Freshness::Fresh;
        };
        if now >= expires {
            return Freshness::Expired;
        }
        let life = expires
            .duration_since(entry.obtained)
            .unwrap_or(Duration::ZERO);
        let margin = self.refresh_ahead.min(life / 2);
        if now + margin >= expires {
            if entry.recheck_at.is_some_and(|r| now < r) {
                return Freshness::Fresh;
            }
            Freshness::Due
        } else {
            Freshness::Fresh
        }
    }

    /// The current token, expired or not.
    pub fn peek(&self) -> Option<Arc<Entry<T>>> {
        self.lock().current.clone()
    }

    /// Puts a token in the cache (from a login done explicitly, or from elsewhere).
    pub fn store(&self, fetched: Fetched<T>) -> Arc<Entry<T>> {
        let mut st = self.lock();
        let entry = self.make_entry(&mut st, fetched.into());
        drop(st);
        self.changed.notify_all();
        entry
    }

    fn make_entry(&self, st: &mut State<T>, got: Obtained<T>) -> Arc<Entry<T>> {
        st.generation += 1;
        let entry = Arc::new(Entry {
            value: got.fetched.value,
            obtained: got.obtained.unwrap_or_else(|| self.now()),
            expires: got.fetched.expires,
            recheck_at: got.recheck_at,
            generation: st.generation,
        });
        st.current = Some(entry.clone());
        entry
    }

    /// Drops the token if it is still the given one (after a 401).
    pub fn invalidate(&self, entry: &Entry<T>) {
        let mut st = self.lock();
        if st
            .current
            .as_ref()
            .is_some_and(|c| c.generation == entry.generation)
        {
            st.current = None;
        }
    }

    /// Drops the token if it is one `same` recognises (after a 401, whatever
    /// generation holds it).
    pub fn invalidate_if(&self, same: impl Fn(&T) -> bool) {
        let mut st = self.lock();
        if st.current.as_ref().is_some_and(|c| same(&c.value)) {
            st.current = None;
        }
    }

    /// Empties the cache and hands back what was in it.
    pub fn take(&self) -> Option<Arc<Entry<T>>> {
        self.lock().current.take()
    }

    /// A valid token: the cached one, or one from `fetch` (a login or refresh, which
    /// gets the current token when that is still valid). At most one fetch runs at a
    /// time; other callers use the still-valid old token, or wait for the fetch and
    /// share its result or its error.
    #[cfg(test)]
    pub fn get<F>(&self, fetch: F) -> Result<Arc<Entry<T>>>
    where
        F: FnOnce(Option<&Entry<T>>) -> Result<Fetched<T>>,
    {
        self.get_within(&CallLimits::none(), fetch)
    }

    /// [`get`](Self::get) for a call with a deadline or a cancellation token: waiting
    /// for another thread's login ends when either does.
    pub fn get_within<F>(&self, limits: &CallLimits, fetch: F) -> Result<Arc<Entry<T>>>
    where
        F: FnOnce(Option<&Entry<T>>) -> Result<Fetched<T>>,
    {
        self.get_with(limits, |prev| fetch(prev).map(Obtained::from))
    }

    /// [`get_within`](Self::get_within) for a fetch that says when its token was
    /// obtained and when to look again (a fetch through a shared store).
    pub fn get_with<F>(&self, limits: &CallLimits, fetch: F) -> Result<Arc<Entry<T>>>
    where
        F: FnOnce(Option<&Entry<T>>) -> Result<Obtained<T>>,
    {
        let mut st = self.lock_in(limits.pid());
        let mut waited_from: Option<u64> = None;
        loop {
            let now = self.now();
            let freshness = st.current.as_ref().map(|c| self.freshness(c, now));
            match (&freshness, st.busy) {
                (Some(Freshness::Fresh), _) | (Some(Freshness::Due), true) => {
                    return Ok(st.current.clone().expect("checked above"))
                }
                (_, true) => {
                    if st.fetcher == Some(thread::current().id()) {
                        return Err(Error::WouldDeadlock {
                            operation: self.operation,
                        });
                    }
                    waited_from.get_or_insert(st.attempts);
                    if limits.cancelled() {
                        return Err(Error::Cancelled {
                            operation: self.operation,
                        });
                    }
                    if limits.remaining() == Some(Duration::ZERO) {
                        return Err(Error::Transport {
                            operation: self.operation,
                            kind: TransportKind::Timeout,
                            url: self.url.clone(),
                            detail: format!(
                                "{} passed while waiting for another thread's login",
                                the_deadline(limits.budget)
                            ),
                        });
                    }
                    // Wake up now and then to see the call's limits (and a fork).
                    st = self
                        .changed
                        .wait_timeout(st, Duration::from_millis(50))
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                    if st.pid != std::process::id() {
                        drop(st);
                        st = self.lock();
                    }
                    continue;
                }
                (Some(Freshness::Due), false)
                    if st.failed_at.is_some_and(|t| now < t + REFRESH_PAUSE) =>
                {
                    return Ok(st.current.clone().expect("checked above"))
                }
                (_, false) => {}
            }
            // Not busy, and no fresh token. If we waited for a fetch that failed,
            // share its error rather than hammer the server once per waiter.
            if let (Some(from), Some((attempt, err))) = (waited_from, &st.last_failure) {
                if *attempt > from && !matches!(freshness, Some(Freshness::Due)) {
                    return Err(err.clone());
                }
            }
            break;
        }

        st.busy = true;
        st.fetcher = Some(thread::current().id());
        let attempt = st.attempts + 1;
        let previous = st
            .current
            .clone()
            .filter(|c| !matches!(self.freshness(c, self.now()), Freshness::Expired));
        drop(st);
        let mut guard = BusyGuard {
            cache: self,
            armed: true,
        };
        let result = fetch(previous.as_deref());
        guard.armed = false;

        let mut st = self.lock();
        st.busy = false;
        st.fetcher = None;
        st.attempts = attempt;
        let outcome = match result {
            Ok(fetched) => {
                st.last_failure = None;
                st.failed_at = None;
                Ok(self.make_entry(&mut st, fetched))
            }
            Err(err) => {
                st.last_failure = Some((attempt, err.clone()));
                st.failed_at = Some(self.now());
                // Keep serving the old token while it is still valid.
                match previous.filter(|p| {
                    st.current
                        .as_ref()
                        .is_some_and(|c| c.generation == p.generation)
                        && !matches!(self.freshness(p, self.now()), Freshness::Expired)
                }) {
                    Some(p) => Ok(p),
                    None => Err(err),
                }
            }
        };
        drop(st);
        self.changed.notify_all();
        outcome
    }

    /// Runs `call` with a valid token; on a 401, drops the token, fetches a new one
    /// and runs `call` once more. A second 401 is returned as it is.
    #[cfg(test)]
    pub fn authorized<R, F, C>(&self, fetch: F, call: C) -> Result<R>
    where
        F: Fn(Option<&Entry<T>>) -> Result<Fetched<T>>,
        C: Fn(&T) -> Result<R>,
    {
        self.authorized_within(&CallLimits::none(), fetch, call)
    }

    /// [`authorized`](Self::authorized) within a call's limits.
    pub fn authorized_within<R, F, C>(&self, limits: &CallLimits, fetch: F, call: C) -> Result<R>
    where
        F: Fn(Option<&Entry<T>>) -> Result<Fetched<T>>,
        C: Fn(&T) -> Result<R>,
    {
        let entry = self.get_within(limits, &fetch)?;
        match call(&entry.value) {
            Err(Error::Unauthorized { .. }) => {
                log::info!(target: "tokenbridge", "the token was refused (HTTP 401): logging in again, then one more try");
                self.invalidate(&entry);
                let entry = self.get_within(limits, &fetch)?;
                let second = call(&entry.value);
                if matches!(second, Err(Error::Unauthorized { .. })) {
                    self.invalidate(&entry);
                }
                second
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn cache(clock: &Arc<ManualClock>) -> TokenCache<u32> {
        TokenCache::new(
            clock.clone(),
            Duration::from_secs(60),
            "Test login",
            "http://test.example".to_owned(),
        )
    }

    fn expiring_in(clock: &ManualClock, secs: u64) -> Option<SystemTime> {
        Some(clock.now() + Duration::from_secs(secs))
    }

    #[test]
    fn fetches_once_then_serves_cache() {
        let clock = Arc::new(ManualClock::new());
        let c = cache(&clock);
        let n = AtomicUsize::new(0);
        for _ in 0..100 {
            let e = c
                .get(|_| {
                    n.fetch_add(1, Ordering::SeqCst);
                    Ok(Fetched {
                        value: 7,
                        expires: expiring_in(&clock, 600),
                    })
                })
                .unwrap();
            assert_eq!(e.value, 7);
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn refreshes_ahead_and_at_half_life() {
        let clock = Arc::new(ManualClock::new());
        let c = cache(&clock);
        let ok = |v| {
            Ok(Fetched {
                value: v,
                expires: expiring_in(&clock, 600),
            })
        };
        c.get(|_| ok(1)).unwrap();
        clock.advance(Duration::from_secs(539));
        assert_eq!(c.get(|_| ok(2)).unwrap().value, 1);
        clock.advance(Duration::from_secs(2));
        let e = c
            .get(|prev| {
                assert_eq!(
                    prev.map(|p| p.value),
                    Some(1),
                    "refresh sees the valid token"
                );
                ok(2)
            })
            .unwrap();
        assert_eq!(e.value, 2);

        // A 60 s token is refreshed at 30 s, not at 0 s.
        let c = cache(&clock);
        c.store(Fetched {
            value: 1,
            expires: expiring_in(&clock, 60),
        });
        clock.advance(Duration::from_secs(29));
        assert_eq!(c.get(|_| ok(2)).unwrap().value, 1);
        clock.advance(Duration::from_secs(2));
        assert_eq!(c.get(|_| ok(2)).unwrap().value, 2);
    }

    #[test]
    fn failed_refresh_keeps_valid_token_and_expired_one_fails() {
        let clock = Arc::new(ManualClock::new());
        let c = cache(&clock);
        c.store(Fetched {
            value: 1,
            expires: expiring_in(&clock, 100),
        });
        clock.advance(Duration::from_secs(90));
        let fail = |_: Option<&Entry<u32>>| Err(Error::invalid_input("x", "down"));
        assert_eq!(c.get(fail).unwrap().value, 1);
        clock.advance(Duration::from_secs(20));
        assert!(c.get(fail).is_err());
    }

    #[test]
    fn a_call_from_inside_the_fetch_fails_at_once_instead_of_waiting_for_itself() {
        let clock = Arc::new(ManualClock::new());
        let c = cache(&clock);
        let started = std::time::Instant::now();
        let got = c
            .get(|_| {
                // What a log callback calling the client during its login does.
                let inner = c.get(|_| panic!("a second fetch must not start"));
                assert_eq!(
                    inner.unwrap_err(),
                    Error::WouldDeadlock {
                        operation: "Test login"
                    }
                );
                Ok(Fetched {
                    value: 7,
                    expires: expiring_in(&clock, 600),
                })
            })
            .unwrap();
        assert_eq!(got.value, 7);
        assert!(started.elapsed() < Duration::from_secs(1));
        // Other threads still wait for the login and share it.
        let c = Arc::new(cache(&clock));
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let c = c.clone();
            thread::spawn(move || {
                rx.recv().unwrap();
                c.get(|_| panic!("the other thread's login is shared"))
                    .map(|e| e.value)
            })
        };
        let got = c.get(|_| {
            tx.send(()).unwrap();
            thread::sleep(Duration::from_millis(100));
            Ok(Fetched {
                value: 8,
                expires: expiring_in(&clock, 600),
            })
        });
        assert_eq!(got.unwrap().value, 8);
        assert_eq!(waiter.join().unwrap().unwrap(), 8);
    }

    #[test]
    fn one_refresher_for_many_threads() {
        let clock = Arc::new(ManualClock::new());
        let c = Arc::new(cache(&clock));
        let n = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (c, n, clock) = (c.clone(), n.clone(), clock.clone());
                std::thread::spawn(move || {
                    c.get(|_| {
                        n.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        Ok(Fetched {
                            value: 9,
                            expires: expiring_in(&clock, 600),
                        })
                    })
                    .map(|e| e.value)
                })
            })
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap().unwrap(), 9);
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waiters_share_a_failure() {
        let clock = Arc::new(ManualClock::new());
        let c = Arc::new(cache(&clock));
        let n = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (c, n) = (c.clone(), n.clone());
                std::thread::spawn(move || {
                    c.get(|_| {
                        n.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(100));
                        Err::<Fetched<u32>, _>(Error::invalid_input("password", "wrong"))
                    })
                    .is_err()
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().unwrap());
        }
        // Threads that arrived while the first fetch ran share its error; only
        // threads arriving after it ended may try again.
        assert!(n.load(Ordering::SeqCst) < 8, "{}", n.load(Ordering::SeqCst));
    }

    #[test]
    fn unauthorized_relogs_once() {
        let clock = Arc::new(ManualClock::new());
        let c = cache(&clock);
        let logins = AtomicUsize::new(0);
        let fetch = |_: Option<&Entry<u32>>| {
            Ok(Fetched {
                value: logins.fetch_add(1, Ordering::SeqCst) as u32,
                expires: None,
            })
        };
        let unauthorized = || Error::Unauthorized {
            message: None,
            operation: "t",
            excerpt: String::new(),
        };
        let calls = AtomicUsize::new(0);
        let r = c.authorized(fetch, |v| {
            calls.fetch_add(1, Ordering::SeqCst);
            if *v == 0 {
                Err(unauthorized())
            } else {
                Ok(*v)
            }
        });
        assert_eq!(r.unwrap(), 1);
        assert_eq!(logins.load(Ordering::SeqCst), 2);
        let r: Result<()> = c.authorized(fetch, |_| Err(unauthorized()));
        assert!(matches!(r, Err(Error::Unauthorized { .. })));
        assert_eq!(logins.load(Ordering::SeqCst), 3, "one re-login, no loop");
    }
}
