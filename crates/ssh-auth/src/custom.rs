//! The seed's helpers for custom authentication (ssh_auth_mode amCustom, 99): packets are
//! handed to the caller hex-encoded (`encode_packet`/`decode_packet`), and read or built one
//! typed field at a time (`get_ssh_param`, `get_ssh_param_bytes`, `set_ssh_param`).
//!
//! Field types (the seed's `set_ssh_param` table) and their text form:
//!
//! | type | wire | text |
//! |---|---|---|
//! | `s` | `string` | the text itself (UTF-8; invalid bytes shown as U+FFFD) |
//! | `sb` | `string` | hex, e.g. `A1B23C` |
//! | `m` | `mpint` | decimal, e.g. `1234` (or `0x`-prefixed hex on input) |
//! | `i` | `uint32` | decimal (or `0x` hex) |
//! | `l` | `uint64` | decimal (or `0x` hex) |
//! | `b` | `byte` | decimal (or `0x` hex) |
//! | `f` | `boolean` | `True` / `False` |
//!
//! `get_ssh_param` takes either a well-known channel-request field name (`ChannelId`,
//! `RequestType`, `WantsReply`, `Command`, `Subsystem`, ... as the seed lists them) or the
//! ad-hoc form `%t1,t2,...,tn`: the payload is read from just after its message number as
//! fields of types t1..tn, and the value of the last one is returned. For example `%s,f` on
//! a USERAUTH_FAILURE gives its `partial success` flag.

use ssh_wire::{DecodeError, MAX_MPINT_LEN, Reader, Writer};

/// Most fields in one `%` field list; a real message has a dozen at most.
const MAX_ADHOC_FIELDS: usize = 64;

/// Why a custom-auth helper failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// A field type other than `s`, `sb`, `m`, `i`, `l`, `b`, `f`.
    #[error("unknown field type `{0}` (expected s, sb, m, i, l, b or f)")]
    UnknownFieldType(String),
    /// The text value does not fit the field type.
    #[error("`{value}` is not a valid `{field_type}` value")]
    BadValue {
        /// The field type.
        field_type: &'static str,
        /// The text given.
        value: String,
    },
    /// A field name that is neither well known for this payload nor a `%` list.
    #[error("unknown field `{0}` for this payload")]
    UnknownField(String),
    /// Hex text with an odd length or a non-hex character.
    #[error("invalid hex at offset {0}")]
    BadHex(usize),
    /// The payload does not hold the fields asked for.
    #[error("payload does not decode: {0}")]
    Decode(#[from] DecodeError),
}

/// A field type of the seed's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// `s`: string shown as text.
    Text,
    /// `sb`: string shown as hex.
    Bytes,
    /// `m`: mpint shown in decimal.
    Mpint,
    /// `i`: uint32.
    U32,
    /// `l`: uint64.
    U64,
    /// `b`: byte.
    Byte,
    /// `f`: boolean.
    Flag,
}

impl FieldType {
    /// Parses the seed's one- or two-letter code.
    pub fn parse(code: &str) -> Result<Self, ParamError> {
        Ok(match code.trim() {
            "s" => Self::Text,
            "sb" => Self::Bytes,
            "m" => Self::Mpint,
            "i" => Self::U32,
            "l" => Self::U64,
            "b" => Self::Byte,
            "f" => Self::Flag,
            other => return Err(ParamError::UnknownFieldType(other.to_owned())),
        })
    }

    fn code(self) -> &'static str {
        match self {
            Self::Text => "s",
            Self::Bytes => "sb",
            Self::Mpint => "m",
            Self::U32 => "i",
            Self::U64 => "l",
            Self::Byte => "b",
            Self::Flag => "f",
        }
    }
}

/// The seed's `encode_packet`: a payload as upper-case hex.
pub fn encode_packet(packet: &[u8]) -> String {
    hex_upper(packet)
}

/// The seed's `decode_packet`: hex (either case; whitespace ignored) back to the payload.
pub fn decode_packet(encoded: &str) -> Result<Vec<u8>, ParamError> {
    let digits: Vec<(usize, u8)> = encoded
        .bytes()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_whitespace())
        .collect();
    if digits.len() % 2 != 0 {
        return Err(ParamError::BadHex(encoded.len()));
    }
    let mut out = Vec::with_capacity(digits.len() / 2);
    for pair in digits.chunks_exact(2) {
        let [(i, hi), (j, lo)] = pair else {
            return Err(ParamError::BadHex(0));
        };
        let hi = hex_value(*hi).ok_or(ParamError::BadHex(*i))?;
        let lo = hex_value(*lo).ok_or(ParamError::BadHex(*j))?;
        out.push(hi << 4 | lo);
    }
    Ok(out)
}

