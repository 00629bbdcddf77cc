//! `Values.parseString`: inferring a schema and value from text (SimpleHeaderConverter's input).
//!
//! The tokenizer and parser follow Kafka's `Values.Parser` / `Values.ValueParser` step by step,
//! including their quirks (whitespace-only tokens skipped when looking ahead, escapes kept verbatim
//! inside quoted strings, arrays and maps falling back to a plain string when they do not parse).

use std::ops::Range;

use num_bigint::BigInt;

use super::convert::convert_to;
use super::temporal::{parse_temporal, TemporalKind};
use crate::data::{
    logical, DataError, Decimal, Schema, SchemaAndValue, SchemaBuilder, SchemaType, Value,
};

/// `Values.parseString(text)`. The empty string is an empty STRING; `null` is a null schema and value.
pub fn parse_string(text: &str) -> SchemaAndValue {
    if text.is_empty() {
        return SchemaAndValue::new(Some(Schema::string()), Value::String(String::new()));
    }
    let mut parser = ValueParser {
        p: Tokenizer::new(text),
    };
    match parser.parse(false) {
        Ok(Some(sv)) => sv,
        Ok(None) => SchemaAndValue::NULL,
        // Kafka's top-level parse cannot fail (array and map errors fall back to a string); keep
        // that contract even if a nested conversion reported an error.
        Err(_) => SchemaAndValue::new(Some(Schema::string()), Value::String(text.to_string())),
    }
}

/// Java's `String.trim()`: strips every char up to U+0020 from both ends.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

fn is_blank(s: &str) -> bool {
    java_trim(s).is_empty()
}

/// `Values.Parser`: splits on unescaped `: , { } [ ] "`, each of which is a token of its own.
struct Tokenizer<'a> {
    original: &'a str,
    pos: usize,
    next_token: Option<Range<usize>>,
    previous: Option<Range<usize>>,
}

impl<'a> Tokenizer<'a> {
    fn new(original: &'a str) -> Self {
        Tokenizer {
            original,
            pos: 0,
            next_token: None,
            previous: None,
        }
    }

    fn text(&self, r: &Range<usize>) -> &'a str {
        &self.original[r.clone()]
    }

    fn mark(&self) -> usize {
        self.pos - self.next_token.as_ref().map_or(0, |r| r.len())
    }

    fn rewind_to(&mut self, position: usize) {
        self.pos = position;
        self.next_token = None;
        self.previous = None;
    }

    fn has_next(&self) -> bool {
        self.next_token.is_some() || self.pos < self.original.len()
    }

    fn next(&mut self) -> &'a str {
        let r = match self.next_token.take() {
            Some(r) => r,
            None => self.consume(),
        };
        let t = self.text(&r);
        self.previous = Some(r);
        t
    }

    /// The text of the next `n` tokens, or `None` (and no progress) if there are fewer.
    fn next_n(&mut self, n: usize) -> Option<&'a str> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next();
        }
        Some(&self.original[start..self.pos])
    }

    fn consume(&mut self) -> Range<usize> {
        let bytes = self.original.as_bytes();
        let start = self.pos;
        let mut escaped = false;
        // Delimiters are ASCII, so byte offsets always fall on char boundaries.
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b'\\' => escaped = !escaped,
                b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' => {
                    if !escaped {
                        if start < self.pos {
                            return start..self.pos;
                        }
                        self.pos += 1;
                        return start..start + 1;
                    }
                    escaped = false;
                }
                _ => escaped = false,
            }
            self.pos += 1;
        }
        start..self.pos
    }

    fn previous(&self) -> Option<&'a str> {
        self.previous.as_ref().map(|r| self.text(r))
    }

    /// Consumes the next token if, trimmed, it is `expected` (skipping blank tokens first).
    fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.next_token = None;
            return true;
        }
        false
    }

    fn is_next(&mut self, expected: &str) -> bool {
        let mut token = match self.next_token.take() {
            Some(t) => t,
            None => {
                if !self.has_next() {
                    return false;
                }
                self.consume()
            }
        };
        while is_blank(self.text(&token)) && self.pos < self.original.len() {
            token = self.consume();
        }
        let matches = java_trim(self.text(&token)) == expected;
        self.next_token = Some(token);
        matches
    }
}

/// `Values.ValueParser`.
struct ValueParser<'a> {
    p: Tokenizer<'a>,
}

type Parsed = Option<SchemaAndValue>;

fn sv(schema: Schema, value: Value) -> Parsed {
    Some(SchemaAndValue::new(Some(schema), value))
}

