//! The module layering inside the app crate holds: `ui` draws `app` state (never the other way),
//! `auth` sits below `client`, the library over both, the fronts reach the store through the
//! library. Between crates the compiler holds it: `krisp-model` depends on nothing of ours,
//! `krisp-store` and `krisp-sandbox` on the model only. The compiler also holds that nothing reads
//! a process-wide time zone: there is none (every `timefmt` function takes the zone).

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `file:line: text` for every line under `src/<layer>` that names `crate::<forbidden>`
/// (in a `use`, a path or a re-export; comments are skipped).
fn offenders(layer: &str, forbidden: &str) -> Vec<String> {
    offenders_in(layer, forbidden, false)
}

/// `offenders`, reading each file only up to its `#[cfg(test)]` module when `code_only` (a
/// unit test may build a store to read through the Library).
fn offenders_in(layer: &str, forbidden: &str, code_only: bool) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A crate of the workspace is named as it is (`krisp_store`), a module of the app by its
    // path (`crate::store`).
    let needle = if forbidden.starts_with("krisp_") {
        forbidden.to_owned()
    } else {
        format!("crate::{forbidden}")
    };
    let mut found = Vec::new();
    let src = root.join("src");
    let mut files = Vec::new();
    // A layer is a directory (`src/client/`), a file (`src/cli.rs`), or both.
    if src.join(layer).is_dir() {
        files = rust_files(&src.join(layer));
    }
    let single = src.join(format!("{layer}.rs"));
    if single.is_file() {
        files.push(single);
    }
    assert!(!files.is_empty(), "no source for the layer {layer}");
    for file in files {
        let mut text = std::fs::read_to_string(&file).expect("read a source file");
        if code_only && let Some(at) = text.find("#[cfg(test)]") {
            text.truncate(at);
        }
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let hit = code.match_indices(&needle).any(|(i, _)| {
                // `crate::ui` but not `crate::uix`
                !code[i + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if hit {
                let rel = file.strip_prefix(root).unwrap_or(&file);
                found.push(format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn app_does_not_reach_into_ui() {
    let found = offenders("app", "ui");
    assert!(
        found.is_empty(),
        "src/app must not depend on src/ui (ui draws &State, never the reverse):\n{}",
        found.join("\n")
    );
}

#[test]
fn auth_does_not_reach_into_client() {
    let found = offenders("auth", "client");
    assert!(
        found.is_empty(),
        "src/auth must not depend on src/client (the client uses auth, never the reverse):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_mcp_server_reads_only_through_the_library() {
    let mut found = offenders_in("cmd/mcp", "store", true);
    found.extend(offenders_in("cmd/mcp", "krisp_store", true));
    found.extend(offenders_in("cmd/mcp", "client", true));
    assert!(
        found.is_empty(),
        "src/cmd/mcp must ask the Library, never the store or the network client:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_layers_under_the_library_never_reach_up_to_it() {
    let mut found = Vec::new();
    // The store, the model's modules and the sandbox are crates of their own, which cannot
    // name the app crate at all.
    for lower in ["client", "auth"] {
        for higher in ["library", "app", "ui", "cmd"] {
            found.extend(offenders(lower, higher));
        }
    }
    assert!(
        found.is_empty(),
        "the library sits over the client and the store; nothing below it may import it or \
         anything above it:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_fronts_reach_the_store_only_through_the_library() {
    let mut found = Vec::new();
    for front in ["app", "ui", "cmd"] {
        found.extend(offenders_in(front, "store", true));
        found.extend(offenders_in(front, "krisp_store", true));
    }
    assert!(
        found.is_empty(),
        "the TUI and the commands read, search, sync and delete the store through the Library \
         (its re-exported types included), never the store module itself:\n{}",
        found.join("\n")
    );
}
