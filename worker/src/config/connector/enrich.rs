//! Kafka's `ConnectorConfig.enrich`: adds `transforms.<a>.*` and `predicates.<p>.*` keys to a
//! connector def, from the aliases listed in the config.

use std::collections::BTreeSet;

use super::defs::{PREDICATES_CONFIG, PREDICATES_GROUP, TRANSFORMS_CONFIG, TRANSFORMS_GROUP};
use super::resolver::PluginResolver;
use crate::config::def::{
    parse_type, ConfigDef, ConfigKey, ConfigType, DefaultValue, Importance, TypedValue, Validator,
    Width,
};
use crate::config::ConfigError;

pub const PREDICATE_CONFIG: &str = "predicate";
pub const NEGATE_CONFIG: &str = "negate";

/// Which of the two alias families is being enriched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AliasKind {
    Transformation,
    Predicate,
}

impl AliasKind {
    pub(crate) fn list_key(self) -> &'static str {
        match self {
            AliasKind::Transformation => TRANSFORMS_CONFIG,
            AliasKind::Predicate => PREDICATES_CONFIG,
        }
    }

    fn group(self) -> &'static str {
        match self {
            AliasKind::Transformation => TRANSFORMS_GROUP,
            AliasKind::Predicate => PREDICATES_GROUP,
        }
    }

    fn word(self) -> &'static str {
        match self {
            AliasKind::Transformation => "transformation",
            AliasKind::Predicate => "predicate",
        }
    }

    fn simple_class_name(self) -> &'static str {
        match self {
            AliasKind::Transformation => "Transformation",
            AliasKind::Predicate => "Predicate",
        }
    }

    pub(crate) fn exists(self, resolver: &dyn PluginResolver, class: &str) -> bool {
        match self {
            AliasKind::Transformation => resolver.transform_exists(class),
            AliasKind::Predicate => resolver.predicate_exists(class),
        }
    }

    fn config_def(self, resolver: &dyn PluginResolver, class: &str) -> ConfigDef {
        match self {
            AliasKind::Transformation => resolver.transform_config_def(class),
            AliasKind::Predicate => resolver.predicate_config_def(class),
        }
        .unwrap_or_default()
    }

    fn classes(self, resolver: &dyn PluginResolver) -> Vec<String> {
        match self {
            AliasKind::Transformation => resolver.transform_classes(),
            AliasKind::Predicate => resolver.predicate_classes(),
        }
    }
}

/// Unique aliases in order, as Kafka's `LinkedHashSet` over the parsed list.
pub(crate) fn aliases(props_value: Option<&str>, list_key: &str) -> Vec<String> {
    let Some(raw) = props_value else {
        return Vec::new();
    };
    let Ok(TypedValue::List(items)) = parse_type(list_key, raw, ConfigType::List) else {
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    items
        .into_iter()
        .filter(|a| seen.insert(a.clone()))
        .collect()
}

/// Why a `transforms.<a>.type` / `predicates.<p>.type` value names no plugin of its kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TypeProblem {
    /// No class of that name: `Class <c> could not be found.`, and validation echoes null.
    NotFound,
    /// A class Kafka would load but cannot use here: an abstract transformation such as
    /// `ExtractField` (whose `$Key` / `$Value` are the plugins), or a plugin of another kind.
    /// Kafka's `Utils.ensureConcreteSubclass` (3.7 and later) throws a ConfigException with only
    /// `reason` as its message. Validation echoes the class name.
    Unusable { class: String, reason: String },
}

impl TypeProblem {
    /// What is wrong with `name` as a class of `kind`, or `None` when it names one.
    pub(crate) fn of(kind: AliasKind, resolver: &dyn PluginResolver, name: &str) -> Option<Self> {
        if kind.exists(resolver, name) {
            return None;
        }
        // Kafka gives abstract classes no alias, so only the full name reaches them.
        let nested_prefix = format!("{name}$");
        let children: Vec<String> = resolver
            .transform_classes()
            .into_iter()
            .filter(|c| c.starts_with(&nested_prefix))
            .collect();
        // An abstract parent is itself no plugin: it is named as written.
        let class = match (resolver.plugin_class(name), children.is_empty()) {
            (Some(class), _) => class,
            (None, false) => name.to_string(),
            (None, true) => return Some(TypeProblem::NotFound),
        };
        // The subclass check comes first: an abstract transformation named as a predicate does
        // not implement Predicate.
        let reason = if !children.is_empty() && kind == AliasKind::Transformation {
            format!(
                "This class is abstract and cannot be created. Did you mean {}?",
                children.join(", ")
            )
        } else {
            // `"Class " + klass`: a Class prints as `class <name>`.
            format!(
                "Class class {class} does not implement the {} interface",
                kind.simple_class_name()
            )
        };
        Some(TypeProblem::Unusable { class, reason })
    }

    /// The ConfigException on `key` for the value `raw`.
    pub(crate) fn error(&self, key: &str, raw: &str) -> ConfigError {
        match self {
            TypeProblem::NotFound => class_not_found(key, raw),
            TypeProblem::Unusable { reason, .. } => ConfigError::Other(reason.clone()),
        }
    }

    /// The value validation reports for the key: the class, when Kafka could load one.
    pub(crate) fn echoed_value(&self) -> Option<String> {
        match self {
            TypeProblem::NotFound => None,
            TypeProblem::Unusable { class, .. } => Some(class.clone()),
        }
    }
}

