//! proptest round trips for every codec, and the fuzz bodies over random input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use ssh_auth::agent::{AgentRequest, AgentResponse};
use ssh_auth::custom::{get_ssh_param, get_ssh_param_bytes, set_ssh_param};
use ssh_auth::fuzzing;
use ssh_auth::msg::{
    Banner, Failure, InfoRequest, InfoResponse, KbdPrompt, MethodRequest, PasswdChangeReq, PkOk,
    ServiceAccept, ServiceRequest, UserauthRequest,
};
use ssh_wire::{Decode, Encode, Reader};

fn text() -> impl Strategy<Value = String> {
    ".{0,40}"
}

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9@.-]{1,20}"
}

fn check<'a, T: Decode<'a> + Encode + PartialEq + std::fmt::Debug>(v: &T, bytes: &'a [u8]) {
    assert_eq!(&T::from_bytes(bytes).unwrap(), v);
    assert_eq!(v.to_bytes(), bytes);
}

proptest! {
    #[test]
    fn userauth_request_round_trip(
        user in text(), service in text(), pw in text(), new in text(), alg in name(),
        blob in proptest::collection::vec(any::<u8>(), 0..64),
        sig in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        other in "[a-z]{1,8}@x", data in proptest::collection::vec(any::<u8>(), 0..16),
        which in 0..6u8,
    ) {
        let method = match which {
            0 => MethodRequest::None,
            1 => MethodRequest::Password { password: &pw },
            2 => MethodRequest::PasswordChange { old: &pw, new: &new },
            3 => MethodRequest::PublicKey { algorithm: &alg, public_key: &blob, signature: sig.as_deref() },
            4 => MethodRequest::KeyboardInteractive { language: &pw, submethods: &new },
            _ => MethodRequest::Other { name: &other, data: &data },
        };
        let req = UserauthRequest { user: &user, service: &service, method };
        let bytes = req.to_bytes();
        check(&req, &bytes);
        if which != 5 {
            let mut t = bytes.clone();
            t.push(0);
            prop_assert!(UserauthRequest::from_bytes(&t).is_err());
        }
    }

    #[test]
    fn server_messages_round_trip(
        a in text(), b in text(), c in text(), partial in any::<bool>(),
        methods in proptest::collection::vec(name(), 0..5),
        blob in proptest::collection::vec(any::<u8>(), 0..64),
        prompts in proptest::collection::vec((text(), any::<bool>()), 0..5),
    ) {
        let list = methods.join(",");
        let mut fbytes = vec![0x33];
        ssh_wire::Writer::new(&mut fbytes).string(list.as_bytes()).bool(partial);
        let f = Failure::from_bytes(&fbytes).unwrap();
        prop_assert_eq!(f.methods.as_str(), list.as_str());
        prop_assert_eq!(f.partial_success, partial);
        prop_assert_eq!(f.to_bytes(), fbytes);

        let banner = Banner { message: &a, language: &b };
        check(&banner, &banner.to_bytes());
        let ok = PkOk { algorithm: &a, public_key: &blob };
        check(&ok, &ok.to_bytes());
        let ch = PasswdChangeReq { prompt: &a, language: &b };
        check(&ch, &ch.to_bytes());
        let info = InfoRequest {
            name: &a, instruction: &b, language: &c,
            prompts: prompts.iter().map(|(p, e)| KbdPrompt { prompt: p, echo: *e }).collect(),
        };
        check(&info, &info.to_bytes());
        let resp = InfoResponse { responses: prompts.iter().map(|(p, _)| p.as_str()).collect() };
        check(&resp, &resp.to_bytes());
        let sr = ServiceRequest { service: &a };
        check(&sr, &sr.to_bytes());
        let sa = ServiceAccept { service: &b };
        check(&sa, &sa.to_bytes());
    }

    #[test]
    fn agent_messages_round_trip(
        blob in proptest::collection::vec(any::<u8>(), 0..64),
        data in proptest::collection::vec(any::<u8>(), 0..64),
        flags in any::<u32>(),
        ids in proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..32), text()), 0..4),
    ) {
        let req = AgentRequest::SignRequest { key_blob: &blob, data: &data, flags };
        check(&req, &req.to_bytes());
        check(&AgentRequest::RequestIdentities, &AgentRequest::RequestIdentities.to_bytes());
        let resp = AgentResponse::Identities(ids.iter().map(|(b, c)| (b.as_slice(), c.as_str())).collect());
        check(&resp, &resp.to_bytes());
        let sig = AgentResponse::SignResponse { signature: &data };
        check(&sig, &sig.to_bytes());
        check(&AgentResponse::Failure, &AgentResponse::Failure.to_bytes());
    }

    #[test]
    fn custom_params_round_trip(
        s in text(), sb in proptest::collection::vec(any::<u8>(), 0..32),
        m in proptest::collection::vec(any::<u8>(), 0..40),
        i in any::<u32>(), l in any::<u64>(), b in any::<u8>(), f in any::<bool>(),
    ) {
        let hex = ssh_auth::custom::encode_packet(&sb);
        let mhex = format!("0x{}", if m.is_empty() { "0".to_owned() } else { ssh_auth::custom::encode_packet(&m) });
        let mut p = set_ssh_param(&[], "b", "60").unwrap();
        p = set_ssh_param(&p, "s", &s).unwrap();
        p = set_ssh_param(&p, "sb", &hex).unwrap();
        p = set_ssh_param(&p, "m", &mhex).unwrap();
        p = set_ssh_param(&p, "i", &i.to_string()).unwrap();
        p = set_ssh_param(&p, "l", &format!("{l:#x}")).unwrap();
        p = set_ssh_param(&p, "b", &b.to_string()).unwrap();
        p = set_ssh_param(&p, "f", if f { "True" } else { "False" }).unwrap();
        prop_assert_eq!(get_ssh_param(&p, "%s").unwrap(), s.clone());
        prop_assert_eq!(get_ssh_param(&p, "%s,sb").unwrap(), hex);
        let mval = get_ssh_param(&p, "%s,sb,m").unwrap();
        // The decimal text of m writes back to the same mpint.
        let again = set_ssh_param(&[0], "m", &mval).unwrap();
        let mut r = Reader::new(&again[1..]);
        let mag = r.mpint("m").unwrap().magnitude().to_vec();
        let trimmed: Vec<u8> = m.iter().copied().skip_while(|&x| x == 0).collect();
        prop_assert_eq!(&mag, &trimmed);
        prop_assert_eq!(get_ssh_param_bytes(&p, "%s,sb,m").unwrap(), trimmed);
        prop_assert_eq!(get_ssh_param(&p, "%s,sb,m,i").unwrap(), i.to_string());
        prop_assert_eq!(get_ssh_param(&p, "%s,sb,m,i,l").unwrap(), l.to_string());
        prop_assert_eq!(get_ssh_param_bytes(&p, "%s,sb,m,i,l").unwrap(), l.to_be_bytes().to_vec());
        prop_assert_eq!(get_ssh_param(&p, "%s,sb,m,i,l,b").unwrap(), b.to_string());
        prop_assert_eq!(get_ssh_param(&p, "%s,sb,m,i,l,b,f").unwrap(), if f { "True" } else { "False" });
        prop_assert!(get_ssh_param(&p, "%s,sb,m,i,l,b,f,s").is_err());
    }

    #[test]
    fn fuzz_userauth_msgs(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        fuzzing::userauth_msgs(&data);
    }

    #[test]
    fn fuzz_userauth_msgs_structured(ty in prop_oneof![Just(0x33u8), Just(0x34), Just(0x35), Just(0x3c), Just(0x06)],
                                     body in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut msg = vec![0, 0, ty];
        msg.extend_from_slice(&body);
        let len = u16::try_from(msg.len() - 2).unwrap().to_be_bytes();
        msg[0] = len[0];
        msg[1] = len[1];
        fuzzing::userauth_msgs(&msg);
    }

    #[test]
    fn fuzz_agent_msgs(data in proptest::collection::vec(any::<u8>(), 0..128)) {
        fuzzing::agent_msgs(&data);
    }

    #[test]
    fn fuzz_custom_auth_packet(data in proptest::collection::vec(any::<u8>(), 0..128)) {
        fuzzing::custom_auth_packet(&data);
    }
}

