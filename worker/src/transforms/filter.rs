//! `Filter`: drops every record it is applied to. Useful only behind a predicate.

use crate::config::def::ConfigDef;
use crate::config::{ConfigError, Props};
use crate::data::ConnectRecord;
use crate::errors::ConnectError;
use crate::transforms::registry::TransformPlugin;
use crate::transforms::{Disposition, Transformation};

pub(super) fn plugin() -> TransformPlugin {
    TransformPlugin {
        class_name: "org.apache.kafka.connect.transforms.Filter",
        config_def: ConfigDef::new,
        new,
    }
}

fn new(_props: &Props) -> Result<Box<dyn Transformation>, ConfigError> {
    Ok(Box::new(Filter))
}

struct Filter;

impl Transformation for Filter {
    fn apply(&self, _record: &mut ConnectRecord) -> Result<Disposition, ConnectError> {
        Ok(Disposition::Drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::connector::ConnectorKind;
    use crate::data::Value;
    use crate::transforms::catalog_b::test_support::{props, record};
    use crate::transforms::registry::build_chain;

    #[test]
    fn drops_every_record() {
        let f = new(&props(&[])).unwrap();
        assert!(f
            .apply_owned(record(None, Value::Null, None, Value::from("v")))
            .unwrap()
            .is_none());
        assert!((plugin().config_def)().keys().is_empty());
    }

    fn sink_chain(negate: Option<&str>) -> crate::transforms::TransformChain {
        let mut p = props(&[
            ("name", "filtered-sink"),
            ("connector.class", "FileStreamSink"),
            ("topics", "t"),
            ("transforms", "f"),
            ("transforms.f.type", "Filter"),
            ("transforms.f.predicate", "p"),
            ("predicates", "p"),
            ("predicates.p.type", "TopicNameMatches"),
            ("predicates.p.pattern", "t.*"),
        ]);
        if let Some(n) = negate {
            p.insert("transforms.f.negate".to_string(), n.to_string());
        }
        build_chain(ConnectorKind::Sink, &p).unwrap()
    }

    fn on_topic(topic: &str) -> ConnectRecord {
        let mut r = record(None, Value::Null, None, Value::from("v"));
        r.topic = topic.into();
        r
    }

    #[test]
    fn chain_filters_records_whose_topic_matches() {
        let chain = sink_chain(None);
        assert!(chain.apply(on_topic("t")).unwrap().is_none());
        assert!(chain.apply(on_topic("topic")).unwrap().is_none());
        // Full match: "xt" does not match `t.*`, so the filter is skipped and the record kept.
        let kept = chain.apply(on_topic("xt")).unwrap().unwrap();
        assert_eq!(&*kept.topic, "xt");
    }

    #[test]
    fn negated_chain_keeps_only_matching_records() {
        let chain = sink_chain(Some("true"));
        assert!(chain.apply(on_topic("t1")).unwrap().is_some());
        assert!(chain.apply(on_topic("other")).unwrap().is_none());
        let explicit_false = sink_chain(Some("false"));
        assert!(explicit_false.apply(on_topic("t1")).unwrap().is_none());
    }

    #[test]
    fn negate_without_predicate_is_rejected() {
        let p = props(&[
            ("name", "c"),
            ("connector.class", "FileStreamSink"),
            ("topics", "t"),
            ("transforms", "f"),
            (
                "transforms.f.type",
                "org.apache.kafka.connect.transforms.Filter",
            ),
            ("transforms.f.negate", "true"),
        ]);
        let err = build_chain(ConnectorKind::Sink, &p)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("Config 'transforms.f.negate' was provided but there is no config 'transforms.f.predicate' defining a predicate to be negated."),
            "{err}"
        );
    }
}
