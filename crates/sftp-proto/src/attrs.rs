//! File attributes: the version-neutral [`FileAttributes`] and its wire forms per version.
//!
//! draft-02 §5 (v3):
//! ```text
//! uint32 flags; uint64 size [SIZE]; uint32 uid, gid [UIDGID]; uint32 permissions
//! [PERMISSIONS]; uint32 atime, mtime [ACMODTIME]; uint32 extended_count, then
//! extended_count × (string type, string data) [EXTENDED]
//! ```
//! draft-13 §7 (v6; v4 and v5 are subsets, see [`defined_attr_flags`]):
//! ```text
//! uint32 valid-attribute-flags; byte type; uint64 size; uint64 allocation-size;
//! string owner; string group; uint32 permissions; int64 atime [uint32 atime-nseconds];
//! int64 createtime [uint32 ...]; int64 mtime [uint32 ...]; int64 ctime [uint32 ...];
//! string acl; uint32 attrib-bits; uint32 attrib-bits-valid; byte text-hint;
//! string mime-type; uint32 link-count; string untranslated-name; uint32 extended-count ...
//! ```
//! In v5 BITS carries only `attrib-bits`; in v4 and v5 the fields are in the same order
//! with the v6-only ones absent.

use ssh_wire::{DecodeError, DecodeErrorKind, Reader, Writer};

use crate::Version;
use crate::consts::{FileType, TextHint, attr_flags as f, defined_attr_flags};

/// Most `extended` (type, data) pairs accepted in one ATTRS. Real servers send none or a
/// handful; the cap bounds the work a hostile count can ask for.
pub const MAX_ATTR_EXTENSIONS: usize = 256;

/// Longest owner, group, mime-type, ACL or untranslated-name accepted. These are names and
/// short lists; 64 KiB is far beyond any real one and well under a packet.
pub const MAX_ATTR_STRING_LEN: usize = 64 * 1024;

/// Attribute-bit values v6 defines (`SSH_FILEXFER_ATTR_FLAGS_READONLY` 0x1 …
/// `TRANSLATION_ERR` 0x800), sent as `attrib-bits-valid` when bits came from a v5 source.
pub const DEFINED_ATTRIB_BITS: u32 = 0x0000_0fff;

/// Known server bugs and non-canonical forms the decoder can tolerate, each off in
/// [`Quirks::STRICT`] (the codec default, which keeps decoding canonical: whatever decodes
/// re-encodes to the same bytes) and on in [`Quirks::LENIENT`] (the session default, for
/// quirks that cannot change the meaning of what is read).
///
/// What a quirk tolerates decodes to an ordinary [`FileAttributes`]; re-encoding it gives
/// the canonical form, which decodes strictly to the same value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Quirks {
    /// Ignore `MODIFYTIME` (0x20) in v3 attributes that also have `ACMODTIME` (Huawei VRP).
    pub v3_modifytime_with_acmodtime: bool,
    /// Accept the `EXTENDED` flag with an `extended_count` of 0 as "no extended pairs"
    /// (ProFTPD mod_sftp: every v3 ATTRS, and NAME entries at v6). The grammar allows
    /// it, but the canonical form leaves the flag out, so re-encoding drops it.
    pub empty_extended: bool,
}

impl Quirks {
    /// No bug tolerated.
    pub const STRICT: Quirks = Quirks {
        v3_modifytime_with_acmodtime: false,
        empty_extended: false,
    };
    /// Every harmless quirk tolerated.
    pub const LENIENT: Quirks = Quirks {
        v3_modifytime_with_acmodtime: true,
        empty_extended: true,
    };
}

impl Default for Quirks {
    fn default() -> Self {
        Self::LENIENT
    }
}

/// A timestamp as v4+ carry it: seconds since the Unix epoch (negative before it) and,
/// when the sender gave them, nanoseconds (`SUBSECOND_TIMES`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FileTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub seconds: i64,
    /// Nanoseconds within the second, when known.
    pub nanoseconds: Option<u32>,
}

