//! Constants the header carries as macros. This file is also compiled into
//! `build.rs` (which writes the macros), so it must not refer to the rest of the
//! crate; `yativo.rs` checks at compile time that these equal the core's values.

/// Yativo's production base URL, for `tb_yativo_client_new`.
pub const TB_YATIVO_PRODUCTION_URL: &str = "https://api.yativo.com/api/v1";
/// Yativo's online sandbox base URL, for `tb_yativo_client_new`.
pub const TB_YATIVO_SANDBOX_URL: &str = "https://smtp.yativo.com/api/v1";
