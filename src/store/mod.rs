//! The token store: one token for a fleet of processes (a directory) or hosts.
//!
//! The in-process [`TokenCache`](crate::client::TokenCache) stays the hot path: a
//! client reads the store only when it has no token, when its token is due or
//! expired, and after a 401. What the store holds is sealed: an AEAD under a key
//! derived from the client's credentials, in a slot named by a keyed hash, so that
//! whoever reads the store learns no user, account, company or token, and cannot
//! use what is there. A bad entry is ignored (logged once) and replaced; a store
//! that fails is skipped (one WARN) and the process logs in on its own.
#![forbid(unsafe_code)]

mod backend;
pub(crate) mod file;
#[cfg(feature = "redis")]
pub(crate) mod redis;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ring::{aead, digest, hkdf, hmac, rand};

use crate::error::{Error, Result};
use crate::secret::Secret;
pub(crate) use backend::{Backend, Held, LOCK_TTL, OP_TIMEOUT};

/// After a store fault, how long the store is left alone before it is tried again.
const FAULT_PAUSE: Duration = Duration::from_secs(2);

/// Where a store is, from its URL.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A directory shared by the processes of one host.
    File(PathBuf),
    /// A Redis server shared by hosts.
    Redis {
        tls: bool,
        host: String,
        port: u16,
        db: i64,
        user: Option<String>,
        password: Option<Secret>,
    },
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(p) => write!(f, "File({})", p.display()),
            Location::Redis {
                tls,
                host,
                port,
                db,
                user,
                password,
            } => f
                .debug_struct("Redis")
                .field("tls", tls)
                .field("host", host)
                .field("port", port)
                .field("db", db)
                .field("user", &user.as_ref().map(|_| "***"))
                .field("password", password)
                .finish(),
        }
    }
}

/// Percent-decodes one URL component.
fn decode(part: &str) -> Option<String> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = part.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Parses a store URL: `file:///dir` (on Windows `file:///C:/dir`). The errors name
/// the setting and never repeat the URL (it may hold a password).
pub(crate) fn parse(url: &Secret) -> Result<Location> {
    let bad = |why: &str| Error::invalid_input("token_store", why);
    let url = url.expose().trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(bad(
            "must be a URL: file:///dir, redis://user:pass@host:port/db or rediss://…",
        ));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "file" => {
            if !rest.starts_with('/') {
                return Err(bad(if cfg!(windows) {
                    "a file:// URL must name an absolute directory, as file:///C:/ProgramData/app/tokens"
                } else {
                    "a file:// URL must name an absolute directory, as file:///var/lib/app/tokens"
                }));
            }
            let path = decode(rest).ok_or_else(|| bad("has a malformed %-escape"))?;
            // file:///C:/dir on Windows: the path is C:/dir.
            let path = if cfg!(windows) && path.len() > 2 && path.as_bytes()[2] == b':' {
                path[1..].to_owned()
            } else {
                path
            };
            if path.trim_end_matches('/').is_empty() {
                return Err(bad("a file:// store must be a directory other than /"));
            }
            Ok(Location::File(PathBuf::from(path)))
        }
        "redis" | "rediss" => {
            let (userinfo, hostpart) = match rest.rsplit_once('@') {
                Some((u, h)) => (Some(u), h),
                None => (None, rest),
            };
            let (authority, db) = match hostpart.split_once('/') {
                Some((a, "")) => (a, 0),
                Some((a, d)) => (
                    a,
                    d.parse::<i64>().ok().filter(|d| *d >= 0).ok_or_else(|| {
                        bad("the database after the host must be a number, as /0")
                    })?,
                ),
                None => (hostpart, 0),
            };
            let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
                let (h, after) = v6
                    .split_once(']')
                    .ok_or_else(|| bad("has an IPv6 host without its closing ]"))?;
                (h.to_owned(), after.strip_prefix(':'))
            } else {
                match authority.rsplit_once(':') {
                    Some((h, p)) => (h.to_owned(), Some(p)),
                    None => (authority.to_owned(), None),
                }
            };
            if host.is_empty() {
                return Err(bad("has no host"));
            }
            let port = match port {
                None => 6379,
                Some(p) => p
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad("has a port that is not a number from 1 to 65535"))?,
            };
            let (user, password) = match userinfo {
                None => (None, None),
                Some(u) => {
                    let (name, pass) = match u.split_once(':') {
                        Some((n, p)) => (n, Some(p)),
                        None => (u, None),
                    };
                    let name = decode(name).ok_or_else(|| bad("has a malformed %-escape"))?;
                    let pass = match pass {
                        Some(p) => Some(Secret::new(
                            decode(p).ok_or_else(|| bad("has a malformed %-escape"))?,
                        )),
                        None => None,
                    };
                    ((!name.is_empty()).then_some(name), pass)
                }
            };
            if cfg!(not(feature = "redis")) {
                return Err(bad(
                    "redis:// and rediss:// stores need the library built with the `redis` feature",
                ));
            }
            Ok(Location::Redis {
                tls: scheme.eq_ignore_ascii_case("rediss"),
                host,
                port,
                db,
                user,
                password,
            })
        }
        _ => Err(bad(
            "has an unknown scheme: use file:///dir, redis://… or rediss://…",
        )),
    }
}