impl FileTime {
    /// A whole-second time.
    pub fn from_seconds(seconds: i64) -> Self {
        Self {
            seconds,
            nanoseconds: None,
        }
    }

    /// Milliseconds since the epoch (the seed's `file_*_time` unit), saturating.
    pub fn as_millis(&self) -> i64 {
        let ms = i64::from(self.nanoseconds.unwrap_or(0) / 1_000_000);
        self.seconds.saturating_mul(1000).saturating_add(ms)
    }

    /// The time for a millisecond count (the seed's setters), with nanoseconds when the
    /// count is not whole seconds.
    pub fn from_millis(ms: i64) -> Self {
        let seconds = ms.div_euclid(1000);
        let rem = ms.rem_euclid(1000);
        let nanos = u32::try_from(rem).unwrap_or(0).saturating_mul(1_000_000);
        Self {
            seconds,
            nanoseconds: (nanos != 0).then_some(nanos),
        }
    }
}

/// File attributes in one version-neutral form: what the seed's `file_*` properties and
/// `update_file_attributes` read and write, and what every version's ATTRS decodes to.
///
/// Where the versions overlap the conversion is lossless (size, permissions, whole-second
/// times within `u32`, extended pairs). Where they do not, [`FileAttributes::encode`]
/// leaves out what the negotiated version cannot carry, and
/// [`FileAttributes::representable_at`] says exactly what survives:
/// - `uid`/`gid` exist only in v3, `owner`/`group` names only in v4+; neither is derived
///   from the other (a name server is not ours to consult);
/// - v3 sends atime and mtime together or not at all, as `uint32` seconds: times before
///   1970 or after 2106, nanoseconds, createtime and ctime are dropped;
/// - `file_type` is a wire field only at v4+; at v3 use [`FileAttributes::kind`], which
///   reads the `S_IFMT` bits of the permissions;
/// - `attrib_bits` needs v5, `attrib_bits_valid` and the other v6 fields need v6; at v6 a
///   missing `attrib_bits_valid` is sent as [`DEFINED_ATTRIB_BITS`] (v5's meaning: every
///   bit the server reports is meaningful);
/// - subsecond times (v4+) are sent for every time when any time has nanoseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileAttributes {
    /// v4+ `type`; `None` at v3.
    pub file_type: Option<FileType>,
    /// `size` in bytes.
    pub size: Option<u64>,
    /// v6 `allocation-size`: bytes the file occupies on disk.
    pub allocation_size: Option<u64>,
    /// v3 numeric `uid` and `gid` (sent together).
    pub uid_gid: Option<(u32, u32)>,
    /// v4+ `owner` and `group` names (sent together).
    pub owner_group: Option<(String, String)>,
    /// POSIX permissions (v3 and, from some servers, v4+ include the `S_IFMT` type bits).
    pub permissions: Option<u32>,
    /// Last access time.
    pub atime: Option<FileTime>,
    /// v4+ creation time.
    pub createtime: Option<FileTime>,
    /// Last modification time.
    pub mtime: Option<FileTime>,
    /// v6 last attribute-change time.
    pub ctime: Option<FileTime>,
    /// v4+ ACL in its wire form (v4/v5: `uint32 ace-count, ACE…`; v6 starts with
    /// `uint32 acl-flags`), kept raw.
    pub acl: Option<Vec<u8>>,
    /// v5+ `attrib-bits` (`SSH_FILEXFER_ATTR_FLAGS_*`).
    pub attrib_bits: Option<u32>,
    /// v6 `attrib-bits-valid`.
    pub attrib_bits_valid: Option<u32>,
    /// v6 `text-hint`.
    pub text_hint: Option<TextHint>,
    /// v6 `mime-type`.
    pub mime_type: Option<String>,
    /// v6 `link-count`.
    pub link_count: Option<u32>,
    /// v6 `untranslated-name`.
    pub untranslated_name: Option<Vec<u8>>,
    /// `extended` (type, data) pairs, in order.
    pub extended: Vec<(Vec<u8>, Vec<u8>)>,
}

