//! What a server that confirms destructive calls holds: the policy, the seal of 2026-07-28
//! request states, the confirmations already used, and where undo plans wait.

use super::spent::Spent;
use super::state::StateSeal;
use crate::foundation::config::ConfirmDestructive;
use crate::foundation::secret::Secret;
use crate::mcp::undo::store::UndoStore;

#[derive(Debug)]
pub struct Guard {
    pub policy: ConfirmDestructive,
    pub seal: StateSeal,
    pub spent: Spent,
    pub undo: UndoStore,
}

impl Guard {
    /// `key`: the server's encryption key, which request states derive theirs from (see
    /// [`StateSeal::new`]). Used confirmations are kept where `undo` keeps its plans: in its
    /// Redis when it has one, so replicas agree on them.
    pub fn new(policy: ConfirmDestructive, key: Option<&Secret>, undo: UndoStore) -> Self {
        Self {
            policy,
            seal: StateSeal::new(key),
            spent: Spent::new(undo.redis()),
            undo,
        }
    }
}