#[test]
fn custom_well_known_channel_request_fields() {
    let mut p = vec![98];
    ssh_wire::Writer::new(&mut p)
        .u32(7)
        .string(b"x11-req")
        .bool(true)
        .bool(false)
        .string(b"MIT-MAGIC-COOKIE-1")
        .string(b"abcd")
        .u32(3);
    assert_eq!(get_ssh_param(&p, "ChannelId").unwrap(), "7");
    assert_eq!(get_ssh_param(&p, "RequestType").unwrap(), "x11-req");
    assert_eq!(get_ssh_param(&p, "WantsReply").unwrap(), "True");
    assert_eq!(get_ssh_param(&p, "SingleConnection").unwrap(), "False");
    assert_eq!(
        get_ssh_param(&p, "X11AuthProtocol").unwrap(),
        "MIT-MAGIC-COOKIE-1"
    );
    assert_eq!(get_ssh_param(&p, "X11ScreenNumber").unwrap(), "3");
    assert_eq!(
        get_ssh_param_bytes(&p, "X11ScreenNumber").unwrap(),
        vec![0, 0, 0, 3]
    );
    assert!(get_ssh_param(&p, "Command").is_err());
    let mut e = vec![98];
    ssh_wire::Writer::new(&mut e)
        .u32(0)
        .string(b"exec")
        .bool(false)
        .string(b"ls -l");
    assert_eq!(get_ssh_param(&e, "Command").unwrap(), "ls -l");
}

