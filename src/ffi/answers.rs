//! The typed answers of the operations, as opaque handles with accessors:
//! `tb_agent_profile` (U2), `tb_access_data` (A2, A3), `tb_messenger_structure`
//! (A5) and `tb_messenger_requests` (A7). Each is freed with its own `_free`;
//! strings lent by their accessors follow the rule in [`super::text`]. Raw JSON is
//! reachable only through the explicit `_raw_json` escape hatches: the JSON value the
//! server sent, written anew (object keys sorted by name, no insignificant
//! whitespace).

use std::os::raw::c_char;

use super::text::{self, Fields, Text};
use super::{free_handle, guard, handle, run, strings, tb_status};
use crate::anna::{
    AccessData, MessengerRequest, MessengerRequests, MessengerStructure, RequestStatus,
};
use crate::error::Result;
use crate::ucontact::AgentProfile;

/// A date and time as numbers (the server's local time; AnnA sends no zone).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct tb_datetime {
    /// The year, e.g. 2024.
    pub year: i32,
    /// 1 to 12.
    pub month: i32,
    /// 1 to 31.
    pub day: i32,
    /// 0 to 23.
    pub hour: i32,
    /// 0 to 59.
    pub minute: i32,
    /// 0 to 60 (60 only for a leap second).
    pub second: i32,
}

/// A messenger request's status: in a filter, which requests to count or list; in
/// an answer, what the server said.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tb_messenger_status {
    /// In a filter: any status. In an answer: the server sent none, or one that is
    /// neither open nor closed (read the text with `tb_messenger_requests_status`).
    TB_MESSENGER_STATUS_NONE = 0,
    /// Open (`A` on the wire).
    TB_MESSENGER_STATUS_OPEN = 1,
    /// Closed (`E` on the wire).
    TB_MESSENGER_STATUS_CLOSED = 2,
}

impl tb_messenger_status {
    const ALL: [Self; 3] = [
        tb_messenger_status::TB_MESSENGER_STATUS_NONE,
        tb_messenger_status::TB_MESSENGER_STATUS_OPEN,
        tb_messenger_status::TB_MESSENGER_STATUS_CLOSED,
    ];

    /// The core's status this stands for (`None`: none / any).
    pub(crate) fn status(self) -> Option<RequestStatus> {
        match self {
            tb_messenger_status::TB_MESSENGER_STATUS_NONE => None,
            tb_messenger_status::TB_MESSENGER_STATUS_OPEN => Some(RequestStatus::Open),
            tb_messenger_status::TB_MESSENGER_STATUS_CLOSED => Some(RequestStatus::Closed),
        }
    }

    pub(crate) fn of(status: Option<RequestStatus>) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.status() == status)
            .unwrap_or(tb_messenger_status::TB_MESSENGER_STATUS_NONE)
    }

    /// The value a C caller passed, if it is one.
    pub(crate) fn from_raw(raw: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|v| *v as i32 == raw)
    }
}

/// Whether a messenger request awaits the user's answer: in a filter, which
/// requests to count or list; in an answer, what the server said.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tb_messenger_pending {
    /// In a filter: pending or not. In an answer: the server did not say.
    TB_MESSENGER_PENDING_NONE = 0,
    /// Awaits the user's answer (`S` on the wire).
    TB_MESSENGER_PENDING_YES = 1,
    /// Does not (`N` on the wire).
    TB_MESSENGER_PENDING_NO = 2,
}

impl tb_messenger_pending {
    const ALL: [Self; 3] = [
        tb_messenger_pending::TB_MESSENGER_PENDING_NONE,
        tb_messenger_pending::TB_MESSENGER_PENDING_YES,
        tb_messenger_pending::TB_MESSENGER_PENDING_NO,
    ];

    /// The core's flag this stands for (`None`: unknown / either).
    pub(crate) fn pending(self) -> Option<bool> {
        match self {
            tb_messenger_pending::TB_MESSENGER_PENDING_NONE => None,
            tb_messenger_pending::TB_MESSENGER_PENDING_YES => Some(true),
            tb_messenger_pending::TB_MESSENGER_PENDING_NO => Some(false),
        }
    }

    pub(crate) fn of(pending: Option<bool>) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.pending() == pending)
            .unwrap_or(tb_messenger_pending::TB_MESSENGER_PENDING_NONE)
    }

    /// The value a C caller passed, if it is one.
    pub(crate) fn from_raw(raw: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|v| *v as i32 == raw)
    }
}

