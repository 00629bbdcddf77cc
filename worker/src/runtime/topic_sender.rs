//! Hands a source task's records to librdkafka through topic handles.
//!
//! rdkafka's `BaseProducer::send` names the topic by its text, so every record costs a `CString`
//! for the name and, inside librdkafka, a write lock on the whole client (which its broker threads
//! also take) and a search of its topic list: about 350 instructions a record, 6% of a plain file
//! source's. A task writes to few topics, so [`TopicSender`] opens a handle for each once
//! (`rd_kafka_topic_new`, what librdkafka does inside every such send) and produces with it
//! (`RD_KAFKA_VTYPE_RKT`), which costs a reference count. Everything else is as `send` does it:
//! the payload and key are copied by librdkafka, the delivery opaque is the same, and the headers
//! pass to librdkafka only when it accepts the record.
//!
//! This is the only `unsafe` on the record path. Each call is to librdkafka's public C API, with
//! the pointers it documents: the client's (the sender borrows the producer, and its `Drop` makes
//! the compiler keep that borrow until the handles are released), a topic handle this module owns,
//! and buffers borrowed for the call.

use std::collections::HashMap;
use std::ffi::{c_void, CString};
use std::ptr::{self, NonNull};
use std::sync::Arc;

use rdkafka::bindings as rdsys;
use rdkafka::bindings::rd_kafka_vtype_t::*;
use rdkafka::error::KafkaError;
use rdkafka::producer::{Producer, ProducerContext, ThreadedProducer};
use rdkafka::types::RDKafkaErrorCode;

/// More distinct topics than this (a router spreading records over many) and the handles are
/// dropped and opened again as needed, so a long-running task does not hold one for every topic
/// it ever wrote.
const MAX_OPEN_HANDLES: usize = 1024;

/// A librdkafka topic handle's pointer, valid while the [`TopicHandle`] it came from is open.
#[derive(Clone, Copy)]
struct RawTopic(NonNull<rdsys::rd_kafka_topic_t>);

// librdkafka's topic handles may be used from any thread.
unsafe impl Send for RawTopic {}
unsafe impl Sync for RawTopic {}

/// An application reference to a librdkafka topic, released on drop.
struct TopicHandle(RawTopic);

impl Drop for TopicHandle {
    fn drop(&mut self) {
        // SAFETY: the handle came from `rd_kafka_topic_new` and is released once, here. Records
        // in flight hold librdkafka's own references to the topic.
        unsafe { rdsys::rd_kafka_topic_destroy(self.0 .0.as_ptr()) }
    }
}

/// A record's headers as librdkafka's list, which librdkafka takes over when it accepts the
/// record; freed here otherwise.
pub(crate) struct NativeHeaders(NonNull<rdsys::rd_kafka_headers_t>);

// A header list is plain memory owned by whoever holds it.
unsafe impl Send for NativeHeaders {}

impl NativeHeaders {
    pub(crate) fn with_capacity(count: usize) -> Self {
        // SAFETY: `rd_kafka_headers_new` allocates (aborting if memory runs out); never null.
        let raw = unsafe { rdsys::rd_kafka_headers_new(count) };
        NativeHeaders(NonNull::new(raw).expect("rd_kafka_headers_new never returns null"))
    }

    /// Appends a header; a `None` value is a null header.
    pub(crate) fn add(&mut self, key: &str, value: Option<&[u8]>) {
        let (value_ptr, value_len) = value.map_or((ptr::null(), 0), |v| (v.as_ptr(), v.len()));
        // SAFETY: the list is ours and writable; librdkafka copies the name and value. It fails
        // only for a read-only list, which ours never is.
        unsafe {
            rdsys::rd_kafka_header_add(
                self.0.as_ptr(),
                key.as_ptr().cast(),
                key.len() as isize,
                value_ptr.cast(),
                value_len as isize,
            );
        }
    }
}

impl Drop for NativeHeaders {
    fn drop(&mut self) {
        // SAFETY: the list is still ours (ownership passing to librdkafka forgets it).
        unsafe { rdsys::rd_kafka_headers_destroy(self.0.as_ptr()) }
    }
}

/// What one produce call carries besides the topic and headers.
pub(crate) struct Outgoing<'a> {
    pub partition: Option<i32>,
    pub key: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub timestamp: Option<i64>,
    /// The delivery opaque `ProducerContext::delivery` gets back.
    pub opaque: usize,
}

