//! The control endpoint (`/__sandbox/...`) and the faults it sets: what a test
//! suite in any language uses to read the counts, reset the sandbox and make it
//! misbehave. Also the path every request takes: control, or count, fault, answer.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::api::{reason_phrase, Api, Op, Reply};
use super::route;
use super::state::State;
use super::sync::lock;
use super::wire::{self, Incoming};

/// The prefix of the control endpoint.
const CONTROL: &str = "/__sandbox";

/// The longest delay a fault may ask for.
const MAX_DELAY: Duration = Duration::from_secs(600);

/// What the worker threads share: the state and the pending faults (apart, so that
/// a delayed request holds no lock while it waits).
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) faults: Mutex<VecDeque<Fault>>,
}

impl Shared {
    pub(crate) fn lock_state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(crate) fn reset(&self) {
        lock(&self.faults).clear();
        let mut st = self.lock_state();
        let fresh = State::new(st.options.clone(), st.url.clone());
        *st = fresh;
    }
}

/// A misbehaviour for the next requests whose path starts with [`path`](Fault::path)
/// (and, if given, whose method is [`method`](Fault::method)). In the order of its
/// fields: wait [`delay`](Fault::delay); expire the API's tokens; then either answer
/// [`status`](Fault::status) or close the connection ([`reset`](Fault::reset))
/// instead of running the operation — or, with [`after`](Fault::after), run the
/// operation first and then answer the status or close the connection (the server
/// acted but its answer was lost). The first fault that matches a request acts on
/// it; it is used up after [`times`](Fault::times) requests.
///
/// Set from Rust with [`Sandbox::set_fault`](super::Sandbox::set_fault), or over HTTP
/// with `POST /__sandbox/faults` and the same fields as JSON (`delay` as `delay_ms`):
///
/// ```
/// use std::time::Duration;
/// use tokenbridge::sandbox::Fault;
///
/// let lost = Fault::new("/yativo/api/v1/payouts").method("POST").status(503).after();
/// let json: Fault = serde_json::from_str(
///     r#"{"path": "/yativo/api/v1/payouts", "method": "POST", "status": 503, "after": true}"#,
/// ).unwrap();
/// assert_eq!(lost, json);
/// let slow = Fault::new("/anna/").delay(Duration::from_millis(300)).times(0);
/// assert!(slow.check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "Value")]
pub struct Fault {
    /// The path prefix of the requests it acts on, e.g. `/yativo/api/v1/payouts`
    /// (must start with `/`; the control endpoint is never affected).
    pub path: String,
    /// Only requests with this method (upper case), if set.
    pub method: Option<String>,
    /// How many requests it acts on; 0 = every one until the faults are cleared.
    pub times: u32,
    /// How long to wait before answering (at most 10 minutes).
    pub delay: Duration,
    /// Answer this HTTP status (200–599) with a small body in the API's shape.
    pub status: Option<u16>,
    /// With `status` or `reset`: run the real operation first, then answer the
    /// status or close the connection.
    pub after: bool,
    /// Close the connection without answering (the client sees the connection
    /// closed before any response).
    pub reset: bool,
    /// The live tokens of the API the request is for (all three APIs if the path is
    /// outside them) expire before the request is handled, so it gets a 401.
    pub expire_tokens: bool,
}

impl Fault {
    /// A fault for requests under `path`, acting once and doing nothing yet: add
    /// what it does with the other builder methods.
    pub fn new(path: impl Into<String>) -> Fault {
        Fault {
            path: path.into(),
            method: None,
            times: 1,
            delay: Duration::ZERO,
            status: None,
            after: false,
            reset: false,
            expire_tokens: false,
        }
    }

    /// Only requests with this method.
    pub fn method(mut self, method: impl Into<String>) -> Fault {
        self.method = Some(method.into().to_ascii_uppercase());
        self
    }

