//! Asking the system resolver (`getaddrinfo`) within the call's limits.
//!
//! `getaddrinfo` blocks and cannot be interrupted: with a DNS server that never
//! answers it returns after the system's own timeouts (glibc: 5 s × 2 attempts),
//! whatever the call's deadline. So a call with limits (a deadline or a cancel
//! token) hands its lookup to a small pool of resolver threads ([`POOL_THREADS`],
//! made as needed, shared by the process; not a thread per call) and waits for the
//! answer in slices of 100 ms, checking between slices whether it was cancelled or
//! ran out of time. A lookup a caller gave up on runs to its end in the pool; a
//! caller asking for the same name meanwhile waits for that same lookup. A call
//! without limits asks on its own thread, as before.
//!
//! A failure says which of two things happened: the resolver had no address for
//! the name ([`ureq::Error::HostNotFound`]), or it got no answer from the DNS
//! server ([`DnsNoAnswer`]: `EAI_AGAIN`, "temporary failure in name resolution";
//! on Windows `WSATRY_AGAIN`).
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use ureq::config::Config as UreqConfig;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use super::exchange::{gate, stop_error, Gate, Stop, SLICE};

/// At most this many lookups run at once for calls with limits; more wait in turn.
const POOL_THREADS: usize = 4;

/// The DNS server did not answer (`EAI_AGAIN`): not the same as a name that does
/// not exist. Carried by an [`io::Error`] inside `ureq::Error::Io`.
#[derive(Debug)]
pub(super) struct DnsNoAnswer {
    /// The name looked up.
    pub host: String,
    /// How long the system resolver tried.
    pub waited: Duration,
}

impl fmt::Display for DnsNoAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no answer from the DNS server for {} within {} s (the system resolver's own time limit; check the DNS servers this machine uses)",
            self.host,
            self.waited.as_secs_f32().round()
        )
    }
}

impl std::error::Error for DnsNoAnswer {}

/// The call's deadline passed while its lookup was still running.
#[derive(Debug)]
pub(super) struct LookupStopped {
    /// The name looked up.
    pub host: String,
    /// How long the call waited for it.
    pub waited: Duration,
}

impl fmt::Display for LookupStopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no answer from the DNS server for {} after {} ms",
            self.host,
            self.waited.as_millis()
        )
    }
}

impl std::error::Error for LookupStopped {}

/// What one lookup found.
type Found = Result<Vec<SocketAddr>, LookupFailure>;

#[derive(Debug, Clone)]
enum LookupFailure {
    NotFound,
    NoAnswer(Duration),
}

/// One lookup and those waiting for it.
#[derive(Default)]
struct Slot {
    done: Mutex<Option<Found>>,
    ready: Condvar,
}

/// The lookups waiting for a resolver thread, and the ones running.
struct Pool {
    state: Mutex<PoolState>,
    work: Condvar,
}

struct PoolState {
    /// The process the threads belong to: a forked child has none of them.
    pid: u32,
    threads: usize,
    idle: usize,
    queue: std::collections::VecDeque<(String, Arc<Slot>)>,
    /// Lookups queued or running, by `host:port`.
    running: HashMap<String, Arc<Slot>>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(PoolState {
            pid: std::process::id(),
            threads: 0,
            idle: 0,
            queue: Default::default(),
            running: HashMap::new(),
        }),
        work: Condvar::new(),
    })
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let pid = std::process::id();
        if st.pid != pid {
            // A forked child: the parent's threads are not here, their lookups never
            // end here. Start over (a waiter on an old slot times out by its limits).
            *st = PoolState {
                pid,
                threads: 0,
                idle: 0,
                queue: Default::default(),
                running: HashMap::new(),
            };
        }
        st
    }

    /// The slot of the lookup of `name`: the one running, or a new one queued.
    fn submit(&'static self, name: &str) -> Arc<Slot> {
        let mut st = self.lock();
        if let Some(slot) = st.running.get(name) {
            return slot.clone();
        }
        let slot = Arc::new(Slot::default());
        st.running.insert(name.to_owned(), slot.clone());
        st.queue.push_back((name.to_owned(), slot.clone()));
        if st.idle == 0 && st.threads < POOL_THREADS {
            let spawned = std::thread::Builder::new()
                .name("tokenbridge-dns".to_owned())
                .stack_size(64 * 1024)
                .spawn(move || self.work_loop());
            if spawned.is_ok() {
                st.threads += 1;
            }
        }
        drop(st);
        self.work.notify_one();
        slot
    }

    /// A resolver thread: takes lookups until none comes for 30 s.
    fn work_loop(&self) {
        let pid = std::process::id();
        let mut st = self.lock();
        loop {
            if st.pid != pid {
                return;
            }
            if let Some((name, slot)) = st.queue.pop_front() {
                drop(st);
                let found = system_lookup(&name);
                *slot.done.lock().unwrap_or_else(|p| p.into_inner()) = Some(found);
                slot.ready.notify_all();
                st = self.lock();
                st.running.remove(&name);
                continue;
            }
            st.idle += 1;
            let (next, waited) = self
                .work
                .wait_timeout(st, Duration::from_secs(30))
                .unwrap_or_else(|p| p.into_inner());
            st = next;
            st.idle -= 1;
            if waited.timed_out() && st.queue.is_empty() {
                st.threads -= 1;
                return;
            }
        }
    }
}

