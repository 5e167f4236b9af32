//! Reading requests the way the real servers do: content types, form and JSON
//! bodies, `Authorization` headers. Every failure is a message for a 400 or 401.

use mockito::Request;
use serde_json::{Map, Value};

/// The body as mockito read it (empty if it could not).
pub fn body(req: &Request) -> &[u8] {
    req.body().map(|b| b.as_slice()).unwrap_or(&[])
}

/// The first value of a header, as text.
pub fn header(req: &Request, name: &str) -> Option<String> {
    req.header(name)
        .first()
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_owned())
}

/// The media type of the body (`Content-Type` without parameters), lower case.
fn media_type(req: &Request) -> Option<String> {
    let ct = header(req, "content-type")?;
    let media = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(media).filter(|m| !m.is_empty())
}

/// Checks the `Content-Type`; with `allow_empty`, a request without a body may also
/// go without one.
pub fn require_content_type(req: &Request, want: &str, allow_empty: bool) -> Result<(), String> {
    match media_type(req) {
        Some(m) if m == want => Ok(()),
        None if allow_empty && body(req).is_empty() => Ok(()),
        Some(m) => Err(format!(
            "wrong Content-Type `{m}`: this endpoint takes {want}"
        )),
        None => Err(format!("missing Content-Type: this endpoint takes {want}")),
    }
}

/// Form fields in their order, decoded.
#[derive(Debug, Default)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// A field's value (the first, if repeated).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field that must be present (it may be empty).
    pub fn require(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("missing form field `{name}`"))
    }

    /// All fields, as a JSON object (first value of each).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.0 {
            m.entry(k.clone())
                .or_insert_with(|| Value::String(v.clone()));
        }
        Value::Object(m)
    }
}

/// The body as `application/x-www-form-urlencoded`.
pub fn form(req: &Request) -> Result<Form, String> {
    let raw = std::str::from_utf8(body(req))
        .map_err(|_| "the form body is not ASCII/UTF-8 text".to_owned())?;
    let mut fields = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        fields.push((decode_form_component(k)?, decode_form_component(v)?));
    }
    Ok(Form(fields))
}

fn decode_form_component(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => {
                        return Err(format!(
                            "the form body is not valid percent-encoding near `{}`",
                            s.chars().take(20).collect::<String>()
                        ))
                    }
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "a form field is not UTF-8 once decoded".to_owned())
}

/// The body as a JSON object.
pub fn json_object(req: &Request) -> Result<Map<String, Value>, String> {
    let body = body(req);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the body is empty: this endpoint takes a JSON object".to_owned());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the body must be a JSON object".to_owned()),
        Err(e) => Err(format!("the body is not valid JSON: {e}")),
    }
}

/// A string field that must be present (it may be empty).
pub fn require_str<'a>(m: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) | None => Err(format!("missing field `{key}`")),
        Some(_) => Err(format!("field `{key}` must be a string")),
    }
}

/// A string field that may be missing (then `""`).
pub fn optional_str<'a>(m: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) | None => Ok(""),
        Some(_) => Err(format!("field `{key}` must be a string")),
    }
}

/// The credential of `Authorization: {scheme} {credential}`.
pub fn authorization(req: &Request, scheme: &str) -> Result<String, String> {
    let Some(value) = header(req, "authorization") else {
        return Err(format!(
            "missing `Authorization: {scheme} {{token}}` header"
        ));
    };
    match value.split_once(' ') {
        Some((s, cred)) if s.eq_ignore_ascii_case(scheme) && !cred.trim().is_empty() => {
            Ok(cred.trim().to_owned())
        }
        _ => Err(format!(
            "the Authorization header must be `{scheme} {{token}}`"
        )),
    }
}

/// Percent-encodes a value for a URL path segment or query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The body of a call to a generic protected resource: a form, JSON or nothing
/// (what the library's generic calls send), as JSON (`null` for nothing).
pub fn any_body(req: &Request) -> Result<Value, String> {
    let media = media_type(req);
    match media.as_deref() {
        Some("application/x-www-form-urlencoded") => Ok(form(req)?.to_json()),
        Some("application/json") if body(req).is_empty() => Ok(Value::Null),
        Some("application/json") => serde_json::from_slice(body(req))
            .map_err(|e| format!("the body is not valid JSON: {e}")),
        None if body(req).is_empty() => Ok(Value::Null),
        Some(other) => Err(format!(
            "wrong Content-Type `{other}`: this resource takes a form, JSON or no body"
        )),
        None => Err("a body without Content-Type: send a form, JSON or no body".to_owned()),
    }
}