    /// Acts on this many requests (0: until cleared).
    pub fn times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Fault {
        self.delay = delay;
        self
    }

    /// Answers this status instead of the real answer.
    pub fn status(mut self, status: u16) -> Fault {
        self.status = Some(status);
        self
    }

    /// Runs the operation before answering the status or closing the connection.
    pub fn after(mut self) -> Fault {
        self.after = true;
        self
    }

    /// Closes the connection without answering.
    pub fn reset(mut self) -> Fault {
        self.reset = true;
        self
    }

    /// Expires the API's live tokens.
    pub fn expire_tokens(mut self) -> Fault {
        self.expire_tokens = true;
        self
    }

    /// Whether the fault makes sense, or what is wrong with it.
    pub fn check(&self) -> Result<(), String> {
        if !self.path.starts_with('/') {
            return Err(format!("`path` `{}` must start with `/`", self.path));
        }
        if self.path.starts_with(CONTROL) {
            return Err("`path`: the control endpoint /__sandbox cannot have faults".into());
        }
        if let Some(m) = &self.method {
            if m.is_empty() || !m.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(format!(
                    "`method` `{m}` must be an HTTP method such as POST"
                ));
            }
        }
        if self.delay > MAX_DELAY {
            return Err("`delay_ms` must be at most 600000 (10 minutes)".into());
        }
        if let Some(s) = self.status {
            if !(200..=599).contains(&s) {
                return Err(format!(
                    "`status` {s} must be an HTTP status from 200 to 599"
                ));
            }
        }
        if self.status.is_some() && self.reset {
            return Err("`status` and `reset` exclude each other: answer or close".into());
        }
        if self.after && self.status.is_none() && !self.reset {
            return Err("`after` needs `status` or `reset`".into());
        }
        if self.delay.is_zero() && self.status.is_none() && !self.reset && !self.expire_tokens {
            return Err(
                "the fault does nothing: give `delay_ms`, `status`, `reset` or `expire_tokens`"
                    .into(),
            );
        }
        Ok(())
    }

    fn matches(&self, req: &Incoming) -> bool {
        req.path.starts_with(&self.path)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(&req.method))
    }
}

/// The control endpoint's JSON: every field checked, the wrong one named.
impl TryFrom<Value> for Fault {
    type Error = String;

    fn try_from(value: Value) -> Result<Fault, String> {
        const FIELDS: &str = "path, method, times, delay_ms, status, after, reset, expire_tokens";
        let Value::Object(m) = value else {
            return Err(format!("a fault is a JSON object with the fields {FIELDS}"));
        };
        if let Some(k) = m
            .keys()
            .find(|k| !FIELDS.split(", ").any(|f| f == k.as_str()))
        {
            return Err(format!("unknown field `{k}`; a fault takes {FIELDS}"));
        }
        let uint =
            |key: &str, max: u64| -> Result<Option<u64>, String> {
                match m.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v) => v.as_u64().filter(|n| *n <= max).map(Some).ok_or_else(|| {
                        format!("field `{key}` must be a whole number from 0 to {max}")
                    }),
                }
            };
        let flag = |key: &str| -> Result<bool, String> {
            match m.get(key) {
                None | Some(Value::Null) => Ok(false),
                Some(Value::Bool(b)) => Ok(*b),
                Some(_) => Err(format!("field `{key}` must be true or false")),
            }
        };
        let path = match m.get("path") {
            Some(Value::String(s)) => s.clone(),
            None | Some(Value::Null) => return Err("missing field `path`".into()),
            Some(_) => return Err("field `path` must be a string".into()),
        };
        let method = wire::optional_str(&m, "method")?;
        let mut fault = Fault::new(path);
        if !method.is_empty() {
            fault = fault.method(method);
        }
        if let Some(t) = uint("times", u64::from(u32::MAX))? {
            fault.times = t as u32;
        }
        if let Some(ms) = uint("delay_ms", MAX_DELAY.as_millis() as u64)? {
            fault.delay = Duration::from_millis(ms);
        }
        fault.status = uint("status", 599)?.map(|s| s as u16);
        fault.after = flag("after")?;
        fault.reset = flag("reset")?;
        fault.expire_tokens = flag("expire_tokens")?;
        fault.check()?;
        Ok(fault)
    }
}