impl FileAttributes {
    /// The file type, from the v4+ type byte or else from the v3 permission bits.
    pub fn kind(&self) -> Option<FileType> {
        match self.file_type {
            Some(t) if t != FileType::UNKNOWN => Some(t),
            other => self
                .permissions
                .and_then(FileType::from_permissions)
                .or(other),
        }
    }

    /// Whether this is a directory (by [`FileAttributes::kind`]).
    pub fn is_dir(&self) -> bool {
        self.kind() == Some(FileType::DIRECTORY)
    }

    /// Whether this is a symbolic link (by [`FileAttributes::kind`]).
    pub fn is_symlink(&self) -> bool {
        self.kind() == Some(FileType::SYMLINK)
    }

    /// The `valid-attribute-flags` this value is sent with at `version`.
    pub fn flags(&self, version: Version) -> u32 {
        let mut flags = 0;
        let mut set = |bit: u32, present: bool| {
            if present {
                flags |= bit;
            }
        };
        set(f::SIZE, self.size.is_some());
        set(f::PERMISSIONS, self.permissions.is_some());
        set(f::EXTENDED, !self.extended.is_empty());
        if version == Version::V3 {
            set(f::UIDGID, self.uid_gid.is_some());
            set(f::ACMODTIME, self.v3_times().is_some());
            return flags;
        }
        set(f::OWNERGROUP, self.owner_group.is_some());
        set(f::ACCESSTIME, self.atime.is_some());
        set(f::CREATETIME, self.createtime.is_some());
        set(f::MODIFYTIME, self.mtime.is_some());
        set(f::ACL, self.acl.is_some());
        let v6 = version == Version::V6;
        let times = [
            self.atime,
            self.createtime,
            self.mtime,
            self.ctime.filter(|_| v6),
        ];
        set(
            f::SUBSECOND_TIMES,
            times.iter().flatten().any(|t| t.nanoseconds.is_some()),
        );
        if version >= Version::V5 {
            set(f::BITS, self.attrib_bits.is_some());
        }
        if v6 {
            set(f::ALLOCATION_SIZE, self.allocation_size.is_some());
            set(f::TEXT_HINT, self.text_hint.is_some());
            set(f::MIME_TYPE, self.mime_type.is_some());
            set(f::LINK_COUNT, self.link_count.is_some());
            set(f::UNTRANSLATED_NAME, self.untranslated_name.is_some());
            set(f::CTIME, self.ctime.is_some());
        }
        flags & defined_attr_flags(version)
    }

    /// v3 `atime`/`mtime`: both present and both within `uint32` seconds.
    fn v3_times(&self) -> Option<(u32, u32)> {
        let a = u32::try_from(self.atime?.seconds).ok()?;
        let m = u32::try_from(self.mtime?.seconds).ok()?;
        Some((a, m))
    }

    /// Exactly what survives `encode(version)` followed by `decode(version)`.
    pub fn representable_at(&self, version: Version) -> FileAttributes {
        let mut buf = Vec::new();
        self.encode(version, &mut Writer::new(&mut buf));
        // Our own encoding always decodes; the fallback is unreachable.
        FileAttributes::decode(version, &mut Reader::new(&buf)).unwrap_or_default()
    }

