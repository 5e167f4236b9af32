//! The APIs the sandbox serves, their operations, and the answers it sends: what
//! every handler, the control endpoint and the server share.

use serde_json::{json, Value};

/// The operations, each with its method, path and statistics key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    UcGetUserToken,
    UcAgentLogin,
    UcEndSession,
    UcCall,
    YaLogin,
    YaRefresh,
    YaCall,
    YaPayout,
    YaGetPayout,
    AnGetToken,
    AnUserHash,
    AnUserHashForced,
    AnInactivate,
    AnStructure,
    AnAlertCounter,
    AnRequests,
    AnLink,
    AnCall,
    /// The chat, embedded and messenger pages the AnnA links point to.
    AnPage,
}

pub(crate) const UCONTACT_PREFIX: &str = "/ucontact";
pub(crate) const YATIVO_PREFIX: &str = "/yativo/api/v1";
pub(crate) const ANNA_PREFIX: &str = "/anna";
const ANNA_PAGES: [&str; 3] = ["/anna/chat/", "/anna/embedded/", "/anna/messenger/"];
const YATIVO_PAYOUT: &str = "/yativo/api/v1/payouts/";

/// Counts that are not an operation's.
pub(crate) const EXTRA_STATS: [&str; 3] = ["connections", "requests", "yativo.payouts_executed"];

impl Op {
    pub(crate) const ALL: [Op; 19] = [
        Op::UcGetUserToken,
        Op::UcAgentLogin,
        Op::UcEndSession,
        Op::UcCall,
        Op::YaLogin,
        Op::YaRefresh,
        Op::YaCall,
        Op::YaPayout,
        Op::YaGetPayout,
        Op::AnGetToken,
        Op::AnUserHash,
        Op::AnUserHashForced,
        Op::AnInactivate,
        Op::AnStructure,
        Op::AnAlertCounter,
        Op::AnRequests,
        Op::AnLink,
        Op::AnCall,
        Op::AnPage,
    ];

    /// The path below the API's prefix (for [`Op::AnPage`] and [`Op::YaGetPayout`],
    /// a prefix: see [`Op::at_path`]).
    pub(crate) fn path(self) -> (&'static str, &'static str) {
        match self {
            Op::UcGetUserToken => (UCONTACT_PREFIX, "/Integra/resources/auth/getUserToken"),
            Op::UcAgentLogin => (UCONTACT_PREFIX, "/Integra/resources/auth/AgentLogin"),
            Op::UcEndSession => (UCONTACT_PREFIX, "/Integra/resources/auth/EndSession"),
            Op::UcCall => (UCONTACT_PREFIX, "/Integra/resources/Dialers/DialerTask"),
            Op::YaLogin => (YATIVO_PREFIX, "/auth/login"),
            Op::YaRefresh => (YATIVO_PREFIX, "/auth/refresh-token"),
            Op::YaCall => (YATIVO_PREFIX, "/wallet/balance"),
            Op::YaPayout => (YATIVO_PREFIX, "/payouts"),
            Op::YaGetPayout => (YATIVO_PREFIX, "/payouts/"),
            Op::AnGetToken => (ANNA_PREFIX, "/REST/Credentials/GetToken"),
            Op::AnUserHash => (ANNA_PREFIX, "/REST/AnnACorporate/User/UserHash"),
            Op::AnUserHashForced => (ANNA_PREFIX, "/REST/AnnACorporate/User/UserHashForced"),
            Op::AnInactivate => (ANNA_PREFIX, "/REST/AnnACorporate/User/Inactivate"),
            Op::AnStructure => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/Structure"),
            Op::AnAlertCounter => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/AlertCounter"),
            Op::AnRequests => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/Requests"),
            Op::AnLink => (ANNA_PREFIX, "/REST/AnnACorporate/Messenger/Link"),
            Op::AnCall => (ANNA_PREFIX, "/REST/AnnACorporate/Ping"),
            Op::AnPage => (ANNA_PREFIX, "/chat/"),
        }
    }