/// How a request is answered.
pub(crate) enum Outcome {
    /// With this answer.
    Reply(Reply),
    /// By closing its connection, answering nothing.
    Reset,
}

/// The answer to a request: the control endpoint's, or the API's after counting it
/// and applying the first matching fault. `pause` waits (and returns early when the
/// sandbox stops).
pub(crate) fn respond(shared: &Shared, req: &Incoming, pause: &dyn Fn(Duration)) -> Outcome {
    if req.path == CONTROL || req.path.starts_with("/__sandbox/") {
        return Outcome::Reply(control(shared, req));
    }
    shared
        .lock_state()
        .count_request(req, Op::route(&req.method, &req.path));
    let Some(fault) = take_fault(&mut lock(&shared.faults), req) else {
        return Outcome::Reply(route::answer(&mut shared.lock_state(), req));
    };
    if !fault.delay.is_zero() {
        pause(fault.delay);
    }
    let api = Api::of_path(&req.path);
    if fault.expire_tokens {
        shared.lock_state().expire_tokens(api);
    }
    let instead = |acted: bool| match (fault.reset, fault.status) {
        (true, _) => Some(Outcome::Reset),
        (false, Some(status)) => Some(Outcome::Reply(api.error(
            status,
            &format!(
                "fault injected by the sandbox: {status} {}{}",
                reason_phrase(status),
                if acted {
                    " (the operation was carried out)"
                } else {
                    ""
                }
            ),
        ))),
        (false, None) => None,
    };
    if !fault.after {
        if let Some(outcome) = instead(false) {
            return outcome;
        }
    }
    let real = route::answer(&mut shared.lock_state(), req);
    if fault.after {
        if let Some(outcome) = instead(true) {
            return outcome;
        }
    }
    Outcome::Reply(real)
}

/// The first fault matching the request, counted (and removed when used up).
fn take_fault(faults: &mut VecDeque<Fault>, req: &Incoming) -> Option<Fault> {
    let i = faults.iter().position(|f| f.matches(req))?;
    let fault = faults[i].clone();
    match faults[i].times {
        0 => {}
        1 => {
            faults.remove(i);
        }
        _ => faults[i].times -= 1,
    }
    Some(fault)
}

fn ok() -> Reply {
    Reply::json(200, &json!({"ok": true}))
}

/// `GET /__sandbox/stats`, `POST /__sandbox/reset`, `POST`/`DELETE /__sandbox/faults`,
/// `GET`/`POST`/`DELETE /__sandbox/webhooks`.
fn control(shared: &Shared, req: &Incoming) -> Reply {
    let api = Api::Sandbox;
    let wrong_method = |takes: &str| {
        api.error(
            405,
            &format!("{} takes {takes}, not {}", req.path, req.method),
        )
    };
    match (req.path.as_str(), req.method.as_str()) {
        ("/__sandbox/stats", "GET") => Reply::json(200, &json!(shared.lock_state().stats_map())),
        ("/__sandbox/stats", _) => wrong_method("GET"),
        ("/__sandbox/reset", "POST") => {
            shared.reset();
            ok()
        }
        ("/__sandbox/reset", _) => wrong_method("POST"),
        ("/__sandbox/faults", "POST") => match fault_of(req) {
            Ok(fault) => {
                lock(&shared.faults).push_back(fault);
                ok()
            }
            Err(e) => api.error(400, &e),
        },
        ("/__sandbox/faults", "DELETE") => {
            lock(&shared.faults).clear();
            ok()
        }
        ("/__sandbox/faults", _) => wrong_method("POST or DELETE"),
        ("/__sandbox/webhooks", "GET") => Reply::json(200, &shared.lock_state().hooks.to_json()),
        ("/__sandbox/webhooks", "POST") => match webhook_of(req) {
            Ok(hook) => {
                shared.lock_state().hooks.add(hook);
                ok()
            }
            Err(e) => api.error(400, &e),
        },
        ("/__sandbox/webhooks", "DELETE") => {
            shared.lock_state().hooks.clear();
            ok()
        }
        ("/__sandbox/webhooks", _) => wrong_method("GET, POST or DELETE"),
        _ => route::fallback(req),
    }
}

