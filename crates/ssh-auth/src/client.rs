//! The userauth state machine (RFC 4252, RFC 4256).
//!
//! ```text
//!  new() ── sends SERVICE_REQUEST "ssh-userauth"
//!    │
//!    ▼
//!  ExpectServiceAccept ──SERVICE_ACCEPT──► sends "none" (custom: CustomPacket event)
//!    │
//!    ▼
//!  ExpectReply(pending) ◄───────────────────────────────────────────────┐
//!    │ SUCCESS ──► Authenticated (every later message is an error)      │
//!    │ FAILURE ──► next (method × credential) allowed by the server ────┤
//!    │             or NoMethodsLeft / TooManyAttempts                   │
//!    │ PK_OK (probe) ──► sign, send signed request ─────────────────────┤
//!    │ INFO_REQUEST (kbd) ──► AwaitPrompts ──send_prompt_responses()────┤
//!    │ PASSWD_CHANGEREQ ──► AwaitPasswordChange ──change_password()─────┤
//!    │ anything (custom) ──► AwaitCustom ──send_custom()────────────────┘
//!    │ BANNER ──► event, same state
//! ```

use std::collections::VecDeque;
use std::time::Instant;

use ssh_wire::{Decode, DecodeError, Encode, Writer};
use zeroize::Zeroizing;

use crate::error::{AuthError, ProtocolViolation, UsageError};
use crate::msg::{
    Banner, Failure, InfoRequest, InfoResponse, MethodRequest, MsgType, PasswdChangeReq, PkOk,
    ServiceAccept, ServiceRequest, UserauthRequest, msg_type, publickey_signed_data,
};
use crate::pattern::PromptPattern;
use crate::signer::{Signer, select_algorithm};

/// The seed's `ssh_auth_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// amNone (0): only the `none` method.
    None,
    /// amMultiFactor (1): every method the caller supplied credentials for, following
    /// partial success until the server is satisfied.
    MultiFactor,
    /// amPassword (2).
    Password,
    /// amPublicKey (3).
    PublicKey,
    /// amKeyboardInteractive (4).
    KeyboardInteractive,
    /// amGSSAPIWithMic (5): not supported.
    GssapiWithMic,
    /// amGSSAPIKeyex (6): not supported.
    GssapiKeyex,
    /// amCustom (99): the caller reads each server packet and supplies the next request.
    Custom,
}

impl AuthMode {
    /// From the seed's integer; `None` for values it does not define.
    pub fn from_seed(value: i64) -> Option<Self> {
        Some(match value {
            0 => Self::None,
            1 => Self::MultiFactor,
            2 => Self::Password,
            3 => Self::PublicKey,
            4 => Self::KeyboardInteractive,
            5 => Self::GssapiWithMic,
            6 => Self::GssapiKeyex,
            99 => Self::Custom,
            _ => return None,
        })
    }

    /// The seed's integer.
    pub fn seed_value(self) -> i64 {
        match self {
            Self::None => 0,
            Self::MultiFactor => 1,
            Self::Password => 2,
            Self::PublicKey => 3,
            Self::KeyboardInteractive => 4,
            Self::GssapiWithMic => 5,
            Self::GssapiKeyex => 6,
            Self::Custom => 99,
        }
    }
}

/// Default bound on USERAUTH_REQUESTs per logon (A2); golang's client uses the same.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 64;
/// Default bound on keyboard-interactive INFO_REQUEST rounds per attempt (A5).
pub const DEFAULT_MAX_KBD_ROUNDS: u32 = 16;

