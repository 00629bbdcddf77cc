//! The JSON shapes of config definitions and validation results (`ConfigInfos`, `ConfigKeyInfo`,
//! `ConfigValueInfo`), as `/connector-plugins/{p}/config` and `.../config/validate` return them.

use serde::{Deserialize, Serialize};

/// `ConfigKeyInfo`: a key's definition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConfigKeyInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub config_type: String,
    pub required: bool,
    pub default_value: Option<String>,
    pub importance: String,
    pub documentation: String,
    pub group: Option<String>,
    pub order: i32,
    pub width: String,
    pub display_name: String,
    pub dependents: Vec<String>,
}

/// `ConfigValueInfo`: a key's value and its validation errors.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConfigValueInfo {
    pub name: String,
    pub value: Option<String>,
    pub recommended_values: Vec<String>,
    pub errors: Vec<String>,
    pub visible: bool,
}

/// One entry of `ConfigInfos.configs`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConfigInfo {
    pub definition: Option<ConfigKeyInfo>,
    pub value: Option<ConfigValueInfo>,
}

/// `ConfigInfos`: the answer of `PUT /connector-plugins/{p}/config/validate`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConfigInfos {
    pub name: String,
    pub error_count: usize,
    pub groups: Vec<String>,
    pub configs: Vec<ConfigInfo>,
}
