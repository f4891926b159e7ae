#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| sftp_proto::fuzzing::session_pieces(data));
