//! Compression: RFC 4253 §6.2 `zlib`, OpenSSH `zlib@openssh.com` (delayed until user
//! authentication succeeds) and `none`. One type per algorithm.
//!
//! Streams use Z_PARTIAL_FLUSH per packet as OpenSSH does; inflating is capped so a small
//! packet cannot expand without bound (ROBUSTNESS T9).

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// Largest decompressed payload accepted: OpenSSH's PACKET_MAX_SIZE.
pub const MAX_INFLATED_LEN: usize = 256 * 1024;

/// A compression algorithm.
pub trait CompressionAlgorithm: Send + Sync + 'static {
    /// Name in KEXINIT.
    fn name(&self) -> &'static str;
    /// Whether it starts only after user authentication (`zlib@openssh.com`).
    fn is_delayed(&self) -> bool;
    /// Whether it does anything (`none` does not).
    fn is_active(&self) -> bool {
        true
    }
    /// A fresh compressor (one stream per direction per key exchange).
    fn compressor(&self) -> Box<dyn Compressor>;
    /// A fresh decompressor.
    fn decompressor(&self) -> Box<dyn Decompressor>;
}

/// Compresses payloads into one continuous stream.
pub trait Compressor: Send {
    /// Appends the compressed form of `input` to `out`.
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), CompressionError>;
}

/// Decompresses payloads from one continuous stream.
pub trait Decompressor: Send {
    /// Appends the inflated form of `input` to `out`, failing if it exceeds `max` bytes.
    fn decompress(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max: usize,
    ) -> Result<(), CompressionError>;
}

/// Why (de)compression failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompressionError {
    /// The deflate stream is corrupt.
    #[error("corrupt deflate stream")]
    Corrupt,
    /// Inflating would exceed the cap.
    #[error("decompressed payload exceeds {max} bytes")]
    TooLarge {
        /// The cap.
        max: usize,
    },
    /// Compression made no progress (zlib internal error).
    #[error("compressor made no progress")]
    Stalled,
}

/// `none`.
#[derive(Clone, Copy, Debug)]
pub struct NoCompression;

/// RFC 4253 `zlib`: active from the first NEWKEYS.
#[derive(Clone, Copy, Debug)]
pub struct Zlib;

/// OpenSSH `zlib@openssh.com`: active from user authentication success.
#[derive(Clone, Copy, Debug)]
pub struct ZlibOpenssh;

/// Every compression method, in the default preference order.
pub const ALL: &[&dyn CompressionAlgorithm] = &[&NoCompression, &ZlibOpenssh, &Zlib];

/// The implemented compression method called `name`.
pub fn by_name(name: &str) -> Option<&'static dyn CompressionAlgorithm> {
    ALL.iter().copied().find(|c| c.name() == name)
}

struct Passthrough;

impl Compressor for Passthrough {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), CompressionError> {
        out.extend_from_slice(input);
        Ok(())
    }
}

impl Decompressor for Passthrough {
    fn decompress(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max: usize,
    ) -> Result<(), CompressionError> {
        if input.len() > max {
            return Err(CompressionError::TooLarge { max });
        }
        out.extend_from_slice(input);
        Ok(())
    }
}

impl CompressionAlgorithm for NoCompression {
    fn name(&self) -> &'static str {
        "none"
    }
    fn is_delayed(&self) -> bool {
        false
    }
    fn is_active(&self) -> bool {
        false
    }
    fn compressor(&self) -> Box<dyn Compressor> {
        Box::new(Passthrough)
    }
    fn decompressor(&self) -> Box<dyn Decompressor> {
        Box::new(Passthrough)
    }
}

impl CompressionAlgorithm for Zlib {
    fn name(&self) -> &'static str {
        "zlib"
    }
    fn is_delayed(&self) -> bool {
        false
    }
    fn compressor(&self) -> Box<dyn Compressor> {
        Box::new(Deflater(Compress::new(Compression::new(6), true)))
    }
    fn decompressor(&self) -> Box<dyn Decompressor> {
        Box::new(Inflater(Decompress::new(true)))
    }
}