/// `getaddrinfo` for `name` (`host:port`), its failure told apart.
fn system_lookup(name: &str) -> Found {
    let started = Instant::now();
    match name.to_socket_addrs() {
        Ok(addrs) => Ok(addrs.collect()),
        Err(e) if no_answer(&e) => Err(LookupFailure::NoAnswer(started.elapsed())),
        Err(_) => Err(LookupFailure::NotFound),
    }
}

/// Whether a lookup failed for want of an answer (`EAI_AGAIN`) rather than because
/// the name has no address. std hands `getaddrinfo`'s error on Unix as its text
/// (`gai_strerror`), on Windows as the WSA error number.
fn no_answer(e: &io::Error) -> bool {
    const WSATRY_AGAIN: i32 = 11002;
    if cfg!(windows) {
        return e.raw_os_error() == Some(WSATRY_AGAIN);
    }
    let text = e.to_string().to_ascii_lowercase();
    text.contains("temporary failure") || text.contains("try again")
}

/// The system resolver, asked within the call's limits.
#[derive(Debug, Default)]
pub(crate) struct SystemResolver;

impl SystemResolver {
    /// Waits for `slot` in slices, checking the limits between them.
    fn wait(slot: &Slot, host: &str, started: Instant) -> Result<Found, ureq::Error> {
        let mut done = slot.done.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(found) = done.as_ref() {
                return Ok(found.clone());
            }
            if let Gate::Stop(stop) = gate() {
                let waited = started.elapsed();
                return Err(match stop {
                    Stop::Cancelled => stop_error(stop),
                    Stop::Deadline => ureq::Error::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        LookupStopped {
                            host: host.to_owned(),
                            waited,
                        },
                    )),
                });
            }
            done = slot
                .ready
                .wait_timeout(done, SLICE)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

impl Resolver for SystemResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &UreqConfig,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(ureq::Error::BadUri(uri.to_string()));
        };
        let Some(name) = DefaultResolver::host_and_port(scheme, authority) else {
            return Err(ureq::Error::BadUri(uri.to_string()));
        };
        let host = authority.host();
        let found = match gate() {
            Gate::Stop(stop) => return Err(stop_error(stop)),
            // An address needs no lookup; a call without limits may block.
            _ if name.parse::<SocketAddr>().is_ok() => system_lookup(&name),
            Gate::Free => system_lookup(&name),
            Gate::Limited(_) => Self::wait(&pool().submit(&name), host, Instant::now())?,
        };
        let addrs = match found {
            Ok(addrs) => addrs,
            Err(LookupFailure::NotFound) => return Err(ureq::Error::HostNotFound),
            Err(LookupFailure::NoAnswer(waited)) => {
                return Err(ureq::Error::Io(io::Error::other(DnsNoAnswer {
                    host: host.to_owned(),
                    waited,
                })))
            }
        };
        let mut result = DefaultResolver::default().empty();
        // ureq keeps up to 16 addresses, as its own resolver does.
        for addr in config.ip_family().keep_wanted(addrs.into_iter()).take(16) {
            result.push(addr);
        }
        if result.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unanswered_query_is_told_from_a_missing_name() {
        let again = io::Error::other(
            "failed to lookup address information: Temporary failure in name resolution",
        );
        let missing =
            io::Error::other("failed to lookup address information: Name or service not known");
        if cfg!(windows) {
            assert!(no_answer(&io::Error::from_raw_os_error(11002)));
            assert!(!no_answer(&io::Error::from_raw_os_error(11001)));
        } else {
            assert!(no_answer(&again));
            assert!(!no_answer(&missing));
        }
    }

    #[test]
    fn addresses_and_localhost_resolve_and_a_missing_name_is_not_found() {
        let r = SystemResolver;
        let config = UreqConfig::default();
        let t = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::NotHappening,
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        let uri: Uri = "http://127.0.0.1:8080/x".parse().unwrap();
        assert_eq!(
            r.resolve(&uri, &config, t).unwrap()[0],
            "127.0.0.1:8080".parse::<SocketAddr>().unwrap()
        );
        let uri: Uri = "https://[::1]/x".parse().unwrap();
        assert_eq!(r.resolve(&uri, &config, t).unwrap()[0].port(), 443);
        // Through the pool (a call with a cancel token) the same answers come.
        let cancel = crate::http::CancelToken::new();
        let limits = crate::http::CallLimits {
            cancel: Some(cancel),
            ..crate::http::CallLimits::none()
        };
        super::super::exchange::with_exchange(
            super::super::exchange::Exchange::new(limits),
            || {
                let uri: Uri = "http://localhost:8080/x".parse().unwrap();
                let addrs = r.resolve(&uri, &config, t).unwrap();
                assert!(addrs
                    .iter()
                    .all(|a| a.ip().is_loopback() && a.port() == 8080));
                // RFC 6761: .invalid never resolves.
                let uri: Uri = "http://no-such-host.invalid/x".parse().unwrap();
                assert!(matches!(
                    r.resolve(&uri, &config, t),
                    Err(ureq::Error::HostNotFound)
                ));
            },
        );
    }
}
