//! A log callback for C (like libcurl's `CURLOPT_DEBUGFUNCTION`):
//! [`tb_set_log_callback`] hands the `log` records of tokenbridge, and at TRACE
//! those of the libraries it uses, to a C function.
//!
//! The first call that sets a callback installs this module's logger as the
//! process's `log` logger, once and for good; later calls only swap the callback,
//! its user data and the level. Rust programs that use the rlib never call it, so
//! their own logger is left alone; a program that set one and also calls the C ABI
//! gets an error, not a stolen logger.
//!
//! The current callback is an immutable `Sink` behind an atomic pointer. Records
//! read it without taking a lock, so a record never waits for
//! [`tb_set_log_callback`], the callback may call it, and a `fork()` at any moment
//! leaves nothing locked in the child. A sink is never freed (a record on another
//! thread may still be using it): every sink ever made stays reachable, one per
//! distinct (callback, user data, level), so the memory is bounded.
//!
//! The sinks are found again by [`tb_set_log_callback`] through a digital search
//! tree on a hash of the three values (four children a node, two bits of the hash a
//! level): lock-free and insert-only like the rest, so finding one is O(log n)
//! however many user-data pointers a host has passed (a list scanned from the
//! newest made the 20,000th set six times slower than the first), and a fork in the
//! middle of a set leaves no lock behind.

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::OnceLock;

use ::log::{Level, LevelFilter, Log, Metadata, Record};

use super::status::tb_status;
use crate::error::{Error, Result};
use crate::logging::may_hold_secrets;

/// The level of a log record, most severe first. The numbers are fixed.
///
/// In C this type is an `int32_t`; in C++ an enum whose underlying type is
/// `int32_t`.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum tb_log_level {
    /// A failure the library could not handle itself.
    TB_LOG_ERROR = 1,
    /// Something unexpected that the library worked around.
    TB_LOG_WARN = 2,
    /// A login, a token refresh, a retry, an ended session: a few records per
    /// client.
    TB_LOG_INFO = 3,
    /// One record per HTTP request: operation, method, path, status or error, time
    /// and attempt.
    TB_LOG_DEBUG = 4,
    /// Everything the libraries underneath log as well (TLS handshakes, the
    /// connection pool), except the HTTP library's own TRACE records, which hold
    /// the bytes of every request and answer, secrets included: those never reach
    /// the callback.
    TB_LOG_TRACE = 5,
}

/// The longest `message` a log callback receives, in bytes (without the NUL).
/// Longer records are cut at a character boundary and end with `" [truncated]"`.
pub const TB_LOG_MESSAGE_MAX: usize = 4096;

/// A function that receives log records; see `tb_set_log_callback`.
///
/// `target` says where the record comes from (`"tokenbridge"`,
/// `"tokenbridge::http"`, or a library underneath such as `"rustls::client::hs"`);
/// `message` is the record's text. Both are UTF-8, NUL-terminated and without
/// NUL characters inside, so `target_len == strlen(target)` and
/// `message_len == strlen(message)` (at most `TB_LOG_MESSAGE_MAX`). They are valid
/// only until the callback returns: copy what you keep.
pub type tb_log_callback = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        level: tb_log_level,
        target: *const c_char,
        target_len: usize,
        message: *const c_char,
        message_len: usize,
    ),
>;

type Callback =
    unsafe extern "C" fn(*mut c_void, tb_log_level, *const c_char, usize, *const c_char, usize);

/// How many children a node of the tree of sinks has: two bits of the hash a level.
const FANOUT: usize = 4;

/// A callback with its user data and level. Immutable once published, never freed;
/// only its `children` (atomic, set once each) change after that.
struct Sink {
    callback: Callback,
    user_data: *mut c_void,
    max: Level,
    /// The hash of the three values above ([`key_hash`]).
    hash: u64,
    /// The sinks made after this one whose hash has, at this node's depth, the
    /// bits of the child's index ([`SINKS`] is the root).
    children: [AtomicPtr<Sink>; FANOUT],
}

impl Sink {
    fn is(&self, callback: Callback, user_data: *mut c_void, max: Level) -> bool {
        self.callback as usize == callback as usize
            && self.user_data == user_data
            && self.max == max
    }
}