/// The seed's `set_ssh_param`: `payload` with one field of `field_type` appended, its value
/// given as text (see the module table).
pub fn set_ssh_param(
    payload: &[u8],
    field_type: &str,
    field_value: &str,
) -> Result<Vec<u8>, ParamError> {
    let ty = FieldType::parse(field_type)?;
    let mut out = payload.to_vec();
    let mut w = Writer::new(&mut out);
    let bad = || ParamError::BadValue {
        field_type: ty.code(),
        value: field_value.to_owned(),
    };
    match ty {
        FieldType::Text => {
            w.string(field_value.as_bytes());
        }
        FieldType::Bytes => {
            let bytes = decode_packet(field_value).map_err(|_| bad())?;
            w.string(&bytes);
        }
        FieldType::Mpint => {
            let magnitude = parse_big(field_value).ok_or_else(bad)?;
            w.mpint(&magnitude);
        }
        FieldType::U32 => {
            let v = parse_int(field_value, u64::from(u32::MAX), 1 << 31).ok_or_else(bad)?;
            w.u32(u32::try_from(v & 0xffff_ffff).map_err(|_| bad())?);
        }
        FieldType::U64 => {
            let v = parse_int(field_value, u64::MAX, 1 << 63).ok_or_else(bad)?;
            w.u64(v);
        }
        FieldType::Byte => {
            let v = parse_int(field_value, 0xff, 0x80).ok_or_else(bad)?;
            w.u8(u8::try_from(v & 0xff).map_err(|_| bad())?);
        }
        FieldType::Flag => {
            let v = match field_value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return Err(bad()),
            };
            w.bool(v);
        }
    }
    Ok(out)
}

/// The seed's `get_ssh_param`: one field of `payload` as text (see the module docs for
/// `field`).
pub fn get_ssh_param(payload: &[u8], field: &str) -> Result<String, ParamError> {
    let (ty, raw) = locate(payload, field)?;
    Ok(match (ty, raw) {
        (FieldType::Text, Raw::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        (FieldType::Bytes, Raw::Bytes(b)) => hex_upper(b),
        (FieldType::Mpint, Raw::Bytes(b)) => decimal(b),
        (FieldType::Flag, Raw::Int(v)) => if v != 0 { "True" } else { "False" }.to_owned(),
        (_, Raw::Int(v)) => v.to_string(),
        (_, Raw::Bytes(b)) => hex_upper(b),
    })
}

/// The seed's `get_ssh_param_bytes`: like [`get_ssh_param`] but raw — the contents of a
/// string, the magnitude of an mpint, the big-endian bytes of an integer or flag.
pub fn get_ssh_param_bytes(payload: &[u8], field: &str) -> Result<Vec<u8>, ParamError> {
    let (ty, raw) = locate(payload, field)?;
    Ok(match raw {
        Raw::Bytes(b) => b.to_vec(),
        Raw::Int(v) => {
            let be = v.to_be_bytes();
            let width = match ty {
                FieldType::U64 => 8,
                FieldType::U32 => 4,
                _ => 1,
            };
            be.get(8 - width..).unwrap_or_default().to_vec()
        }
    })
}

enum Raw<'a> {
    Bytes(&'a [u8]),
    Int(u64),
}

/// Finds `field` in `payload`: a `%` list, or a well-known channel-request field.
fn locate<'a>(payload: &'a [u8], field: &str) -> Result<(FieldType, Raw<'a>), ParamError> {
    let types: Vec<FieldType> = match field.strip_prefix('%') {
        Some(list) => {
            let codes: Vec<&str> = list.split(',').collect();
            if codes.len() > MAX_ADHOC_FIELDS {
                return Err(ParamError::UnknownField(field.to_owned()));
            }
            codes
                .into_iter()
                .map(FieldType::parse)
                .collect::<Result<_, _>>()?
        }
        None => well_known(payload, field)?,
    };
    let mut r = Reader::new(payload);
    r.u8("msg_type")?;
    let mut last = None;
    for ty in types {
        last = Some((ty, read_field(&mut r, ty)?));
    }
    last.ok_or_else(|| ParamError::UnknownField(field.to_owned()))
}

