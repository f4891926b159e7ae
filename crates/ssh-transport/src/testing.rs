//! A minimal server role of the transport and an in-memory [`Pair`], for tests.
//!
//! The server does just enough for key exchange (every method in this crate), NEWKEYS,
//! strict kex, EXT_INFO, rekeying in both directions and carrying upper-layer payloads,
//! plus hooks to misbehave: extra packets before KEXINIT or NEWKEYS, and a byte-level
//! tamper step between the two sides.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use ssh_keys::{PrivateKey, PublicKey};
use ssh_wire::{Decode, Encode, Reader};

use crate::client::{ClientTransport, TransportEvent};
use crate::config::TransportConfig;
use crate::error::{KexError, TransportError};
use crate::kex::{DhGroup, ExchangeHash, KexFlavor, KeyLetter, SharedSecret, derive_key};
use crate::msg::MsgType;
use crate::msg::ext_info::ExtInfo;
use crate::msg::kex_dh::{DhInit, DhReply};
use crate::msg::kex_ecdh::{EcdhInit, EcdhReply};
use crate::msg::kex_gex::{GexGroup, GexInit, GexRequest};
use crate::msg::kexinit::{KexInit, NewKeys};
use crate::negotiate::{EXT_INFO_C, EXT_INFO_S, KEX_STRICT_C, KEX_STRICT_S, Negotiated, negotiate};
use crate::packet::{Opener, Protection, Sealer};
use crate::{cipher, compress, kex, mac};

/// Server settings.
pub struct ServerConfig {
    /// Identification line.
    pub version: String,
    /// Host keys; the negotiated algorithm picks one.
    pub host_keys: Vec<Arc<PrivateKey>>,
    /// Kex methods offered.
    pub kex: Vec<String>,
    /// Host key algorithms offered (default: every algorithm of every host key).
    pub host_key_algorithms: Vec<String>,
    /// Ciphers offered.
    pub ciphers: Vec<String>,
    /// MACs offered.
    pub macs: Vec<String>,
    /// Compression offered.
    pub compression: Vec<String>,
    /// Offer kex-strict-s-v00@openssh.com.
    pub strict_kex: bool,
    /// Send EXT_INFO when the client asks for it.
    pub ext_info: bool,
    /// Payloads sealed before our first KEXINIT (e.g. IGNORE).
    pub inject_before_kexinit: Vec<Vec<u8>>,
    /// Payloads sealed just before our NEWKEYS (the Terrapin prefix is an IGNORE here).
    pub inject_before_newkeys: Vec<Vec<u8>>,
    /// Lines sent before the identification.
    pub banner_lines: Vec<String>,
    /// Hostile: flip a bit of the exchange hash before signing (ROBUSTNESS K6).
    pub corrupt_signature: bool,
    /// Hostile: sign with this algorithm instead of the negotiated one (K6).
    pub signature_algorithm: Option<String>,
    /// Hostile: present and sign with this key whatever was negotiated (K7).
    pub reply_key: Option<Arc<PrivateKey>>,
    /// OpenSSH host certificates (PROTOCOL.certkeys) over keys in `host_keys`; a negotiated
    /// `-cert-v01@openssh.com` algorithm presents the matching one as K_S.
    pub host_certificates: Vec<PublicKey>,
    /// Set first_kex_packet_follows in our first KEXINIT and send this payload right after
    /// it as the (wrong) guessed kex packet, which the client must discard (RFC 4253 §7).
    pub wrong_guess_packet: Option<Vec<u8>>,
}

impl ServerConfig {
    /// A server with one fresh ed25519 host key offering everything this crate implements.
    pub fn new() -> Self {
        let key = generate_key(ssh_keys::KeyKind::Ed25519);
        let names = |v: Vec<&'static str>| v.into_iter().map(str::to_owned).collect();
        let mut s = Self {
            version: "SSH-2.0-TestServer_1.0".into(),
            host_keys: key.into_iter().map(Arc::new).collect(),
            kex: names(kex::ALL.iter().map(|k| k.name()).collect()),
            host_key_algorithms: Vec::new(),
            ciphers: names(cipher::ALL.iter().map(|c| c.name()).collect()),
            macs: names(mac::ALL.iter().map(|m| m.name()).collect()),
            compression: names(compress::ALL.iter().map(|c| c.name()).collect()),
            strict_kex: true,
            ext_info: true,
            inject_before_kexinit: Vec::new(),
            inject_before_newkeys: Vec::new(),
            banner_lines: Vec::new(),
            corrupt_signature: false,
            signature_algorithm: None,
            reply_key: None,
            host_certificates: Vec::new(),
            wrong_guess_packet: None,
        };
        s.host_key_algorithms = s.all_host_key_algorithms();
        s
    }

