//! Doc comments: spec text made into rustdoc that renders and lints clean.

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes (printed as `///` lines) from `text`, or from `fallback` when it has no
/// text. Each line is trimmed, code fences become single backticks (spec examples are not Rust),
/// bare URLs are linked.
pub fn doc(text: &str, fallback: &str) -> TokenStream {
    attrs(lines(text, fallback))
}

/// As [`doc`], with `more` appended after a blank line.
pub fn doc_then(text: &str, fallback: &str, more: &str) -> TokenStream {
    let mut all = lines(text, fallback);
    all.push(String::new());
    all.extend(lines(more, ""));
    attrs(all)
}

/// `#[doc]` attributes for text the generator wrote itself (kept as is, code fences too).
pub fn raw(text: &str) -> TokenStream {
    attrs(text.lines().map(str::to_owned).collect())
}

fn attrs(lines: Vec<String>) -> TokenStream {
    let lines = lines
        .into_iter()
        .map(|l| if l.is_empty() { l } else { format!(" {l}") });
    quote! { #(#[doc = #lines])* }
}

/// The lines of a doc comment: dedented, no code fences, no leading or trailing blank line,
/// never empty.
pub fn lines(text: &str, fallback: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| link_urls(&literal_marker(&l.trim().replace("```", "`"))))
        .collect();
    while lines.first().is_some_and(|l| l.is_empty()) {
        lines.remove(0);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.is_empty() {
        lines.push(fallback.to_owned());
    }
    lines
}

/// Escapes a leading `*`, `-` or `+` followed by five or more spaces: spec tables such as
/// "`*           Matches any string`" would otherwise be a list item whose text is an indented
/// code block (a doctest that does not compile).
fn literal_marker(line: &str) -> String {
    let mut chars = line.chars();
    let marker = chars.next();
    let spaces = chars.take_while(|c| *c == ' ').count();
    match marker {
        Some(m @ ('*' | '-' | '+')) if spaces >= 5 => format!("\\{m}{}", &line[1..]),
        _ => line.to_owned(),
    }
}

/// The first sentence of `text`'s first paragraph (its lines joined), or `fallback`.
pub fn summary(text: &str, fallback: &str) -> String {
    let para: Vec<&str> = text
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let para = para.join(" ");
    if para.is_empty() {
        return fallback.to_owned();
    }
    let mut from = 0;
    while let Some(i) = para[from..].find(". ").map(|i| i + from) {
        let word = para[..i].rsplit(' ').next().unwrap_or_default();
        let balanced = |m: &str| para[..i].matches(m).count() % 2 == 0;
        if !matches!(word, "e.g" | "i.e" | "etc" | "vs") && balanced("`") && balanced("**") {
            return para[..=i].to_owned();
        }
        from = i + 1;
    }
    para
}

/// Wraps bare URLs in `<>` so rustdoc links them.
pub fn link_urls(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("http") {
        let (before, tail) = rest.split_at(i);
        out.push_str(before);
        let is_url = tail.starts_with("https://") || tail.starts_with("http://");
        let linked = out.ends_with('<') || out.ends_with("](") || out.ends_with('`');
        if !is_url || linked {
            out.push_str("http");
            rest = &tail[4..];
            continue;
        }
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '`' | '\''))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':']);
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &tail[url.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_linked_once() {
        assert_eq!(
            link_urls("See https://docs.oracle.com/x. Or <https://a.b>."),
            "See <https://docs.oracle.com/x>. Or <https://a.b>."
        );
        assert_eq!(
            link_urls("[doc](https://a.b) `http://c`"),
            "[doc](https://a.b) `http://c`"
        );
        assert_eq!(link_urls("httpd"), "httpd");
    }

    #[test]
    fn lines_are_cleaned() {
        assert_eq!(lines("\n  a\n\n ```x```\n\n", "f"), ["a", "", "`x`"]);
        assert_eq!(lines("  ", "fallback"), ["fallback"]);
        assert_eq!(summary("  first\nsecond\n\nthird", "f"), "first second");
        assert_eq!(summary("One, e.g. `a. b`. Two.", "f"), "One, e.g. `a. b`.");
        assert_eq!(summary("", "f"), "f");
        assert_eq!(lines("*     any\n* item", "f"), ["\\*     any", "* item"]);
    }
}
