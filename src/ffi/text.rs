//! Text that a handle owns and lends to C: the one rule for strings that come out
//! of an answer handle (`tb_response`, `tb_access_data`, `tb_messenger_structure`,
//! `tb_messenger_requests`, `tb_agent_profile`).
//!
//! Every such string is borrowed: a pointer to NUL-terminated UTF-8 plus its length
//! in bytes (the terminator not counted), valid until the handle is freed, never
//! freed by the caller. The length is the whole text: a server may send a NUL
//! character inside a JSON string, which C code reading up to the first NUL would
//! cut short. A field the answer does not have is `TB_ABSENT` with a NULL pointer
//! and length 0. The bytes are wiped when the handle is freed (answers can hold tokens
//! and hashes).
//!
//! Strings a client call hands over through `char **out` (tokens, links, messages)
//! are the other kind: owned by the caller and freed with `tb_string_free`.

use std::os::raw::c_char;

use serde_json::{Map, Value};
use zeroize::Zeroize;

use super::error::{run, run_status};
use super::panic::handle;
use super::{strings, tb_status};
use crate::error::{Error, Result};

/// UTF-8 text plus a NUL terminator not counted in its length; wiped when dropped.
pub(crate) struct Text(Vec<u8>);

impl Text {
    /// Takes `text` over (an owned `String` or `Vec` is moved, not copied, so no
    /// unwiped copy is left behind).
    pub(crate) fn new(text: impl Into<Vec<u8>>) -> Text {
        let mut bytes = text.into();
        bytes.push(0);
        Text(bytes)
    }

    /// The text without its terminator.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0[..self.0.len() - 1]
    }

    /// The JSON text of a value (compact, as serde_json writes it).
    pub(crate) fn json(value: &Value) -> Text {
        // Serialising a `Value` cannot fail.
        Text::new(serde_json::to_vec(value).unwrap_or_default())
    }

    /// A field of an answer: a string as it is, any other value as its JSON text.
    pub(crate) fn field(value: &Value) -> Text {
        match value {
            Value::String(s) => Text::new(s.as_str()),
            other => Text::json(other),
        }
    }

    /// Lends the text through the out-pointers: `*out` gets the NUL-terminated
    /// bytes, `*out_len` (optional) their length.
    ///
    /// # Safety
    ///
    /// `out` is valid for writes; `out_len` is NULL or valid for writes; the text
    /// outlives every use the caller makes of the pointer.
    pub(crate) unsafe fn lend(&self, out: *mut *const c_char, out_len: *mut usize) {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            strings::write(out, self.0.as_ptr().cast());
            strings::write_optional(out_len, self.as_bytes().len());
        }
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Lends `text` through `out` and `out_len` and returns `TB_OK`, or writes NULL and
/// 0 and returns `TB_ABSENT` when the field is absent.
///
/// # Safety
///
/// As for [`Text::lend`].
pub(crate) unsafe fn lend(
    text: Option<&Text>,
    out: *mut *const c_char,
    out_len: *mut usize,
) -> tb_status {
    match text {
        Some(t) => {
            // SAFETY: forwarded from this function's contract.
            unsafe { t.lend(out, out_len) };
            tb_status::TB_OK
        }
        None => {
            // SAFETY: as above.
            unsafe {
                strings::write(out, std::ptr::null());
                strings::write_optional(out_len, 0);
            }
            tb_status::TB_ABSENT
        }
    }
}