    /// Replaces the host keys (and the offered host key algorithms).
    pub fn with_host_key(mut self, key: Arc<PrivateKey>) -> Self {
        self.host_keys = vec![key];
        self.host_key_algorithms = self.all_host_key_algorithms();
        self
    }

    /// Adds a host certificate over one of `host_keys` and offers its `-cert-v01` algorithms
    /// ahead of the plain ones (as sshd orders them).
    pub fn with_host_certificate(mut self, certificate: PublicKey) -> Self {
        let mut algs: Vec<String> = certificate
            .key_algorithms()
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        algs.append(&mut self.host_key_algorithms);
        self.host_key_algorithms = algs;
        self.host_certificates.push(certificate);
        self
    }

    /// The private key and K_S blob for the negotiated host key algorithm: a certificate's
    /// blob for a `-cert-v01` name, else the plain key's.
    fn host_key_for(&self, algorithm: &str) -> Option<(Arc<PrivateKey>, Vec<u8>)> {
        if let Some(cert) = self
            .host_certificates
            .iter()
            .find(|c| c.key_algorithms().contains(&algorithm))
        {
            let key = self
                .host_keys
                .iter()
                .find(|k| k.public() == cert.plain_key())?;
            return Some((key.clone(), cert.to_blob()));
        }
        let key = self
            .host_keys
            .iter()
            .find(|k| k.public_key().signature_algorithms().contains(&algorithm))?;
        Some((key.clone(), key.public_key().to_blob()))
    }

    fn all_host_key_algorithms(&self) -> Vec<String> {
        self.host_keys
            .iter()
            .flat_map(|k| {
                k.public_key()
                    .signature_algorithms()
                    .iter()
                    .map(|s| (*s).to_owned())
            })
            .collect()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// Generates a key with the OS RNG.
pub fn generate_key(kind: ssh_keys::KeyKind) -> Option<PrivateKey> {
    let mut rng = ssh_keys::rand_core::UnwrapErr(ssh_keys::getrandom::SysRng);
    PrivateKey::generate(kind, &mut rng).ok()
}

/// What the in-memory server saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEvent {
    /// A key exchange finished (count so far).
    KexDone(u32),
    /// An upper-layer payload from the client.
    Payload(Vec<u8>),
    /// A DISCONNECT from the client.
    Disconnect(u32),
    /// UNIMPLEMENTED from the client.
    Unimplemented(u32),
}

enum SPhase {
    WaitKexInit {
        ours: Vec<u8>,
        cause_initial: bool,
    },
    WaitKexMsg {
        ours: Vec<u8>,
        theirs: Vec<u8>,
        neg: Negotiated,
        gex: Option<(GexRequest, DhGroup)>,
    },
    WaitNewKeys {
        s2c_in: Protection,
        neg: Negotiated,
    },
    Established,
    Dead,
}

/// The server side of the transport (test-only quality: no timers, simple errors).
pub struct ServerTransport {
    cfg: ServerConfig,
    phase: SPhase,
    rbuf: Vec<u8>,
    dbuf: Vec<u8>,
    /// Bytes to send to the client.
    pub out: Vec<u8>,
    opener: Opener,
    sealer: Sealer,
    client_version: Option<String>,
    session_id: Option<Vec<u8>>,
    strict: bool,
    client_ext_info: bool,
    kex_count: u32,
    /// Events for the test.
    pub events: VecDeque<ServerEvent>,
    /// Upper-layer payloads held back while a kex runs.
    held: VecDeque<Vec<u8>>,
    /// The error that stopped the server, if any.
    pub error: Option<String>,
    /// Host key blob in use.
    pub host_key_blob: Option<Vec<u8>>,
}

impl ServerTransport {
    /// Starts: identification (and banner lines), injected packets and our KEXINIT.
    pub fn new(cfg: ServerConfig) -> Self {
        let mut s = Self {
            cfg,
            phase: SPhase::Dead,
            rbuf: Vec::new(),
            dbuf: Vec::new(),
            out: Vec::new(),
            opener: Opener::new(),
            sealer: Sealer::new(),
            client_version: None,
            session_id: None,
            strict: false,
            client_ext_info: false,
            kex_count: 0,
            events: VecDeque::new(),
            held: VecDeque::new(),
            error: None,
            host_key_blob: None,
        };
        for line in &s.cfg.banner_lines {
            s.out.extend_from_slice(line.as_bytes());
            s.out.extend_from_slice(b"\r\n");
        }
        s.out.extend_from_slice(s.cfg.version.as_bytes());
        s.out.extend_from_slice(b"\r\n");
        for p in std::mem::take(&mut s.cfg.inject_before_kexinit) {
            s.seal(&p);
        }
        let ours = s.kexinit(true);
        s.seal(&ours);
        if let Some(guess) = s.cfg.wrong_guess_packet.take() {
            s.seal(&guess);
        }
        s.phase = SPhase::WaitKexInit {
            ours,
            cause_initial: true,
        };
        s
    }

