//! A DNS cache in front of ureq's resolver.
//!
//! ureq 3.5 resolves the host name before every request, even when a pooled
//! connection to that host is about to be reused: with a real host name that is one
//! `getaddrinfo` (the hosts file, then a DNS query) per call, each one a few
//! microseconds on a good day and a network round trip on a bad one. libcurl keeps
//! answers for 60 s (`CURLOPT_DNS_CACHE_TIMEOUT`); so do we, per client, with the
//! time to live set by [`crate::Config::dns_cache_ttl`].
//!
//! Only answers are kept, never failures. When a connection to a kept address
//! fails, the HTTP layer forgets the answers ([`DnsCache::forget`]), so the retry
//! asks DNS again: a server that moved is found on the next attempt.
#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ureq::config::Config as UreqConfig;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// At most this many host names are kept per client (a client talks to one host,
/// two with a proxy); the oldest answer makes room.
const MAX_HOSTS: usize = 8;

/// One kept answer.
struct Answer {
    host: String,
    port: u16,
    at: Instant,
    addrs: ResolvedSocketAddrs,
}

/// The answers one client has kept, shared by its resolver and its HTTP layer.
#[derive(Default)]
pub(crate) struct DnsCache {
    answers: Mutex<Vec<Answer>>,
}

impl DnsCache {
    fn lock(&self) -> MutexGuard<'_, Vec<Answer>> {
        // The data is a plain list: a panic elsewhere cannot leave it half-written.
        self.answers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept addresses of `host:port`, if younger than `ttl` at `now`.
    fn get(
        &self,
        host: &str,
        port: u16,
        ttl: Duration,
        now: Instant,
    ) -> Option<ResolvedSocketAddrs> {
        self.lock()
            .iter()
            .find(|a| a.port == port && a.host == host)
            .filter(|a| now.saturating_duration_since(a.at) < ttl)
            .map(|a| a.addrs.clone())
    }

    fn put(&self, host: &str, port: u16, now: Instant, addrs: &ResolvedSocketAddrs) {
        let mut answers = self.lock();
        answers.retain(|a| !(a.port == port && a.host == host));
        if answers.len() >= MAX_HOSTS {
            answers.remove(0);
        }
        answers.push(Answer {
            host: host.to_owned(),
            port,
            at: now,
            addrs: addrs.clone(),
        });
    }

    /// Forgets every answer: the next request asks DNS again.
    pub(crate) fn forget(&self) {
        self.lock().clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

/// A resolver ([`SystemResolver`](super::lookup::SystemResolver)) with a
/// [`DnsCache`] in front.
pub(crate) struct CachingResolver<R> {
    inner: R,
    ttl: Duration,
    cache: Arc<DnsCache>,
}

impl<R> std::fmt::Debug for CachingResolver<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachingResolver")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl<R: Resolver> CachingResolver<R> {
    /// `inner` with answers kept for `ttl` (zero: keeps none) in `cache`.
    pub(crate) fn new(inner: R, ttl: Duration, cache: Arc<DnsCache>) -> Self {
        CachingResolver { inner, ttl, cache }
    }

    fn resolve_at(
        &self,
        uri: &Uri,
        config: &UreqConfig,
        timeout: NextTimeout,
        now: Instant,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = uri.host().zip(port_of(uri));
        let Some((host, port)) = key.filter(|_| !self.ttl.is_zero()) else {
            return self.inner.resolve(uri, config, timeout);
        };
        if let Some(addrs) = self.cache.get(host, port, self.ttl, now) {
            return Ok(addrs);
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if !addrs.is_empty() {
            self.cache.put(host, port, now, &addrs);
        }
        Ok(addrs)
    }
}

/// The port a URI connects to: its own, or its scheme's.
fn port_of(uri: &Uri) -> Option<u16> {
    uri.port_u16().or(match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })
}

impl<R: Resolver> Resolver for CachingResolver<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &UreqConfig,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.resolve_at(uri, config, timeout, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use ureq::unversioned::resolver::DefaultResolver;
    use ureq::unversioned::transport::time::Duration as UreqDuration;
    use ureq::Timeout;

    /// Answers `10.0.0.<n>` for the n-th lookup, or fails while `fail` is set.
    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicUsize,
        fail: std::sync::atomic::AtomicBool,
    }

    /// The resolver handed to the cache; the test keeps the other end to count.
    #[derive(Debug)]
    struct Fake(Arc<Counting>);