/// Produces through one topic handle a topic, opened on first use.
pub(crate) struct TopicSender<'p, C: ProducerContext + 'static> {
    producer: &'p ThreadedProducer<C>,
    handles: HashMap<Arc<str>, TopicHandle>,
    /// The topic of the last record and its handle's pointer: most tasks write one topic, usually
    /// the very same shared name, so a pointer (then text) comparison finds it without hashing.
    last: Option<(Arc<str>, RawTopic)>,
}

impl<'p, C: ProducerContext + 'static> TopicSender<'p, C> {
    pub(crate) fn new(producer: &'p ThreadedProducer<C>) -> Self {
        TopicSender {
            producer,
            handles: HashMap::new(),
            last: None,
        }
    }

    /// Whether `topic` is the last record's topic; the caller's own per-topic work (recording it
    /// as active) is needed only when it is not.
    pub(crate) fn is_last_topic(&self, topic: &Arc<str>) -> bool {
        self.last_handle(topic).is_some()
    }

    /// The handle of the last record's topic, if `topic` is that one.
    fn last_handle(&self, topic: &Arc<str>) -> Option<RawTopic> {
        let (last, handle) = self.last.as_ref()?;
        (Arc::ptr_eq(last, topic) || **last == **topic).then_some(*handle)
    }

    /// Forgets which topic was last, so [`TopicSender::is_last_topic`] answers no until the next
    /// send (after the caller forgot which topics it has seen).
    pub(crate) fn forget_last_topic(&mut self) {
        self.last = None;
    }

    /// The handle of `topic`, opened if need be.
    fn handle(&mut self, topic: &Arc<str>) -> Result<RawTopic, KafkaError> {
        if let Some(handle) = self.last_handle(topic) {
            return Ok(handle);
        }
        let handle = match self.handles.get(topic) {
            Some(open) => open.0,
            None => {
                if self.handles.len() >= MAX_OPEN_HANDLES {
                    self.last = None;
                    self.handles.clear();
                }
                let opened = self.open(topic)?;
                let raw = opened.0;
                self.handles.insert(topic.clone(), opened);
                raw
            }
        };
        self.last = Some((topic.clone(), handle));
        Ok(handle)
    }

    fn open(&self, topic: &str) -> Result<TopicHandle, KafkaError> {
        let name = CString::new(topic)?;
        // SAFETY: the client pointer is valid while `producer` is borrowed; the name is a valid C
        // string for the call (librdkafka copies it). No topic config: the client's defaults, as
        // for a send by name.
        let raw = unsafe {
            rdsys::rd_kafka_topic_new(
                self.producer.client().native_ptr(),
                name.as_ptr(),
                ptr::null_mut(),
            )
        };
        match NonNull::new(raw) {
            Some(handle) => Ok(TopicHandle(RawTopic(handle))),
            // An invalid name (librdkafka sets its last error), as a send by name reports it.
            None => Err(KafkaError::MessageProduction(RDKafkaErrorCode::from(
                // SAFETY: reads this thread's last librdkafka error.
                unsafe { rdsys::rd_kafka_last_error() },
            ))),
        }
    }

    /// Produces one record to `topic`. On success librdkafka owns the headers (`headers` is left
    /// `None`); on failure they stay in `headers` so the caller can try again (a full queue).
    pub(crate) fn send(
        &mut self,
        topic: &Arc<str>,
        record: &Outgoing<'_>,
        headers: &mut Option<NativeHeaders>,
    ) -> Result<(), KafkaError> {
        let handle = self.handle(topic)?;
        let parts = |bytes: Option<&[u8]>| {
            bytes.map_or((ptr::null_mut(), 0), |b| {
                (b.as_ptr() as *mut c_void, b.len())
            })
        };
        let (value_ptr, value_len) = parts(record.value);
        let (key_ptr, key_len) = parts(record.key);
        let headers_ptr = headers.as_ref().map_or(ptr::null_mut(), |h| h.0.as_ptr());
        // SAFETY: every pointer is valid for the call: the client (see `open`), a handle this
        // sender holds open, and buffers borrowed from the caller, which librdkafka copies
        // (`RD_KAFKA_MSG_F_COPY`). The opaque is an integer, never dereferenced. Each variadic
        // argument has the type librdkafka reads for its tag.
        let result = unsafe {
            rdsys::rd_kafka_producev(
                self.producer.client().native_ptr(),
                RD_KAFKA_VTYPE_RKT,
                handle.0.as_ptr(),
                RD_KAFKA_VTYPE_PARTITION,
                record.partition.unwrap_or(-1),
                RD_KAFKA_VTYPE_MSGFLAGS,
                rdsys::RD_KAFKA_MSG_F_COPY,
                RD_KAFKA_VTYPE_VALUE,
                value_ptr,
                value_len,
                RD_KAFKA_VTYPE_KEY,
                key_ptr,
                key_len,
                RD_KAFKA_VTYPE_OPAQUE,
                record.opaque as *mut c_void,
                RD_KAFKA_VTYPE_TIMESTAMP,
                record.timestamp.unwrap_or(0),
                RD_KAFKA_VTYPE_HEADERS,
                headers_ptr,
                RD_KAFKA_VTYPE_END,
            )
        };
        if result != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return Err(KafkaError::MessageProduction(RDKafkaErrorCode::from(
                result,
            )));
        }
        // Accepted: the header list is librdkafka's now.
        if let Some(passed) = headers.take() {
            std::mem::forget(passed);
        }
        Ok(())
    }
}

