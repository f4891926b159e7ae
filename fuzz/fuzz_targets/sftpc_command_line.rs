#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sftpc::fuzzing::command_line(data));
