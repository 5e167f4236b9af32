//! The sandbox's one locking rule, shared by every module that holds a mutex.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, recovering the data if a panic poisoned it (every update of the
/// sandbox's state leaves it consistent, and a handler must never stop the server).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