/// The body of a text accessor: checks the handle (named `name`) and the out-pointer
/// (named `out_name`), picks the text (or an error naming a bad index or field name)
/// and lends it: `TB_OK`, or `TB_ABSENT` when `pick` finds none.
///
/// # Safety
///
/// `h` is NULL or a live handle not freed while the caller uses the text; `out` is
/// NULL or valid for writes; `out_len` is NULL or valid for writes.
pub(crate) unsafe fn accessor<H>(
    h: *const H,
    name: &'static str,
    (out_name, out): (&'static str, *mut *const c_char),
    out_len: *mut usize,
    pick: impl FnOnce(&H) -> Result<Option<&Text>>,
) -> tb_status {
    run_status(|| {
        // SAFETY: the caller promises NULL or a live handle.
        let h = unsafe { handle(h, name) }?;
        strings::out_ptr(out, out_name)?;
        let text = pick(h)?;
        // SAFETY: `out` was checked; the caller promises valid pointers, and the text
        // lives as long as the handle.
        Ok(unsafe { lend(text, out, out_len) })
    })
}

/// The item at `index` of a list, or an invalid-argument error naming `arg` that
/// says how many there are.
pub(crate) fn at<'a, T>(items: &'a [T], index: usize, arg: &'static str) -> Result<&'a T> {
    items.get(index).ok_or_else(|| {
        Error::invalid_input(
            arg,
            format!("{index} is past the last one (there are {})", items.len()),
        )
    })
}

/// Named values for a by-name getter and for iteration: the fields of an answer
/// object (sorted by name, as serde_json keeps them; names compared exactly) or a
/// response's headers (in the order received; names compared without regard to
/// ASCII case).
pub(crate) struct Fields {
    pairs: Vec<(Text, Text)>,
    ignore_case: bool,
}

impl Fields {
    /// Response headers, looked up without regard to ASCII case.
    pub(crate) fn headers(headers: Vec<(String, String)>) -> Fields {
        Fields {
            pairs: headers
                .into_iter()
                .map(|(n, v)| (Text::new(n), Text::new(v)))
                .collect(),
            ignore_case: true,
        }
    }

    /// The fields of `object` (none when it is not an object) except those in
    /// `skip`.
    pub(crate) fn of(object: &Value, skip: &[&str]) -> Fields {
        let empty = Map::new();
        let map = object.as_object().unwrap_or(&empty);
        Fields {
            pairs: map
                .iter()
                .filter(|(k, _)| !skip.contains(&k.as_str()))
                .map(|(k, v)| (Text::new(k.as_str()), Text::field(v)))
                .collect(),
            ignore_case: false,
        }
    }

    /// The value of the first field called `name`, if there is one.
    pub(crate) fn get(&self, name: &str) -> Option<&Text> {
        let (want, ignore_case) = (name.as_bytes(), self.ignore_case);
        self.pairs
            .iter()
            .find(|(n, _)| {
                let n = n.as_bytes();
                if ignore_case {
                    n.eq_ignore_ascii_case(want)
                } else {
                    n == want
                }
            })
            .map(|(_, v)| v)
    }

    /// How many fields there are.
    pub(crate) fn len(&self) -> usize {
        self.pairs.len()
    }

    /// The field at `index`, or an error naming `arg`.
    pub(crate) fn at(&self, index: usize, arg: &'static str) -> Result<&(Text, Text)> {
        at(&self.pairs, index, arg)
    }

    /// The body of a by-name getter: the field `name` of the fields `pick` chooses.
    ///
    /// # Safety
    ///
    /// As for [`accessor`]; `name` is NULL or NUL-terminated.
    pub(crate) unsafe fn getter<H>(
        h: *const H,
        handle_name: &'static str,
        name: *const c_char,
        out: (&'static str, *mut *const c_char),
        out_len: *mut usize,
        pick: impl FnOnce(&H) -> Result<&Fields>,
    ) -> tb_status {
        // SAFETY: the caller promises NULL or a NUL-terminated string, alive during
        // the call.
        let name = unsafe { strings::required(name, "name") };
        // SAFETY: forwarded from this function's contract.
        unsafe { accessor(h, handle_name, out, out_len, |h| Ok(pick(h)?.get(name?))) }
    }

    /// The body of an iteration accessor: the name and value of field `index` (an
    /// argument called `arg`) of the fields `pick` chooses.
    ///
    /// # Safety
    ///
    /// `h` is NULL or a live handle not freed while the caller uses the text; the
    /// out-pointers are NULL or valid for writes.
    pub(crate) unsafe fn field_at<H>(
        h: *const H,
        handle_name: &'static str,
        (index, arg): (usize, &'static str),
        (out_name, out_name_len): (*mut *const c_char, *mut usize),
        (out_value, out_value_len): (*mut *const c_char, *mut usize),
        pick: impl FnOnce(&H) -> Result<&Fields>,
    ) -> tb_status {
        run(|| {
            // SAFETY: the caller promises NULL or a live handle.
            let h = unsafe { handle(h, handle_name) }?;
            strings::out_ptr(out_name, "out_name")?;
            strings::out_ptr(out_value, "out_value")?;
            let (name, value) = pick(h)?.at(index, arg)?;
            // SAFETY: both were checked; the caller promises valid pointers, and the
            // text lives as long as the handle.
            unsafe {
                name.lend(out_name, out_name_len);
                value.lend(out_value, out_value_len);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_render_strings_bare_and_the_rest_as_json() {
        let f = Fields::of(
            &json!({"a": "x\u{0}y", "n": 5, "b": true, "o": {"k": [1]}, "secret": "s"}),
            &["secret"],
        );
        assert_eq!(f.len(), 4);
        assert_eq!(f.get("a").unwrap().as_bytes(), b"x\0y");
        assert_eq!(f.get("n").unwrap().as_bytes(), b"5");
        assert_eq!(f.get("b").unwrap().as_bytes(), b"true");
        assert_eq!(f.get("o").unwrap().as_bytes(), br#"{"k":[1]}"#);
        assert!(f.get("secret").is_none());
        assert!(f.get("A").is_none(), "names compare exactly");
        let e = f.at(4, "index").err().unwrap();
        assert!(e
            .to_string()
            .contains("`index`: 4 is past the last one (there are 4)"));
        assert_eq!(Fields::of(&json!([1]), &[]).len(), 0);
    }

    #[test]
    fn an_absent_field_lends_null() {
        let (mut out, mut len) = (std::ptr::dangling::<c_char>(), 9usize);
        // SAFETY: local out-pointers.
        let absent = unsafe { lend(None, &mut out, &mut len) };
        assert_eq!(absent, tb_status::TB_ABSENT);
        assert!(out.is_null());
        assert_eq!(len, 0);
        let t = Text::new("ab");
        // SAFETY: local out-pointers; `t` outlives the reads.
        let present = unsafe { lend(Some(&t), &mut out, &mut len) };
        assert_eq!(present, tb_status::TB_OK);
        assert_eq!(len, 2);
        // SAFETY: `out` points into `t`, which is alive, with a NUL after 2 bytes.
        let lent = unsafe { std::slice::from_raw_parts(out.cast::<u8>(), 3) };
        assert_eq!(lent, b"ab\0");
    }
}