/// What to authenticate as and with.
pub struct AuthConfig {
    /// RFC 4252 `user name` (the seed's ssh_user).
    pub user: String,
    /// Service to start after authentication; `ssh-connection`.
    pub service: String,
    /// The seed's ssh_auth_mode.
    pub mode: AuthMode,
    /// The seed's ssh_password: used by `password`, by the `PasswordPrompt` auto-fill, and as
    /// the old password in a change.
    pub password: Option<Zeroizing<String>>,
    /// Keys to offer, in order (file keys, certificates, agent keys).
    pub keys: Vec<Box<dyn Signer>>,
    /// Whether keyboard-interactive may be used outside amKeyboardInteractive (multi-factor
    /// and TryAllAvailableAuthMethods); its prompts go to the caller as events. It is also
    /// used when a password and a `password_prompt` pattern are both set.
    pub keyboard_interactive: bool,
    /// The seed's `PasswordPrompt`: prompts it matches get the password filled in.
    pub password_prompt: Option<PromptPattern>,
    /// The seed's `SSHPubKeyAuthSigAlgorithms`: enabled signature algorithms, in order of
    /// preference; `None` means every algorithm a key supports.
    pub pubkey_algorithms: Option<Vec<String>>,
    /// The seed's `DoNotRepeatAuthMethods`: after a method succeeds partially, never use it
    /// again (otherwise another credential of the same method may be tried).
    pub do_not_repeat_methods: bool,
    /// The seed's `TryAllAvailableAuthMethods`: outside multi-factor, also try the other
    /// methods the caller supplied credentials for when the mode's method fails.
    pub try_all_methods: bool,
    /// Most USERAUTH_REQUESTs to send (A2).
    pub max_attempts: u32,
    /// Most keyboard-interactive rounds per attempt (A5).
    pub max_kbd_rounds: u32,
}

impl AuthConfig {
    /// A configuration for `user` with `mode` and defaults for everything else.
    pub fn new(user: impl Into<String>, mode: AuthMode) -> Self {
        Self {
            user: user.into(),
            service: "ssh-connection".to_owned(),
            mode,
            password: None,
            keys: Vec::new(),
            keyboard_interactive: mode == AuthMode::KeyboardInteractive,
            password_prompt: None,
            pubkey_algorithms: None,
            do_not_repeat_methods: false,
            try_all_methods: false,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            max_kbd_rounds: DEFAULT_MAX_KBD_ROUNDS,
        }
    }

    /// Sets the password.
    pub fn with_password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(Zeroizing::new(password.into()));
        self
    }

    /// Adds a key.
    pub fn with_key(mut self, key: Box<dyn Signer>) -> Self {
        self.keys.push(key);
        self
    }
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("user", &self.user)
            .field("service", &self.service)
            .field("mode", &self.mode)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .field(
                "keys",
                &self.keys.iter().map(|k| k.describe()).collect::<Vec<_>>(),
            )
            .field("keyboard_interactive", &self.keyboard_interactive)
            .field("pubkey_algorithms", &self.pubkey_algorithms)
            .field("do_not_repeat_methods", &self.do_not_repeat_methods)
            .field("try_all_methods", &self.try_all_methods)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

/// One keyboard-interactive prompt handed to the caller (the seed's
/// on_ssh_keyboard_interactive fires once per prompt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    /// Which INFO_REQUEST this came in (1 for the first).
    pub round: u32,
    /// Position in the request; pass it to [`AuthClient::set_prompt_response`].
    pub index: usize,
    /// Prompts in this request.
    pub count: usize,
    /// The request's `name`.
    pub name: String,
    /// The request's `instruction`.
    pub instructions: String,
    /// The prompt text.
    pub prompt: String,
    /// Whether the response may be echoed.
    pub echo: bool,
    /// Whether the response was filled in with the password (PasswordPrompt matched); the
    /// caller may still overwrite it.
    pub prefilled: bool,
}

/// What the state machine tells its caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthEvent {
    /// RFC 4252 §5.4 banner to show the user.
    Banner {
        /// The text (may hold control characters: sanitise before printing to a terminal).
        message: String,
        /// Language tag.
        language: String,
    },
    /// A keyboard-interactive prompt needs a response; after the last prompt of a round
    /// call [`AuthClient::send_prompt_responses`].
    Prompt(Prompt),
    /// RFC 4252 §8: the server wants a new password. Answer with
    /// [`AuthClient::change_password`] or [`AuthClient::decline_password_change`].
    PasswordChangeRequired {
        /// The server's prompt.
        prompt: String,
        /// Language tag.
        language: String,
    },
    /// Custom mode: the server's last packet (payload, message number first); answer with
    /// [`AuthClient::send_custom`].
    CustomPacket {
        /// The payload.
        packet: Vec<u8>,
    },
    /// One request failed (or succeeded partially).
    Failure {
        /// The method of the request.
        method: String,
        /// What the server allows now.
        allowed: Vec<String>,
        /// RFC 4252 §5.1 partial success.
        partial_success: bool,
    },
    /// Authentication is complete: the service has started.
    Success,
}

