//! The file store: a directory shared by the processes of one host. One file per
//! slot (0600 in a 0700 directory where the OS has modes), replaced atomically
//! (a temporary file renamed over it); the renewal lock is an OS file lock
//! (`File::try_lock`), which the OS releases when its holder dies.
#![forbid(unsafe_code)]

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::backend::{Backend, Held};

pub(crate) struct FileStore {
    dir: PathBuf,
}

/// A held file lock, released on drop (and by the OS if the process dies).
struct FileLock(File);

impl Held for FileLock {}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// How often a replace (or a read) that Windows refused because another process had
/// the file open is tried in all, and for how long at most (less when the store
/// operation's own timeout is shorter: a quarter of it).
const SHARED_TRIES: u32 = 20;
const SHARED_FOR: Duration = Duration::from_millis(250);

/// Whether `e` is Windows refusing a file another process holds open: a rename over
/// it or an open of it while it is being replaced (access denied, a sharing or lock
/// violation). Such a refusal ends when the other process closes the file, so it is
/// worth another try. Elsewhere a rename over an open file succeeds: nothing is.
#[cfg(windows)]
fn held_open_elsewhere(e: &io::Error) -> bool {
    // ERROR_SHARING_VIOLATION = 32, ERROR_LOCK_VIOLATION = 33.
    e.kind() == io::ErrorKind::PermissionDenied || matches!(e.raw_os_error(), Some(32 | 33))
}

/// See the Windows version: no OS but Windows refuses a replace of an open file.
#[cfg(not(windows))]
fn held_open_elsewhere(_e: &io::Error) -> bool {
    false
}

/// Runs `op` until it succeeds or fails with an error `transient` does not accept,
/// trying `tries` times in all within `budget` (short pauses in between, doubling
/// from 1 ms to 20 ms; no pause that would end past the budget).
fn retried<T>(
    mut op: impl FnMut() -> io::Result<T>,
    transient: impl Fn(&io::Error) -> bool,
    tries: u32,
    budget: Duration,
) -> io::Result<T> {
    let until = Instant::now() + budget;
    let mut pause = Duration::from_millis(1);
    let mut tried = 1;
    loop {
        match op() {
            Err(e) if transient(&e) && tried < tries && Instant::now() + pause < until => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
                tried += 1;
            }
            done => return done,
        }
    }
}

/// [`retried`] for a file that another process may hold open (Windows).
fn while_held_elsewhere<T>(timeout: Duration, op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    retried(
        op,
        held_open_elsewhere,
        SHARED_TRIES,
        shared_budget(timeout),
    )
}

/// The time the tries of [`while_held_elsewhere`] may take in a store operation
/// allowed `timeout`: a quarter of it, 250 ms at most.
fn shared_budget(timeout: Duration) -> Duration {
    SHARED_FOR.min(timeout / 4)
}

fn describe(e: &io::Error) -> String {
    // The path is the operator's configuration, not a secret; the slot names
    // nothing either. The io error's text carries neither.
    e.to_string()
}

impl FileStore {
    pub fn new(dir: PathBuf) -> FileStore {
        FileStore { dir }
    }

    /// Creates the directory (0700) when it is missing.
    fn ensure_dir(&self) -> io::Result<()> {
        if self.dir.is_dir() {
            return Ok(());
        }
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&self.dir)
    }

    /// Files are 0600 where the OS has modes.
    #[cfg(unix)]
    fn options() -> OpenOptions {
        use std::os::unix::fs::OpenOptionsExt;
        let mut o = OpenOptions::new();
        o.mode(0o600);
        o
    }

    /// Files get the directory's ACL where the OS has no modes.
    #[cfg(not(unix))]
    fn options() -> OpenOptions {
        OpenOptions::new()
    }
}

impl Backend for FileStore {
    fn load(&self, slot: &str, timeout: Duration) -> Result<Option<Vec<u8>>, String> {
        let path = self.dir.join(slot);
        match while_held_elsewhere(timeout, || File::open(&path)) {
            Ok(mut f) => {
                let mut out = Vec::new();
                // An entry is small: a bigger file is not ours (read a bounded part).
                (&mut f)
                    .take(64 * 1024)
                    .read_to_end(&mut out)
                    .map_err(|e| describe(&e))?;
                Ok(Some(out))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if self.dir.is_dir() {
                    Ok(None)
                } else {
                    self.ensure_dir().map_err(|e| describe(&e))?;
                    Ok(None)
                }
            }
            Err(e) => Err(describe(&e)),
        }
    }

