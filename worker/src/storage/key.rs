//! The offset key in Kafka Connect's own format: the JSON array `["<connector>",{partition}]`, as
//! JsonConverter with schemas disabled writes it (`OffsetUtils`). Keeping it byte-for-byte lets offsets
//! move between Ferry and Kafka Connect.

use crate::data::SourcePartition;

#[derive(Debug, thiserror::Error)]
pub enum OffsetKeyError {
    #[error("offset key is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "offset key must be a JSON array of a connector name and a partition object, found {0}"
    )]
    Shape(String),
}

/// Serialises the key of a connector's partition.
pub fn offset_key(connector: &str, partition: &SourcePartition) -> Vec<u8> {
    let key = serde_json::json!([connector, partition]);
    // Serialising a `serde_json::Value` cannot fail (no non-string map keys, no custom serializers).
    serde_json::to_vec(&key).unwrap_or_default()
}

/// Parses a key back into its connector name and partition.
pub fn parse_offset_key(bytes: &[u8]) -> Result<(String, SourcePartition), OffsetKeyError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)?;
    match value {
        serde_json::Value::Array(mut items) if items.len() == 2 => {
            let partition = items.pop();
            let name = items.pop();
            match (name, partition) {
                (Some(serde_json::Value::String(n)), Some(serde_json::Value::Object(p))) => {
                    Ok((n, p))
                }
                (n, p) => Err(OffsetKeyError::Shape(format!("[{n:?}, {p:?}]"))),
            }
        }
        other => Err(OffsetKeyError::Shape(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_kafka_connects_format() {
        let mut p = SourcePartition::new();
        p.insert("filename".into(), "test.txt".into());
        assert_eq!(
            offset_key("local-file-source", &p),
            br#"["local-file-source",{"filename":"test.txt"}]"#.to_vec()
        );
        let (name, parsed) = parse_offset_key(&offset_key("local-file-source", &p)).unwrap();
        assert_eq!(name, "local-file-source");
        assert_eq!(parsed, p);
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(parse_offset_key(b"{}").is_err());
        assert!(parse_offset_key(br#"["a"]"#).is_err());
        assert!(parse_offset_key(b"not json").is_err());
    }
}
