//! Authentication for the REST API, off by default:
//!
//! - HTTP basic, as Kafka's `BasicAuthSecurityRestExtension`: enabled by listing that class in
//!   `rest.extension.classes`; the JAAS file (Ferry's `rest.basic.auth.jaas.config.file` key, else
//!   `-Djava.security.auth.login.config=` in `KAFKA_OPTS`) has a `KafkaConnect` entry whose
//!   `PropertyFileLoginModule` names a properties file of `user: password` lines.
//! - A bearer token: Ferry's own `rest.auth.bearer.token` key (use a config provider placeholder to
//!   keep the token out of the file).
//!
//! Either credential is accepted when both are configured. A request without a valid one gets 401
//! with Kafka's error body. `GET /health` stays open so that liveness probes need no credentials.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine;

use super::error::ApiError;
use crate::config::jaas;
use crate::config::properties::load_properties_file;
use crate::config::Props;

pub const BASIC_AUTH_EXTENSION: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";
const PROPERTY_FILE_LOGIN_MODULE: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule";
/// Ferry's key for the JAAS file (Kafka reads it from a JVM system property).
pub const JAAS_FILE_CONFIG: &str = "rest.basic.auth.jaas.config.file";
/// Ferry's key for a bearer token.
pub const BEARER_TOKEN_CONFIG: &str = "rest.auth.bearer.token";
const JAAS_ENTRY: &str = "KafkaConnect";
const UNAUTHORIZED_MESSAGE: &str = "User cannot access the resource.";

/// Why authentication cannot be set up. Never contains a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestAuthError {
    #[error("{BASIC_AUTH_EXTENSION} is enabled but no JAAS file is given: set {JAAS_FILE_CONFIG}, or -Djava.security.auth.login.config=<file> in KAFKA_OPTS")]
    NoJaasFile,
    #[error("cannot read the JAAS file {path}: {reason}")]
    Jaas { path: String, reason: String },
    #[error("the JAAS file {path} has no {JAAS_ENTRY} entry with {PROPERTY_FILE_LOGIN_MODULE} and a 'file' option")]
    NoLoginModule { path: String },
    #[error("cannot read the credentials file {path}: {reason}")]
    Credentials { path: String, reason: String },
    #[error("'{BEARER_TOKEN_CONFIG}' is set but empty")]
    EmptyToken,
}

/// The credentials the REST API accepts.
#[derive(Clone, Default)]
pub struct RestAuth {
    basic: Option<BTreeMap<String, String>>,
    bearer: Option<String>,
}

impl std::fmt::Debug for RestAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestAuth")
            .field("basic_users", &self.basic.as_ref().map(BTreeMap::len))
            .field("bearer", &self.bearer.is_some())
            .finish()
    }
}

/// The JAAS file path from `KAFKA_OPTS` (`-Djava.security.auth.login.config=<path>`).
fn jaas_from_kafka_opts(kafka_opts: &str) -> Option<String> {
    kafka_opts
        .split_whitespace()
        .find_map(|opt| opt.strip_prefix("-Djava.security.auth.login.config="))
        .map(|p| p.trim_matches('"').to_string())
}

impl RestAuth {
    /// The REST authentication a (resolved) worker config asks for; `None` when it asks for none.
    /// `kafka_opts` is the `KAFKA_OPTS` environment variable.
    pub fn from_worker(
        props: &Props,
        extensions: &[String],
        kafka_opts: Option<&str>,
    ) -> Result<Option<RestAuth>, RestAuthError> {
        let mut auth = RestAuth::default();
        if extensions.iter().any(|e| e == BASIC_AUTH_EXTENSION) {
            let jaas_path = props
                .get(JAAS_FILE_CONFIG)
                .filter(|p| !p.trim().is_empty())
                .cloned()
                .or_else(|| kafka_opts.and_then(jaas_from_kafka_opts))
                .ok_or(RestAuthError::NoJaasFile)?;
            auth.basic = Some(load_basic_credentials(Path::new(&jaas_path))?);
        }
        if let Some(token) = props.get(BEARER_TOKEN_CONFIG) {
            let token = token.trim();
            if token.is_empty() {
                return Err(RestAuthError::EmptyToken);
            }
            auth.bearer = Some(token.to_string());
        }
        Ok((auth.basic.is_some() || auth.bearer.is_some()).then_some(auth))
    }

