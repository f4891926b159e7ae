#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ssh_auth::fuzzing::agent_msgs(data));
