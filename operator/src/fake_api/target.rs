//! What a request addresses: the resource, the namespace, the object and the subresource, parsed
//! from the URL path the way the API server routes it; and the query parameters the watch layer
//! reads.

use std::collections::BTreeMap;

/// The resource and object a request path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// API group, empty for the core group (`/api/v1`).
    pub group: String,
    pub version: String,
    /// Plural resource name, e.g. `deployments`.
    pub plural: String,
    /// `None` for a request across all namespaces.
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// e.g. `status`.
    pub subresource: Option<String>,
}

impl Target {
    /// Parses `/api/{v}/...` and `/apis/{group}/{v}/...`; `None` for anything else (discovery, ...).
    pub fn parse(path: &str) -> Option<Target> {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let (group, version, rest) = match parts.as_slice() {
            ["api", version, rest @ ..] => ("", *version, rest),
            ["apis", group, version, rest @ ..] => (*group, *version, rest),
            _ => return None,
        };
        // `namespaces/{ns}/{plural}...` is namespaced; a bare `namespaces[/{name}]` is the
        // Namespace resource itself.
        let (namespace, rest) = match rest {
            ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some((*ns).to_owned()), rest),
            _ => (None, rest),
        };
        let (plural, name, subresource) = match rest {
            [plural] => (*plural, None, None),
            [plural, name] => (*plural, Some(*name), None),
            [plural, name, sub] => (*plural, Some(*name), Some(*sub)),
            _ => return None,
        };
        Some(Target {
            group: group.to_owned(),
            version: version.to_owned(),
            plural: plural.to_owned(),
            namespace,
            name: name.map(str::to_owned),
            subresource: subresource.map(str::to_owned),
        })
    }

    pub fn is_status(&self) -> bool {
        self.subresource.as_deref() == Some("status")
    }
}

/// Decoded query parameters (last value wins, as the API server does for these).
pub fn query_params(query: Option<&str>) -> BTreeMap<String, String> {
    query
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// The query without the parameters in `drop`, re-encoded.
pub fn query_without(query: Option<&str>, drop: &[&str]) -> String {
    let pairs = query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| !drop.contains(&k.as_str())) {
        out.append_pair(k, v);
    }
    out.finish()
}

/// Whether a GET is a watch (`?watch=true` or `?watch=1`).
pub fn is_watch(params: &BTreeMap<String, String>) -> bool {
    matches!(
        params.get("watch").map(String::as_str),
        Some("true") | Some("1")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_core_grouped_namespaced_and_cluster_wide_paths() {
        let t = Target::parse("/api/v1/namespaces/ns/configmaps/cm").expect("parses");
        assert_eq!(
            (t.group.as_str(), t.plural.as_str(), t.namespace.as_deref()),
            ("", "configmaps", Some("ns"))
        );
        assert_eq!(t.name.as_deref(), Some("cm"));
        let t = Target::parse("/apis/ferry.dev/v1beta1/namespaces/ns/kafkaconnects/a/status")
            .expect("parses");
        assert_eq!(t.group, "ferry.dev");
        assert!(t.is_status());
        let t = Target::parse("/apis/apps/v1/deployments").expect("parses");
        assert_eq!((t.namespace, t.name), (None, None));
        let t = Target::parse("/api/v1/namespaces/ns").expect("parses");
        assert_eq!(
            (t.plural.as_str(), t.name.as_deref()),
            ("namespaces", Some("ns"))
        );
        assert_eq!(Target::parse("/version"), None);
    }

    #[test]
    fn queries_decode_and_re_encode() {
        let q = Some("watch=true&labelSelector=app%3Dx%2Cb%21%3Dc&limit=500");
        let p = query_params(q);
        assert!(is_watch(&p));
        assert_eq!(p["labelSelector"], "app=x,b!=c");
        let rest = query_without(q, &["limit", "watch"]);
        assert_eq!(query_params(Some(&rest)).len(), 1);
        assert_eq!(query_params(Some(&rest))["labelSelector"], "app=x,b!=c");
    }
}
