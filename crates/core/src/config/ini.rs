//! The INI parser, with Python `configparser` semantics as the OCI SDKs read the file.

use std::collections::{BTreeMap, HashSet};

use super::defaults::DEFAULT_PROFILE;

/// The sections of an INI file, with Python `configparser` semantics.
#[derive(Default)]
pub(crate) struct Ini {
    default: Option<BTreeMap<String, String>>,
    sections: Vec<(String, BTreeMap<String, String>)>,
}

/// A section's values while parsing: each value as its list of lines.
type Lines = BTreeMap<String, Vec<String>>;

/// The section being parsed.
#[derive(Clone, Copy, PartialEq)]
enum Cur {
    None,
    Default,
    Section(usize),
}

impl Cur {
    fn map<'m>(
        self,
        default: &'m mut Option<Lines>,
        sections: &'m mut [(String, Lines)],
    ) -> Option<&'m mut Lines> {
        match self {
            Cur::None => None,
            Cur::Default => default.as_mut(),
            Cur::Section(i) => sections.get_mut(i).map(|(_, m)| m),
        }
    }
}

impl Ini {
    /// Parses `text`; on error returns the 1-based line and why.
    pub(crate) fn parse(text: &str) -> Result<Ini, (usize, String)> {
        let mut default: Option<Lines> = None;
        let mut sections: Vec<(String, Lines)> = Vec::new();
        // (section index, None for DEFAULT; key): a key may appear once per section.
        let mut seen_keys: HashSet<(Option<usize>, String)> = HashSet::new();
        let mut cur = Cur::None;
        let mut option: Option<String> = None;
        let mut indent_level = 0usize;

        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let trimmed = raw.trim();
            let comment = trimmed.starts_with('#') || trimmed.starts_with(';');
            if comment || trimmed.is_empty() {
                // A blank line inside a multi-line value is kept (configparser's
                // empty_lines_in_values); trailing ones are trimmed when joining.
                if let (false, Some(name)) = (comment, &option) {
                    if let Some(v) = cur
                        .map(&mut default, &mut sections)
                        .and_then(|m| m.get_mut(name))
                    {
                        v.push(String::new());
                    }
                }
                continue;
            }
            let indent = raw.len() - raw.trim_start().len();
            if let (true, Some(name)) = (indent > indent_level, &option) {
                // A continuation line of the current value.
                if let Some(v) = cur
                    .map(&mut default, &mut sections)
                    .and_then(|m| m.get_mut(name))
                {
                    v.push(trimmed.to_owned());
                }
                continue;
            }
            indent_level = indent;

            if let Some(name) = section_header(trimmed) {
                option = None;
                if name == DEFAULT_PROFILE {
                    default.get_or_insert_with(BTreeMap::new);
                    cur = Cur::Default;
                } else if sections.iter().any(|(n, _)| n == name) {
                    return Err((line_no, format!("profile [{name}] appears a second time")));
                } else {
                    sections.push((name.to_owned(), BTreeMap::new()));
                    cur = Cur::Section(sections.len() - 1);
                }
                continue;
            }
            let section_index = match cur {
                Cur::Section(i) => Some(i),
                _ => None,
            };
            let section_name = match cur {
                Cur::Section(i) => sections.get(i).map(|(n, _)| n.clone()).unwrap_or_default(),
                _ => DEFAULT_PROFILE.to_owned(),
            };
            let Some(map) = cur.map(&mut default, &mut sections) else {
                return Err((
                    line_no,
                    "a key before the first [profile] header (the file must start with a \
                     header such as [DEFAULT])"
                        .into(),
                ));
            };
            let Some(pos) = trimmed.find(['=', ':']) else {
                return Err((
                    line_no,
                    format!(
                        "in profile [{section_name}]: expected `key = value`, a [profile] header \
                         or a comment"
                    ),
                ));
            };
            let key = trimmed[..pos].trim_end().to_lowercase();
            if key.is_empty() {
                return Err((
                    line_no,
                    format!("in profile [{section_name}]: a value without a key name"),
                ));
            }
            let value = trimmed[pos + 1..].trim().to_owned();
            if !seen_keys.insert((section_index, key.clone())) {
                return Err((
                    line_no,
                    format!("key `{key}` appears a second time in profile [{section_name}]"),
                ));
            }
            map.insert(key.clone(), vec![value]);
            option = Some(key);
        }

        let join = |m: Lines| -> BTreeMap<String, String> {
            m.into_iter()
                .map(|(k, v)| (k, v.join("\n").trim_end().to_owned()))
                .collect()
        };
        Ok(Ini {
            default: default.map(join),
            sections: sections.into_iter().map(|(n, m)| (n, join(m))).collect(),
        })
    }

    /// The keys of `profile`, with `[DEFAULT]` inherited; `None` if there is no such profile.
    pub(crate) fn profile(&self, profile: &str) -> Option<BTreeMap<String, String>> {
        if profile == DEFAULT_PROFILE {
            return self.default.clone();
        }
        let (_, own) = self.sections.iter().find(|(n, _)| n == profile)?;
        let mut merged = self.default.clone().unwrap_or_default();
        merged.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        Some(merged)
    }

    /// The profile names, `DEFAULT` first when present.
    pub(crate) fn names(&self) -> Vec<String> {
        self.default
            .as_ref()
            .map(|_| DEFAULT_PROFILE.to_owned())
            .into_iter()
            .chain(self.sections.iter().map(|(n, _)| n.clone()))
            .collect()
    }
}

/// `[name]`: configparser's `\[(?P<header>.+)\]`, matched from the start, greedy.
fn section_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    let name = &inner[..end];
    (!name.is_empty()).then_some(name)
}