impl ValueParser<'_> {
    fn can_parse_single_token_literal(&mut self, embedded: bool, literal: &str) -> bool {
        let start = self.p.mark();
        if self.p.can_consume(literal) && (embedded || !self.p.has_next()) {
            return true;
        }
        self.p.rewind_to(start);
        false
    }

    fn parse(&mut self, embedded: bool) -> Result<Parsed, DataError> {
        if !self.p.has_next() {
            return Ok(None);
        }
        if embedded && self.p.can_consume("\"") {
            return Ok(self.parse_quoted_string());
        }
        if self.can_parse_single_token_literal(embedded, "null") {
            return Ok(None);
        }
        if self.can_parse_single_token_literal(embedded, "true") {
            return Ok(sv(Schema::boolean(), Value::Boolean(true)));
        }
        if self.can_parse_single_token_literal(embedded, "false") {
            return Ok(sv(Schema::boolean(), Value::Boolean(false)));
        }
        let start = self.p.mark();
        let structured = if self.p.can_consume("[") {
            Some(self.parse_array())
        } else if self.p.can_consume("{") {
            Some(self.parse_map())
        } else {
            None
        };
        match structured {
            Some(Ok(parsed)) => return Ok(parsed),
            // Not a valid array or map: read it again as a plain token.
            Some(Err(_)) => self.p.rewind_to(start),
            None => {}
        }
        let token = self.p.next();
        if is_blank(token) {
            return Ok(sv(Schema::string(), Value::String(token.to_string())));
        }
        self.parse_next_token(embedded, java_trim(token))
    }

    fn parse_next_token(&mut self, embedded: bool, token: &str) -> Result<Parsed, DataError> {
        let first = token.chars().next().unwrap_or(' ');
        let digit = first.is_ascii_digit();
        // Temporal types are the most restrictive, so they are tried first.
        if digit {
            if let Some(temporal) = self.parse_multiple_tokens_as_temporal(token) {
                return Ok(Some(temporal));
            }
        }
        if digit || first == '+' || first == '-' {
            if let Some(number) = parse_as_number(token) {
                return Ok(Some(number));
            }
        }
        if embedded {
            return Err(DataError::new("Failed to parse embedded value"));
        }
        Ok(sv(
            Schema::string(),
            Value::String(self.p.original.to_string()),
        ))
    }

    fn parse_quoted_string(&mut self) -> Parsed {
        let mut content = String::new();
        while self.p.has_next() {
            if self.p.can_consume("\"") {
                break;
            }
            content.push_str(self.p.next());
        }
        if let Some(temporal) = parse_as_temporal(&content) {
            return Some(temporal);
        }
        sv(Schema::string(), Value::String(content))
    }

    fn parse_array(&mut self) -> Result<Parsed, DataError> {
        let mut result = Vec::new();
        let mut merger = SchemaMerger::default();
        while self.p.has_next() {
            if self.p.can_consume("]") {
                return Ok(Some(match merger.common {
                    Some(common) => {
                        let aligned = result
                            .iter()
                            .map(|v| convert_to(&common, None, v))
                            .collect::<Result<Vec<_>, _>>()?;
                        SchemaAndValue::new(
                            Some(SchemaBuilder::array(common).build()),
                            Value::Array(aligned),
                        )
                    }
                    // Every element was null.
                    None => SchemaAndValue::new(
                        Some(SchemaBuilder::new(SchemaType::Array).build()),
                        Value::Array(result),
                    ),
                }));
            }
            if self.p.can_consume(",") {
                return Err(DataError::new(format!(
                    "Unable to parse an empty array element: {}",
                    self.p.original
                )));
            }
            let element = self.parse(true)?;
            merger.merge(element.as_ref());
            result.push(element.map_or(Value::Null, |e| e.value));
            let current = self.p.mark();
            if self.p.can_consume("]") {
                self.p.rewind_to(current);
            } else if !self.p.can_consume(",") {
                return Err(DataError::new("Array elements missing ',' delimiter"));
            }
        }
        if self.p.previous() == Some(",") {
            return Err(DataError::new(format!(
                "Array is missing element after ',': {}",
                self.p.original
            )));
        }
        Err(DataError::new(format!(
            "Array is missing terminating ']': {}",
            self.p.original
        )))
    }

    fn parse_map(&mut self) -> Result<Parsed, DataError> {
        let mut result: Vec<(Value, Value)> = Vec::new();
        let mut keys = SchemaMerger::default();
        let mut values = SchemaMerger::default();
        while self.p.has_next() {
            if self.p.can_consume("}") {
                return Ok(Some(finish_map(result, keys.common, values.common)?));
            }
            if self.p.can_consume(",") {
                return Err(DataError::new(format!(
                    "Unable to parse a map entry with no key or value: {}",
                    self.p.original
                )));
            }
            let key = match self.parse(true)? {
                Some(k) if !k.value.is_null() => k,
                _ => {
                    return Err(DataError::new(format!(
                        "Map entry may not have a null key: {}",
                        self.p.original
                    )))
                }
            };
            if !self.p.can_consume(":") {
                return Err(DataError::new(format!(
                    "Map entry is missing ':' at {} in {}",
                    self.p.pos, self.p.original
                )));
            }
            let value = self.parse(true)?;
            let entry_value = value.as_ref().map_or(Value::Null, |v| v.value.clone());
            // A LinkedHashMap keeps the first position of a repeated key and its last value.
            match result.iter_mut().find(|(k, _)| *k == key.value) {
                Some(slot) => slot.1 = entry_value,
                None => result.push((key.value.clone(), entry_value)),
            }
            self.p.can_consume(",");
            keys.merge(Some(&key));
            values.merge(value.as_ref());
        }
        if self.p.previous() == Some(",") {
            return Err(DataError::new(format!(
                "Map is missing element after ',': {}",
                self.p.original
            )));
        }
        Err(DataError::new(format!(
            "Map is missing terminating '}}': {}",
            self.p.original
        )))
    }

    /// Times and timestamps contain unescaped colons, so they span five tokens: try those first.
    fn parse_multiple_tokens_as_temporal(&mut self, token: &str) -> Option<SchemaAndValue> {
        let position = self.p.mark();
        if let Some(remainder) = self.p.next_n(4) {
            let joined = format!("{token}{remainder}");
            if let Some(temporal) = parse_as_temporal(&joined) {
                return Some(temporal);
            }
        }
        self.p.rewind_to(position);
        parse_as_temporal(token)
    }
}

