//! The seed's 99 properties: `p()` getters, `set_p(v)` setters where writable (refused
//! with the seed's codes while connected where it says so), indexed `dir_list_*(i)`.

use sftp_proto::FileAttributes;

use super::{SftpClient, invalid};
use crate::error::{Error, ErrorKind, Result};

/// What a certificate / key group (`ssh_cert_*`, `ssh_accept_server_host_key_*`) shows.
/// For SSH keys the X.509-only fields stay empty; OpenSSH certificates fill the dates,
/// serial number, subject (key id) and issuer (CA fingerprint).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CertInfo {
    pub effective_date: String,
    pub expiration_date: String,
    pub extended_key_usage: String,
    pub fingerprint: String,
    pub fingerprint_sha1: String,
    pub fingerprint_sha256: String,
    pub issuer: String,
    pub private_key: String,
    pub private_key_available: bool,
    pub private_key_container: String,
    pub public_key: String,
    pub public_key_algorithm: String,
    pub public_key_length: i32,
    pub serial_number: String,
    pub signature_algorithm: String,
    pub subject_alt_names: String,
    pub thumbprint_md5: String,
    pub thumbprint_sha1: String,
    pub thumbprint_sha256: String,
    pub usage: String,
    pub usage_flags: i32,
    pub version: String,
    pub subject: String,
    pub encoded: Vec<u8>,
}

/// A certificate store selection (`*_store`, `*_store_password`, `*_store_type`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Store {
    pub store: Vec<u8>,
    pub password: String,
    pub store_type: i32,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            store: b"MY".to_vec(),
            password: String::new(),
            store_type: 0,
        }
    }
}

/// The `file_*` properties.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FileProps {
    pub access_time: i64,
    pub acl: String,
    pub allocation_size: i64,
    pub attribute_bits: i32,
    pub attribute_bits_valid: i32,
    pub creation_time: i64,
    pub file_type: i32,
    pub group_id: String,
    pub is_dir: bool,
    pub is_symlink: bool,
    pub modified_time: i64,
    pub owner_id: String,
    pub permissions: i32,
    pub size: i64,
}

impl FileProps {
    /// Fills the properties from attributes the server sent.
    pub(crate) fn from_attrs(a: &FileAttributes) -> Self {
        let ms = |t: Option<sftp_proto::FileTime>| {
            t.map_or(0, |t| {
                t.seconds
                    .saturating_mul(1000)
                    .saturating_add(i64::from(t.nanoseconds.unwrap_or(0) / 1_000_000))
            })
        };
        let kind = a.kind();
        let (owner, group) = match (&a.owner_group, a.uid_gid) {
            (Some((o, g)), _) => (o.clone(), g.clone()),
            (None, Some((u, g))) => (u.to_string(), g.to_string()),
            (None, None) => (String::new(), String::new()),
        };
        Self {
            access_time: ms(a.atime),
            acl: a
                .acl
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default(),
            allocation_size: a
                .allocation_size
                .map_or(0, |v| i64::try_from(v).unwrap_or(i64::MAX)),
            attribute_bits: a.attrib_bits.map_or(0, |v| v as i32),
            attribute_bits_valid: a.attrib_bits_valid.map_or(0, |v| v as i32),
            creation_time: ms(a.createtime),
            file_type: kind.map_or(0, |k| i32::from(k.0)),
            group_id: group,
            is_dir: a.is_dir(),
            is_symlink: a.is_symlink(),
            modified_time: ms(a.mtime),
            owner_id: owner,
            permissions: a.permissions.map_or(0, |p| p as i32),
            size: a.size.map_or(0, |v| i64::try_from(v).unwrap_or(i64::MAX)),
        }
    }
}

/// The attributes of one listed entry, for the seed's `Attr*` queries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EntryAttrs {
    pub attrs: FileAttributes,
}

