//! A small JSON reader into a tree that keeps each number's text, configured like the JsonConverter's
//! Jackson `ObjectMapper`: leading zeros allowed, exact decimals (`1.5600` keeps its scale), trailing
//! content after the first root value ignored, duplicate keys keep the last value at the first
//! position. serde_json cannot keep number text without its workspace-wide `arbitrary_precision`
//! feature, hence this reader.

use std::ops::Range;

/// Jackson's default limits (`StreamReadConstraints`), which also bound our recursion and big numbers.
const MAX_DEPTH: usize = 1000;
const MAX_NUMBER_LEN: usize = 1000;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonNode {
    Null,
    Bool(bool),
    Number(JsonNumber),
    String(String),
    Array(Vec<JsonNode>),
    /// Members in document order, keys unique.
    Object(Vec<(String, JsonNode)>),
    /// A value left unparsed (the envelope's `schema`), by its byte range in the input.
    Raw(Range<usize>),
}

/// A JSON number and its text; `integral` when it has neither fraction nor exponent.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonNumber {
    pub text: String,
    pub integral: bool,
}

impl JsonNode {
    /// Jackson's `JsonNodeType` name, as error messages print it.
    pub fn node_type(&self) -> &'static str {
        match self {
            JsonNode::Null => "NULL",
            JsonNode::Bool(_) => "BOOLEAN",
            JsonNode::Number(_) => "NUMBER",
            JsonNode::String(_) => "STRING",
            JsonNode::Array(_) => "ARRAY",
            JsonNode::Object(_) | JsonNode::Raw(_) => "OBJECT",
        }
    }

    /// An object member (`JsonNode.get(name)`); `None` for a missing member or a non-object.
    pub fn get(&self, key: &str) -> Option<&JsonNode> {
        match self {
            JsonNode::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsonNode::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Why the input is not JSON; the text imitates Jackson's exception message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct JsonError(pub String);

/// Parses the first JSON value of `input`; `Ok(None)` for empty or blank input (Jackson's
/// MissingNode). With `defer_envelope_schema`, a root object's `schema` member is validated but left
/// as [`JsonNode::Raw`], so a cached schema costs no tree building.
pub fn parse(input: &[u8], defer_envelope_schema: bool) -> Result<Option<JsonNode>, JsonError> {
    let mut r = Reader {
        input,
        pos: 0,
        depth: 0,
        defer_envelope_schema,
    };
    // Jackson skips a UTF-8 byte order mark.
    if input.starts_with(&[0xef, 0xbb, 0xbf]) {
        r.pos = 3;
    }
    r.skip_ws();
    if r.pos >= input.len() {
        return Ok(None);
    }
    let root = r.value()?;
    // A root-level number must be followed by whitespace or the end (Jackson's `_verifyRootSpace`,
    // which only its number parsing calls); what follows any root value is ignored.
    if let JsonNode::Number(_) = root {
        if let Some(&c) = input.get(r.pos) {
            if !is_ws(c) {
                return Err(r.unexpected(c, "Expected space separating root-level values"));
            }
        }
    }
    Ok(Some(root))
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    depth: usize,
    defer_envelope_schema: bool,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.input.len() && is_ws(self.input[self.pos]) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn location(&self) -> String {
        format!(" at [Source: (byte[]); byte offset: #{}]", self.pos)
    }

    fn unexpected(&self, c: u8, expected: &str) -> JsonError {
        let shown = if c.is_ascii_graphic() || c == b' ' {
            (c as char).to_string()
        } else {
            format!("\\u{:04x}", c)
        };
        JsonError(format!(
            "Unexpected character ('{shown}' (code {c})): {expected}{}",
            self.location()
        ))
    }

    fn eof(&self, expected: &str) -> JsonError {
        JsonError(format!(
            "Unexpected end-of-input: {expected}{}",
            self.location()
        ))
    }

    fn value(&mut self) -> Result<JsonNode, JsonError> {
        match self.peek() {
            None => Err(self.eof("expected a value")),
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(JsonNode::String),
            Some(b't') => self.literal("true", JsonNode::Bool(true)),
            Some(b'f') => self.literal("false", JsonNode::Bool(false)),
            Some(b'n') => self.literal("null", JsonNode::Null),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number(),
            Some(c) => Err(self.unexpected(
                c,
                "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
            )),
        }
    }

    fn nested(
        &mut self,
        f: fn(&mut Self) -> Result<JsonNode, JsonError>,
    ) -> Result<JsonNode, JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(JsonError(format!(
                "Document nesting depth ({}) exceeds the maximum allowed ({MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)",
                self.depth
            )));
        }
        let v = f(self);
        self.depth -= 1;
        v
    }

    fn literal(&mut self, word: &str, node: JsonNode) -> Result<JsonNode, JsonError> {
        let end = self.pos + word.len();
        let matches = self.input.get(self.pos..end) == Some(word.as_bytes());
        // Jackson rejects a keyword run on into other identifier characters (`trueish`).
        let run_on = self
            .input
            .get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        if !matches || run_on {
            let mut stop = self.pos;
            while stop < self.input.len() && self.input[stop].is_ascii_alphanumeric() {
                stop += 1;
            }
            let token = String::from_utf8_lossy(&self.input[self.pos..stop.max(self.pos + 1)]);
            return Err(JsonError(format!(
                "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false'){}",
                self.location()
            )));
        }
        self.pos = end;
        Ok(node)
    }

    fn number(&mut self) -> Result<JsonNode, JsonError> {
        let start = self.pos;
        let bytes = self.input;
        if bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        let int_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == int_start {
            return Err(match self.peek() {
                Some(c) => self.unexpected(
                    c,
                    "expected digit (0-9) to follow minus sign, for valid numeric value",
                ),
                None => self.eof("expected digit (0-9) to follow minus sign"),
            });
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            let frac_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == frac_start {
                return Err(match self.peek() {
                    Some(c) => self.unexpected(c, "Decimal point not followed by a digit"),
                    None => self.eof("Decimal point not followed by a digit"),
                });
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            let exp_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == exp_start {
                return Err(match self.peek() {
                    Some(c) => self.unexpected(c, "Exponent indicator not followed by a digit"),
                    None => self.eof("Exponent indicator not followed by a digit"),
                });
            }
        }
        let len = self.pos - start;
        if len > MAX_NUMBER_LEN {
            return Err(JsonError(format!(
                "Number value length ({len}) exceeds the maximum allowed ({MAX_NUMBER_LEN}, from `StreamReadConstraints.getMaxNumberLength()`)"
            )));
        }
        // Only ASCII digits and signs were accepted above.
        let text = String::from_utf8_lossy(&bytes[start..self.pos]).into_owned();
        Ok(JsonNode::Number(JsonNumber { text, integral }))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        // Opening quote.
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    let s = std::str::from_utf8(&self.input[start..self.pos])
                        .map_err(|e| self.utf8_error(start + e.valid_up_to()))?;
                    self.pos += 1;
                    return Ok(s.to_string());
                }
                b'\\' => break,
                0x00..=0x1f => return Err(self.control_char(c)),
                _ => self.pos += 1,
            }
        }
        let mut buf: Vec<u8> = self.input[start..self.pos].to_vec();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.eof("was expecting closing quote for a string value"));
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    return String::from_utf8(buf)
                        .map_err(|e| self.utf8_error(start + e.utf8_error().valid_up_to()));
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape(&mut buf)?;
                }
                0x00..=0x1f => return Err(self.control_char(c)),
                _ => {
                    buf.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn escape(&mut self, buf: &mut Vec<u8>) -> Result<(), JsonError> {
        let Some(c) = self.peek() else {
            return Err(self.eof("in character escape sequence"));
        };
        self.pos += 1;
        let simple = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let unit = self.hex4()?;
                let ch = if (0xd800..0xdc00).contains(&unit)
                    && self.input.get(self.pos..self.pos + 2) == Some(b"\\u")
                {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xdc00..0xe000).contains(&low) {
                        char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))
                    } else {
                        self.pos = save;
                        None
                    }
                } else {
                    char::from_u32(unit)
                };
                // A lone surrogate cannot live in a Rust string; it becomes U+FFFD.
                let ch = ch.unwrap_or('\u{fffd}');
                let mut tmp = [0u8; 4];
                buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                return Ok(());
            }
            other => {
                return Err(JsonError(format!(
                    "Unrecognized character escape '{}' (code {other}){}",
                    other as char,
                    self.location()
                )))
            }
        };
        buf.push(simple);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(c) = self.peek() else {
                return Err(self.eof("in character escape sequence"));
            };
            let d = (c as char).to_digit(16).ok_or_else(|| {
                self.unexpected(c, "expected a hex-digit for character escape sequence")
            })?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    fn control_char(&self, c: u8) -> JsonError {
        JsonError(format!(
            "Illegal unquoted character ((CTRL-CHAR, code {c})): has to be escaped using backslash to be included in string value{}",
            self.location()
        ))
    }

    fn utf8_error(&self, at: usize) -> JsonError {
        let b = self.input.get(at).copied().unwrap_or(0);
        JsonError(format!(
            "Invalid UTF-8 start byte 0x{b:x} at [Source: (byte[]); byte offset: #{at}]"
        ))
    }

    fn array(&mut self) -> Result<JsonNode, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonNode::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonNode::Array(items));
                }
                Some(c) => {
                    return Err(self.unexpected(c, "was expecting comma to separate Array entries"))
                }
                None => return Err(self.eof("expected close marker for ARRAY")),
            }
        }
    }

    fn object(&mut self) -> Result<JsonNode, JsonError> {
        let is_root = self.depth == 1;
        self.pos += 1;
        let mut members: Vec<(String, JsonNode)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonNode::Object(members));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'"') => {}
                Some(c) => {
                    return Err(self.unexpected(c, "was expecting double-quote to start field name"))
                }
                None => return Err(self.eof("expected close marker for OBJECT")),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(c) => {
                    return Err(self
                        .unexpected(c, "was expecting a colon to separate field name and value"))
                }
                None => return Err(self.eof("expected close marker for OBJECT")),
            }
            self.skip_ws();
            let value = if is_root && self.defer_envelope_schema && key == "schema" {
                let start = self.pos;
                // Validate it fully (so errors match), but keep only its text.
                self.value()?;
                JsonNode::Raw(start..self.pos)
            } else {
                self.value()?
            };
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => members.push((key, value)),
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonNode::Object(members));
                }
                Some(c) => {
                    return Err(self.unexpected(c, "was expecting comma to separate Object entries"))
                }
                None => return Err(self.eof("expected close marker for OBJECT")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Option<JsonNode>, JsonError> {
        parse(s.as_bytes(), false)
    }

    fn num(text: &str, integral: bool) -> JsonNode {
        JsonNode::Number(JsonNumber {
            text: text.to_string(),
            integral,
        })
    }

    #[test]
    fn scalars_keep_number_text() {
        assert_eq!(p("1.5600").unwrap(), Some(num("1.5600", false)));
        assert_eq!(p("0012").unwrap(), Some(num("0012", true)));
        assert_eq!(p("-1e5").unwrap(), Some(num("-1e5", false)));
        assert_eq!(p(" true ").unwrap(), Some(JsonNode::Bool(true)));
        assert_eq!(p("null").unwrap(), Some(JsonNode::Null));
        assert_eq!(p("").unwrap(), None);
        assert_eq!(p(" \n").unwrap(), None);
    }

    #[test]
    fn strings_unescape() {
        assert_eq!(
            p(r#""a\"b\\c\n\u00e9\ud83d\ude00/""#).unwrap(),
            Some(JsonNode::String("a\"b\\c\né😀/".to_string()))
        );
    }

    #[test]
    fn containers_and_duplicates() {
        let v = p(r#"{"a":[1,{"b":null}],"c":1,"a":2}"#).unwrap().unwrap();
        assert_eq!(
            v,
            JsonNode::Object(vec![
                ("a".to_string(), num("2", true)),
                ("c".to_string(), num("1", true)),
            ])
        );
    }

    #[test]
    fn trailing_content_after_root_container_is_ignored() {
        assert!(p(r#"{"a":1} garbage"#).unwrap().is_some());
        assert!(p("12 34").unwrap().is_some());
        assert!(p("12abc").is_err());
        assert!(p("12,").is_err());
        // Keywords end at any character that cannot continue them, and need no space after them.
        assert_eq!(p("true,").unwrap(), Some(JsonNode::Bool(true)));
        assert_eq!(p("false]").unwrap(), Some(JsonNode::Bool(false)));
        assert_eq!(p("null}").unwrap(), Some(JsonNode::Null));
        assert!(p("nullx").is_err());
    }

    #[test]
    fn rejects_invalid_json() {
        for bad in [
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01.",
            ".5",
            "+1",
            "nul",
            "trueish",
            "\"a\u{1}\"",
            "\"\\x\"",
            "NaN",
            "[1 2]",
            "{'a':1}",
        ] {
            assert!(p(bad).is_err(), "{bad}");
        }
        assert!(parse(b"\"\xff\"", false).is_err());
        let deep = "[".repeat(1001) + &"]".repeat(1001);
        assert!(p(&deep).is_err());
    }

    #[test]
    fn defers_the_envelope_schema() {
        let doc = br#"{"schema":{"type":"string","optional":false},"payload":"x"}"#;
        let v = parse(doc, true).unwrap().unwrap();
        let Some(JsonNode::Raw(range)) = v.get("schema") else {
            panic!("schema not deferred: {v:?}");
        };
        assert_eq!(
            &doc[range.clone()],
            br#"{"type":"string","optional":false}"#
        );
        assert_eq!(v.get("payload"), Some(&JsonNode::String("x".to_string())));
    }
}
