//! `config("Name=Value")` / `config("Name")`: every setting of the inventory, matched
//! case-insensitively (so `SSHAcceptServerHostKeyFingerprint` and `FileTimeFormat`, the
//! spellings the seed's examples use, work too), with the seed's boolean spellings.

use std::collections::HashMap;

use super::{SftpClient, certs, events, invalid};
use crate::error::Result;

/// What a setting holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// True/False (also 1/0, Yes/No, case-insensitive).
    Bool,
    /// An integer (decimal, or hex with `0x`).
    Int,
    /// Text.
    Str,
    /// Read-only: computed when queried.
    Query,
    /// An action run by setting it (`Name=Value`) or querying it (`Name`).
    Action,
}

/// One setting: canonical name, kind, default.
pub(crate) struct Setting {
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
}

macro_rules! settings {
    ($($name:literal $kind:ident $default:literal,)*) => {
        /// Every setting of the inventory.
        pub(crate) const SETTINGS: &[Setting] = &[
            $(Setting { name: $name, kind: Kind::$kind, default: $default },)*
        ];
    };
}

settings! {
    // SFTPClient settings.
    "AllowBackslashInName" Bool "False",
    "AsyncTransfer" Bool "True",
    "AttrAccessTime" Query "",
    "AttrCreationTime" Query "",
    "AttrFileType" Query "",
    "AttrGroupId" Query "",
    "AttrLinkCount" Query "",
    "AttrOwnerId" Query "",
    "AttrPermission" Query "",
    "CheckFileHash" Action "",
    "CopyRemoteData" Action "",
    "CopyRemoteFile" Action "",
    "DisableRealPath" Bool "False",
    "ExcludeFileMask" Str "",
    "FileMaskDelimiter" Str "",
    "FiletimeFormat" Str "",
    "FreeSpace" Query "",
    "GetSpaceInfo" Action "",
    "GetSymlinkAttrs" Bool "False",
    "IgnoreFileMaskCasing" Bool "False",
    "LocalEOL" Str "\n",
    "LogSFTPFileData" Bool "False",
    "MaskSensitiveData" Bool "True",
    "MaxFileData" Int "32768",
    "MaxOutstandingPackets" Int "64",
    "NegotiatedProtocolVersion" Query "",
    "NormalizeRemotePath" Bool "True",
    "PreserveFileTime" Bool "False",
    "ProtocolVersion" Int "6",
    "ReadLink" Action "",
    "RealTimeUpload" Bool "False",
    "RealTimeUploadAgeLimit" Int "1",
    "ServerEOL" Str "\n",
    "SimultaneousTransferLimit" Int "5",
    "TotalSpace" Query "",
    "TransferMode" Int "0",
    "TransferredDataLimit" Int "0",
    "UseFxpStat" Bool "True",
    "UseServerFileTime" Bool "True",
    // SSHClient settings.
    "ChannelDataEOL" Str "",
    "ChannelDataEOLFound" Query "",
    "ClientSSHVersionString" Str "",
    "DoNotRepeatAuthMethods" Bool "False",
    "EnablePageantAuth" Int "0",
    "KerberosDelegation" Bool "False",
    "KerberosRealm" Str "",
    "KerberosSPN" Str "",
    "KeyRenegotiationThreshold" Int "0",
    "LogLevel" Int "1",
    "MaxChannelDataLength" Int "0",
    "MaxPacketSize" Int "0",
    "MaxWindowSize" Int "0",
    "NegotiatedStrictKex" Query "",
    "PasswordPrompt" Str "",
    "PreferredDHGroupBits" Int "0",
    "RecordLength" Int "0",
    "ServerSSHVersionString" Query "",
    "SignedSSHCert" Str "",
    "SSHAcceptAnyServerHostKey" Bool "False",
    "SSHAcceptServerCAKey" Str "",
    "SSHAcceptServerHostKeyFingerPrint" Str "",
    "SSHFingerprintHashAlgorithm" Str "SHA256",
    "SSHFingerprintMD5" Query "",
    "SSHFingerprintSHA1" Query "",
    "SSHFingerprintSHA256" Query "",
    "SSHKeepAliveCountMax" Int "3",
    "SSHKeepAliveInterval" Int "0",
    "SSHKeyExchangeAlgorithms" Str "",
    "SSHKeyRenegotiate" Action "",
    "SSHMacAlgorithms" Str "",
    "SSHPubKeyAuthSigAlgorithms" Str "",
    "SSHPublicKeyAlgorithms" Str "",
    "SSHVersionPattern" Str "*SSH-1.99-*,*SSH-2.0-*,*SSH-2.99-*",
    "TryAllAvailableAuthMethods" Bool "False",
    "UseStrictKeyExchange" Int "1",
    "WaitForChannelClose" Bool "True",
    "WaitForServerDisconnect" Bool "False",
    // Base settings.
    "BuildInfo" Query "",
    "CodePage" Int "65001",
    "LicenseInfo" Query "",
    "ProcessIdleEvents" Bool "False",
    "SelectWaitMillis" Int "20",
    "UseFIPSCompliantAPI" Bool "False",
    "UseInternalSecurityAPI" Bool "True",
}