    /// Appends the ATTRS wire form for `version`, leaving out what it cannot carry.
    pub fn encode(&self, version: Version, w: &mut Writer<'_>) {
        let flags = self.flags(version);
        w.u32(flags);
        let has = |bit: u32| flags & bit != 0;
        if version == Version::V3 {
            if let Some(size) = self.size.filter(|_| has(f::SIZE)) {
                w.u64(size);
            }
            if let Some((uid, gid)) = self.uid_gid.filter(|_| has(f::UIDGID)) {
                w.u32(uid).u32(gid);
            }
            if let Some(p) = self.permissions.filter(|_| has(f::PERMISSIONS)) {
                w.u32(p);
            }
            if let Some((a, m)) = self.v3_times().filter(|_| has(f::ACMODTIME)) {
                w.u32(a).u32(m);
            }
        } else {
            w.u8(self.file_type.unwrap_or(FileType::UNKNOWN).0);
            if let Some(size) = self.size.filter(|_| has(f::SIZE)) {
                w.u64(size);
            }
            if let Some(size) = self.allocation_size.filter(|_| has(f::ALLOCATION_SIZE)) {
                w.u64(size);
            }
            if let Some((owner, group)) = self.owner_group.as_ref().filter(|_| has(f::OWNERGROUP)) {
                w.string(owner.as_bytes()).string(group.as_bytes());
            }
            if let Some(p) = self.permissions.filter(|_| has(f::PERMISSIONS)) {
                w.u32(p);
            }
            let sub = has(f::SUBSECOND_TIMES);
            let time = |w: &mut Writer<'_>, t: Option<FileTime>, bit: u32| {
                if let Some(t) = t.filter(|_| has(bit)) {
                    w.u64(t.seconds as u64);
                    if sub {
                        w.u32(t.nanoseconds.unwrap_or(0));
                    }
                }
            };
            time(w, self.atime, f::ACCESSTIME);
            time(w, self.createtime, f::CREATETIME);
            time(w, self.mtime, f::MODIFYTIME);
            time(w, self.ctime, f::CTIME);
            if let Some(acl) = self.acl.as_ref().filter(|_| has(f::ACL)) {
                w.string(acl);
            }
            if let Some(bits) = self.attrib_bits.filter(|_| has(f::BITS)) {
                w.u32(bits);
                if version == Version::V6 {
                    w.u32(self.attrib_bits_valid.unwrap_or(DEFINED_ATTRIB_BITS));
                }
            }
            if let Some(hint) = self.text_hint.filter(|_| has(f::TEXT_HINT)) {
                w.u8(hint.0);
            }
            if let Some(mime) = self.mime_type.as_ref().filter(|_| has(f::MIME_TYPE)) {
                w.string(mime.as_bytes());
            }
            if let Some(n) = self.link_count.filter(|_| has(f::LINK_COUNT)) {
                w.u32(n);
            }
            if let Some(name) = self
                .untranslated_name
                .as_ref()
                .filter(|_| has(f::UNTRANSLATED_NAME))
            {
                w.string(name);
            }
        }
        if has(f::EXTENDED) {
            let count = self.extended.len().min(MAX_ATTR_EXTENSIONS);
            w.u32(u32::try_from(count).unwrap_or(0));
            for (ty, data) in self.extended.iter().take(count) {
                w.string(ty).string(data);
            }
        }
    }

    /// Reads an ATTRS for `version` from untrusted bytes.
    ///
    /// Rejected (robustness case S7): flags the version does not define, a missing v4+ type
    /// byte, `SUBSECOND_TIMES` with no time, an `EXTENDED` flag with a zero count (not
    /// canonical; see [`Quirks::empty_extended`]), counts and strings over their caps or
    /// over what remains, non-UTF-8 owner, group or mime-type, and a v6 `attrib-bits`
    /// without `attrib-bits-valid` (truncation).
    pub fn decode(version: Version, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::decode_with_quirks(version, Quirks::STRICT, r)
    }

    /// [`FileAttributes::decode`] tolerating the server bugs enabled in `quirks`. What a
    /// quirk tolerates does not re-encode to the same bytes, but to the canonical form,
    /// which [`FileAttributes::decode`] reads back as the same value.
    pub fn decode_with_quirks(
        version: Version,
        quirks: Quirks,
        r: &mut Reader<'_>,
    ) -> Result<Self, DecodeError> {
        let start = r.position();
        let mut flags = r.u32("attr_flags")?;
        if quirks.v3_modifytime_with_acmodtime
            && version == Version::V3
            && flags & f::ACMODTIME != 0
        {
            // Huawei VRP sets MODIFYTIME (0x20, a v4 bit) next to ACMODTIME at v3; the
            // fields are where ACMODTIME puts them, so the stray bit is ignored.
            flags &= !f::MODIFYTIME;
        }
        let invalid = |field| {
            Err(DecodeError::new(
                DecodeErrorKind::InvalidValue,
                field,
                start,
            ))
        };
        if flags & !defined_attr_flags(version) != 0 {
            return invalid("attr_flags");
        }
        let has = |bit: u32| flags & bit != 0;
        let mut a = FileAttributes::default();
        if version == Version::V3 {
            if has(f::SIZE) {
                a.size = Some(r.u64("size")?);
            }
            if has(f::UIDGID) {
                a.uid_gid = Some((r.u32("uid")?, r.u32("gid")?));
            }
            if has(f::PERMISSIONS) {
                a.permissions = Some(r.u32("permissions")?);
            }
            if has(f::ACMODTIME) {
                a.atime = Some(FileTime::from_seconds(i64::from(r.u32("atime")?)));
                a.mtime = Some(FileTime::from_seconds(i64::from(r.u32("mtime")?)));
            }
        } else {
            a.file_type = Some(FileType(r.u8("type")?));
            if has(f::SIZE) {
                a.size = Some(r.u64("size")?);
            }
            if has(f::ALLOCATION_SIZE) {
                a.allocation_size = Some(r.u64("allocation-size")?);
            }
            if has(f::OWNERGROUP) {
                let owner = attr_utf8(r, "owner")?;
                let group = attr_utf8(r, "group")?;
                a.owner_group = Some((owner, group));
            }
            if has(f::PERMISSIONS) {
                a.permissions = Some(r.u32("permissions")?);
            }
            let sub = has(f::SUBSECOND_TIMES);
            let time_bits = f::ACCESSTIME | f::CREATETIME | f::MODIFYTIME | f::CTIME;
            if sub && flags & time_bits == 0 {
                return invalid("attr_flags");
            }
            let time = |r: &mut Reader<'_>, bit: u32, field| -> Result<_, DecodeError> {
                if !has(bit) {
                    return Ok(None);
                }
                let seconds = r.u64(field)? as i64;
                let nanoseconds = if sub { Some(r.u32(field)?) } else { None };
                Ok(Some(FileTime {
                    seconds,
                    nanoseconds,
                }))
            };
            a.atime = time(r, f::ACCESSTIME, "atime")?;
            a.createtime = time(r, f::CREATETIME, "createtime")?;
            a.mtime = time(r, f::MODIFYTIME, "mtime")?;
            a.ctime = time(r, f::CTIME, "ctime")?;
            if has(f::ACL) {
                a.acl = Some(r.string_max(MAX_ATTR_STRING_LEN, "acl")?.to_vec());
            }
            if has(f::BITS) {
                a.attrib_bits = Some(r.u32("attrib-bits")?);
                if version == Version::V6 {
                    a.attrib_bits_valid = Some(r.u32("attrib-bits-valid")?);
                }
            }
            if has(f::TEXT_HINT) {
                a.text_hint = Some(TextHint(r.u8("text-hint")?));
            }
            if has(f::MIME_TYPE) {
                a.mime_type = Some(attr_utf8(r, "mime-type")?);
            }
            if has(f::LINK_COUNT) {
                a.link_count = Some(r.u32("link-count")?);
            }
            if has(f::UNTRANSLATED_NAME) {
                let name = r.string_max(MAX_ATTR_STRING_LEN, "untranslated-name")?;
                a.untranslated_name = Some(name.to_vec());
            }
        }
        if has(f::EXTENDED) {
            let at = r.position();
            let count = r.u32("extended_count")?;
            // Each pair takes at least 8 bytes: check against what remains before
            // allocating. Zero pairs cannot be re-sent with the flag, so only the
            // `empty_extended` quirk accepts it (as no pairs: same meaning).
            let count = usize::try_from(count).unwrap_or(usize::MAX);
            if count == 0 && !quirks.empty_extended {
                return invalid("extended_count");
            }
            if count > MAX_ATTR_EXTENSIONS || count.saturating_mul(8) > r.remaining() {
                return Err(DecodeError::new(
                    DecodeErrorKind::TooLong {
                        len: count,
                        max: MAX_ATTR_EXTENSIONS.min(r.remaining() / 8),
                    },
                    "extended_count",
                    at,
                ));
            }
            a.extended.reserve_exact(count);
            for _ in 0..count {
                let ty = r.string_max(MAX_ATTR_STRING_LEN, "extended_type")?;
                let data = r.string("extended_data")?;
                a.extended.push((ty.to_vec(), data.to_vec()));
            }
        }
        Ok(a)
    }
}

