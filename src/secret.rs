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

/// Removes every known secret value (and its form- and JSON-encoded spellings) from
/// a text taken from the server, and cuts it to a short excerpt.
pub(crate) fn scrub(text: &str, secrets: &[&str], max_chars: usize) -> String {
    let mut out = text.trim().to_owned();
    for s in secrets {
        if s.len() < 3 {
            continue; // too short to scrub without destroying the text
        }
        let encoded_form = crate::http::form_encode(s);
        let encoded_json = serde_json::to_string(s).unwrap_or_default();
        let encoded_json = encoded_json.trim_matches('"');
        for variant in [*s, encoded_form.as_str(), encoded_json] {
            if !variant.is_empty() && out.contains(variant) {
                out = out.replace(variant, "***");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_plain_and_encoded_secrets() {
        let text = "bad pass p&ss w0rd, form p%26ss+w0rd, json \"p&ss w0rd\"";
        let s = scrub(text, &["p&ss w0rd"], 200);
        assert!(!s.contains("w0rd"), "{s}");
        assert_eq!(s.matches("***").count(), 3);
    }

    #[test]
    fn scrub_cuts_long_text() {
        let s = scrub(&"x".repeat(500), &[], 10);
        assert_eq!(s, format!("{}…", "x".repeat(10)));
    }
}