/// The stored values of the settings that hold one, keyed by canonical name.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    values: HashMap<&'static str, String>,
}

impl Default for Settings {
    fn default() -> Self {
        let mut values: HashMap<&'static str, String> = SETTINGS
            .iter()
            .filter(|s| matches!(s.kind, Kind::Bool | Kind::Int | Kind::Str))
            .map(|s| (s.name, s.default.to_owned()))
            .collect();
        let t = ssh_transport::TransportConfig::default();
        values.insert("ClientSSHVersionString", t.client_version.clone());
        values.insert("SSHKeyExchangeAlgorithms", t.kex_algorithms.join(","));
        values.insert("SSHMacAlgorithms", t.macs.join(","));
        values.insert("SSHPublicKeyAlgorithms", t.host_key_algorithms.join(","));
        values.insert(
            "PreferredDHGroupBits",
            t.preferred_dh_group_bits.to_string(),
        );
        let sftp = crate::SftpConfig::default();
        values.insert(
            "ProtocolVersion",
            sftp.protocol_version.number().to_string(),
        );
        values.insert("MaxOutstandingPackets", sftp.max_outstanding.to_string());
        Self { values }
    }
}

impl Settings {
    /// The stored text of `name` (canonical).
    pub(crate) fn text(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    /// A boolean setting.
    pub(crate) fn flag(&self, name: &str) -> bool {
        parse_bool(self.text(name)).unwrap_or(false)
    }

    /// An integer setting.
    pub(crate) fn int(&self, name: &str) -> i64 {
        parse_int(self.text(name)).unwrap_or(0)
    }
}

/// The seed's boolean spellings: True/False, 1/0, Yes/No, any case.
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// Decimal, or hexadecimal with `0x`.
pub(crate) fn parse_int(v: &str) -> Option<i64> {
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// A LocalEOL/ServerEOL value: the seed quotes it; the characters themselves, the words
/// Cr/Lf/CrLf, or `\r`/`\n` escapes are all accepted.
fn parse_eol(v: &str) -> Option<String> {
    let v = v
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v);
    let word = v.to_ascii_lowercase();
    let out = match word.as_str() {
        "cr" => "\r".to_owned(),
        "lf" => "\n".to_owned(),
        "crlf" => "\r\n".to_owned(),
        _ => v.replace("\\r", "\r").replace("\\n", "\n"),
    };
    (!out.is_empty() && out.chars().all(|c| c == '\r' || c == '\n')).then_some(out)
}

fn find(name: &str) -> Option<&'static Setting> {
    // Indexed SSHClient settings (`ChannelDataEOL[0]`) share one value.
    let base = name.split('[').next().unwrap_or(name).trim();
    SETTINGS.iter().find(|s| s.name.eq_ignore_ascii_case(base))
}

impl SftpClient {
    /// Sets (`"Name=Value"`) or queries (`"Name"`) a configuration setting; the value is
    /// returned as text (for a set: the value now in force, or the action's result).
    pub fn config(&mut self, configuration_string: &str) -> Result<String> {
        let (name, value) = match configuration_string.split_once('=') {
            Some((n, v)) => (n.trim(), Some(v)),
            None => (configuration_string.trim(), None),
        };
        let Some(setting) = find(name) else {
            return Err(invalid(format!("unknown configuration setting {name:?}")));
        };
        match value {
            None => self.query_setting(setting),
            Some(v) => self.set_setting(setting, v),
        }
    }

    fn query_setting(&mut self, s: &'static Setting) -> Result<String> {
        match s.kind {
            Kind::Bool | Kind::Int | Kind::Str => Ok(self.cfg.text(s.name).to_owned()),
            Kind::Action => self.run_action(s.name, None),
            Kind::Query => self.computed(s.name),
        }
    }

