//! What a tool form makes of a JSON Schema (draft-07): input kinds, type hints, and a validator.

use regex::Regex;
use serde_json::{Map, Value};

use crate::sanitize::clean_line;

/// How a property is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    Integer,
    Number,
    /// `true` / `false` / not set.
    Toggle,
    /// One of fixed values (`enum` or `const`).
    Choice(Vec<Value>),
    /// An array, typed as JSON; `comma` when its items are scalars, so `a, b` also works.
    List {
        comma: bool,
    },
    /// Anything else (`anyOf`, `oneOf`, objects, no type, `$ref`) as JSON text; `string_fallback`
    /// when a plain string is one of the accepted forms, so text that is not JSON is taken as one.
    Json {
        string_fallback: bool,
    },
}

/// The one non-null type a schema names, if it names exactly one.
pub fn single_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => {
            let mut named = types
                .iter()
                .filter_map(Value::as_str)
                .filter(|t| *t != "null");
            let first = named.next()?;
            named.next().is_none().then_some(first)
        }
        _ => None,
    }
}

fn accepts_string(schema: &Value) -> bool {
    if single_type(schema) == Some("string") {
        return true;
    }
    ["anyOf", "oneOf"].iter().any(|k| {
        schema
            .get(k)
            .and_then(Value::as_array)
            .is_some_and(|alts| alts.iter().any(accepts_string))
    })
}

fn is_scalar_type(t: Option<&str>) -> bool {
    matches!(t, Some("string" | "integer" | "number" | "boolean"))
}

pub fn kind_of(schema: &Value) -> FieldKind {
    if let Some(values) = schema
        .get("enum")
        .and_then(Value::as_array)
        .filter(|v| !v.is_empty())
    {
        return FieldKind::Choice(values.clone());
    }
    if let Some(value) = schema.get("const") {
        return FieldKind::Choice(vec![value.clone()]);
    }
    let combined = ["anyOf", "oneOf", "allOf", "$ref"]
        .iter()
        .any(|k| schema.get(k).is_some());
    match single_type(schema) {
        _ if combined => FieldKind::Json {
            string_fallback: accepts_string(schema),
        },
        Some("string") => FieldKind::Text,
        Some("integer") => FieldKind::Integer,
        Some("number") => FieldKind::Number,
        Some("boolean") => FieldKind::Toggle,
        Some("array") => {
            // Scalar items, or strings from a fixed list, can be typed as `a, b`.
            let comma = schema.get("items").is_some_and(|items| {
                is_scalar_type(single_type(items))
                    || items
                        .get("enum")
                        .and_then(Value::as_array)
                        .is_some_and(|values| values.iter().all(Value::is_string))
            });
            FieldKind::List { comma }
        }
        _ => FieldKind::Json {
            string_fallback: false,
        },
    }
}

fn number(schema: &Value, key: &str) -> Option<f64> {
    schema.get(key).and_then(Value::as_f64)
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A short description of what a field takes, e.g. `integer 1–50` or `list: a, b or JSON`.
pub fn hint(schema: &Value, kind: &FieldKind) -> String {
    let range = match (number(schema, "minimum"), number(schema, "maximum")) {
        (Some(lo), Some(hi)) => format!(" {}–{}", fmt_num(lo), fmt_num(hi)),
        (Some(lo), None) => format!(" ≥ {}", fmt_num(lo)),
        (None, Some(hi)) => format!(" ≤ {}", fmt_num(hi)),
        (None, None) => String::new(),
    };
    match kind {
        FieldKind::Text => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("string ({})", clean_line(format)),
            None => "string".to_owned(),
        },
        FieldKind::Integer => format!("integer{range}"),
        FieldKind::Number => format!("number{range}"),
        FieldKind::Toggle => "true / false (space)".to_owned(),
        FieldKind::Choice(values) => format!("one of {} (← →)", values.len()),
        FieldKind::List { comma: true } => "list: a, b or JSON".to_owned(),
        FieldKind::List { comma: false } => "JSON array".to_owned(),
        FieldKind::Json {
            string_fallback: true,
        } => "text or JSON".to_owned(),
        FieldKind::Json {
            string_fallback: false,
        } => "JSON".to_owned(),
    }
}