/// Writes an enum-or-number answer through a checked out-pointer, after checking
/// the handle: the body of the typed (non-text) accessors.
///
/// # Safety
///
/// `h` is NULL or a live handle; `out` is NULL or valid for writes.
unsafe fn value_accessor<H, T>(
    h: *const H,
    name: &'static str,
    out: *mut T,
    pick: impl FnOnce(&H) -> Result<T>,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let h = unsafe { handle(h, name) }?;
        strings::out_ptr(out, "out")?;
        let value = pick(h)?;
        // SAFETY: checked above; the caller promises it is valid for writes.
        unsafe { strings::write(out, value) };
        Ok(())
    })
}

/// A count read from a handle (0 for NULL): the body of the `_count` accessors.
///
/// # Safety
///
/// `h` is NULL or live.
unsafe fn count<H>(h: *const H, pick: impl FnOnce(&H) -> usize) -> usize {
    guard(0, || {
        // SAFETY: the caller promises NULL or a live handle.
        unsafe { h.as_ref() }.map_or(0, pick)
    })
}

// ---------------------------------------------------------------------------
// U2: the agent profile

/// A published field of the agent profile (U2), for `tb_agent_profile_text`. The
/// names are the wire names; `secret` and `md5secret` (the SIP password and its
/// digest) are deliberately not reachable.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tb_agent_field {
    /// `id` (a number, as decimal text; also `tb_agent_profile_id`).
    TB_AGENT_ID = 0,
    /// `name`.
    TB_AGENT_NAME,
    /// `host`.
    TB_AGENT_HOST,
    /// `nat`.
    TB_AGENT_NAT,
    /// `type`.
    TB_AGENT_TYPE,
    /// `accountcode`.
    TB_AGENT_ACCOUNTCODE,
    /// `callgroup`.
    TB_AGENT_CALLGROUP,
    /// `callerid`.
    TB_AGENT_CALLERID,
    /// `canreinvite`.
    TB_AGENT_CANREINVITE,
    /// `context`.
    TB_AGENT_CONTEXT,
    /// `dtmfmode`.
    TB_AGENT_DTMFMODE,
    /// `insecure`.
    TB_AGENT_INSECURE,
    /// `language`.
    TB_AGENT_LANGUAGE,
    /// `mailbox`.
    TB_AGENT_MAILBOX,
    /// `pickupgroup`.
    TB_AGENT_PICKUPGROUP,
    /// `qualify`.
    TB_AGENT_QUALIFY,
    /// `disallow`.
    TB_AGENT_DISALLOW,
    /// `allow`.
    TB_AGENT_ALLOW,
    /// `port`.
    TB_AGENT_PORT,
    /// `defaultuser`.
    TB_AGENT_DEFAULTUSER,
    /// `subscribecontext`.
    TB_AGENT_SUBSCRIBECONTEXT,
    /// `record`.
    TB_AGENT_RECORD,
    /// `email`.
    TB_AGENT_EMAIL,
    /// `phonetype`.
    TB_AGENT_PHONETYPE,
    /// `transport`.
    TB_AGENT_TRANSPORT,
    /// `encryption`.
    TB_AGENT_ENCRYPTION,
    /// `did`.
    TB_AGENT_DID,
    /// `outboundproxy`.
    TB_AGENT_OUTBOUNDPROXY,
    /// `fullname`.
    TB_AGENT_FULLNAME,
    /// `LogLevel`.
    TB_AGENT_LOGLEVEL,
    /// `limite` (a number, as decimal text; also `tb_agent_profile_limite`).
    TB_AGENT_LIMITE,
    /// `token`: the session token (also cached by the client).
    TB_AGENT_TOKEN,
}

/// A [`tb_agent_field`] as it comes from C: any 32-bit number; out-of-range numbers
/// are `TB_INVALID_ARGUMENT`.
pub type tb_agent_field_raw = i32;

/// The wire names of [`tb_agent_field`], in its order.
const AGENT_FIELDS: [&str; 32] = [
    "id",
    "name",
    "host",
    "nat",
    "type",
    "accountcode",
    "callgroup",
    "callerid",
    "canreinvite",
    "context",
    "dtmfmode",
    "insecure",
    "language",
    "mailbox",
    "pickupgroup",
    "qualify",
    "disallow",
    "allow",
    "port",
    "defaultuser",
    "subscribecontext",
    "record",
    "email",
    "phonetype",
    "transport",
    "encryption",
    "did",
    "outboundproxy",
    "fullname",
    "LogLevel",
    "limite",
    "token",
];
const _: () = assert!(tb_agent_field::TB_AGENT_TOKEN as usize + 1 == AGENT_FIELDS.len());