    /// Seals any payload with the current keys (for hostile tests).
    pub fn seal(&mut self, payload: &[u8]) {
        let _ = self.sealer.seal(payload, &mut self.out);
    }

    /// Sends an upper-layer payload (held while a kex runs).
    pub fn send(&mut self, payload: &[u8]) {
        if matches!(self.phase, SPhase::Established) {
            self.seal(payload);
        } else {
            self.held.push_back(payload.to_vec());
        }
    }

    /// Starts a server-initiated rekey.
    pub fn request_rekey(&mut self) {
        if matches!(self.phase, SPhase::Established) {
            let ours = self.kexinit(false);
            self.seal(&ours);
            self.phase = SPhase::WaitKexInit {
                ours,
                cause_initial: false,
            };
        }
    }

    /// Whether strict kex is in force.
    pub fn strict_kex(&self) -> bool {
        self.strict
    }

    /// Completed key exchanges.
    pub fn kex_count(&self) -> u32 {
        self.kex_count
    }

    /// Sequence numbers (send, receive).
    pub fn sequence_numbers(&self) -> (u32, u32) {
        (self.sealer.seq, self.opener.seq)
    }

    fn kexinit(&self, initial: bool) -> Vec<u8> {
        let mut cookie = [0u8; 16];
        let _ = kex::random(&mut cookie);
        let mut kex_algorithms = self.cfg.kex.clone();
        if initial {
            if self.cfg.ext_info {
                kex_algorithms.push(EXT_INFO_S.into());
            }
            if self.cfg.strict_kex {
                kex_algorithms.push(KEX_STRICT_S.into());
            }
        }
        KexInit {
            cookie,
            kex_algorithms,
            server_host_key_algorithms: self.cfg.host_key_algorithms.clone(),
            encryption_algorithms_client_to_server: self.cfg.ciphers.clone(),
            encryption_algorithms_server_to_client: self.cfg.ciphers.clone(),
            mac_algorithms_client_to_server: self.cfg.macs.clone(),
            mac_algorithms_server_to_client: self.cfg.macs.clone(),
            compression_algorithms_client_to_server: self.cfg.compression.clone(),
            compression_algorithms_server_to_client: self.cfg.compression.clone(),
            languages_client_to_server: Vec::new(),
            languages_server_to_client: Vec::new(),
            first_kex_packet_follows: initial && self.cfg.wrong_guess_packet.is_some(),
            reserved: 0,
        }
        .to_bytes()
    }

