//! The SftpClient surface without a server: property defaults and setters, every config
//! setting, the boolean spellings, key stores, the custom-auth packet helpers and the
//! "not supported on this platform" answers.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use sftpclient::SftpClient;
use sftpclient::component::codes::NOT_SUPPORTED_ON_PLATFORM;

/// Every config setting of the inventory (ChannelDataEOL and friends with an index).
const SETTINGS: &[&str] = &[
    "AllowBackslashInName",
    "AsyncTransfer",
    "AttrAccessTime",
    "AttrCreationTime",
    "AttrFileType",
    "AttrGroupId",
    "AttrLinkCount",
    "AttrOwnerId",
    "AttrPermission",
    "BuildInfo",
    "ChannelDataEOLFound[0]",
    "ChannelDataEOL[0]",
    "CheckFileHash",
    "ClientSSHVersionString",
    "CodePage",
    "CopyRemoteData",
    "CopyRemoteFile",
    "DisableRealPath",
    "DoNotRepeatAuthMethods",
    "EnablePageantAuth",
    "ExcludeFileMask",
    "FileMaskDelimiter",
    "FiletimeFormat",
    "FreeSpace",
    "GetSpaceInfo",
    "GetSymlinkAttrs",
    "IgnoreFileMaskCasing",
    "KerberosDelegation",
    "KerberosRealm",
    "KerberosSPN",
    "KeyRenegotiationThreshold",
    "LicenseInfo",
    "LocalEOL",
    "LogLevel",
    "LogSFTPFileData",
    "MaskSensitiveData",
    "MaxChannelDataLength[0]",
    "MaxFileData",
    "MaxOutstandingPackets",
    "MaxPacketSize",
    "MaxWindowSize",
    "NegotiatedProtocolVersion",
    "NegotiatedStrictKex",
    "NormalizeRemotePath",
    "PasswordPrompt",
    "PreferredDHGroupBits",
    "PreserveFileTime",
    "ProcessIdleEvents",
    "ProtocolVersion",
    "ReadLink",
    "RealTimeUpload",
    "RealTimeUploadAgeLimit",
    "RecordLength",
    "SSHAcceptAnyServerHostKey",
    "SSHAcceptServerCAKey",
    "SSHAcceptServerHostKeyFingerPrint",
    "SSHFingerprintHashAlgorithm",
    "SSHFingerprintMD5",
    "SSHFingerprintSHA1",
    "SSHFingerprintSHA256",
    "SSHKeepAliveCountMax",
    "SSHKeepAliveInterval",
    "SSHKeyExchangeAlgorithms",
    "SSHKeyRenegotiate",
    "SSHMacAlgorithms",
    "SSHPubKeyAuthSigAlgorithms",
    "SSHPublicKeyAlgorithms",
    "SSHVersionPattern",
    "SelectWaitMillis",
    "ServerEOL",
    "ServerSSHVersionString",
    "SignedSSHCert",
    "SimultaneousTransferLimit",
    "TotalSpace",
    "TransferMode",
    "TransferredDataLimit",
    "TryAllAvailableAuthMethods",
    "UseFIPSCompliantAPI",
    "UseFxpStat",
    "UseInternalSecurityAPI",
    "UseServerFileTime",
    "UseStrictKeyExchange",
    "WaitForChannelClose",
    "WaitForServerDisconnect",
];

/// Settings that are actions needing a session (or an argument) when queried.
const ACTIONS: &[&str] = &[
    "CheckFileHash",
    "CopyRemoteData",
    "CopyRemoteFile",
    "GetSpaceInfo",
    "ReadLink",
    "SSHKeyRenegotiate",
];

