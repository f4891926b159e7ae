//! SSH wire encoding: the data types of RFC 4251 §5, shared by every layer.
//!
//! Every decoder in the project reads untrusted bytes through [`Reader`], the only way to
//! read: each read is checked against what remains, lengths are checked before anything is
//! allocated, and [`Reader::finish`] rejects trailing bytes. [`Writer`] appends to a
//! caller-owned buffer and patches length prefixes in one pass, so encoding cannot fail.
//!
//! | RFC 4251 §5 type | read | write |
//! |---|---|---|
//! | `byte` | [`Reader::u8`] | [`Writer::u8`] |
//! | `boolean` | [`Reader::bool`] | [`Writer::bool`] |
//! | `uint32` | [`Reader::u32`] | [`Writer::u32`] |
//! | `uint64` | [`Reader::u64`] | [`Writer::u64`] |
//! | `string` | [`Reader::string`], [`Reader::utf8`] | [`Writer::string`], [`Writer::string_with`] |
//! | `mpint` | [`Reader::mpint`] | [`Writer::mpint`] |
//! | `name-list` | [`Reader::name_list`] | [`Writer::name_list`] |
//!
//! Registry numbers (message types, reason codes, SFTP packet types) are open newtypes made
//! with [`open_enum!`], so unknown values survive a round trip and print as numbers.

#![forbid(unsafe_code)]

mod codec;
pub mod copy;
mod error;
mod mpint;
mod name_list;
mod open_enum;
mod reader;
mod writer;

#[doc(hidden)]
pub mod fuzzing;

pub use codec::{Decode, Encode};
pub use error::{DecodeError, DecodeErrorKind};
pub use mpint::{MAX_MPINT_LEN, Mpint};
pub use name_list::{MAX_NAME_LIST_LEN, NameList};
pub use reader::Reader;
pub use writer::Writer;
