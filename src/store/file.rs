//! The file store: a directory shared by the processes of one host. One file per
//! slot (0600 in a 0700 directory where the OS has modes), replaced atomically
//! (a temporary file renamed over it); the renewal lock is an OS file lock
//! (`File::try_lock`), which the OS releases when its holder dies.
#![forbid(unsafe_code)]

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::time::Duration;

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
    fn load(&self, slot: &str, _timeout: Duration) -> Result<Option<Vec<u8>>, String> {
        match File::open(self.dir.join(slot)) {
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
        _timeout: Duration,
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
            fs::rename(&tmp, self.dir.join(slot))
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
