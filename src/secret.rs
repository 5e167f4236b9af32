//! [`Secret`]: a string that never prints and is wiped when dropped.
#![forbid(unsafe_code)]

use std::fmt;
use zeroize::Zeroize;

/// A password, app secret or token.
///
/// It prints as `***` in `Debug` and `Display`, is wiped from memory when dropped,
/// and is read only through the deliberate [`Secret::expose`].
///
/// ```
/// use tokenbridge::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s} {s:?}"), "*** ***");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself. Every call site is a place a secret leaves its box.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// A short stable stand-in for a value that identifies a person (Yativo's account
/// id is the base64 of an e-mail address), for log records, `Debug` and errors:
/// `sha256:` and the first 8 hex digits of the plain SHA-256 of the value.
///
/// Plain, not keyed: the same account gives the same fingerprint in every process,
/// language and machine, so log lines can be matched up, and whoever holds the
/// account id can compute it with standard tools (`printf %s "$ID" | sha256sum |
/// cut -c1-8`) to find its lines. A per-process key would break both; a key built
/// into the library would be no secret. The cost, said plainly: it is a pseudonym,
/// not anonymity — someone with the log and a guessed e-mail address can confirm
/// the guess. 32 bits are few enough that many accounts share each fingerprint in a
/// large population, and enough to tell apart the handful a deployment uses.
pub(crate) fn fingerprint(value: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, value.as_bytes());
    let hex: String = digest.as_ref()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Removes every known secret value (and the spellings a server may echo it in) from
/// a text taken from the server, and cuts it to a short excerpt.
pub(crate) fn scrub(text: &str, secrets: &[&str], max_chars: usize) -> String {
    let mut out = text.trim().to_owned();
    for s in secrets {
        if s.len() < 3 {
            continue; // too short to scrub without destroying the text
        }
        for variant in spellings(s) {
            if !variant.is_empty() && out.contains(&variant) {
                out = out.replace(&variant, "***");
            }
        }
    }
    let collapsed: String = out
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut excerpt: String = collapsed.chars().take(max_chars).collect();
    if collapsed.chars().count() > max_chars {
        excerpt.push('…');
    }
    excerpt
}

/// A secret as it is, form-encoded (`+` or `%20` for a space, upper- or lower-case
/// hex), and JSON-escaped the ways servers write it (`/` as `\/`, non-ASCII as
/// `\uXXXX` in either case), longest first so no spelling is left half-replaced.
fn spellings(s: &str) -> Vec<String> {
    let form: String = form_urlencoded::byte_serialize(s.as_bytes()).collect();
    let quoted = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
    let json = quoted[1..quoted.len() - 1].to_owned();
    let ascii = |upper: bool| -> String {
        let mut out = String::with_capacity(json.len());
        for c in json.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    if upper {
                        out.push_str(&format!("\\u{u:04X}"));
                    } else {
                        out.push_str(&format!("\\u{u:04x}"));
                    }
                }
            }
        }
        out
    };
    let mut v = vec![
        s.to_owned(),
        form.replace('+', "%20"),
        lower_hex(&form),
        json.replace('/', "\\/"),
        ascii(false),
        ascii(true),
        ascii(false).replace('/', "\\/"),
        ascii(true).replace('/', "\\/"),
        form,
        json,
    ];
    v.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    v.dedup();
    v
}

/// `%C3%A9` as `%c3%a9`.
fn lower_hex(form: &str) -> String {
    let mut out = String::with_capacity(form.len());
    let mut hex_left = 0;
    for c in form.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            out.push(c);
            if c == '%' {
                hex_left = 2;
            }
        }
    }
    out
}

