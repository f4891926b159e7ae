#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ssh_keys::fuzzing::public_key_blob(data));