    fn set_setting(&mut self, s: &'static Setting, v: &str) -> Result<String> {
        let stored = match s.kind {
            Kind::Bool => {
                let b = parse_bool(v).ok_or_else(|| {
                    invalid(format!("{}: {v:?} is not True/False/Yes/No/1/0", s.name))
                })?;
                if b && s.name == "UseFIPSCompliantAPI" {
                    return Err(certs::not_here(
                        "FIPS-certified system APIs (UseFIPSCompliantAPI)",
                    ));
                }
                if b { "True" } else { "False" }.to_owned()
            }
            Kind::Int => {
                let n = parse_int(v)
                    .ok_or_else(|| invalid(format!("{}: {v:?} is not a number", s.name)))?;
                self.check_int(s.name, n)?;
                n.to_string()
            }
            Kind::Str => self.check_str(s.name, v)?,
            Kind::Action => return self.run_action(s.name, Some(v)),
            Kind::Query => {
                return Err(invalid(format!("{} is read-only", s.name)));
            }
        };
        self.cfg.values.insert(s.name, stored.clone());
        self.apply_shared();
        Ok(stored)
    }

    fn check_int(&self, name: &str, n: i64) -> Result<()> {
        let bad = |why: &str| Err(invalid(format!("{name}={n}: {why}")));
        match name {
            "LogLevel" if !(0..=3).contains(&n) => bad("LogLevel is 0 to 3"),
            "UseStrictKeyExchange" if !(0..=3).contains(&n) => {
                bad("UseStrictKeyExchange is 0 to 3")
            }
            "ProtocolVersion" if !(3..=6).contains(&n) => bad("SFTP versions 3 to 6 are supported"),
            "EnablePageantAuth" if n == 2 => Err(certs::not_here(
                "Pageant (EnablePageantAuth=2, Required): Pageant is a Windows program",
            )),
            "EnablePageantAuth" if !(0..=2).contains(&n) => bad("EnablePageantAuth is 0, 1 or 2"),
            "TransferMode" if !(0..=2).contains(&n) => {
                bad("TransferMode is 0 (default, binary), 1 (ASCII) or 2 (binary)")
            }
            "MaxWindowSize" if self.session.is_some() && n < self.cfg.int("MaxWindowSize") => {
                bad("MaxWindowSize can only grow while connected")
            }
            // Names go to the SFTP layer as UTF-8 (what v4+ requires and v3 servers on
            // Unix use); other code pages would need byte-path APIs there.
            "CodePage" if n != 65001 && n != 20127 => Err(certs::not_here(
                "CodePage other than 65001 (UTF-8) or 20127 (US-ASCII): names are sent as UTF-8",
            )),
            _ if n < 0 => bad("cannot be negative"),
            _ => Ok(()),
        }
    }

