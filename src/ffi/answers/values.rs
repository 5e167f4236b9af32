//! The plain values the answers hand out (and the messenger filter takes): a date
//! and time as numbers, and the messenger request's status and pending flag.

use crate::anna::RequestStatus;

/// A date and time as numbers (the server's local time; AnnA sends no zone).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct tb_datetime {
    /// The year, e.g. 2024.
    pub year: i32,
    /// 1 to 12.
    pub month: i32,
    /// 1 to 31.
    pub day: i32,
    /// 0 to 23.
    pub hour: i32,
    /// 0 to 59.
    pub minute: i32,
    /// 0 to 60 (60 only for a leap second).
    pub second: i32,
}

/// A messenger request's status: in a filter, which requests to count or list; in
/// an answer, what the server said.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum tb_messenger_status {
    /// In a filter: any status. In an answer: a status that is neither open nor
    /// closed (read the text with `tb_messenger_requests_status_raw`).
    #[default]
    TB_MESSENGER_STATUS_NONE = 0,
    /// Open (`A` on the wire).
    TB_MESSENGER_STATUS_OPEN = 1,
    /// Closed (`E` on the wire).
    TB_MESSENGER_STATUS_CLOSED = 2,
}

impl tb_messenger_status {
    const ALL: [Self; 3] = [
        tb_messenger_status::TB_MESSENGER_STATUS_NONE,
        tb_messenger_status::TB_MESSENGER_STATUS_OPEN,
        tb_messenger_status::TB_MESSENGER_STATUS_CLOSED,
    ];

    /// The core's status this stands for (`None`: none / any).
    pub(crate) fn status(self) -> Option<RequestStatus> {
        match self {
            tb_messenger_status::TB_MESSENGER_STATUS_NONE => None,
            tb_messenger_status::TB_MESSENGER_STATUS_OPEN => Some(RequestStatus::Open),
            tb_messenger_status::TB_MESSENGER_STATUS_CLOSED => Some(RequestStatus::Closed),
        }
    }

    pub(crate) fn of(status: Option<RequestStatus>) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.status() == status)
            .unwrap_or(tb_messenger_status::TB_MESSENGER_STATUS_NONE)
    }

    /// The value a C caller passed, if it is one.
    pub(crate) fn from_raw(raw: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|v| *v as i32 == raw)
    }
}

/// Whether a messenger request awaits the user's answer: in a filter, which
/// requests to count or list; in an answer, what the server said.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum tb_messenger_pending {
    /// In a filter: pending or not. In an answer: written with `TB_ABSENT`.
    #[default]
    TB_MESSENGER_PENDING_NONE = 0,
    /// Awaits the user's answer (`S` on the wire).
    TB_MESSENGER_PENDING_YES = 1,
    /// Does not (`N` on the wire).
    TB_MESSENGER_PENDING_NO = 2,
}

impl tb_messenger_pending {
    const ALL: [Self; 3] = [
        tb_messenger_pending::TB_MESSENGER_PENDING_NONE,
        tb_messenger_pending::TB_MESSENGER_PENDING_YES,
        tb_messenger_pending::TB_MESSENGER_PENDING_NO,
    ];

    /// The core's flag this stands for (`None`: unknown / either).
    pub(crate) fn pending(self) -> Option<bool> {
        match self {
            tb_messenger_pending::TB_MESSENGER_PENDING_NONE => None,
            tb_messenger_pending::TB_MESSENGER_PENDING_YES => Some(true),
            tb_messenger_pending::TB_MESSENGER_PENDING_NO => Some(false),
        }
    }

    pub(crate) fn of(pending: Option<bool>) -> Self {
        Self::ALL
            .into_iter()
            .find(|v| v.pending() == pending)
            .unwrap_or(tb_messenger_pending::TB_MESSENGER_PENDING_NONE)
    }

    /// The value a C caller passed, if it is one.
    pub(crate) fn from_raw(raw: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|v| *v as i32 == raw)
    }
}
