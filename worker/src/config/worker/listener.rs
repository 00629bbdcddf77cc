//! REST listener URLs (`listeners`, `admin.listeners`): `scheme://host:port`.

use crate::config::ConfigError;

/// A parsed listener. `host` is `None` for `http://:8083` (all interfaces); IPv6 hosts are kept
/// without brackets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listener {
    pub scheme: String,
    pub host: Option<String>,
    pub port: u16,
}

impl Listener {
    /// Parses one listener like Kafka's `RestServer` (scheme case-insensitive, http or https).
    pub fn parse(listener: &str) -> Result<Listener, ConfigError> {
        let malformed = || ConfigError::Other(format!("Could not parse listener URL '{listener}'"));
        let trimmed = listener.trim();
        let (scheme, rest) = trimmed.split_once("://").ok_or_else(malformed)?;
        let scheme = scheme.to_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(ConfigError::Other(format!(
                "Listener protocol must be either \"http\" or \"https\", but was \"{scheme}\" in listener '{listener}'"
            )));
        }
        // A trailing path (`http://h:1/`) is ignored, as Kafka's pattern only reads up to the port.
        let authority = rest.split('/').next().unwrap_or(rest);
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed.split_once(']').ok_or_else(malformed)?;
            let port = after.strip_prefix(':').ok_or_else(malformed)?;
            (host, port)
        } else {
            authority.rsplit_once(':').ok_or_else(malformed)?
        };
        let port = port.parse::<u16>().map_err(|_| malformed())?;
        Ok(Listener {
            scheme,
            host: (!host.is_empty()).then(|| host.to_string()),
            port,
        })
    }

    /// `host:port` with IPv6 hosts bracketed, as `java.net.URI.getHost()` returns them.
    pub fn host_port(&self, fallback_host: &str) -> String {
        format!(
            "{}:{}",
            bracket(self.host.as_deref().unwrap_or(fallback_host)),
            self.port
        )
    }
}

/// Brackets an IPv6 literal.
pub(crate) fn bracket(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// The machine's host name, for advertising a listener bound to all interfaces.
pub fn machine_hostname() -> String {
    if let Ok(name) = std::env::var("HOSTNAME") {
        let name = name.trim().to_string();
        if !name.is_empty() {
            return name;
        }
    }
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_listener_forms() {
        assert_eq!(
            Listener::parse("http://:8083").unwrap(),
            Listener {
                scheme: "http".into(),
                host: None,
                port: 8083
            }
        );
        assert_eq!(
            Listener::parse("HTTP://0.0.0.0:8083").unwrap(),
            Listener {
                scheme: "http".into(),
                host: Some("0.0.0.0".into()),
                port: 8083
            }
        );
        let v6 = Listener::parse("https://[::1]:8443").unwrap();
        assert_eq!(v6.host.as_deref(), Some("::1"));
        assert_eq!(v6.scheme, "https");
        assert_eq!(v6.host_port("x"), "[::1]:8443");
        assert_eq!(Listener::parse("http://h:0").unwrap().port, 0);
    }

    #[test]
    fn rejects_bad_listeners() {
        assert_eq!(
            Listener::parse("ftp://h:21").unwrap_err().to_string(),
            "Listener protocol must be either \"http\" or \"https\", but was \"ftp\" in listener 'ftp://h:21'"
        );
        assert!(Listener::parse("localhost:8083").is_err());
        assert!(Listener::parse("http://h").is_err());
        assert!(Listener::parse("http://h:99999").is_err());
    }
}
