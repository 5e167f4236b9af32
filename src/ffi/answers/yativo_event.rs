//! `tb_yativo_event`: a Yativo webhook event whose signature was checked by
//! `tb_yativo_webhook_verify`.

use std::os::raw::c_char;
use std::time::UNIX_EPOCH;

use super::read::optional;
use crate::ffi::panic::free_handle;
use crate::ffi::tb_status;
use crate::ffi::text::{self, Text};
use crate::yativo::webhook::Event;

/// A verified Yativo webhook event (from `tb_yativo_webhook_verify`): its type, id,
/// time and `data`. Free it with `tb_yativo_event_free`. Read-only: any number of
/// threads may read one at once.
///
/// Webhooks are delivered at least once: remember the ids you processed
/// (`tb_yativo_event_id`) and skip the ones you have seen.
pub struct tb_yativo_event {
    event_type: Text,
    id: Text,
    created_at: Option<i64>,
    data: Text,
    secret_index: usize,
}

impl tb_yativo_event {
    pub(crate) fn new(e: &Event) -> Self {
        tb_yativo_event {
            event_type: Text::new(e.event_type()),
            id: Text::new(e.id()),
            created_at: e.created_at().map(|t| match t.duration_since(UNIX_EPOCH) {
                Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
            }),
            data: Text::new(e.data().get()),
            secret_index: e.secret_index().unwrap_or(0),
        }
    }
}

/// The event type (`event`, `event_type` or `type` in the body), e.g.
/// `payout.created`; lent (see "Strings"); always present.
///
/// # Safety
///
/// `event` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_event_type(
    event: *const tb_yativo_event,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(event, "event", ("out", out), out_len, |e| {
            Ok(Some(&e.event_type))
        })
    }
}

/// The event id (`id` or `event_id`; a number comes as its digits): the key to
/// deduplicate on; lent (see "Strings"); always present.
///
/// # Safety
///
/// `event` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_event_id(
    event: *const tb_yativo_event,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { text::accessor(event, "event", ("out", out), out_len, |e| Ok(Some(&e.id))) }
}

/// When the event happened (`created_at` or `timestamp` in the body), in Unix
/// seconds; `TB_ABSENT` (and 0) when the body does not say.
///
/// # Safety
///
/// `event` is NULL or live; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_event_created_at(
    event: *const tb_yativo_event,
    out: *mut i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(event, "event", out, |e| Ok(e.created_at)) }
}

/// The event's `data` as the JSON text it came as (any JSON value, byte for byte);
/// lent (see "Strings"); always present. Parse it with your JSON library.
///
/// # Safety
///
/// `event` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_event_data_json(
    event: *const tb_yativo_event,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(event, "event", ("out_json", out_json), out_len, |e| {
            Ok(Some(&e.data))
        })
    }
}

/// Which of the secrets given to `tb_yativo_webhook_verify` signed the event (0 for
/// the first): during a rotation, it tells when the old secret is no longer used.
///
/// # Safety
///
/// `event` is NULL or live; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_event_secret_index(
    event: *const tb_yativo_event,
    out: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(event, "event", out, |e| Ok(Some(e.secret_index))) }
}

/// Frees an event (its text is wiped first); the strings it lent become invalid.
/// `tb_yativo_event_free(NULL)` does nothing.
///
/// # Safety
///
/// `event` is NULL or an event from `tb_yativo_webhook_verify`, not freed yet, and
/// no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_yativo_event_free(event: *mut tb_yativo_event) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(event) }
}
