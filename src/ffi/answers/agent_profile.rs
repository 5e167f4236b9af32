//! `tb_agent_profile` (U2): an agent's profile from `tb_ucontact_agent_login`.

use std::os::raw::c_char;

use super::read::{count, known};
use crate::ffi::panic::free_handle;
use crate::ffi::tb_status;
use crate::ffi::text::{self, Fields, Text};
use crate::ucontact::AgentProfile;

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
