//! `call TOOL KEY=VALUE ...`: turn command-line pairs into JSON arguments typed by the tool's
//! input schema (integers, numbers, booleans, arrays as comma lists or JSON).

use serde_json::{Map, Value};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ArgError {
    #[error("{0:?} is not KEY=VALUE")]
    NotAPair(String),
    #[error("{key}: {value:?} is not {expected}")]
    BadValue {
        key: String,
        value: String,
        expected: &'static str,
    },
    #[error("--args must be a JSON object: {0}")]
    BadJson(String),
    #[error("{tool} takes no parameter {key:?}; its parameters are: {}", if known.is_empty() { "(none)".to_string() } else { known.join(", ") })]
    UnknownKey {
        tool: String,
        key: String,
        known: Vec<String>,
    },
}

/// Refuse keys the tool's schema does not allow (`additionalProperties: false`), naming the
/// ones it does: a typo is a usage error before anything is sent.
pub fn check_keys(
    tool: &str,
    schema: &Map<String, Value>,
    args: &Map<String, Value>,
) -> Result<(), ArgError> {
    if schema.get("additionalProperties") != Some(&Value::Bool(false)) {
        return Ok(());
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let known = |k: &str| properties.is_some_and(|p| p.contains_key(k));
    match args.keys().find(|k| !known(k)) {
        None => Ok(()),
        Some(key) => Err(ArgError::UnknownKey {
            tool: tool.to_string(),
            key: key.clone(),
            known: properties
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default(),
        }),
    }
}

/// Merge `--args JSON` (first) and `KEY=VALUE` pairs (override) into one argument object.
pub fn build(
    schema: &Map<String, Value>,
    pairs: &[String],
    json: Option<&str>,
) -> Result<Map<String, Value>, ArgError> {
    let mut args = match json {
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(ArgError::BadJson("it is not an object".into())),
            Err(e) => return Err(ArgError::BadJson(e.to_string())),
        },
        None => Map::new(),
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else {
            return Err(ArgError::NotAPair(pair.clone()));
        };
        let property = properties.and_then(|p| p.get(key));
        args.insert(key.to_string(), typed(key, raw, property)?);
    }
    Ok(args)
}

/// The JSON types a property accepts (`type` may be a string or a list; `anyOf`/`oneOf` add theirs).
fn types_of(property: &Value) -> Vec<&str> {
    let mut types = match property.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(alts)) = property.get(key) {
            for alt in alts {
                types.extend(types_of(alt));
            }
        }
    }
    types
}

fn typed(key: &str, raw: &str, property: Option<&Value>) -> Result<Value, ArgError> {
    let Some(property) = property else {
        // Unknown to the schema: JSON if it parses as a scalar/array/object, else a string.
        return Ok(serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string())));
    };
    let types = types_of(property);
    let bad = |expected| ArgError::BadValue {
        key: key.to_string(),
        value: raw.to_string(),
        expected,
    };
    // Try the most specific reading each allowed type offers, in a fixed order.
    if types.contains(&"array") {
        if raw.trim_start().starts_with('[') {
            return serde_json::from_str(raw).map_err(|_| bad("a JSON array"));
        }
        if !types.contains(&"string") {
            let item_types = property.get("items").map(types_of).unwrap_or_default();
            let items: Result<Vec<Value>, _> = raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    if item_types.contains(&"integer") {
                        s.parse::<i64>()
                            .map(Value::from)
                            .map_err(|_| bad("a list of integers"))
                    } else if item_types.contains(&"number") {
                        s.parse::<f64>()
                            .map(Value::from)
                            .map_err(|_| bad("a list of numbers"))
                    } else {
                        Ok(Value::String(s.to_string()))
                    }
                })
                .collect();
            return items.map(Value::Array);
        }
    }
    if types.contains(&"integer") {
        if let Ok(n) = raw.parse::<i64>() {
            return Ok(Value::from(n));
        }
        if types.len() == 1 {
            return Err(bad("an integer"));
        }
    }
    if types.contains(&"number") {
        if let Ok(n) = raw.parse::<f64>() {
            return Ok(Value::from(n));
        }
        if types.len() == 1 {
            return Err(bad("a number"));
        }
    }
    if types.contains(&"boolean") {
        match raw {
            "true" | "yes" | "1" => return Ok(Value::Bool(true)),
            "false" | "no" | "0" => return Ok(Value::Bool(false)),
            _ if types.len() == 1 => return Err(bad("true or false")),
            _ => {}
        }
    }
    if types.contains(&"object") && raw.trim_start().starts_with('{') {
        return serde_json::from_str(raw).map_err(|_| bad("a JSON object"));
    }
    Ok(Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Map<String, Value> {
        json!({
            "type": "object",
            "properties": {
                "search": {"type": "string"},
                "limit": {"type": "integer", "minimum": 1},
                "ratio": {"type": "number"},
                "completed": {"type": "boolean"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "nums": {"type": "array", "items": {"type": "integer"}},
                "id": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
            }
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    fn pairs(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn values_are_typed_by_the_schema() {
        let args = build(
            &schema(),
            &pairs(&[
                "search=road map",
                "limit=5",
                "ratio=0.5",
                "completed=false",
                "tags=a, b,c",
                "nums=1,2",
                "id=abc",
                "other=7",
                "eq=a=b",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(
            Value::Object(args),
            json!({
                "search": "road map", "limit": 5, "ratio": 0.5, "completed": false,
                "tags": ["a", "b", "c"], "nums": [1, 2], "id": "abc", "other": 7, "eq": "a=b"
            })
        );
    }

    #[test]
    fn json_arrays_and_args_merge() {
        let args = build(
            &schema(),
            &pairs(&["id=[\"x\",\"y\"]", "limit=2"]),
            Some(r#"{"limit": 10, "search": "q"}"#),
        )
        .unwrap();
        assert_eq!(
            Value::Object(args),
            json!({"limit": 2, "search": "q", "id": ["x", "y"]})
        );
    }

    #[test]
    fn unknown_keys_are_refused_only_when_the_schema_says_so() {
        let args = build(&schema(), &pairs(&["serach=x"]), None).unwrap();
        assert_eq!(check_keys("t", &schema(), &args), Ok(()));
        let mut closed = schema();
        closed.insert("additionalProperties".into(), Value::Bool(false));
        assert_eq!(
            check_keys("t", &closed, &args).unwrap_err().to_string(),
            "t takes no parameter \"serach\"; its parameters are: search, limit, ratio, completed, tags, nums, id"
        );
    }

    #[test]
    fn bad_values_are_sentences() {
        let err = build(&schema(), &pairs(&["limit=ten"]), None).unwrap_err();
        assert_eq!(err.to_string(), "limit: \"ten\" is not an integer");
        assert_eq!(
            build(&schema(), &pairs(&["limit"]), None).unwrap_err(),
            ArgError::NotAPair("limit".into())
        );
        assert!(matches!(
            build(&schema(), &[], Some("[1]")),
            Err(ArgError::BadJson(_))
        ));
        assert_eq!(
            build(&schema(), &pairs(&["completed=maybe"]), None)
                .unwrap_err()
                .to_string(),
            "completed: \"maybe\" is not true or false"
        );
    }
}
