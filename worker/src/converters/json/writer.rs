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
    let mut run_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip clean bytes 32, then eight, at a time: most strings need no escaping at all.
        if bytes[i..]
            .first_chunk::<BLOCK>()
            .is_some_and(|block| !needs_escape(block))
        {
            i += BLOCK;
            continue;
        }
        if bytes[i..]
            .first_chunk::<8>()
            .is_some_and(|word| !needs_escape(word))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x09 => b't',
            0x0a => b'n',
            0x0c => b'f',
            0x0d => b'r',
            0x00..=0x1f => 0,
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[run_start..i]);
        run_start = i + 1;
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
        i += 1;
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

/// The widest run of bytes checked at once.
const BLOCK: usize = 32;

/// Whether any byte of `chunk` is a control character, `"` or `\\`. Written without an early exit,
/// on a fixed width, so the compiler checks the chunk with vector compares.
fn needs_escape<const N: usize>(chunk: &[u8; N]) -> bool {
    chunk.iter().fold(0u8, |dirty, &b| {
        dirty | u8::from(b < 0x20) | u8::from(b == b'"') | u8::from(b == b'\\')
    }) != 0
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