/// Releases the handles while the producer they belong to is still borrowed: having a `Drop` of
/// its own makes the compiler hold the producer's borrow until the sender is gone, so the client
/// cannot be destroyed under open handles.
impl<C: ProducerContext + 'static> Drop for TopicSender<'_, C> {
    fn drop(&mut self) {
        self.last = None;
        self.handles.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::config::ClientConfig;
    use rdkafka::producer::DefaultProducerContext;

    fn outgoing(value: Option<&'static [u8]>) -> Outgoing<'static> {
        Outgoing {
            partition: None,
            key: Some(b"k"),
            value,
            timestamp: Some(1),
            opaque: 0,
        }
    }

    fn producer() -> ThreadedProducer<DefaultProducerContext> {
        // No broker is reached: records wait in librdkafka's queue until the producer is dropped.
        ClientConfig::new()
            .set("bootstrap.servers", "127.0.0.1:1")
            .set("message.timeout.ms", "60000")
            .set("message.max.bytes", "1000")
            .create()
            .expect("a producer")
    }

    #[test]
    fn records_are_queued_through_one_handle_a_topic() {
        let producer = producer();
        let mut sender = TopicSender::new(&producer);
        let orders: Arc<str> = Arc::from("orders");
        let record = outgoing(Some(b"v"));
        for _ in 0..3 {
            let mut headers = Some(NativeHeaders::with_capacity(1));
            if let Some(h) = headers.as_mut() {
                h.add("h", Some(b"x"));
            }
            sender.send(&orders, &record, &mut headers).unwrap();
            assert!(headers.is_none(), "accepted headers pass to librdkafka");
        }
        // The same name in another allocation finds the same handle.
        sender
            .send(&Arc::from("orders"), &record, &mut None)
            .unwrap();
        sender
            .send(&Arc::from("audit"), &record, &mut None)
            .unwrap();
        assert_eq!(sender.handles.len(), 2);
        // Queued (librdkafka may count an error event about the absent broker as well).
        assert!(producer.in_flight_count() >= 5);
    }

    #[test]
    fn a_refused_record_keeps_its_headers_and_a_bad_name_is_an_error() {
        let producer = producer();
        let mut sender = TopicSender::new(&producer);
        let record = outgoing(Some(b"v"));
        let mut headers = Some(NativeHeaders::with_capacity(1));
        if let Some(h) = headers.as_mut() {
            h.add("h", Some(b"x"));
        }
        let topic: Arc<str> = Arc::from("t");
        let oversized = Outgoing {
            value: Some(&[b'x'; 2000]),
            ..outgoing(None)
        };
        assert!(matches!(
            sender.send(&topic, &oversized, &mut headers),
            Err(KafkaError::MessageProduction(
                RDKafkaErrorCode::MessageSizeTooLarge
            ))
        ));
        assert!(
            headers.is_some(),
            "a refused record's headers stay the caller's"
        );
        // ... and go with the record when it is sent again, as after a full queue.
        sender.send(&topic, &record, &mut headers).unwrap();
        assert!(headers.is_none());
        let long: Arc<str> = Arc::from("x".repeat(600));
        assert!(sender.send(&long, &record, &mut None).is_err());
        let nul: Arc<str> = Arc::from("a\0b");
        assert!(matches!(
            sender.send(&nul, &record, &mut None),
            Err(KafkaError::Nul(_))
        ));
    }

    #[test]
    fn handles_beyond_the_limit_are_dropped_and_reopened() {
        let producer = producer();
        let mut sender = TopicSender::new(&producer);
        let record = outgoing(None);
        for i in 0..=MAX_OPEN_HANDLES {
            sender
                .send(&Arc::from(format!("t{i}")), &record, &mut None)
                .unwrap();
        }
        assert_eq!(sender.handles.len(), 1);
        assert!(sender.is_last_topic(&Arc::from(format!("t{MAX_OPEN_HANDLES}"))));
    }
}
