//! OpenSSH certificates (`*-cert-v01@openssh.com`, OpenSSH PROTOCOL.certkeys).

use ssh_wire::Reader;

use crate::KeyError;
use crate::alg::{
    ECDSA_SHA2_NISTP256, ECDSA_SHA2_NISTP384, ECDSA_SHA2_NISTP521, SSH_DSS, SSH_ED25519, SSH_RSA,
};
use crate::public::{KeyData, PublicKey};

/// Most principals accepted in one certificate: OpenSSH's `SSHKEY_CERT_MAX_PRINCIPALS`.
pub const MAX_PRINCIPALS: usize = 256;

/// Certificate type names and the plain key type each certifies.
const CERT_TYPES: [(&str, &str); 6] = [
    ("ssh-ed25519-cert-v01@openssh.com", SSH_ED25519),
    (
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        ECDSA_SHA2_NISTP256,
    ),
    (
        "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        ECDSA_SHA2_NISTP384,
    ),
    (
        "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        ECDSA_SHA2_NISTP521,
    ),
    ("ssh-rsa-cert-v01@openssh.com", SSH_RSA),
    ("ssh-dss-cert-v01@openssh.com", SSH_DSS),
];

/// Whether a certificate authenticates a user or a host (PROTOCOL.certkeys `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertType {
    /// SSH2_CERT_TYPE_USER (1).
    User,
    /// SSH2_CERT_TYPE_HOST (2).
    Host,
}

/// A parsed OpenSSH certificate.
///
/// Parsing does not check the CA signature or validity: call [`Certificate::verify_signature`]
/// and [`Certificate::validate`] (the latter does both) before trusting it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    blob: Vec<u8>,
    cert_type_name: &'static str,
    body_offset: usize,
    signed_len: usize,
    nonce: Vec<u8>,
    key: PublicKey,
    serial: u64,
    cert_type: CertType,
    key_id: String,
    principals: Vec<String>,
    valid_after: u64,
    valid_before: u64,
    critical_options: Vec<(String, Vec<u8>)>,
    extensions: Vec<(String, Vec<u8>)>,
    signature_key: PublicKey,
    signature: Vec<u8>,
}

impl Certificate {
    /// Whether `name` is a certificate key type.
    pub fn is_cert_type(name: &str) -> bool {
        name.ends_with("-cert-v01@openssh.com")
    }

    /// Parses a certificate whose type name `key_type` has been read from `r`, a reader over
    /// `blob` (the whole certificate).
    pub(crate) fn decode_after_type(
        key_type: &str,
        blob: &[u8],
        r: &mut Reader<'_>,
    ) -> Result<Self, KeyError> {
        let Some(&(cert_type_name, plain)) = CERT_TYPES.iter().find(|(c, _)| *c == key_type) else {
            return Err(KeyError::unknown_key_type(key_type));
        };
        let body_offset = r.position();
        let nonce = r.string("cert nonce")?.to_vec();
        let key = PublicKey {
            data: KeyData::decode_body(plain, r)?,
        };
        let serial = r.u64("cert serial")?;
        let cert_type = match r.u32("cert type")? {
            1 => CertType::User,
            2 => CertType::Host,
            _ => {
                return Err(KeyError::Certificate(
                    "certificate type is neither user (1) nor host (2)",
                ));
            }
        };
        let key_id = r.utf8("cert key id")?.to_owned();
        let mut principals = Vec::new();
        let mut pr = r.string_reader("cert valid principals")?;
        while !pr.is_empty() {
            if principals.len() >= MAX_PRINCIPALS {
                return Err(KeyError::Certificate("more than 256 principals"));
            }
            principals.push(pr.utf8("cert principal")?.to_owned());
        }
        let valid_after = r.u64("cert valid after")?;
        let valid_before = r.u64("cert valid before")?;
        let critical_options = decode_options(r.string_reader("cert critical options")?)?;
        let extensions = decode_options(r.string_reader("cert extensions")?)?;
        let _reserved = r.string("cert reserved")?;
        let ca_blob = r.string("cert signature key")?;
        // Refuse a certificate as CA key before parsing it, so nesting cannot recurse.
        if Reader::new(ca_blob)
            .utf8("cert signature key type")
            .is_ok_and(Certificate::is_cert_type)
        {
            return Err(KeyError::Certificate("the CA key is itself a certificate"));
        }
        let signature_key = PublicKey::from_blob(ca_blob)?;
        let signed_len = r.position();
        let signature = r.string("cert signature")?.to_vec();
        let end = r.position();
        let blob = blob.get(..end).unwrap_or_default().to_vec();
        Ok(Certificate {
            blob,
            cert_type_name,
            body_offset,
            signed_len,
            nonce,
            key,
            serial,
            cert_type,
            key_id,
            principals,
            valid_after,
            valid_before,
            critical_options,
            extensions,
            signature_key,
            signature,
        })
    }

