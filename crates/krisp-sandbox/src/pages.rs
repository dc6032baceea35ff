//! The few HTML pages a browser sees: the consent page, OAuth error pages, a meeting's page.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}}\
         button{{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}}code{{font-size:.9em}}</style>\
         </head><body>{body}</body></html>\n",
        title = escape(title)
    )
}

/// Allow / Deny for a parked authorization request, answered by a form POST.
pub fn consent(account: &str, client: &str, scope: &str, request_id: &str) -> Response {
    let scopes: String = scope
        .split(' ')
        .map(|scope| format!("<li><code>{}</code></li>", escape(scope)))
        .collect();
    let body = format!(
        "<h1>Krisp sandbox</h1>\
         <p>Signed in as <strong>{account}</strong>.</p>\
         <p><strong>{client}</strong> wants to access your Krisp meetings:</p>\
         <ul>{scopes}</ul>\
         <form method=\"post\" action=\"/platform/v1/oauth2/authorize\">\
         <input type=\"hidden\" name=\"request_id\" value=\"{request_id}\">\
         <button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\
         </form>",
        account = escape(account),
        client = escape(client),
        request_id = escape(request_id),
    );
    Html(page("Authorize access · Krisp sandbox", &body)).into_response()
}

/// An authorization error that must not be redirected (unknown client, bad redirect URI).
pub fn error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = format!(
        "<h1>Authorization failed</h1><p><code>{}</code></p><p>{}</p>",
        escape(error),
        escape(description)
    );
    (
        status,
        Html(page("Authorization failed · Krisp sandbox", &body)),
    )
        .into_response()
}

/// What `https://app.krisp.ai/t/<id>` would show, reduced to a title and a date.
pub fn meeting(name: &str, date: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p>{}</p><p>This is the Krisp sandbox: recordings are not available.</p>",
        escape(name),
        escape(date)
    );
    Html(page(name, &body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_and_controls() {
        assert_eq!(
            escape("<b a=\"1\">Tom & Jerry's\u{1b}[31m</b>"),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; Jerry&#39;s\u{fffd}[31m&lt;/b&gt;"
        );
    }
}
