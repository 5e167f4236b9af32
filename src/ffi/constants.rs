//! Constants the header carries as macros. `scripts/check-header.sh` reads them from
//! this file to write the macros, so each stays one line of the form
//! `pub const NAME: &str = "...";`; `yativo.rs` checks at compile time that they
//! equal the core's values.

/// Yativo's production base URL, for `tb_yativo_client_new`.
pub const TB_YATIVO_PRODUCTION_URL: &str = "https://api.yativo.com/api/v1";
/// Yativo's online sandbox base URL, for `tb_yativo_client_new`.
pub const TB_YATIVO_SANDBOX_URL: &str = "https://smtp.yativo.com/api/v1";