#[test]
fn every_setting_is_known_and_queryable() {
    let mut c = SftpClient::new();
    for name in SETTINGS {
        let r = c.config(name);
        if ACTIONS.contains(name) {
            assert!(r.is_err(), "{name} needs a session or value");
        } else {
            r.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    assert!(c.config("NoSuchSetting").is_err());
    // Documented defaults.
    for (name, value) in [
        ("MaxFileData", "32768"),
        ("UseFxpStat", "True"),
        ("LogLevel", "1"),
        ("UseStrictKeyExchange", "1"),
        ("WaitForChannelClose", "True"),
        ("WaitForServerDisconnect", "False"),
        ("SSHFingerprintHashAlgorithm", "SHA256"),
        ("SSHVersionPattern", "*SSH-1.99-*,*SSH-2.0-*,*SSH-2.99-*"),
        ("EnablePageantAuth", "0"),
        ("UseInternalSecurityAPI", "True"),
        ("GetSymlinkAttrs", "False"),
        ("AllowBackslashInName", "False"),
        ("RecordLength", "0"),
        ("SSHKeepAliveInterval", "0"),
    ] {
        assert_eq!(c.config(name).unwrap(), value, "{name}");
    }
    // Names are case-insensitive: the seed's examples spell two of them differently.
    c.config("SSHAcceptServerHostKeyFingerprint=aa:bb").unwrap();
    assert_eq!(
        c.config("SSHAcceptServerHostKeyFingerPrint").unwrap(),
        "aa:bb"
    );
    c.config("FileTimeFormat=yyyy").unwrap();
    assert_eq!(c.config("FiletimeFormat").unwrap(), "yyyy");
    assert!(c.config("BuildInfo").unwrap().contains("sftpclient"));
    assert_eq!(c.config("NegotiatedProtocolVersion").unwrap(), "");
}

#[test]
fn boolean_spellings_and_value_checks() {
    let mut c = SftpClient::new();
    for (v, want) in [
        ("True", "True"),
        ("false", "False"),
        ("1", "True"),
        ("0", "False"),
        ("Yes", "True"),
        ("NO", "False"),
    ] {
        assert_eq!(c.config(&format!("AsyncTransfer={v}")).unwrap(), want);
        assert_eq!(c.config("AsyncTransfer").unwrap(), want);
    }
    assert!(c.config("AsyncTransfer=maybe").is_err());
    assert!(c.config("LogLevel=4").is_err());
    assert!(c.config("UseStrictKeyExchange=7").is_err());
    assert!(c.config("ProtocolVersion=2").is_err());
    assert_eq!(c.config("MaxFileData=0x4000").unwrap(), "16384");
    assert!(c.config("MaxFileData=lots").is_err());
    assert!(c.config("FreeSpace=1").is_err(), "read-only");
    assert!(c.config("SSHFingerprintHashAlgorithm=SHA512").is_err());
    assert_eq!(c.config("SSHFingerprintHashAlgorithm=md5").unwrap(), "MD5");
    assert_eq!(c.config("LocalEOL=\"CrLf\"").unwrap(), "\r\n");
    assert!(c.config("ServerEOL=\"xx\"").is_err());
    assert!(c.config("SignedSSHCert=not a key").is_err());
    assert!(c.config("SSHAcceptServerCAKey=garbage").is_err());
}

#[test]
fn property_defaults_and_setters() {
    let mut c = SftpClient::new();
    assert!(!c.connected());
    assert!(c.idle());
    assert_eq!(c.ssh_port(), 22);
    assert_eq!(c.ssh_auth_mode(), 2);
    assert_eq!(c.timeout(), 60);
    assert_eq!(c.firewall_type(), 0);
    assert_eq!(c.ssh_cert_store(), b"MY");
    assert_eq!(c.ssh_cert_store_type(), 0);
    assert_eq!(c.ssh_accept_server_host_key_store(), b"MY");
    assert_eq!(c.ssh_compression_algorithms(), "none,zlib");
    assert!(c.ssh_encryption_algorithms().starts_with("aes256-ctr,"));
    assert_eq!(c.dir_list_count(), 0);
    assert_eq!(c.dir_list_file_name(0), "");
    assert_eq!(c.file_type(), 0);
    assert_eq!(c.remote_path(), "");
    assert!(c.set_ssh_port(0).is_err_and(|e| e.code() == 116));
    assert!(c.set_ssh_auth_mode(7).is_err());
    for mode in [0, 1, 2, 3, 4, 5, 6, 99] {
        c.set_ssh_auth_mode(mode).unwrap();
    }
    assert!(!c.firewall_auto_detect());
    c.set_firewall_auto_detect(true).unwrap();
    assert!(c.firewall_auto_detect());
    c.set_firewall_auto_detect(false).unwrap();
    // firewall_type sets firewall_port.
    c.set_firewall_type(1).unwrap();
    assert_eq!(c.firewall_port(), 80);
    for t in [2, 3, 10] {
        c.set_firewall_type(t).unwrap();
        assert_eq!(c.firewall_port(), 1080);
    }
    assert!(c.set_firewall_type(4).is_err());
    c.set_file_permissions_octal("40755").unwrap();
    assert_eq!(c.file_permissions(), 16877);
    assert_eq!(c.file_permissions_octal(), "40755");
    assert!(c.set_file_permissions_octal("9").is_err());
    assert!(c.set_start_byte(-1).is_err());
    // No host: logon is refused before any network activity.
    assert_eq!(c.connect().unwrap_err().code(), 102);
    // reset puts everything back.
    c.set_ssh_user("u").unwrap();
    c.config("LogLevel=3").unwrap();
    c.reset().unwrap();
    assert_eq!(c.ssh_user(), "");
    assert_eq!(c.config("LogLevel").unwrap(), "1");
}

#[test]
fn platform_limits_say_so() {
    let mut c = SftpClient::new();
    for store_type in [0, 1, 2, 4, 5, 11, 16, 18, 21, 23] {
        c.set_ssh_cert_store_type(store_type).unwrap();
        let e = c.set_ssh_cert_subject("*").unwrap_err();
        assert_eq!(e.code(), NOT_SUPPORTED_ON_PLATFORM, "{store_type}: {e}");
        assert!(
            e.description().contains("not supported on this platform"),
            "{e}"
        );
    }
    assert_eq!(
        c.config("EnablePageantAuth=2").unwrap_err().code(),
        NOT_SUPPORTED_ON_PLATFORM
    );
    c.config("EnablePageantAuth=1").unwrap();
    assert_eq!(
        c.config("UseFIPSCompliantAPI=True").unwrap_err().code(),
        NOT_SUPPORTED_ON_PLATFORM
    );
    assert_eq!(
        c.config("CodePage=1252").unwrap_err().code(),
        NOT_SUPPORTED_ON_PLATFORM
    );
    c.config("CodePage=65001").unwrap();
    // GSSAPI (5, 6) fails before connecting.
    c.set_ssh_host("127.0.0.1").unwrap();
    c.set_ssh_port(1).unwrap();
    c.set_ssh_auth_mode(5).unwrap();
    let e = c.connect().unwrap_err();
    // The TCP connection to port 1 may fail first; either way nothing hangs.
    assert!(
        e.code() == NOT_SUPPORTED_ON_PLATFORM || e.code() == 10061,
        "{e}"
    );
}

#[test]
fn key_stores() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "me@here", "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut c = SftpClient::new();
    // 99 auto with a file, 7 PEM/OpenSSH key blob.
    c.set_ssh_cert_store_type(99).unwrap();
    c.set_ssh_cert_store(key.to_str().unwrap()).unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    assert!(c.ssh_cert_private_key_available());
    assert_eq!(c.ssh_cert_subject(), "me@here");
    assert_eq!(c.ssh_cert_public_key_algorithm(), "ssh-ed25519");
    assert_eq!(c.ssh_cert_public_key_length(), 256);
    assert!(c.ssh_cert_public_key().starts_with("ssh-ed25519 AAAA"));
    let fp = c.ssh_cert_fingerprint_sha256();
    c.set_ssh_cert_subject("me@here").unwrap();
    c.set_ssh_cert_subject(&fp).unwrap();
    c.set_ssh_cert_store_type(7).unwrap();
    c.set_ssh_cert_store(std::fs::read(&key).unwrap()).unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    assert_eq!(c.ssh_cert_fingerprint_sha256(), fp);
    // 13 SSH public key file, 10 blob: no private key.
    c.set_ssh_cert_store_type(13).unwrap();
    c.set_ssh_cert_store(key.with_extension("pub").to_str().unwrap())
        .unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    assert!(!c.ssh_cert_private_key_available());
    assert_eq!(c.ssh_cert_fingerprint_sha256(), fp);
    c.set_ssh_cert_store_type(10).unwrap();
    c.set_ssh_cert_store(public.split_whitespace().nth(1).unwrap())
        .unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    assert_eq!(c.ssh_cert_fingerprint_sha256(), fp);
    // 14 PPK file (puttygen), when installed.
    let ppk = dir.path().join("k.ppk");
    let made = std::process::Command::new("puttygen")
        .arg(&key)
        .args(["-O", "private", "-o"])
        .arg(&ppk)
        .output();
    if made.is_ok_and(|o| o.status.success()) {
        c.set_ssh_cert_store_type(14).unwrap();
        c.set_ssh_cert_store(ppk.to_str().unwrap()).unwrap();
        c.set_ssh_cert_subject("*").unwrap();
        assert!(c.ssh_cert_private_key_available());
        assert_eq!(c.ssh_cert_fingerprint_sha256(), fp);
        c.set_ssh_cert_store_type(15).unwrap();
        c.set_ssh_cert_store(std::fs::read(&ppk).unwrap()).unwrap();
        c.set_ssh_cert_subject("*").unwrap();
        assert_eq!(c.ssh_cert_fingerprint_sha256(), fp);
    }
    // ssh_cert_encoded / ssh_accept_server_host_key_encoded take a public key.
    c.set_ssh_accept_server_host_key_encoded(public.trim())
        .unwrap();
    assert_eq!(c.ssh_accept_server_host_key_fingerprint_sha256(), fp);
    assert!(!c.ssh_accept_server_host_key_private_key_available());
    c.set_ssh_accept_server_host_key_store_type(13).unwrap();
    c.set_ssh_accept_server_host_key_store(key.with_extension("pub").to_str().unwrap())
        .unwrap();
    c.set_ssh_accept_server_host_key_subject("*").unwrap();
    assert_eq!(c.ssh_accept_server_host_key_subject(), "me@here");
    c.set_ssh_accept_server_host_key_encoded("").unwrap();
    assert_eq!(c.ssh_accept_server_host_key_fingerprint(), "");
    assert!(c.set_ssh_cert_encoded("not a key").is_err());
    // X.509-only fields stay empty for SSH keys.
    assert_eq!(c.ssh_cert_usage_flags(), 0);
    assert_eq!(c.ssh_cert_usage(), "");
    assert_eq!(c.ssh_cert_extended_key_usage(), "");
    assert_eq!(c.ssh_cert_subject_alt_names(), "");
    assert_eq!(c.ssh_cert_private_key(), "", "never exported");
    assert_eq!(c.ssh_cert_private_key_container(), "");
    assert_eq!(c.ssh_cert_thumbprint_sha256(), fp.replace(':', ""));
    assert_eq!(c.ssh_cert_signature_algorithm(), "ssh-ed25519");

    // An OpenSSH certificate fills the certificate fields.
    let ca = dir.path().join("ca");
    let ok = |cmd: &mut std::process::Command| assert!(cmd.output().unwrap().status.success());
    ok(std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&ca));
    ok(std::process::Command::new("ssh-keygen")
        .args(["-q", "-s"])
        .arg(&ca)
        .args([
            "-I",
            "key-id-7",
            "-n",
            "alice",
            "-z",
            "42",
            "-V",
            "20200101000000:20300101000000",
        ])
        .arg(key.with_extension("pub")));
    let cert = dir.path().join("k-cert.pub");
    c.set_ssh_cert_store_type(13).unwrap();
    c.set_ssh_cert_store(cert.to_str().unwrap()).unwrap();
    c.set_ssh_cert_subject("*").unwrap();
    assert_eq!(c.ssh_cert_subject(), "key-id-7");
    assert_eq!(c.ssh_cert_serial_number(), "000000000000002a");
    assert!(
        c.ssh_cert_effective_date().starts_with("01-Jan-2020"),
        "{}",
        c.ssh_cert_effective_date()
    );
    assert!(c.ssh_cert_expiration_date().starts_with("01-Jan-2030"));
    assert_eq!(c.ssh_cert_version(), "user");
    let ca_line = std::fs::read_to_string(ca.with_extension("pub")).unwrap();
    let ca_key = ssh_keys::PublicKeyLine::parse(ca_line.trim()).unwrap().key;
    assert_eq!(
        c.ssh_cert_issuer(),
        ca_key.fingerprint(ssh_keys::HashAlg::Sha256).hex()
    );
    assert_eq!(
        c.ssh_cert_public_key_algorithm(),
        "ssh-ed25519-cert-v01@openssh.com"
    );
}

