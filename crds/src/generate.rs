//! Rendering the CRDs to YAML, for `ferry-crdgen` and the test that keeps the committed YAML current.

use std::path::{Path, PathBuf};

use kube::CustomResourceExt;

use crate::{KafkaConnect, KafkaConnector};

/// Comment at the top of every generated file.
pub const HEADER: &str = "# Generated from the Rust types in crds/src by `cargo run -p ferry-crds --bin ferry-crdgen`.\n# Do not edit by hand.\n";

/// One generated CRD file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name, `<plural>.<group>.yaml`.
    pub name: String,
    /// YAML document, header included.
    pub contents: String,
}

/// Directories (relative to the workspace root) that hold a copy of every generated file.
pub const OUTPUT_DIRS: &[&str] = &["crds", "charts/ferry/crds"];

/// Errors while rendering or comparing.
#[derive(Debug)]
pub enum GenerateError {
    /// A CRD could not be serialised.
    Yaml(serde_norway::Error),
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for GenerateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenerateError::Yaml(e) => write!(f, "cannot render CRD YAML: {e}"),
            GenerateError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for GenerateError {}

fn render<K: CustomResourceExt>() -> Result<GeneratedFile, GenerateError> {
    let crd = K::crd();
    let name = crd
        .metadata
        .name
        .clone()
        .unwrap_or_else(|| K::crd_name().to_owned());
    let body = quote_yaml11_booleans(&serde_norway::to_string(&crd).map_err(GenerateError::Yaml)?);
    Ok(GeneratedFile {
        name: format!("{name}.yaml"),
        contents: format!("{HEADER}{body}"),
    })
}

/// Words that YAML 1.2 reads as strings but YAML 1.1 reads as booleans. kubectl, Helm and the API
/// server parse YAML with 1.1 rules, so an enum value such as the log level `OFF`, written plain by a
/// 1.2 emitter, would reach them as `false`. Plain `true`/`false` are booleans in both and stay.
const YAML11_BOOLEANS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

/// Quotes plain scalars that YAML 1.1 would read as booleans, in list items (`- OFF`) and mapping
/// values (`key: OFF`).
pub fn quote_yaml11_booleans(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 16);
    for line in yaml.split_inclusive('\n') {
        let (content, newline) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        let split = content.rfind(": ").map(|i| i + 2).or_else(|| {
            content
                .trim_start()
                .starts_with("- ")
                .then(|| content.find("- ").map_or(0, |i| i + 2))
        });
        match split {
            Some(i) if YAML11_BOOLEANS.contains(&&content[i..]) => {
                out.push_str(&content[..i]);
                out.push('\'');
                out.push_str(&content[i..]);
                out.push('\'');
            }
            _ => out.push_str(content),
        }
        out.push_str(newline);
    }
    out
}

/// Both CRDs, rendered.
pub fn generated_files() -> Result<Vec<GeneratedFile>, GenerateError> {
    Ok(vec![render::<KafkaConnect>()?, render::<KafkaConnector>()?])
}

/// The workspace root as known at build time (the parent of this crate's directory).
pub fn default_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().unwrap_or(crate_dir).to_path_buf()
}

/// Write every generated file into every output directory under `root`.
pub fn write_all(root: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    let files = generated_files()?;
    let mut written = Vec::new();
    for dir in OUTPUT_DIRS {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir).map_err(|e| GenerateError::Io(dir.clone(), e))?;
        for file in &files {
            let path = dir.join(&file.name);
            std::fs::write(&path, &file.contents)
                .map_err(|e| GenerateError::Io(path.clone(), e))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Paths under `root` whose content differs from what the types generate (or that are missing).
pub fn stale_files(root: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    let files = generated_files()?;
    let mut stale = Vec::new();
    for dir in OUTPUT_DIRS {
        for file in &files {
            let path = root.join(dir).join(&file.name);
            match std::fs::read_to_string(&path) {
                Ok(existing) if existing == file.contents => {}
                Ok(_) => stale.push(path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => stale.push(path),
                Err(e) => return Err(GenerateError::Io(path, e)),
            }
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod yaml11_tests {
    use super::quote_yaml11_booleans;

    #[test]
    fn quotes_words_yaml_1_1_reads_as_booleans_and_nothing_else() {
        let input = "enum:\n  - INFO\n  - OFF\nserved: true\nmode: on\ndescription: it is off today\n  - no\n";
        assert_eq!(
            quote_yaml11_booleans(input),
            "enum:\n  - INFO\n  - 'OFF'\nserved: true\nmode: 'on'\ndescription: it is off today\n  - 'no'\n"
        );
    }
}