/// The SIP password and its digest: never lent out.
const SIP_SECRETS: &[&str] = &["secret", "md5secret"];

/// An agent's profile from `tb_ucontact_agent_login` (U2): every field the server
/// sent except `secret` and `md5secret`. Free it with `tb_agent_profile_free`.
/// Read-only: any number of threads may read one profile at once.
pub struct tb_agent_profile {
    id: Option<i64>,
    limite: Option<i64>,
    fields: Fields,
    raw: Text,
}

impl tb_agent_profile {
    pub(crate) fn new(p: &AgentProfile) -> Self {
        let raw = p.to_json_without_sip_secrets();
        tb_agent_profile {
            id: p.id,
            limite: p.limite,
            fields: Fields::of(&raw, SIP_SECRETS),
            raw: Text::json(&raw),
        }
    }
}

/// A published field of the profile, by [`tb_agent_field`]: `*out` is lent (see
/// "Strings"), NULL when the server did not send it. Numbers and booleans come as
/// their JSON text (`"42"`, `"true"`). An unknown `field` is `TB_INVALID_ARGUMENT`.
///
/// ```c
/// const char *callerid;
/// if (tb_agent_profile_text(profile, TB_AGENT_CALLERID, &callerid, NULL) == TB_OK && callerid)
///     printf("caller id: %s\n", callerid);
/// ```
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_text(
    profile: *const tb_agent_profile,
    field: tb_agent_field_raw,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(profile, "profile", ("out", out), out_len, |p| {
            let key = usize::try_from(field)
                .ok()
                .and_then(|i| AGENT_FIELDS.get(i))
                .ok_or_else(|| {
                    crate::Error::invalid_input(
                        "field",
                        format!(
                            "{field} is not a tb_agent_field (0 = TB_AGENT_ID .. {} = TB_AGENT_TOKEN)",
                            AGENT_FIELDS.len() - 1
                        ),
                    )
                })?;
            Ok(p.fields.get(key))
        })
    }
}

/// Any field of the profile by its wire name (exact case), including those the
/// vendor does not publish: `*out` is lent, NULL when the profile has no such field
/// (and always for `secret` and `md5secret`). Numbers, booleans, objects and arrays
/// come as their JSON text.
///
/// # Safety
///
/// `profile` is NULL or a live profile; `name` is NULL or NUL-terminated; the
/// out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_get(
    profile: *const tb_agent_profile,
    name: *const c_char,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        Fields::getter(profile, "profile", name, ("out", out), out_len, |p| {
            Ok(&p.fields)
        })
    }
}

/// How many fields the profile has (for `tb_agent_profile_field_at`); 0 for NULL.
///
/// # Safety
///
/// `profile` is NULL or a live profile.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_field_count(profile: *const tb_agent_profile) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { count(profile, |p| p.fields.len()) }
}

/// The field at `index` (0 = the first; fields sorted by name, byte order): name
/// and value lent (see "Strings"); `*out_name_len` and `*out_value_len` are
/// optional. An index past the last is `TB_INVALID_ARGUMENT` naming `index`.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for
/// writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_field_at(
    profile: *const tb_agent_profile,
    index: usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
    out_value: *mut *const c_char,
    out_value_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        Fields::field_at(
            profile,
            "profile",
            (index, "index"),
            (out_name, out_name_len),
            (out_value, out_value_len),
            |p| Ok(&p.fields),
        )
    }
}

/// The profile's `id` as a number: true and `*out` set when the server sent one.
/// False for NULL arguments.
///
/// # Safety
///
/// `profile` is NULL or a live profile; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_id(
    profile: *const tb_agent_profile,
    out: *mut i64,
) -> bool {
    // SAFETY: forwarded from this function's contract.
    unsafe { known(profile, out, |p| p.id) }
}

/// The profile's `limite` as a number: true and `*out` set when the server sent
/// one. False for NULL arguments.
///
/// # Safety
///
/// `profile` is NULL or a live profile; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_limite(
    profile: *const tb_agent_profile,
    out: *mut i64,
) -> bool {
    // SAFETY: forwarded from this function's contract.
    unsafe { known(profile, out, |p| p.limite) }
}

