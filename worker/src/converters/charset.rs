//! The Java character sets StringConverter supports (`converter.encoding`), with Java's handling of
//! what a charset cannot carry: `?` for an unmappable character when encoding, U+FFFD for malformed
//! input when decoding.

use std::borrow::Cow;

/// A supported `java.nio.charset.Charset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    UsAscii,
    Iso8859_1,
    Utf16Be,
    Utf16Le,
    /// `UTF-16`: writes big-endian with a byte order mark, reads the mark if present.
    Utf16,
}

impl Charset {
    /// Looks a charset up by its Java name or a common alias, ignoring case.
    pub fn for_name(name: &str) -> Option<Charset> {
        let n = name.trim().to_ascii_uppercase().replace('_', "-");
        Some(match n.as_str() {
            "UTF-8" | "UTF8" | "UNICODE-1-1-UTF-8" => Charset::Utf8,
            "US-ASCII" | "ASCII" | "US" | "ISO646-US" | "ASCII7" | "646" | "CP367" => {
                Charset::UsAscii
            }
            "ISO-8859-1" | "ISO8859-1" | "ISO-LATIN-1" | "LATIN1" | "L1" | "8859-1" | "CP819"
            | "ISO8859-1:1987" | "IBM819" => Charset::Iso8859_1,
            "UTF-16BE" | "UTF16BE" | "X-UTF-16BE" | "ISO-10646-UCS-2" | "UNICODEBIGUNMARKED" => {
                Charset::Utf16Be
            }
            "UTF-16LE" | "UTF16LE" | "X-UTF-16LE" | "UNICODELITTLEUNMARKED" => Charset::Utf16Le,
            "UTF-16" | "UTF16" | "UNICODE" => Charset::Utf16,
            _ => return None,
        })
    }

    /// The canonical Java name.
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::UsAscii => "US-ASCII",
            Charset::Iso8859_1 => "ISO-8859-1",
            Charset::Utf16Be => "UTF-16BE",
            Charset::Utf16Le => "UTF-16LE",
            Charset::Utf16 => "UTF-16",
        }
    }

    /// `String.getBytes(charset)`.
    pub fn encode(self, s: String) -> Vec<u8> {
        match self {
            Charset::Utf8 => s.into_bytes(),
            Charset::UsAscii => s
                .chars()
                .map(|c| if c.is_ascii() { c as u8 } else { b'?' })
                .collect(),
            Charset::Iso8859_1 => s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Charset::Utf16Be => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            Charset::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            // Java's UTF-16 encoder writes its byte-order mark only before some text: an empty
            // string is no bytes.
            Charset::Utf16 if s.is_empty() => Vec::new(),
            Charset::Utf16 => [0xfe, 0xff]
                .into_iter()
                .chain(s.encode_utf16().flat_map(u16::to_be_bytes))
                .collect(),
        }
    }

    /// `new String(bytes, charset)`.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => match String::from_utf8_lossy(bytes) {
                Cow::Borrowed(s) => s.to_string(),
                Cow::Owned(s) => s,
            },
            Charset::UsAscii => bytes
                .iter()
                .map(|&b| if b.is_ascii() { b as char } else { '\u{fffd}' })
                .collect(),
            Charset::Iso8859_1 => bytes.iter().map(|&b| b as char).collect(),
            Charset::Utf16Be => decode_utf16(bytes, true),
            Charset::Utf16Le => decode_utf16(bytes, false),
            Charset::Utf16 => match bytes {
                [0xfe, 0xff, rest @ ..] => decode_utf16(rest, true),
                [0xff, 0xfe, rest @ ..] => decode_utf16(rest, false),
                _ => decode_utf16(bytes, true),
            },
        }
    }
}

fn decode_utf16(bytes: &[u8], big_endian: bool) -> String {
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut s: String = char::decode_utf16(units)
        .map(|r| r.unwrap_or('\u{fffd}'))
        .collect();
    // A dangling odd byte is malformed input.
    if bytes.len() % 2 == 1 {
        s.push('\u{fffd}');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases() {
        assert_eq!(Charset::for_name("utf-8"), Some(Charset::Utf8));
        assert_eq!(Charset::for_name("UTF8"), Some(Charset::Utf8));
        assert_eq!(Charset::for_name("latin1"), Some(Charset::Iso8859_1));
        assert_eq!(Charset::for_name("ISO8859_1"), Some(Charset::Iso8859_1));
        assert_eq!(Charset::for_name("ascii"), Some(Charset::UsAscii));
        assert_eq!(Charset::for_name("UTF-16LE"), Some(Charset::Utf16Le));
        assert_eq!(Charset::for_name("EBCDIC-nope"), None);
    }

    #[test]
    fn encode_and_decode_like_java() {
        assert_eq!(Charset::UsAscii.encode("aé€".into()), b"a??");
        assert_eq!(Charset::Iso8859_1.encode("aé€".into()), b"a\xe9?");
        assert_eq!(
            Charset::Utf16Be.encode("a€".into()),
            vec![0, b'a', 0x20, 0xac]
        );
        assert_eq!(Charset::Utf16Le.encode("a".into()), vec![b'a', 0]);
        assert_eq!(Charset::Utf16.encode("a".into()), vec![0xfe, 0xff, 0, b'a']);
        assert_eq!(Charset::Utf16.encode(String::new()), Vec::<u8>::new());
        assert_eq!(Charset::Utf16.decode(&[0xff, 0xfe, b'a', 0]), "a");
        assert_eq!(Charset::Utf8.decode(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(Charset::UsAscii.decode(b"a\xe9"), "a\u{fffd}");
        assert_eq!(Charset::Iso8859_1.decode(b"a\xe9"), "aé");
        assert_eq!(Charset::Utf16Be.decode(&[0, b'a', 0]), "a\u{fffd}");
    }
}
