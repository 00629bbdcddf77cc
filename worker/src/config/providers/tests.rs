use std::collections::BTreeMap;

use super::*;

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Providers file, dir and env as a worker would declare them with Kafka's class names.
fn kafka_providers(extra: &[(&str, &str)]) -> ConfigProviders {
    let mut p = props(&[
        ("config.providers", "file, dir,env"),
        ("config.providers.file.class", FILE_CLASS),
        ("config.providers.dir.class", DIR_CLASS),
        ("config.providers.env.class", ENV_CLASS),
    ]);
    p.extend(props(extra));
    ConfigProviders::from_worker_props(&p).unwrap()
}

#[tokio::test]
async fn every_form_resolves() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("secrets.properties");
    std::fs::write(&file, "db.password=file-secret\nuser = alice\n").unwrap();
    let dir = tmp.path().join("mounted");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("token"), "dir-secret").unwrap();
    std::env::set_var("FERRY_PROVIDER_TEST_VAR", "env-secret");
    let providers = kafka_providers(&[]);
    let config = props(&[
        ("a", &format!("${{file:{}:db.password}}", file.display())),
        (
            "b",
            &format!(
                "user ${{file:{}:user}} token ${{dir:{}:token}}",
                file.display(),
                dir.display()
            ),
        ),
        ("c", "${env:FERRY_PROVIDER_TEST_VAR}"),
        ("d", "${unknown:x} and $ plain"),
    ]);
    let out = providers.resolve(&config).await.unwrap();
    assert_eq!(out["a"], "file-secret");
    assert_eq!(out["b"], "user alice token dir-secret");
    assert_eq!(out["c"], "env-secret");
    assert_eq!(out["d"], "${unknown:x} and $ plain");
}

#[tokio::test]
async fn missing_values_name_the_placeholder_not_a_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("secrets.properties");
    std::fs::write(&file, "other=do-not-show\n").unwrap();
    let providers = kafka_providers(&[]);
    let cases = [
        format!("${{file:{}:password}}", file.display()),
        format!(
            "${{file:{}/nope.properties:password}}",
            tmp.path().display()
        ),
        format!("${{dir:{}:nofile}}", tmp.path().display()),
        "${env:FERRY_SURELY_UNSET_VARIABLE}".to_string(),
        "${env:/some/path:VAR}".to_string(),
    ];
    for placeholder in cases {
        let err = providers
            .resolve(&props(&[("secret.key", &placeholder)]))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(&placeholder), "{err}");
        assert!(err.contains("'secret.key'"), "{err}");
        assert!(!err.contains("do-not-show"), "{err}");
    }
}

#[tokio::test]
async fn allowed_paths_and_allowlist_pattern_restrict_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let inside = tmp.path().join("ok");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(inside.join("s.properties"), "k=v\n").unwrap();
    std::fs::write(tmp.path().join("outside.properties"), "k=v\n").unwrap();
    std::env::set_var("FERRY_ALLOWED_X", "yes");
    std::env::set_var("FERRY_DENIED_X", "no");
    let providers = kafka_providers(&[
        (
            "config.providers.file.param.allowed.paths",
            &inside.display().to_string(),
        ),
        (
            "config.providers.env.param.allowlist.pattern",
            "FERRY_ALLOWED_.*",
        ),
    ]);
    let ok = format!("${{file:{}/s.properties:k}}", inside.display());
    assert_eq!(
        providers.resolve(&props(&[("x", &ok)])).await.unwrap()["x"],
        "v"
    );
    let escape = format!("${{file:{}/../outside.properties:k}}", inside.display());
    let err = providers
        .resolve(&props(&[("x", &escape)]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("allowed.paths"), "{err}");
    let env = props(&[("x", "${env:FERRY_ALLOWED_X}")]);
    assert_eq!(providers.resolve(&env).await.unwrap()["x"], "yes");
    let denied = props(&[("x", "${env:FERRY_DENIED_X}")]);
    assert!(providers.resolve(&denied).await.is_err());
}

#[test]
fn provider_declarations_are_checked() {
    let err = ConfigProviders::from_worker_props(&props(&[("config.providers", "file")]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("config.providers.file.class"), "{err}");
    let err = ConfigProviders::from_worker_props(&props(&[
        ("config.providers", "vault"),
        (
            "config.providers.vault.class",
            "com.example.VaultConfigProvider",
        ),
    ]))
    .unwrap_err()
    .to_string();
    assert!(err.contains("config.providers.vault.class"), "{err}");
    let err = ConfigProviders::from_worker_props(&props(&[
        ("config.providers", "file"),
        ("config.providers.file.class", "FileConfigProvider"),
        ("config.providers.file.param.allowed.paths", "relative/dir"),
    ]))
    .unwrap_err()
    .to_string();
    assert!(err.contains("allowed.paths"), "{err}");
    assert!(ConfigProviders::from_worker_props(&Props::new())
        .unwrap()
        .is_empty());
}

#[test]
fn task_configs_get_their_placeholders_back() {
    let providers = kafka_providers(&[]);
    let raw = props(&[
        ("file", "/data/in.txt"),
        ("password", "${env:PW}"),
        ("other", "${vault:x}"),
    ]);
    let task = props(&[
        ("file", "/data/in.txt"),
        ("password", "resolved-secret"),
        ("other", "${vault:x}"),
        ("task.class", "T"),
    ]);
    let shown = providers.unresolve(&task, &raw);
    let expected: BTreeMap<String, String> = props(&[
        ("file", "/data/in.txt"),
        ("password", "${env:PW}"),
        ("other", "${vault:x}"),
        ("task.class", "T"),
    ]);
    assert_eq!(shown, expected);
}

/// A provider that is not built from worker properties plugs in through the trait.
#[tokio::test]
async fn custom_providers_plug_in() {
    struct Fixed;
    #[async_trait]
    impl ConfigProvider for Fixed {
        async fn get(
            &self,
            path: Option<&str>,
            keys: &BTreeSet<String>,
        ) -> Result<BTreeMap<String, String>, ProviderError> {
            Ok(keys
                .iter()
                .map(|k| (k.clone(), format!("{}/{k}", path.unwrap_or("-"))))
                .collect())
        }
    }
    let providers = ConfigProviders::none().with("secrets", Arc::new(Fixed));
    let out = providers
        .resolve(&props(&[("x", "${secrets:ns/name:key}")]))
        .await
        .unwrap();
    assert_eq!(out["x"], "ns/name/key");
}
