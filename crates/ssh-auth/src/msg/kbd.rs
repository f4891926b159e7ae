use ssh_wire::{Decode, DecodeError, DecodeErrorKind, Encode, Reader, Writer};

use super::{MsgType, expect_type, text};

/// Most prompts accepted in one `SSH_MSG_USERAUTH_INFO_REQUEST` (or responses in one
/// `SSH_MSG_USERAUTH_INFO_RESPONSE`). PAM stacks ask one to three questions per round;
/// OpenSSH's server caps at 100 (`auth2-chall.c`); 256 is ample.
pub const MAX_KBD_PROMPTS: usize = 256;

/// Smallest wire size of one prompt: an empty `string` (4 bytes) and a `boolean` (1 byte).
/// A count larger than `remaining / 5` cannot be honest and is rejected before allocating.
const MIN_PROMPT_LEN: usize = 5;
/// Smallest wire size of one response: an empty `string`.
const MIN_RESPONSE_LEN: usize = 4;

/// One prompt of an INFO_REQUEST (RFC 4256 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KbdPrompt<'a> {
    /// `prompt[i]`.
    pub prompt: &'a str,
    /// `echo[i]`: whether the response may be shown while typed.
    pub echo: bool,
}

/// RFC 4256 §3.2: `byte SSH_MSG_USERAUTH_INFO_REQUEST, string name, string instruction,
/// string language tag, int num-prompts, (string prompt[i], boolean echo[i])*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfoRequest<'a> {
    /// `name` (e.g. "CRYPTOCard Authentication").
    pub name: &'a str,
    /// `instruction`.
    pub instruction: &'a str,
    /// `language tag` (deprecated, usually empty).
    pub language: &'a str,
    /// The prompts, at most [`MAX_KBD_PROMPTS`].
    pub prompts: Vec<KbdPrompt<'a>>,
}

/// RFC 4256 §3.4: `byte SSH_MSG_USERAUTH_INFO_RESPONSE, int num-responses,
/// string response[i]*` (UTF-8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfoResponse<'a> {
    /// One response per prompt, in order.
    pub responses: Vec<&'a str>,
}

impl Encode for InfoRequest<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::USERAUTH_60.0)
            .string(self.name.as_bytes())
            .string(self.instruction.as_bytes())
            .string(self.language.as_bytes())
            .u32(count_u32(self.prompts.len()));
        for p in &self.prompts {
            w.string(p.prompt.as_bytes()).bool(p.echo);
        }
    }
}

impl<'a> Decode<'a> for InfoRequest<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::USERAUTH_60)?;
        let name = text(r, "name")?;
        let instruction = text(r, "instruction")?;
        let language = text(r, "language_tag")?;
        let count = bounded_count(r, MIN_PROMPT_LEN, "num_prompts")?;
        let mut prompts = Vec::with_capacity(count);
        for _ in 0..count {
            prompts.push(KbdPrompt {
                prompt: text(r, "prompt")?,
                echo: r.bool("echo")?,
            });
        }
        Ok(Self {
            name,
            instruction,
            language,
            prompts,
        })
    }
}

impl Encode for InfoResponse<'_> {
    fn encode(&self, w: &mut Writer<'_>) {
        w.u8(MsgType::USERAUTH_INFO_RESPONSE.0)
            .u32(count_u32(self.responses.len()));
        for resp in &self.responses {
            w.string(resp.as_bytes());
        }
    }
}

impl<'a> Decode<'a> for InfoResponse<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        expect_type(r, MsgType::USERAUTH_INFO_RESPONSE)?;
        let count = bounded_count(r, MIN_RESPONSE_LEN, "num_responses")?;
        let mut responses = Vec::with_capacity(count);
        for _ in 0..count {
            responses.push(text(r, "response")?);
        }
        Ok(Self { responses })
    }
}

/// Reads a `uint32` element count and checks it against [`MAX_KBD_PROMPTS`] and against
/// the bytes left (each element needs at least `min_len`), before anything is allocated.
fn bounded_count(
    r: &mut Reader<'_>,
    min_len: usize,
    field: &'static str,
) -> Result<usize, DecodeError> {
    let at = r.position();
    let raw = r.u32(field)?;
    let count = usize::try_from(raw).unwrap_or(usize::MAX);
    let fits = r.remaining() / min_len;
    if count > MAX_KBD_PROMPTS {
        return Err(DecodeError::new(
            DecodeErrorKind::TooLong {
                len: count,
                max: MAX_KBD_PROMPTS,
            },
            field,
            at,
        ));
    }
    if count > fits {
        return Err(DecodeError::new(
            DecodeErrorKind::Truncated {
                needed: count.saturating_mul(min_len),
                remaining: r.remaining(),
            },
            field,
            at,
        ));
    }
    Ok(count)
}

/// Counts we encode come from decoded or locally built lists capped far below 2^32.
fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
