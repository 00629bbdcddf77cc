//! Leader election with a `coordination.k8s.io/v1` Lease, so two operator replicas can run and
//! only one reconciles. kube-runtime 4.2 has no elector, so this is a small one following
//! client-go's rules: the holder renews `renewTime`; anyone may take the Lease once
//! `renewTime + leaseDurationSeconds` has passed; writes carry the read `resourceVersion`, so of
//! two contenders exactly one wins (the other gets 409 Conflict).

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, PostParams};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// What to do with the Lease as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaseDecision {
    /// No Lease exists: create it with us as holder.
    Create,
    /// We hold it: renew.
    Renew,
    /// Nobody holds it, or the holder stopped renewing: take it over.
    TakeOver,
    /// Someone else holds it.
    Wait { holder: String },
}

/// Decides from the current Lease spec (`None`: no Lease object).
pub fn decide(lease: Option<&LeaseSpec>, me: &str, now: Timestamp) -> LeaseDecision {
    let Some(spec) = lease else {
        return LeaseDecision::Create;
    };
    let holder = spec.holder_identity.as_deref().unwrap_or_default();
    if holder == me {
        return LeaseDecision::Renew;
    }
    if holder.is_empty() {
        return LeaseDecision::TakeOver;
    }
    let duration = SignedDuration::from_secs(spec.lease_duration_seconds.unwrap_or(0).into());
    let expired = match &spec.renew_time {
        Some(MicroTime(renewed)) => renewed
            .checked_add(duration)
            .map(|until| until < now)
            .unwrap_or(true),
        None => true,
    };
    if expired {
        LeaseDecision::TakeOver
    } else {
        LeaseDecision::Wait {
            holder: holder.to_owned(),
        }
    }
}

/// The spec to write for `decision` (only for Create, Renew and TakeOver).
pub fn next_spec(
    previous: Option<&LeaseSpec>,
    decision: &LeaseDecision,
    me: &str,
    now: Timestamp,
    duration_seconds: i32,
) -> LeaseSpec {
    let prev = previous.cloned().unwrap_or_default();
    let transitions = prev.lease_transitions.unwrap_or(0);
    let (acquire_time, lease_transitions) = match decision {
        LeaseDecision::Renew => (prev.acquire_time.clone(), transitions),
        LeaseDecision::TakeOver => (Some(MicroTime(now)), transitions.saturating_add(1)),
        _ => (Some(MicroTime(now)), 0),
    };
    LeaseSpec {
        holder_identity: Some(me.to_owned()),
        lease_duration_seconds: Some(duration_seconds),
        acquire_time,
        renew_time: Some(MicroTime(now)),
        lease_transitions: Some(lease_transitions),
        ..prev
    }
}

/// Timing of the elector (client-go's defaults: 15 s lease, renew every 5 s... here 2 s retry).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// How long a Lease stays valid without renewal.
    pub lease_duration: Duration,
    /// How often the holder renews and a follower retries.
    pub retry_period: Duration,
    /// How long the holder keeps leading while renewals fail; below `lease_duration`, so it
    /// stops before anyone else can take over.
    pub renew_deadline: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            lease_duration: Duration::from_secs(15),
            retry_period: Duration::from_secs(2),
            renew_deadline: Duration::from_secs(10),
        }
    }
}

/// Elects this replica through the Lease `name`.
pub struct LeaseElector {
    api: Api<Lease>,
    name: String,
    identity: String,
    timing: Timing,
}

/// Why leading ended.
#[derive(Debug, PartialEq, Eq)]
pub enum LeadershipEnd {
    /// Shutdown was requested.
    Shutdown,
    /// Renewals failed for longer than the renew deadline, or another replica holds the Lease.
    Lost,
}

impl LeaseElector {
    pub fn new(
        api: Api<Lease>,
        name: impl Into<String>,
        identity: impl Into<String>,
        timing: Timing,
    ) -> Self {
        LeaseElector {
            api,
            name: name.into(),
            identity: identity.into(),
            timing,
        }
    }

    fn duration_seconds(&self) -> i32 {
        i32::try_from(self.timing.lease_duration.as_secs()).unwrap_or(i32::MAX)
    }

