//! Java `.properties` files, parsed with the exact rules of `java.util.Properties.load`.

use std::path::{Path, PathBuf};

pub use super::connector_file::{load_connector_file, ConnectorFile};
use super::Props;

/// A properties or connector file that cannot be read or parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PropertiesError {
    #[error("Failed to read '{}': {message}", path.display())]
    Io { path: PathBuf, message: String },
    /// A syntax error; `file` is set when the text came from a file.
    #[error("{}line {line}: {message}", file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
    Syntax {
        file: Option<PathBuf>,
        line: usize,
        message: String,
    },
    #[error("Connector configuration at '{}' is missing the mandatory 'name' configuration", path.display())]
    MissingName { path: PathBuf },
    #[error("Connector name configuration in 'config' doesn't match the one specified in 'name' at '{}'", path.display())]
    NameMismatch { path: PathBuf },
}

/// One logical line: its text (continuations joined) and the natural line it started on.
struct LogicalLine {
    text: Vec<char>,
    line: usize,
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{0C}')
}

/// Java's `LineReader`: drops comment and blank lines and leading whitespace, joins lines ending
/// in an odd number of backslashes (dropping the continuation's leading whitespace).
fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut buf: Vec<char> = Vec::new();
    let mut line_no = 1usize;
    let mut start_line = 1usize;
    let mut skip_ws = true;
    let mut is_comment = false;
    let mut is_new_line = true;
    // Set after a continuation: a line break right away ends the logical line instead of being
    // skipped as leading whitespace.
    let mut appended_line_begin = false;
    let mut preceding_backslash = false;
    let mut skip_lf = false;

    for c in text.chars() {
        if skip_lf {
            skip_lf = false;
            if c == '\n' {
                continue;
            }
        }
        if skip_ws {
            if is_blank(c) {
                continue;
            }
            if !appended_line_begin && (c == '\r' || c == '\n') {
                skip_lf = c == '\r';
                line_no += 1;
                continue;
            }
            skip_ws = false;
            appended_line_begin = false;
        }
        if is_new_line {
            is_new_line = false;
            start_line = line_no;
            if c == '#' || c == '!' {
                is_comment = true;
                continue;
            }
        }
        if c != '\n' && c != '\r' {
            if !is_comment {
                buf.push(c);
                preceding_backslash = c == '\\' && !preceding_backslash;
            }
            continue;
        }
        // End of a natural line.
        skip_lf = c == '\r';
        line_no += 1;
        if is_comment || buf.is_empty() {
            is_comment = false;
            is_new_line = true;
            skip_ws = true;
            preceding_backslash = false;
            buf.clear();
            continue;
        }
        if preceding_backslash {
            buf.pop();
            skip_ws = true;
            appended_line_begin = true;
            preceding_backslash = false;
            continue;
        }
        lines.push(LogicalLine {
            text: std::mem::take(&mut buf),
            line: start_line,
        });
        is_new_line = true;
        skip_ws = true;
    }
    if !is_comment && !buf.is_empty() {
        // A backslash at the very end of the input continues nothing and is dropped.
        if preceding_backslash {
            buf.pop();
        }
        lines.push(LogicalLine {
            text: buf,
            line: start_line,
        });
    }
    lines
}

/// Java's `loadConvert`: resolves `\t \n \r \f \uXXXX` and `\<any>` escapes.
fn unescape(chars: &[char], line: usize) -> Result<String, PropertiesError> {
    let mut units: Vec<u16> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            let mut tmp = [0u16; 2];
            units.extend_from_slice(c.encode_utf16(&mut tmp));
            continue;
        }
        let Some(&next) = chars.get(i) else {
            break;
        };
        i += 1;
        let resolved = match next {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            'f' => '\u{0C}',
            'u' => {
                let hex: String = chars.iter().skip(i).take(4).collect();
                let value = (hex.chars().count() == 4
                    && hex.chars().all(|h| h.is_ascii_hexdigit()))
                .then(|| u16::from_str_radix(&hex, 16).ok())
                .flatten()
                .ok_or_else(|| PropertiesError::Syntax {
                    file: None,
                    line,
                    message: "Malformed \\uxxxx encoding.".to_string(),
                })?;
                i += 4;
                // Kept as a UTF-16 unit so escaped surrogate pairs combine.
                units.push(value);
                continue;
            }
            other => other,
        };
        let mut tmp = [0u16; 2];
        units.extend_from_slice(resolved.encode_utf16(&mut tmp));
    }
    // A lone escaped surrogate cannot be represented in Rust; it becomes U+FFFD.
    Ok(String::from_utf16_lossy(&units))
}