/// Checks a store URL for a setter whose parameter is `argument` (the C ABI's
/// `url`): the error names it.
pub(crate) fn check(url: &Secret, argument: &'static str) -> Result<()> {
    match parse(url) {
        Ok(_) => Ok(()),
        Err(Error::InvalidInput { reason, .. }) => Err(Error::invalid_input(argument, reason)),
        Err(other) => Err(other),
    }
}

/// What a URL shows in `Debug`: scheme, host and path, never a user or password.
pub(crate) fn describe(url: &Secret) -> String {
    let url = url.expose();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
            format!("{scheme}://{host}")
        }
        None => "(not a URL)".to_owned(),
    }
}

/// A token as the store keeps it.
pub(crate) struct Stored {
    pub token: Secret,
    pub expires: Option<SystemTime>,
    pub obtained: SystemTime,
}

/// Why an entry could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unreadable {
    /// Too short to be an entry.
    Truncated,
    /// Not an entry of this format.
    Garbled,
    /// Sealed with other credentials, or changed.
    WronglySealed,
}

const VERSION: u8 = 1;
const NONCE: usize = 12;
const TAG: usize = 16;
const HEADER: usize = 16; // two i64s: expiry and obtained, in Unix milliseconds

/// The keys of one set of credentials: the AEAD key and the slot's name.
pub(crate) struct Keys {
    seal: aead::LessSafeKey,
    slot: String,
    rng: rand::SystemRandom,
}

struct Len(usize);
impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

