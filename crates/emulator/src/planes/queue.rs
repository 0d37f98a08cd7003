//! Queue: queues and their messages, on the emulator's clock.
//!
//! At-least-once delivery: a message taken by `GetMessages` is invisible for its visibility
//! timeout and then visible again (with a new receipt) unless it was deleted; each delivery
//! counts. A receipt names one delivery: once the message is delivered again, the old receipt
//! no longer deletes or updates it. Messages expire after the queue's retention.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::{DefinedTags, Tags};
use crate::util;

/// `Queue` (without `messagesEndpoint`, which depends on the host the client used).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Queue {
    pub id: String,
    pub display_name: String,
    pub compartment_id: String,
    pub time_created: String,
    pub time_updated: String,
    pub lifecycle_state: String,
    pub retention_in_seconds: u64,
    pub visibility_in_seconds: u64,
    pub timeout_in_seconds: u64,
    pub dead_letter_queue_delivery_count: u32,
    pub channel_consumption_limit: u32,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// One stored message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Message {
    pub id: u64,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    pub created_ms: u64,
    pub visible_after_ms: u64,
    pub expire_after_ms: u64,
    pub delivery_count: u32,
    /// The receipt of the latest delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
}

/// A queue with its messages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueueData {
    pub queue: Queue,
    pub messages: Vec<Message>,
    pub next_id: u64,
}

/// A Queue work request (creating, updating or deleting a queue finishes at once).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkRequest {
    pub id: String,
    pub operation_type: String,
    pub compartment_id: String,
    pub queue_id: String,
    pub time: String,
}

/// A delivered message, as `GetMessage` on the wire.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Delivered {
    pub id: u64,
    pub content: String,
    pub receipt: String,
    pub delivery_count: u32,
    pub visible_after: String,
    pub expire_after: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// The limits OCI documents for `GetMessages`.
pub(crate) const MAX_TIMEOUT_SECS: u64 = 30;
/// The longest visibility timeout (12 hours).
pub(crate) const MAX_VISIBILITY_SECS: u64 = 43_200;

impl QueueData {
    /// A new, empty queue.
    pub fn new(queue: Queue) -> Self {
        QueueData {
            queue,
            messages: Vec::new(),
            next_id: 1,
        }
    }

    /// Drops expired messages.
    fn expire(&mut self, now_ms: u64) {
        self.messages.retain(|m| m.expire_after_ms > now_ms);
    }

    /// Adds messages; their ids and expiry.
    pub fn put(
        &mut self,
        now_ms: u64,
        messages: Vec<(String, Option<Value>)>,
    ) -> Vec<(u64, String)> {
        self.expire(now_ms);
        let expire = now_ms + self.queue.retention_in_seconds * 1000;
        messages
            .into_iter()
            .map(|(content, metadata)| {
                let id = self.next_id;
                self.next_id += 1;
                self.messages.push(Message {
                    id,
                    content,
                    metadata,
                    created_ms: now_ms,
                    visible_after_ms: now_ms,
                    expire_after_ms: expire,
                    delivery_count: 0,
                    receipt: None,
                });
                (id, util::rfc3339(expire))
            })
            .collect()
    }

    /// Delivers up to `limit` visible messages, hiding each for `visibility_secs` (the queue's
    /// default when `None`).
    pub fn get(
        &mut self,
        now_ms: u64,
        limit: usize,
        visibility_secs: Option<u64>,
        seed: u64,
    ) -> Vec<Delivered> {
        self.expire(now_ms);
        let hide = visibility_secs.unwrap_or(self.queue.visibility_in_seconds) * 1000;
        let queue_id = self.queue.id.clone();
        self.messages
            .iter_mut()
            .filter(|m| m.visible_after_ms <= now_ms)
            .take(limit)
            .map(|m| {
                m.delivery_count += 1;
                m.visible_after_ms = now_ms + hide;
                let receipt = receipt(seed, &queue_id, m.id, m.delivery_count);
                m.receipt = Some(receipt.clone());
                Delivered {
                    id: m.id,
                    content: m.content.clone(),
                    receipt,
                    delivery_count: m.delivery_count,
                    visible_after: util::rfc3339(m.visible_after_ms),
                    expire_after: util::rfc3339(m.expire_after_ms),
                    created_at: util::rfc3339(m.created_ms),
                    metadata: m.metadata.clone(),
                }
            })
            .collect()
    }

    fn by_receipt(&mut self, now_ms: u64, receipt: &str) -> ApiResult<usize> {
        self.expire(now_ms);
        self.messages
            .iter()
            .position(|m| m.receipt.as_deref() == Some(receipt))
            .ok_or_else(|| {
                ApiError::new(
                    404,
                    "NotAuthorizedOrNotFound",
                    "no message holds this receipt (deleted, expired, or delivered again since)",
                )
            })
    }