    pub(crate) fn method(self) -> &'static str {
        match self {
            Op::YaRefresh | Op::YaCall | Op::YaGetPayout | Op::AnPage => "GET",
            _ => "POST",
        }
    }

    /// The key in the statistics, if the operation is counted.
    pub(crate) fn stats_key(self) -> Option<&'static str> {
        Some(match self {
            Op::UcGetUserToken => "ucontact.getUserToken",
            Op::UcAgentLogin => "ucontact.AgentLogin",
            Op::UcEndSession => "ucontact.EndSession",
            Op::UcCall => "ucontact.call",
            Op::YaLogin => "yativo.login",
            Op::YaRefresh => "yativo.refresh",
            Op::YaCall => "yativo.call",
            Op::YaPayout => "yativo.payout",
            Op::YaGetPayout => "yativo.getPayout",
            Op::AnGetToken => "anna.GetToken",
            Op::AnUserHash => "anna.UserHash",
            Op::AnUserHashForced => "anna.UserHashForced",
            Op::AnInactivate => "anna.Inactivate",
            Op::AnStructure => "anna.Structure",
            Op::AnAlertCounter => "anna.AlertCounter",
            Op::AnRequests => "anna.Requests",
            Op::AnLink => "anna.Link",
            Op::AnCall => "anna.call",
            Op::AnPage => return None,
        })
    }

    /// The operation at this path, whatever the method.
    pub(crate) fn at_path(path: &str) -> Option<Op> {
        let below = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
        };
        if ANNA_PAGES
            .iter()
            .any(|p| path.starts_with(p) && path.len() > p.len())
        {
            return Some(Op::AnPage);
        }
        if below(YATIVO_PAYOUT) {
            return Some(Op::YaGetPayout);
        }
        Op::ALL.into_iter().find(|op| {
            let (prefix, rest) = op.path();
            !matches!(op, Op::AnPage | Op::YaGetPayout)
                && path.len() == prefix.len() + rest.len()
                && path.starts_with(prefix)
                && path.ends_with(rest)
        })
    }

    /// The operation a request goes to: the one at its path, if the method is right.
    pub(crate) fn route(method: &str, path: &str) -> Option<Op> {
        Op::at_path(path).filter(|op| op.method() == method)
    }
}

/// One answer of the sandbox.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Vec<u8>,
    /// Headers beyond `Content-Type`.
    pub(crate) headers: Vec<(&'static str, String)>,
}

const JSON: &str = "application/json; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

impl Reply {
    fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            content_type,
            body,
            headers: Vec::new(),
        }
    }
    pub(crate) fn json(status: u16, value: &Value) -> Reply {
        Reply::new(status, JSON, value.to_string().into_bytes())
    }
    pub(crate) fn text(status: u16, text: &str) -> Reply {
        Reply::new(status, TEXT, text.as_bytes().to_vec())
    }
    pub(crate) fn html(status: u16, html: &str) -> Reply {
        Reply::new(status, HTML, html.as_bytes().to_vec())
    }
}

/// Which API a path belongs to, for the shape of its error answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    UContact,
    Yativo,
    Anna,
    Sandbox,
}

impl Api {
    pub(crate) fn of_path(path: &str) -> Api {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under(UCONTACT_PREFIX) {
            Api::UContact
        } else if under(YATIVO_PREFIX) || under("/yativo") {
            Api::Yativo
        } else if under(ANNA_PREFIX) {
            Api::Anna
        } else {
            Api::Sandbox
        }
    }

    /// An error answer in the API's own shape: uContact's plain text, Yativo's
    /// envelope with the reason in `data.error`, AnnA's `success: false`.
    pub(crate) fn error(self, status: u16, message: &str) -> Reply {
        match self {
            Api::UContact => Reply::text(
                status,
                &format!("{status} {}: {message}", reason_phrase(status)),
            ),
            Api::Yativo => Reply::json(
                status,
                &json!({
                    "status": "failed",
                    "status_code": status,
                    "message": "Request failed.",
                    "data": {"error": message},
                }),
            ),
            Api::Anna => Reply::json(status, &json!({"success": false, "message": message})),
            Api::Sandbox => Reply::json(
                status,
                &json!({"error": reason_phrase(status), "message": message}),
            ),
        }
    }
}

pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// A 401 answer in the API's shape.
pub(crate) fn unauthorized(api: Api, reason: &str) -> Reply {
    api.error(401, &format!("Unauthorized: {reason}"))
}