/// Writes an optional value and says whether there was one (false for NULL
/// arguments).
///
/// # Safety
///
/// `h` is NULL or live; `out` is NULL or valid for writes.
unsafe fn known<H, T>(h: *const H, out: *mut T, pick: impl FnOnce(&H) -> Option<T>) -> bool {
    guard(false, || {
        // SAFETY: the caller promises NULL or a live handle.
        match (unsafe { h.as_ref() }.and_then(pick), out.is_null()) {
            (Some(n), false) => {
                // SAFETY: not NULL; the caller promises it is valid for writes.
                unsafe { strings::write(out, n) };
                true
            }
            _ => false,
        }
    })
}

/// The escape hatch: the profile as the server sent it, as JSON text, without
/// `secret` and `md5secret`; lent (see "Strings").
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_raw_json(
    profile: *const tb_agent_profile,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(profile, "profile", ("out_json", out_json), out_len, |p| {
            Ok(Some(&p.raw))
        })
    }
}

/// Frees a profile (its text is wiped first); the strings it lent become invalid.
/// `tb_agent_profile_free(NULL)` does nothing.
///
/// # Safety
///
/// `profile` is NULL or a profile from `tb_ucontact_agent_login`, not freed yet,
/// and no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_free(profile: *mut tb_agent_profile) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(profile) }
}

// ---------------------------------------------------------------------------
// A2, A3: access data

/// A user's chat access from `tb_anna_user_hash` or `tb_anna_user_hash_forced`
/// (A2, A3). Free it with `tb_access_data_free`. Read-only: any number of threads
/// may read one at once. Its text accessors never give NULL: a field the server
/// left out is the empty string (length 0).
pub struct tb_access_data {
    hash: Text,
    chat_url: Text,
    embedded_url: Text,
    expires: Option<tb_datetime>,
    expires_raw: Text,
    raw: Text,
}

impl tb_access_data {
    pub(crate) fn new(a: &AccessData) -> Self {
        tb_access_data {
            hash: Text::new(a.hash.expose()),
            chat_url: Text::new(a.chat_url.as_str()),
            embedded_url: Text::new(a.embedded_url.as_str()),
            expires: a.expires.map(|t| {
                let d = t.date();
                tb_datetime {
                    year: d.year().into(),
                    month: d.month().into(),
                    day: d.day().into(),
                    hour: t.hour().into(),
                    minute: t.minute().into(),
                    second: t.second().into(),
                }
            }),
            expires_raw: Text::new(a.expires_raw.as_str()),
            raw: Text::json(a.raw()),
        }
    }
}

/// `Hash`: the user's access hash (a credential: do not log it); lent (see
/// "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_hash(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { text::accessor(data, "data", ("out", out), out_len, |a| Ok(Some(&a.hash))) }
}

/// `ChatURL`: the URL that opens the user's chat (it carries the hash); lent (see
/// "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_chat_url(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out", out), out_len, |a| {
            Ok(Some(&a.chat_url))
        })
    }
}

/// `EmbeddedURL`: the URL for an embedded chat; lent (see "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_embedded_url(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out", out), out_len, |a| {
            Ok(Some(&a.embedded_url))
        })
    }
}

/// `Expires` as numbers, in the server's local time (AnnA sends no zone): true and
/// `*out` set when the server wrote a `YYYYMMDDhhmmss` date; false when it wrote
/// something else (read it with `tb_access_data_expires_raw`) and for NULL
/// arguments.
///
/// ```c
/// tb_datetime when;
/// if (tb_access_data_expires(data, &when))
///     printf("valid until %04d-%02d-%02d %02d:%02d\n", when.year, when.month,
///            when.day, when.hour, when.minute);
/// ```
///
/// # Safety
///
/// `data` is NULL or live; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_expires(
    data: *const tb_access_data,
    out: *mut tb_datetime,
) -> bool {
    // SAFETY: forwarded from this function's contract.
    unsafe { known(data, out, |a| a.expires) }
}

/// `Expires` as the server wrote it (normally `YYYYMMDDhhmmss`); lent (see
/// "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_expires_raw(
    data: *const tb_access_data,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out", out), out_len, |a| {
            Ok(Some(&a.expires_raw))
        })
    }
}

/// The escape hatch: the `accessData` object as the server sent it, as JSON text
/// (it holds the hash); lent (see "Strings").
///
/// # Safety
///
/// `data` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_raw_json(
    data: *const tb_access_data,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(data, "data", ("out_json", out_json), out_len, |a| {
            Ok(Some(&a.raw))
        })
    }
}

