//! The fuzz target bodies of `sftpc::fuzzing`, run on random input.

use proptest::prelude::*;

proptest! {
    #[test]
    fn command_line(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        sftpc::fuzzing::command_line(&data);
    }

    #[test]
    fn command_line_text(line in "[a-z*?\\[\\],\\- '\"\\\\]{0,40}") {
        sftpc::fuzzing::command_line(line.as_bytes());
    }

    #[test]
    fn printable(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        sftpc::fuzzing::printable(&data);
    }
}