    impl Resolver for Fake {
        fn resolve(
            &self,
            uri: &Uri,
            _: &UreqConfig,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let n = self.0.calls.fetch_add(1, Ordering::SeqCst) + 1;
            if self.0.fail.load(Ordering::SeqCst) {
                return Err(ureq::Error::HostNotFound);
            }
            let mut addrs = DefaultResolver::default().empty();
            let ip = format!("10.0.0.{n}:{}", port_of(uri).unwrap());
            addrs.push(ip.parse::<SocketAddr>().unwrap());
            Ok(addrs)
        }
    }

    fn setup(ttl: Duration) -> (CachingResolver<Fake>, Arc<Counting>, Arc<DnsCache>) {
        let counting = Arc::new(Counting::default());
        let cache = Arc::new(DnsCache::default());
        let r = CachingResolver::new(Fake(counting.clone()), ttl, cache.clone());
        (r, counting, cache)
    }

    fn no_timeout() -> NextTimeout {
        NextTimeout {
            after: UreqDuration::NotHappening,
            reason: Timeout::Resolve,
            per_read: None,
            per_write: None,
        }
    }

    fn first(r: &CachingResolver<Fake>, url: &str, now: Instant) -> SocketAddr {
        let uri: Uri = url.parse().unwrap();
        let config = UreqConfig::default();
        r.resolve_at(&uri, &config, no_timeout(), now).unwrap()[0]
    }

    #[test]
    fn keeps_an_answer_for_its_ttl_then_asks_again() {
        let (r, counting, _) = setup(Duration::from_secs(60));
        let t0 = Instant::now();
        let a = first(&r, "https://api.example.com/x", t0);
        for s in [1, 30, 59] {
            let later = t0 + Duration::from_secs(s);
            assert_eq!(first(&r, "https://api.example.com/y", later), a);
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 1);
        let b = first(
            &r,
            "https://api.example.com/z",
            t0 + Duration::from_secs(60),
        );
        assert_ne!(a, b, "an answer 60 s old is asked again");
        assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
        assert_eq!(b.port(), 443);
    }

    #[test]
    fn hosts_and_ports_are_kept_apart() {
        let (r, counting, cache) = setup(Duration::from_secs(60));
        let t0 = Instant::now();
        let a = first(&r, "https://a.example.com/", t0);
        let b = first(&r, "https://b.example.com/", t0);
        let c = first(&r, "http://a.example.com/", t0);
        let d = first(&r, "http://a.example.com:8080/", t0);
        assert_eq!(counting.calls.load(Ordering::SeqCst), 4);
        assert_eq!((c.port(), d.port()), (80, 8080));
        assert_eq!(first(&r, "https://a.example.com/", t0), a);
        assert_eq!(first(&r, "https://b.example.com/", t0), b);
        assert_eq!(counting.calls.load(Ordering::SeqCst), 4);
        assert_eq!(cache.len(), 4);
    }

    #[test]
    fn zero_ttl_keeps_nothing() {
        let (r, counting, cache) = setup(Duration::ZERO);
        let t0 = Instant::now();
        for _ in 0..3 {
            first(&r, "https://api.example.com/", t0);
        }
        assert_eq!(counting.calls.load(Ordering::SeqCst), 3);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn failures_are_not_kept_and_forget_asks_again() {
        let (r, counting, cache) = setup(Duration::from_secs(60));
        let uri: Uri = "https://api.example.com/".parse().unwrap();
        let config = UreqConfig::default();
        let t0 = Instant::now();
        counting.fail.store(true, Ordering::SeqCst);
        assert!(r.resolve_at(&uri, &config, no_timeout(), t0).is_err());
        assert!(r.resolve_at(&uri, &config, no_timeout(), t0).is_err());
        assert_eq!(counting.calls.load(Ordering::SeqCst), 2);
        assert_eq!(cache.len(), 0);
        counting.fail.store(false, Ordering::SeqCst);
        let a = first(&r, "https://api.example.com/", t0);
        cache.forget();
        let b = first(&r, "https://api.example.com/", t0);
        assert_ne!(a, b);
        assert_eq!(counting.calls.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn the_oldest_host_makes_room() {
        let (r, counting, cache) = setup(Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..MAX_HOSTS + 3 {
            first(&r, &format!("https://h{i}.example.com/"), t0);
        }
        assert_eq!(cache.len(), MAX_HOSTS);
        let calls = counting.calls.load(Ordering::SeqCst);
        first(&r, &format!("https://h{}.example.com/", MAX_HOSTS + 2), t0);
        assert_eq!(counting.calls.load(Ordering::SeqCst), calls, "newest kept");
        first(&r, "https://h0.example.com/", t0);
        assert_eq!(
            counting.calls.load(Ordering::SeqCst),
            calls + 1,
            "oldest gone"
        );
    }
}
