#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| raudit_fuzz::targets::config::run(data));
