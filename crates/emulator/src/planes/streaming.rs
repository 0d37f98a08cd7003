//! Streaming: stream pools, streams with partitions, cursors and messages.
//!
//! A message goes to the partition its key hashes to (round robin without a key) and gets the
//! next offset of that partition. A cursor is an opaque token naming a stream, a partition and
//! the next offset to read; `GetMessages` answers the messages from there and the cursor after
//! them. Messages older than the stream's retention are trimmed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::state::{DefinedTags, Tags};

/// `StreamPool`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamPool {
    pub id: String,
    pub compartment_id: String,
    pub name: String,
    pub lifecycle_state: String,
    pub time_created: String,
    pub is_private: bool,
    /// `KafkaSettings` (answered, not used).
    #[serde(default = "kafka_settings")]
    pub kafka_settings: serde_json::Value,
    /// `CustomEncryptionKey` (none: Oracle-managed).
    #[serde(default = "custom_encryption_key")]
    pub custom_encryption_key: serde_json::Value,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// A new pool's `kafkaSettings`.
pub(crate) fn kafka_settings() -> serde_json::Value {
    serde_json::json!({ "autoCreateTopicsEnable": false, "logRetentionHours": 24, "numPartitions": 1 })
}

/// A new pool's `customEncryptionKey`.
pub(crate) fn custom_encryption_key() -> serde_json::Value {
    serde_json::json!({ "keyState": "NONE" })
}

/// `Stream` (without `messagesEndpoint`, which depends on the host the client used).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Stream {
    pub name: String,
    pub id: String,
    pub partitions: u32,
    pub retention_in_hours: u32,
    pub compartment_id: String,
    pub stream_pool_id: String,
    pub lifecycle_state: String,
    pub time_created: String,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// One stored message (key and value base64, as on the wire).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredMessage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub value: String,
    pub offset: u64,
    pub timestamp_ms: u64,
}

/// One partition: the offset of its first retained message, and the messages.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Partition {
    pub trimmed: u64,
    pub messages: Vec<StoredMessage>,
}

impl Partition {
    fn next_offset(&self) -> u64 {
        self.trimmed + self.messages.len() as u64
    }
}

/// A stream with its partitions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StreamData {
    pub stream: Stream,
    pub partitions: Vec<Partition>,
    pub round_robin: u32,
}

/// Where a cursor starts (`CreateCursorDetails.type`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CursorStart {
    TrimHorizon,
    AtOffset(u64),
    AfterOffset(u64),
    Latest,
    AtTime(u64),
}

/// What a cursor token holds.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct CursorToken {
    s: String,
    p: u32,
    o: u64,
}

/// The most messages one `GetMessages` answers.
pub(crate) const MAX_LIMIT: usize = 10_000;

impl StreamData {
    /// A new stream with empty partitions.
    pub fn new(stream: Stream) -> Self {
        let n = stream.partitions.max(1) as usize;
        StreamData {
            stream,
            partitions: vec![Partition::default(); n],
            round_robin: 0,
        }
    }

    fn trim(&mut self, now_ms: u64) {
        let keep_ms = u64::from(self.stream.retention_in_hours) * 3_600_000;
        let cutoff = now_ms.saturating_sub(keep_ms);
        for p in &mut self.partitions {
            let old = p
                .messages
                .iter()
                .take_while(|m| m.timestamp_ms < cutoff)
                .count();
            if old > 0 {
                p.messages.drain(..old);
                p.trimmed += old as u64;
            }
        }
    }

    /// Appends a message; its partition and offset.
    pub fn put(&mut self, now_ms: u64, key: Option<String>, value: String) -> (u32, u64) {
        self.trim(now_ms);
        let n = self.partitions.len() as u32;
        let partition = match &key {
            Some(k) => {
                let h = Sha256::digest(k.as_bytes());
                u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % n
            }
            None => {
                self.round_robin = self.round_robin.wrapping_add(1);
                self.round_robin % n
            }
        };
        let p = &mut self.partitions[partition as usize];
        let offset = p.next_offset();
        p.messages.push(StoredMessage {
            key,
            value,
            offset,
            timestamp_ms: now_ms,
        });
        (partition, offset)
    }