/// Java's key/value split: the key ends at the first unescaped `=`, `:` or whitespace; whitespace
/// and at most one `=`/`:` after it are skipped.
fn split_key_value(line: &[char]) -> (&[char], &[char]) {
    let mut key_len = 0;
    let mut value_start = line.len();
    let mut has_sep = false;
    let mut preceding_backslash = false;
    while key_len < line.len() {
        let c = line[key_len];
        if (c == '=' || c == ':') && !preceding_backslash {
            value_start = key_len + 1;
            has_sep = true;
            break;
        }
        if is_blank(c) && !preceding_backslash {
            value_start = key_len + 1;
            break;
        }
        preceding_backslash = c == '\\' && !preceding_backslash;
        key_len += 1;
    }
    while value_start < line.len() {
        let c = line[value_start];
        if !is_blank(c) {
            if !has_sep && (c == '=' || c == ':') {
                has_sep = true;
            } else {
                break;
            }
        }
        value_start += 1;
    }
    (&line[..key_len], &line[value_start..])
}

/// Parses properties text into key/value pairs in file order (duplicates kept; collecting into a
/// map lets the later one win, as `Properties` does).
pub fn parse_properties(text: &str) -> Result<Vec<(String, String)>, PropertiesError> {
    logical_lines(text)
        .into_iter()
        .map(|line| {
            let (key, value) = split_key_value(&line.text);
            Ok((unescape(key, line.line)?, unescape(value, line.line)?))
        })
        .collect()
}

/// Reads a file's text. Java's `Properties.load(InputStream)` decodes ISO-8859-1; Ferry reads
/// UTF-8 (what users write today) and falls back to ISO-8859-1 for bytes that are not UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, PropertiesError> {
    let bytes = std::fs::read(path).map_err(|e| PropertiesError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    })
}

/// Parses properties text read from `path`, naming the file in errors.
pub(crate) fn parse_properties_from(path: &Path, text: &str) -> Result<Props, PropertiesError> {
    parse_properties(text)
        .map(|pairs| pairs.into_iter().collect())
        .map_err(|e| match e {
            PropertiesError::Syntax { line, message, .. } => PropertiesError::Syntax {
                file: Some(path.to_path_buf()),
                line,
                message,
            },
            other => other,
        })
}