impl Keys {
    /// The keys for a vendor, base URL, user and the credentials' secrets: HKDF-SHA256
    /// over all of them, so only holders of the same credentials find and open the
    /// entry.
    pub fn derive(vendor: &str, base_url: &str, user: &str, secrets: &[&str]) -> Keys {
        let mut ikm = Vec::new();
        for part in [vendor, base_url, user].iter().chain(secrets) {
            ikm.extend_from_slice(&(part.len() as u64).to_le_bytes());
            ikm.extend_from_slice(part.as_bytes());
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"tokenbridge token store v1").extract(&ikm);
        let mut seal = [0u8; 32];
        prk.expand(&[b"seal"], Len(32))
            .and_then(|okm| okm.fill(&mut seal))
            .expect("32 bytes is a valid HKDF-SHA256 length");
        let mut name = [0u8; 32];
        prk.expand(&[b"name"], Len(32))
            .and_then(|okm| okm.fill(&mut name))
            .expect("32 bytes is a valid HKDF-SHA256 length");
        let name_key = hmac::Key::new(hmac::HMAC_SHA256, &name);
        let mut identity = Vec::new();
        for part in [vendor, base_url, user] {
            identity.extend_from_slice(&(part.len() as u64).to_le_bytes());
            identity.extend_from_slice(part.as_bytes());
        }
        let tag = hmac::sign(&name_key, &identity);
        let slot = format!("tb1-{}", hex(&tag.as_ref()[..20]));
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, &seal).expect("a 32-byte key");
        zeroize::Zeroize::zeroize(&mut seal);
        zeroize::Zeroize::zeroize(&mut name);
        zeroize::Zeroize::zeroize(&mut ikm);
        Keys {
            seal: aead::LessSafeKey::new(key),
            slot,
            rng: rand::SystemRandom::new(),
        }
    }

    /// The slot's name: `tb1-` and 40 hex digits.
    pub fn slot(&self) -> &str {
        &self.slot
    }

    /// The sealed bytes of an entry.
    pub fn seal(&self, entry: &Stored) -> Vec<u8> {
        let mut plain = Vec::with_capacity(HEADER + entry.token.expose().len() + TAG);
        plain.extend_from_slice(&entry.expires.map_or(i64::MIN, millis).to_le_bytes());
        plain.extend_from_slice(&millis(entry.obtained).to_le_bytes());
        plain.extend_from_slice(entry.token.expose().as_bytes());
        let mut nonce = [0u8; NONCE];
        rand::SecureRandom::fill(&self.rng, &mut nonce).expect("the OS random source");
        self.seal
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(self.aad()),
                &mut plain,
            )
            .expect("an entry far below AES-GCM's limit");
        let mut out = Vec::with_capacity(1 + NONCE + plain.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&plain);
        zeroize::Zeroize::zeroize(&mut plain);
        out
    }

    /// Opens sealed bytes.
    pub fn open(&self, sealed: &[u8]) -> std::result::Result<Stored, Unreadable> {
        if sealed.len() < 1 + NONCE + HEADER + TAG {
            return Err(Unreadable::Truncated);
        }
        if sealed[0] != VERSION {
            return Err(Unreadable::Garbled);
        }
        let nonce: [u8; NONCE] = sealed[1..1 + NONCE].try_into().expect("length checked");
        let mut body = sealed[1 + NONCE..].to_vec();
        let result = match self.seal.open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(self.aad()),
            &mut body,
        ) {
            Err(_) => Err(Unreadable::WronglySealed),
            Ok(plain) => {
                let int = |b: &[u8]| i64::from_le_bytes(b.try_into().expect("8 bytes"));
                let expires = int(&plain[..8]);
                let obtained = int(&plain[8..16]);
                match std::str::from_utf8(&plain[HEADER..]) {
                    Ok(t) if !t.is_empty() => Ok(Stored {
                        token: Secret::new(t),
                        expires: (expires != i64::MIN).then(|| time_of(expires)),
                        obtained: time_of(obtained),
                    }),
                    _ => Err(Unreadable::Garbled),
                }
            }
        };
        zeroize::Zeroize::zeroize(&mut body);
        result
    }

    /// The associated data: the format and the slot, so that an entry copied into
    /// another slot does not open.
    fn aad(&self) -> Vec<u8> {
        let mut aad = vec![VERSION];
        aad.extend_from_slice(self.slot.as_bytes());
        aad
    }
}

/// A short digest of a token, to recognise it without keeping it.
pub(crate) fn fingerprint(token: &str) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, token.as_bytes());
    d.as_ref().try_into().expect("SHA-256 is 32 bytes")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

fn time_of(ms: i64) -> SystemTime {
    if ms >= 0 {
        UNIX_EPOCH + Duration::from_millis(ms as u64)
    } else {
        UNIX_EPOCH - Duration::from_millis(ms.unsigned_abs())
    }
}

/// One client's view of the store: the backend, its keys, and what it has said in
/// the log (a fault and a bad entry are each logged once, not once per call).
pub(crate) struct Store {
    backend: Box<dyn Backend>,
    keys: Keys,
    /// Until when the store is left alone after a fault.
    paused_until: Mutex<Option<Instant>>,
    /// Whether the current fault was logged.
    warned: AtomicBool,
    /// Whether a bad entry was logged.
    bad_logged: AtomicBool,
    /// The token the server last refused: never taken from the store again.
    refused: Mutex<Option<[u8; 32]>>,
}

