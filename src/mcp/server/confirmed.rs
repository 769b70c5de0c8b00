//! Destructive calls: asked about before anything is sent (the `--confirm-destructive` policy),
//! and, when `undo` can reverse them, answered with an undo handle; and the `undo` tool itself.

use super::SpotifyServer;
use crate::credentials::Credentials;
use crate::foundation::metrics;
use crate::mcp::audit::{self, Actor};
use crate::mcp::confirm::state;
use crate::mcp::confirm::{self, Asking, Decision, Guard, question};
use crate::mcp::dynamic;
use crate::mcp::ids;
use crate::mcp::narrowing::{self, Narrowing};
use crate::mcp::pagination::Progress;
use crate::mcp::undo::store::Issued;
use crate::mcp::undo::{self, Before, UNDO};
use crate::mcp::upstream::Upstream;
use rmcp::ErrorData;
use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, ElicitationAction, InputRequiredResult, Tool,
};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Instant;

/// A destructive call, resolved: the tool it runs and its checked arguments.
struct Destructive {
    tool: &'static str,
    title: String,
    arguments: Map<String, Value>,
    /// Whether the tool declares an output schema (structured content must then fit it).
    output_schema: bool,
}

impl SpotifyServer {
    /// Asks before destructive calls and offers undo, as `guard` says.
    pub fn with_guard(mut self, guard: Guard) -> Self {
        self.guard = Some(Arc::new(guard));
        self
    }

    /// Tools the server adds to the catalog: `undo`, when it keeps undo plans and this request
    /// may call a tool `undo` can reverse (not in a read-only catalog, say).
    pub fn own_tools(&self, narrowing: Option<&Narrowing>) -> Vec<Tool> {
        match self.guard.is_some() && self.undoable_listed(narrowing) {
            true => vec![undo::tool()],
            false => Vec::new(),
        }
    }

    fn undoable_listed(&self, narrowing: Option<&Narrowing>) -> bool {
        self.catalog()
            .listed()
            .any(|e| undo::reversible(e.def.name) && narrowing::admits(narrowing, e.def))
    }

    /// [`Self::call_by`], with a destructive call confirmed first as `asking` allows (which may
    /// answer with a question instead), and `undo` answered here.
    #[allow(clippy::too_many_arguments)]
    pub async fn call_asking(
        &self,
        actor: &Actor,
        credentials: Arc<dyn Credentials>,
        name: &str,
        arguments: Option<Map<String, Value>>,
        asking: Asking,
        progress: Option<Progress>,
        narrowing: Option<&Narrowing>,
    ) -> Result<CallToolResponse, ErrorData> {
        // The one way the call runs, once it may: as asked, through `call_by`.
        let run = |credentials, arguments| {
            self.call_by(actor, credentials, name, arguments, progress, narrowing)
        };
        let Some(guard) = self.guard.clone() else {
            return run(credentials, arguments).await.map(Into::into);
        };
        let arguments = arguments.unwrap_or_default();
        if name == UNDO && self.undoable_listed(narrowing) {
            return Ok(self
                .undo(&guard, actor, credentials, &arguments)
                .await
                .into());
        }
        let Some(call) = self.destructive(name, &arguments, narrowing) else {
            return run(credentials, Some(arguments)).await.map(Into::into);
        };
        let spotify = self.api.acting_for(credentials.clone());
        let upstream = Upstream {
            spotify: &spotify,
            routes: self.api.routes(),
        };
        let before = match undo::capture(&upstream, call.tool, &call.arguments).await {
            Some(Ok(before)) => Some(before),
            Some(Err(error)) => {
                tracing::info!(
                    tool = call.tool,
                    "no undo: the read before the write failed: {error}"
                );
                None
            }
            None => None,
        };
        let can_ask = !matches!(asking, Asking::Cannot);
        match confirm::decide(guard.policy, can_ask, before.is_some(), call.tool) {
            Decision::Refuse(message) => return Ok(not_run(message).into()),
            Decision::Ask => {
                let identity = spotify.credentials().identity().await;
                let asked = self
                    .ask(&guard, &upstream, &identity, asking, &call, before.as_ref())
                    .await;
                if let Some(answer) = asked {
                    return Ok(answer);
                }
            }
            Decision::Run => {}
        }
        let mut result = run(credentials, Some(arguments)).await?;
        if let Some(mut before) = before
            && result.is_error != Some(true)
        {
            before.plan.written(result.structured_content.as_ref());
            let identity = spotify.credentials().identity().await;
            let issued = guard.undo.put(&identity, before.plan).await;
            offer_undo(&mut result, &issued, call.output_schema);
        }
        Ok(result.into())
    }

    /// The destructive tool a call runs (through `call_tool` in dynamic mode), if it is one this
    /// request may call with valid arguments; anything else takes the ordinary path.
    fn destructive(
        &self,
        name: &str,
        arguments: &Map<String, Value>,
        narrowing: Option<&Narrowing>,
    ) -> Option<Destructive> {
        let (target, inner) = match name {
            dynamic::CALL => (
                arguments.get("name")?.as_str()?,
                arguments
                    .get("arguments")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            ),
            _ => (name, arguments.clone()),
        };
        let catalog = self.catalog();
        let entry = catalog.get(target)?;
        if !entry.def.destructive || !narrowing::admits(narrowing, entry.def) {
            return None;
        }
        entry.validate(&Value::Object(inner.clone())).ok()?;
        let mut checked = inner;
        ids::check(entry.def.name, &mut checked).ok()?;
        Some(Destructive {
            tool: entry.def.name,
            title: entry.def.title.to_string(),
            arguments: checked,
            output_schema: entry.def.output_schema.is_some(),
        })
    }

