//! Client harness for the official MCP conformance suite (`@modelcontextprotocol/conformance`).
//!
//! `conformance client --command "conformance <server-url>"` runs this with the scenario in
//! `MCP_CONFORMANCE_SCENARIO` (and sometimes `MCP_CONFORMANCE_CONTEXT`). It drives the same
//! library code as the `krisp-tui` CLI: connect, log in if the server asks (the browser step is
//! an in-process stand-in that follows the authorization redirect into the real loopback
//! listener), list the tools, call one. Only this harness reads `MCP_CONFORMANCE_*`.
//!
//! The suite does not check that a client got as far as the tool call; this harness exits
//! non-zero when it did not, so a login that silently stops early fails CI.

use std::process::ExitCode;

use krisp_tui::auth::store::StoreKind;
use krisp_tui::client::{BrowserMode, Settings};
use serde_json::{Map, Value};

fn main() -> ExitCode {
    let Some(server) = std::env::args().nth(1) else {
        eprintln!("usage: conformance <server-url>");
        return ExitCode::from(2);
    };
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    let context: Map<String, Value> = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or_default();
    let config_dir =
        std::env::temp_dir().join(format!("krisp-tui-conformance-{}", std::process::id()));
    let mut settings = Settings::new(server, config_dir);
    settings.store = StoreKind::Memory;
    settings.browser = BrowserMode::InProcess;
    settings.redirect_port = 0;
    settings.client_id = context
        .get("client_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    settings.client_secret = context
        .get("client_secret")
        .and_then(Value::as_str)
        .map(str::to_string);
    if scenario == "auth/basic-cimd" {
        settings.client_metadata_url =
            Some("https://conformance-test.local/client-metadata.json".to_string());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let outcome = runtime.block_on(run(&settings, &scenario));
    record(&scenario, &outcome);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("conformance[{scenario}]: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The suite ignores the client's exit code, so `.ci/run` reads what each run reached from
/// the file named by `KRISP_CONFORMANCE_RESULTS` (one line per scenario).
fn record(scenario: &str, outcome: &Result<(), String>) {
    use std::io::Write;
    let Ok(path) = std::env::var("KRISP_CONFORMANCE_RESULTS") else {
        return;
    };
    let line = match outcome {
        Ok(()) => format!("{scenario}\tcalled\n"),
        Err(e) => format!("{scenario}\tstopped\t{}\n", e.replace(['\n', '\t'], " ")),
    };
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(line.as_bytes());
    }
}

async fn run(settings: &Settings, scenario: &str) -> Result<(), String> {
    let connection = krisp_tui::cmd::connect_or_login(settings)
        .await
        .map_err(|f| f.message)?;
    let tools = connection.list_tools().await.map_err(|e| e.to_string())?;
    eprintln!(
        "conformance[{scenario}]: tools/list returned {} tools",
        tools.len()
    );
    // `initialize` serves no tools; every other scenario must reach a successful call.
    let Some(tool) = tools.first() else {
        return if scenario == "initialize" {
            Ok(())
        } else {
            Err("the server listed no tools, so no tool was called".into())
        };
    };
    let args = arguments_for(&tool.input_schema);
    let result = connection
        .call_tool(&tool.name, args)
        .await
        .map_err(|e| e.to_string())?;
    if result.is_error == Some(true) {
        return Err(format!("{} returned an error result", tool.name));
    }
    eprintln!("conformance[{scenario}]: called {}", tool.name);
    connection.close().await;
    Ok(())
}

/// Small valid values for the required properties of a schema (`add_numbers` wants a and b).
fn arguments_for(schema: &Map<String, Value>) -> Map<String, Value> {
    let mut args = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        let kind = properties
            .and_then(|p| p.get(name))
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("string");
        let value = match kind {
            "number" | "integer" => Value::from(args.len() as i64 + 1),
            "boolean" => Value::Bool(true),
            "array" => Value::Array(Vec::new()),
            "object" => Value::Object(Map::new()),
            _ => Value::String("test".into()),
        };
        args.insert(name.to_string(), value);
    }
    args
}
