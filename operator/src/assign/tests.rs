//! Placement rules, example by example, then as properties over random clusters with simulated
//! workers that follow the placement.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

fn task(c: &str, n: u32) -> Unit {
    Unit::Task(c.to_string(), n)
}

fn units(tasks: &[(&str, u32)]) -> BTreeSet<Unit> {
    let mut out = BTreeSet::new();
    for (c, n) in tasks {
        out.insert(Unit::Connector(c.to_string()));
        for i in 0..*n {
            out.insert(task(c, i));
        }
    }
    out
}

fn workers(list: &[(&str, WorkerState)]) -> BTreeMap<String, WorkerState> {
    list.iter().map(|(w, s)| (w.to_string(), *s)).collect()
}

fn on(w: &str) -> Placement {
    Placement::On(w.to_string())
}

fn releasing(w: &str) -> Placement {
    Placement::Releasing {
        from: w.to_string(),
    }
}

/// What the workers report after following `assignment`: each runs what is on it and has stopped
/// what is being released from it.
fn follow(assignment: &Assignment) -> Reports {
    let mut reports = Reports::new();
    for (unit, placement) in assignment {
        if let Placement::On(w) = placement {
            reports.entry(unit.clone()).or_default().insert(w.clone());
        }
    }
    reports
}

fn counts(assignment: &Assignment) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for p in assignment.values() {
        if let Placement::On(w) = p {
            *out.entry(w.clone()).or_default() += 1;
        }
    }
    out
}

#[test]
fn spreads_free_units_over_ready_workers_evenly() {
    let u = units(&[("a", 3), ("b", 2)]);
    let w = workers(&[("w0", WorkerState::Ready), ("w1", WorkerState::Ready)]);
    let a = plan(&u, &w, &Assignment::new(), &Reports::new());
    assert_eq!(a.len(), 7);
    assert!(a.values().all(|p| matches!(p, Placement::On(_))));
    let c = counts(&a);
    assert_eq!(c.values().copied().collect::<Vec<_>>(), vec![4, 3]);
}

#[test]
fn no_ready_worker_places_nothing() {
    let u = units(&[("a", 1)]);
    let w = workers(&[("w0", WorkerState::NotReady)]);
    assert!(plan(&u, &w, &Assignment::new(), &Reports::new()).is_empty());
}

#[test]
fn a_stable_placement_is_kept() {
    let u = units(&[("a", 3)]);
    let w = workers(&[("w0", WorkerState::Ready), ("w1", WorkerState::Ready)]);
    let first = plan(&u, &w, &Assignment::new(), &Reports::new());
    let second = plan(&u, &w, &first, &follow(&first));
    assert_eq!(first, second);
}

#[test]
fn a_not_ready_worker_keeps_its_units() {
    let u = units(&[("a", 1)]);
    let previous: Assignment = u.iter().map(|x| (x.clone(), on("w0"))).collect();
    let w = workers(&[("w0", WorkerState::NotReady), ("w1", WorkerState::Ready)]);
    let next = plan(&u, &w, &previous, &follow(&previous));
    assert_eq!(next, previous);
}

#[test]
fn a_terminating_worker_releases_before_another_starts() {
    let u = units(&[("a", 1)]);
    let previous: Assignment = u.iter().map(|x| (x.clone(), on("w0"))).collect();
    let w = workers(&[("w0", WorkerState::Terminating), ("w1", WorkerState::Ready)]);
    // w0 still runs them: released, not moved.
    let next = plan(&u, &w, &previous, &follow(&previous));
    assert!(next.values().all(|p| *p == releasing("w0")), "{next:?}");
    // Once w0 reports them stopped, they go to w1.
    let after = plan(&u, &w, &next, &Reports::new());
    assert!(after.values().all(|p| *p == on("w1")), "{after:?}");
}

#[test]
fn a_gone_worker_frees_its_units_at_once() {
    let u = units(&[("a", 2)]);
    let previous: Assignment = u.iter().map(|x| (x.clone(), on("dead"))).collect();
    let w = workers(&[("w1", WorkerState::Ready)]);
    // Its last report still says running, but the pod is gone: the process is dead.
    let next = plan(&u, &w, &previous, &follow(&previous));
    assert!(next.values().all(|p| *p == on("w1")), "{next:?}");
}

#[test]
fn a_stale_report_from_a_live_worker_blocks_a_placement() {
    let u = units(&[("a", 0)]);
    let w = workers(&[("w0", WorkerState::Ready), ("w1", WorkerState::Ready)]);
    let mut reports = Reports::new();
    reports.insert(
        Unit::Connector("a".into()),
        BTreeSet::from(["w1".to_string()]),
    );
    // Nothing placed it on w1, yet w1 says it runs it: w1 must stop it first.
    let next = plan(&u, &w, &Assignment::new(), &reports);
    assert_eq!(next[&Unit::Connector("a".into())], releasing("w1"));
}