/// The sink records go to; NULL when logging is off.
static CURRENT: AtomicPtr<Sink> = AtomicPtr::new(ptr::null_mut());
/// The root of the tree of every sink ever made.
static SINKS: AtomicPtr<Sink> = AtomicPtr::new(ptr::null_mut());
/// Whether this module's logger is the process's `log` logger (decided by the first
/// call that sets a callback).
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// The logger installed with `log::set_logger`.
struct Bridge;
static BRIDGE: Bridge = Bridge;

thread_local! {
    /// Set while this thread runs the callback: records made meanwhile (by `tb_`
    /// functions the callback calls) are dropped instead of recursing.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// The sink a pointer from [`CURRENT`], [`SINKS`] or a sink's children points to.
fn sink(p: *mut Sink) -> Option<&'static Sink> {
    // SAFETY: `p` is NULL or a sink made by `sink_for` with `Box::into_raw`, which
    // is never freed and, but for its atomic children, never written to after it
    // was published (with Release ordering; every load of a pointer to a sink is
    // Acquire).
    unsafe { p.as_ref() }
}

fn current() -> Option<&'static Sink> {
    sink(CURRENT.load(Ordering::Acquire))
}

/// The hash the tree of sinks is searched by (SipHash with fixed keys: the same in
/// every run, spread well for pointers that differ only in their low bits).
fn key_hash(callback: Callback, user_data: *mut c_void, max: Level) -> u64 {
    let mut h = DefaultHasher::new();
    (callback as usize, user_data as usize, max).hash(&mut h);
    h.finish()
}

/// Which child of a node at `depth` a hash goes to. Past 32 levels the bits come
/// round again: only sinks whose whole hashes are equal go that deep, and they then
/// form a chain, still found, only more slowly.
fn branch(hash: u64, depth: u32) -> usize {
    (hash >> ((depth * 2) % 64)) as usize % FANOUT
}

/// The sink for these values: an existing one, or a new one added to the tree.
/// Lock-free: a slot is only ever set once, from NULL, by compare-and-swap; whoever
/// loses the race goes on from the sink that won.
fn sink_for(callback: Callback, user_data: *mut c_void, max: Level) -> *mut Sink {
    let hash = key_hash(callback, user_data, max);
    let mut new: *mut Sink = ptr::null_mut();
    let mut slot = &SINKS;
    let mut depth = 0u32;
    loop {
        let p = slot.load(Ordering::Acquire);
        if let Some(s) = sink(p) {
            if s.hash == hash && s.is(callback, user_data, max) {
                if !new.is_null() {
                    // SAFETY: `new` came from `Box::into_raw` below and was never
                    // published (its compare-and-swap failed), so this is its only
                    // owner.
                    drop(unsafe { Box::from_raw(new) });
                }
                return p;
            }
            slot = &s.children[branch(hash, depth)];
            depth += 1;
            continue;
        }
        if new.is_null() {
            new = Box::into_raw(Box::new(Sink {
                callback,
                user_data,
                max,
                hash,
                children: Default::default(),
            }));
        }
        if slot
            .compare_exchange(ptr::null_mut(), new, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            return new;
        }
        // Another thread filled the slot first: look at its sink (it may be ours).
    }
}

/// Makes `p` the current sink and, when this module's logger is installed, sets
/// `log`'s global level to match. The level is set again until it matches the
/// sink that is current after it was set, so concurrent calls end consistent.
fn publish(p: *mut Sink) {
    CURRENT.store(p, Ordering::Release);
    if INSTALLED.get() != Some(&true) {
        return;
    }
    loop {
        let now = CURRENT.load(Ordering::Acquire);
        ::log::set_max_level(sink(now).map_or(LevelFilter::Off, |s| s.max.to_level_filter()));
        if CURRENT.load(Ordering::Acquire) == now {
            return;
        }
    }
}

/// Installs [`BRIDGE`] as the `log` logger, once; false when another logger was
/// there first.
fn install() -> bool {
    *INSTALLED.get_or_init(|| ::log::set_logger(&BRIDGE).is_ok())
}