fn read_field<'a>(r: &mut Reader<'a>, ty: FieldType) -> Result<Raw<'a>, DecodeError> {
    Ok(match ty {
        FieldType::Text | FieldType::Bytes => Raw::Bytes(r.string("field")?),
        FieldType::Mpint => Raw::Bytes(r.mpint("field")?.magnitude()),
        FieldType::U32 => Raw::Int(u64::from(r.u32("field")?)),
        FieldType::U64 => Raw::Int(r.u64("field")?),
        FieldType::Byte => Raw::Int(u64::from(r.u8("field")?)),
        FieldType::Flag => Raw::Int(u64::from(r.bool("field")?)),
    })
}

/// The field types up to and including `name` in an RFC 4254 §5.4 channel request
/// (`byte SSH_MSG_CHANNEL_REQUEST, uint32 recipient channel, string request type,
/// boolean want reply, ...`), using the seed's names.
fn well_known(payload: &[u8], name: &str) -> Result<Vec<FieldType>, ParamError> {
    use FieldType::{Flag, Text, U32};
    let header = [U32, Text, Flag];
    let prefix = |n: usize| header.get(..n).unwrap_or_default().to_vec();
    match name {
        "ChannelId" => return Ok(prefix(1)),
        "RequestType" => return Ok(prefix(2)),
        "WantsReply" => return Ok(prefix(3)),
        _ => {}
    }
    let mut r = Reader::new(payload);
    r.u8("msg_type")?;
    r.u32("recipient_channel")?;
    let request = r.string("request_type")?;
    let tail: &[(&str, FieldType)] = match request {
        b"pty-req" => &[
            ("TerminalType", Text),
            ("TerminalWidthCharacters", U32),
            ("TerminalHeightRows", U32),
            ("TerminalWidthPixels", U32),
            ("TerminalHeightPixels", U32),
            ("TerminalModes", Text),
        ],
        b"x11-req" => &[
            ("SingleConnection", Flag),
            ("X11AuthProtocol", Text),
            ("X11AuthCookie", Text),
            ("X11ScreenNumber", U32),
        ],
        b"env" => &[("VariableName", Text), ("VariableValue", Text)],
        b"exec" => &[("Command", Text)],
        b"subsystem" => &[("Subsystem", Text)],
        b"xon-xoff" => &[("ClientCanDo", Flag)],
        b"signal" => &[("SignalName", Text)],
        _ => &[],
    };
    let pos = tail
        .iter()
        .position(|(n, _)| *n == name)
        .ok_or_else(|| ParamError::UnknownField(name.to_owned()))?;
    let mut types = header.to_vec();
    types.extend(tail.iter().take(pos + 1).map(|(_, t)| *t));
    Ok(types)
}

fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            s.push(char::from(
                *DIGITS.get(usize::from(nibble)).unwrap_or(&b'0'),
            ));
        }
    }
    s
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Parses a decimal or `0x` hex integer no larger than `max`; a leading `-` is allowed down
/// to `-min_neg` and wraps to the two's complement of the field width (the seed's fields are
/// "32-bit integers"; negative values are how some callers write large ones).
fn parse_int(text: &str, max: u64, min_neg: u64) -> Option<u64> {
    let text = text.trim();
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let v = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u64>().ok()?,
    };
    if neg {
        if v > min_neg {
            return None;
        }
        // Two's complement within the field width: max + 1 - v.
        Some(max.wrapping_sub(v).wrapping_add(1) & max)
    } else if v > max {
        None
    } else {
        Some(v)
    }
}

/// A non-negative decimal or `0x` hex integer of any size (up to [`MAX_MPINT_LEN`] bytes)
/// as a big-endian magnitude.
fn parse_big(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let (radix, digits) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => (16u16, hex),
        None => (10u16, text),
    };
    if digits.is_empty() {
        return None;
    }
    // Little-endian limbs of 8 bits; multiply-add per digit.
    let mut le: Vec<u8> = Vec::new();
    for c in digits.chars() {
        let d = u16::try_from(c.to_digit(u32::from(radix))?).ok()?;
        let mut carry = d;
        for limb in le.iter_mut() {
            let v = u16::from(*limb) * radix + carry;
            *limb = (v & 0xff) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            le.push((carry & 0xff) as u8);
            carry >>= 8;
        }
        if le.len() > MAX_MPINT_LEN {
            return None;
        }
    }
    le.reverse();
    Some(le)
}

/// A big-endian magnitude in decimal.
fn decimal(magnitude: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new(); // little-endian decimal digits
    for &byte in magnitude {
        let mut carry = u16::from(byte);
        for d in digits.iter_mut() {
            let v = u16::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    if digits.is_empty() {
        return "0".to_owned();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}
