//! Which source offsets may be committed (Kafka's `SubmittedRecords`): for each source partition, the
//! offset of the latest record such that it and every earlier record of that partition were
//! acknowledged by Kafka. Records are acknowledged out of order across partitions, and the committed
//! offset never runs ahead of an unacknowledged record: that is the at-least-once guarantee.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::data::{RecordOffset, RecordOrigin, SourceOffset, SourcePartition};

/// A handle to one submitted record, returned to the tracker when Kafka acknowledges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmittedRecord {
    queue: u32,
    seq: u64,
}

impl SubmittedRecord {
    /// The queue index and sequence number, to pass through a delivery report.
    pub fn parts(self) -> (u32, u64) {
        (self.queue, self.seq)
    }
    pub fn from_parts(queue: u32, seq: u64) -> Self {
        SubmittedRecord { queue, seq }
    }
}

struct PartitionQueue {
    partition: Arc<SourcePartition>,
    /// Sequence number of the front entry.
    front_seq: u64,
    /// (offset, acknowledged) in submission order.
    entries: VecDeque<(RecordOffset, bool)>,
    /// The latest offset popped from the acknowledged prefix and not yet handed to a commit.
    committable: Option<RecordOffset>,
}

/// Tracks records in flight for one source task.
#[derive(Default)]
pub struct SubmittedRecords {
    queues: Vec<PartitionQueue>,
    /// Finds a partition's queue by content when the `Arc` differs from the last one seen.
    by_key: HashMap<String, u32>,
    last: Option<u32>,
    in_flight: usize,
}

impl SubmittedRecords {
    pub fn new() -> Self {
        Self::default()
    }