#[test]
fn custom_value_parsing() {
    use ssh_auth::custom::{ParamError, decode_packet, encode_packet};
    assert_eq!(set_ssh_param(&[], "i", "0x10").unwrap(), vec![0, 0, 0, 16]);
    assert_eq!(set_ssh_param(&[], "i", "-1").unwrap(), vec![0xff; 4]);
    assert_eq!(set_ssh_param(&[], "b", "255").unwrap(), vec![255]);
    assert!(matches!(
        set_ssh_param(&[], "b", "256"),
        Err(ParamError::BadValue { .. })
    ));
    assert!(matches!(
        set_ssh_param(&[], "i", "4294967296"),
        Err(ParamError::BadValue { .. })
    ));
    assert!(matches!(
        set_ssh_param(&[], "f", "maybe"),
        Err(ParamError::BadValue { .. })
    ));
    assert!(matches!(
        set_ssh_param(&[], "q", "1"),
        Err(ParamError::UnknownFieldType(_))
    ));
    assert_eq!(
        set_ssh_param(&[], "m", "1234").unwrap(),
        vec![0, 0, 0, 2, 0x04, 0xd2]
    );
    assert_eq!(
        set_ssh_param(&[], "m", "128").unwrap(),
        vec![0, 0, 0, 2, 0, 0x80]
    );
    assert_eq!(set_ssh_param(&[], "m", "0").unwrap(), vec![0, 0, 0, 0]);
    assert_eq!(
        get_ssh_param(&[1, 0, 0, 0, 2, 0x04, 0xd2], "%m").unwrap(),
        "1234"
    );
    assert_eq!(
        get_ssh_param(&[1, 0, 0, 0, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0], "%m").unwrap(),
        "18446744073709551616"
    );
    assert_eq!(encode_packet(&[0xa1, 0xb2, 0x3c]), "A1B23C");
    assert_eq!(decode_packet("a1 B2 3c").unwrap(), vec![0xa1, 0xb2, 0x3c]);
    assert!(matches!(decode_packet("abc"), Err(ParamError::BadHex(_))));
    assert!(matches!(decode_packet("zz"), Err(ParamError::BadHex(_))));
    assert!(get_ssh_param(&[], "%s").is_err());
    let many = format!("%{}", vec!["b"; 100].join(","));
    assert!(get_ssh_param(&[1; 200], &many).is_err());
}