/// Whether a record of `target` at `level` goes to a sink of level `max`:
/// tokenbridge's records up to `max`; other libraries' warnings and errors up to
/// `max`, and the rest of what they log only at TRACE — never the records that
/// [`may_hold_secrets`] (the HTTP library's wire bytes).
fn passes(max: Level, level: Level, target: &str) -> bool {
    let ours = target == "tokenbridge" || target.starts_with("tokenbridge::");
    level <= max
        && (ours || level <= Level::Warn || max == Level::Trace)
        && !may_hold_secrets(&Metadata::builder().level(level).target(target).build())
}

fn c_level(level: Level) -> tb_log_level {
    match level {
        Level::Error => tb_log_level::TB_LOG_ERROR,
        Level::Warn => tb_log_level::TB_LOG_WARN,
        Level::Info => tb_log_level::TB_LOG_INFO,
        Level::Debug => tb_log_level::TB_LOG_DEBUG,
        Level::Trace => tb_log_level::TB_LOG_TRACE,
    }
}

/// The `max_level` argument.
fn level_arg(raw: i32) -> Result<Level> {
    [
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Debug,
        Level::Trace,
    ]
    .into_iter()
    .find(|l| c_level(*l) as i32 == raw)
    .ok_or_else(|| {
        Error::invalid_input(
            "max_level",
            format!("{raw} is not a tb_log_level (1 = TB_LOG_ERROR ... 5 = TB_LOG_TRACE)"),
        )
    })
}

const TRUNCATED: &str = " [truncated]";

/// The longest prefix of `s` of at most `n` bytes that ends at a character
/// boundary.
fn prefix(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Appends text to a buffer, NUL characters as U+FFFD, up to `room` bytes; then
/// refuses more (which stops the formatting of a long record early).
struct Capped<'a> {
    buf: &'a mut String,
    room: usize,
    full: bool,
}

impl Capped<'_> {
    fn push(&mut self, s: &str) -> fmt::Result {
        let part = prefix(s, self.room);
        self.buf.push_str(part);
        self.room -= part.len();
        if part.len() < s.len() {
            self.full = true;
            return Err(fmt::Error);
        }
        Ok(())
    }
}

impl fmt::Write for Capped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (i, piece) in s.split('\0').enumerate() {
            if i > 0 {
                self.push("\u{FFFD}")?;
            }
            self.push(piece)?;
        }
        Ok(())
    }
}

/// `target NUL message NUL` in one buffer, and where the message starts.
fn render(target: &str, args: &fmt::Arguments<'_>) -> (String, usize) {
    let mut buf = String::with_capacity(target.len() + 128);
    let mut w = Capped {
        buf: &mut buf,
        room: usize::MAX,
        full: false,
    };
    let _ = w.write_str(target);
    buf.push('\0');
    let start = buf.len();
    let mut w = Capped {
        buf: &mut buf,
        room: TB_LOG_MESSAGE_MAX,
        full: false,
    };
    let _ = w.write_fmt(*args);
    if w.full {
        let keep = prefix(&buf[start..], TB_LOG_MESSAGE_MAX - TRUNCATED.len()).len();
        buf.truncate(start + keep);
        buf.push_str(TRUNCATED);
    }
    buf.push('\0');
    (buf, start)
}

/// Clears [`IN_CALLBACK`] when the callback returns.
struct Leave;

impl Drop for Leave {
    fn drop(&mut self) {
        let _ = IN_CALLBACK.try_with(|c| c.set(false));
    }
}

/// Hands one record to the current sink, if it wants it.
fn deliver(record: &Record<'_>) {
    let Some(s) = current() else { return };
    if !passes(s.max, record.level(), record.target()) {
        return;
    }
    // While the thread is being torn down there is no flag; then go ahead.
    if IN_CALLBACK.try_with(|c| c.replace(true)).unwrap_or(false) {
        return;
    }
    let _leave = Leave;
    let (text, start) = render(record.target(), record.args());
    let target_len = start - 1;
    let message_len = text.len() - start - 1;
    let base = text.as_ptr().cast::<c_char>();
    // SAFETY: the caller of tb_set_log_callback promised a callback that may be
    // called from any thread with this user data until it is replaced. `text` holds
    // `target NUL message NUL` and outlives the call; the pointers and lengths stay
    // inside it (`start <= text.len() - 1`).
    unsafe {
        (s.callback)(
            s.user_data,
            c_level(record.level()),
            base,
            target_len,
            base.add(start),
            message_len,
        )
    }
}