impl Store {
    /// Opens the store at `url` for the identity the keys were made from. Nothing
    /// is read or written yet.
    /// For `rediss://`, `ca_file` (the config's extra CA file), when set, is the CA
    /// the server's certificate must chain to; else the OS trust store is used.
    pub fn open(url: &Secret, keys: Keys, ca_file: Option<&std::path::Path>) -> Result<Store> {
        let backend: Box<dyn Backend> = match parse(url)? {
            Location::File(dir) => Box::new(file::FileStore::new(dir)),
            #[cfg(feature = "redis")]
            Location::Redis {
                tls,
                host,
                port,
                db,
                user,
                password,
            } => {
                let ca = match ca_file {
                    Some(path) if tls => Some(std::fs::read(path).map_err(|e| {
                        Error::invalid_input(
                            "extra_ca_file",
                            format!("cannot be read for the token store ({e})"),
                        )
                    })?),
                    _ => None,
                };
                let loc = redis::RedisLocation {
                    tls,
                    host,
                    port,
                    db,
                    user,
                    password,
                };
                Box::new(redis::RedisStore::new(loc, ca).map_err(|e| {
                    Error::invalid_input("token_store", format!("is not a usable Redis URL ({e})"))
                })?)
            }
            #[cfg(not(feature = "redis"))]
            Location::Redis { .. } => {
                return Err(Error::invalid_input(
                    "token_store",
                    "redis:// and rediss:// stores need the library built with the `redis` feature",
                ))
            }
        };
        let _ = ca_file;
        Ok(Store::with_backend(backend, keys))
    }

    pub(crate) fn with_backend(backend: Box<dyn Backend>, keys: Keys) -> Store {
        Store {
            backend,
            keys,
            paused_until: Mutex::new(None),
            warned: AtomicBool::new(false),
            bad_logged: AtomicBool::new(false),
            refused: Mutex::new(None),
        }
    }

    /// Whether the store is usable now (not paused after a fault).
    pub fn available(&self) -> bool {
        let paused = self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        !paused.is_some_and(|until| Instant::now() < until)
    }