impl CompressionAlgorithm for ZlibOpenssh {
    fn name(&self) -> &'static str {
        "zlib@openssh.com"
    }
    fn is_delayed(&self) -> bool {
        true
    }
    fn compressor(&self) -> Box<dyn Compressor> {
        Zlib.compressor()
    }
    fn decompressor(&self) -> Box<dyn Decompressor> {
        Zlib.decompressor()
    }
}

struct Deflater(Compress);
struct Inflater(Decompress);

/// Output grows in steps of this many bytes; each step is bounded by the cap.
const STEP: usize = 16 * 1024;

fn progress(before: u64, after: u64) -> usize {
    usize::try_from(after.saturating_sub(before)).unwrap_or(usize::MAX)
}

impl Compressor for Deflater {
    fn compress(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), CompressionError> {
        let mut consumed = 0usize;
        loop {
            out.reserve(STEP.max(input.len() / 2));
            let in_before = self.0.total_in();
            let out_before = self.0.total_out();
            let rest = input.get(consumed..).unwrap_or_default();
            self.0
                .compress_vec(rest, out, FlushCompress::Partial)
                .map_err(|_| CompressionError::Stalled)?;
            consumed = consumed.saturating_add(progress(in_before, self.0.total_in()));
            let produced = progress(out_before, self.0.total_out());
            // Done when all input is in and the flush left spare room in the output.
            if consumed >= input.len() && out.len() < out.capacity() {
                return Ok(());
            }
            if produced == 0 && consumed < input.len() && out.len() < out.capacity() {
                return Err(CompressionError::Stalled);
            }
        }
    }
}

impl Decompressor for Inflater {
    fn decompress(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max: usize,
    ) -> Result<(), CompressionError> {
        let start = out.len();
        let mut consumed = 0usize;
        let mut chunk = [0u8; 4096];
        // Every round either consumes input or produces output, and output is capped, so
        // the loop ends; a corrupt stream errors out of `decompress`.
        loop {
            let rest = input.get(consumed..).unwrap_or_default();
            let (in_before, out_before) = (self.0.total_in(), self.0.total_out());
            let status = self
                .0
                .decompress(rest, &mut chunk, FlushDecompress::Sync)
                .map_err(|_| CompressionError::Corrupt)?;
            let used = progress(in_before, self.0.total_in());
            let produced = progress(out_before, self.0.total_out());
            consumed = consumed.saturating_add(used);
            out.extend_from_slice(chunk.get(..produced).unwrap_or_default());
            if out.len().saturating_sub(start) > max {
                return Err(CompressionError::TooLarge { max });
            }
            if status == Status::StreamEnd {
                // SSH streams never end; a final block means a hostile or broken peer.
                return Err(CompressionError::Corrupt);
            }
            let drained = consumed >= input.len();
            if drained && produced < chunk.len() {
                return Ok(());
            }
            if used == 0 && produced == 0 {
                return if drained {
                    Ok(())
                } else {
                    Err(CompressionError::Corrupt)
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_roundtrip_across_packets() {
        let mut c = Zlib.compressor();
        let mut d = Zlib.decompressor();
        for i in 0..20u8 {
            let msg: Vec<u8> = (0..1000u32).map(|j| (j as u8) ^ i).collect();
            let mut z = Vec::new();
            c.compress(&msg, &mut z).unwrap();
            let mut out = Vec::new();
            d.decompress(&z, &mut out, MAX_INFLATED_LEN).unwrap();
            assert_eq!(out, msg);
        }
    }

    #[test]
    fn corrupt_and_oversized_streams_fail() {
        let mut d = Zlib.decompressor();
        let mut out = Vec::new();
        assert_eq!(
            d.decompress(&[0xff; 32], &mut out, MAX_INFLATED_LEN),
            Err(CompressionError::Corrupt)
        );
        let mut c = Zlib.compressor();
        let mut z = Vec::new();
        c.compress(&vec![0u8; 100_000], &mut z).unwrap();
        let mut d = Zlib.decompressor();
        let mut out = Vec::new();
        assert_eq!(
            d.decompress(&z, &mut out, 1000),
            Err(CompressionError::TooLarge { max: 1000 })
        );
        assert!(out.len() <= 1000 + 4096);
    }
}