impl EntryAttrs {
    /// AttrAccessTime, AttrCreationTime, AttrFileType, AttrGroupId, AttrLinkCount,
    /// AttrOwnerId, AttrPermission (times in milliseconds since 1970, as file_*_time).
    pub(crate) fn query(&self, name: &str) -> Option<String> {
        let p = FileProps::from_attrs(&self.attrs);
        Some(match name.to_ascii_lowercase().as_str() {
            "attraccesstime" => p.access_time.to_string(),
            "attrcreationtime" => p.creation_time.to_string(),
            "attrfiletype" => p.file_type.to_string(),
            "attrgroupid" => p.group_id,
            "attrlinkcount" => self
                .attrs
                .link_count
                .map(|c| c.to_string())
                .unwrap_or_default(),
            "attrownerid" => p.owner_id,
            "attrpermission" => format!("{:o}", p.permissions),
            _ => return None,
        })
    }
}

/// One listed entry as the `dir_list_*` properties show it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct DirRecord {
    pub entry: String,
    pub file_name: String,
    pub file_size: i64,
    pub file_time: String,
    pub is_dir: bool,
    pub is_symlink: bool,
    pub attrs: EntryAttrs,
}

/// Plain property storage.
#[derive(Clone, Debug)]
pub(crate) struct Props {
    pub firewall_auto_detect: bool,
    pub firewall_type: i32,
    pub firewall_host: String,
    pub firewall_password: String,
    pub firewall_port: u16,
    pub firewall_user: String,
    pub local_file: String,
    pub local_host: String,
    pub local_port: u16,
    pub overwrite: bool,
    pub remote_file: String,
    pub remote_path: String,
    pub ssh_auth_mode: i32,
    pub ssh_compression_algorithms: String,
    pub ssh_encryption_algorithms: String,
    pub ssh_host: String,
    pub ssh_password: String,
    pub ssh_port: u16,
    pub ssh_user: String,
    pub start_byte: i64,
    pub timeout: i64,
}

/// The seed's default ssh_encryption_algorithms, restricted to what the transport
/// implements is decided at connect time (unknown names are skipped there).
pub(crate) const DEFAULT_ENCRYPTION: &str = "aes256-ctr,aes192-ctr,aes128-ctr,3des-ctr,arcfour256,arcfour128,arcfour,aes256-gcm@openssh.com,aes128-gcm@openssh.com,chacha20-poly1305@openssh.com";
/// The seed's default ssh_compression_algorithms.
pub(crate) const DEFAULT_COMPRESSION: &str = "none,zlib";

impl Default for Props {
    fn default() -> Self {
        Self {
            firewall_auto_detect: false,
            firewall_type: 0,
            firewall_host: String::new(),
            firewall_password: String::new(),
            firewall_port: 0,
            firewall_user: String::new(),
            local_file: String::new(),
            local_host: String::new(),
            local_port: 0,
            overwrite: false,
            remote_file: String::new(),
            remote_path: String::new(),
            ssh_auth_mode: 2,
            ssh_compression_algorithms: DEFAULT_COMPRESSION.to_owned(),
            ssh_encryption_algorithms: DEFAULT_ENCRYPTION.to_owned(),
            ssh_host: String::new(),
            ssh_password: String::new(),
            ssh_port: 22,
            ssh_user: String::new(),
            start_byte: 0,
            timeout: 60,
        }
    }
}

macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident : $ty:ty = |$s:ident| $body:expr;)*) => {
        impl SftpClient {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> $ty {
                    let $s = self;
                    $body
                }
            )*
        }
    };
}

