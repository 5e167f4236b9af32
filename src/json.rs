//! Lenient readers for JSON fields whose type the vendors do not pin down.
#![forbid(unsafe_code)]

use serde_json::{Map, Value};

/// A field as text: strings as they are, numbers and booleans written out, null and
/// missing as `None`.
pub(crate) fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A field as an integer: a JSON number or a string holding one.
pub(crate) fn integer(map: &Map<String, Value>, key: &str) -> Option<i64> {
    match map.get(key)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The first of several candidate keys present in the map, compared without case.
pub(crate) fn find<'a>(map: &'a Map<String, Value>, candidates: &[&str]) -> Option<&'a Value> {
    candidates.iter().find_map(|c| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(c))
            .map(|(_, v)| v)
    })
}

/// Like [`find`], as text.
pub(crate) fn find_text(map: &Map<String, Value>, candidates: &[&str]) -> Option<String> {
    match find(map, candidates)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
