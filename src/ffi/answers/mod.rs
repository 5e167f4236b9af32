//! The typed answers of the operations, as opaque handles with accessors:
//! `tb_agent_profile` (U2), `tb_access_data` (A2, A3), `tb_messenger_structure`
//! (A5), `tb_messenger_requests` (A7), `tb_response` (the generic call) and
//! `tb_yativo_event` (a verified webhook). Each is freed with its own `_free`;
//! strings lent by their accessors follow the rule in [`super::text`]. Raw JSON is
//! reachable only through the explicit `_raw_json` escape hatches: the JSON value the
//! server sent, written anew (object keys sorted by name, no insignificant
//! whitespace).
//!
//! One file per C object (as rustls-ffi does): [`agent_profile`], [`access_data`],
//! [`messenger_structure`], [`messenger_requests`], [`response`], [`yativo_event`]; the values they hand out in
//! [`values`], and the getters' shared bodies in `read`. The order of these modules is
//! the order of the header's section.

pub mod values;

mod read;

pub mod agent_profile;

pub mod access_data;

pub mod messenger_structure;

pub mod messenger_requests;

pub mod response;

pub mod yativo_event;

pub use access_data::tb_access_data;
pub use agent_profile::tb_agent_profile;
pub use messenger_requests::tb_messenger_requests;
pub use messenger_structure::tb_messenger_structure;
pub use response::tb_response;
pub use values::{tb_datetime, tb_messenger_pending, tb_messenger_status};
pub use yativo_event::tb_yativo_event;