    fn partition(&self, partition: &str) -> ApiResult<(u32, &Partition)> {
        partition
            .parse::<u32>()
            .ok()
            .and_then(|i| self.partitions.get(i as usize).map(|p| (i, p)))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "partition `{partition}` does not exist (the stream has {})",
                    self.partitions.len()
                ))
            })
    }

    /// A cursor on one partition.
    pub fn cursor(
        &mut self,
        now_ms: u64,
        partition: &str,
        start: CursorStart,
    ) -> ApiResult<String> {
        self.trim(now_ms);
        let (p, part) = self.partition(partition)?;
        let next = part.next_offset();
        let offset = match start {
            CursorStart::TrimHorizon => part.trimmed,
            CursorStart::Latest => next,
            CursorStart::AtOffset(o) | CursorStart::AfterOffset(o)
                if o < part.trimmed || o >= next =>
            {
                return Err(ApiError::invalid(format!(
                    "offset {o} is outside the partition's offsets ({}..{next})",
                    part.trimmed
                )))
            }
            CursorStart::AtOffset(o) => o,
            CursorStart::AfterOffset(o) => o + 1,
            CursorStart::AtTime(t) => part
                .messages
                .iter()
                .find(|m| m.timestamp_ms >= t)
                .map_or(next, |m| m.offset),
        };
        Ok(self.token(p, offset))
    }

    fn token(&self, p: u32, o: u64) -> String {
        let token = CursorToken {
            s: self.stream.id.clone(),
            p,
            o,
        };
        B64URL.encode(serde_json::to_vec(&token).unwrap_or_default())
    }

    /// The messages at a cursor (up to `limit`) with the partition, and the next cursor.
    pub fn read(
        &mut self,
        now_ms: u64,
        cursor: &str,
        limit: usize,
    ) -> ApiResult<(u32, Vec<StoredMessage>, String)> {
        self.trim(now_ms);
        let bad = || ApiError::invalid("the cursor is not valid for this stream");
        let token: CursorToken = B64URL
            .decode(cursor)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(bad)?;
        if token.s != self.stream.id {
            return Err(bad());
        }
        let part = self.partitions.get(token.p as usize).ok_or_else(bad)?;
        // A cursor behind the trim point reads from the oldest retained message.
        let from = token.o.max(part.trimmed);
        let skip = (from - part.trimmed) as usize;
        let msgs: Vec<StoredMessage> = part
            .messages
            .iter()
            .skip(skip)
            .take(limit.min(MAX_LIMIT))
            .cloned()
            .collect();
        let next = msgs.last().map_or(from, |m| m.offset + 1);
        Ok((token.p, msgs, self.token(token.p, next)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn stream(partitions: u32) -> StreamData {
        StreamData::new(Stream {
            name: "s".into(),
            id: "sid".into(),
            partitions,
            retention_in_hours: 24,
            compartment_id: "c".into(),
            stream_pool_id: "p".into(),
            lifecycle_state: "ACTIVE".into(),
            time_created: String::new(),
            freeform_tags: Tags::new(),
            defined_tags: DefinedTags::new(),
        })
    }

    fn values(m: &[StoredMessage]) -> Vec<&str> {
        m.iter().map(|m| m.value.as_str()).collect()
    }

    #[test]
    fn cursors_start_where_asked_and_advance() {
        let mut s = stream(1);
        for (i, v) in ["a", "b", "c"].iter().enumerate() {
            assert_eq!(s.put(i as u64 * 10, None, (*v).into()), (0, i as u64));
        }
        let c = s.cursor(30, "0", CursorStart::TrimHorizon).unwrap();
        let (_, m, next) = s.read(30, &c, 2).unwrap();
        assert_eq!(values(&m), ["a", "b"]);
        let (_, m, next) = s.read(30, &next, 10).unwrap();
        assert_eq!(values(&m), ["c"]);
        let (_, m, again) = s.read(30, &next, 10).unwrap();
        assert!(m.is_empty());
        assert_eq!(again, next);

        let at = s.cursor(30, "0", CursorStart::AtOffset(1)).unwrap();
        assert_eq!(values(&s.read(30, &at, 10).unwrap().1), ["b", "c"]);
        let after = s.cursor(30, "0", CursorStart::AfterOffset(1)).unwrap();
        assert_eq!(values(&s.read(30, &after, 10).unwrap().1), ["c"]);
        let t = s.cursor(30, "0", CursorStart::AtTime(10)).unwrap();
        assert_eq!(values(&s.read(30, &t, 10).unwrap().1), ["b", "c"]);
        let latest = s.cursor(30, "0", CursorStart::Latest).unwrap();
        assert!(s.read(30, &latest, 10).unwrap().1.is_empty());
        s.put(40, None, "d".into());
        assert_eq!(values(&s.read(40, &latest, 10).unwrap().1), ["d"]);

        assert!(s.cursor(40, "0", CursorStart::AtOffset(9)).is_err());
        assert!(s.cursor(40, "1", CursorStart::Latest).is_err());
        assert!(s.read(40, "garbage", 10).is_err());
    }

    #[test]
    fn keys_pick_stable_partitions_and_offsets_are_per_partition() {
        let mut s = stream(4);
        let (p1, o1) = s.put(0, Some("a2V5".into()), "1".into());
        let (p2, o2) = s.put(0, Some("a2V5".into()), "2".into());
        assert_eq!((p1, o2), (p2, o1 + 1));
        let spread: std::collections::HashSet<u32> =
            (0..8).map(|_| s.put(0, None, "x".into()).0).collect();
        assert_eq!(spread.len(), 4);
        let mut other = stream(4);
        other.stream.id = "other".into();
        let c = s
            .cursor(0, &p1.to_string(), CursorStart::TrimHorizon)
            .unwrap();
        assert!(
            other.read(0, &c, 10).is_err(),
            "a cursor is bound to its stream"
        );
    }

    #[test]
    fn retention_trims_old_messages() {
        let mut s = stream(1);
        s.put(0, None, "old".into());
        s.put(3_600_000 * 23, None, "new".into());
        let c = s
            .cursor(3_600_000 * 25, "0", CursorStart::TrimHorizon)
            .unwrap();
        let (_, m, _) = s.read(3_600_000 * 25, &c, 10).unwrap();
        assert_eq!(values(&m), ["new"]);
        assert_eq!(m[0].offset, 1);
    }
}