#[test]
fn custom_auth_packet_helpers() {
    let c = SftpClient::new();
    let mut p = c.set_ssh_param(&[], "b", "50").unwrap();
    p = c.set_ssh_param(&p, "s", "user").unwrap();
    p = c.set_ssh_param(&p, "i", "0x10").unwrap();
    p = c.set_ssh_param(&p, "f", "True").unwrap();
    p = c.set_ssh_param(&p, "sb", "A1B2").unwrap();
    let hex = c.encode_packet(&p).unwrap();
    assert_eq!(c.decode_packet(&hex).unwrap(), p);
    // The message number is not a field: lists start after it.
    assert_eq!(p[0], 50);
    assert_eq!(c.get_ssh_param(&p, "%s").unwrap(), "user");
    assert_eq!(c.get_ssh_param(&p, "%s,i").unwrap(), "16");
    assert_eq!(c.get_ssh_param(&p, "%s,i,f").unwrap(), "True");
    assert_eq!(c.get_ssh_param(&p, "%s,i,f,sb").unwrap(), "A1B2");
    assert_eq!(
        c.get_ssh_param_bytes(&p, "%s,i,f,sb").unwrap(),
        vec![0xa1, 0xb2]
    );
    assert!(c.set_ssh_param(&p, "z", "1").is_err());
    assert!(c.decode_packet("xyz").is_err());
}