    fn save(
        &self,
        slot: &str,
        value: &[u8],
        _ttl: Option<Duration>,
        timeout: Duration,
    ) -> Result<(), String> {
        self.ensure_dir().map_err(|e| describe(&e))?;
        let tmp = self.dir.join(format!(
            ".{slot}.{}.{}.tmp",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let written = (|| {
            let mut f = FileStore::options()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            f.write_all(value)?;
            f.sync_all()?;
            drop(f);
            // Windows refuses to replace a file another process has open (a reader
            // of this slot, for a moment): try again briefly rather than give up
            // and have this process, then others, log in on their own.
            let slot = self.dir.join(slot);
            while_held_elsewhere(timeout, || fs::rename(&tmp, &slot))
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written.map_err(|e| describe(&e))
    }

    fn remove(&self, slot: &str, _timeout: Duration) -> Result<(), String> {
        match fs::remove_file(self.dir.join(slot)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(describe(&e)),
            _ => Ok(()),
        }
    }

    fn try_lock(
        &self,
        slot: &str,
        _ttl: Duration,
        _timeout: Duration,
    ) -> Result<Option<Box<dyn Held>>, String> {
        self.ensure_dir().map_err(|e| describe(&e))?;
        let f = FileStore::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(self.dir.join(format!("{slot}.lock")))
            .map_err(|e| describe(&e))?;
        match f.try_lock() {
            Ok(()) => Ok(Some(Box::new(FileLock(f)))),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(describe(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn denied() -> io::Error {
        io::Error::from(io::ErrorKind::PermissionDenied)
    }

    fn is_denied(e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::PermissionDenied
    }

    #[test]
    fn a_transient_refusal_is_tried_again_until_it_passes() {
        let calls = Cell::new(0);
        let got = retried(
            || {
                calls.set(calls.get() + 1);
                if calls.get() < 4 {
                    Err(denied())
                } else {
                    Ok(7)
                }
            },
            is_denied,
            20,
            Duration::from_secs(5),
        );
        assert_eq!(got.unwrap(), 7);
        assert_eq!(calls.get(), 4);
    }

    #[test]
    fn retries_end_after_the_count() {
        let calls = Cell::new(0);
        let got: io::Result<()> = retried(
            || {
                calls.set(calls.get() + 1);
                Err(denied())
            },
            is_denied,
            5,
            Duration::from_secs(5),
        );
        assert_eq!(got.unwrap_err().kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(calls.get(), 5);
    }

    #[test]
    fn retries_end_within_the_time() {
        let calls = Cell::new(0);
        let started = Instant::now();
        let got: io::Result<()> = retried(
            || {
                calls.set(calls.get() + 1);
                Err(denied())
            },
            is_denied,
            u32::MAX,
            Duration::from_millis(60),
        );
        assert!(got.is_err());
        let took = started.elapsed();
        // No pause starts that would end past the budget (a loaded machine may
        // oversleep the last one a little).
        assert!(took < Duration::from_millis(60 + 50), "{took:?}");
        assert!(calls.get() > 2 && calls.get() < 30, "{}", calls.get());
    }

    #[test]
    fn other_errors_are_not_tried_again() {
        let calls = Cell::new(0);
        let got: io::Result<()> = retried(
            || {
                calls.set(calls.get() + 1);
                Err(io::Error::from(io::ErrorKind::NotFound))
            },
            is_denied,
            20,
            Duration::from_secs(5),
        );
        assert_eq!(got.unwrap_err().kind(), io::ErrorKind::NotFound);
        assert_eq!(calls.get(), 1);
    }

    #[test]
    fn the_budget_is_a_quarter_of_the_operation_at_most() {
        assert_eq!(
            shared_budget(Duration::from_secs(1)),
            Duration::from_millis(250)
        );
        assert_eq!(
            shared_budget(Duration::from_millis(40)),
            Duration::from_millis(10)
        );
        assert_eq!(shared_budget(Duration::ZERO), Duration::ZERO);
    }

    #[cfg(not(windows))]
    #[test]
    fn only_windows_refuses_a_replace_of_an_open_file() {
        assert!(!held_open_elsewhere(&denied()));
        let dir =
            std::env::temp_dir().join(format!("tb-file-open-{}", uuid::Uuid::new_v4().simple()));
        let store = FileStore::new(dir.clone());
        store
            .save("slot", b"one", None, Duration::from_secs(1))
            .unwrap();
        let _reader = File::open(dir.join("slot")).unwrap();
        store
            .save("slot", b"two", None, Duration::from_secs(1))
            .unwrap();
        assert_eq!(
            store.load("slot", Duration::from_secs(1)).unwrap().unwrap(),
            b"two"
        );
        let _ = fs::remove_dir_all(&dir);
    }

    /// Windows: another process (here a handle that shares nothing) holds the slot's
    /// file open for 100 ms; the replace waits for it instead of failing.
    #[cfg(windows)]
    #[test]
    fn a_replace_waits_for_a_reader_that_holds_the_file() {
        use std::os::windows::fs::OpenOptionsExt;
        assert!(held_open_elsewhere(&denied()));
        let dir =
            std::env::temp_dir().join(format!("tb-file-open-{}", uuid::Uuid::new_v4().simple()));
        let store = FileStore::new(dir.clone());
        store
            .save("slot", b"one", None, Duration::from_secs(1))
            .unwrap();
        let held = OpenOptions::new()
            .read(true)
            .share_mode(0)
            .open(dir.join("slot"))
            .unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(held);
        });
        store
            .save("slot", b"two", None, Duration::from_secs(1))
            .unwrap();
        release.join().unwrap();
        assert_eq!(
            store.load("slot", Duration::from_secs(1)).unwrap().unwrap(),
            b"two"
        );
        let _ = fs::remove_dir_all(&dir);
    }
}