    /// Feeds bytes from the client.
    pub fn handle_input(&mut self, data: &[u8]) {
        self.rbuf.extend_from_slice(data);
        while self.error.is_none() {
            match self.step() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.error = Some(e);
                    self.phase = SPhase::Dead;
                }
            }
        }
    }

    fn step(&mut self) -> Result<bool, String> {
        if matches!(self.phase, SPhase::Dead) {
            return Ok(false);
        }
        if self.client_version.is_none() {
            let Some(nl) = self.rbuf.iter().position(|&b| b == b'\n') else {
                return Ok(false);
            };
            let line: Vec<u8> = self.rbuf.drain(..=nl).collect();
            let line = String::from_utf8_lossy(&line).trim_end().to_owned();
            if line.starts_with("SSH-") {
                self.client_version = Some(line);
            }
            return Ok(true);
        }
        let Some(opened) = self
            .opener
            .open(&mut self.rbuf, &mut self.dbuf)
            .map_err(|e| e.to_string())?
        else {
            return Ok(false);
        };
        let payload = if opened.decompressed {
            self.dbuf.get(opened.payload.clone())
        } else {
            self.rbuf.get(opened.payload.clone())
        }
        .unwrap_or_default()
        .to_vec();
        self.rbuf.drain(..opened.consumed);
        self.handle_packet(&payload)?;
        Ok(true)
    }

    fn handle_packet(&mut self, payload: &[u8]) -> Result<(), String> {
        let ty = MsgType(payload.first().copied().unwrap_or(0));
        match ty {
            MsgType::DISCONNECT => {
                let d = crate::msg::generic::Disconnect::from_bytes(payload)
                    .map_err(|e| e.to_string())?;
                self.events.push_back(ServerEvent::Disconnect(d.reason.0));
                self.phase = SPhase::Dead;
                return Ok(());
            }
            MsgType::IGNORE | MsgType::DEBUG => return Ok(()),
            MsgType::UNIMPLEMENTED => {
                let u = crate::msg::generic::Unimplemented::from_bytes(payload)
                    .map_err(|e| e.to_string())?;
                self.events.push_back(ServerEvent::Unimplemented(u.seq));
                return Ok(());
            }
            _ => {}
        }
        let phase = std::mem::replace(&mut self.phase, SPhase::Dead);
        self.phase = match phase {
            SPhase::Established if ty == MsgType::KEXINIT => {
                let ours = self.kexinit(false);
                self.seal(&ours);
                self.on_kexinit(ours, payload, false)?
            }
            SPhase::Established => {
                self.events
                    .push_back(ServerEvent::Payload(payload.to_vec()));
                SPhase::Established
            }
            SPhase::WaitKexInit {
                ours,
                cause_initial,
            } if ty == MsgType::KEXINIT => self.on_kexinit(ours, payload, cause_initial)?,
            SPhase::WaitKexInit {
                ours,
                cause_initial,
            } => {
                // Before the client's KEXINIT of a rekey, data still flows.
                if !cause_initial && ty.0 >= 50 {
                    self.events
                        .push_back(ServerEvent::Payload(payload.to_vec()));
                    SPhase::WaitKexInit {
                        ours,
                        cause_initial,
                    }
                } else {
                    return Err(format!("unexpected {ty:?} waiting for KEXINIT"));
                }
            }
            SPhase::WaitKexMsg {
                ours,
                theirs,
                neg,
                gex,
            } => self.on_kex_msg(ours, theirs, neg, gex, ty, payload)?,
            SPhase::WaitNewKeys { s2c_in, neg } => {
                if ty != MsgType::NEWKEYS {
                    return Err(format!("unexpected {ty:?} waiting for NEWKEYS"));
                }
                self.opener.rekey(s2c_in);
                if self.strict {
                    self.opener.seq = 0;
                }
                let c = neg.compression_c2s;
                self.opener
                    .set_decompressor((c.is_active() && !c.is_delayed()).then(|| c.decompressor()));
                self.kex_count = self.kex_count.saturating_add(1);
                self.events.push_back(ServerEvent::KexDone(self.kex_count));
                while let Some(p) = self.held.pop_front() {
                    self.seal(&p);
                }
                SPhase::Established
            }
            SPhase::Dead => return Err("dead".into()),
        };
        Ok(())
    }

    fn on_kexinit(
        &mut self,
        ours: Vec<u8>,
        payload: &[u8],
        initial: bool,
    ) -> Result<SPhase, String> {
        let theirs = KexInit::from_bytes(payload).map_err(|e| e.to_string())?;
        let our = KexInit::from_bytes(&ours).map_err(|e| e.to_string())?;
        if initial {
            self.strict =
                self.cfg.strict_kex && theirs.kex_algorithms.iter().any(|n| n == KEX_STRICT_C);
            self.client_ext_info = theirs.kex_algorithms.iter().any(|n| n == EXT_INFO_C);
        }
        let neg = negotiate(&theirs, &our).map_err(|e| e.to_string())?;
        Ok(SPhase::WaitKexMsg {
            ours,
            theirs: payload.to_vec(),
            neg,
            gex: None,
        })
    }

    fn on_kex_msg(
        &mut self,
        ours: Vec<u8>,
        theirs: Vec<u8>,
        neg: Negotiated,
        gex: Option<(GexRequest, DhGroup)>,
        ty: MsgType,
        payload: &[u8],
    ) -> Result<SPhase, String> {
        let e2s = |e: TransportError| e.to_string();
        let k2s = |e: KexError| e.to_string();
        let d2s = |e: ssh_wire::DecodeError| e.to_string();
        if neg.kex.flavor() == KexFlavor::GroupExchange && gex.is_none() {
            let req = GexRequest::from_bytes(payload).map_err(d2s)?;
            let group = crate::kex::dh_builtin_group(req.n).ok_or("no group")?;
            let msg = GexGroup {
                p: ssh_wire::Mpint::from_magnitude(&group.p.to_bytes_be()),
                g: ssh_wire::Mpint::from_magnitude(&group.g.to_bytes_be()),
            }
            .to_bytes();
            self.seal(&msg);
            return Ok(SPhase::WaitKexMsg {
                ours,
                theirs,
                neg,
                gex: Some((req, group)),
            });
        }
        let client_version = self.client_version.clone().unwrap_or_default();
        let mut h = ExchangeHash::new(
            client_version.as_bytes(),
            self.cfg.version.as_bytes(),
            &theirs,
            &ours,
        );
        let (key, k_s) = match &self.cfg.reply_key {
            Some(k) => (k.clone(), k.public_key().to_blob()),
            None => self
                .cfg
                .host_key_for(neg.host_key)
                .ok_or("no host key for the negotiated algorithm")?,
        };
        let (reply_public, k): (Vec<u8>, SharedSecret) = match neg.kex.flavor() {
            KexFlavor::Ecdh => {
                let init = EcdhInit::from_bytes(payload).map_err(d2s)?;
                let (q_s, k) = neg.kex.server_agree(None, init.q_c).map_err(k2s)?;
                h.string(&k_s).string(init.q_c).string(&q_s);
                (q_s, k)
            }
            KexFlavor::Dh => {
                let init = DhInit::from_bytes(payload).map_err(d2s)?;
                let (f, k) = neg
                    .kex
                    .server_agree(None, init.e.magnitude())
                    .map_err(k2s)?;
                h.string(&k_s).mpint(init.e.magnitude()).mpint(&f);
                (f, k)
            }
            KexFlavor::GroupExchange => {
                if ty != MsgType::KEX_DH_GEX_INIT {
                    return Err(format!("unexpected {ty:?} in group exchange"));
                }
                let init = GexInit::from_bytes(payload).map_err(d2s)?;
                let (req, group) = gex.as_ref().ok_or("no group")?;
                let (f, k) = neg
                    .kex
                    .server_agree(Some(group), init.e.magnitude())
                    .map_err(k2s)?;
                h.string(&k_s)
                    .u32(req.min)
                    .u32(req.n)
                    .u32(req.max)
                    .mpint(&group.p.to_bytes_be())
                    .mpint(&group.g.to_bytes_be())
                    .mpint(init.e.magnitude())
                    .mpint(&f);
                (f, k)
            }
        };
        h.raw(k.encoded());
        let exchange_hash = h.finish(neg.kex.hash());
        let mut signed = exchange_hash.clone();
        if self.cfg.corrupt_signature
            && let Some(b) = signed.first_mut()
        {
            *b ^= 1;
        }
        let sig_alg = self.cfg.signature_algorithm.clone().unwrap_or_else(|| {
            // PROTOCOL.certkeys: a certificate signs with its key's plain algorithm.
            PublicKey::signature_algorithm_for(neg.host_key)
                .unwrap_or(neg.host_key)
                .to_owned()
        });
        let signature = key.sign(&sig_alg, &signed).map_err(|e| e.to_string())?;
        let reply = match neg.kex.flavor() {
            KexFlavor::Ecdh => EcdhReply {
                k_s: &k_s,
                q_s: &reply_public,
                signature: &signature,
            }
            .to_bytes(),
            flavor => DhReply {
                msg_type: if flavor == KexFlavor::GroupExchange {
                    MsgType::KEX_DH_GEX_REPLY
                } else {
                    MsgType::KEX_31
                },
                k_s: &k_s,
                f: ssh_wire::Mpint::from_magnitude(&reply_public),
                signature: &signature,
            }
            .to_bytes(),
        };
        self.seal(&reply);
        self.host_key_blob = Some(k_s);
        if self.session_id.is_none() {
            self.session_id = Some(exchange_hash.clone());
        }
        let sid = self.session_id.clone().unwrap_or_default();
        let hash = neg.kex.hash();
        let dk = |letter, len| derive_key(hash, &k, &exchange_hash, letter, &sid, len);
        let make = |c: &'static dyn cipher::CipherAlgorithm,
                    m: Option<&'static dyn mac::MacAlgorithm>,
                    iv,
                    enc,
                    integ,
                    encrypt: bool|
         -> Result<Protection, String> {
            let ivb = dk(iv, c.iv_len());
            let kb = dk(enc, c.key_len());
            let dc = if encrypt {
                c.encryptor(&kb, &ivb)
            } else {
                c.decryptor(&kb, &ivb)
            }
            .ok_or("cipher key")?;
            let mi = match m {
                Some(m) => Some(m.instance(&dk(integ, m.key_len())).ok_or("mac key")?),
                None => None,
            };
            Ok(Protection::new(c, dc, m, mi))
        };
        let s2c = make(
            neg.cipher_s2c,
            neg.mac_s2c,
            KeyLetter::IvServerToClient,
            KeyLetter::EncServerToClient,
            KeyLetter::MacServerToClient,
            true,
        )?;
        let c2s = make(
            neg.cipher_c2s,
            neg.mac_c2s,
            KeyLetter::IvClientToServer,
            KeyLetter::EncClientToServer,
            KeyLetter::MacClientToServer,
            false,
        )?;
        for p in std::mem::take(&mut self.cfg.inject_before_newkeys) {
            self.seal(&p);
        }
        self.seal(&NewKeys.to_bytes());
        self.sealer.rekey(s2c);
        if self.strict {
            self.sealer.seq = 0;
        }
        let c = neg.compression_s2c;
        self.sealer
            .set_compressor((c.is_active() && !c.is_delayed()).then(|| c.compressor()));
        if self.kex_count == 0 && self.client_ext_info && self.cfg.ext_info {
            let algs: Vec<&str> = self
                .cfg
                .host_keys
                .iter()
                .flat_map(|k| k.public_key().signature_algorithms().iter().copied())
                .collect();
            let info = ExtInfo {
                extensions: vec![("server-sig-algs".into(), algs.join(",").into_bytes())],
            };
            self.seal(&info.to_bytes());
        }
        let _ = e2s;
        Ok(SPhase::WaitNewKeys { s2c_in: c2s, neg })
    }
}