    /// Deletes the message a receipt names.
    pub fn delete(&mut self, now_ms: u64, receipt: &str) -> ApiResult<()> {
        let i = self.by_receipt(now_ms, receipt)?;
        self.messages.remove(i);
        Ok(())
    }

    /// Changes the visibility of a delivered message: visible again `visibility_secs` from now.
    pub fn update(
        &mut self,
        now_ms: u64,
        receipt: &str,
        visibility_secs: u64,
    ) -> ApiResult<(u64, String)> {
        check_visibility(visibility_secs)?;
        let i = self.by_receipt(now_ms, receipt)?;
        let m = &mut self.messages[i];
        m.visible_after_ms = now_ms + visibility_secs * 1000;
        Ok((m.id, util::rfc3339(m.visible_after_ms)))
    }

    /// `(visible, in flight)` message counts.
    pub fn stats(&self, now_ms: u64) -> (usize, usize) {
        let live = self.messages.iter().filter(|m| m.expire_after_ms > now_ms);
        let visible = live
            .clone()
            .filter(|m| m.visible_after_ms <= now_ms)
            .count();
        (visible, live.count() - visible)
    }
}

/// Checks a visibility timeout (0..=12 h).
pub(crate) fn check_visibility(secs: u64) -> ApiResult<()> {
    if secs > MAX_VISIBILITY_SECS {
        return Err(ApiError::invalid(format!(
            "visibilityInSeconds must be from 0 to {MAX_VISIBILITY_SECS}, got {secs}"
        )));
    }
    Ok(())
}

/// The receipt of one delivery: opaque, URL-safe, unique per delivery.
fn receipt(seed: u64, queue_id: &str, id: u64, delivery: u32) -> String {
    let tail = util::derived_text(seed, queue_id, id << 20 | u64::from(delivery), 24);
    format!("r{id}-{delivery}-{tail}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn queue(visibility: u64, retention: u64) -> QueueData {
        QueueData::new(Queue {
            id: "q".into(),
            display_name: "q".into(),
            compartment_id: "c".into(),
            time_created: String::new(),
            time_updated: String::new(),
            lifecycle_state: "ACTIVE".into(),
            retention_in_seconds: retention,
            visibility_in_seconds: visibility,
            timeout_in_seconds: 0,
            dead_letter_queue_delivery_count: 0,
            channel_consumption_limit: 100,
            freeform_tags: Tags::new(),
            defined_tags: DefinedTags::new(),
        })
    }

    #[test]
    fn an_undeleted_message_reappears_after_its_visibility_timeout() {
        let mut q = queue(30, 3600);
        q.put(0, vec![("a".into(), None), ("b".into(), None)]);
        let first = q.get(1000, 1, None, 1);
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].content.as_str(), first[0].delivery_count),
            ("a", 1)
        );
        // Hidden: the next get takes "b", then nothing.
        assert_eq!(q.get(2000, 10, None, 1)[0].content, "b");
        assert!(q.get(30_999, 10, None, 1).is_empty());
        assert_eq!(q.stats(30_999), (0, 2));
        // 30 s after the first delivery "a" is back, with a new receipt.
        let again = q.get(31_000, 10, None, 1);
        assert_eq!(again.len(), 1);
        assert_eq!(
            (again[0].content.as_str(), again[0].delivery_count),
            ("a", 2)
        );
        assert_ne!(again[0].receipt, first[0].receipt);
        // The first receipt is stale; the new one deletes.
        assert_eq!(q.delete(31_000, &first[0].receipt).unwrap_err().status, 404);
        q.delete(31_000, &again[0].receipt).unwrap();
        assert!(q.get(100_000, 10, None, 1).iter().all(|m| m.content == "b"));
    }

    #[test]
    fn update_changes_visibility_and_retention_expires() {
        let mut q = queue(30, 60);
        q.put(0, vec![("a".into(), None)]);
        let d = q.get(0, 10, Some(5), 1);
        let (_, visible_after) = q.update(1000, &d[0].receipt, 100).unwrap();
        assert_eq!(visible_after, util::rfc3339(101_000));
        assert!(q.get(50_000, 10, None, 1).is_empty());
        assert!(q
            .update(1000, &d[0].receipt, MAX_VISIBILITY_SECS + 1)
            .is_err());
        // Retention (60 s) passes before it is visible again.
        assert!(q.get(101_000, 10, None, 1).is_empty());
        assert_eq!(q.stats(101_000), (0, 0));
    }
}
