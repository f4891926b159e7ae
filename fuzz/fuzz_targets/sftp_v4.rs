#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sftp_proto::fuzzing::sftp_v4(data));