/// Masks the JSON string values that may be credentials with `***`: every value of 8
/// characters or more, and any value under a key that names a password, secret or
/// hash. Keys, the structure, numbers, booleans, short values and the values of a
/// few keys that never hold a credential (`status`, `message`...) stay. Works on
/// cut-short JSON too. Used for answers that were not understood: they may carry a
/// fresh token or password the library does not know yet, and their shape is what a
/// reader needs.
pub(crate) fn mask_json_values(text: &str) -> String {
    const KEEP: &[&str] = &[
        "status",
        "message",
        "success",
        "token_type",
        "error",
        "title",
        "detail",
        "ExpiresIn",
        "expires_in",
        "Expires",
    ];
    const SENSITIVE: &[&str] = &["secret", "pass", "hash"];
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices();
    let mut containers: Vec<char> = Vec::new();
    let mut last_key = String::new();
    let mut prev = ' '; // the last character outside strings that is not a space
    while let Some((start, c)) = chars.next() {
        if c != '"' {
            out.push(c);
            match c {
                '{' | '[' => containers.push(c),
                '}' | ']' => {
                    containers.pop();
                }
                _ => {}
            }
            if !c.is_whitespace() {
                prev = c;
            }
            continue;
        }
        // A string: find its end (or the end of the text, when cut short).
        let mut end = None;
        while let Some((i, d)) = chars.next() {
            match d {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let content = &text[start + 1..end.unwrap_or(text.len())];
        let is_key = containers.last() == Some(&'{') && matches!(prev, '{' | ',');
        let key_is = |list: &[&str], exact: bool| {
            prev == ':'
                && list.iter().any(|w| {
                    if exact {
                        w.eq_ignore_ascii_case(&last_key)
                    } else {
                        last_key.to_ascii_lowercase().contains(w)
                    }
                })
        };
        let mask = !is_key
            && !content.is_empty()
            && !key_is(KEEP, true)
            && (content.chars().count() >= 8 || key_is(SENSITIVE, false));
        out.push('"');
        out.push_str(if mask { "***" } else { content });
        if end.is_some() {
            out.push('"');
        }
        if is_key {
            last_key = content.to_owned();
        }
        prev = '"';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_finds_the_spellings_servers_echo() {
        let secret = "pé/ss w&rd";
        for echoed in [
            r#"p\u00e9\/ss w&rd"#,
            r#"p\u00E9/ss w&rd"#,
            "p%C3%A9%2Fss%20w%26rd",
            "p%c3%a9%2fss+w%26rd",
            "pé\\/ss w&rd",
        ] {
            let s = scrub(&format!("echo: {echoed}!"), &[secret], 200);
            assert_eq!(s, "echo: ***!", "{echoed}");
        }
    }

    #[test]
    fn masks_json_string_values_but_keeps_the_shape() {
        assert_eq!(
            mask_json_values(
                r#"{"status":"success","data":{"access_token":"eyJhbGci.x.y","expires_in":-5,"n":["a","","bcdefghijk"]}}"#
            ),
            r#"{"status":"success","data":{"access_token":"***","expires_in":-5,"n":["a","","***"]}}"#
        );
        // Short values stay, unless their key names a password, secret or hash.
        assert_eq!(
            mask_json_values(r#"{"count":"many","secret":"1234","Hash":"ab","md5secret":"x"}"#),
            r#"{"count":"many","secret":"***","Hash":"***","md5secret":"***"}"#
        );
        // Cut short inside a value, inside a key, and a lone string.
        assert_eq!(
            mask_json_values(r#"{"token":"QWRtaW46OTgz"#),
            r#"{"token":"***"#
        );
        assert_eq!(mask_json_values(r#"{"data": {"Tok"#), r#"{"data": {"Tok"#);
        assert_eq!(mask_json_values(r#""QWRtaW46OTgz""#), r#""***""#);
        assert_eq!(
            mask_json_values(r#"{"message": "a \"quoted\" word", "x": "y\\ long value"}"#),
            r#"{"message": "a \"quoted\" word", "x": "***"}"#
        );
        assert_eq!(mask_json_values("plain text"), "plain text");
        // Garbage never panics and keeps its length bounded.
        for text in [
            "\"",
            "\"\\",
            "{\"a\":\"\\",
            "]]]}}\"",
            "\"é\\é",
            "{\"\":{\"\":[",
        ] {
            assert!(mask_json_values(text).len() <= text.len() + 3, "{text}");
        }
    }

    #[test]
    fn scrub_removes_plain_and_encoded_secrets() {
        let text = "bad pass p&ss w0rd, form p%26ss+w0rd, json \"p&ss w0rd\"";
        let s = scrub(text, &["p&ss w0rd"], 200);
        assert!(!s.contains("w0rd"), "{s}");
        assert_eq!(s.matches("***").count(), 3);
    }

    #[test]
    fn fingerprints_are_the_plain_sha256_prefix() {
        // printf %s 'amFuZS5kb2VAZXhhbXBsZS5jb20=' | sha256sum
        assert_eq!(
            fingerprint("amFuZS5kb2VAZXhhbXBsZS5jb20="),
            "sha256:3e165ffd"
        );
        assert_eq!(fingerprint(""), "sha256:e3b0c442");
    }

    #[test]
    fn scrub_cuts_long_text() {
        let s = scrub(&"x".repeat(500), &[], 10);
        assert_eq!(s, format!("{}…", "x".repeat(10)));
    }
}