    /// Whether an `Authorization` header value carries accepted credentials.
    pub fn accepts(&self, authorization: Option<&str>) -> bool {
        let Some(value) = authorization else {
            return false;
        };
        let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value, ""));
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let Some(users) = &self.basic else {
                return false;
            };
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(rest) else {
                return false;
            };
            let Ok(decoded) = String::from_utf8(decoded) else {
                return false;
            };
            let Some((user, password)) = decoded.split_once(':') else {
                return false;
            };
            users
                .get(user)
                .is_some_and(|expected| constant_time_eq(expected.as_bytes(), password.as_bytes()))
        } else if scheme.eq_ignore_ascii_case("bearer") {
            self.bearer
                .as_ref()
                .is_some_and(|t| constant_time_eq(t.as_bytes(), rest.as_bytes()))
        } else {
            false
        }
    }

    fn challenge(&self) -> &'static str {
        if self.basic.is_some() {
            "Basic realm=\"Kafka Connect\""
        } else {
            "Bearer"
        }
    }
}

/// The JAAS file's `KafkaConnect` → `PropertyFileLoginModule` → `file` → `user: password` lines.
fn load_basic_credentials(jaas_path: &Path) -> Result<BTreeMap<String, String>, RestAuthError> {
    let shown = jaas_path.display().to_string();
    let text = std::fs::read_to_string(jaas_path).map_err(|e| RestAuthError::Jaas {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let entries = jaas::parse_file(&text).map_err(|e| RestAuthError::Jaas {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let file = entries
        .get(JAAS_ENTRY)
        .and_then(|modules| {
            modules
                .iter()
                .find(|m| m.class == PROPERTY_FILE_LOGIN_MODULE)
        })
        .and_then(|m| m.options.get("file"))
        .ok_or(RestAuthError::NoLoginModule { path: shown })?;
    let users = load_properties_file(Path::new(file)).map_err(|e| RestAuthError::Credentials {
        path: file.clone(),
        reason: e.to_string(),
    })?;
    Ok(users)
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    diff == 0
}

/// Puts `auth` in front of every route of `router`.
pub fn protect(router: Router, auth: Arc<RestAuth>) -> Router {
    router.layer(middleware::from_fn_with_state(auth, check))
}

async fn check(State(auth): State<Arc<RestAuth>>, request: Request, next: Next) -> Response {
    if request.method() == Method::GET && request.uri().path() == "/health" {
        return next.run(request).await;
    }
    let header_value = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth.accepts(header_value) {
        return next.run(request).await;
    }
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, UNAUTHORIZED_MESSAGE).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(auth.challenge()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, pw: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"))
        )
    }

    fn setup(dir: &Path) -> String {
        let creds = dir.join("credentials.properties");
        std::fs::write(&creds, "admin: admin-secret\nreader=read:only\n").unwrap();
        let jaas = dir.join("connect.jaas");
        std::fs::write(
            &jaas,
            format!(
                "KafkaConnect {{\n  {PROPERTY_FILE_LOGIN_MODULE} required\n  file=\"{}\";\n}};\n",
                creds.display()
            ),
        )
        .unwrap();
        jaas.display().to_string()
    }

    #[test]
    fn basic_auth_from_kafkas_jaas_and_credentials_files() {
        let dir = tempfile::tempdir().unwrap();
        let jaas = setup(dir.path());
        let props: Props = [(JAAS_FILE_CONFIG.to_string(), jaas)].into();
        let auth = RestAuth::from_worker(&props, &[BASIC_AUTH_EXTENSION.to_string()], None)
            .unwrap()
            .unwrap();
        assert!(auth.accepts(Some(&basic("admin", "admin-secret"))));
        assert!(
            auth.accepts(Some(&basic("reader", "read:only"))),
            "a password may hold ':'"
        );
        assert!(!auth.accepts(Some(&basic("admin", "admin-secre"))));
        assert!(!auth.accepts(Some(&basic("nobody", "admin-secret"))));
        assert!(!auth.accepts(Some("Bearer admin-secret")));
        assert!(!auth.accepts(Some("Basic !!!")));
        assert!(!auth.accepts(None));
        assert!(!format!("{auth:?}").contains("secret"));
    }

    #[test]
    fn the_jaas_file_may_come_from_kafka_opts() {
        let dir = tempfile::tempdir().unwrap();
        let jaas = setup(dir.path());
        let opts = format!("-Xmx1g -Djava.security.auth.login.config={jaas}");
        let auth = RestAuth::from_worker(
            &Props::new(),
            &[BASIC_AUTH_EXTENSION.to_string()],
            Some(&opts),
        )
        .unwrap();
        assert!(auth.is_some());
        let err = RestAuth::from_worker(&Props::new(), &[BASIC_AUTH_EXTENSION.to_string()], None)
            .unwrap_err();
        assert_eq!(err, RestAuthError::NoJaasFile);
    }

    #[test]
    fn bearer_token_and_off_by_default() {
        assert!(RestAuth::from_worker(&Props::new(), &[], None)
            .unwrap()
            .is_none());
        let props: Props = [(BEARER_TOKEN_CONFIG.to_string(), "t0ken".to_string())].into();
        let auth = RestAuth::from_worker(&props, &[], None).unwrap().unwrap();
        assert!(auth.accepts(Some("Bearer t0ken")));
        assert!(auth.accepts(Some("bearer  t0ken ")));
        assert!(!auth.accepts(Some("Bearer t0ke")));
        assert!(!auth.accepts(Some(&basic("x", "t0ken"))));
        let empty: Props = [(BEARER_TOKEN_CONFIG.to_string(), " ".to_string())].into();
        assert_eq!(
            RestAuth::from_worker(&empty, &[], None).unwrap_err(),
            RestAuthError::EmptyToken
        );
    }

    #[test]
    fn a_jaas_file_without_the_module_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let jaas = dir.path().join("x.jaas");
        std::fs::write(&jaas, "Other { a.B required; };").unwrap();
        let props: Props = [(JAAS_FILE_CONFIG.to_string(), jaas.display().to_string())].into();
        let err =
            RestAuth::from_worker(&props, &[BASIC_AUTH_EXTENSION.to_string()], None).unwrap_err();
        assert!(err.to_string().contains("KafkaConnect"), "{err}");
    }

    #[tokio::test]
    async fn unauthenticated_requests_get_kafkas_401_body() {
        use tower::ServiceExt;
        let props: Props = [(BEARER_TOKEN_CONFIG.to_string(), "t0ken".to_string())].into();
        let auth = Arc::new(RestAuth::from_worker(&props, &[], None).unwrap().unwrap());
        let router = protect(
            Router::new()
                .route("/", axum::routing::get(|| async { "ok" }))
                .route("/health", axum::routing::get(|| async { "healthy" })),
            auth,
        );
        let get = |path: &str, token: Option<&str>| {
            let mut b = axum::http::Request::builder().uri(path);
            if let Some(t) = token {
                b = b.header(header::AUTHORIZATION, t);
            }
            b.body(axum::body::Body::empty()).unwrap()
        };
        let response = router.clone().oneshot(get("/", None)).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error_code": 401, "message": UNAUTHORIZED_MESSAGE})
        );
        let response = router
            .clone()
            .oneshot(get("/", Some("Bearer t0ken")))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let response = router.oneshot(get("/health", None)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}
