//! Yativo's request bodies and headers: the login body and the `Idempotency-Key`.

/// `auth/login`'s body.
#[derive(serde::Serialize)]
pub(super) struct LoginBody<'a> {
    pub(super) account_id: &'a str,
    pub(super) app_secret: &'a str,
}

/// A fresh key for one logical call: a UUID v4.
pub(super) fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}
