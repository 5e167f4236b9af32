//! The C ABI (filled in by the C ABI work).