    fn queue_index(&mut self, partition: &Arc<SourcePartition>) -> u32 {
        // Fast path: a task usually sends many records of one partition with the same `Arc`.
        if let Some(i) = self.last {
            if Arc::ptr_eq(&self.queues[i as usize].partition, partition) {
                return i;
            }
        }
        let key = serde_json::Value::Object((**partition).clone()).to_string();
        let index = match self.by_key.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.queues.len() as u32;
                self.queues.push(PartitionQueue {
                    partition: Arc::clone(partition),
                    front_seq: 0,
                    entries: VecDeque::new(),
                    committable: None,
                });
                self.by_key.insert(key, i);
                i
            }
        };
        // Remember this Arc so the next records of the same partition take the fast path.
        self.queues[index as usize].partition = Arc::clone(partition);
        self.last = Some(index);
        index
    }

    /// Registers a record before it is sent.
    pub fn submit(
        &mut self,
        partition: &Arc<SourcePartition>,
        offset: RecordOffset,
    ) -> SubmittedRecord {
        let queue = self.queue_index(partition);
        let q = &mut self.queues[queue as usize];
        let seq = q.front_seq + q.entries.len() as u64;
        q.entries.push_back((offset, false));
        self.in_flight += 1;
        SubmittedRecord { queue, seq }
    }

    /// Marks a record acknowledged, and moves the acknowledged prefix of its partition into the
    /// committable offset.
    pub fn ack(&mut self, record: SubmittedRecord) {
        let Some(q) = self.queues.get_mut(record.queue as usize) else {
            return;
        };
        let Some(index) = record.seq.checked_sub(q.front_seq) else {
            return; // already popped: a duplicate acknowledgement
        };
        match q.entries.get_mut(index as usize) {
            Some(entry) if !entry.1 => {
                entry.1 = true;
                self.in_flight -= 1;
            }
            _ => return,
        }
        while let Some((_, true)) = q.entries.front() {
            if let Some((offset, _)) = q.entries.pop_front() {
                q.committable = Some(offset);
                q.front_seq += 1;
            }
        }
    }

    /// The source partition and offset of a record still in flight: what a failed delivery's
    /// error report names. `None` once it is acknowledged or unknown.
    pub fn origin(&self, record: SubmittedRecord) -> Option<RecordOrigin> {
        let q = self.queues.get(record.queue as usize)?;
        let index = record.seq.checked_sub(q.front_seq)?;
        let (offset, _) = q.entries.get(usize::try_from(index).ok()?)?;
        Some(RecordOrigin::Source {
            partition: Arc::clone(&q.partition),
            offset: offset.clone(),
        })
    }

    /// Takes the offsets that became committable since the last call, one per partition.
    pub fn take_committable(&mut self) -> Vec<(SourcePartition, SourceOffset)> {
        self.queues
            .iter_mut()
            .filter_map(|q| {
                q.committable
                    .take()
                    .map(|o| ((*q.partition).clone(), o.to_map()))
            })
            .collect()
    }

    /// Puts offsets back after a failed commit, unless a newer one became committable meanwhile.
    pub fn restore_committable(&mut self, offsets: Vec<(SourcePartition, Option<SourceOffset>)>) {
        for (partition, offset) in offsets {
            let Some(offset) = offset else { continue };
            let key = serde_json::Value::Object(partition.clone()).to_string();
            if let Some(&i) = self.by_key.get(&key) {
                let q = &mut self.queues[i as usize];
                if q.committable.is_none() {
                    q.committable = Some(RecordOffset::from(offset));
                }
            }
        }
    }

    /// Records sent and not yet acknowledged.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn partition(name: &str) -> Arc<SourcePartition> {
        let mut p = SourcePartition::new();
        p.insert("filename".into(), name.into());
        Arc::new(p)
    }
    /// Both forms a record's offset takes: inline for even positions, a map for odd ones.
    fn offset(n: u64) -> RecordOffset {
        if n.is_multiple_of(2) {
            RecordOffset::entry(Arc::from("position"), n.into())
        } else {
            let mut o = SourceOffset::new();
            o.insert("position".into(), n.into());
            RecordOffset::from(o)
        }
    }
    fn position(o: &SourceOffset) -> u64 {
        o["position"].as_u64().unwrap()
    }

    #[test]
    fn commits_only_the_acknowledged_prefix() {
        let mut s = SubmittedRecords::new();
        let p = partition("a");
        let r1 = s.submit(&p, offset(1));
        let r2 = s.submit(&p, offset(2));
        let r3 = s.submit(&p, offset(3));
        s.ack(r2);
        s.ack(r3);
        assert!(
            s.take_committable().is_empty(),
            "r1 is not acknowledged yet"
        );
        s.ack(r1);
        let c = s.take_committable();
        assert_eq!(c.len(), 1);
        assert_eq!(position(&c[0].1), 3);
        assert!(s.take_committable().is_empty());
        assert_eq!(s.in_flight(), 0);
    }

    #[test]
    fn partitions_are_independent_and_found_by_content() {
        let mut s = SubmittedRecords::new();
        let a1 = s.submit(&partition("a"), offset(10));
        let b1 = s.submit(&partition("b"), offset(20));
        let a2 = s.submit(&partition("a"), offset(11)); // a different Arc, same content
        s.ack(b1);
        s.ack(a2);
        let c = s.take_committable();
        assert_eq!(c.len(), 1);
        assert_eq!(position(&c[0].1), 20);
        s.ack(a1);
        s.ack(a1); // duplicate acks are harmless
        let c = s.take_committable();
        assert_eq!(c.len(), 1);
        assert_eq!(position(&c[0].1), 11);
    }

    proptest! {
        /// Whatever order acknowledgements arrive in, the committed offset of a partition is always one
        /// whose record and all earlier ones were acknowledged.
        #[test]
        fn never_commits_past_an_unacknowledged_record(order in Just((0..40u64).collect::<Vec<_>>()).prop_shuffle(), cut in 0usize..40) {
            let mut s = SubmittedRecords::new();
            let p = partition("a");
            let handles: Vec<_> = (0..40u64).map(|i| s.submit(&p, offset(i))).collect();
            let acked: Vec<u64> = order[..cut].to_vec();
            for &i in &acked {
                s.ack(handles[i as usize]);
            }
            let committed = s.take_committable().first().map(|(_, o)| position(o));
            let prefix = (0..40u64).take_while(|i| acked.contains(i)).last();
            prop_assert_eq!(committed, prefix);
        }
    }
}
