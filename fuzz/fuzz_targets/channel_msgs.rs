#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ssh_connection::fuzzing::channel_msgs(data));
