//! [`DateTime`]: the RFC 3339 timestamp of every OCI model.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::Error;

/// An instant in time, as OCI sends and accepts it: RFC 3339, written in UTC with `Z`.
///
/// ```
/// use oci_core::DateTime;
///
/// let t: DateTime = "2016-08-25T21:10:29.600Z".parse()?;
/// assert_eq!(t.to_string(), "2016-08-25T21:10:29.600000Z");
/// let t: DateTime = "2024-01-02T05:04:05+02:00".parse()?;
/// assert_eq!(t.to_string(), "2024-01-02T03:04:05Z");
/// assert_eq!(t.unix_timestamp(), 1_704_164_645);
/// # Ok::<(), oci_core::Error>(())
/// ```
///
/// Parsing accepts any RFC 3339 offset; writing always converts to UTC and, like the official
/// SDKs, adds fractional seconds only when they are non-zero (microseconds, or nanoseconds when
/// the value has sub-microsecond precision). It wraps [`time::OffsetDateTime`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(OffsetDateTime);

impl DateTime {
    /// Wraps a [`time::OffsetDateTime`].
    pub fn from_offset(t: OffsetDateTime) -> Self {
        DateTime(t.to_offset(UtcOffset::UTC))
    }

    /// The instant `secs` seconds after the Unix epoch.
    pub fn from_unix_timestamp(secs: i64) -> Result<Self, Error> {
        OffsetDateTime::from_unix_timestamp(secs)
            .map(DateTime)
            .map_err(|e| Error::invalid_request(format!("timestamp out of range: {e}")))
    }

    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The wrapped [`time::OffsetDateTime`] (UTC).
    pub fn as_offset(&self) -> OffsetDateTime {
        self.0
    }

    /// Parses an RFC 3339 timestamp.
    pub fn parse(s: &str) -> Result<Self, Error> {
        OffsetDateTime::parse(s, &Rfc3339)
            .map(DateTime::from_offset)
            .map_err(|e| Error::invalid_request(format!("invalid RFC 3339 timestamp `{s}`: {e}")))
    }
}

impl From<OffsetDateTime> for DateTime {
    fn from(t: OffsetDateTime) -> Self {
        DateTime::from_offset(t)
    }
}

impl From<DateTime> for OffsetDateTime {
    fn from(t: DateTime) -> Self {
        t.0
    }
}

impl FromStr for DateTime {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        DateTime::parse(s)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        let nanos = t.nanosecond();
        if nanos != 0 {
            if nanos % 1000 == 0 {
                write!(f, ".{:06}", nanos / 1000)?;
            } else {
                write!(f, ".{nanos:09}")?;
            }
        }
        f.write_str("Z")
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DateTime({self})")
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateTime, E> {
                OffsetDateTime::parse(v, &Rfc3339)
                    .map(DateTime::from_offset)
                    .map_err(|e| E::custom(format!("invalid RFC 3339 timestamp `{v}`: {e}")))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_the_sdk() {
        let t = DateTime::parse("2024-01-02T03:04:05Z").ok();
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2024-01-02T03:04:05Z")
        );
        let t = DateTime::parse("2024-01-02T03:04:05.123Z").ok();
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2024-01-02T03:04:05.123000Z")
        );
        let t = DateTime::parse("2024-01-02T03:04:05.000000001Z").ok();
        assert_eq!(
            t.map(|t| t.to_string()).as_deref(),
            Some("2024-01-02T03:04:05.000000001Z")
        );
    }

    #[test]
    fn converts_offsets_to_utc_and_round_trips_json() {
        let t: DateTime = serde_json::from_str("\"2024-01-02T00:30:00-03:00\"").unwrap();
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "\"2024-01-02T03:30:00Z\""
        );
    }

    #[test]
    fn rejects_garbage_with_a_typed_error() {
        assert!(DateTime::parse("yesterday").is_err_and(|e| e.is_invalid_request()));
        assert!(serde_json::from_str::<DateTime>("\"2024-13-01T00:00:00Z\"").is_err());
        assert!(serde_json::from_str::<DateTime>("12").is_err());
    }
}
