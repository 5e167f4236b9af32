//! Which handler answers a request: the operation at its path, else a 404 or 405
//! that lists what the API serves.

use super::api::{Api, Op, Reply};
use super::state::State;
use super::wire::Incoming;
use super::{anna, ucontact, yativo};

/// The answer of the operation a request goes to (404/405 when none).
pub(crate) fn answer(st: &mut State, req: &Incoming) -> Reply {
    let Some(op) = Op::route(&req.method, &req.path) else {
        return fallback(req);
    };
    match op {
        Op::UcGetUserToken | Op::UcAgentLogin | Op::UcEndSession | Op::UcCall => {
            ucontact::handle(st, op, req)
        }
        Op::YaLogin | Op::YaRefresh | Op::YaCall | Op::YaPayout | Op::YaGetPayout => {
            yativo::handle(st, op, req)
        }
        Op::AnGetToken
        | Op::AnUserHash
        | Op::AnUserHashForced
        | Op::AnInactivate
        | Op::AnStructure
        | Op::AnAlertCounter
        | Op::AnRequests
        | Op::AnLink
        | Op::AnCall
        | Op::AnPage => anna::handle(st, op, req),
    }
}

/// The answer to a request no operation takes: 405 when the path is known, else 404.
pub(crate) fn fallback(req: &Incoming) -> Reply {
    let (method, path) = (req.method.as_str(), req.path.as_str());
    let api = Api::of_path(path);
    if let Some(op) = Op::at_path(path) {
        return api.error(405, &format!("{path} takes {}, not {method}", op.method()));
    }
    let known = match api {
        Api::UContact => "the uContact sandbox serves POST /ucontact/Integra/resources/auth/{getUserToken,AgentLogin,EndSession} and POST /ucontact/Integra/resources/Dialers/DialerTask",
        Api::Yativo => "the Yativo sandbox serves POST /yativo/api/v1/auth/login, GET /yativo/api/v1/auth/refresh-token, GET /yativo/api/v1/wallet/balance, POST /yativo/api/v1/payouts and GET /yativo/api/v1/payouts/{id}",
        Api::Anna => "the AnnA sandbox serves POST /anna/REST/Credentials/GetToken, POST /anna/REST/AnnACorporate/User/{UserHash,UserHashForced,Inactivate}, POST /anna/REST/AnnACorporate/Messenger/{Structure,AlertCounter,Requests,Link} and POST /anna/REST/AnnACorporate/Ping",
        Api::Sandbox => "the sandbox serves uContact under /ucontact, Yativo under /yativo/api/v1, AnnA under /anna/, and its control endpoint: GET /__sandbox/stats, POST /__sandbox/reset, POST and DELETE /__sandbox/faults, GET, POST and DELETE /__sandbox/webhooks (see docs/sandbox-contract.md)",
    };
    api.error(404, &format!("the sandbox has no {method} {path}; {known}"))
}