    fn check_str(&self, name: &str, v: &str) -> Result<String> {
        match name {
            "LocalEOL" | "ServerEOL" => {
                parse_eol(v).ok_or_else(|| invalid(format!("{name}: {v:?} is not Cr, Lf or CrLf")))
            }
            "SSHFingerprintHashAlgorithm" => match v.trim().to_ascii_uppercase().as_str() {
                "MD5" => Ok("MD5".to_owned()),
                "SHA1" => Ok("SHA1".to_owned()),
                "SHA256" => Ok("SHA256".to_owned()),
                _ => Err(invalid(format!("{name}: {v:?} is not MD5, SHA1 or SHA256"))),
            },
            "SignedSSHCert" if !v.trim().is_empty() => {
                // `<algorithm> <base64>`: the seed names RSA certificates by any of the
                // three RSA certificate algorithms, so only the blob's kind is checked.
                use base64::Engine as _;
                let b64 = v.split_whitespace().nth(1).unwrap_or_default();
                let blob = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|_| invalid("SignedSSHCert: expected `<algorithm> <base64>`"))?;
                let key = ssh_keys::PublicKey::from_blob(&blob)
                    .map_err(|e| invalid(format!("SignedSSHCert: {e}")))?;
                if key.certificate().is_none() {
                    return Err(invalid("SignedSSHCert: not an OpenSSH certificate"));
                }
                Ok(v.trim().to_owned())
            }
            "SSHAcceptServerCAKey" if !v.trim().is_empty() => {
                ssh_keys::PublicKeyLine::parse(v.trim())
                    .map_err(|e| invalid(format!("SSHAcceptServerCAKey: {e}")))?;
                Ok(v.trim().to_owned())
            }
            _ => Ok(v.to_owned()),
        }
    }

    /// Pushes the settings the driver-side callbacks read into the shared state.
    pub(crate) fn apply_shared(&mut self) {
        let mut shared = events::lock(&self.shared);
        shared.log_level = i32::try_from(self.cfg.int("LogLevel")).unwrap_or(1);
        shared.mask = self.cfg.flag("MaskSensitiveData");
        shared.secrets = vec![
            self.props.ssh_password.clone(),
            self.props.firewall_password.clone(),
            self.cert_store.password.clone(),
        ];
    }

    fn computed(&mut self, name: &str) -> Result<String> {
        if name.starts_with("Attr") {
            return Ok(self.last_entry.query(name).unwrap_or_default());
        }
        Ok(match name {
            "FreeSpace" => self.space.map(|s| s.0.to_string()).unwrap_or_default(),
            "TotalSpace" => self.space.map(|s| s.1.to_string()).unwrap_or_default(),
            "NegotiatedProtocolVersion" => match &self.sftp {
                Some(s) => s.version()?.to_string(),
                None => String::new(),
            },
            "NegotiatedStrictKex" => match &self.session {
                Some(s) => if s.strict_kex()? { "True" } else { "False" }.to_owned(),
                None => "False".to_owned(),
            },
            "ServerSSHVersionString" => match &self.session {
                Some(s) => s.server_version()?.unwrap_or_default(),
                None => String::new(),
            },
            "SSHFingerprintMD5" => self.host_key_fingerprint(ssh_keys::HashAlg::Md5),
            "SSHFingerprintSHA1" => self.host_key_fingerprint(ssh_keys::HashAlg::Sha1),
            "SSHFingerprintSHA256" => self.host_key_fingerprint(ssh_keys::HashAlg::Sha256),
            "ChannelDataEOLFound" => "False".to_owned(),
            "BuildInfo" => format!(
                "sftpclient {} (Rust, native SSH stack; SFTP v3-v6)",
                env!("CARGO_PKG_VERSION")
            ),
            "LicenseInfo" => format!(
                "sftpclient {}: {}",
                env!("CARGO_PKG_VERSION"),
                env!("CARGO_PKG_LICENSE")
            ),
            _ => String::new(),
        })
    }

    fn host_key_fingerprint(&self, alg: ssh_keys::HashAlg) -> String {
        self.server_key
            .as_ref()
            .map(|k| k.fingerprint(alg).hex())
            .unwrap_or_default()
    }

    fn run_action(&mut self, name: &str, value: Option<&str>) -> Result<String> {
        match (name, value) {
            ("CheckFileHash", _) => self.check_file_hash().map(|()| "True".to_owned()),
            ("CopyRemoteFile", Some(dest)) => {
                self.copy_remote_file(dest.trim()).map(|()| String::new())
            }
            ("CopyRemoteData", Some(spec)) => self.copy_remote_data(spec).map(|()| String::new()),
            ("ReadLink", Some(path)) => self.read_link(path.trim()),
            ("GetSpaceInfo", _) => self
                .get_space_info()
                .map(|(free, total)| format!("{free},{total}")),
            ("SSHKeyRenegotiate", _) => self.renegotiate_keys().map(|()| String::new()),
            (other, None) => Err(invalid(format!(
                "{other} needs a value: config(\"{other}=...\")"
            ))),
            (other, Some(_)) => Err(invalid(format!("{other} cannot be set"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for t in ["True", "true", "1", "Yes", "YES"] {
            assert_eq!(parse_bool(t), Some(true));
        }
        for f in ["False", "0", "no"] {
            assert_eq!(parse_bool(f), Some(false));
        }
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(parse_int("0x10"), Some(16));
        assert_eq!(parse_eol("\"CrLf\"").as_deref(), Some("\r\n"));
        assert_eq!(parse_eol("\"\r\n\"").as_deref(), Some("\r\n"));
        assert_eq!(parse_eol("\"x\""), None);
        assert!(find("sshacceptserverhostkeyfingerprint").is_some());
        assert!(find("FileTimeFormat").is_some());
        assert!(find("ChannelDataEOL[3]").is_some());
    }
}
