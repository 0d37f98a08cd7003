//! The object a transfer is about, checked before any I/O.

use oci_core::Error;

#[derive(Debug, Clone)]
/// The object a transfer reads or writes.
pub(crate) struct Target {
    pub(crate) namespace: String,
    pub(crate) bucket: String,
    pub(crate) object: String,
}

impl Target {
    /// Rejects an empty name before any I/O.
    pub(crate) fn check(&self) -> Result<(), Error> {
        for (name, v) in [
            ("namespaceName", &self.namespace),
            ("bucketName", &self.bucket),
            ("objectName", &self.object),
        ] {
            if v.is_empty() {
                return Err(Error::invalid_request(format!(
                    "path parameter `{name}` must not be empty"
                )));
            }
        }
        Ok(())
    }
}