/// A value as a person reads it: strings without quotes, anything else as JSON.
pub fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn type_matches(value: &Value, t: &str) -> bool {
    match t {
        "string" => value.is_string(),
        "integer" => {
            value.as_i64().is_some()
                || value.as_u64().is_some()
                || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Checks `value` against the keywords of `schema` a form can check: type, enum, const, numeric
/// bounds, string length and pattern, array size, items and uniqueness, required and known
/// properties, and the combinators. Keywords it does not know are accepted, never an error.
pub fn validate(value: &Value, schema: &Value) -> Result<(), String> {
    let schema = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err("no value is allowed here".to_owned()),
        Value::Object(schema) => schema,
        _ => return Ok(()),
    };
    check_type(value, schema)?;
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(value)
    {
        let list: Vec<String> = values.iter().map(display).collect();
        return Err(format!("must be one of: {}", list.join(", ")));
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        return Err(format!("must be {}", display(c)));
    }
    match value {
        Value::Number(n) => check_number(n.as_f64().unwrap_or(f64::NAN), schema)?,
        Value::String(s) => check_string(s, schema)?,
        Value::Array(items) => check_array(items, schema)?,
        Value::Object(map) => check_object(map, schema)?,
        _ => {}
    }
    check_combinators(value, schema)
}

fn check_type(value: &Value, schema: &Map<String, Value>) -> Result<(), String> {
    let ok = match schema.get("type") {
        Some(Value::String(t)) => type_matches(value, t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .any(|t| type_matches(value, t)),
        _ => true,
    };
    if ok {
        return Ok(());
    }
    let wanted = match schema.get("type") {
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        Some(t) => display(t),
        None => String::new(),
    };
    let article = if wanted.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Err(format!("must be {article} {wanted}"))
}

fn check_number(n: f64, s: &Map<String, Value>) -> Result<(), String> {
    let get = |k: &str| s.get(k).and_then(Value::as_f64);
    // Draft-04 spelled exclusive bounds as booleans beside minimum/maximum.
    let excl_min_flag = s
        .get("exclusiveMinimum")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let excl_max_flag = s
        .get("exclusiveMaximum")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(min) = get("minimum") {
        if excl_min_flag && n <= min {
            return Err(format!("must be > {}", fmt_num(min)));
        }
        if n < min {
            return Err(format!("must be ≥ {}", fmt_num(min)));
        }
    }
    if let Some(max) = get("maximum") {
        if excl_max_flag && n >= max {
            return Err(format!("must be < {}", fmt_num(max)));
        }
        if n > max {
            return Err(format!("must be ≤ {}", fmt_num(max)));
        }
    }
    if let Some(min) = get("exclusiveMinimum")
        && n <= min
    {
        return Err(format!("must be > {}", fmt_num(min)));
    }
    if let Some(max) = get("exclusiveMaximum")
        && n >= max
    {
        return Err(format!("must be < {}", fmt_num(max)));
    }
    if let Some(m) = get("multipleOf")
        && m > 0.0
        && (n / m).fract().abs() > 1e-9
    {
        return Err(format!("must be a multiple of {}", fmt_num(m)));
    }
    Ok(())
}

fn check_string(text: &str, s: &Map<String, Value>) -> Result<(), String> {
    let len = text.chars().count() as u64;
    if let Some(min) = s.get("minLength").and_then(Value::as_u64)
        && len < min
    {
        return Err(format!("at least {}", plural(min, "character")));
    }
    if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
        && len > max
    {
        return Err(format!("at most {}", plural(max, "character")));
    }
    // A pattern the regex engine does not understand is not the user's error: skip it.
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str)
        && let Ok(re) = Regex::new(pattern)
        && !re.is_match(text)
    {
        return Err(format!("must match {pattern}"));
    }
    Ok(())
}

fn check_array(items: &[Value], s: &Map<String, Value>) -> Result<(), String> {
    let len = items.len() as u64;
    if let Some(min) = s.get("minItems").and_then(Value::as_u64)
        && len < min
    {
        return Err(format!("at least {}", plural(min, "item")));
    }
    if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
        && len > max
    {
        return Err(format!("at most {}", plural(max, "item")));
    }
    if s.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
        for (i, item) in items.iter().enumerate() {
            if items[..i].contains(item) {
                return Err(format!("item {} repeats an earlier one", i + 1));
            }
        }
    }
    match s.get("items") {
        Some(Value::Array(tuple)) => {
            for (i, (item, schema)) in items.iter().zip(tuple).enumerate() {
                validate(item, schema).map_err(|e| format!("item {}: {e}", i + 1))?;
            }
        }
        Some(schema) => {
            for (i, item) in items.iter().enumerate() {
                validate(item, schema).map_err(|e| format!("item {}: {e}", i + 1))?;
            }
        }
        None => {}
    }
    Ok(())
}

fn check_object(map: &Map<String, Value>, s: &Map<String, Value>) -> Result<(), String> {
    if let Some(required) = s.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(name) {
                return Err(format!("{name} is required"));
            }
        }
    }
    let properties = s.get("properties").and_then(Value::as_object);
    for (key, value) in map {
        match properties.and_then(|p| p.get(key)) {
            Some(schema) => validate(value, schema).map_err(|e| format!("{key}: {e}"))?,
            None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                return Err(format!("unknown property {key}"));
            }
            None => {}
        }
    }
    Ok(())
}