/// Frees access data (its text is wiped first); the strings it lent become invalid.
/// `tb_access_data_free(NULL)` does nothing.
///
/// # Safety
///
/// `data` is NULL or access data from this library, not freed yet, and no other
/// thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_access_data_free(data: *mut tb_access_data) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(data) }
}

// ---------------------------------------------------------------------------
// A5: the messenger structure

struct NamedText {
    alias: Text,
    name: Text,
}

struct DepartmentText {
    this: NamedText,
    channels: Vec<NamedText>,
}

/// The messenger's structure from `tb_anna_messenger_structure` (A5): the company,
/// its departments and their channels, by index. Free it with
/// `tb_messenger_structure_free`. Read-only: any number of threads may read one at
/// once.
///
/// ```c
/// for (size_t d = 0; d < tb_messenger_structure_department_count(s); d++) {
///     const char *alias, *name;
///     tb_messenger_structure_department(s, d, &alias, NULL, &name, NULL);
///     for (size_t k = 0; k < tb_messenger_structure_channel_count(s, d); k++) {
///         const char *ch_alias, *ch_name;
///         tb_messenger_structure_channel(s, d, k, &ch_alias, NULL, &ch_name, NULL);
///     }
/// }
/// ```
pub struct tb_messenger_structure {
    companies_hash: Text,
    companies_name: Text,
    departments: Vec<DepartmentText>,
    raw: Text,
}

impl tb_messenger_structure {
    pub(crate) fn new(s: &MessengerStructure) -> Self {
        let named = |alias: &str, name: &str| NamedText {
            alias: Text::new(alias),
            name: Text::new(name),
        };
        tb_messenger_structure {
            companies_hash: Text::new(s.companies_hash.as_str()),
            companies_name: Text::new(s.companies_name.as_str()),
            departments: s
                .departments
                .iter()
                .map(|d| DepartmentText {
                    this: named(&d.alias, &d.name),
                    channels: d
                        .channels
                        .iter()
                        .map(|c| named(&c.alias, &c.name))
                        .collect(),
                })
                .collect(),
            raw: Text::json(s.raw()),
        }
    }

    fn department(&self, index: usize) -> Result<&DepartmentText> {
        text::at(&self.departments, index, "department")
    }
}

/// Lends an alias and a name.
///
/// # Safety
///
/// `s` is NULL or live; `out_alias` and `out_name` are NULL or valid for writes;
/// the lengths are NULL or valid for writes.
unsafe fn named_accessor(
    s: *const tb_messenger_structure,
    (out_alias, out_alias_len): (*mut *const c_char, *mut usize),
    (out_name, out_name_len): (*mut *const c_char, *mut usize),
    pick: impl FnOnce(&tb_messenger_structure) -> Result<&NamedText>,
) -> tb_status {
    run(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let s = unsafe { handle(s, "structure") }?;
        strings::out_ptr(out_alias, "out_alias")?;
        strings::out_ptr(out_name, "out_name")?;
        let n = pick(s)?;
        // SAFETY: both checked; the caller promises valid pointers; the text lives as
        // long as the handle.
        unsafe {
            n.alias.lend(out_alias, out_alias_len);
            n.name.lend(out_name, out_name_len);
        }
        Ok(())
    })
}

/// `CompaniesHash`: the company hash (a credential: do not log it); lent (see
/// "Strings").
///
/// # Safety
///
/// `structure` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_companies_hash(
    structure: *const tb_messenger_structure,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(structure, "structure", ("out", out), out_len, |s| {
            Ok(Some(&s.companies_hash))
        })
    }
}

/// `CompaniesName`; lent (see "Strings").
///
/// # Safety
///
/// `structure` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_companies_name(
    structure: *const tb_messenger_structure,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(structure, "structure", ("out", out), out_len, |s| {
            Ok(Some(&s.companies_name))
        })
    }
}

/// How many departments there are; 0 for NULL.
///
/// # Safety
///
/// `structure` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_department_count(
    structure: *const tb_messenger_structure,
) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { count(structure, |s| s.departments.len()) }
}

/// Department `department` (0 = the first): its alias (used in filters) and name,
/// lent (see "Strings"); the lengths are optional. An index past the last is
/// `TB_INVALID_ARGUMENT` naming `department`.
///
/// # Safety
///
/// `structure` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_department(
    structure: *const tb_messenger_structure,
    department: usize,
    out_alias: *mut *const c_char,
    out_alias_len: *mut usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        named_accessor(
            structure,
            (out_alias, out_alias_len),
            (out_name, out_name_len),
            |s| Ok(&s.department(department)?.this),
        )
    }
}

