//! Base64 text to bytes exactly as Kafka's JsonConverter reads a `BYTES` (or `Decimal`) value:
//! Jackson's `TextNode.binaryValue()`, which trims the text and decodes it with Jackson's default
//! variant (`MIME_NO_LINEFEEDS`: the standard alphabet, padding required on read).
//!
//! Jackson's decoder differs from a strict RFC 4648 one in ways a record can show, so Ferry follows
//! it rather than a general-purpose decoder:
//! - blanks (any character up to U+0020) may stand *between* 4-character units, never inside one;
//! - a padded unit (`QQ==`, `QUI=`) ends the unit, not the text: decoding goes on after it, so
//!   `QQ==QUI=` is the three bytes `A`, `A`, `B`;
//! - the bits a padded unit leaves over are not checked (`QR==` reads as `A`);
//! - a text ending inside a unit is an error, since padding is required.

/// Why Jackson refuses a base64 text (its `IllegalArgumentException`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64TextError {
    /// A character that is neither in the alphabet nor allowed where it stands; `position` is
    /// 1-based within its 4-character unit, as Jackson reports it.
    #[error(
        "illegal character {character:?} as character #{position} of a 4-character base64 unit"
    )]
    IllegalCharacter { character: char, position: u8 },
    /// The text ends inside a unit: Jackson's variant requires padding.
    #[error("unexpected end of base64 text: padding ('=') is required at the end")]
    MissingPadding,
}

const PADDING: u8 = b'=';

/// The 6-bit value of a base64 alphabet character.
fn sextet(byte: u8) -> Option<u32> {
    let value = match byte {
        b'A'..=b'Z' => byte - b'A',
        b'a'..=b'z' => byte - b'a' + 26,
        b'0'..=b'9' => byte - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// Whether Jackson counts the byte as a blank (`ch <= ' '`), for trimming and between units.
fn is_blank(byte: u8) -> bool {
    byte <= b' '
}

/// Decodes `text` as Jackson's `TextNode.binaryValue()` does.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64TextError> {
    // `String.trim()`: a blank at the end is gone before decoding, not a character inside a unit.
    let bytes = text.trim_matches(|c| c <= ' ').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let mut units = Units { bytes, at: 0 };
    while let Some(first) = units.next_unit_start() {
        let a = units.alphabet(first, 1)?;
        let b = units.required().and_then(|c| units.alphabet(c, 2))?;
        let third = units.required()?;
        if third == PADDING {
            // One byte; the unit must close with a second padding character.
            let fourth = units.required()?;
            if fourth != PADDING {
                return Err(illegal(units.char_at_previous(), 4));
            }
            out.push(((a << 2) | (b >> 4)) as u8);
            continue;
        }
        let c = units.alphabet(third, 3)?;
        let fourth = units.required()?;
        if fourth == PADDING {
            let bits = (a << 12) | (b << 6) | c;
            out.extend_from_slice(&[(bits >> 10) as u8, (bits >> 2) as u8]);
            continue;
        }
        let d = units.alphabet(fourth, 4)?;
        let bits = (a << 18) | (b << 12) | (c << 6) | d;
        out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
    }
    Ok(out)
}

/// A cursor over the trimmed text, unit by unit.
struct Units<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Units<'_> {
    /// The first byte of the next unit, skipping the blanks before it; `None` at the end.
    fn next_unit_start(&mut self) -> Option<u8> {
        while let Some(&byte) = self.bytes.get(self.at) {
            self.at += 1;
            if !is_blank(byte) {
                return Some(byte);
            }
        }
        None
    }

    /// The next byte inside a unit: the end of the text here is the missing padding Jackson's
    /// variant requires.
    fn required(&mut self) -> Result<u8, Base64TextError> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or(Base64TextError::MissingPadding)?;
        self.at += 1;
        Ok(byte)
    }

    /// The 6 bits of `byte`, read at 1-based `position` of its unit.
    fn alphabet(&self, byte: u8, position: u8) -> Result<u32, Base64TextError> {
        sextet(byte).ok_or_else(|| illegal(self.char_at_previous(), position))
    }

    /// The whole character the last byte read starts (or belongs to), for the error.
    fn char_at_previous(&self) -> char {
        let mut start = self.at.saturating_sub(1);
        while start > 0 && self.bytes[start] & 0xC0 == 0x80 {
            start -= 1;
        }
        std::str::from_utf8(&self.bytes[start..])
            .ok()
            .and_then(|rest| rest.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

fn illegal(character: char, position: u8) -> Base64TextError {
    Base64TextError::IllegalCharacter {
        character,
        position,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<u8> {
        decode(text).unwrap_or_else(|e| panic!("{text:?} should decode: {e}"))
    }

    #[test]
    fn whole_and_padded_units_decode() {
        assert_eq!(ok(""), b"");
        assert_eq!(ok("QUJD"), b"ABC");
        assert_eq!(ok("QUI="), b"AB");
        assert_eq!(ok("QQ=="), b"A");
        assert_eq!(ok("AAECAwQFBgcICQ=="), (0u8..10).collect::<Vec<_>>());
        assert_eq!(ok("+/+/"), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn blanks_around_the_text_and_between_units_are_skipped() {
        assert_eq!(ok("  QUJD\n"), b"ABC");
        assert_eq!(ok("QUJD \r\n\tQUJD"), b"ABCABC");
        assert_eq!(ok("\u{1}QQ=="), b"A", "any control character is a blank");
    }

    #[test]
    fn a_blank_inside_a_unit_is_refused() {
        for (text, position) in [("Q UJD", 2), ("QU JD", 3), ("QUJ D", 4), ("QU\n==", 3)] {
            assert_eq!(
                decode(text),
                Err(Base64TextError::IllegalCharacter {
                    character: text.chars().nth(position as usize - 1).unwrap(),
                    position,
                }),
                "{text:?}"
            );
        }
    }

    /// Jackson ends the unit at its padding and goes on reading.
    #[test]
    fn decoding_goes_on_after_a_padded_unit() {
        assert_eq!(ok("QQ==QUI="), b"AAB");
        assert_eq!(ok("QQ== QUJD"), b"AABC");
    }

    #[test]
    fn leftover_bits_of_a_padded_unit_are_not_checked() {
        assert_eq!(ok("QR=="), b"A");
        assert_eq!(ok("QUJ="), b"AB");
    }

    #[test]
    fn a_text_ending_inside_a_unit_is_missing_its_padding() {
        for text in ["Q", "QU", "QUJ", "QUI=Q", "QQ=", "QUJD QU", "QU \n"] {
            assert_eq!(
                decode(text),
                Err(Base64TextError::MissingPadding),
                "{text:?}"
            );
        }
    }

    #[test]
    fn padding_or_a_foreign_character_where_it_cannot_stand_is_refused() {
        let illegal = |character, position| {
            Err(Base64TextError::IllegalCharacter {
                character,
                position,
            })
        };
        assert_eq!(decode("=QUJ"), illegal('=', 1));
        assert_eq!(decode("Q=UJ"), illegal('=', 2));
        assert_eq!(decode("QQ=J"), illegal('J', 4));
        assert_eq!(
            decode("QU-D"),
            illegal('-', 3),
            "the URL-safe alphabet is not this one"
        );
        assert_eq!(decode("QUJé"), illegal('é', 4));
    }
}
