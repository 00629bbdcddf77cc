//! Connector and task states (§8) and the in-memory status store the REST API reads.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// The user-visible states (`AbstractStatus.State`). `Stopped` applies to connectors only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Unassigned,
    Running,
    Paused,
    Stopped,
    Failed,
    Restarting,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unassigned => "UNASSIGNED",
            State::Running => "RUNNING",
            State::Paused => "PAUSED",
            State::Stopped => "STOPPED",
            State::Failed => "FAILED",
            State::Restarting => "RESTARTING",
        }
    }
    pub const ALL: [State; 6] = [
        State::Unassigned,
        State::Running,
        State::Paused,
        State::Stopped,
        State::Failed,
        State::Restarting,
    ];
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The state of one connector or task instance, with the failure trace when FAILED.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceStatus {
    pub state: State,
    pub trace: Option<String>,
}

impl InstanceStatus {
    pub fn new(state: State) -> Self {
        InstanceStatus { state, trace: None }
    }
}

/// Called on every state change: connector, task (None for the connector itself), new state.
pub type StateListener = Arc<dyn Fn(&str, Option<u32>, State) + Send + Sync>;

#[derive(Default)]
struct Inner {
    connectors: BTreeMap<String, InstanceStatus>,
    tasks: BTreeMap<(String, u32), InstanceStatus>,
}

/// Statuses of everything this worker runs. Cheap to clone; task runners write, the REST API reads.
#[derive(Clone, Default)]
pub struct StatusStore {
    inner: Arc<Mutex<Inner>>,
    listener: Option<StateListener>,
}

impl StatusStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `f` on every state change (metrics use it).
    pub fn with_listener(mut self, f: StateListener) -> Self {
        self.listener = Some(f);
        self
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        crate::sync::lock(&self.inner)
    }

    pub fn set_connector(&self, connector: &str, state: State, trace: Option<String>) {
        self.lock()
            .connectors
            .insert(connector.to_string(), InstanceStatus { state, trace });
        if let Some(l) = &self.listener {
            l(connector, None, state);
        }
    }

    pub fn set_task(&self, connector: &str, task: u32, state: State, trace: Option<String>) {
        self.lock().tasks.insert(
            (connector.to_string(), task),
            InstanceStatus { state, trace },
        );
        if let Some(l) = &self.listener {
            l(connector, Some(task), state);
        }
    }

    pub fn connector(&self, connector: &str) -> Option<InstanceStatus> {
        self.lock().connectors.get(connector).cloned()
    }

    pub fn task(&self, connector: &str, task: u32) -> Option<InstanceStatus> {
        self.lock()
            .tasks
            .get(&(connector.to_string(), task))
            .cloned()
    }

    /// The tasks of a connector, sorted by id.
    pub fn tasks(&self, connector: &str) -> Vec<(u32, InstanceStatus)> {
        self.lock()
            .tasks
            .range((connector.to_string(), 0)..=(connector.to_string(), u32::MAX))
            .map(|((_, id), s)| (*id, s.clone()))
            .collect()
    }

    /// Forgets a connector's tasks (they were stopped and removed).
    pub fn remove_tasks(&self, connector: &str) {
        self.lock().tasks.retain(|(c, _), _| c != connector);
    }

    /// Forgets one task (this worker stopped it and no longer runs it).
    pub fn remove_task(&self, connector: &str, task: u32) {
        self.lock().tasks.remove(&(connector.to_string(), task));
    }

    /// Forgets the state of a connector instance this worker no longer runs, keeping its tasks.
    pub fn forget_connector(&self, connector: &str) {
        self.lock().connectors.remove(connector);
    }

    /// Forgets a connector and its tasks (it was deleted: Kafka writes DESTROYED tombstones).
    pub fn remove_connector(&self, connector: &str) {
        let mut inner = self.lock();
        inner.connectors.remove(connector);
        inner.tasks.retain(|(c, _), _| c != connector);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_are_listed_per_connector_in_id_order() {
        let s = StatusStore::new();
        s.set_task("b", 0, State::Running, None);
        s.set_task("a", 1, State::Failed, Some("boom".into()));
        s.set_task("a", 0, State::Running, None);
        let ids: Vec<u32> = s.tasks("a").iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![0, 1]);
        assert_eq!(s.task("a", 1).unwrap().trace.as_deref(), Some("boom"));
        s.remove_connector("a");
        assert!(s.tasks("a").is_empty());
        assert_eq!(s.tasks("b").len(), 1);
    }
}