getters! {
    /// Whether an SSH session is in place.
    connected: bool = |s| s.session.is_some();
    /// Records in the dir_list_* arrays.
    dir_list_count: i32 = |s| i32::try_from(s.dir_list.len()).unwrap_or(i32::MAX);
    /// Last access time of the queried file, ms since 1970.
    file_access_time: i64 = |s| s.file.access_time;
    /// ACL of the queried file (v4+).
    file_acl: String = |s| s.file.acl.clone();
    /// Bytes the queried file occupies on disk (v6).
    file_allocation_size: i64 = |s| s.file.allocation_size;
    /// SSH_FILEXFER_ATTR_FLAGS_* bits (v5+).
    file_attribute_bits: i32 = |s| s.file.attribute_bits;
    /// Which of file_attribute_bits are valid (v6).
    file_attribute_bits_valid: i32 = |s| s.file.attribute_bits_valid;
    /// Creation time, ms since 1970 (v4+).
    file_creation_time: i64 = |s| s.file.creation_time;
    /// The file type (1 regular ... 9 FIFO; 0 unknown).
    file_type: i32 = |s| s.file.file_type;
    /// Group (name at v4+, numeric id at v3).
    file_group_id: String = |s| s.file.group_id.clone();
    /// Whether the queried file is a directory.
    file_is_dir: bool = |s| s.file.is_dir;
    /// Whether the queried file is a symbolic link (with GetSymlinkAttrs=True).
    file_is_symlink: bool = |s| s.file.is_symlink;
    /// Modification time, ms since 1970.
    file_modified_time: i64 = |s| s.file.modified_time;
    /// Owner (name at v4+, numeric id at v3).
    file_owner_id: String = |s| s.file.owner_id.clone();
    /// POSIX permission bits (with the type bits), e.g. 33188 for 0o100644.
    file_permissions: i32 = |s| s.file.permissions;
    /// file_permissions in octal, e.g. "100644".
    file_permissions_octal: String = |s| format!("{:o}", s.file.permissions);
    /// Size in bytes.
    file_size: i64 = |s| s.file.size;
    /// Whether the proxy comes from the environment (ALL_PROXY / HTTPS_PROXY / ...).
    firewall_auto_detect: bool = |s| s.props.firewall_auto_detect;
    /// 0 none, 1 HTTP CONNECT tunnel, 2 SOCKS4, 3 SOCKS5, 10 SOCKS4A.
    firewall_type: i32 = |s| s.props.firewall_type;
    /// The proxy host.
    firewall_host: String = |s| s.props.firewall_host.clone();
    /// The proxy password.
    firewall_password: String = |s| s.props.firewall_password.clone();
    /// The proxy port.
    firewall_port: u16 = |s| s.props.firewall_port;
    /// The proxy user.
    firewall_user: String = |s| s.props.firewall_user.clone();
    /// False while a method runs.
    idle: bool = |s| !s.busy;
    /// The local file of upload/download ("" = data through on_transfer).
    local_file: String = |s| s.props.local_file.clone();
    /// The local interface to bind; while connected, the address in use.
    local_host: String = |s| s.props.local_host.clone();
    /// The local port to bind (0: any).
    local_port: u16 = |s| s.props.local_port;
    /// Whether transfers replace existing files.
    overwrite: bool = |s| s.props.overwrite;
    /// The remote file (absolute or relative to remote_path; a mask for list_directory).
    remote_file: String = |s| s.props.remote_file.clone();
    /// The current remote directory.
    remote_path: String = |s| s.props.remote_path.clone();
    /// ssh_auth_mode: 0 none, 1 multi-factor, 2 password, 3 public key,
    /// 4 keyboard-interactive, 5/6 GSSAPI (not supported here), 99 custom.
    ssh_auth_mode: i32 = |s| s.props.ssh_auth_mode;
    /// Allowed compression algorithms, in order.
    ssh_compression_algorithms: String = |s| s.props.ssh_compression_algorithms.clone();
    /// Allowed encryption algorithms, in order.
    ssh_encryption_algorithms: String = |s| s.props.ssh_encryption_algorithms.clone();
    /// The SSH server.
    ssh_host: String = |s| s.props.ssh_host.clone();
    /// The password.
    ssh_password: String = |s| s.props.ssh_password.clone();
    /// The SSH port.
    ssh_port: u16 = |s| s.props.ssh_port;
    /// The user.
    ssh_user: String = |s| s.props.ssh_user.clone();
    /// Where the next transfer starts (resume); reset to 0 after success.
    start_byte: i64 = |s| s.props.start_byte;
    /// Inactivity timeout in seconds (0: none).
    timeout: i64 = |s| s.props.timeout;
    /// Client key store.
    ssh_cert_store: Vec<u8> = |s| s.cert_store.store.clone();
    /// Client key store password.
    ssh_cert_store_password: String = |s| s.cert_store.password.clone();
    /// Client key store type (6/7 PEM key, 8/9 public key, 10/13 SSH public key,
    /// 14/15 PPK, 99 auto; others are not supported here).
    ssh_cert_store_type: i32 = |s| s.cert_store.store_type;
    /// Accepted host key store.
    ssh_accept_server_host_key_store: Vec<u8> = |s| s.accept_store.store.clone();
    /// Accepted host key store password.
    ssh_accept_server_host_key_store_password: String = |s| s.accept_store.password.clone();
    /// Accepted host key store type.
    ssh_accept_server_host_key_store_type: i32 = |s| s.accept_store.store_type;
}

