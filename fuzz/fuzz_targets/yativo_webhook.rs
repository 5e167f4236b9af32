#![no_main]
// See tokenbridge::__fuzz::yativo_webhook for what the input is and what is checked.
libfuzzer_sys::fuzz_target!(|data: &[u8]| tokenbridge::__fuzz::yativo_webhook(data));