    /// One attempt: true when we hold the Lease afterwards.
    pub async fn try_acquire_or_renew(&self) -> Result<bool, kube::Error> {
        let current = self.api.get_opt(&self.name).await?;
        let now = Timestamp::now();
        let spec = current.as_ref().and_then(|l| l.spec.as_ref());
        let decision = match (&current, spec) {
            // A Lease object without a spec is free.
            (Some(_), None) => LeaseDecision::TakeOver,
            _ => decide(spec, &self.identity, now),
        };
        if let LeaseDecision::Wait { .. } = decision {
            return Ok(false);
        }
        let new_spec = next_spec(
            spec,
            &decision,
            &self.identity,
            now,
            self.duration_seconds(),
        );
        let result = match current {
            None => {
                let lease = Lease {
                    metadata: ObjectMeta {
                        name: Some(self.name.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(new_spec),
                };
                self.api
                    .create(&PostParams::default(), &lease)
                    .await
                    .map(|_| ())
            }
            Some(mut lease) => {
                // Keeps metadata.resourceVersion: a concurrent writer makes this a 409.
                lease.spec = Some(new_spec);
                self.api
                    .replace(&self.name, &PostParams::default(), &lease)
                    .await
                    .map(|_| ())
            }
        };
        match result {
            Ok(()) => {
                if decision != LeaseDecision::Renew {
                    info!(lease = %self.name, identity = %self.identity, "acquired leadership");
                }
                Ok(true)
            }
            // Lost the race (409 Conflict, or 409 AlreadyExists on create).
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Waits until this replica leads (true) or shutdown is requested (false).
    pub async fn acquire(&self, shutdown: &CancellationToken) -> bool {
        loop {
            match self.try_acquire_or_renew().await {
                Ok(true) => return true,
                Ok(false) => {}
                Err(e) => warn!(error = %e, "leader election: cannot read or write the Lease"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return false,
                _ = tokio::time::sleep(self.timing.retry_period) => {}
            }
        }
    }

    /// Renews until shutdown or until leadership is lost.
    pub async fn hold(&self, shutdown: &CancellationToken) -> LeadershipEnd {
        let mut last_renewal = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return LeadershipEnd::Shutdown,
                _ = tokio::time::sleep(self.timing.retry_period) => {}
            }
            match self.try_acquire_or_renew().await {
                Ok(true) => last_renewal = tokio::time::Instant::now(),
                Ok(false) => return LeadershipEnd::Lost,
                Err(e) => warn!(error = %e, "leader election: renewal failed"),
            }
            if last_renewal.elapsed() > self.timing.renew_deadline {
                return LeadershipEnd::Lost;
            }
        }
    }

    /// Gives the Lease up on shutdown, so the other replica takes over at once instead of after
    /// the lease duration.
    pub async fn release(&self) {
        let result = async {
            let Some(mut lease) = self.api.get_opt(&self.name).await? else {
                return Ok(());
            };
            let mine = lease
                .spec
                .as_ref()
                .and_then(|s| s.holder_identity.as_deref())
                == Some(self.identity.as_str());
            if !mine {
                return Ok(());
            }
            if let Some(spec) = lease.spec.as_mut() {
                spec.holder_identity = None;
                spec.renew_time = None;
            }
            self.api
                .replace(&self.name, &PostParams::default(), &lease)
                .await
                .map(|_| ())
        }
        .await;
        if let Err(e) = result {
            warn!(error = %e, "leader election: could not release the Lease");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).expect("timestamp")
    }

    fn held(by: &str, renewed: i64, duration: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(by.into()),
            renew_time: Some(MicroTime(at(renewed))),
            lease_duration_seconds: Some(duration),
            lease_transitions: Some(2),
            acquire_time: Some(MicroTime(at(1))),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn decisions() {
        assert_eq!(decide(None, "a", at(100)), LeaseDecision::Create);
        assert_eq!(
            decide(Some(&held("a", 90, 15)), "a", at(100)),
            LeaseDecision::Renew
        );
        assert_eq!(
            decide(Some(&held("b", 90, 15)), "a", at(100)),
            LeaseDecision::Wait { holder: "b".into() }
        );
        assert_eq!(
            decide(Some(&held("b", 80, 15)), "a", at(100)),
            LeaseDecision::TakeOver
        );
        assert_eq!(
            decide(Some(&held("", 99, 15)), "a", at(100)),
            LeaseDecision::TakeOver
        );
        let mut no_renew = held("b", 0, 15);
        no_renew.renew_time = None;
        assert_eq!(
            decide(Some(&no_renew), "a", at(100)),
            LeaseDecision::TakeOver
        );
    }

    #[test]
    fn next_spec_counts_transitions_and_keeps_acquire_time_on_renew() {
        let prev = held("b", 80, 15);
        let taken = next_spec(Some(&prev), &LeaseDecision::TakeOver, "a", at(100), 15);
        assert_eq!(taken.holder_identity.as_deref(), Some("a"));
        assert_eq!(taken.lease_transitions, Some(3));
        assert_eq!(taken.acquire_time, Some(MicroTime(at(100))));
        let renewed = next_spec(Some(&taken), &LeaseDecision::Renew, "a", at(105), 15);
        assert_eq!(renewed.acquire_time, Some(MicroTime(at(100))));
        assert_eq!(renewed.renew_time, Some(MicroTime(at(105))));
        assert_eq!(renewed.lease_transitions, Some(3));
        let created = next_spec(None, &LeaseDecision::Create, "a", at(1), 15);
        assert_eq!(created.lease_transitions, Some(0));
        assert_eq!(created.lease_duration_seconds, Some(15));
    }
}
