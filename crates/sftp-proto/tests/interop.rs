//! Interop proof without the SSH layers: OpenSSH's `ssh -s sftp` is the transport, this
//! crate's session the codec, against OpenSSH sftp-server (v3) and Green End's
//! gesftpserver (v3, v4, v5, v6, and v6 with version-select down to 3, 4 and 5). Every
//! packet and every extension each server advertises is exercised and checked on disk.

// clippy.toml allows these in #[test] functions only; the helpers here assert too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use common::{Conn, Owned};
use sftp_proto::consts::{FileType, RealpathControl, pflags};
use sftp_proto::ext::{
    ExtendedRequest, Limits, ServerExtensions, SpaceAvailable, StatVfs, Supported, Supported2,
    UsersGroups, names,
};
use sftp_proto::packet::{OpenMode, SymlinkOrder};
use sftp_proto::policy::{is_already_exists, rename_request};
use sftp_proto::{FileAttributes, FileTime, Request, SessionConfig, StatusCode, Version};
use ssh_test::{SftpServer, Sshd};

/// Extensions that describe the server rather than name a request.
const INFORMATIONAL: &[&str] = &[
    names::NEWLINE,
    names::VENDOR_ID,
    names::SUPPORTED,
    names::SUPPORTED2,
    names::VERSIONS,
    names::SYMLINK_ORDER,
    "link-order@rjk.greenend.org.uk",
];

fn open_mode(conn: &Conn, p: u32) -> OpenMode {
    // Exercise both wire forms: pflags are converted to desired-access + flags at v5+.
    let _ = conn;
    OpenMode::Pflags(p)
}

fn open(conn: &mut Conn, path: &str, p: u32) -> Vec<u8> {
    let mode = open_mode(conn, p);
    conn.call(&Request::Open {
        filename: path.as_bytes(),
        mode,
        attrs: FileAttributes::default(),
    })
    .handle()
}

fn close(conn: &mut Conn, handle: &[u8]) {
    conn.call(&Request::Close { handle }).ok();
}

fn write_file(conn: &mut Conn, path: &str, data: &[u8]) {
    let h = open(conn, path, pflags::WRITE | pflags::CREAT | pflags::TRUNC);
    conn.call(&Request::Write {
        handle: &h,
        offset: 0,
        data,
    })
    .ok();
    close(conn, &h);
}

fn stat(conn: &mut Conn, path: &str) -> FileAttributes {
    conn.call(&Request::Stat {
        path: path.as_bytes(),
        flags: u32::MAX,
    })
    .attrs()
}

fn readdir_all(conn: &mut Conn, path: &str) -> BTreeSet<String> {
    let h = conn
        .call(&Request::Opendir {
            path: path.as_bytes(),
        })
        .handle();
    let mut names = BTreeSet::new();
    loop {
        match conn.call(&Request::Readdir { handle: &h }) {
            Owned::Name(entries, eol) => {
                for (n, _) in entries {
                    names.insert(String::from_utf8(n).unwrap());
                }
                if eol == Some(true) {
                    break;
                }
            }
            Owned::Status(StatusCode::EOF, _) => break,
            other => panic!("READDIR: {other:?}"),
        }
    }
    close(conn, &h);
    names
}