fn finish_map(
    entries: Vec<(Value, Value)>,
    key_schema: Option<Schema>,
    value_schema: Option<Schema>,
) -> Result<SchemaAndValue, DataError> {
    match (key_schema, value_schema) {
        (Some(ks), Some(vs)) => {
            let aligned = entries
                .iter()
                .map(|(k, v)| Ok((convert_to(&ks, None, k)?, convert_to(&vs, None, v)?)))
                .collect::<Result<Vec<_>, DataError>>()?;
            Ok(SchemaAndValue::new(
                Some(SchemaBuilder::map(ks, vs).build()),
                Value::Map(aligned),
            ))
        }
        (Some(ks), None) => {
            let aligned = entries
                .into_iter()
                .map(|(k, v)| Ok((convert_to(&ks, None, &k)?, v)))
                .collect::<Result<Vec<_>, DataError>>()?;
            Ok(SchemaAndValue::new(
                Some(SchemaBuilder::map_with_null_values(ks).build()),
                Value::Map(aligned),
            ))
        }
        _ => Ok(SchemaAndValue::new(
            Some(SchemaBuilder::new(SchemaType::Map).build()),
            Value::Map(entries),
        )),
    }
}

fn parse_as_temporal(token: &str) -> Option<SchemaAndValue> {
    // Escaped colons are unescaped before matching the ISO forms.
    let token = token.replace("\\:", ":");
    // Java compares UTF-16 lengths.
    let (kind, schema) = match token.encode_utf16().count() {
        13 => (TemporalKind::Time, logical::time()),
        24 => (TemporalKind::Timestamp, logical::timestamp()),
        10 => (TemporalKind::Date, logical::date()),
        _ => return None,
    };
    parse_temporal(&token, kind).map(|ms| SchemaAndValue::new(Some(schema), Value::Date(ms)))
}

/// Numbers: exact integers get the smallest integer type, other finite values FLOAT32 or FLOAT64,
/// and what neither holds a Decimal.
fn parse_as_number(token: &str) -> Option<SchemaAndValue> {
    let decimal = Decimal::parse_java(token)?;
    if let Some(exact) = parse_as_exact_integer(&decimal) {
        return Some(exact);
    }
    let text = decimal.to_java_string();
    let f: f32 = text.parse().ok()?;
    // The decimal's own text has no sign on a zero (BigDecimal has no negative zero), while a
    // negative value too small for the float still gives -0.0, as `BigDecimal.floatValue` does.
    if f.is_finite() && decimal.scale != 0 {
        return sv(Schema::float32(), Value::Float32(f));
    }
    let d: f64 = text.parse().ok()?;
    if d.is_finite() && decimal.scale != 0 {
        return sv(Schema::float64(), Value::Float64(d));
    }
    sv(logical::decimal(decimal.scale), Value::Decimal(decimal))
}