#[test]
fn a_new_worker_gets_units_released_from_the_busiest() {
    let u = units(&[("a", 5)]);
    let one = workers(&[("w0", WorkerState::Ready)]);
    let first = plan(&u, &one, &Assignment::new(), &Reports::new());
    assert_eq!(counts(&first)["w0"], 6);

    let two = workers(&[("w0", WorkerState::Ready), ("w1", WorkerState::Ready)]);
    let second = plan(&u, &two, &first, &follow(&first));
    let released: Vec<_> = second
        .iter()
        .filter(|(_, p)| **p == releasing("w0"))
        .map(|(u, _)| u.clone())
        .collect();
    assert_eq!(released.len(), 3, "{second:?}");
    // Tasks move, the connector instance stays.
    assert!(released.iter().all(|u| matches!(u, Unit::Task(..))));

    let third = plan(&u, &two, &second, &follow(&second));
    assert_eq!(
        counts(&third),
        BTreeMap::from([("w0".into(), 3), ("w1".into(), 3)])
    );
}

#[test]
fn removed_units_are_dropped() {
    let previous: Assignment = units(&[("a", 2)])
        .into_iter()
        .map(|x| (x, on("w0")))
        .collect();
    let w = workers(&[("w0", WorkerState::Ready)]);
    let next = plan(&units(&[("a", 1)]), &w, &previous, &follow(&previous));
    assert_eq!(next.len(), 2);
    assert!(!next.contains_key(&task("a", 1)));
}

fn arb_state() -> impl Strategy<Value = WorkerState> {
    prop_oneof![
        6 => Just(WorkerState::Ready),
        1 => Just(WorkerState::NotReady),
        1 => Just(WorkerState::Terminating),
    ]
}

/// A random cluster history: connectors with task counts, and a sequence of worker sets.
fn arb_history() -> impl Strategy<Value = (Vec<u32>, Vec<BTreeMap<String, WorkerState>>)> {
    let connectors = prop::collection::vec(0u32..6, 1..5);
    let step =
        prop::collection::btree_map((0u8..6).prop_map(|i| format!("w{i}")), arb_state(), 0..5);
    (connectors, prop::collection::vec(step, 1..6))
}

fn all_units(tasks: &[u32]) -> BTreeSet<Unit> {
    let names: Vec<String> = (0..tasks.len()).map(|i| format!("c{i}")).collect();
    let pairs: Vec<(&str, u32)> = names
        .iter()
        .map(String::as_str)
        .zip(tasks.iter().copied())
        .collect();
    units(&pairs)
}

proptest! {
    /// Whatever happens to the workers, a unit never runs on two live workers: every placement
    /// `On(w)` is made only when no other live worker reports the unit, and simulated workers start a
    /// unit only when it is placed on them.
    #[test]
    fn never_twice_and_converges((tasks, history) in arb_history()) {
        let u = all_units(&tasks);
        let mut assignment = Assignment::new();
        let mut reports = Reports::new();
        for workers in &history {
            // Workers that are gone report nothing; the rest follow the placement over a few rounds.
            for _ in 0..4 {
                let next = plan(&u, workers, &assignment, &reports);
                for (unit, p) in &next {
                    if let Placement::On(w) = p {
                        let others: Vec<_> = reports
                            .get(unit)
                            .into_iter()
                            .flatten()
                            .filter(|h| *h != w && workers.contains_key(*h))
                            .collect();
                        prop_assert!(others.is_empty(), "{unit:?} placed on {w} while {others:?} run it");
                        prop_assert!(workers.contains_key(w));
                    }
                }
                // Workers apply it: live ones stop what is no longer theirs and start what is.
                reports = follow(&next)
                    .into_iter()
                    .filter(|(_, ws)| ws.iter().all(|w| workers.contains_key(w)))
                    .collect();
                assignment = next;
            }
            // After those rounds, with any ready worker, everything runs, and the ready workers'
            // counts differ by at most one (units kept by not-ready workers aside).
            let ready: Vec<&String> = workers.iter().filter(|(_, s)| **s == WorkerState::Ready).map(|(w, _)| w).collect();
            let blocked = workers.values().any(|s| *s != WorkerState::Ready);
            if !ready.is_empty() && !blocked {
                prop_assert_eq!(assignment.len(), u.len());
                prop_assert!(assignment.values().all(|p| matches!(p, Placement::On(_))), "{:?}", assignment);
                let c = counts(&assignment);
                let loads: Vec<usize> = ready.iter().map(|w| c.get(*w).copied().unwrap_or(0)).collect();
                let (min, max) = (loads.iter().min().copied().unwrap_or(0), loads.iter().max().copied().unwrap_or(0));
                prop_assert!(max <= min + 1, "unbalanced {:?}", c);
                // And it is stable: another round changes nothing.
                prop_assert_eq!(plan(&u, workers, &assignment, &reports), assignment.clone());
            }
        }
    }
}