fn check_combinators(value: &Value, s: &Map<String, Value>) -> Result<(), String> {
    let alternatives = |k: &str| s.get(k).and_then(Value::as_array);
    if let Some(all) = alternatives("allOf") {
        for schema in all {
            validate(value, schema)?;
        }
    }
    if let Some(any) = alternatives("anyOf") {
        let errors: Vec<String> = any
            .iter()
            .filter_map(|sch| validate(value, sch).err())
            .collect();
        if errors.len() == any.len() && !any.is_empty() {
            return Err(closest(errors));
        }
    }
    if let Some(one) = alternatives("oneOf") {
        let results: Vec<_> = one.iter().map(|sch| validate(value, sch)).collect();
        match results.iter().filter(|r| r.is_ok()).count() {
            1 => {}
            0 if !one.is_empty() => {
                return Err(closest(
                    results.into_iter().filter_map(Result::err).collect(),
                ));
            }
            0 => {}
            _ => return Err("matches more than one of the allowed forms".to_owned()),
        }
    }
    if let Some(not) = s.get("not")
        && validate(value, not).is_ok()
    {
        return Err("is a form that is not allowed".to_owned());
    }
    Ok(())
}

/// Of the errors of every alternative, the one that got furthest: type mismatches say least.
fn closest(errors: Vec<String>) -> String {
    let mut errors = errors;
    errors.sort_by_key(|e| e.starts_with("must be a"));
    errors
        .into_iter()
        .next()
        .unwrap_or_else(|| "matches none of the allowed forms".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds() {
        assert_eq!(kind_of(&json!({"type": "string"})), FieldKind::Text);
        assert_eq!(
            kind_of(&json!({"type": ["integer", "null"]})),
            FieldKind::Integer
        );
        assert_eq!(kind_of(&json!({"type": "number"})), FieldKind::Number);
        assert_eq!(kind_of(&json!({"type": "boolean"})), FieldKind::Toggle);
        assert_eq!(
            kind_of(&json!({"enum": ["a", 1]})),
            FieldKind::Choice(vec![json!("a"), json!(1)])
        );
        assert_eq!(
            kind_of(&json!({"type": "array", "items": {"type": "string"}})),
            FieldKind::List { comma: true }
        );
        assert_eq!(
            kind_of(&json!({"type": "array", "items": {"type": "object"}})),
            FieldKind::List { comma: false }
        );
        assert_eq!(
            kind_of(&json!({"type": "array"})),
            FieldKind::List { comma: false }
        );
        assert_eq!(
            kind_of(&json!({"type": "array", "items": {"enum": ["a", "b"]}})),
            FieldKind::List { comma: true }
        );
        assert_eq!(
            kind_of(&json!({"anyOf": [{"type": "string"}, {"type": "array"}]})),
            FieldKind::Json {
                string_fallback: true
            }
        );
        assert_eq!(
            kind_of(&json!({"oneOf": [{"type": "integer"}]})),
            FieldKind::Json {
                string_fallback: false
            }
        );
        assert_eq!(
            kind_of(&json!({"$ref": "#/definitions/x"})),
            FieldKind::Json {
                string_fallback: false
            }
        );
        assert_eq!(
            kind_of(&json!({})),
            FieldKind::Json {
                string_fallback: false
            }
        );
        assert_eq!(
            kind_of(&json!(true)),
            FieldKind::Json {
                string_fallback: false
            }
        );
        assert_eq!(
            kind_of(&json!({"type": ["string", "integer"]})),
            FieldKind::Json {
                string_fallback: false
            }
        );
    }

    #[test]
    fn numbers() {
        let s = json!({"type": "integer", "minimum": 1, "maximum": 50});
        assert_eq!(validate(&json!(1), &s), Ok(()));
        assert_eq!(validate(&json!(0), &s), Err("must be ≥ 1".to_owned()));
        assert_eq!(validate(&json!(51), &s), Err("must be ≤ 50".to_owned()));
        assert_eq!(
            validate(&json!(1.5), &s),
            Err("must be an integer".to_owned())
        );
        assert_eq!(
            validate(&json!("1"), &s),
            Err("must be an integer".to_owned())
        );
        let s = json!({"exclusiveMinimum": 0, "exclusiveMaximum": 1, "multipleOf": 0.25});
        assert_eq!(validate(&json!(0), &s), Err("must be > 0".to_owned()));
        assert_eq!(validate(&json!(1), &s), Err("must be < 1".to_owned()));
        assert_eq!(
            validate(&json!(0.3), &s),
            Err("must be a multiple of 0.25".to_owned())
        );
        assert_eq!(validate(&json!(0.5), &s), Ok(()));
    }

    #[test]
    fn strings() {
        let s = json!({"type": "string", "minLength": 32, "maxLength": 32, "pattern": "^[a-f0-9]{32}$"});
        assert_eq!(
            validate(&json!("0f3c9a8e6b2d4f1a9c7e5b3d1f2a4c6e"), &s),
            Ok(())
        );
        assert_eq!(
            validate(&json!("abc"), &s),
            Err("at least 32 characters".to_owned())
        );
        assert_eq!(
            validate(&json!("0F3C9A8E6B2D4F1A9C7E5B3D1F2A4C6E"), &s),
            Err("must match ^[a-f0-9]{32}$".to_owned())
        );
        // An invalid pattern is ignored rather than blamed on the user.
        assert_eq!(validate(&json!("x"), &json!({"pattern": "(("})), Ok(()));
        assert_eq!(
            validate(&json!("b"), &json!({"enum": ["a", "c"]})),
            Err("must be one of: a, c".to_owned())
        );
    }

    #[test]
    fn arrays_objects_and_combinators() {
        let ids = json!({"type": "array", "items": {"type": "string", "pattern": "^[a-f0-9]{32}$"}, "minItems": 1, "maxItems": 2});
        assert_eq!(
            validate(&json!([]), &ids),
            Err("at least 1 item".to_owned())
        );
        assert_eq!(
            validate(&json!(["a", "b", "c"]), &ids),
            Err("at most 2 items".to_owned())
        );
        assert_eq!(
            validate(&json!(["nope"]), &ids),
            Err("item 1: must match ^[a-f0-9]{32}$".to_owned())
        );
        let any = json!({"anyOf": [{"type": "string", "minLength": 32}, {"type": "array", "maxItems": 1}]});
        assert_eq!(
            validate(&json!("short"), &any),
            Err("at least 32 characters".to_owned())
        );
        assert_eq!(validate(&json!(["a"]), &any), Ok(()));
        assert_eq!(
            validate(&json!(3), &any),
            Err("must be a string".to_owned())
        );
        let one = json!({"oneOf": [{"type": "number"}, {"type": "integer"}]});
        assert_eq!(
            validate(&json!(1), &one),
            Err("matches more than one of the allowed forms".to_owned())
        );
        assert_eq!(validate(&json!(1.5), &one), Ok(()));
        let obj = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "additionalProperties": false});
        assert_eq!(validate(&json!({}), &obj), Err("a is required".to_owned()));
        assert_eq!(
            validate(&json!({"a": 1}), &obj),
            Err("a: must be a string".to_owned())
        );
        assert_eq!(
            validate(&json!({"a": "x", "b": 1}), &obj),
            Err("unknown property b".to_owned())
        );
    }
}