/// One method × credential the client may try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attempt {
    Password,
    PublicKey(usize),
    KeyboardInteractive,
}

impl Attempt {
    fn method(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::PublicKey(_) => "publickey",
            Self::KeyboardInteractive => "keyboard-interactive",
        }
    }
}

/// The request whose answer we wait for.
#[derive(Debug)]
enum Pending {
    None,
    Password,
    PasswordChange,
    PkProbe { key: usize, algorithm: String },
    PkSigned { key: usize },
    Kbd { rounds: u32 },
    Custom,
}

impl Pending {
    fn attempt(&self) -> Option<Attempt> {
        match self {
            Self::Password | Self::PasswordChange => Some(Attempt::Password),
            Self::PkProbe { key, .. } | Self::PkSigned { key } => Some(Attempt::PublicKey(*key)),
            Self::Kbd { .. } => Some(Attempt::KeyboardInteractive),
            Self::None | Self::Custom => None,
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Custom => "custom",
            other => other.attempt().map_or("none", Attempt::method),
        }
    }
}

/// Phases; the data each needs lives in its variant.
#[derive(Debug)]
enum State {
    ExpectServiceAccept,
    ExpectReply(Pending),
    AwaitPrompts {
        rounds: u32,
        responses: Vec<Option<Zeroizing<String>>>,
    },
    AwaitPasswordChange {
        prompt: String,
    },
    AwaitCustom,
    Authenticated,
    Failed,
}

impl State {
    fn describe(&self) -> &'static str {
        match self {
            Self::ExpectServiceAccept => "waiting for SERVICE_ACCEPT",
            Self::ExpectReply(Pending::PkProbe { .. }) => "waiting for PK_OK or FAILURE",
            Self::ExpectReply(Pending::Kbd { .. }) => "running keyboard-interactive",
            Self::ExpectReply(Pending::Password | Pending::PasswordChange) => {
                "waiting for the password reply"
            }
            Self::ExpectReply(_) => "waiting for SUCCESS or FAILURE",
            Self::AwaitPrompts { .. } => "waiting for the user's responses",
            Self::AwaitPasswordChange { .. } => "waiting for the user's new password",
            Self::AwaitCustom => "waiting for the caller's custom packet",
            Self::Authenticated => "authenticated",
            Self::Failed => "failed",
        }
    }
}

/// The client side of the userauth protocol, sans-IO.
///
/// Feed it messages 5, 6 and 50–79 with [`handle_payload`](Self::handle_payload); send what
/// [`poll_payload`](Self::poll_payload) yields; act on
/// [`poll_event`](Self::poll_event). It starts by queueing SERVICE_REQUEST "ssh-userauth".
pub struct AuthClient {
    config: AuthConfig,
    session_id: Vec<u8>,
    server_sig_algs: Option<Vec<String>>,
    state: State,
    out: VecDeque<Zeroizing<Vec<u8>>>,
    events: VecDeque<AuthEvent>,
    error: Option<AuthError>,
    deadline: Option<Instant>,
    /// Ordered method × credential list for this mode.
    candidates: Vec<Attempt>,
    /// Tried since the last partial success (A2: once per stage).
    stage_tried: Vec<Attempt>,
    /// Credentials that succeeded partially: never offered again.
    used: Vec<Attempt>,
    /// Methods that succeeded partially (for DoNotRepeatAuthMethods).
    methods_done: Vec<&'static str>,
    /// Methods sent, for the failure report.
    tried_methods: Vec<String>,
    /// The server's last `authentications that can continue`.
    allowed: Option<Vec<String>>,
    partial_success: bool,
    attempts: u32,
}

