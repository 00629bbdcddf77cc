//! Low-level JSON output into a byte buffer, byte for byte as Jackson's generator writes it.

use std::io::Write as _;

use base64::Engine as _;

use crate::data::java_fmt;

/// Lets the float formatters (which speak `fmt::Write`) append to a byte buffer.
struct VecWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Writes a JSON string with Jackson's escaping: `"` and `\` escaped, control characters as `\b \t
/// \n \f \r` or `\u00XX` (upper-case hex), everything else (including non-ASCII) as raw UTF-8.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let clean_end = start + clean_prefix_len(&bytes[start..]);
        out.extend_from_slice(&bytes[start..clean_end]);
        let Some(&b) = bytes.get(clean_end) else {
            break;
        };
        write_escape(out, b);
        start = clean_end + 1;
    }
    out.push(b'"');
}

/// How many leading bytes of `bytes` are written as they are: 32, then eight, at a time (most
/// strings need no escaping at all), then byte by byte, so a short string costs a few compares.
fn clean_prefix_len(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(block) = bytes[i..].first_chunk::<BLOCK>() {
        if needs_escape(block) {
            break;
        }
        i += BLOCK;
    }
    while let Some(word) = bytes[i..].first_chunk::<8>() {
        if needs_escape(word) {
            break;
        }
        i += 8;
    }
    let rest = &bytes[i..];
    if rest.len() < 8 {
        // The last few bytes (most of a short string): checked as one word, padded with a byte
        // that is never escaped, instead of one compare chain per byte.
        let mut word = [b' '; 8];
        word[..rest.len()].copy_from_slice(rest);
        if !needs_escape(&word) {
            return bytes.len();
        }
    }
    // An escape lies within the next eight bytes: find it.
    while i < bytes.len() && !escaped(bytes[i]) {
        i += 1;
    }
    i
}

/// Whether Jackson escapes this byte: control characters, `"` and `\\`.
fn escaped(b: u8) -> bool {
    // `|`, not `||`: no branches, so the block checks above compile to vector compares.
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// The escape of one byte [`escaped`] is true for.
fn write_escape(out: &mut Vec<u8>, b: u8) {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        _ => 0,
    };
    if short != 0 {
        out.extend_from_slice(&[b'\\', short]);
    } else {
        out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]);
    }
}

/// The widest run of bytes checked at once.
const BLOCK: usize = 32;

/// Whether any byte of `chunk` is a control character, `"` or `\\`. Written without an early exit,
/// on a fixed width, so the compiler checks the chunk with vector compares.
fn needs_escape<const N: usize>(chunk: &[u8; N]) -> bool {
    chunk
        .iter()
        .fold(0u8, |dirty, &b| dirty | u8::from(escaped(b)))
        != 0
}

#[cfg(test)]
mod escape_scan_tests {
    use super::*;

    #[test]
    fn block_scan_finds_every_escape_and_nothing_else() {
        for b in 0u8..=255 {
            for at in [0, 13, BLOCK - 1] {
                let mut block = [b'a'; BLOCK];
                block[at] = b;
                let expected = b < 0x20 || b == b'"' || b == b'\\';
                assert_eq!(needs_escape(&block), expected, "byte {b:#x} at {at}");
            }
        }
    }

    #[test]
    fn an_escape_anywhere_in_a_long_string_is_written() {
        for at in 0..100 {
            let mut text = "x".repeat(100);
            text.replace_range(at..at + 1, "\n");
            let mut out = Vec::new();
            write_string(&mut out, &text);
            let expected = format!("\"{}\\n{}\"", "x".repeat(at), "x".repeat(99 - at));
            assert_eq!(String::from_utf8(out).unwrap(), expected, "escape at {at}");
        }
    }

    /// Jackson's escaping written the obvious way, one character at a time.
    fn escaped_one_by_one(text: &str) -> String {
        let mut out = String::from("\"");
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\u{c}' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn strings_of_every_length_up_to_three_blocks_escape_one_by_one() {
        for len in 0..=3 * BLOCK + 9 {
            let clean: String = "abcdé€xyz".chars().cycle().take(len).collect();
            let mut variants = vec![clean.clone()];
            for (at, c) in clean.char_indices() {
                for escape in ['"', '\\', '\n', '\u{1}', '\u{1f}'] {
                    let mut text = clean.clone();
                    text.replace_range(at..at + c.len_utf8(), &escape.to_string());
                    variants.push(text);
                }
            }
            for text in variants {
                let mut out = Vec::new();
                write_string(&mut out, &text);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    escaped_one_by_one(&text),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn word_scan_finds_every_escape_and_nothing_else() {
        for b in 0u8..=255 {
            let mut word = [b'a'; 8];
            word[5] = b;
            let expected = b < 0x20 || b == b'"' || b == b'\\';
            assert_eq!(needs_escape(&word), expected, "byte {b:#x}");
        }
    }

    #[test]
    fn long_strings_escape_like_short_ones() {
        let s = "0123456789abcdef\"quoted\" and \\ back\nslash\u{1}é0123456789";
        let mut fast = Vec::new();
        write_string(&mut fast, s);
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            "\"0123456789abcdef\\\"quoted\\\" and \\\\ back\\nslash\\u0001é0123456789\""
        );
    }
}

/// Writes bytes as a base64 JSON string (standard alphabet, padded, no line feeds).
pub fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    let start = out.len();
    let len = base64::encoded_len(bytes.len(), true).unwrap_or(0);
    out.resize(start + len, 0);
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(bytes, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
    out.push(b'"');
}

pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let _ = write!(out, "{v}");
}

pub fn write_bool(out: &mut Vec<u8>, v: bool) {
    out.extend_from_slice(if v { b"true" } else { b"false" });
}

/// A double as Jackson writes it: `Double.toString`, with NaN and infinities as quoted strings.
pub fn write_f64(out: &mut Vec<u8>, v: f64) {
    let quoted = !v.is_finite();
    if quoted {
        out.push(b'"');
    }
    java_fmt::write_double(v, &mut VecWriter(out));
    if quoted {
        out.push(b'"');
    }
}

/// A float as Jackson writes it: `Float.toString`, non-finite values quoted.
pub fn write_f32(out: &mut Vec<u8>, v: f32) {
    let quoted = !v.is_finite();
    if quoted {
        out.push(b'"');
    }
    java_fmt::write_float(v, &mut VecWriter(out));
    if quoted {
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_escape_like_jackson() {
        assert_eq!(s(|o| write_string(o, "plain")), r#""plain""#);
        assert_eq!(
            s(|o| write_string(o, "q\"b\\n\n\t\u{1}\u{1f}/é\u{7f}")),
            "\"q\\\"b\\\\n\\n\\t\\u0001\\u001F/é\u{7f}\""
        );
    }

    #[test]
    fn base64_and_numbers() {
        assert_eq!(
            s(|o| write_base64(o, b"test-string")),
            r#""dGVzdC1zdHJpbmc=""#
        );
        assert_eq!(s(|o| write_base64(o, b"")), r#""""#);
        assert_eq!(s(|o| write_f64(o, 1e10)), "1.0E10");
        assert_eq!(s(|o| write_f64(o, f64::NAN)), r#""NaN""#);
        assert_eq!(s(|o| write_f32(o, f32::NEG_INFINITY)), r#""-Infinity""#);
        assert_eq!(s(|o| write_f32(o, 12.34)), "12.34");
        assert_eq!(s(|o| write_i64(o, -42)), "-42");
    }
}