/// Which way bytes travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Client to server.
    ToServer,
    /// Server to client.
    ToClient,
}

/// A tamper step: may rewrite the bytes in flight.
pub type Tamper = Box<dyn FnMut(Direction, &mut Vec<u8>)>;

/// Client events, owned (payloads copied) for assertions.
#[derive(Clone, Debug)]
pub enum ClientEvent {
    /// Host key shown (and auto-accepted when the pair is set to).
    HostKey(String),
    /// A kex finished.
    KexDone(crate::client::KexCause),
    /// An upper-layer payload.
    Payload(Vec<u8>),
    /// EXT_INFO.
    ExtInfo(ExtInfo),
    /// DEBUG.
    Debug(String),
    /// UNIMPLEMENTED.
    Unimplemented(u32),
    /// The connection ended.
    Closed(TransportError),
}

/// A client and a server shuttling bytes in memory.
pub struct Pair {
    /// The client under test.
    pub client: ClientTransport,
    /// The peer.
    pub server: ServerTransport,
    /// What the client reported.
    pub client_events: Vec<ClientEvent>,
    /// Accept the host key when asked.
    pub accept_host_key: bool,
    /// Optional tamper step.
    pub tamper: Option<Tamper>,
    /// Deliver bytes in chunks of this size (exercises arbitrary splits).
    pub chunk: usize,
    /// Deliver through [`ClientTransport::recv_buffer`] and
    /// [`ClientTransport::handle_received`] instead of `handle_input`.
    pub read_into: bool,
    /// The clock given to the client.
    pub now: Instant,
}

