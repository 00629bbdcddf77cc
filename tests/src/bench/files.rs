//! The input file, and reading what another process appends to a file.

use std::fs::File;
use std::io::{BufWriter, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Every benchmark line is 100 bytes: 99 characters and a newline.
pub const LINE_BYTES: u64 = 100;

/// Characters the filler cycles through: plain ASCII that JSON does not escape, so the envelope's
/// payload is the line itself and the sink writes back exactly the input.
const FILLER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// One line without its newline: `prefix`, a 12-digit number (so every line is distinct), filler.
pub fn line(prefix: &str, number: u64, out: &mut Vec<u8>) {
    out.clear();
    write!(out, "{prefix}{number:012} ").expect("writing into a Vec cannot fail");
    let content = (LINE_BYTES - 1) as usize;
    let shift = (number % FILLER.len() as u64) as usize;
    while out.len() < content {
        out.push(FILLER[(out.len() + shift) % FILLER.len()]);
    }
    out.truncate(content);
}

/// Writes `lines` lines of [`LINE_BYTES`] bytes to `path`.
pub fn write_input(path: &Path, lines: u64) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    let mut buf = Vec::with_capacity(LINE_BYTES as usize);
    for i in 0..lines {
        line("", i, &mut buf);
        buf.push(b'\n');
        writer
            .write_all(&buf)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Follows a file another process appends to, as `tail -f` would: each call returns what was appended
/// since the previous one, with ordinary reads (what any reader of the file sees).
pub struct Tail {
    path: PathBuf,
    file: Option<File>,
    chunk: Vec<u8>,
    /// The end of the last read that did not end with a newline (a line still being written).
    partial: Vec<u8>,
}

impl Tail {
    pub fn new(path: &Path) -> Tail {
        Tail {
            path: path.to_path_buf(),
            file: None,
            chunk: vec![0; 1 << 20],
            partial: Vec::new(),
        }
    }

    /// Reads everything appended since the last call and hands each complete line (without its
    /// newline) to `on_line`. A file that does not exist yet has no lines.
    pub fn read_lines(&mut self, mut on_line: impl FnMut(&[u8])) -> anyhow::Result<()> {
        self.open()?;
        let Tail {
            path,
            file,
            chunk,
            partial,
        } = self;
        let Some(file) = file.as_mut() else {
            return Ok(());
        };
        loop {
            let n = file
                .read(chunk)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if n == 0 {
                return Ok(());
            }
            let mut rest = &chunk[..n];
            while let Some(end) = rest.iter().position(|b| *b == b'\n') {
                if partial.is_empty() {
                    on_line(&rest[..end]);
                } else {
                    partial.extend_from_slice(&rest[..end]);
                    on_line(partial);
                    partial.clear();
                }
                rest = &rest[end + 1..];
            }
            partial.extend_from_slice(rest);
        }
    }

    /// Counts the complete lines appended since the last call.
    pub fn count_new_lines(&mut self) -> anyhow::Result<u64> {
        let mut count = 0;
        self.read_lines(|_| count += 1)?;
        Ok(count)
    }

    /// Opens the file once it exists; until then `self.file` stays `None`.
    fn open(&mut self) -> anyhow::Result<()> {
        if self.file.is_none() {
            match File::open(&self.path) {
                Ok(f) => self.file = Some(f),
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot open {}", self.path.display()))
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_99_characters_and_distinct() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        line("", 7, &mut a);
        line("", 8, &mut b);
        assert_eq!(a.len(), 99);
        assert_ne!(a, b);
        assert!(a.starts_with(b"000000000007 "));
    }

    #[test]
    fn tail_returns_appended_lines_once_and_waits_for_the_newline() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("f");
        let mut tail = Tail::new(&path);
        assert_eq!(tail.count_new_lines().expect("missing file"), 0);
        let mut f = File::create(&path).expect("create");
        f.write_all(b"one\ntw").expect("write");
        let mut seen = Vec::new();
        tail.read_lines(|l| seen.push(l.to_vec())).expect("read");
        f.write_all(b"o\n").expect("write");
        tail.read_lines(|l| seen.push(l.to_vec())).expect("read");
        assert_eq!(seen, [b"one".to_vec(), b"two".to_vec()]);
        assert_eq!(tail.count_new_lines().expect("read"), 0);
    }
}