fn fault_of(req: &Incoming) -> Result<Fault, String> {
    wire::require_content_type(req, "application/json", true)?;
    let body: Map<String, Value> = wire::json_object(req)?;
    Fault::try_from(Value::Object(body))
}

fn webhook_of(req: &Incoming) -> Result<super::webhooks::Webhook, String> {
    wire::require_content_type(req, "application/json", true)?;
    super::webhooks::webhook_of(wire::json_object(req)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Fault, String> {
        Fault::try_from(serde_json::from_str::<Value>(s).unwrap())
    }

    #[test]
    fn faults_from_json_name_the_wrong_field() {
        let f = parse(r#"{"path": "/yativo", "status": 503}"#).unwrap();
        assert_eq!(f, Fault::new("/yativo").status(503));
        let f = parse(r#"{"path": "/a", "method": "post", "times": 0, "delay_ms": 5}"#).unwrap();
        assert_eq!((f.method.as_deref(), f.times), (Some("POST"), 0));
        for (json, needle) in [
            (r#"{"status": 503}"#, "missing field `path`"),
            (
                r#"{"path": 1, "status": 503}"#,
                "field `path` must be a string",
            ),
            (r#"{"path": "/a", "stauts": 503}"#, "unknown field `stauts`"),
            (
                r#"{"path": "/a", "times": -1, "reset": true}"#,
                "field `times`",
            ),
            (r#"{"path": "/a", "status": "503"}"#, "field `status`"),
            (r#"{"path": "/a", "status": 42}"#, "`status` 42"),
            (
                r#"{"path": "/a", "reset": "yes"}"#,
                "field `reset` must be true or false",
            ),
            (r#"{"path": "/a", "after": true}"#, "`after` needs"),
            (r#"{"path": "/a", "status": 503, "reset": true}"#, "exclude"),
            (r#"{"path": "/a"}"#, "does nothing"),
            (r#"{"path": "a", "reset": true}"#, "must start with `/`"),
            (
                r#"{"path": "/__sandbox/stats", "reset": true}"#,
                "control endpoint",
            ),
            (r#"[1]"#, "JSON object"),
        ] {
            let e = parse(json).unwrap_err();
            assert!(e.contains(needle), "{json}: {e}");
        }
        let e = serde_json::from_str::<Fault>(r#"{"path": "/a", "delay_ms": true}"#).unwrap_err();
        assert!(e.to_string().contains("delay_ms"), "{e}");
    }

    #[test]
    fn faults_are_used_up_in_order() {
        let req = Incoming::new("POST", "/yativo/api/v1/payouts", Vec::new(), Vec::new(), 1);
        let mut faults = VecDeque::from([
            Fault::new("/anna").reset(),
            Fault::new("/yativo").method("GET").reset(),
            Fault::new("/yativo").status(503).times(2),
            Fault::new("/").status(500),
        ]);
        assert_eq!(take_fault(&mut faults, &req).unwrap().status, Some(503));
        assert_eq!(take_fault(&mut faults, &req).unwrap().status, Some(503));
        assert_eq!(take_fault(&mut faults, &req).unwrap().status, Some(500));
        assert!(take_fault(&mut faults, &req).is_none());
        assert_eq!(faults.len(), 2);
    }
}
