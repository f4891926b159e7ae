#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ssh_keys::fuzzing::known_hosts_line(data));