    fn fault(&self, what: &str, detail: &str) {
        *self.paused_until.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Instant::now() + FAULT_PAUSE);
        if !self.warned.swap(true, Ordering::SeqCst) {
            log::warn!(target: "tokenbridge::store", "the token store failed ({what}: {detail}): this process logs in on its own until the store answers again");
        }
    }

    fn ok(&self) {
        if self.warned.swap(false, Ordering::SeqCst) {
            log::info!(target: "tokenbridge::store", "the token store answers again: the shared token is used");
        }
    }

    /// Remembers a token the server refused, so that it is not taken again.
    pub fn refused(&self, token: &str) {
        *self.refused.lock().unwrap_or_else(|p| p.into_inner()) = Some(fingerprint(token));
    }

    /// The entry in the store, or `None` (none there, an unreadable one, the token
    /// the server refused, or a store fault).
    pub fn load(&self, timeout: Duration) -> std::result::Result<Option<Stored>, ()> {
        if !self.available() {
            return Err(());
        }
        let bytes = match self.backend.load(self.keys.slot(), timeout) {
            Ok(Some(b)) => b,
            Ok(None) => {
                self.ok();
                return Ok(None);
            }
            Err(e) => {
                self.fault("read", &e);
                return Err(());
            }
        };
        self.ok();
        match self.keys.open(&bytes) {
            Ok(stored) => {
                let refused = *self.refused.lock().unwrap_or_else(|p| p.into_inner());
                if refused == Some(fingerprint(stored.token.expose())) {
                    return Ok(None);
                }
                Ok(Some(stored))
            }
            Err(why) => {
                if !self.bad_logged.swap(true, Ordering::SeqCst) {
                    log::warn!(target: "tokenbridge::store", "the token store's entry is unusable ({why:?}): ignored, and replaced after the next login");
                }
                Ok(None)
            }
        }
    }

    /// Puts a token in the store for the fleet. A fault is logged and ignored.
    pub fn save(&self, entry: &Stored, timeout: Duration) {
        if !self.available() {
            return;
        }
        let ttl = entry.expires.map(|e| {
            e.duration_since(SystemTime::now()).unwrap_or_default() + Duration::from_secs(60)
        });
        match self
            .backend
            .save(self.keys.slot(), &self.keys.seal(entry), ttl, timeout)
        {
            Ok(()) => self.ok(),
            Err(e) => self.fault("write", &e),
        }
    }

    /// Removes the entry if it holds `token` (or whatever it holds, with `None`).
    pub fn remove(&self, token: Option<&str>, timeout: Duration) {
        if let Some(t) = token {
            match self.load(timeout) {
                Ok(Some(s)) if s.token.expose() == t => {}
                Ok(Some(_)) | Err(()) => return,
                Ok(None) => {}
            }
        }
        match self.backend.remove(self.keys.slot(), timeout) {
            Ok(()) => self.ok(),
            Err(e) => self.fault("remove", &e),
        }
    }

    /// Tries to take the renewal lock: `Ok(Some)` held, `Ok(None)` someone else
    /// holds it, `Err` a fault.
    pub fn try_lock(&self, timeout: Duration) -> std::result::Result<Option<Box<dyn Held>>, ()> {
        if !self.available() {
            return Err(());
        }
        match self.backend.try_lock(self.keys.slot(), LOCK_TTL, timeout) {
            Ok(held) => {
                self.ok();
                Ok(held)
            }
            Err(e) => {
                self.fault("lock", &e);
                Err(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> Keys {
        Keys::derive("Yativo", "https://api.example/v1", "acct", &[secret])
    }

    #[test]
    fn parses_file_urls_and_refuses_others_by_name() {
        assert_eq!(
            parse(&Secret::new("file:///var/lib/app/tok%20ens")).unwrap(),
            Location::File(PathBuf::from("/var/lib/app/tok ens"))
        );
        for bad in [
            "",
            "/var/lib",
            "file://relative",
            "file:///",
            "ftp://x",
            "file:///a%zz",
        ] {
            let e = parse(&Secret::new(bad)).unwrap_err().to_string();
            assert!(e.contains("token_store"), "{bad}: {e}");
        }
        let e = parse(&Secret::new("gopher://user:hunter2@h"))
            .unwrap_err()
            .to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert_eq!(
            describe(&Secret::new("redis://u:hunter2@h:6379/0")),
            "redis://h:6379/0"
        );
    }

    #[cfg(feature = "redis")]
    #[test]
    fn parses_redis_urls() {
        match parse(&Secret::new("rediss://tb%2Duser:p%40ss@[::1]:6380/3")).unwrap() {
            Location::Redis {
                tls,
                host,
                port,
                db,
                user,
                password,
            } => {
                assert!(tls);
                assert_eq!((host.as_str(), port, db), ("::1", 6380, 3));
                assert_eq!(user.as_deref(), Some("tb-user"));
                assert_eq!(password.unwrap().expose(), "p@ss");
            }
            other => panic!("{other:?}"),
        }
        let loc = parse(&Secret::new("redis://h")).unwrap();
        assert!(matches!(
            loc,
            Location::Redis {
                port: 6379,
                db: 0,
                ..
            }
        ));
        assert!(!format!("{loc:?}").contains("p@ss"));
        for bad in [
            "redis://u:p@h:0/0",
            "redis://u:p@h:99999",
            "redis://h/x",
            "redis://:p@/0",
        ] {
            let e = parse(&Secret::new(bad)).unwrap_err().to_string();
            assert!(
                e.contains("token_store") && !e.contains(":p@"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn seals_and_opens_only_with_the_same_credentials() {
        let now = SystemTime::now();
        let entry = Stored {
            token: Secret::new("eyJ.token.x"),
            expires: Some(now + Duration::from_secs(600)),
            obtained: now,
        };
        let k = keys("secret-1");
        let sealed = k.seal(&entry);
        assert!(!sealed.windows(5).any(|w| w == b"eyJ.t"));
        let opened = k.open(&sealed).unwrap();
        assert_eq!(opened.token.expose(), "eyJ.token.x");
        assert_eq!(
            millis(opened.expires.unwrap()),
            millis(entry.expires.unwrap())
        );
        // Other credentials: another slot, and the entry does not open.
        let other = keys("secret-2");
        assert_ne!(other.slot(), k.slot());
        assert_eq!(other.open(&sealed).err(), Some(Unreadable::WronglySealed));
        assert_eq!(k.open(&sealed[..20]).err(), Some(Unreadable::Truncated));
        let mut flipped = sealed.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(k.open(&flipped).err(), Some(Unreadable::WronglySealed));
        flipped[0] = 9;
        assert_eq!(k.open(&flipped).err(), Some(Unreadable::Garbled));
        assert!(k.slot().starts_with("tb1-") && k.slot().len() == 44);
        assert!(!k.slot().contains("acct"));
    }
}
