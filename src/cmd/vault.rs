//! `krisp-tui export --all --dir DIR`: sync (unless offline), pick the meetings from the store,
//! write the vault with a progress bar or plain lines, then one summary line.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use super::Failure;
use super::local::{self, Local};
use super::progress::Progress;
use crate::client::Settings;
use crate::export::Format;
use crate::krisp::MeetingId;
use crate::library::Filter;
use crate::library::vault_dir::{VaultOptions, VaultSummary};
use crate::library::vault_stamp::{Stamp, request_key};
use crate::library::{Library, LibraryError, Window};

/// What `export --all` was asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub dir: PathBuf,
    pub format: Format,
    pub force: bool,
    pub links: bool,
    /// Full-text search over the store, as `krisp-tui search` reads it.
    pub search: Option<String>,
    pub filter: Filter,
}

pub async fn export_all(
    local: &Local,
    settings: &Settings,
    request: &Request,
    json: bool,
    out: &mut impl Write,
) -> Result<(), Failure> {
    if !local.offline {
        let had_store = local.path.exists();
        // Not `stderr().lock()`: the sync's progress bar draws to stderr from indicatif's
        // ticker thread, which would wait for that lock forever while this thread waits for
        // the bar.
        let mut err = std::io::stderr();
        if let Err(mut f) = local::sync(local, settings, &mut err, false, false).await {
            if had_store && f.code != 3 {
                f.message
                    .push_str("; add --offline to export what the local store holds");
            }
            return Err(f);
        }
    }
    let library = local.library();
    let failure = |e| match e {
        LibraryError::NoStore { .. } => local.empty(),
        e => local::library_failure(e),
    };
    let started = Instant::now();
    let tz = local.zone.clone();
    let key = request_key(
        request.format,
        request.links,
        request.search.as_deref(),
        &request.filter,
        &tz,
    );
    // Nothing moved since the last complete run: nothing to read, nothing to write.
    if !request.force
        && let Some((meetings, summary)) = library
            .vault_unchanged(&request.dir, &key)
            .map_err(failure)?
    {
        tracing::info!(dir = %request.dir.display(), "nothing moved since the vault's last complete run");
        return print_summary(out, json, request, meetings, &summary, started);
    }
    // Before anything is read: a change made meanwhile is seen by the next run.
    let changes = library.changes().map_err(failure)?;
    let ids = select(&library, request).map_err(failure)?;
    if ids.is_empty() {
        let (stored, _) = library
            .meetings(&Filter::default(), Window::first(0))
            .map_err(local::library_failure)?;
        if stored == 0 {
            return Err(local.empty());
        }
    }
    let options = VaultOptions {
        dir: request.dir.clone(),
        format: request.format,
        links: request.links,
        force: request.force,
        tz,
    };
    // A bar counting the meetings, or a plain line per tenth.
    let progress = Progress::new(false);
    progress.count("meetings", 0, ids.len());
    let result = library.export_many(&ids, &options, &|| false, &mut |done, total| {
        progress.count("meetings", done, total);
        let tenth = (done * 10).checked_div(total).unwrap_or(10);
        progress.plain(tenth, || {
            Some(format!("meetings: {done} of {total} exported"))
        });
    });
    progress.finish();
    let summary = result.map_err(local::library_failure)?;
    report_kept(&summary);
    let stamp = Stamp::after(changes, key, &request.dir, ids.len(), &summary);
    if let Err(e) = library.remember_vault(&request.dir, stamp.as_ref()) {
        // The next run checks every meeting instead: slower, never wrong.
        tracing::warn!(error = %e, "could not record the vault's run in the local store");
    }
    print_summary(out, json, request, ids.len(), &summary, started)
}

/// The run's one line (or JSON object) on stdout.
fn print_summary(
    out: &mut impl Write,
    json: bool,
    request: &Request,
    meetings: usize,
    summary: &VaultSummary,
    started: Instant,
) -> Result<(), Failure> {
    if json {
        let mut v = serde_json::to_value(summary).map_err(std::io::Error::from)?;
        v["dir"] = serde_json::Value::String(request.dir.display().to_string());
        v["meetings"] = serde_json::Value::from(meetings);
        serde_json::to_writer(&mut *out, &v).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else if summary.nothing_to_write() {
        writeln!(
            out,
            "Nothing to write in {}: {} meetings checked in {:.1} s: {}.",
            request.dir.display(),
            meetings,
            started.elapsed().as_secs_f64(),
            summary.line()
        )?;
    } else {
        writeln!(
            out,
            "Exported {} meetings to {} in {:.1} s: {}.",
            meetings,
            request.dir.display(),
            started.elapsed().as_secs_f64(),
            summary.line()
        )?;
    }
    Ok(())
}

/// The meetings to export: the search's meetings, as `krisp-tui search` answers the same text
/// (best first), or every stored meeting passing the filter, newest first.
pub fn select(library: &Library, request: &Request) -> Result<Vec<MeetingId>, LibraryError> {
    match &request.search {
        Some(text) => library.searched_ids(text, &request.filter, Window::first(usize::MAX)),
        None => library.ids(&request.filter),
    }
}

/// Edited files are named on stderr, with where the new version went, and so is each warning.
fn report_kept(summary: &VaultSummary) {
    for warning in &summary.warnings {
        crate::sanitize::eprint(&format!("warning: {warning}"));
    }
    for (file, beside) in &summary.kept {
        match beside {
            Some(beside) => crate::sanitize::eprint(&format!(
                "kept your edits in {}; Krisp's new version is in {}",
                file.display(),
                beside.display()
            )),
            None => crate::sanitize::eprint(&format!(
                "kept your edits in {} (its \"(krisp)\" file was edited too, so the new version was not written)",
                file.display()
            )),
        }
    }
}