impl Pair {
    /// A pair with default configs.
    pub fn new(client: TransportConfig, server: ServerConfig) -> Self {
        let now = Instant::now();
        Self {
            client: ClientTransport::new(client, now),
            server: ServerTransport::new(server),
            client_events: Vec::new(),
            accept_host_key: true,
            tamper: None,
            chunk: usize::MAX,
            read_into: false,
            now,
        }
    }

    /// Shuttles bytes until neither side has anything to say (bounded rounds).
    pub fn run(&mut self) {
        for _ in 0..10_000 {
            let mut progressed = false;
            let mut to_server = Vec::new();
            self.client.poll_transmit(&mut to_server);
            if !to_server.is_empty() {
                progressed = true;
                if let Some(t) = self.tamper.as_mut() {
                    t(Direction::ToServer, &mut to_server);
                }
                self.server.handle_input(&to_server);
            }
            let mut to_client = std::mem::take(&mut self.server.out);
            if !to_client.is_empty() {
                progressed = true;
                if let Some(t) = self.tamper.as_mut() {
                    t(Direction::ToClient, &mut to_client);
                }
                let chunk = self.chunk.max(1);
                for piece in to_client.chunks(chunk) {
                    if self.read_into {
                        let room = self.client.recv_buffer(piece.len());
                        let n = ssh_wire::copy::copy_bytes(room, piece);
                        let _ = self.client.handle_received(n);
                    } else {
                        let _ = self.client.handle_input(piece);
                    }
                    progressed |= self.drain_client();
                }
            }
            progressed |= self.drain_client();
            if !progressed {
                break;
            }
        }
    }

