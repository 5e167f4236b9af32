//! Reading requests the way the real servers do: the request as the sandbox sees it
//! ([`Incoming`]), content types, form and JSON bodies, `Authorization` headers.
//! Every failure is a message for a 400 or 401.

use serde_json::{Map, Value};

/// A request, read whole: method, path, headers and body.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    /// `GET`, `POST`, ... as sent.
    pub(crate) method: String,
    /// The path, without the query.
    pub(crate) path: String,
    /// The query, without the `?`, as sent (empty when none).
    query: String,
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// Which client connection it came on (see `server.rs`).
    pub(crate) connection: u64,
}

impl Incoming {
    /// A request from its parts; `target` is the request target (path and query).
    pub(crate) fn new(
        method: &str,
        target: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        connection: u64,
    ) -> Incoming {
        let target = target.split('#').next().unwrap_or("");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Incoming {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body,
            connection,
        }
    }

    /// What a generic resource tells the caller it received, besides the body: the
    /// method, the query parameters decoded in order, and the headers (names lower
    /// case, in order) except those holding credentials, which are never echoed.
    pub(crate) fn echo(&self) -> Value {
        const NEVER: &[&str] = &["authorization", "proxy-authorization", "cookie"];
        let query: Vec<Value> = form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| Value::from(vec![k.into_owned(), v.into_owned()]))
            .collect();
        let headers: Vec<Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .filter(|(k, _)| !NEVER.contains(&k.as_str()))
            .map(|(k, v)| Value::from(vec![k, v.trim().to_owned()]))
            .collect();
        serde_json::json!({"method": self.method, "query": query, "headers": headers})
    }

    /// The first value of a header (names are case-insensitive), trimmed.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }
}

/// The media type of the body (`Content-Type` without parameters), lower case.
fn media_type(req: &Incoming) -> Option<String> {
    let ct = req.header("content-type")?;
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
pub(crate) fn require_content_type(
    req: &Incoming,
    want: &str,
    allow_empty: bool,
) -> Result<(), String> {
    match media_type(req) {
        Some(m) if m == want => Ok(()),
        None if allow_empty && req.body.is_empty() => Ok(()),
        Some(m) => Err(format!(
            "wrong Content-Type `{m}`: this endpoint takes {want}"
        )),
        None => Err(format!("missing Content-Type: this endpoint takes {want}")),
    }
}

/// Form fields in their order, decoded.
#[derive(Debug, Default)]
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    /// A field's value (the first, if repeated).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field that must be present (it may be empty).
    pub(crate) fn require(&self, name: &str) -> Result<&str, String> {
        self.get(name)
            .ok_or_else(|| format!("missing form field `{name}`"))
    }

    /// All fields, as a JSON object (first value of each).
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.0 {
            m.entry(k.clone())
                .or_insert_with(|| Value::String(v.clone()));
        }
        Value::Object(m)
    }
}

/// The body as `application/x-www-form-urlencoded`, strictly: a bad `%` escape or
/// a value that is not UTF-8 once decoded is an error (lenient decoders hide the
/// client bugs the sandbox is there to show).
pub(crate) fn form(req: &Incoming) -> Result<Form, String> {
    let raw = std::str::from_utf8(&req.body)
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
pub(crate) fn json_object(req: &Incoming) -> Result<Map<String, Value>, String> {
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err("the body is empty: this endpoint takes a JSON object".to_owned());
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the body must be a JSON object".to_owned()),
        Err(e) => Err(format!("the body is not valid JSON: {e}")),
    }
}

/// A string field that must be present (it may be empty).
pub(crate) fn require_str<'a>(m: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) | None => Err(format!("missing field `{key}`")),
        Some(_) => Err(format!("field `{key}` must be a string")),
    }
}

/// A string field that may be missing (then `""`).
pub(crate) fn optional_str<'a>(m: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    match m.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) | None => Ok(""),
        Some(_) => Err(format!("field `{key}` must be a string")),
    }
}

/// The credential of `Authorization: {scheme} {credential}`.
pub(crate) fn authorization(req: &Incoming, scheme: &str) -> Result<String, String> {
    let Some(value) = req.header("authorization") else {
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
pub(crate) fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// The body of a call to a generic protected resource: a form, JSON or nothing
/// (what the library's generic calls send), as JSON (`null` for nothing).
pub(crate) fn any_body(req: &Incoming) -> Result<Value, String> {
    let media = media_type(req);
    match media.as_deref() {
        Some("application/x-www-form-urlencoded") => Ok(form(req)?.to_json()),
        Some("application/json") if req.body.is_empty() => Ok(Value::Null),
        Some("application/json") => serde_json::from_slice(&req.body)
            .map_err(|e| format!("the body is not valid JSON: {e}")),
        None if req.body.is_empty() => Ok(Value::Null),
        Some(other) => Err(format!(
            "wrong Content-Type `{other}`: this resource takes a form, JSON or no body"
        )),
        None => Err("a body without Content-Type: send a form, JSON or no body".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ct: Option<&str>, body: &str) -> Incoming {
        let headers = ct
            .map(|c| vec![("Content-Type".to_owned(), c.to_owned())])
            .unwrap_or_default();
        Incoming::new("POST", "/x?y=1", headers, body.as_bytes().to_vec(), 1)
    }

    #[test]
    fn forms_decode_strictly() {
        let f = form(&req(None, "user=a%26b&password=s3cret%26%3D%2B+%C3%A9")).unwrap();
        assert_eq!(f.get("user"), Some("a&b"));
        assert_eq!(f.get("password"), Some("s3cret&=+ é"));
        assert!(form(&req(None, "a=%ZZ"))
            .unwrap_err()
            .contains("percent-encoding"));
        assert!(form(&req(None, "a=%FF")).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn content_types_and_paths() {
        let r = req(Some("application/json; charset=utf-8"), "{}");
        assert_eq!(r.path, "/x");
        assert!(require_content_type(&r, "application/json", false).is_ok());
        assert!(require_content_type(&r, "text/plain", false)
            .unwrap_err()
            .contains("wrong Content-Type `application/json`"));
        assert_eq!(url_encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