/// Loads a `.properties` file (Kafka's `Utils.loadProps`).
pub fn load_properties_file(path: &Path) -> Result<Props, PropertiesError> {
    let text = read_text(path)?;
    parse_properties_from(path, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<(String, String)> {
        parse_properties(text).unwrap()
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn separators() {
        assert_eq!(
            parse("a=1\nb:2\nc 3\nd\t=\t4\ne   :  5\nf\n"),
            vec![
                pair("a", "1"),
                pair("b", "2"),
                pair("c", "3"),
                pair("d", "4"),
                pair("e", "5"),
                pair("f", "")
            ]
        );
        // Only the first separator counts; later ones belong to the value.
        assert_eq!(parse("a==b"), vec![pair("a", "=b")]);
        assert_eq!(parse("a = = b"), vec![pair("a", "= b")]);
        assert_eq!(
            parse("url=http://x:8083"),
            vec![pair("url", "http://x:8083")]
        );
        assert_eq!(parse("a b c"), vec![pair("a", "b c")]);
        // Trailing whitespace is part of the value.
        assert_eq!(parse("a=b  "), vec![pair("a", "b  ")]);
    }

    #[test]
    fn comments_and_blank_lines() {
        assert_eq!(
            parse("# c1\n! c2\n\n   \n  # indented comment\nk=v # not a comment\n"),
            vec![pair("k", "v # not a comment")]
        );
        // A comment line ending in a backslash does not continue.
        assert_eq!(parse("# c \\\nk=v"), vec![pair("k", "v")]);
    }

    #[test]
    fn continuations() {
        assert_eq!(
            parse("list=a,\\\n    b,\\\n\tc\nnext=1"),
            vec![pair("list", "a,b,c"), pair("next", "1")]
        );
        // An even number of backslashes is an escaped backslash, not a continuation.
        assert_eq!(
            parse("a=x\\\\\nb=y"),
            vec![pair("a", "x\\"), pair("b", "y")]
        );
        // `#` at the start of a continuation line is data.
        assert_eq!(parse("a=1\\\n#2"), vec![pair("a", "1#2")]);
        // A continuation into an empty line ends the value.
        assert_eq!(parse("a=1\\\n\nb=2"), vec![pair("a", "1"), pair("b", "2")]);
        // A backslash at end of input is dropped.
        assert_eq!(parse("a=1\\"), vec![pair("a", "1")]);
    }

    #[test]
    fn escapes() {
        assert_eq!(
            parse("k=\\t\\n\\r\\f\\u0041\\q\\\\"),
            vec![pair("k", "\t\n\r\u{0C}Aq\\")]
        );
        assert_eq!(parse("a\\=b\\:c\\ d=v"), vec![pair("a=b:c d", "v")]);
        assert_eq!(parse("k=\\uD83D\\uDE00"), vec![pair("k", "\u{1F600}")]);
        assert_eq!(parse("k=caf\u{e9}"), vec![pair("k", "caf\u{e9}")]);
        // Escaped leading whitespace is kept.
        assert_eq!(parse("k=\\  v"), vec![pair("k", "  v")]);
    }

    #[test]
    fn malformed_unicode_escape_names_the_line() {
        let err = parse_properties("a=1\nb=\\u12G4\n").unwrap_err();
        assert_eq!(err.to_string(), "line 2: Malformed \\uxxxx encoding.");
        let err = parse_properties("b=\\u12").unwrap_err();
        assert!(matches!(err, PropertiesError::Syntax { line: 1, .. }));
    }

    #[test]
    fn line_endings() {
        assert_eq!(
            parse("a=1\r\nb=2\rc=3\n"),
            vec![pair("a", "1"), pair("b", "2"), pair("c", "3")]
        );
        assert_eq!(parse("a=1\\\r\n  2\r\n"), vec![pair("a", "12")]);
        let err = parse_properties("a=1\r\n\r\nb=\\uZZZZ").unwrap_err();
        assert!(matches!(err, PropertiesError::Syntax { line: 3, .. }));
    }

    #[test]
    fn later_duplicates_win_when_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.properties");
        std::fs::write(&path, "a=1\na=2\n").unwrap();
        let props = load_properties_file(&path).unwrap();
        assert_eq!(props.get("a").map(String::as_str), Some("2"));
    }

    #[test]
    fn file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.properties");
        std::fs::write(&path, "x=\\u00\n").unwrap();
        let err = load_properties_file(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: line 1: ", path.display())),
            "{err}"
        );
        let missing = dir.path().join("missing.properties");
        let err = load_properties_file(&missing).unwrap_err().to_string();
        assert!(err.starts_with(&format!("Failed to read '{}'", missing.display())));
    }

    #[test]
    fn stock_standalone_properties() {
        let text = "# Licensed to the Apache Software Foundation (ASF)\n\
            bootstrap.servers=localhost:9092\n\
            \n\
            # The converters specify the format of data in Kafka\n\
            key.converter=org.apache.kafka.connect.json.JsonConverter\n\
            value.converter=org.apache.kafka.connect.json.JsonConverter\n\
            key.converter.schemas.enable=true\n\
            value.converter.schemas.enable=true\n\
            \n\
            offset.storage.file.filename=/tmp/connect.offsets\n\
            # Flush much faster than normal, which is useful for testing/debugging\n\
            offset.flush.interval.ms=10000\n\
            #plugin.path=\n";
        let pairs = parse(text);
        assert_eq!(pairs.len(), 7);
        assert_eq!(pairs[0], pair("bootstrap.servers", "localhost:9092"));
        assert_eq!(pairs[6], pair("offset.flush.interval.ms", "10000"));
    }
}
