//! uContact's request bodies: the paths of its three calls and the form of a login.

use super::UContact;
use crate::http::{Auth, Outgoing};

pub(super) const GET_USER_TOKEN: &str = "Integra/resources/auth/getUserToken";
pub(super) const AGENT_LOGIN: &str = "Integra/resources/auth/AgentLogin";
pub(super) const END_SESSION: &str = "Integra/resources/auth/EndSession";

impl UContact {
    /// One of the two login forms, with the password.
    pub(super) fn login_request<'a>(
        &'a self,
        op: &'static str,
        path: &'a str,
        name_field: &'a str,
    ) -> Outgoing<'a> {
        let c = &self.credentials;
        log::info!(target: "tokenbridge", "{op}: logging in {}", c.user);
        Outgoing::form(
            op,
            path,
            &[(name_field, &c.user), ("password", c.password.expose())],
            Auth::None,
        )
        .repeatable()
        .secret(c.password.expose())
    }
}
