//! Notifications: topics, subscriptions, and the messages published to them (kept, with the
//! subscriptions each was delivered to, for tests to read).

use serde::{Deserialize, Serialize};

use crate::state::{DefinedTags, Tags};

/// `NotificationTopic` (without `apiEndpoint`, which depends on the host the client used).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Topic {
    pub name: String,
    pub topic_id: String,
    pub short_topic_id: String,
    pub compartment_id: String,
    pub lifecycle_state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub time_created: String,
    pub etag: String,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// `Subscription`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Subscription {
    pub id: String,
    pub topic_id: String,
    pub protocol: String,
    pub endpoint: String,
    pub lifecycle_state: String,
    pub compartment_id: String,
    /// Milliseconds since the epoch, as OCI answers.
    pub created_time: u64,
    pub etag: String,
    pub freeform_tags: Tags,
    pub defined_tags: DefinedTags,
}

/// A published message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Published {
    pub message_id: String,
    pub topic_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub body: String,
    pub time_stamp: String,
    /// The active subscriptions it was delivered to.
    pub delivered_to: Vec<String>,
}

/// The Notifications state.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Notifications {
    pub topics: Vec<Topic>,
    pub subscriptions: Vec<Subscription>,
    pub published: Vec<Published>,
}

impl Notifications {
    /// Records a message published to a topic, delivered to its active subscriptions.
    pub fn publish(
        &mut self,
        message_id: String,
        topic_id: &str,
        title: Option<String>,
        body: String,
        time_stamp: String,
    ) -> &Published {
        let delivered_to = self
            .subscriptions
            .iter()
            .filter(|s| s.topic_id == topic_id && s.lifecycle_state == "ACTIVE")
            .map(|s| s.id.clone())
            .collect();
        self.published.push(Published {
            message_id,
            topic_id: topic_id.to_owned(),
            title,
            body,
            time_stamp,
            delivered_to,
        });
        &self.published[self.published.len() - 1]
    }
}