impl std::fmt::Debug for AuthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthClient")
            .field("config", &self.config)
            .field("state", &self.state.describe())
            .field("attempts", &self.attempts)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl AuthClient {
    /// Starts authentication for `config` on a connection whose exchange hash from the first
    /// key exchange is `session_id` (RFC 4253 §7.2). `server_sig_algs` is the RFC 8308
    /// `server-sig-algs` extension if the server sent one (it can also be set later with
    /// [`set_server_sig_algs`](Self::set_server_sig_algs), before keys are tried).
    pub fn new(
        config: AuthConfig,
        session_id: &[u8],
        server_sig_algs: Option<Vec<String>>,
    ) -> Result<Self, AuthError> {
        let mode = config.mode;
        if matches!(mode, AuthMode::GssapiWithMic | AuthMode::GssapiKeyex) {
            return Err(AuthError::UnsupportedMode(mode));
        }
        if mode == AuthMode::Password && config.password.is_none() {
            return Err(AuthError::MissingCredential {
                mode,
                credential: "password",
            });
        }
        if mode == AuthMode::PublicKey && config.keys.is_empty() {
            return Err(AuthError::MissingCredential {
                mode,
                credential: "key",
            });
        }
        let candidates = candidates(&config);
        let mut client = Self {
            config,
            session_id: session_id.to_vec(),
            server_sig_algs,
            state: State::ExpectServiceAccept,
            out: VecDeque::new(),
            events: VecDeque::new(),
            error: None,
            deadline: None,
            candidates,
            stage_tried: Vec::new(),
            used: Vec::new(),
            methods_done: Vec::new(),
            tried_methods: Vec::new(),
            allowed: None,
            partial_success: false,
            attempts: 0,
        };
        client.queue(&ServiceRequest {
            service: "ssh-userauth",
        });
        Ok(client)
    }

    /// Sets the server's `server-sig-algs` (from an EXT_INFO that arrived late).
    pub fn set_server_sig_algs(&mut self, algs: Option<Vec<String>>) {
        self.server_sig_algs = algs;
    }

    /// Arms (or moves) the deadline for the whole authentication; past it
    /// [`handle_timeout`](Self::handle_timeout) fails with [`AuthError::Timeout`].
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    /// The deadline, while authentication is still running.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_finished() {
            None
        } else {
            self.deadline
        }
    }

    /// Fails with [`AuthError::Timeout`] if `now` is past the deadline and authentication
    /// has not finished (A7).
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), AuthError> {
        self.sticky()?;
        match self.poll_timeout() {
            Some(deadline) if now >= deadline => Err(self.fail(AuthError::Timeout)),
            _ => Ok(()),
        }
    }

    /// Whether USERAUTH_SUCCESS has been received.
    pub fn is_authenticated(&self) -> bool {
        matches!(self.state, State::Authenticated)
    }

    /// Whether authentication has ended (success or error).
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Authenticated | State::Failed)
    }

    /// The error that ended authentication, if any.
    pub fn error(&self) -> Option<&AuthError> {
        self.error.as_ref()
    }

    /// USERAUTH_REQUESTs sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The server's last `authentications that can continue` list.
    pub fn allowed_methods(&self) -> Option<&[String]> {
        self.allowed.as_deref()
    }

    /// The next payload to send (message number first). Payloads may hold passwords: they
    /// are wiped when dropped.
    pub fn poll_payload(&mut self) -> Option<Zeroizing<Vec<u8>>> {
        self.out.pop_front()
    }

    /// The next event for the caller.
    pub fn poll_event(&mut self) -> Option<AuthEvent> {
        self.events.pop_front()
    }

    /// Handles one message from the server (numbers 5, 6 and 50–79).
    pub fn handle_payload(&mut self, payload: &[u8]) -> Result<(), AuthError> {
        self.sticky()?;
        let state = std::mem::replace(&mut self.state, State::Failed);
        match self.on_message(state, payload) {
            Ok(next) => {
                self.state = next;
                Ok(())
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Sets the response to keyboard-interactive prompt `index` of the current round.
    pub fn set_prompt_response(&mut self, index: usize, response: &str) -> Result<(), AuthError> {
        self.sticky()?;
        let State::AwaitPrompts { responses, .. } = &mut self.state else {
            return Err(AuthError::Usage(UsageError::NoPrompts));
        };
        let count = responses.len();
        let slot = responses
            .get_mut(index)
            .ok_or(AuthError::Usage(UsageError::NoSuchPrompt { index, count }))?;
        *slot = Some(Zeroizing::new(response.to_owned()));
        Ok(())
    }

    /// Sends the responses of the current keyboard-interactive round (unanswered prompts
    /// get an empty response).
    pub fn send_prompt_responses(&mut self) -> Result<(), AuthError> {
        self.sticky()?;
        if !matches!(self.state, State::AwaitPrompts { .. }) {
            return Err(AuthError::Usage(UsageError::NoPrompts));
        }
        let State::AwaitPrompts { rounds, responses } =
            std::mem::replace(&mut self.state, State::Failed)
        else {
            return Err(AuthError::Usage(UsageError::NoPrompts));
        };
        let texts: Vec<&str> = responses
            .iter()
            .map(|r| r.as_ref().map_or("", |s| s.as_str()))
            .collect();
        self.queue(&InfoResponse { responses: texts });
        self.state = State::ExpectReply(Pending::Kbd { rounds });
        Ok(())
    }

    /// RFC 4252 §8: answers a PASSWD_CHANGEREQ with the configured (old) password and
    /// `new_password`; on success the new password becomes the configured one.
    pub fn change_password(&mut self, new_password: &str) -> Result<(), AuthError> {
        self.sticky()?;
        if !matches!(self.state, State::AwaitPasswordChange { .. }) {
            return Err(AuthError::Usage(UsageError::NoPasswordChange));
        }
        let old = self.config.password.clone().unwrap_or_default();
        self.send_request(
            "password",
            MethodRequest::PasswordChange {
                old: &old,
                new: new_password,
            },
        )
        .map_err(|e| self.fail(e))?;
        self.config.password = Some(Zeroizing::new(new_password.to_owned()));
        self.state = State::ExpectReply(Pending::PasswordChange);
        Ok(())
    }

    /// Declines a PASSWD_CHANGEREQ: authentication ends with
    /// [`AuthError::PasswordChangeRequired`].
    pub fn decline_password_change(&mut self) -> Result<(), AuthError> {
        self.sticky()?;
        let State::AwaitPasswordChange { prompt } = &self.state else {
            return Err(AuthError::Usage(UsageError::NoPasswordChange));
        };
        let e = AuthError::PasswordChangeRequired {
            prompt: prompt.clone(),
        };
        Err(self.fail(e))
    }

    /// Custom mode: sends `payload` (a userauth message, number 50..=79, built with
    /// [`crate::custom::set_ssh_param`]) in answer to the last
    /// [`AuthEvent::CustomPacket`].
    pub fn send_custom(&mut self, payload: &[u8]) -> Result<(), AuthError> {
        self.sticky()?;
        if !matches!(self.state, State::AwaitCustom) {
            return Err(AuthError::Usage(UsageError::NoCustomPacketWanted));
        }
        let ty = payload.first().copied().unwrap_or(0);
        if !(50..=79).contains(&ty) {
            return Err(AuthError::Usage(UsageError::NotUserauthPacket(ty)));
        }
        self.count_attempt("custom").map_err(|e| self.fail(e))?;
        self.out.push_back(Zeroizing::new(payload.to_vec()));
        self.state = State::ExpectReply(Pending::Custom);
        Ok(())
    }

    // ---- message handling -------------------------------------------------------------

    fn on_message(&mut self, state: State, payload: &[u8]) -> Result<State, AuthError> {
        let ty = msg_type(payload).map_err(|e| malformed(MsgType(0), e))?;
        if matches!(state, State::Authenticated) {
            return Err(ProtocolViolation::AfterSuccess { msg: ty }.into());
        }
        let unexpected = |state: &State| -> AuthError {
            ProtocolViolation::Unexpected {
                msg: ty,
                state: state.describe(),
            }
            .into()
        };
        match (state, ty) {
            (State::ExpectServiceAccept, MsgType::SERVICE_ACCEPT) => {
                let accept = ServiceAccept::from_bytes(payload).map_err(|e| malformed(ty, e))?;
                if accept.service != "ssh-userauth" {
                    return Err(ProtocolViolation::ServiceMismatch {
                        service: accept.service.to_owned(),
                    }
                    .into());
                }
                if self.config.mode == AuthMode::Custom {
                    self.events.push_back(AuthEvent::CustomPacket {
                        packet: payload.to_vec(),
                    });
                    return Ok(State::AwaitCustom);
                }
                self.send_request("none", MethodRequest::None)?;
                Ok(State::ExpectReply(Pending::None))
            }
            (
                state @ (State::ExpectReply(_)
                | State::AwaitPrompts { .. }
                | State::AwaitPasswordChange { .. }
                | State::AwaitCustom),
                MsgType::USERAUTH_BANNER,
            ) => {
                let banner = Banner::from_bytes(payload).map_err(|e| malformed(ty, e))?;
                self.events.push_back(AuthEvent::Banner {
                    message: banner.message.to_owned(),
                    language: banner.language.to_owned(),
                });
                Ok(state)
            }
            (State::ExpectReply(_), MsgType::USERAUTH_SUCCESS) => {
                // RFC 4252 §5.1: `byte SSH_MSG_USERAUTH_SUCCESS` and nothing else.
                let mut r = ssh_wire::Reader::new(payload);
                r.u8("msg_type")
                    .and_then(|_| r.finish())
                    .map_err(|e| malformed(ty, e))?;
                self.events.push_back(AuthEvent::Success);
                Ok(State::Authenticated)
            }
            (State::ExpectReply(pending), MsgType::USERAUTH_FAILURE) => {
                let failure = Failure::from_bytes(payload).map_err(|e| malformed(ty, e))?;
                self.on_failure(pending, &failure, payload)
            }
            (State::ExpectReply(Pending::Custom), _) if (50..=79).contains(&ty.0) => {
                self.events.push_back(AuthEvent::CustomPacket {
                    packet: payload.to_vec(),
                });
                Ok(State::AwaitCustom)
            }
            (State::ExpectReply(Pending::PkProbe { key, algorithm }), MsgType::USERAUTH_60) => {
                let ok = PkOk::from_bytes(payload).map_err(|e| malformed(ty, e))?;
                self.on_pk_ok(key, &algorithm, &ok)
            }
            (
                State::ExpectReply(Pending::Password | Pending::PasswordChange),
                MsgType::USERAUTH_60,
            ) => {
                let req = PasswdChangeReq::from_bytes(payload).map_err(|e| malformed(ty, e))?;
                self.events.push_back(AuthEvent::PasswordChangeRequired {
                    prompt: req.prompt.to_owned(),
                    language: req.language.to_owned(),
                });
                Ok(State::AwaitPasswordChange {
                    prompt: req.prompt.to_owned(),
                })
            }
            (State::ExpectReply(Pending::Kbd { rounds }), MsgType::USERAUTH_60) => {
                let req = InfoRequest::from_bytes(payload).map_err(|e| malformed(ty, e))?;
                self.on_info_request(rounds, &req)
            }
            (state, _) => Err(unexpected(&state)),
        }
    }

    fn on_failure(
        &mut self,
        pending: Pending,
        failure: &Failure<'_>,
        payload: &[u8],
    ) -> Result<State, AuthError> {
        let allowed: Vec<String> = failure.methods.iter().map(str::to_owned).collect();
        // RFC 4252 §7: a probe is a query, so "partial success" cannot apply to it.
        let partial = failure.partial_success && !matches!(pending, Pending::PkProbe { .. });
        self.events.push_back(AuthEvent::Failure {
            method: pending.method().to_owned(),
            allowed: allowed.clone(),
            partial_success: partial,
        });
        self.allowed = Some(allowed);
        if matches!(pending, Pending::Custom) {
            self.events.push_back(AuthEvent::CustomPacket {
                packet: payload.to_vec(),
            });
            return Ok(State::AwaitCustom);
        }
        if partial {
            self.partial_success = true;
            if let Some(done) = pending.attempt() {
                self.used.push(done);
                self.methods_done.push(done.method());
            }
            self.stage_tried.clear();
        }
        self.next_attempt()
    }

    fn on_pk_ok(&mut self, key: usize, algorithm: &str, ok: &PkOk<'_>) -> Result<State, AuthError> {
        let Some(signer) = self.config.keys.get(key) else {
            return Err(ProtocolViolation::PkOkMismatch {
                offered: algorithm.to_owned(),
                got: ok.algorithm.to_owned(),
            }
            .into());
        };
        let blob = signer.public_key_blob();
        if ok.algorithm != algorithm || ok.public_key != blob {
            return Err(ProtocolViolation::PkOkMismatch {
                offered: algorithm.to_owned(),
                got: if ok.algorithm == algorithm {
                    "a different key blob".to_owned()
                } else {
                    ok.algorithm.to_owned()
                },
            }
            .into());
        }
        let data = publickey_signed_data(
            &self.session_id,
            &self.config.user,
            &self.config.service,
            algorithm,
            blob,
        );
        let signature = signer
            .sign(algorithm, &data)
            .map_err(|source| AuthError::Sign {
                key: signer.describe(),
                source,
            })?;
        let blob = blob.to_vec();
        self.send_request(
            "publickey",
            MethodRequest::PublicKey {
                algorithm,
                public_key: &blob,
                signature: Some(&signature),
            },
        )?;
        Ok(State::ExpectReply(Pending::PkSigned { key }))
    }

    fn on_info_request(&mut self, rounds: u32, req: &InfoRequest<'_>) -> Result<State, AuthError> {
        let rounds = rounds.saturating_add(1);
        if rounds > self.config.max_kbd_rounds {
            return Err(ProtocolViolation::TooManyRounds {
                max: self.config.max_kbd_rounds,
            }
            .into());
        }
        if req.prompts.is_empty() {
            // RFC 4256 §3.2: zero prompts still need an (empty) INFO_RESPONSE; PAM sends
            // these to show instructions or to finish.
            self.queue(&InfoResponse {
                responses: Vec::new(),
            });
            return Ok(State::ExpectReply(Pending::Kbd { rounds }));
        }
        let count = req.prompts.len();
        let mut responses = Vec::with_capacity(count);
        for (index, p) in req.prompts.iter().enumerate() {
            let fill = match (&self.config.password_prompt, &self.config.password) {
                (Some(pattern), Some(password)) if pattern.matches(p.prompt) => {
                    Some(password.clone())
                }
                _ => None,
            };
            self.events.push_back(AuthEvent::Prompt(Prompt {
                round: rounds,
                index,
                count,
                name: req.name.to_owned(),
                instructions: req.instruction.to_owned(),
                prompt: p.prompt.to_owned(),
                echo: p.echo,
                prefilled: fill.is_some(),
            }));
            responses.push(fill);
        }
        Ok(State::AwaitPrompts { rounds, responses })
    }

    /// Picks the next method × credential the server allows and sends it, or ends with
    /// the failure that names what the server still allows.
    fn next_attempt(&mut self) -> Result<State, AuthError> {
        while let Some(attempt) = self.pick() {
            self.stage_tried.push(attempt);
            match attempt {
                Attempt::Password => {
                    let password = self.config.password.clone().unwrap_or_default();
                    self.send_request(
                        "password",
                        MethodRequest::Password {
                            password: &password,
                        },
                    )?;
                    return Ok(State::ExpectReply(Pending::Password));
                }
                Attempt::KeyboardInteractive => {
                    self.send_request(
                        "keyboard-interactive",
                        MethodRequest::KeyboardInteractive {
                            language: "",
                            submethods: "",
                        },
                    )?;
                    return Ok(State::ExpectReply(Pending::Kbd { rounds: 0 }));
                }
                Attempt::PublicKey(key) => {
                    let Some(signer) = self.config.keys.get(key) else {
                        continue;
                    };
                    let Some(algorithm) = select_algorithm(
                        &signer.algorithms(),
                        self.config.pubkey_algorithms.as_deref(),
                        self.server_sig_algs.as_deref(),
                    ) else {
                        // No enabled algorithm for this key: skip it.
                        continue;
                    };
                    let blob = signer.public_key_blob().to_vec();
                    self.send_request(
                        "publickey",
                        MethodRequest::PublicKey {
                            algorithm: &algorithm,
                            public_key: &blob,
                            signature: None,
                        },
                    )?;
                    return Ok(State::ExpectReply(Pending::PkProbe { key, algorithm }));
                }
            }
        }
        Err(AuthError::NoMethodsLeft {
            allowed: self.allowed.clone().unwrap_or_default(),
            tried: self.tried_methods.clone(),
            partial_success: self.partial_success,
        })
    }

    fn pick(&self) -> Option<Attempt> {
        self.candidates.iter().copied().find(|c| {
            let spent = self.used.contains(c) || self.stage_tried.contains(c);
            let repeated =
                self.config.do_not_repeat_methods && self.methods_done.contains(&c.method());
            let allowed = self
                .allowed
                .as_ref()
                .is_none_or(|list| list.iter().any(|m| m == c.method()));
            !spent && !repeated && allowed
        })
    }

    fn send_request(&mut self, method: &str, request: MethodRequest<'_>) -> Result<(), AuthError> {
        self.count_attempt(method)?;
        let payload = UserauthRequest {
            user: &self.config.user,
            service: &self.config.service,
            method: request,
        };
        let mut buf = Zeroizing::new(Vec::new());
        payload.encode(&mut Writer::new(&mut buf));
        self.out.push_back(buf);
        Ok(())
    }

    fn count_attempt(&mut self, method: &str) -> Result<(), AuthError> {
        if self.attempts >= self.config.max_attempts {
            return Err(AuthError::TooManyAttempts {
                tried: self.attempts,
            });
        }
        self.attempts = self.attempts.saturating_add(1);
        if !self.tried_methods.iter().any(|m| m == method) {
            self.tried_methods.push(method.to_owned());
        }
        Ok(())
    }

    fn queue(&mut self, msg: &impl Encode) {
        let mut buf = Zeroizing::new(Vec::new());
        msg.encode(&mut Writer::new(&mut buf));
        self.out.push_back(buf);
    }

    fn sticky(&self) -> Result<(), AuthError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn fail(&mut self, e: AuthError) -> AuthError {
        if !matches!(e, AuthError::Usage(_)) {
            self.state = State::Failed;
            self.error = Some(e.clone());
        }
        e
    }
}

fn malformed(msg: MsgType, source: DecodeError) -> AuthError {
    ProtocolViolation::Malformed { msg, source }.into()
}

/// The ordered method × credential list for a configuration: the mode's own method first;
/// with multi-factor or TryAllAvailableAuthMethods, every other method the caller supplied
/// credentials for, in OpenSSH's order (publickey, keyboard-interactive, password).
fn candidates(config: &AuthConfig) -> Vec<Attempt> {
    let keys: Vec<Attempt> = (0..config.keys.len()).map(Attempt::PublicKey).collect();
    let mut all = keys.clone();
    // A password with a PasswordPrompt pattern is a keyboard-interactive credential too.
    let kbd_answerable = config.password.is_some() && config.password_prompt.is_some();
    if config.keyboard_interactive || kbd_answerable || config.mode == AuthMode::KeyboardInteractive
    {
        all.push(Attempt::KeyboardInteractive);
    }
    if config.password.is_some() {
        all.push(Attempt::Password);
    }
    let own: Vec<Attempt> = match config.mode {
        AuthMode::Password => vec![Attempt::Password],
        AuthMode::PublicKey => keys,
        AuthMode::KeyboardInteractive => vec![Attempt::KeyboardInteractive],
        AuthMode::MultiFactor => return all,
        AuthMode::None | AuthMode::Custom | AuthMode::GssapiWithMic | AuthMode::GssapiKeyex => {
            Vec::new()
        }
    };
    if !config.try_all_methods || config.mode == AuthMode::None {
        return own;
    }
    let mut list = own;
    for a in all {
        if !list.contains(&a) {
            list.push(a);
        }
    }
    list
}
