//! Bodies of the cargo-fuzz targets (always compiled so they build and lint with the crate;
//! the tests run them over random inputs).

use ssh_wire::{Decode, Encode};

use crate::agent::{AgentRequest, AgentResponse};
use crate::msg::{
    Banner, Failure, InfoRequest, InfoResponse, PasswdChangeReq, PkOk, ServiceAccept,
    ServiceRequest, UserauthRequest,
};
use crate::{AuthClient, AuthConfig, AuthMode};

/// Decodes `data` as every userauth message; whatever decodes must re-encode to exactly the
/// same bytes (booleans are read leniently, so only inputs whose booleans are 0/1 are
/// compared). Then feeds `data`, split at NUL-free boundaries, to a client in every mode.
pub fn userauth_msgs(data: &[u8]) {
    round_trip::<UserauthRequest<'_>>(data);
    round_trip::<Failure<'_>>(data);
    round_trip::<Banner<'_>>(data);
    round_trip::<PkOk<'_>>(data);
    round_trip::<PasswdChangeReq<'_>>(data);
    round_trip::<InfoRequest<'_>>(data);
    round_trip::<InfoResponse<'_>>(data);
    round_trip::<ServiceRequest<'_>>(data);
    round_trip::<ServiceAccept<'_>>(data);

    for mode in [
        AuthMode::None,
        AuthMode::Password,
        AuthMode::KeyboardInteractive,
        AuthMode::MultiFactor,
        AuthMode::Custom,
    ] {
        let mut config = AuthConfig::new("fuzz", mode).with_password("pw");
        config.keyboard_interactive = true;
        let Ok(mut client) = AuthClient::new(config, b"session", None) else {
            continue;
        };
        // A plausible prefix so the fuzzer reaches the deeper states.
        let _ = client.handle_payload(b"\x06\x00\x00\x00\x0cssh-userauth");
        for chunk in split_messages(data) {
            if client.handle_payload(chunk).is_err() {
                break;
            }
            while client.poll_payload().is_some() {}
            while client.poll_event().is_some() {}
            let _ = client.send_prompt_responses();
        }
    }
}

/// Decodes `data` as agent requests and responses; decoded values re-encode to the input.
pub fn agent_msgs(data: &[u8]) {
    round_trip::<AgentRequest<'_>>(data);
    if let Ok(resp) = AgentResponse::from_bytes(data) {
        if !matches!(resp, AgentResponse::Other(_)) {
            assert_eq!(resp.to_bytes(), data);
        }
    }
}

/// Runs the custom-auth helpers on `data`: hex round trip, and `get_ssh_param` with field
/// lists taken from the input must not panic; values read back through `set_ssh_param`
/// reproduce the field.
pub fn custom_auth_packet(data: &[u8]) {
    use crate::custom::{decode_packet, encode_packet, get_ssh_param, set_ssh_param};
    let hex = encode_packet(data);
    assert_eq!(decode_packet(&hex).ok().as_deref(), Some(data));
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decode_packet(text);
    }
    for ty in ["s", "sb", "m", "i", "l", "b", "f"] {
        let field = format!("%{ty}");
        if let Ok(value) = get_ssh_param(data, &field) {
            let rebuilt = set_ssh_param(data.get(..1).unwrap_or_default(), ty, &value);
            if ty != "s" && ty != "f" && ty != "m" {
                let rebuilt = rebuilt.ok();
                let again = rebuilt
                    .as_deref()
                    .and_then(|p| get_ssh_param(p, &field).ok());
                assert_eq!(again.as_deref(), Some(value.as_str()));
            }
        }
    }
    for name in [
        "ChannelId",
        "RequestType",
        "WantsReply",
        "Command",
        "X11ScreenNumber",
    ] {
        let _ = get_ssh_param(data, name);
    }
}

fn round_trip<'a, T: Decode<'a> + Encode>(data: &'a [u8]) {
    if let Ok(v) = T::from_bytes(data) {
        let again = v.to_bytes();
        if again != data {
            // Only lenient booleans may differ: same length, differing bytes non-zero in input.
            assert_eq!(again.len(), data.len(), "re-encoding changed the length");
            for (a, b) in again.iter().zip(data) {
                assert!(a == b || (*a == 1 && *b > 1), "re-encoding changed a byte");
            }
        }
    }
}

/// Splits fuzz input into messages: each starts with a u16 length.
fn split_messages(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let Some((len, rest)) = data.split_first_chunk::<2>() {
        let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
        let (msg, tail) = rest.split_at(len);
        out.push(msg);
        data = tail;
    }
    out
}
