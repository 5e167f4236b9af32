//! `tb_messenger_structure` (A5): the company, its departments and their channels.

use std::os::raw::c_char;

use super::read::count;
use crate::anna::MessengerStructure;
use crate::error::Result;
use crate::ffi::error::run;
use crate::ffi::panic::{free_handle, handle};
use crate::ffi::text::{self, Text};
use crate::ffi::{strings, tb_status};

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