/// A UTF-8 attribute string under [`MAX_ATTR_STRING_LEN`].
fn attr_utf8(r: &mut Reader<'_>, field: &'static str) -> Result<String, DecodeError> {
    let at = r.position();
    let bytes = r.string_max(MAX_ATTR_STRING_LEN, field)?;
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8, field, at))
}

/// Most ACEs accepted in one ACL: real ACLs have a handful; each takes at least 16 bytes.
pub const MAX_ACES: usize = 1024;

/// One access control entry (draft-04 §5.7 / draft-13 §7.8):
/// `uint32 ace-type, uint32 ace-flag, uint32 ace-mask, string who`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ace {
    /// `ACE4_ACCESS_ALLOWED_ACE_TYPE` (0), `DENIED` (1), `AUDIT` (2), `ALARM` (3).
    pub ace_type: u32,
    /// `ACE4_*_INHERIT_ACE` and similar flags.
    pub ace_flag: u32,
    /// Access mask ([`crate::consts::ace_mask`]).
    pub ace_mask: u32,
    /// Principal, e.g. `OWNER@` or `user@domain`.
    pub who: String,
}

/// A parsed ACL attribute: v4/v5 `uint32 ace-count, ACE[ace-count]`; v6 puts
/// `uint32 acl-flags` first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Acl {
    /// v6 `acl-flags`; `None` for v4/v5.
    pub acl_flags: Option<u32>,
    /// The entries, in order.
    pub aces: Vec<Ace>,
}