impl Log for Bridge {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        current().is_some_and(|s| passes(s.max, metadata.level(), metadata.target()))
    }

    fn log(&self, record: &Record<'_>) {
        // A record is never worth a failed call: a panic here is swallowed.
        super::panic::guard((), || deliver(record));
    }

    fn flush(&self) {}
}

/// Sends the library's log records to `callback`, or turns logging off when
/// `callback` is NULL. Off is the default: without a callback, nothing is
/// formatted.
///
/// `max_level` (a `tb_log_level`: `TB_LOG_ERROR` ... `TB_LOG_TRACE`, taken as a
/// plain `int32_t` so that any number is safe to pass) chooses what arrives:
/// tokenbridge's records of that level and more severe (INFO: logins, refreshes,
/// retries, ended sessions; DEBUG: one record per HTTP request), and warnings and
/// errors of the libraries underneath (ureq, rustls). `TB_LOG_TRACE` adds
/// everything those libraries log, including ureq's dump of every byte sent and
/// received (16 bytes a row, hex and ASCII). No record holds a password, app
/// secret, company hash or token, at any level: the wire dump shows them replaced.
/// Any other `max_level` is `TB_INVALID_ARGUMENT` (ignored when `callback` is
/// NULL).
///
/// Each call replaces the callback, `max_level` and `user_data` of the previous
/// one, for all threads; a record already being delivered may still reach the old
/// callback, so keep its `user_data` valid until no call is in flight.
///
/// The callback runs on the thread whose call made the record (a library underneath
/// may log from a helper thread of its own), so on several threads at once: it
/// must be thread-safe and return quickly (the call waits for it). It must not unwind (no C++ exception, no `longjmp`) out of the callback.
/// No lock is held while it runs, so it may call `tb_set_log_callback`; it should
/// not call other `tb_` functions (the records they make meanwhile are dropped,
/// and they change the thread's last error).
///
/// The library can log through a callback only if it is the process's logger:
/// when Rust code in the same process already installed a `log` logger (one per
/// process), setting a callback fails with `TB_INVALID_ARGUMENT` naming
/// `callback`, and tokenbridge's records go to that logger. Each distinct
/// (callback, `max_level`, `user_data`) keeps a few bytes until the process ends.
///
/// Thread-safe.
///
/// # Safety
///
/// `callback` is NULL or a function with the `tb_log_callback` signature that is
/// safe to call with `user_data` from any thread, at any time until a later call
/// replaces it (and while records already in flight finish).
#[no_mangle]
pub unsafe extern "C" fn tb_set_log_callback(
    callback: tb_log_callback,
    max_level: i32,
    user_data: *mut c_void,
) -> tb_status {
    super::error::run(|| {
        let Some(callback) = callback else {
            publish(ptr::null_mut());
            return Ok(());
        };
        let max = level_arg(max_level)?;
        if !install() {
            return Err(Error::invalid_input(
                "callback",
                "cannot be used: this process already has a `log` logger (Rust code set \
                 one, and there is one per process), and tokenbridge's records go to it",
            ));
        }
        publish(sink_for(callback, user_data, max));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::sync::Mutex;

    // No test here installs the logger: the library's tests in src/http/ install
    // their own. Records are handed to `deliver` directly.

    /// CURRENT is global: the tests that change it take turns.
    static TURNS: Mutex<()> = Mutex::new(());

    type Seen = Mutex<Vec<(tb_log_level, String, String)>>;

    unsafe extern "C" fn collect(
        user_data: *mut c_void,
        level: tb_log_level,
        target: *const c_char,
        target_len: usize,
        message: *const c_char,
        message_len: usize,
    ) {
        // SAFETY: the tests pass a `Seen` that outlives the calls; the strings are
        // NUL-terminated, as the assertions check.
        let (seen, t, m) = unsafe {
            (
                &*user_data.cast::<Seen>(),
                CStr::from_ptr(target),
                CStr::from_ptr(message),
            )
        };
        assert_eq!(t.to_bytes().len(), target_len);
        assert_eq!(m.to_bytes().len(), message_len);
        seen.lock().unwrap().push((
            level,
            t.to_str().unwrap().to_owned(),
            m.to_str().unwrap().to_owned(),
        ));
        // A record made inside the callback is dropped, not delivered recursively.
        deliver(
            &Record::builder()
                .level(Level::Error)
                .target("tokenbridge")
                .args(format_args!("from inside"))
                .build(),
        );
    }

    fn send(level: Level, target: &str, args: fmt::Arguments<'_>) {
        deliver(
            &Record::builder()
                .level(level)
                .target(target)
                .args(args)
                .build(),
        );
    }

    #[test]
    fn records_reach_the_callback_filtered_and_well_formed() {
        let _turn = TURNS.lock().unwrap_or_else(|e| e.into_inner());
        let seen: Seen = Mutex::new(Vec::new());
        let user = (&seen as *const Seen).cast_mut().cast::<c_void>();
        publish(sink_for(collect, user, Level::Debug));

        send(
            Level::Debug,
            "tokenbridge::http",
            format_args!("GET x -> {}", 200),
        );
        send(
            Level::Trace,
            "tokenbridge::http",
            format_args!("too detailed"),
        );
        send(Level::Debug, "ureq::unversioned", format_args!("not ours"));
        send(
            Level::Warn,
            "rustls::conn",
            format_args!("a warning a{}b", '\0'),
        );
        let long = "é".repeat(TB_LOG_MESSAGE_MAX);
        send(Level::Info, "tokenbridge", format_args!("{long}"));
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 3, "{seen:?}");
            assert_eq!(
                seen[0],
                (
                    tb_log_level::TB_LOG_DEBUG,
                    "tokenbridge::http".into(),
                    "GET x -> 200".into()
                )
            );
            assert_eq!(seen[1].0, tb_log_level::TB_LOG_WARN);
            assert_eq!(seen[1].2, "a warning a\u{FFFD}b");
            let cut = &seen[2].2;
            assert!(
                cut.len() <= TB_LOG_MESSAGE_MAX && cut.len() > 4000,
                "{}",
                cut.len()
            );
            assert!(cut.ends_with("é [truncated]"));
        }

        // The same values reuse their sink; TRACE lets the libraries' records
        // through, but never the HTTP library's wire bytes.
        assert_eq!(
            sink_for(collect, user, Level::Debug),
            CURRENT.load(Ordering::Acquire)
        );
        publish(sink_for(collect, user, Level::Trace));
        send(Level::Trace, "ureq_proto::util", format_args!("48 54"));
        assert_eq!(seen.lock().unwrap().len(), 3);
        send(
            Level::Trace,
            "rustls::client::hs",
            format_args!("handshake"),
        );
        assert_eq!(seen.lock().unwrap().len(), 4);

        // NULL turns it off (through the export, which installs nothing).
        // SAFETY: NULL is allowed.
        let status = unsafe { tb_set_log_callback(None, 0, ptr::null_mut()) };
        assert_eq!(status, tb_status::TB_OK);
        send(Level::Error, "tokenbridge", format_args!("nobody listens"));
        assert_eq!(seen.lock().unwrap().len(), 4);
    }

    #[test]
    fn a_bad_level_is_refused_before_anything_is_installed() {
        let _turn = TURNS.lock().unwrap_or_else(|e| e.into_inner());
        for bad in [0, 6, -1] {
            // SAFETY: `collect` is never called: the level is refused first.
            let status = unsafe { tb_set_log_callback(Some(collect), bad, ptr::null_mut()) };
            assert_eq!(status, tb_status::TB_INVALID_ARGUMENT);
            let msg = crate::ffi::error::last_message_for_tests().unwrap();
            assert!(msg.starts_with("invalid argument `max_level`:"), "{msg}");
        }
        assert!(INSTALLED.get().is_none());
        assert_eq!(level_arg(5).unwrap(), Level::Trace);
        assert_eq!(level_arg(1).unwrap(), Level::Error);
    }

    /// How many sinks a search for these values passes, the one found included.
    fn steps_to(callback: Callback, user_data: *mut c_void, max: Level) -> usize {
        let hash = key_hash(callback, user_data, max);
        let (mut p, mut depth, mut steps) = (SINKS.load(Ordering::Acquire), 0, 1);
        while let Some(s) = sink(p) {
            if s.is(callback, user_data, max) {
                return steps;
            }
            p = s.children[branch(hash, depth)].load(Ordering::Acquire);
            depth += 1;
            steps += 1;
        }
        panic!("no sink for these values");
    }

    fn fake_user_data(i: usize) -> *mut c_void {
        // Never dereferenced: `collect` is not called with these.
        (0x7f00_0000_0000usize + i * 16) as *mut c_void
    }

    #[test]
    fn one_sink_per_distinct_values_found_again_without_a_scan() {
        let n = 20_000;
        let made: Vec<*mut Sink> = (0..n)
            .map(|i| sink_for(collect, fake_user_data(i), Level::Info))
            .collect();
        let mut distinct = made.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), n, "each user data has a sink of its own");
        for (i, p) in made.iter().enumerate() {
            assert_eq!(sink_for(collect, fake_user_data(i), Level::Info), *p);
            let s = sink(*p).unwrap();
            assert!(s.is(collect, fake_user_data(i), Level::Info));
        }
        // The level is part of the values: another level, another sink.
        let debug = sink_for(collect, fake_user_data(0), Level::Debug);
        assert_ne!(debug, made[0]);
        assert_eq!(sink_for(collect, fake_user_data(0), Level::Debug), debug);
        // Finding one passes a few dozen sinks, not thousands: a tree, not a list
        // (the search of a list would pass up to all 20,000).
        let worst = (0..n)
            .map(|i| steps_to(collect, fake_user_data(i), Level::Info))
            .max()
            .unwrap();
        assert!(worst <= 40, "a search passed {worst} sinks");
    }

    #[test]
    fn racing_threads_get_the_same_sink_for_the_same_values() {
        let per_thread: Vec<Vec<usize>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|t| {
                    scope.spawn(move || {
                        // Every thread makes the same 2,000 sinks, in its own order.
                        (0..2000)
                            .map(|k| (k * 7 + t * 613) % 2000)
                            .map(|i| {
                                let p =
                                    sink_for(collect, fake_user_data(1_000_000 + i), Level::Warn);
                                (i, p as usize)
                            })
                            .fold(vec![0; 2000], |mut by_index, (i, p)| {
                                by_index[i] = p;
                                by_index
                            })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for other in &per_thread[1..] {
            assert_eq!(other, &per_thread[0]);
        }
    }

    #[test]
    fn records_reach_the_newest_callback() {
        let _turn = TURNS.lock().unwrap_or_else(|e| e.into_inner());
        let (first, second): (Seen, Seen) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
        let user = |s: &Seen| (s as *const Seen).cast_mut().cast::<c_void>();
        let a = sink_for(collect, user(&first), Level::Info);
        publish(a);
        send(Level::Info, "tokenbridge", format_args!("to the first"));
        publish(sink_for(collect, user(&second), Level::Info));
        send(Level::Info, "tokenbridge", format_args!("to the second"));
        // Back to the first values: their sink again, and the records with it.
        let again = sink_for(collect, user(&first), Level::Info);
        assert_eq!(again, a);
        publish(again);
        send(
            Level::Info,
            "tokenbridge",
            format_args!("to the first again"),
        );
        publish(ptr::null_mut());
        let texts =
            |s: &Seen| -> Vec<String> { s.lock().unwrap().iter().map(|r| r.2.clone()).collect() };
        assert_eq!(texts(&first), ["to the first", "to the first again"]);
        assert_eq!(texts(&second), ["to the second"]);
    }

    #[test]
    fn the_filter() {
        assert!(passes(Level::Info, Level::Info, "tokenbridge"));
        assert!(passes(Level::Info, Level::Warn, "tokenbridge::http"));
        assert!(!passes(Level::Info, Level::Debug, "tokenbridge::http"));
        assert!(!passes(Level::Debug, Level::Debug, "tokenbridgex"));
        assert!(passes(Level::Debug, Level::Error, "ureq"));
        assert!(!passes(Level::Error, Level::Warn, "ureq"));
        assert!(passes(Level::Trace, Level::Trace, "rustls::client"));
        assert!(passes(Level::Trace, Level::Debug, "ureq::run"));
        assert!(!passes(Level::Trace, Level::Trace, "ureq_proto::util"));
        assert!(!passes(Level::Trace, Level::Trace, "ureq::util"));
        assert_eq!(prefix("aé", 2), "a");
    }
}