/// `Not a Transformation` / `Not a Predicate` for a type key left unset, as Kafka's runtime parse
/// reports it (`getConfigDefFromConfigProvidingClass` with no class).
fn missing_type(kind: AliasKind, key: &str) -> ConfigError {
    ConfigError::Invalid {
        name: key.to_string(),
        value: "null".to_string(),
        reason: format!("Not a {}", kind.simple_class_name()),
    }
}

/// `Class <c> could not be found.` as a ConfigException on `key`.
pub(crate) fn class_not_found(key: &str, class: &str) -> ConfigError {
    ConfigError::Invalid {
        name: key.to_string(),
        value: class.to_string(),
        reason: format!("Class {class} could not be found."),
    }
}

/// The §4.1 rule: `negate` without `predicate`.
pub(crate) fn negate_without_predicate(prefix: &str) -> ConfigError {
    ConfigError::Other(format!(
        "Config '{prefix}{NEGATE_CONFIG}' was provided but there is no config '{prefix}{PREDICATE_CONFIG}' defining a predicate to be negated."
    ))
}

/// The keys a transformation always has (they mask the transform's own keys of the same names).
fn implicit_transform_keys() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(
                PREDICATE_CONFIG,
                ConfigType::String,
                Importance::Medium,
                "Alias of the predicate deciding whether this transformation applies.",
            )
            .default(DefaultValue::Null),
        )
        .define(
            ConfigKey::new(
                NEGATE_CONFIG,
                ConfigType::Boolean,
                Importance::Medium,
                "Whether the predicate's result is inverted.",
            )
            .default_value("false"),
        )
}

/// Adds the keys of one alias family. `type_value` gives a key's value as written (untrimmed).
/// `present` tells whether a key is set (even to null), for
/// the negate/predicate rule. With `require_full`, a type that is missing or unknown is an error
/// (runtime); otherwise its keys are just left out (validation reports the type key's errors).
pub(crate) fn enrich_kind(
    mut def: ConfigDef,
    kind: AliasKind,
    list_value: Option<&str>,
    type_value: &dyn Fn(&str) -> Option<String>,
    present: &dyn Fn(&str) -> bool,
    resolver: &dyn PluginResolver,
    require_full: bool,
) -> Result<ConfigDef, ConfigError> {
    let recommended = kind.classes(resolver);
    for alias in aliases(list_value, kind.list_key()) {
        let prefix = format!("{}.{alias}.", kind.list_key());
        let group = format!("{}: {alias}", kind.group());
        let type_key = format!("{prefix}type");

        let negate_set = present(&format!("{prefix}{NEGATE_CONFIG}"));
        let predicate_set = present(&format!("{prefix}{PREDICATE_CONFIG}"));
        let negate_error = (kind == AliasKind::Transformation && negate_set && !predicate_set)
            .then(|| negate_without_predicate(&prefix));
        let validator = Validator::custom(move |_, _| match &negate_error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        });
        def = def.define(
            ConfigKey::new(
                type_key.clone(),
                ConfigType::Class,
                Importance::High,
                format!("Class for the '{alias}' {}.", kind.word()),
            )
            .validator(validator)
            .group(group.clone())
            .order(0)
            .width(Width::Long)
            .display_name(format!("{} type for {alias}", kind.simple_class_name()))
            .recommended_values(recommended.clone()),
        );

        let raw = type_value(&type_key);
        let class = match raw.as_deref().map(crate::config::def::java_trim) {
            Some(c) if kind.exists(resolver, c) => c.to_string(),
            Some(c) if require_full => {
                let problem = TypeProblem::of(kind, resolver, c).unwrap_or(TypeProblem::NotFound);
                // Kafka quotes the value as written, before its trim.
                return Err(problem.error(&type_key, raw.as_deref().unwrap_or(c)));
            }
            None if require_full => return Err(missing_type(kind, &type_key)),
            _ => continue,
        };
        let mut child = match kind {
            AliasKind::Transformation => implicit_transform_keys(),
            AliasKind::Predicate => ConfigDef::new(),
        };
        for key in kind.config_def(resolver, &class).keys() {
            let masked = kind == AliasKind::Transformation
                && (key.name == PREDICATE_CONFIG || key.name == NEGATE_CONFIG);
            if !masked {
                child = child.define(key.clone());
            }
        }
        def = def.embed(&prefix, &group, 1, &child);
    }
    Ok(def)
}

/// Enriches `base` with both alias families, reading a plain property map.
pub fn enrich(
    base: ConfigDef,
    props: &crate::config::Props,
    resolver: &dyn PluginResolver,
    require_full: bool,
) -> Result<ConfigDef, ConfigError> {
    let type_value = |k: &str| props.get(k).cloned();
    let present = |k: &str| props.contains_key(k);
    let def = enrich_kind(
        base,
        AliasKind::Transformation,
        props.get(TRANSFORMS_CONFIG).map(String::as_str),
        &type_value,
        &present,
        resolver,
        require_full,
    )?;
    enrich_kind(
        def,
        AliasKind::Predicate,
        props.get(PREDICATES_CONFIG).map(String::as_str),
        &type_value,
        &present,
        resolver,
        require_full,
    )
}