/// How many channels department `department` has; 0 for NULL or an index past the
/// last department.
///
/// # Safety
///
/// `structure` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_channel_count(
    structure: *const tb_messenger_structure,
    department: usize,
) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        count(structure, |s| {
            s.departments
                .get(department)
                .map_or(0, |d| d.channels.len())
        })
    }
}

/// Channel `channel` of department `department`: its alias (used in filters) and
/// name, lent (see "Strings"); the lengths are optional. An index past the last is
/// `TB_INVALID_ARGUMENT` naming `department` or `channel`.
///
/// # Safety
///
/// `structure` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_channel(
    structure: *const tb_messenger_structure,
    department: usize,
    channel: usize,
    out_alias: *mut *const c_char,
    out_alias_len: *mut usize,
    out_name: *mut *const c_char,
    out_name_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        named_accessor(
            structure,
            (out_alias, out_alias_len),
            (out_name, out_name_len),
            |s| text::at(&s.department(department)?.channels, channel, "channel"),
        )
    }
}

/// The escape hatch: the `structure` object as the server sent it, as JSON text
/// (it holds the company hash); lent (see "Strings").
///
/// # Safety
///
/// `structure` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_raw_json(
    structure: *const tb_messenger_structure,
    out_json: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(
            structure,
            "structure",
            ("out_json", out_json),
            out_len,
            |s| Ok(Some(&s.raw)),
        )
    }
}

/// Frees a structure (its text is wiped first); the strings it lent become invalid.
/// `tb_messenger_structure_free(NULL)` does nothing.
///
/// # Safety
///
/// `structure` is NULL or a structure from this library, not freed yet, and no
/// other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_structure_free(structure: *mut tb_messenger_structure) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_handle(structure) }
}

// ---------------------------------------------------------------------------
// A7: the messenger requests

struct RequestText {
    department: Option<Text>,
    channel: Option<Text>,
    description: Option<Text>,
    opened_at: Option<Text>,
    protocol: Option<Text>,
    status: Option<Text>,
    status_kind: tb_messenger_status,
    pending: tb_messenger_pending,
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
            status_kind: tb_messenger_status::of(r.status_kind),
            pending: tb_messenger_pending::of(r.pending),
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
///     tb_messenger_requests_protocol(list, i, &protocol, NULL);
///     tb_messenger_requests_description(list, i, &description, NULL);
///     printf("%s: %s\n", protocol ? protocol : "-", description ? description : "");
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

/// Request `index`'s department; lent (see "Strings"), NULL when not sent. An index
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

/// Request `index`'s channel; lent, NULL when not sent.
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

/// Request `index`'s description; lent, NULL when not sent.
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

/// Request `index`'s opening date as the server wrote it; lent, NULL when not sent.
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

/// Request `index`'s protocol number; lent, NULL when not sent.
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

/// Request `index`'s status as the server wrote it; lent, NULL when not sent. See
/// `tb_messenger_requests_status_kind` for it as an enum.
///
/// # Safety
///
/// `list` is NULL or live; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_status(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { item_text(list, index, out, out_len, |i| &i.status) }
}

/// Request `index`'s link; lent, NULL when not sent.
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
/// `aberto`), `TB_MESSENGER_STATUS_CLOSED` (`E`, `closed`, `encerrado`) or
/// `TB_MESSENGER_STATUS_NONE` (not sent, or another word).
///
/// # Safety
///
/// `list` is NULL or live; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_messenger_requests_status_kind(
    list: *const tb_messenger_requests,
    index: usize,
    out: *mut tb_messenger_status,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { value_accessor(list, "list", out, |l| Ok(l.item(index)?.status_kind)) }
}

/// Whether request `index` awaits the user's answer: `TB_MESSENGER_PENDING_YES`,
/// `TB_MESSENGER_PENDING_NO`, or `TB_MESSENGER_PENDING_NONE` when the server did not
/// say.
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
    unsafe { value_accessor(list, "list", out, |l| Ok(l.item(index)?.pending)) }
}

/// Any field of request `index` by its wire name (exact case): lent, NULL when the
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_fields_are_the_published_ones_without_the_sip_secrets() {
        let mut published: Vec<&str> = crate::ucontact::PUBLISHED_FIELDS
            .iter()
            .copied()
            .filter(|f| !SIP_SECRETS.contains(f))
            .collect();
        let mut ours = AGENT_FIELDS.to_vec();
        published.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, published);
    }
}
