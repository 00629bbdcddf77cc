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
fn a_not_ready_worker_releases_its_units() {
    let u = units(&[("a", 1)]);
    let previous: Assignment = u.iter().map(|x| (x.clone(), on("w0"))).collect();
    let w = workers(&[("w0", WorkerState::NotReady), ("w1", WorkerState::Ready)]);
    let next = plan(&u, &w, &previous, &follow(&previous));
    assert!(next.values().all(|p| *p == releasing("w0")), "{next:?}");
    // Once it reports them stopped, they move to the ready worker.
    let moved = plan(&u, &w, &next, &Reports::new());
    assert!(moved.values().all(|p| *p == on("w1")), "{moved:?}");
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

/// One step of a cluster's life: the worker pods that exist (joins, losses, readiness changes,
/// scale changes) and each connector's task count (config and `tasksMax` changes).
#[derive(Debug, Clone)]
struct Step {
    workers: BTreeMap<String, WorkerState>,
    tasks: Vec<u32>,
}

fn arb_history() -> impl Strategy<Value = Vec<Step>> {
    let step = (
        prop::collection::btree_map((0u8..6).prop_map(|i| format!("w{i}")), arb_state(), 0..6),
        prop::collection::vec(0u32..6, 3),
    )
        .prop_map(|(workers, tasks)| Step { workers, tasks });
    prop::collection::vec(step, 1..8)
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

/// What each live worker actually runs. Workers act on the placement at their own pace: one that
/// has not caught up still runs what it ran; the invariant must hold anyway.
type Running = BTreeMap<String, BTreeSet<Unit>>;

fn reports_of(running: &Running) -> Reports {
    let mut reports = Reports::new();
    for (w, units) in running {
        for u in units {
            reports.entry(u.clone()).or_default().insert(w.clone());
        }
    }
    reports
}

/// Worker `w` catches up with `assignment`: stops what is not placed on it (reporting it stopped
/// by no longer listing it), starts what is.
fn act(w: &str, assignment: &Assignment, running: &mut Running) {
    let mine: BTreeSet<Unit> = assignment
        .iter()
        .filter(|(_, p)| **p == Placement::On(w.to_string()))
        .map(|(u, _)| u.clone())
        .collect();
    running.insert(w.to_string(), mine);
}

fn check_never_twice(running: &Running) -> Result<(), TestCaseError> {
    let mut seen: BTreeMap<&Unit, &String> = BTreeMap::new();
    for (w, units) in running {
        for u in units {
            if let Some(other) = seen.insert(u, w) {
                return Err(TestCaseError::fail(format!(
                    "{u:?} runs on {other} and {w}"
                )));
            }
        }
    }
    Ok(())
}

fn loads(assignment: &Assignment, ready: &[&String]) -> Vec<usize> {
    let c = counts(assignment);
    ready
        .iter()
        .map(|w| c.get(*w).copied().unwrap_or(0))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Hundreds of random histories of joins, losses, readiness and scale changes and task-count
    /// changes, with workers that lag behind the placement by random amounts. After every round:
    /// no unit runs on two live workers. After every step, once the workers caught up: every unit
    /// runs on exactly one ready worker, the ready workers' counts differ by at most one, another
    /// round changes nothing, and units stayed on ready workers except what balance needed.
    #[test]
    fn never_twice_balanced_sticky(history in arb_history(), lag in prop::collection::vec(any::<u8>(), 64)) {
        let mut assignment = Assignment::new();
        let mut running = Running::new();
        let mut lag = lag.into_iter().cycle();
        for step in &history {
            let u = all_units(&step.tasks);
            let before = assignment.clone();
            // Pods that are gone run nothing (the kubelet killed their containers).
            running.retain(|w, _| step.workers.contains_key(w));
            // Lagging rounds: only some workers act on each placement.
            for _ in 0..3 {
                assignment = plan(&u, &step.workers, &assignment, &reports_of(&running));
                for w in step.workers.keys() {
                    if lag.next().unwrap_or(0) % 2 == 0 {
                        act(w, &assignment, &mut running);
                    }
                }
                check_never_twice(&running)?;
            }
            // Then everyone catches up.
            for _ in 0..6 {
                assignment = plan(&u, &step.workers, &assignment, &reports_of(&running));
                for w in step.workers.keys() {
                    act(w, &assignment, &mut running);
                }
                check_never_twice(&running)?;
            }
            let ready: Vec<&String> = step.workers.iter().filter(|(_, s)| **s == WorkerState::Ready).map(|(w, _)| w).collect();
            if ready.is_empty() {
                prop_assert!(assignment.values().all(|p| !matches!(p, Placement::On(_))), "{:?}", assignment);
                continue;
            }
            prop_assert_eq!(assignment.len(), u.len());
            for (unit, p) in &assignment {
                let Placement::On(w) = p else {
                    return Err(TestCaseError::fail(format!("{unit:?} not placed: {p:?}")));
                };
                prop_assert_eq!(step.workers.get(w), Some(&WorkerState::Ready));
                prop_assert!(running.get(w).is_some_and(|r| r.contains(unit)));
            }
            let l = loads(&assignment, &ready);
            let (min, max) = (l.iter().min().copied().unwrap_or(0), l.iter().max().copied().unwrap_or(0));
            prop_assert!(max <= min + 1, "unbalanced {:?}", counts(&assignment));
            prop_assert_eq!(&plan(&u, &step.workers, &assignment, &reports_of(&running)), &assignment);
            // Sticky: of the units that existed before and were on a worker that is still ready,
            // only those above the new even share moved.
            let floor = u.len() / ready.len();
            let mut allowance = 0;
            let mut moved = 0;
            for w in &ready {
                let kept: Vec<&Unit> = before.iter().filter(|(unit, p)| **p == Placement::On((*w).clone()) && u.contains(*unit)).map(|(unit, _)| unit).collect();
                allowance += kept.len().saturating_sub(floor);
                moved += kept.iter().filter(|unit| assignment.get(**unit) != Some(&Placement::On((*w).clone()))).count();
            }
            prop_assert!(moved <= allowance, "moved {} units from staying workers, balance needed at most {}", moved, allowance);
        }
    }
}
