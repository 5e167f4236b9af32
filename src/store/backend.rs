//! What a store backend (a directory, Redis) offers the store, and the limits on
//! its operations: the leaf that `file.rs` and `redis.rs` implement.

use std::time::Duration;

/// How long a renewal lock lives in a store whose locks expire; a holder that dies
/// blocks the others no longer than this.
pub(crate) const LOCK_TTL: Duration = Duration::from_secs(5);
/// The longest a single store operation may take (less when the call's deadline is
/// nearer).
pub(crate) const OP_TIMEOUT: Duration = Duration::from_secs(1);
/// A store's operations on opaque slots and sealed bytes. Each returns its fault as
/// a short text that names no secret.
pub(crate) trait Backend: Send + Sync {
    /// The sealed entry in `slot`, if any.
    fn load(&self, slot: &str, timeout: Duration) -> std::result::Result<Option<Vec<u8>>, String>;
    /// Replaces the entry in `slot` at once (readers see the old or the new one).
    fn save(
        &self,
        slot: &str,
        value: &[u8],
        ttl: Option<Duration>,
        timeout: Duration,
    ) -> std::result::Result<(), String>;
    /// Removes the entry in `slot`.
    fn remove(&self, slot: &str, timeout: Duration) -> std::result::Result<(), String>;
    /// Takes the renewal lock of `slot` if no one holds it; released when the
    /// returned guard drops, by the OS when the holder dies, or after `ttl`.
    fn try_lock(
        &self,
        slot: &str,
        ttl: Duration,
        timeout: Duration,
    ) -> std::result::Result<Option<Box<dyn Held>>, String>;
}

/// A held renewal lock; dropping it releases the lock.
pub(crate) trait Held: Send {}
