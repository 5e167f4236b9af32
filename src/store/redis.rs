//! The Redis store (feature `redis`): one Redis (or Valkey, or a managed service
//! that speaks its protocol) shared by hosts, through the `redis` crate's
//! synchronous API; `rediss://` is TLS through rustls. Entries are keys with a TTL
//! (the token's life and a minute); the renewal lock is `SET key value NX PX ttl`
//! with a random value, released by compare-and-delete (a Lua script), so that a
//! holder whose lock expired never deletes another's.
#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::{ConnectionAddr, ConnectionInfo, RedisConnectionInfo};

use super::backend::{Backend, Held};
use crate::secret::Secret;

/// Compare-and-delete: the lock is deleted only by the holder of its value.
const RELEASE: &str =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

struct Inner {
    client: redis::Client,
    /// The connection and the process that opened it: a forked child opens its own.
    conn: Mutex<Option<(u32, redis::Connection)>>,
}

pub(crate) struct RedisStore(Arc<Inner>);

/// Where a Redis store is, from its URL.
pub(crate) struct RedisLocation {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub db: i64,
    pub user: Option<String>,
    pub password: Option<Secret>,
}

/// A redis error as text that names no secret: its kind, not its message.
fn describe(e: &redis::RedisError) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connection_refusal() {
        "connection refused".to_owned()
    } else if e.is_connection_dropped() || e.is_io_error() {
        "connection lost".to_owned()
    } else {
        format!("{:?}", e.kind())
    }
}

impl RedisStore {
    /// A store at `loc`; `ca_pem`, when given, is the only CA trusted for TLS
    /// (else the OS trust store). Nothing is sent yet.
    pub fn new(loc: RedisLocation, ca_pem: Option<Vec<u8>>) -> Result<RedisStore, String> {
        let addr = if loc.tls {
            ConnectionAddr::TcpTls {
                host: loc.host,
                port: loc.port,
                insecure: false,
                tls_params: None,
            }
        } else {
            ConnectionAddr::Tcp(loc.host, loc.port)
        };
        let info = ConnectionInfo {
            addr,
            redis: RedisConnectionInfo {
                db: loc.db,
                username: loc.user,
                password: loc.password.map(|p| p.expose().to_owned()),
                ..RedisConnectionInfo::default()
            },
        };
        let client = match ca_pem {
            Some(pem) if loc.tls => redis::Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                },
            ),
            _ => redis::Client::open(info),
        }
        .map_err(|e| describe(&e))?;
        Ok(RedisStore(Arc::new(Inner {
            client,
            conn: Mutex::new(None),
        })))
    }
}

impl Inner {
    /// Runs `op` on this process's connection (opened as needed, within `timeout`);
    /// a failed connection is dropped, to be opened again next time.
    fn with<R>(
        &self,
        timeout: Duration,
        op: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<R>,
    ) -> Result<R, String> {
        let pid = std::process::id();
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_some_and(|(p, _)| *p != pid) {
            // The parent's connection: its socket is the parent's to use.
            if let Some((_, inherited)) = slot.take() {
                std::mem::forget(inherited);
            }
        }
        if slot.is_none() {
            let c = self
                .client
                .get_connection_with_timeout(timeout)
                .map_err(|e| describe(&e))?;
            *slot = Some((pid, c));
        }
        let (_, conn) = slot.as_mut().expect("set above");
        let result = conn
            .set_read_timeout(Some(timeout))
            .and_then(|()| conn.set_write_timeout(Some(timeout)))
            .and_then(|()| op(conn));
        if result.is_err() {
            *slot = None;
        }
        result.map_err(|e| describe(&e))
    }
}

struct RedisLock {
    inner: Arc<Inner>,
    key: String,
    value: String,
}

impl Held for RedisLock {}

impl Drop for RedisLock {
    fn drop(&mut self) {
        let _ = self.inner.with(super::backend::OP_TIMEOUT, |c| {
            redis::Script::new(RELEASE)
                .key(&self.key)
                .arg(&self.value)
                .invoke::<i64>(c)
        });
    }
}

impl Backend for RedisStore {
    fn load(&self, slot: &str, timeout: Duration) -> Result<Option<Vec<u8>>, String> {
        self.0
            .with(timeout, |c| redis::cmd("GET").arg(slot).query(c))
    }

    fn save(
        &self,
        slot: &str,
        value: &[u8],
        ttl: Option<Duration>,
        timeout: Duration,
    ) -> Result<(), String> {
        self.0.with(timeout, |c| {
            let mut cmd = redis::cmd("SET");
            cmd.arg(slot).arg(value);
            if let Some(ttl) = ttl {
                cmd.arg("PX").arg(ttl.as_millis().max(1) as u64);
            }
            cmd.query(c)
        })
    }

    fn remove(&self, slot: &str, timeout: Duration) -> Result<(), String> {
        self.0
            .with(timeout, |c| redis::cmd("DEL").arg(slot).query::<i64>(c))
            .map(drop)
    }

    fn try_lock(
        &self,
        slot: &str,
        ttl: Duration,
        timeout: Duration,
    ) -> Result<Option<Box<dyn Held>>, String> {
        let key = format!("{slot}:lock");
        let value = uuid::Uuid::new_v4().simple().to_string();
        let got: Option<String> = self.0.with(timeout, |c| {
            redis::cmd("SET")
                .arg(&key)
                .arg(&value)
                .arg("NX")
                .arg("PX")
                .arg(ttl.as_millis() as u64)
                .query(c)
        })?;
        Ok(got.map(|_| {
            Box::new(RedisLock {
                inner: self.0.clone(),
                key,
                value,
            }) as Box<dyn Held>
        }))
    }
}
