//! Where each connector instance and task runs: the placement the operator writes and the workers
//! follow, as a pure function of what it wants to run, the worker pods, the previous placement, and
//! what the workers report running. It replaces Kafka Connect's group-protocol assignor.
//!
//! The rules, in order of importance:
//! 1. **Never twice.** A unit is placed on a worker only when no other worker that may still be
//!    running it reports it: moving a unit is two steps, *release* (the old worker stops it, flushing
//!    and committing first, and reports so) then *place*. A worker whose pod is gone from the API is
//!    known dead (the kubelet removed its containers), so its units are free at once.
//! 2. **Sticky.** A unit stays where it is while its worker's pod is ready. A pod that is not ready
//!    (its probe failed `failureThreshold` times in a row) or terminating gives its units up: they
//!    are released, so a live but sick worker stops them, and they move once it has (or once its
//!    pod is gone). Kafka Connect waits up to `scheduled.rebalance.max.delay.ms` (5 minutes) for a
//!    lost worker; Ferry moves the units as soon as Kubernetes says the pod cannot serve.
//! 3. **Balanced.** Free units go to the ready workers with the fewest; when the counts differ by more
//!    than one (a worker joined), units are released from the busiest worker, one by one, until
//!    they would not.
//!
//! Everything is deterministic (ties broken by name) so that two operator replicas, or two reconciles
//! of the same state, compute the same placement.

use std::collections::{BTreeMap, BTreeSet};

/// One unit of work placed on one worker.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    /// A connector instance (it computes the task configurations).
    Connector(String),
    /// Task `n` of a connector.
    Task(String, u32),
}

/// What the operator sees of a worker pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerState {
    /// Running and ready: can take units.
    Ready,
    /// Exists but is not ready (starting, or failing its probe): takes no units and gives up those
    /// it has.
    NotReady,
    /// Being deleted (scale-down, rollout, eviction): its units are released.
    Terminating,
}

/// Where a unit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Assigned to this worker.
    On(String),
    /// Taken away from this worker, which must stop it before any other worker starts it.
    Releasing { from: String },
}

/// The placement of every unit that has one.
pub type Assignment = BTreeMap<Unit, Placement>;

/// For each unit, the workers that report it as running (any state but stopped or unassigned).
pub type Reports = BTreeMap<Unit, BTreeSet<String>>;

/// The next placement.
///
/// - `units`: what should run now (the connectors' instances and tasks);
/// - `workers`: every worker pod that exists, with its state; a worker missing here is gone;
/// - `previous`: the placement written last time;
/// - `reports`: what the workers say they run.
pub fn plan(
    units: &BTreeSet<Unit>,
    workers: &BTreeMap<String, WorkerState>,
    previous: &Assignment,
    reports: &Reports,
) -> Assignment {
    let exists = |w: &str| workers.contains_key(w);
    let mut next = Assignment::new();
    let mut free = Vec::new();

    for unit in units {
        // Another live worker still running this unit (a stale report, or a release in progress)
        // blocks any placement elsewhere: rule 1.
        let holders: Vec<&String> = reports
            .get(unit)
            .into_iter()
            .flatten()
            .filter(|w| exists(w))
            .collect();
        let placement = match previous.get(unit) {
            Some(Placement::On(w)) => match workers.get(w) {
                Some(WorkerState::Ready) => Some(Placement::On(w.clone())),
                Some(WorkerState::NotReady | WorkerState::Terminating) => {
                    Some(Placement::Releasing { from: w.clone() })
                }
                None => None,
            },
            Some(Placement::Releasing { from }) if holders.contains(&from) => {
                Some(Placement::Releasing { from: from.clone() })
            }
            _ => None,
        };
        match placement {
            Some(Placement::On(w)) => {
                // Any other live holder must release first; the assignee keeps the unit meanwhile
                // only if it is the sole holder.
                match holders.iter().find(|h| ***h != w) {
                    Some(other) => {
                        next.insert(
                            unit.clone(),
                            Placement::Releasing {
                                from: (*other).clone(),
                            },
                        );
                    }
                    None => {
                        next.insert(unit.clone(), Placement::On(w));
                    }
                }
            }
            Some(releasing) => {
                next.insert(unit.clone(), releasing);
            }
            None => match holders.first() {
                Some(h) => {
                    next.insert(unit.clone(), Placement::Releasing { from: (*h).clone() });
                }
                None => free.push(unit.clone()),
            },
        }
    }

    let ready: Vec<&String> = workers
        .iter()
        .filter(|(_, s)| **s == WorkerState::Ready)
        .map(|(w, _)| w)
        .collect();
    if ready.is_empty() {
        return next;
    }
    let mut load: BTreeMap<&String, usize> = ready.iter().map(|w| (*w, 0)).collect();
    for placement in next.values() {
        if let Placement::On(w) = placement {
            if let Some(n) = load.get_mut(w) {
                *n += 1;
            }
        }
    }
    // Units being released will land on the least loaded workers: count them there already, so
    // rebalancing does not release more than it needs to.
    let releasing = next
        .values()
        .filter(|p| matches!(p, Placement::Releasing { .. }))
        .count();
    for _ in 0..releasing {
        if let Some(n) = least_loaded(&load).and_then(|w| load.get_mut(w)) {
            *n += 1;
        }
    }

    for unit in free {
        if let Some(w) = least_loaded(&load) {
            next.insert(unit, Placement::On(w.clone()));
            if let Some(n) = load.get_mut(w) {
                *n += 1;
            }
        }
    }

    rebalance(&mut next, &mut load);
    next
}

/// Releases units from the busiest ready worker while its count exceeds the least busy one's by
/// more than one (rule 3).
fn rebalance(next: &mut Assignment, load: &mut BTreeMap<&String, usize>) {
    loop {
        let Some(min) = least_loaded(load) else {
            return;
        };
        let Some(max) = most_loaded(load) else {
            return;
        };
        if load[max] <= load[min] + 1 {
            return;
        }
        // Tasks move before connector instances (restarting an instance is costlier); among
        // them, the last in order, so the choice is deterministic.
        let victim = next
            .iter()
            .filter(|(_, p)| **p == Placement::On(max.clone()))
            .map(|(u, _)| u.clone())
            .max_by_key(|u| (matches!(u, Unit::Task(..)), u.clone()));
        let Some(victim) = victim else {
            return;
        };
        next.insert(victim, Placement::Releasing { from: max.clone() });
        if let Some(n) = load.get_mut(max) {
            *n -= 1;
        }
        if let Some(n) = load.get_mut(min) {
            *n += 1;
        }
    }
}

fn least_loaded<'a>(load: &BTreeMap<&'a String, usize>) -> Option<&'a String> {
    // `min_by_key` keeps the first of equals: the smallest name, as the map is ordered.
    load.iter().min_by_key(|(_, n)| **n).map(|(w, _)| *w)
}

fn most_loaded<'a>(load: &BTreeMap<&'a String, usize>) -> Option<&'a String> {
    // The first of the busiest, by name.
    let max = load.values().copied().max()?;
    load.iter().find(|(_, n)| **n == max).map(|(w, _)| *w)
}

#[cfg(test)]
mod tests;