/// Compares `|d|` with 10^19, the bound Kafka uses before trying integer types.
fn abs_exceeds_1e19(d: &Decimal) -> bool {
    // Zero is small at any scale (`0e20` is zero, not a twenty-one digit number).
    if d.unscaled.sign() == num_bigint::Sign::NoSign {
        return false;
    }
    let digits = d.unscaled.magnitude().to_string().len() as i64;
    let adjusted = digits - 1 - i64::from(d.scale);
    if adjusted != 19 {
        return adjusted > 19;
    }
    // Same order of magnitude: compare |unscaled| with 10^(19 + scale) exactly.
    let bound = BigInt::from(10u8).pow((19 + i64::from(d.scale)).max(0) as u32);
    d.unscaled.magnitude() > bound.magnitude()
}

fn parse_as_exact_integer(d: &Decimal) -> Option<SchemaAndValue> {
    let zero = d.unscaled.sign() == num_bigint::Sign::NoSign;
    if abs_exceeds_1e19(d) {
        return None;
    }
    let digits = d.unscaled.magnitude().to_string().len() as i64;
    let below_one = digits - 1 - i64::from(d.scale) < 0;
    if below_one && !zero {
        return None;
    }
    if !d.is_whole() {
        return None;
    }
    let whole = d.to_bigint_truncated();
    let integral = i64::try_from(whole).ok()?;
    Some(if let Ok(v) = i8::try_from(integral) {
        SchemaAndValue::new(Some(Schema::int8()), Value::Int8(v))
    } else if let Ok(v) = i16::try_from(integral) {
        SchemaAndValue::new(Some(Schema::int16()), Value::Int16(v))
    } else if let Ok(v) = i32::try_from(integral) {
        SchemaAndValue::new(Some(Schema::int32()), Value::Int32(v))
    } else {
        SchemaAndValue::new(Some(Schema::int64()), Value::Int64(integral))
    })
}

/// `Values.SchemaMerger`: the common schema of the non-null elements seen, if there is one.
#[derive(Default)]
struct SchemaMerger {
    common: Option<Schema>,
    incompatible: bool,
}

impl SchemaMerger {
    fn merge(&mut self, latest: Option<&SchemaAndValue>) {
        let Some(schema) = latest.and_then(|l| l.schema.as_ref()) else {
            return;
        };
        if self.incompatible {
            return;
        }
        self.common = match self.common.take() {
            None => Some(schema.clone()),
            Some(previous) => {
                let merged = merge_schemas(&previous, schema);
                self.incompatible = merged.is_none();
                merged
            }
        };
    }
}