    /// Asks the person; `None` when they accepted, else the answer to give instead.
    async fn ask(
        &self,
        guard: &Guard,
        upstream: &Upstream<'_>,
        identity: &str,
        asking: Asking,
        call: &Destructive,
        before: Option<&Before>,
    ) -> Option<CallToolResponse> {
        let binding = state::binding(identity, call.tool, &call.arguments);
        let question = || question::text(upstream, &call.title, call.tool, &call.arguments, before);
        match asking {
            Asking::Elicit(peer) => {
                let params = confirm::elicitation(question().await);
                let answer = peer
                    .create_elicitation_with_timeout(params, Some(state::ANSWER_WITHIN))
                    .await;
                match answer {
                    Ok(answer) if answer.action == ElicitationAction::Accept => None,
                    Ok(answer) => Some(declined(call.tool, answer.action).into()),
                    Err(error) => Some(
                        not_run(format!(
                            "{} was not run: asking the person to confirm failed ({error}); nothing was sent to Spotify",
                            call.tool
                        ))
                        .into(),
                    ),
                }
            }
            Asking::InputRequired {
                state: Some(state),
                responses,
            } => {
                let confirmation = match guard.seal.open(&state, &binding) {
                    Ok(confirmation) => confirmation,
                    Err(error) => {
                        tracing::info!(tool = call.tool, "confirmation state refused: {error}");
                        return Some(not_run(error.to_string()).into());
                    }
                };
                if !confirm::accepted(responses.as_ref()) {
                    return Some(declined(call.tool, ElicitationAction::Decline).into());
                }
                // Spent before the call runs: of two retries with one state, one runs.
                match guard.spent.spend(&confirmation).await {
                    Ok(()) => None,
                    Err(error) => {
                        tracing::info!(tool = call.tool, "confirmation not spendable: {error}");
                        Some(not_run(format!("{} was not run: {error}", call.tool)).into())
                    }
                }
            }
            Asking::InputRequired { state: None, .. } => {
                let requests = confirm::input_requests(question().await);
                let sealed = guard.seal.seal(&binding);
                Some(InputRequiredResult::new(Some(requests), Some(sealed)).into())
            }
            Asking::Cannot => Some(
                not_run(format!(
                    "{} was not run: the client cannot confirm",
                    call.tool
                ))
                .into(),
            ),
        }
    }

    /// The `undo` tool: redeems a handle of this user, restores, says what could not be.
    async fn undo(
        &self,
        guard: &Guard,
        actor: &Actor,
        credentials: Arc<dyn Credentials>,
        arguments: &Map<String, Value>,
    ) -> CallToolResult {
        let started = Instant::now();
        let Some(handle) = arguments.get("handle").and_then(Value::as_str) else {
            return not_run("undo failed: invalid arguments: `handle` (from the answer of the write to undo) is required".into());
        };
        let spotify = self.api.acting_for(credentials);
        let identity = spotify.credentials().identity().await;
        let plan = match guard.undo.take(&identity, handle).await {
            Ok(plan) => plan,
            Err(error) => {
                metrics::tool_call(UNDO, "refused", started.elapsed());
                return not_run(format!("undo failed: {error}"));
            }
        };
        let upstream = Upstream {
            spotify: &spotify,
            routes: self.api.routes(),
        };
        let restored = undo::restore(&upstream, &plan).await;
        let failed = !restored.not_restored.is_empty();
        let outcome = if failed { "error" } else { "ok" };
        metrics::tool_call(UNDO, outcome, started.elapsed());
        if let Some(trail) = &self.audit {
            trail.record(audit::event(
                actor,
                UNDO,
                plan.resource(),
                (outcome, None),
                started.elapsed(),
            ));
        }
        undo_answer(&restored)
    }
}

/// An error result for a call that did not run.
fn not_run(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

fn declined(tool: &str, action: ElicitationAction) -> CallToolResult {
    let how = match action {
        ElicitationAction::Cancel => "cancelled the confirmation",
        _ => "declined",
    };
    not_run(format!(
        "{tool} was not run: the person {how}; nothing was sent to Spotify. Do not retry unless they ask again"
    ))
}

/// Adds the undo handle to a write's answer: in the text and, when there is one, the structure.
fn offer_undo(result: &mut CallToolResult, issued: &Issued, output_schema: bool) {
    let undo = json!({ "handle": issued.handle, "expires_at": issued.expires_at });
    match &mut result.structured_content {
        Some(Value::Object(map)) => {
            map.insert("undo".into(), undo);
        }
        None if !output_schema => result.structured_content = Some(json!({ "undo": undo })),
        _ => {}
    }
    result.content.push(ContentBlock::text(format!(
        "To reverse this, call `undo` with handle `{}` (until {}).",
        issued.handle, issued.expires_at
    )));
}

fn undo_answer(restored: &undo::Restored) -> CallToolResult {
    let structured = json!({
        "restored_count": restored.restored.len(),
        "restored": restored.restored.iter().take(50).collect::<Vec<_>>(),
        "not_restored": restored.not_restored,
        "notes": restored.notes,
    });
    let mut text = format!("Restored {} item(s).", restored.restored.len());
    if !restored.not_restored.is_empty() {
        text.push_str(&format!(
            " Could not restore: {}.",
            restored.not_restored.join("; ")
        ));
    }
    for note in &restored.notes {
        text.push_str(&format!(" Note: {note}."));
    }
    let mut result = CallToolResult::structured(structured);
    result.content = vec![ContentBlock::text(text)];
    if restored.restored.is_empty() && !restored.not_restored.is_empty() {
        result.is_error = Some(true);
    }
    result
}