    /// The whole certificate blob.
    pub fn blob(&self) -> &[u8] {
        &self.blob
    }

    /// Offset of the fields after the type name within [`Certificate::blob`].
    pub(crate) fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// The certificate type name (`ssh-ed25519-cert-v01@openssh.com` ...).
    pub fn cert_type_name(&self) -> &'static str {
        self.cert_type_name
    }

    /// The certified key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The CA's nonce.
    pub fn nonce(&self) -> &[u8] {
        &self.nonce
    }

    /// The serial number.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// User or host certificate.
    pub fn cert_type(&self) -> CertType {
        self.cert_type
    }

    /// The key identifier (free text chosen by the CA, logged by servers).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Principals (user or host names) the certificate is valid for; empty means any.
    pub fn principals(&self) -> &[String] {
        &self.principals
    }

    /// Start of validity, seconds since the Unix epoch.
    pub fn valid_after(&self) -> u64 {
        self.valid_after
    }

    /// End of validity (exclusive), seconds since the Unix epoch; `u64::MAX` means forever.
    pub fn valid_before(&self) -> u64 {
        self.valid_before
    }

    /// Critical options (name, data).
    pub fn critical_options(&self) -> &[(String, Vec<u8>)] {
        &self.critical_options
    }

    /// Extensions (name, data).
    pub fn extensions(&self) -> &[(String, Vec<u8>)] {
        &self.extensions
    }

    /// The CA public key that signed the certificate.
    pub fn signature_key(&self) -> &PublicKey {
        &self.signature_key
    }

    /// The CA signature blob.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Verifies the CA signature over the certificate body (everything up to the signature
    /// field) with [`Certificate::signature_key`], using the algorithm the signature names.
    pub fn verify_signature(&self) -> Result<(), KeyError> {
        let sig = crate::sig::SignatureBlob::decode(&self.signature)?;
        let signed = self.blob.get(..self.signed_len).unwrap_or_default();
        self.signature_key
            .verify(sig.algorithm, signed, &self.signature)
    }

    /// Whether `now` (seconds since the Unix epoch) lies in [valid_after, valid_before).
    pub fn is_valid_at(&self, now: u64) -> bool {
        self.valid_after <= now && now < self.valid_before
    }

    /// Full check as OpenSSH's `sshkey_cert_check_authority`: the CA signature verifies, the
    /// type is `expected`, `now` is within the validity period, and `principal` (when given)
    /// is listed (an empty list accepts any principal). Time is a parameter (sans-IO).
    pub fn validate(
        &self,
        expected: CertType,
        now: u64,
        principal: Option<&str>,
    ) -> Result<(), KeyError> {
        self.verify_signature()?;
        if self.cert_type != expected {
            return Err(KeyError::Certificate(match expected {
                CertType::Host => "not a host certificate",
                CertType::User => "not a user certificate",
            }));
        }
        if now < self.valid_after {
            return Err(KeyError::Certificate("certificate is not yet valid"));
        }
        if now >= self.valid_before {
            return Err(KeyError::Certificate("certificate has expired"));
        }
        if let Some(name) = principal {
            if !self.principals.is_empty() && !self.principals.iter().any(|p| p == name) {
                return Err(KeyError::Certificate(
                    "principal not listed in the certificate",
                ));
            }
        }
        Ok(())
    }
}

/// PROTOCOL.certkeys: critical options and extensions are `string name, string data` pairs
/// packed in a string; names must be unique and sorted (OpenSSH enforces order on read).
fn decode_options(mut r: Reader<'_>) -> Result<Vec<(String, Vec<u8>)>, KeyError> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    while !r.is_empty() {
        let name = r.utf8("cert option name")?;
        let data = r.string("cert option data")?;
        if out.last().is_some_and(|(prev, _)| prev.as_str() >= name) {
            return Err(KeyError::Certificate(
                "options are not in strictly increasing order",
            ));
        }
        out.push((name.to_owned(), data.to_vec()));
    }
    Ok(out)
}
