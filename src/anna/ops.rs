//! AnnA's calls (A1–A8), each a method of [`Client`].

use serde::Serialize;
use serde_json::Value;

use super::models::{
    AccessData, MessengerFilter, MessengerRequests, MessengerStructure, Token, User,
};
use super::wire::{
    access_data, alert_counter_from, link_from, non_empty, parse_payload, requests_from,
    structure_from, HashBody, MessengerBody, UserBody,
};
use super::Client;
use crate::error::Result;
use crate::http::{Auth, Method, Outgoing};

impl Client {
    /// A1: gets a new token with `GetToken` (also cached). Safe to repeat.
    pub fn get_token(&self) -> Result<Token> {
        self.inner.renew(None, &self.limits())
    }

    /// A2: generates the user's access hash (`UserHash`). `start_service` is the
    /// service the chat starts with (`None` = none). Fails for an unknown or inactive
    /// user. Safe to repeat.
    pub fn user_hash(&self, user_id: &str, start_service: Option<&str>) -> Result<AccessData> {
        non_empty("user_id", user_id)?;
        let v = self.post(
            "AnnA UserHash",
            "REST/AnnACorporate/User/UserHash",
            &UserBody {
                hash: self.inner.vendor.hash(),
                user_id,
                user_name: None,
                start_service: Some(start_service.unwrap_or("")),
            },
            "accessData",
        )?;
        access_data("AnnA UserHash", v)
    }

    /// A3: creates or updates (and re-activates) the user, then generates its access
    /// hash (`UserHashForced`). Safe to repeat.
    pub fn user_hash_forced(
        &self,
        user_id: &str,
        user_name: &str,
        start_service: Option<&str>,
    ) -> Result<AccessData> {
        non_empty("user_id", user_id)?;
        non_empty("user_name", user_name)?;
        let v = self.post(
            "AnnA UserHashForced",
            "REST/AnnACorporate/User/UserHashForced",
            &UserBody {
                hash: self.inner.vendor.hash(),
                user_id,
                user_name: Some(user_name),
                start_service: Some(start_service.unwrap_or("")),
            },
            "accessData",
        )?;
        access_data("AnnA UserHashForced", v)
    }

    /// A4: inactivates the user (`Inactivate`) and returns the server's message.
    /// Safe to repeat (inactivating an inactive user may be answered as an error).
    pub fn inactivate_user(&self, user_id: &str) -> Result<String> {
        non_empty("user_id", user_id)?;
        let v = self.post(
            "AnnA Inactivate",
            "REST/AnnACorporate/User/Inactivate",
            &UserBody {
                hash: self.inner.vendor.hash(),
                user_id,
                user_name: None,
                start_service: None,
            },
            "message",
        )?;
        // AnnA's messages name `{company}@{user}`: keep the company hash out of them.
        let hash = self.inner.vendor.credentials.company_hash.expose();
        Ok(crate::secret::scrub(
            v.as_str().unwrap_or_default(),
            &[hash],
            500,
        ))
    }

    /// A5: the messenger's structure: company, departments and their channels.
    /// Read-only, safe to repeat.
    pub fn messenger_structure(&self) -> Result<MessengerStructure> {
        const OP: &str = "AnnA Messenger/Structure";
        let v = self.post(
            OP,
            "REST/AnnACorporate/Messenger/Structure",
            &HashBody {
                hash: self.inner.vendor.hash(),
            },
            "structure",
        )?;
        structure_from(OP, v)
    }

    /// A6: how many open requests await the user's answer. Read-only, safe to repeat.
    pub fn messenger_alert_counter(&self, user: &User, filter: &MessengerFilter) -> Result<u64> {
        const OP: &str = "AnnA Messenger/AlertCounter";
        let v = self.messenger_query(
            OP,
            "REST/AnnACorporate/Messenger/AlertCounter",
            user,
            Some(filter),
            "alertCounter",
        )?;
        alert_counter_from(OP, &v)
    }

    /// A7: the user's requests. Read-only, safe to repeat.
    pub fn messenger_requests(
        &self,
        user: &User,
        filter: &MessengerFilter,
    ) -> Result<MessengerRequests> {
        const OP: &str = "AnnA Messenger/Requests";
        let v = self.messenger_query(
            OP,
            "REST/AnnACorporate/Messenger/Requests",
            user,
            Some(filter),
            "userRequests",
        )?;
        requests_from(OP, v)
    }

    /// A8: the link that opens the user's messenger. Read-only, safe to repeat.
    pub fn messenger_link(&self, user: &User) -> Result<String> {
        const OP: &str = "AnnA Messenger/Link";
        let v = self.messenger_query(
            OP,
            "REST/AnnACorporate/Messenger/Link",
            user,
            None,
            "messengerLink",
        )?;
        link_from(OP, &v)
    }

    fn messenger_query(
        &self,
        op: &'static str,
        path: &'static str,
        user: &User,
        filter: Option<&MessengerFilter>,
        payload: &'static str,
    ) -> Result<Value> {
        let (id, doc_type, doc_value) = user.wire()?;
        if let Some(f) = filter {
            f.check()?;
        }
        self.post(
            op,
            path,
            &MessengerBody {
                hash: self.inner.vendor.hash(),
                user_id: id,
                user_doc_type: doc_type,
                user_doc_value: doc_value,
                messenger_filters: filter.map(MessengerFilter::wire),
            },
            payload,
        )
    }

    /// A protected call: body with the company hash, bearer token, 401 handling, and
    /// the payload field out of the answer. Every AnnA operation is documented as
    /// safe to repeat, so each is retried on transient failures.
    fn post<B: Serialize>(
        &self,
        op: &'static str,
        path: &'static str,
        body: &B,
        payload: &'static str,
    ) -> Result<Value> {
        let inner = &self.inner;
        let hash = inner.vendor.hash();
        let limits = self.limits();
        inner.authorized(&limits, |token| {
            let req = Outgoing::json(
                op,
                Method::Post,
                path,
                Some(body),
                Auth::Bearer(&token.token),
            )
            .repeatable()
            .secret(hash);
            parse_payload(&inner.http.send(&req, &limits)?, op, payload)
        })
    }
}