    fn drain_client(&mut self) -> bool {
        let mut any = false;
        loop {
            let ev = match self.client.poll_event() {
                None => break,
                Some(TransportEvent::HostKey(info)) => {
                    let fp = info.fingerprint.clone();
                    if self.accept_host_key {
                        let _ = self.client.accept_host_key();
                    } else {
                        self.client.reject_host_key();
                    }
                    ClientEvent::HostKey(fp)
                }
                Some(TransportEvent::KexDone { cause }) => ClientEvent::KexDone(cause),
                Some(TransportEvent::Payload(p)) => ClientEvent::Payload(p.to_vec()),
                Some(TransportEvent::ExtInfo(i)) => ClientEvent::ExtInfo(i),
                Some(TransportEvent::Debug { message, .. }) => ClientEvent::Debug(message),
                Some(TransportEvent::Unimplemented { seq }) => ClientEvent::Unimplemented(seq),
                Some(TransportEvent::Closed(e)) => ClientEvent::Closed(e),
            };
            any = true;
            self.client_events.push(ev);
        }
        any
    }

    /// Count of client KexDone events.
    pub fn client_kex_count(&self) -> usize {
        self.client_events
            .iter()
            .filter(|e| matches!(e, ClientEvent::KexDone(_)))
            .count()
    }

    /// The client's payloads received so far.
    pub fn client_payloads(&self) -> Vec<Vec<u8>> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Payload(p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Reads the message type of a payload.
pub fn msg_type(payload: &[u8]) -> Option<u8> {
    Reader::new(payload).u8("msg_type").ok()
}