/// Every core packet, with results checked on disk.
fn core_packets(conn: &mut Conn, root: &Path, user: &str) {
    let v = conn.version();
    let root = fs::canonicalize(root).unwrap();

    // REALPATH (v6 also with control byte and compose paths).
    let names = conn
        .call(&Request::Realpath {
            path: b".",
            control: None,
            compose: vec![],
        })
        .names();
    assert_eq!(Path::new(std::str::from_utf8(&names[0].0).unwrap()), root);
    if v == Version::V6 {
        fs::create_dir(root.join("rp")).unwrap();
        let names = conn
            .call(&Request::Realpath {
                path: b".",
                control: Some(RealpathControl::STAT_ALWAYS),
                compose: vec![b"rp"],
            })
            .names();
        assert_eq!(
            Path::new(std::str::from_utf8(&names[0].0).unwrap()),
            root.join("rp")
        );
        assert!(names[0].1.is_dir(), "STAT_ALWAYS gives attributes");
        let names = conn
            .call(&Request::Realpath {
                path: b"rp",
                control: Some(RealpathControl::NO_CHECK),
                compose: vec![b"missing", b"deeper"],
            })
            .names();
        assert_eq!(
            Path::new(std::str::from_utf8(&names[0].0).unwrap()),
            root.join("rp/missing/deeper")
        );
        let missing = conn.call(&Request::Realpath {
            path: b"rp/missing",
            control: Some(RealpathControl::STAT_ALWAYS),
            compose: vec![],
        });
        assert_eq!(missing.status(), StatusCode::NO_SUCH_FILE);
        fs::remove_dir(root.join("rp")).unwrap();
    }

    // MKDIR
    conn.call(&Request::Mkdir {
        path: b"d",
        attrs: FileAttributes::default(),
    })
    .ok();
    assert!(root.join("d").is_dir());

    // OPEN + pipelined WRITEs, replies matched by id.
    let content: Vec<u8> = (0..64 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
    let h = open(conn, "d/f", pflags::WRITE | pflags::CREAT | pflags::TRUNC);
    let mut ids = BTreeSet::new();
    for (i, chunk) in content.chunks(8 * 1024).enumerate() {
        ids.insert(conn.send(&Request::Write {
            handle: &h,
            offset: (i * 8 * 1024) as u64,
            data: chunk,
        }));
    }
    while !ids.is_empty() {
        let (id, ty, reply) = conn.next_reply();
        assert_eq!(ty, sftp_proto::PacketType::WRITE);
        reply.ok();
        assert!(ids.remove(&id));
    }
    // FSTAT
    let fa = conn
        .call(&Request::Fstat {
            handle: &h,
            flags: u32::MAX,
        })
        .attrs();
    assert_eq!(fa.size, Some(content.len() as u64));
    close(conn, &h);
    assert_eq!(fs::read(root.join("d/f")).unwrap(), content);

    // OPEN + pipelined READs, reassembled by id; READ at EOF gives STATUS EOF.
    let h = open(conn, "d/f", pflags::READ);
    let mut offsets = std::collections::HashMap::new();
    for i in 0..8u64 {
        let id = conn.send(&Request::Read {
            handle: &h,
            offset: i * 8192,
            len: 8192,
        });
        offsets.insert(id, i * 8192);
    }
    let mut back = vec![0u8; content.len()];
    while !offsets.is_empty() {
        let (id, _, reply) = conn.next_reply();
        let off = offsets.remove(&id).unwrap() as usize;
        let Owned::Data(d, _) = reply else {
            panic!("READ: {reply:?}")
        };
        back[off..off + d.len()].copy_from_slice(&d);
    }
    assert_eq!(back, content);
    let eof = conn.call(&Request::Read {
        handle: &h,
        offset: content.len() as u64,
        len: 100,
    });
    assert_eq!(eof.status(), StatusCode::EOF);
    close(conn, &h);

    // STAT / LSTAT
    let a = stat(conn, "d/f");
    assert_eq!(a.size, Some(content.len() as u64));
    assert_eq!(a.kind(), Some(FileType::REGULAR));
    let meta = fs::metadata(root.join("d/f")).unwrap();
    if v == Version::V3 {
        assert_eq!(a.uid_gid, Some((meta.uid(), meta.gid())));
    } else if let Some((owner, _)) = &a.owner_group {
        assert!(owner == user || owner == &meta.uid().to_string(), "{owner}");
    }
    let la = conn
        .call(&Request::Lstat {
            path: b"d",
            flags: u32::MAX,
        })
        .attrs();
    assert!(la.is_dir());

    // SETSTAT: permissions and times.
    let attrs = FileAttributes {
        permissions: Some(0o600),
        atime: Some(FileTime::from_seconds(1_000_000_000)),
        mtime: Some(FileTime::from_seconds(1_234_567_890)),
        ..FileAttributes::default()
    };
    conn.call(&Request::Setstat {
        path: b"d/f",
        attrs,
    })
    .ok();
    let meta = fs::metadata(root.join("d/f")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o600);
    assert_eq!(meta.mtime(), 1_234_567_890);
    let a = stat(conn, "d/f");
    assert_eq!(a.mtime.map(|t| t.seconds), Some(1_234_567_890));
    assert_eq!(a.permissions.map(|p| p & 0o7777), Some(0o600));

    // FSETSTAT
    let h = open(conn, "d/f", pflags::READ | pflags::WRITE);
    conn.call(&Request::Fsetstat {
        handle: &h,
        attrs: FileAttributes {
            permissions: Some(0o640),
            ..FileAttributes::default()
        },
    })
    .ok();
    close(conn, &h);
    let meta = fs::metadata(root.join("d/f")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);

    // OPENDIR / READDIR
    let listed = readdir_all(conn, "d");
    assert!(listed.contains("f"), "{listed:?}");

    // RENAME without overwrite; onto an existing file it must fail (S10).
    let ext = conn.session.extensions().clone();
    let req = rename_request(v, &ext, b"d/f", b"d/g", false).unwrap();
    conn.call(&req).ok();
    assert!(!root.join("d/f").exists() && root.join("d/g").exists());
    fs::write(root.join("d/other"), b"keep").unwrap();
    let req = rename_request(v, &ext, b"d/g", b"d/other", false).unwrap();
    let refused = conn.call(&req);
    assert_ne!(
        refused.status(),
        StatusCode::OK,
        "rename must not overwrite"
    );
    assert!(is_already_exists(v, refused.status(), true), "{refused:?}");
    assert_eq!(fs::read(root.join("d/other")).unwrap(), b"keep");

    // Exclusive create of an existing file fails as "already exists" (S10).
    let excl = conn.call(&Request::Open {
        filename: b"d/other",
        mode: OpenMode::Pflags(pflags::WRITE | pflags::CREAT | pflags::EXCL),
        attrs: FileAttributes::default(),
    });
    assert!(is_already_exists(v, excl.status(), true), "{excl:?}");
    assert_eq!(fs::read(root.join("d/other")).unwrap(), b"keep");
    // RENAME with overwrite where the version or an extension can do it.
    let req = rename_request(v, &ext, b"d/other", b"d/other2", true).unwrap();
    conn.call(&req).ok();
    fs::write(root.join("d/other"), b"new").unwrap();
    let req = rename_request(v, &ext, b"d/other", b"d/other2", true).unwrap();
    conn.call(&req).ok();
    assert_eq!(fs::read(root.join("d/other2")).unwrap(), b"new");
    conn.call(&Request::Remove {
        filename: b"d/other2",
    })
    .ok();

    // SYMLINK (v3-v5, in the order the server reads) or LINK (v6); READLINK.
    if v == Version::V6 {
        conn.call(&Request::Link {
            new_link_path: b"d/l",
            existing_path: b"g",
            symlink: true,
        })
        .ok();
        conn.call(&Request::Link {
            new_link_path: b"d/hard",
            existing_path: b"d/g",
            symlink: false,
        })
        .ok();
        let a = fs::metadata(root.join("d/hard")).unwrap();
        assert_eq!(a.ino(), fs::metadata(root.join("d/g")).unwrap().ino());
        conn.call(&Request::Remove {
            filename: b"d/hard",
        })
        .ok();
    } else {
        conn.call(&Request::Symlink {
            linkpath: b"d/l",
            targetpath: b"g",
            order: ext.symlink_order(),
        })
        .ok();
    }
    assert_eq!(fs::read_link(root.join("d/l")).unwrap(), Path::new("g"));
    let target = conn.call(&Request::Readlink { path: b"d/l" }).names();
    assert_eq!(target[0].0, b"g");
    let la = conn
        .call(&Request::Lstat {
            path: b"d/l",
            flags: u32::MAX,
        })
        .attrs();
    assert!(la.is_symlink());

    // REMOVE / RMDIR
    conn.call(&Request::Remove { filename: b"d/l" }).ok();
    conn.call(&Request::Remove { filename: b"d/g" }).ok();
    conn.call(&Request::Rmdir { path: b"d" }).ok();
    assert!(!root.join("d").exists());
}

/// Exercises every extension the server advertises; returns the names exercised.
fn extensions(conn: &mut Conn, root: &Path, user: &str) -> BTreeSet<String> {
    let v = conn.version();
    let ext: ServerExtensions = conn.session.extensions().clone();
    let mut done = BTreeSet::new();
    let offers = |n: &str| ext.offers(n);
    // Files the server must write to are created through it (the test may run as
    // another user than the server's).
    write_file(conn, "x", b"0123456789");

    if offers(names::POSIX_RENAME) {
        write_file(conn, "y", b"old");
        conn.call(&Request::Extended(ExtendedRequest::PosixRename {
            oldpath: b"x",
            newpath: b"y",
        }))
        .ok();
        assert_eq!(fs::read(root.join("y")).unwrap(), b"0123456789");
        fs::rename(root.join("y"), root.join("x")).unwrap();
        done.insert(names::POSIX_RENAME.to_owned());
    }
    if offers("posix-rename@openssh.org") {
        // Same data as the .com form, sent as an unknown (raw) extension.
        let mut data = Vec::new();
        ssh_wire::Writer::new(&mut data).string(b"x").string(b"z");
        conn.call(&Request::Extended(ExtendedRequest::Unknown {
            name: b"posix-rename@openssh.org",
            data: &data,
        }))
        .ok();
        assert!(root.join("z").exists() && !root.join("x").exists());
        fs::rename(root.join("z"), root.join("x")).unwrap();
        done.insert("posix-rename@openssh.org".to_owned());
    }
    if offers(names::STATVFS) {
        let d = conn
            .call(&Request::Extended(ExtendedRequest::Statvfs { path: b"." }))
            .extended();
        let s = StatVfs::decode(&d).unwrap();
        assert!(s.bsize > 0 && s.blocks > 0 && s.namemax >= 255, "{s:?}");
        done.insert(names::STATVFS.to_owned());
    }
    if offers("statfs@openssh.org") {
        let mut data = Vec::new();
        ssh_wire::Writer::new(&mut data).string(b".");
        let d = conn
            .call(&Request::Extended(ExtendedRequest::Unknown {
                name: b"statfs@openssh.org",
                data: &data,
            }))
            .extended();
        assert!(!d.is_empty());
        done.insert("statfs@openssh.org".to_owned());
    }
    let h = open(conn, "x", pflags::READ | pflags::WRITE);
    if offers(names::FSTATVFS) {
        let d = conn
            .call(&Request::Extended(ExtendedRequest::Fstatvfs { handle: &h }))
            .extended();
        assert!(StatVfs::decode(&d).unwrap().bsize > 0);
        done.insert(names::FSTATVFS.to_owned());
    }
    if offers(names::FSYNC) {
        conn.call(&Request::Extended(ExtendedRequest::Fsync { handle: &h }))
            .ok();
        done.insert(names::FSYNC.to_owned());
    }
    if offers(names::COPY_DATA) {
        let dst = open(conn, "copy", pflags::WRITE | pflags::CREAT | pflags::TRUNC);
        conn.call(&Request::Extended(ExtendedRequest::CopyData {
            read_handle: &h,
            read_offset: 2,
            read_length: 5,
            write_handle: &dst,
            write_offset: 1,
        }))
        .ok();
        close(conn, &dst);
        assert_eq!(fs::read(root.join("copy")).unwrap(), b"\x0023456");
        fs::remove_file(root.join("copy")).unwrap();
        done.insert(names::COPY_DATA.to_owned());
    }
    close(conn, &h);
    if offers("text-seek") {
        let th = open(conn, "x", pflags::READ | pflags::TEXT);
        let mut data = Vec::new();
        ssh_wire::Writer::new(&mut data).string(&th).u64(0);
        conn.call(&Request::Extended(ExtendedRequest::Unknown {
            name: b"text-seek",
            data: &data,
        }))
        .ok();
        close(conn, &th);
        done.insert("text-seek".to_owned());
    }
    if offers(names::HARDLINK) {
        conn.call(&Request::Extended(ExtendedRequest::Hardlink {
            oldpath: b"x",
            newpath: b"xh",
        }))
        .ok();
        assert_eq!(
            fs::metadata(root.join("xh")).unwrap().ino(),
            fs::metadata(root.join("x")).unwrap().ino()
        );
        fs::remove_file(root.join("xh")).unwrap();
        done.insert(names::HARDLINK.to_owned());
    }
    if offers(names::LSETSTAT) {
        conn.call(&Request::Symlink {
            linkpath: b"xl",
            targetpath: b"x",
            order: ext.symlink_order(),
        })
        .ok();
        assert_eq!(fs::read_link(root.join("xl")).unwrap(), Path::new("x"));
        conn.call(&Request::Extended(ExtendedRequest::Lsetstat {
            path: b"xl",
            attrs: FileAttributes {
                atime: Some(FileTime::from_seconds(1_100_000_000)),
                mtime: Some(FileTime::from_seconds(1_200_000_000)),
                ..FileAttributes::default()
            },
        }))
        .ok();
        // The link's own times changed, not the target's.
        assert_eq!(
            fs::symlink_metadata(root.join("xl")).unwrap().mtime(),
            1_200_000_000
        );
        assert_ne!(fs::metadata(root.join("x")).unwrap().mtime(), 1_200_000_000);
        fs::remove_file(root.join("xl")).unwrap();
        done.insert(names::LSETSTAT.to_owned());
    }
    if offers(names::LIMITS) {
        let d = conn
            .call(&Request::Extended(ExtendedRequest::Limits))
            .extended();
        let l = Limits::decode(&d).unwrap();
        assert!(
            l.max_packet_length >= 32 * 1024 && l.max_read_length > 0,
            "{l:?}"
        );
        conn.session.apply_limits(&l);
        done.insert(names::LIMITS.to_owned());
    }
    if offers(names::EXPAND_PATH) {
        let n = conn
            .call(&Request::Extended(ExtendedRequest::ExpandPath {
                path: b"~/x",
            }))
            .names();
        assert!(n[0].0.starts_with(b"/") && n[0].0.ends_with(b"/x"));
        done.insert(names::EXPAND_PATH.to_owned());
    }
    if offers(names::HOME_DIRECTORY) {
        let n = conn
            .call(&Request::Extended(ExtendedRequest::HomeDirectory {
                username: user.as_bytes(),
            }))
            .names();
        assert!(n[0].0.starts_with(b"/"));
        done.insert(names::HOME_DIRECTORY.to_owned());
    }
    if offers(names::USERS_GROUPS_BY_ID) {
        let meta = fs::metadata(root.join("x")).unwrap();
        let d = conn
            .call(&Request::Extended(ExtendedRequest::UsersGroupsById {
                uids: vec![meta.uid()],
                gids: vec![meta.gid()],
            }))
            .extended();
        let ug = UsersGroups::decode(&d).unwrap();
        assert_eq!(ug.users.len(), 1);
        assert_eq!(ug.groups.len(), 1);
        assert!(!ug.groups[0].is_empty());
        // The file belongs to root when the harness runs unprivileged users as root.
        let _ = user;
        assert!(!ug.users[0].is_empty());
        done.insert(names::USERS_GROUPS_BY_ID.to_owned());
    }
    if offers(names::SPACE_AVAILABLE) {
        let d = conn
            .call(&Request::Extended(ExtendedRequest::SpaceAvailable {
                path: b".",
            }))
            .extended();
        let s = SpaceAvailable::decode(&d).unwrap();
        assert!(s.bytes_on_device > 0, "{s:?}");
        done.insert(names::SPACE_AVAILABLE.to_owned());
    }
    if offers(names::VERSION_SELECT) {
        // Only valid as the first request: tested in `gesftp_v6_version_select_*`.
        done.insert(names::VERSION_SELECT.to_owned());
    }
    // Descriptive extensions must parse.
    if let Some(vid) = ext.vendor_id() {
        assert!(!vid.unwrap().vendor_name.is_empty());
    }
    if let Some(s) = ext.supported() {
        let s: Supported<'_> = s.unwrap();
        assert!(!s.extension_names.is_empty());
    }
    if let Some(s) = ext.supported2() {
        let s: Supported2<'_> = s.unwrap();
        assert!(!s.extension_names.is_empty());
    }
    if let Some(nl) = ext.newline() {
        assert_eq!(nl, b"\n");
    }
    if v == Version::V6 {
        assert!(ext.versions().contains(&6));
    }
    fs::remove_file(root.join("x")).unwrap();
    done
}

fn full_run(server: SftpServer, offer: Version, expect: Version) {
    let sshd = Sshd::start_with(server).expect("start sshd");
    let mut conn = Conn::open(&sshd, offer);
    assert_eq!(conn.version(), expect);
    let root = sshd.sftp_root().to_path_buf();
    core_packets(&mut conn, &root, sshd.user());
    let done = extensions(&mut conn, &root, sshd.user());
    let advertised: BTreeSet<String> = conn
        .session
        .extensions()
        .pairs()
        .map(|(n, _)| String::from_utf8_lossy(n).into_owned())
        .filter(|n| !INFORMATIONAL.contains(&n.as_str()))
        .collect();
    let missed: Vec<_> = advertised.difference(&done).collect();
    assert!(
        missed.is_empty(),
        "advertised but not exercised: {missed:?}"
    );
    assert!(conn.error().is_none());
    eprintln!("{server:?} v{expect}: exercised {done:?}");
}

#[test]
fn openssh_v3() {
    // OpenSSH answers 3 whatever is offered.
    full_run(SftpServer::OpenSsh, Version::V6, Version::V3);
}

#[test]
fn gesftp_v3() {
    full_run(SftpServer::GreenEnd, Version::V3, Version::V3);
}

#[test]
fn gesftp_v4() {
    full_run(SftpServer::GreenEnd, Version::V4, Version::V4);
}

#[test]
fn gesftp_v5() {
    full_run(SftpServer::GreenEnd, Version::V5, Version::V5);
}

#[test]
fn gesftp_v6() {
    full_run(SftpServer::GreenEnd, Version::V6, Version::V6);
}

#[test]
fn gesftp_v6_version_select_down() {
    let sshd = Sshd::start_with(SftpServer::GreenEnd).expect("start sshd");
    let root = sshd.sftp_root().to_path_buf();
    for target in [Version::V3, Version::V4, Version::V5] {
        let mut conn = Conn::open(&sshd, Version::V6);
        assert_eq!(conn.version(), Version::V6);
        conn.session.select_version(target).unwrap();
        conn.wait_ready();
        // The select's STATUS is consumed by the session; a STAT proves the new version.
        fs::write(root.join("vs"), b"abc").unwrap();
        let a = stat(&mut conn, "vs");
        assert_eq!(conn.version(), target);
        assert_eq!(a.size, Some(3));
        assert_eq!(a.file_type.is_some(), target >= Version::V4);
        // version-select is refused once anything else was sent.
        assert!(conn.session.select_version(Version::V6).is_err());
        fs::remove_file(root.join("vs")).unwrap();
    }
}

#[test]
fn openssh_symlink_order_is_target_first() {
    let sshd = Sshd::start_with(SftpServer::OpenSsh).expect("start sshd");
    let conn = Conn::open_with(&sshd, SessionConfig::default());
    assert_eq!(conn.version(), Version::V3);
    assert_eq!(
        conn.session.extensions().symlink_order(),
        SymlinkOrder::TargetFirst
    );
}

#[test]
fn openssh_internal_sftp_v3() {
    full_run(SftpServer::Internal, Version::V4, Version::V3);
}