impl Acl {
    /// Parses the raw [`FileAttributes::acl`] bytes of a `version` ATTRS.
    pub fn decode(version: Version, raw: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(raw);
        let acl_flags = if version == Version::V6 {
            Some(r.u32("acl-flags")?)
        } else {
            None
        };
        let at = r.position();
        let count = usize::try_from(r.u32("ace-count")?).unwrap_or(usize::MAX);
        if count > MAX_ACES || count.saturating_mul(16) > r.remaining() {
            return Err(DecodeError::new(
                DecodeErrorKind::TooLong {
                    len: count,
                    max: MAX_ACES.min(r.remaining() / 16),
                },
                "ace-count",
                at,
            ));
        }
        let mut aces = Vec::with_capacity(count);
        for _ in 0..count {
            aces.push(Ace {
                ace_type: r.u32("ace-type")?,
                ace_flag: r.u32("ace-flag")?,
                ace_mask: r.u32("ace-mask")?,
                who: attr_utf8(&mut r, "who")?,
            });
        }
        r.finish()?;
        Ok(Self { acl_flags, aces })
    }

    /// The raw attribute bytes for `version` (v6 writes `acl-flags`, 0 when unset).
    pub fn encode(&self, version: Version) -> Vec<u8> {
        let mut out = Vec::new();
        let mut w = Writer::new(&mut out);
        if version == Version::V6 {
            w.u32(self.acl_flags.unwrap_or(0));
        }
        let n = self.aces.len().min(MAX_ACES);
        w.u32(u32::try_from(n).unwrap_or(0));
        for ace in self.aces.iter().take(n) {
            w.u32(ace.ace_type)
                .u32(ace.ace_flag)
                .u32(ace.ace_mask)
                .string(ace.who.as_bytes());
        }
        out
    }
}
