//! What a tool form makes of a JSON Schema (draft-07): input kinds, type hints, and a validator.

use serde_json::Value;

use crate::json_schema::{self, Problem, Step, Violation};
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

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Checks `value` against `schema` (`crate::json_schema`, the checker the sandbox uses too) and
/// says what is wrong in a form's few words: `item 2: must be ≤ 50`. Keywords it does not know
/// are accepted, never an error.
pub fn validate(value: &Value, schema: &Value) -> Result<(), String> {
    json_schema::check(value, schema).map_err(|v| say(&v, 0))
}

/// A violation in the form's words, its path after the first `from` steps as `key: ` and
/// `item N: ` prefixes.
fn say(v: &Violation<'_>, from: usize) -> String {
    let mut out = String::new();
    for step in v.path.iter().skip(from) {
        match step {
            Step::Key(key) => out.push_str(&format!("{key}: ")),
            Step::Index(i) => out.push_str(&format!("item {}: ", i + 1)),
        }
    }
    let here = v.path.len();
    out.push_str(&match &v.problem {
        Problem::Nothing => "no value is allowed here".to_owned(),
        Problem::Type(kinds) => {
            let wanted = kinds.join(" or ");
            let article = if wanted.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("must be {article} {wanted}")
        }
        Problem::Enum(values) => {
            let list: Vec<String> = values.iter().map(display).collect();
            format!("must be one of: {}", list.join(", "))
        }
        Problem::Const(c) => format!("must be {}", display(c)),
        Problem::Minimum { limit, exclusive } => {
            format!(
                "must be {} {}",
                if *exclusive { ">" } else { "≥" },
                fmt_num(*limit)
            )
        }
        Problem::Maximum { limit, exclusive } => {
            format!(
                "must be {} {}",
                if *exclusive { "<" } else { "≤" },
                fmt_num(*limit)
            )
        }
        Problem::MultipleOf(m) => format!("must be a multiple of {}", fmt_num(*m)),
        Problem::MinLength(n) => format!("at least {}", plural(*n, "character")),
        Problem::MaxLength(n) => format!("at most {}", plural(*n, "character")),
        Problem::Pattern(pattern) => format!("must match {pattern}"),
        Problem::MinItems(n) => format!("at least {}", plural(*n, "item")),
        Problem::MaxItems(n) => format!("at most {}", plural(*n, "item")),
        Problem::Repeated(i) => format!("item {} repeats an earlier one", i + 1),
        Problem::Required(name) => format!("{name} is required"),
        Problem::Unknown(key) => format!("unknown property {key}"),
        Problem::AnyOf(reasons) | Problem::OneOfNone(reasons) => {
            closest(reasons.iter().map(|r| say(r, here)).collect())
        }
        Problem::OneOfMany => "matches more than one of the allowed forms".to_owned(),
        Problem::Not => "is a form that is not allowed".to_owned(),
    });
    out
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
