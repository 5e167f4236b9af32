//! AnnA's request bodies, serialised straight from borrowed fields: no `Value` tree
//! and no copies per call.

use serde::Serialize;

use super::models::{MessengerFilter, RequestStatus, User};
use crate::error::{Error, Result};
use crate::time::Date;

impl User {
    /// The user as `userId`, `userDocType` and `userDocValue` (the unused ones empty).
    pub(super) fn wire(&self) -> Result<(&str, &str, &str)> {
        match self {
            User::Id(id) => {
                non_empty("user_id", id)?;
                Ok((id, "", ""))
            }
            User::Document { doc_type, value } => {
                non_empty("user_doc_type", doc_type)?;
                non_empty("user_doc_value", value)?;
                Ok(("", doc_type, value))
            }
        }
    }
}

impl RequestStatus {
    /// The status as `status` carries it.
    pub(super) fn wire(self) -> &'static str {
        match self {
            RequestStatus::Open => "A",
            RequestStatus::Closed => "E",
        }
    }
}

impl MessengerFilter {
    /// The `messengerFilters` object, borrowed from the filter and written straight
    /// into a request body.
    pub(super) fn wire(&self) -> WireFilter<'_> {
        WireFilter {
            department_alias: self.department_alias.as_deref().unwrap_or(""),
            channel_alias: self.channel_alias.as_deref().unwrap_or(""),
            data_ini: WireDate(self.date_from),
            data_fim: WireDate(self.date_to),
            status: self.status.map(RequestStatus::wire).unwrap_or(""),
            pendentes: match self.pending {
                Some(true) => "S",
                Some(false) => "N",
                None => "",
            },
        }
    }
}

/// The request bodies of AnnA's protected calls, serialised straight from borrowed
/// fields: no `Value` tree and no copies per call.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct WireFilter<'a> {
    pub(super) department_alias: &'a str,
    pub(super) channel_alias: &'a str,
    pub(super) data_ini: WireDate,
    pub(super) data_fim: WireDate,
    pub(super) status: &'static str,
    pub(super) pendentes: &'static str,
}

/// A filter date as `dd/MM/yyyy`, or `""` for none.
pub(super) struct WireDate(Option<Date>);

impl Serialize for WireDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self.0 {
            Some(d) => s.serialize_str(&d.to_anna_string()),
            None => s.serialize_str(""),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MessengerBody<'a> {
    pub(super) hash: &'a str,
    pub(super) user_id: &'a str,
    pub(super) user_doc_type: &'a str,
    pub(super) user_doc_value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) messenger_filters: Option<WireFilter<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct UserBody<'a> {
    pub(super) hash: &'a str,
    pub(super) user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) user_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) start_service: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct HashBody<'a> {
    pub(super) hash: &'a str,
}

#[derive(Serialize)]
pub(super) struct GetTokenBody<'a> {
    pub(super) hash: &'a str,
    pub(super) user: &'a str,
    pub(super) pass: &'a str,
}

pub(super) fn non_empty(argument: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::invalid_input(argument, "must not be empty"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_wire() {
        assert_eq!(User::id("7").wire().unwrap(), ("7", "", ""));
        assert_eq!(
            User::document("CPF", "123").wire().unwrap(),
            ("", "CPF", "123")
        );
        let e = User::document("", "123").wire().unwrap_err();
        assert!(e.to_string().contains("user_doc_type"));
    }
}
