//! Confirmation before destructive writes: how a call may ask the person ([`Asking`]), what
//! the `--confirm-destructive` policy decides ([`decide`]), the question ([`question`]) and the
//! sealed request state of a 2026-07-28 retry ([`state`]), spent once ([`spent`]).

mod guard;
pub mod question;
pub mod spent;
pub mod state;

pub use guard::Guard;

use crate::foundation::config::ConfirmDestructive;
use rmcp::model::{
    ElicitRequest, ElicitRequestParams, ElicitationAction, ElicitationSchema, InputRequest,
    InputRequests, InputResponses,
};
use rmcp::service::{ElicitationMode, RequestContext};
use rmcp::{Peer, RoleServer};
use std::collections::BTreeMap;

/// The key of the confirmation in an input-required result's requests and the retry's answers.
pub const INPUT_KEY: &str = "confirm";

/// How this request can ask the person.
pub enum Asking {
    /// A 2025-06-18/2025-11-25 session whose client declared form elicitation: ask now.
    Elicit(Peer<RoleServer>),
    /// A 2026-07-28 request from a client that can elicit: answer with an input-required
    /// result, or this is the retry that carries the answer.
    InputRequired {
        state: Option<String>,
        responses: Option<InputResponses>,
    },
    /// The client cannot ask.
    Cannot,
}

impl Asking {
    /// What the client of this request can do, from its protocol revision and capabilities.
    pub fn of(
        context: &RequestContext<RoleServer>,
        state: Option<String>,
        responses: Option<InputResponses>,
    ) -> Self {
        let stateless = context
            .protocol_version()
            .is_some_and(|v| v >= rmcp::model::ProtocolVersion::V_2026_07_28);
        if stateless {
            let capabilities = context.meta.client_capabilities();
            let elicits = capabilities
                .and_then(|c| c.elicitation)
                .is_some_and(|e| e.form.is_some() || e.url.is_none());
            return match elicits || state.is_some() {
                true => Asking::InputRequired { state, responses },
                false => Asking::Cannot,
            };
        }
        match context
            .peer
            .supported_elicitation_modes()
            .contains(&ElicitationMode::Form)
        {
            true => Asking::Elicit(context.peer.clone()),
            false => Asking::Cannot,
        }
    }
}

/// What happens to a destructive call before anything is sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Run it.
    Run,
    /// Ask the person first.
    Ask,
    /// Refuse it, saying why and how to allow it.
    Refuse(String),
}

/// The policy's verdict for `tool`, given whether the client can ask and whether `undo` could
/// reverse this call.
pub fn decide(policy: ConfirmDestructive, can_ask: bool, undoable: bool, tool: &str) -> Decision {
    match policy {
        ConfirmDestructive::Never => Decision::Run,
        ConfirmDestructive::Refuse => Decision::Refuse(format!(
            "{tool} was not run: this server refuses destructive tools (--confirm-destructive refuse); \
             nothing was sent to Spotify. Its operator can allow them with --confirm-destructive ask or never"
        )),
        ConfirmDestructive::Ask if can_ask => Decision::Ask,
        ConfirmDestructive::Ask if undoable => Decision::Run,
        ConfirmDestructive::Ask => Decision::Refuse(format!(
            "{tool} was not run: it cannot be undone, and this client cannot ask the person to confirm \
             (no elicitation); nothing was sent to Spotify. Make the change in Spotify itself, use a \
             client that supports elicitation, or have the server started with --confirm-destructive never"
        )),
    }
}

/// The form the person answers: no fields, accept or decline.
pub fn elicitation(message: String) -> ElicitRequestParams {
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema: ElicitationSchema::new(BTreeMap::new()),
    }
}

/// The input requests of an input-required result: the one question.
pub fn input_requests(message: String) -> InputRequests {
    let mut requests = InputRequests::new();
    requests.insert(
        INPUT_KEY.to_string(),
        InputRequest::Elicitation(ElicitRequest::new(elicitation(message))),
    );
    requests
}

/// Whether the retry's answers accept the question.
pub fn accepted(responses: Option<&InputResponses>) -> bool {
    let action = responses.and_then(|r| r.get(INPUT_KEY)).and_then(|answer| {
        serde_json::from_value::<ElicitationAction>(answer["action"].clone()).ok()
    });
    matches!(action, Some(ElicitationAction::Accept))
}
