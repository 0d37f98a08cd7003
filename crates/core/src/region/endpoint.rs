//! Service endpoints in a region: [`Region::endpoint`] expands a service's endpoint template.

use super::types::{Placement, Region};
use crate::{Endpoint, Error, ServiceInfo};

impl Region {
    /// The endpoint of `service` in this region, base path included.
    ///
    /// ```
    /// use oci_core::{Region, ServiceInfo};
    ///
    /// const DAC: ServiceInfo = ServiceInfo {
    ///     name: "delegateaccesscontrol",
    ///     endpoint_template: "https://delegate-access-control.{region}.oci.{secondLevelDomain}",
    ///     base_path: "/20230801",
    /// };
    /// assert_eq!(Region::new("iad").endpoint(&DAC)?.to_string(),
    ///     "https://delegate-access-control.us-ashburn-1.oci.oraclecloud.com/20230801");
    /// assert_eq!(Region::new("my.domain.com").endpoint(&DAC)?.to_string(),
    ///     "https://delegate-access-control.my.domain.com/20230801");
    /// # Ok::<(), oci_core::Error>(())
    /// ```
    ///
    /// The template's `{region}` becomes the region id and `{secondLevelDomain}` the realm's
    /// domain. An option block `{dualStack?enabled:disabled}` becomes `enabled` when
    /// [`Region::dual_stack`] is on and `disabled` otherwise, dropping a dot where the text and
    /// the template would both put one; other well-formed options become empty, as in the SDKs.
    /// For a domain region, everything in the template from `{region}` on is replaced by the
    /// domain. The service's base path is then appended.
    ///
    /// Errors ([`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest)): a malformed
    /// template (unknown `{token}`, unclosed brace, bad option block, a domain region with a
    /// template lacking `{region}`), or a region id or domain that is not a valid host name part.
    pub fn endpoint(&self, service: &ServiceInfo) -> Result<Endpoint, Error> {
        let template = service.endpoint_template;
        let bad_template = |why: &str| {
            Error::invalid_request(format!(
                "invalid endpoint template `{template}` of service `{}`: {why}",
                service.name
            ))
        };
        check_host_part(&self.id, "region")?;
        let url = match &self.placement {
            Placement::Domain => {
                let pos = template
                    .find("{region}")
                    .ok_or_else(|| bad_template("no `{region}` to put the domain in"))?;
                let prefix = format!("{}{{region}}", &template[..pos]);
                expand(&prefix, &self.id, "", self.dual_stack).map_err(bad_template)?
            }
            Placement::Realm(r) => {
                check_host_part(r.second_level_domain(), "second-level domain")?;
                expand(template, &self.id, r.second_level_domain(), self.dual_stack)
                    .map_err(bad_template)?
            }
            Placement::SecondLevelDomain(d) => {
                check_host_part(d, "second-level domain")?;
                expand(template, &self.id, d, self.dual_stack).map_err(bad_template)?
            }
        };
        let endpoint = Endpoint::parse(&url)?;
        check_host(&endpoint)?;
        Ok(endpoint.with_base_path(service.base_path))
    }
}

/// Expands `{region}`, `{secondLevelDomain}` and `{option?enabled:disabled}` blocks.
pub(super) fn expand(
    template: &str,
    region: &str,
    sld: &str,
    dual_stack: bool,
) -> Result<String, &'static str> {
    let mut out = String::with_capacity(template.len() + region.len() + sld.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("unclosed `{`")?;
        let token = &after[..close];
        rest = &after[close + 1..];
        match token {
            "region" => out.push_str(region),
            "secondLevelDomain" => out.push_str(sld),
            _ => {
                let (name, texts) = token
                    .split_once('?')
                    .ok_or("unknown token (expected region, secondLevelDomain or an option)")?;
                let (enabled, disabled) =
                    texts.split_once(':').ok_or("option block without `:`")?;
                let valid_text =
                    |s: &str| s.bytes().next().map_or(true, |c| c.is_ascii_alphanumeric());
                if token.chars().any(char::is_whitespace)
                    || token.contains('{')
                    || !valid_text(enabled)
                    || !valid_text(disabled)
                {
                    return Err("malformed option block");
                }
                let mut text = match name {
                    "dualStack" if dual_stack => enabled,
                    "dualStack" => disabled,
                    _ => "",
                };
                if text.starts_with('.') && out.ends_with('.') {
                    text = &text[1..];
                }
                if text.ends_with('.') && rest.starts_with('.') {
                    rest = &rest[1..];
                }
                out.push_str(text);
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// A region id or domain must be dot-separated labels of `[a-z0-9_-]`.
pub(crate) fn check_host_part(s: &str, what: &str) -> Result<(), Error> {
    let ok = !s.is_empty()
        && s.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_request(format!(
            "invalid {what} `{s}`: expected dot-separated labels of letters, digits, `-` and `_`"
        )))
    }
}

/// The endpoint's host labels must match `[A-Za-z0-9_-]+`, as the SDKs check.
fn check_host(endpoint: &Endpoint) -> Result<(), Error> {
    let authority = endpoint.host_header();
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    check_host_part(host, "endpoint host")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_options_and_dots() {
        let t = "https://objectstorage.{region}.{dualStack?ds.oci.:}{secondLevelDomain}";
        assert_eq!(
            expand(t, "r-1", "d.com", false).as_deref(),
            Ok("https://objectstorage.r-1.d.com")
        );
        assert_eq!(
            expand(t, "r-1", "d.com", true).as_deref(),
            Ok("https://objectstorage.r-1.ds.oci.d.com")
        );
        // A trailing dot in the text and a dot in the template collapse to one.
        let t = "https://x.{region}.{dualStack?ds.:}.{secondLevelDomain}";
        assert_eq!(
            expand(t, "r-1", "d.com", true).as_deref(),
            Ok("https://x.r-1.ds.d.com")
        );
        // Unknown options vanish, as in the SDKs.
        let t = "https://x.{region}.{fips?f.:}{secondLevelDomain}";
        assert_eq!(
            expand(t, "r-1", "d.com", true).as_deref(),
            Ok("https://x.r-1.d.com")
        );
    }

    #[test]
    fn expand_rejects_malformed_templates() {
        for t in [
            "https://x.{region",
            "https://x.{regoin}.{secondLevelDomain}",
            "https://x.{dualStack?ds.}{secondLevelDomain}",
            "https://x.{region}.{dualStack?.ds:}{secondLevelDomain}",
            "https://x.{region}.{dualStack? ds.:}{secondLevelDomain}",
        ] {
            assert!(expand(t, "r", "d", false).is_err(), "{t}");
        }
    }
}