/// `Values.mergeSchemas`: numeric types widen; other differing types have no common schema.
fn merge_schemas(previous: &Schema, new: &Schema) -> Option<Schema> {
    use SchemaType::*;
    let (pt, nt) = (previous.schema_type(), new.schema_type());
    if pt != nt {
        let rank = |t: SchemaType| match t {
            Int8 => Some(0),
            Int16 => Some(1),
            Int32 => Some(2),
            Int64 => Some(3),
            Float32 => Some(4),
            Float64 => Some(5),
            _ => None,
        };
        let (pr, nr) = (rank(pt)?, rank(nt)?);
        return Some(if nr > pr {
            new.clone()
        } else {
            previous.clone()
        });
    }
    if previous.is_optional() == new.is_optional() {
        return Some(if previous.is_optional() {
            previous.clone()
        } else {
            new.clone()
        });
    }
    if previous != new {
        return None;
    }
    Some(previous.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (Option<SchemaType>, Value) {
        let sv = parse_string(text);
        (sv.schema.map(|s| s.schema_type()), sv.value)
    }

    #[test]
    fn literals() {
        assert_eq!(parsed(""), (Some(SchemaType::String), Value::from("")));
        assert_eq!(
            parsed("true"),
            (Some(SchemaType::Boolean), Value::Boolean(true))
        );
        assert_eq!(
            parsed("false"),
            (Some(SchemaType::Boolean), Value::Boolean(false))
        );
        assert_eq!(parse_string("null"), SchemaAndValue::NULL);
        assert_eq!(
            parsed("true}"),
            (Some(SchemaType::String), Value::from("true}"))
        );
        assert_eq!(
            parsed("hello world"),
            (Some(SchemaType::String), Value::from("hello world"))
        );
        assert_eq!(parsed("  "), (Some(SchemaType::String), Value::from("  ")));
    }

    #[test]
    fn numbers_take_the_smallest_type() {
        assert_eq!(parsed("12"), (Some(SchemaType::Int8), Value::Int8(12)));
        assert_eq!(parsed("1.0"), (Some(SchemaType::Int8), Value::Int8(1)));
        assert_eq!(
            parsed("-300"),
            (Some(SchemaType::Int16), Value::Int16(-300))
        );
        assert_eq!(
            parsed("70000"),
            (Some(SchemaType::Int32), Value::Int32(70000))
        );
        assert_eq!(
            parsed("9223372036854775807"),
            (Some(SchemaType::Int64), Value::Int64(i64::MAX))
        );
        assert_eq!(
            parsed("1.5"),
            (Some(SchemaType::Float32), Value::Float32(1.5))
        );
        assert_eq!(
            parsed("1e300"),
            (Some(SchemaType::Float64), Value::Float64(1e300))
        );
        // Zero at any scale is a whole number; zero has no sign, an underflow keeps its own.
        assert_eq!(parsed("0e20"), (Some(SchemaType::Int8), Value::Int8(0)));
        assert_eq!(parsed("-0.0"), (Some(SchemaType::Int8), Value::Int8(0)));
        let (schema, value) = parsed("-1e-50");
        assert_eq!(schema, Some(SchemaType::Float32));
        assert!(matches!(value, Value::Float32(f) if f == 0.0 && f.is_sign_negative()));
        let big = parse_string("123456789012345678901234567890");
        assert_eq!(
            big.schema.as_ref().and_then(|s| s.name()),
            Some(logical::DECIMAL)
        );
        assert_eq!(
            big.schema.as_ref().and_then(logical::decimal_scale),
            Some(0)
        );
        assert_eq!(
            parsed("12abc"),
            (Some(SchemaType::String), Value::from("12abc"))
        );
    }

    #[test]
    fn temporal_values() {
        let date = parse_string("2024-03-01");
        assert_eq!(
            date.schema.as_ref().and_then(|s| s.name()),
            Some(logical::DATE)
        );
        assert_eq!(date.value, Value::Date(19_783 * logical::MILLIS_PER_DAY));
        let time = parse_string("12:34:56.789Z");
        assert_eq!(
            time.schema.as_ref().and_then(|s| s.name()),
            Some(logical::TIME)
        );
        assert_eq!(time.value, Value::Date(45_296_789));
        let ts = parse_string("2024-02-29T13:45:06.789Z");
        assert_eq!(
            ts.schema.as_ref().and_then(|s| s.name()),
            Some(logical::TIMESTAMP)
        );
        assert_eq!(ts.value, Value::Date(1_709_214_306_789));
    }

    #[test]
    fn arrays_and_maps() {
        let (t, v) = parsed("[1,2,3]");
        assert_eq!(t, Some(SchemaType::Array));
        assert_eq!(
            v,
            Value::Array(vec![Value::Int8(1), Value::Int8(2), Value::Int8(3)])
        );
        // Elements widen to a common numeric type.
        let sv = parse_string("[1, 300, 2.5]");
        assert_eq!(
            sv.schema
                .as_ref()
                .and_then(|s| s.value_schema())
                .map(|s| s.schema_type()),
            Some(SchemaType::Float32)
        );
        assert_eq!(
            sv.value,
            Value::Array(vec![
                Value::Float32(1.0),
                Value::Float32(300.0),
                Value::Float32(2.5)
            ])
        );
        let (t, v) = parsed(r#"{"a":1,"b":2}"#);
        assert_eq!(t, Some(SchemaType::Map));
        assert_eq!(
            v,
            Value::Map(vec![
                (Value::from("a"), Value::Int8(1)),
                (Value::from("b"), Value::Int8(2))
            ])
        );
        let (_, v) = parsed(r#"["a\"b", "c"]"#);
        // Escapes stay as written, as Kafka leaves them.
        assert_eq!(
            v,
            Value::Array(vec![Value::from("a\\\"b"), Value::from("c")])
        );
    }

    #[test]
    fn broken_structures_fall_back_to_string() {
        for text in ["[1,2", "[1,,2]", "{a:1", "[foo]", "{\"a\"}", "[1,null]"] {
            assert_eq!(
                parsed(text),
                (Some(SchemaType::String), Value::from(text)),
                "{text}"
            );
        }
        let (t, v) = parsed("[]");
        assert_eq!((t, v), (Some(SchemaType::Array), Value::Array(vec![])));
    }
}