macro_rules! cert_getters {
    ($group:ident; $($(#[$doc:meta])* $name:ident : $ty:ty = $field:ident;)*) => {
        impl SftpClient {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> $ty {
                    self.$group.$field.clone()
                }
            )*
        }
    };
}

cert_getters! { cert;
    /// Client key: certificate start of validity ("" for plain keys).
    ssh_cert_effective_date: String = effective_date;
    /// Client key: certificate end of validity.
    ssh_cert_expiration_date: String = expiration_date;
    /// Client key: X.509 extended key usage (always "" for SSH keys).
    ssh_cert_extended_key_usage: String = extended_key_usage;
    /// Client key: MD5 fingerprint, colon-separated hex.
    ssh_cert_fingerprint: String = fingerprint;
    /// Client key: SHA-1 fingerprint, colon-separated hex.
    ssh_cert_fingerprint_sha1: String = fingerprint_sha1;
    /// Client key: SHA-256 fingerprint, colon-separated hex.
    ssh_cert_fingerprint_sha256: String = fingerprint_sha256;
    /// Client key: certificate issuer (CA key fingerprint).
    ssh_cert_issuer: String = issuer;
    /// Client key: the private key (never exported here: "").
    ssh_cert_private_key: String = private_key;
    /// Client key: whether a private key was loaded.
    ssh_cert_private_key_available: bool = private_key_available;
    /// Client key: key container (Windows only: "").
    ssh_cert_private_key_container: String = private_key_container;
    /// Client key: the public key (`type base64`).
    ssh_cert_public_key: String = public_key;
    /// Client key: key algorithm (`ssh-ed25519`, `ssh-rsa`, ...).
    ssh_cert_public_key_algorithm: String = public_key_algorithm;
    /// Client key: key length in bits.
    ssh_cert_public_key_length: i32 = public_key_length;
    /// Client key: certificate serial number (hex).
    ssh_cert_serial_number: String = serial_number;
    /// Client key: signature algorithm.
    ssh_cert_signature_algorithm: String = signature_algorithm;
    /// Client key: X.509 alternative names (always "").
    ssh_cert_subject_alt_names: String = subject_alt_names;
    /// Client key: MD5 of the key blob.
    ssh_cert_thumbprint_md5: String = thumbprint_md5;
    /// Client key: SHA-1 of the key blob.
    ssh_cert_thumbprint_sha1: String = thumbprint_sha1;
    /// Client key: SHA-256 of the key blob.
    ssh_cert_thumbprint_sha256: String = thumbprint_sha256;
    /// Client key: X.509 key usage text (always "").
    ssh_cert_usage: String = usage;
    /// Client key: X.509 key usage flags (always 0).
    ssh_cert_usage_flags: i32 = usage_flags;
    /// Client key: certificate version ("" for plain keys).
    ssh_cert_version: String = version;
    /// Client key: the subject (the key's comment, or a certificate's key id).
    ssh_cert_subject: String = subject;
    /// Client key: the public key blob (SSH wire format).
    ssh_cert_encoded: Vec<u8> = encoded;
}

cert_getters! { accept;
    /// Accepted host key: certificate start of validity.
    ssh_accept_server_host_key_effective_date: String = effective_date;
    /// Accepted host key: certificate end of validity.
    ssh_accept_server_host_key_expiration_date: String = expiration_date;
    /// Accepted host key: X.509 extended key usage (always "").
    ssh_accept_server_host_key_extended_key_usage: String = extended_key_usage;
    /// Accepted host key: MD5 fingerprint, colon-separated hex.
    ssh_accept_server_host_key_fingerprint: String = fingerprint;
    /// Accepted host key: SHA-1 fingerprint.
    ssh_accept_server_host_key_fingerprint_sha1: String = fingerprint_sha1;
    /// Accepted host key: SHA-256 fingerprint.
    ssh_accept_server_host_key_fingerprint_sha256: String = fingerprint_sha256;
    /// Accepted host key: certificate issuer.
    ssh_accept_server_host_key_issuer: String = issuer;
    /// Accepted host key: private key (never available: "").
    ssh_accept_server_host_key_private_key: String = private_key;
    /// Accepted host key: whether a private key is available (false).
    ssh_accept_server_host_key_private_key_available: bool = private_key_available;
    /// Accepted host key: key container (Windows only: "").
    ssh_accept_server_host_key_private_key_container: String = private_key_container;
    /// Accepted host key: the public key (`type base64`).
    ssh_accept_server_host_key_public_key: String = public_key;
    /// Accepted host key: key algorithm.
    ssh_accept_server_host_key_public_key_algorithm: String = public_key_algorithm;
    /// Accepted host key: key length in bits.
    ssh_accept_server_host_key_public_key_length: i32 = public_key_length;
    /// Accepted host key: certificate serial number.
    ssh_accept_server_host_key_serial_number: String = serial_number;
    /// Accepted host key: signature algorithm.
    ssh_accept_server_host_key_signature_algorithm: String = signature_algorithm;
    /// Accepted host key: X.509 alternative names (always "").
    ssh_accept_server_host_key_subject_alt_names: String = subject_alt_names;
    /// Accepted host key: MD5 of the key blob.
    ssh_accept_server_host_key_thumbprint_md5: String = thumbprint_md5;
    /// Accepted host key: SHA-1 of the key blob.
    ssh_accept_server_host_key_thumbprint_sha1: String = thumbprint_sha1;
    /// Accepted host key: SHA-256 of the key blob.
    ssh_accept_server_host_key_thumbprint_sha256: String = thumbprint_sha256;
    /// Accepted host key: X.509 key usage text (always "").
    ssh_accept_server_host_key_usage: String = usage;
    /// Accepted host key: X.509 key usage flags (always 0).
    ssh_accept_server_host_key_usage_flags: i32 = usage_flags;
    /// Accepted host key: certificate version.
    ssh_accept_server_host_key_version: String = version;
    /// Accepted host key: subject (comment or key id).
    ssh_accept_server_host_key_subject: String = subject;
    /// Accepted host key: the key blob (SSH wire format).
    ssh_accept_server_host_key_encoded: Vec<u8> = encoded;
}

impl SftpClient {
    fn record(&self, i: i32) -> Option<&DirRecord> {
        usize::try_from(i).ok().and_then(|i| self.dir_list.get(i))
    }

    /// Raw entry `i` of the last listing ("" out of range).
    pub fn dir_list_entry(&self, i: i32) -> String {
        self.record(i).map(|r| r.entry.clone()).unwrap_or_default()
    }

    /// Name of entry `i`.
    pub fn dir_list_file_name(&self, i: i32) -> String {
        self.record(i)
            .map(|r| r.file_name.clone())
            .unwrap_or_default()
    }

    /// Size of entry `i`.
    pub fn dir_list_file_size(&self, i: i32) -> i64 {
        self.record(i).map_or(0, |r| r.file_size)
    }

    /// Time of entry `i`, formatted per FiletimeFormat.
    pub fn dir_list_file_time(&self, i: i32) -> String {
        self.record(i)
            .map(|r| r.file_time.clone())
            .unwrap_or_default()
    }

    /// Whether entry `i` is a directory (false for links).
    pub fn dir_list_is_dir(&self, i: i32) -> bool {
        self.record(i).is_some_and(|r| r.is_dir)
    }

    /// Whether entry `i` is a symbolic link.
    pub fn dir_list_is_symlink(&self, i: i32) -> bool {
        self.record(i).is_some_and(|r| r.is_symlink)
    }

    /// Sets file_acl (sent by update_file_attributes at v4+).
    pub fn set_file_acl(&mut self, value: &str) -> Result<()> {
        self.file.acl = value.to_owned();
        Ok(())
    }

    /// Sets file_access_time (ms since 1970).
    pub fn set_file_access_time(&mut self, value: i64) -> Result<()> {
        self.file.access_time = value;
        Ok(())
    }

    /// Sets file_creation_time (ms since 1970; sent at v4+).
    pub fn set_file_creation_time(&mut self, value: i64) -> Result<()> {
        self.file.creation_time = value;
        Ok(())
    }

    /// Sets file_group_id (a name at v4+, a number at v3).
    pub fn set_file_group_id(&mut self, value: &str) -> Result<()> {
        self.file.group_id = value.to_owned();
        Ok(())
    }

    /// Sets file_modified_time (ms since 1970).
    pub fn set_file_modified_time(&mut self, value: i64) -> Result<()> {
        self.file.modified_time = value;
        Ok(())
    }

    /// Sets file_owner_id (a name at v4+, a number at v3).
    pub fn set_file_owner_id(&mut self, value: &str) -> Result<()> {
        self.file.owner_id = value.to_owned();
        Ok(())
    }

    /// Sets file_permissions.
    pub fn set_file_permissions(&mut self, value: i32) -> Result<()> {
        self.file.permissions = value;
        Ok(())
    }

    /// Sets file_permissions from octal text ("100644", "755").
    pub fn set_file_permissions_octal(&mut self, value: &str) -> Result<()> {
        let v = i32::from_str_radix(value.trim(), 8)
            .map_err(|_| invalid(format!("{value:?} is not an octal number")))?;
        self.file.permissions = v;
        Ok(())
    }

    /// Sets firewall_auto_detect.
    pub fn set_firewall_auto_detect(&mut self, value: bool) -> Result<()> {
        self.props.firewall_auto_detect = value;
        Ok(())
    }

    /// Sets firewall_type (0, 1, 2, 3, 10); also sets firewall_port to the type's default
    /// (80 for the tunnel, 1080 for SOCKS).
    pub fn set_firewall_type(&mut self, value: i32) -> Result<()> {
        let port = match value {
            0 => 0,
            1 => 80,
            2 | 3 | 10 => 1080,
            _ => {
                return Err(invalid(format!(
                    "firewall_type {value} is not 0, 1, 2, 3 or 10"
                )));
            }
        };
        self.props.firewall_type = value;
        self.props.firewall_port = port;
        Ok(())
    }

    /// Sets firewall_host.
    pub fn set_firewall_host(&mut self, value: &str) -> Result<()> {
        self.props.firewall_host = value.to_owned();
        Ok(())
    }

    /// Sets firewall_password.
    pub fn set_firewall_password(&mut self, value: &str) -> Result<()> {
        self.props.firewall_password = value.to_owned();
        Ok(())
    }

    /// Sets firewall_port.
    pub fn set_firewall_port(&mut self, value: u16) -> Result<()> {
        self.props.firewall_port = value;
        Ok(())
    }

    /// Sets firewall_user.
    pub fn set_firewall_user(&mut self, value: &str) -> Result<()> {
        self.props.firewall_user = value.to_owned();
        Ok(())
    }

    /// Sets local_file.
    pub fn set_local_file(&mut self, value: &str) -> Result<()> {
        self.props.local_file = value.to_owned();
        Ok(())
    }

    /// Sets local_host (refused with 107 while connected).
    pub fn set_local_host(&mut self, value: &str) -> Result<()> {
        if self.session.is_some() {
            return Err(busy(
                107,
                "You cannot change the local_host at this time. A connection is in progress.",
            ));
        }
        self.props.local_host = value.to_owned();
        Ok(())
    }

    /// Sets local_port (refused with 106 while connected).
    pub fn set_local_port(&mut self, value: u16) -> Result<()> {
        if self.session.is_some() {
            return Err(busy(
                106,
                "You cannot change the local_port at this time. A connection is in progress.",
            ));
        }
        self.props.local_port = value;
        Ok(())
    }

    /// Sets overwrite.
    pub fn set_overwrite(&mut self, value: bool) -> Result<()> {
        self.props.overwrite = value;
        Ok(())
    }

    /// Sets remote_file.
    pub fn set_remote_file(&mut self, value: &str) -> Result<()> {
        self.props.remote_file = value.to_owned();
        Ok(())
    }

    /// Sets ssh_auth_mode (0–6, 99).
    pub fn set_ssh_auth_mode(&mut self, value: i32) -> Result<()> {
        if ssh_auth::AuthMode::from_seed(i64::from(value)).is_none() {
            return Err(invalid(format!("ssh_auth_mode {value} is not 0-6 or 99")));
        }
        self.props.ssh_auth_mode = value;
        Ok(())
    }

    /// Sets ssh_compression_algorithms.
    pub fn set_ssh_compression_algorithms(&mut self, value: &str) -> Result<()> {
        self.props.ssh_compression_algorithms = value.to_owned();
        Ok(())
    }

    /// Sets ssh_encryption_algorithms.
    pub fn set_ssh_encryption_algorithms(&mut self, value: &str) -> Result<()> {
        self.props.ssh_encryption_algorithms = value.to_owned();
        Ok(())
    }

    /// Sets ssh_host (refused with 101 while connected).
    pub fn set_ssh_host(&mut self, value: &str) -> Result<()> {
        if self.session.is_some() {
            return Err(busy(
                101,
                "You cannot change the remote_host (Server) at this time. A connection is in progress.",
            ));
        }
        self.props.ssh_host = value.to_owned();
        Ok(())
    }

    /// Sets ssh_password.
    pub fn set_ssh_password(&mut self, value: &str) -> Result<()> {
        self.props.ssh_password = value.to_owned();
        Ok(())
    }

    /// Sets ssh_port (refused with 100 while connected, 116 for 0).
    pub fn set_ssh_port(&mut self, value: u16) -> Result<()> {
        if self.session.is_some() {
            return Err(busy(
                100,
                "You cannot change the remote_port at this time. A connection is in progress.",
            ));
        }
        if value == 0 {
            return Err(Error::new(
                ErrorKind::InvalidState,
                116,
                "remote_port cannot be zero. Please specify a valid service port number.",
            ));
        }
        self.props.ssh_port = value;
        Ok(())
    }

    /// Sets ssh_user.
    pub fn set_ssh_user(&mut self, value: &str) -> Result<()> {
        self.props.ssh_user = value.to_owned();
        Ok(())
    }

    /// Sets start_byte (must not be negative).
    pub fn set_start_byte(&mut self, value: i64) -> Result<()> {
        if value < 0 {
            return Err(invalid("start_byte cannot be negative"));
        }
        self.props.start_byte = value;
        Ok(())
    }

    /// Sets timeout in seconds (0: none).
    pub fn set_timeout(&mut self, value: i64) -> Result<()> {
        if value < 0 {
            return Err(invalid("timeout cannot be negative"));
        }
        self.props.timeout = value;
        Ok(())
    }

    /// Sets ssh_cert_store (a file name or the key data itself, per the store type).
    pub fn set_ssh_cert_store(&mut self, value: impl Into<Vec<u8>>) -> Result<()> {
        self.cert_store.store = value.into();
        Ok(())
    }

    /// Sets ssh_cert_store_password.
    pub fn set_ssh_cert_store_password(&mut self, value: &str) -> Result<()> {
        self.cert_store.password = value.to_owned();
        Ok(())
    }

    /// Sets ssh_cert_store_type.
    pub fn set_ssh_cert_store_type(&mut self, value: i32) -> Result<()> {
        self.cert_store.store_type = value;
        Ok(())
    }

    /// Sets ssh_cert_subject: loads the key from the store ("*": the key in the store).
    /// Set it last, after the store properties.
    pub fn set_ssh_cert_subject(&mut self, value: &str) -> Result<()> {
        if value.is_empty() {
            self.cert = CertInfo::default();
            self.client_key = None;
            return Ok(());
        }
        let (info, key) = super::certs::load_store(&self.cert_store, value)?;
        self.cert = info;
        self.client_key = key;
        Ok(())
    }

    /// Sets ssh_cert_encoded: an SSH public key (blob, base64 or `type base64` line) whose
    /// private key must then come from the store; or a private key in any format.
    pub fn set_ssh_cert_encoded(&mut self, value: impl AsRef<[u8]>) -> Result<()> {
        let (info, key) = super::certs::load_encoded(value.as_ref(), &self.cert_store.password)?;
        self.cert = info;
        self.client_key = key;
        Ok(())
    }

    /// Sets ssh_accept_server_host_key_store.
    pub fn set_ssh_accept_server_host_key_store(
        &mut self,
        value: impl Into<Vec<u8>>,
    ) -> Result<()> {
        self.accept_store.store = value.into();
        Ok(())
    }

    /// Sets ssh_accept_server_host_key_store_password.
    pub fn set_ssh_accept_server_host_key_store_password(&mut self, value: &str) -> Result<()> {
        self.accept_store.password = value.to_owned();
        Ok(())
    }

    /// Sets ssh_accept_server_host_key_store_type.
    pub fn set_ssh_accept_server_host_key_store_type(&mut self, value: i32) -> Result<()> {
        self.accept_store.store_type = value;
        Ok(())
    }

    /// Sets ssh_accept_server_host_key_subject: loads the accepted host key from the store.
    pub fn set_ssh_accept_server_host_key_subject(&mut self, value: &str) -> Result<()> {
        if value.is_empty() {
            self.accept = CertInfo::default();
            return Ok(());
        }
        let (mut info, _) = super::certs::load_store(&self.accept_store, value)?;
        info.private_key_available = false;
        self.accept = info;
        Ok(())
    }

    /// Sets ssh_accept_server_host_key_encoded: the host key to accept (SSH blob, base64,
    /// or a `type base64` line). Empty clears it.
    pub fn set_ssh_accept_server_host_key_encoded(
        &mut self,
        value: impl AsRef<[u8]>,
    ) -> Result<()> {
        let value = value.as_ref();
        if value.is_empty() {
            self.accept = CertInfo::default();
            return Ok(());
        }
        let (mut info, _) = super::certs::load_encoded(value, "")?;
        info.private_key_available = false;
        self.accept = info;
        Ok(())
    }
}

fn busy(code: i32, text: &str) -> Error {
    Error::new(ErrorKind::InvalidState, code, text)
}
