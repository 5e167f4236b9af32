//! `tb_agent_profile` (U2): an agent's profile from `tb_ucontact_agent_login`: one
//! getter per published field (`tb_agent_profile_callerid`, …), the numbers typed,
//! any other field by name.

use std::os::raw::c_char;

use super::read::{count, optional};
use crate::ffi::panic::free_handle;
use crate::ffi::tb_status;
use crate::ffi::text::{self, Fields, Text};
use crate::ucontact::AgentProfile;

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

/// The body of the published text fields' getters: field `wire` of the profile,
/// lent; `TB_ABSENT` when the server did not send it.
///
/// # Safety
///
/// As for [`text::accessor`].
unsafe fn published(
    profile: *const tb_agent_profile,
    wire: &'static str,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        text::accessor(profile, "profile", ("out", out), out_len, |p| {
            Ok(p.fields.get(wire))
        })
    }
}

/// `name`: the agent's (SIP peer's) name; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_name(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "name", out, out_len) }
}

/// `host`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_host(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "host", out, out_len) }
}

/// `nat`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_nat(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "nat", out, out_len) }
}

/// `type`: the SIP peer type (`friend`, `peer`…); lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_type(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "type", out, out_len) }
}

/// `accountcode`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_accountcode(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "accountcode", out, out_len) }
}

/// `callgroup`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_callgroup(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "callgroup", out, out_len) }
}

/// `callerid`: the caller id shown on outgoing calls; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// ```c
/// const char *callerid;
/// if (tb_agent_profile_callerid(profile, &callerid, NULL) == TB_OK)
///     printf("caller id: %s\n", callerid);
/// ```
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_callerid(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "callerid", out, out_len) }
}

/// `canreinvite`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_canreinvite(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "canreinvite", out, out_len) }
}

/// `context`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_context(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "context", out, out_len) }
}

/// `dtmfmode`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_dtmfmode(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "dtmfmode", out, out_len) }
}

/// `insecure`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_insecure(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "insecure", out, out_len) }
}

/// `language`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_language(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "language", out, out_len) }
}

/// `mailbox`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_mailbox(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "mailbox", out, out_len) }
}

/// `pickupgroup`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_pickupgroup(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "pickupgroup", out, out_len) }
}

/// `qualify`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_qualify(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "qualify", out, out_len) }
}

/// `disallow`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_disallow(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "disallow", out, out_len) }
}

/// `allow`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_allow(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "allow", out, out_len) }
}

/// `port`: the SIP port, as text; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_port(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "port", out, out_len) }
}

/// `defaultuser`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_defaultuser(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "defaultuser", out, out_len) }
}

/// `subscribecontext`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_subscribecontext(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "subscribecontext", out, out_len) }
}

/// `record`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_record(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "record", out, out_len) }
}

/// `email`: the agent's e-mail address; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_email(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "email", out, out_len) }
}

/// `phonetype`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_phonetype(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "phonetype", out, out_len) }
}

/// `transport`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_transport(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "transport", out, out_len) }
}

/// `encryption`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_encryption(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "encryption", out, out_len) }
}

/// `did`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_did(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "did", out, out_len) }
}

/// `outboundproxy`; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_outboundproxy(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "outboundproxy", out, out_len) }
}

/// `fullname`: the agent's full name; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_fullname(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "fullname", out, out_len) }
}

/// `LogLevel`: the agent's log level; lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_loglevel(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "LogLevel", out, out_len) }
}

/// `token`: the session token (also cached by the client); lent (see "Strings"), `TB_ABSENT` when the
/// server did not send it.
///
/// # Safety
///
/// `profile` is NULL or a live profile; the out-pointers are NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_token(
    profile: *const tb_agent_profile,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { published(profile, "token", out, out_len) }
}

/// Any field of the profile by its wire name (exact case), including those the
/// vendor does not publish: `*out` is lent, `TB_ABSENT` when the profile has no such
/// field (and always for `secret` and `md5secret`). Numbers, booleans, objects and arrays
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

/// The profile's `id` as a number: `TB_OK` and `*out` set, or `TB_ABSENT` (and 0)
/// when the server sent none. `tb_agent_profile_get(profile, "id", …)` gives it as
/// text.
///
/// # Safety
///
/// `profile` is NULL or a live profile; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_id(
    profile: *const tb_agent_profile,
    out: *mut i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(profile, "profile", out, |p| Ok(p.id)) }
}

/// The profile's `limite` as a number: `TB_OK` and `*out` set, or `TB_ABSENT` (and
/// 0) when the server sent none.
///
/// # Safety
///
/// `profile` is NULL or a live profile; `out` is NULL or valid for writes.
#[no_mangle]
pub unsafe extern "C" fn tb_agent_profile_limite(
    profile: *const tb_agent_profile,
    out: *mut i64,
) -> tb_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { optional(profile, "profile", out, |p| Ok(p.limite)) }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_getter_per_published_field_without_the_sip_secrets() {
        // The wire names this file's getters read through `published` and the
        // two numbers.
        let source = include_str!("agent_profile.rs");
        let mut ours: Vec<&str> = source
            .split("published(profile, \"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .chain(["id", "limite"])
            .collect();
        let mut published: Vec<&str> = crate::ucontact::PUBLISHED_FIELDS
            .iter()
            .copied()
            .filter(|f| !SIP_SECRETS.contains(f))
            .collect();
        published.sort_unstable();
        ours.sort_unstable();
        assert_eq!(ours, published);
    }
}
