//! `tb_messenger_requests` (A7): a user's messenger requests.

use std::os::raw::c_char;

use super::read::{count, optional};
use super::values::{tb_messenger_pending, tb_messenger_status};
use crate::anna::{MessengerRequest, MessengerRequests};
use crate::error::Result;
use crate::ffi::panic::free_handle;
use crate::ffi::tb_status;
use crate::ffi::text::{self, Fields, Text};

struct RequestText {
    department: Option<Text>,
    channel: Option<Text>,
    description: Option<Text>,
    opened_at: Option<Text>,
    protocol: Option<Text>,
    status: Option<Text>,
    /// `None` when no status was sent; `NONE` for a word that is neither.
    status_kind: Option<tb_messenger_status>,
    pending: Option<tb_messenger_pending>,
    link: Option<Text>,
    fields: Fields,
}

impl RequestText {
    fn new(r: &MessengerRequest) -> Self {
        let t = |s: &Option<String>| s.as_deref().map(Text::new);
        RequestText {
            department: t(&r.department),
            channel: t(&r.channel),
            description: t(&r.description),
            opened_at: t(&r.opened_at),
            protocol: t(&r.protocol),
            status: t(&r.status),
            status_kind: r
                .status
                .as_ref()
                .map(|_| tb_messenger_status::of(r.status_kind)),
            pending: r.pending.map(|p| tb_messenger_pending::of(Some(p))),
            link: t(&r.link),
            fields: Fields::of(&r.raw, &[]),
        }
    }
}

/// A user's messenger requests from `tb_anna_messenger_requests` (A7), by index
/// (0 = the first, in the server's order). Free it with
/// `tb_messenger_requests_free`. Read-only: any number of threads may read one at
/// once.
///
/// AnnA does not publish the items' field names: the named accessors find each
/// field under its likely spellings (English and Portuguese, any case), and
/// `tb_messenger_requests_get` / `_field_at` reach every field as sent.
///
/// ```c
/// for (size_t i = 0; i < tb_messenger_requests_count(list); i++) {
///     const char *protocol, *description;
///     if (tb_messenger_requests_protocol(list, i, &protocol, NULL) != TB_OK)
///         protocol = "-";  // TB_ABSENT: the server sent none
///     if (tb_messenger_requests_description(list, i, &description, NULL) != TB_OK)
///         description = "";
///     printf("%s: %s\n", protocol, description);
/// }
/// ```
pub struct tb_messenger_requests {
    items: Vec<RequestText>,
    raw: Text,
}

impl tb_messenger_requests {
    pub(crate) fn new(r: &MessengerRequests) -> Self {
        tb_messenger_requests {
            items: r.items.iter().map(RequestText::new).collect(),
            raw: Text::json(r.raw()),
        }
    }

    fn item(&self, index: usize) -> Result<&RequestText> {
        text::at(&self.items, index, "index")
    }
}

/// The body of the named text accessors of request `index`.
///
/// # Safety
///
/// As for [`text::accessor`].
unsafe fn item_text(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
    pick: impl FnOnce(&RequestText) -> &Option<Text>,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(list, "list", ("out", out), out_len, |l| {
            Ok(pick(l.item(index)?).as_ref())
        })
    }
}

/// How many requests there are; 0 for NULL.
///
/// # Safety
///
/// `list` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_count(list: *const tb_messenger_requests) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { count(list, |l| l.items.len()) }
}

/// Request `index`'s department; lent (see "Strings"), `TB_ABSENT` when not sent. An index
/// past the last is `TB_INVALID_ARGUMENT` naming `index` (the same for every
/// `tb_messenger_requests_*` accessor).
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_department(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.department) }
}

/// Request `index`'s channel; lent, `TB_ABSENT` when not sent.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_channel(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.channel) }
}

/// Request `index`'s description; lent, `TB_ABSENT` when not sent.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_description(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.description) }
}

/// Request `index`'s opening date as the server wrote it; lent, `TB_ABSENT` when not sent.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_opened_at(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.opened_at) }
}

/// Request `index`'s protocol number; lent, `TB_ABSENT` when not sent.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_protocol(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.protocol) }
}

/// Request `index`'s status as the server wrote it; lent, `TB_ABSENT` when not
/// sent. `tb_messenger_requests_status` gives it as an enum.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_status_raw(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.status) }
}

/// Request `index`'s link; lent, `TB_ABSENT` when not sent.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_link(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.link) }
}

/// Request `index`'s status as an enum: `TB_MESSENGER_STATUS_OPEN` (`A`, `open`,
/// `aberto`), `TB_MESSENGER_STATUS_CLOSED` (`E`, `closed`, `encerrado`), or
/// `TB_MESSENGER_STATUS_NONE` for another word (read it with
/// `tb_messenger_requests_status_raw`); `TB_ABSENT` (and `TB_MESSENGER_STATUS_NONE`)
/// when the server sent no status.
///
/// # Safety
///
/// `list` is NULL or live; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_status(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut tb_messenger_status,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(list, "list", out, |l| Ok(l.item(index)?.status_kind)) }
}

/// Whether request `index` awaits the user's answer: `TB_MESSENGER_PENDING_YES` or
/// `TB_MESSENGER_PENDING_NO`; `TB_ABSENT` (and `TB_MESSENGER_PENDING_NONE`) when the
/// server did not say.
///
/// # Safety
///
/// `list` is NULL or live; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_pending(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut tb_messenger_pending,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(list, "list", out, |l| Ok(l.item(index)?.pending)) }
}

/// Any field of request `index` by its wire name (exact case): lent, `TB_ABSENT` when the
/// item has no such field. Numbers, booleans, objects and arrays come as their JSON
/// text.
///
/// # Safety
///
/// `list` is NULL or live; `name` is NULL or NUL-terminated; the out-pointers are
/// NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_get(
    list: *const tb_messenger_requests,
    index: usize,
    name: *const c_char,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        Fields::getter(list, "list", name, ("out", out), out_len, |l| {
            Ok(&l.item(index)?.fields)
        })
    }
}

/// How many fields request `index` has; 0 for NULL or an index past the last.
///
/// # Safety
///
/// `list` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_field_count(
    list: *const tb_messenger_requests,
    index: usize,
) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { count(list, |l| l.items.get(index).map_or(0, |i| i.fields.len())) }
}

/// Field `field` of request `index` (fields sorted by name, byte order): name and
/// value lent; the lengths are optional. An index past the last is
/// `TB_INVALID_ARGUMENT` naming `index` (the request's) or `field`.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_field_at(
    list: *const tb_messenger_requests,
    index: usize,
    field: usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
    out_value: *mut *const c_char,
    out_value_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        Fields::field_at(
            list,
            "list",
            (field, "field"),
            (out_name, out_name_len),
            (out_value, out_value_len),
            |l| Ok(&l.item(index)?.fields),
        )
    }
}

/// The escape hatch: the `userRequests` array as the server sent it, as JSON text;
/// lent (see "Strings").
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_raw_json(
    list: *const tb_messenger_requests,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(list, "list", ("out_json", out_json), out_len, |l| {
            Ok(Some(&l.raw))
        })
    }
}

/// Frees a list of requests (its text is wiped first); the strings it lent become
/// invalid. `tb_messenger_requests_free(NULL)` does nothing.
///
/// # Safety
///
/// `list` is NULL or a list from this library, not freed yet, and no other thread
/// uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_free(list: *mut tb_messenger_requests) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(list) }
}
