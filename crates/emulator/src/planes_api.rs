//! What the data-plane services recorded, for tests: the Notifications messages published and
//! the Logging entries ingested.

use crate::Emulator;

/// A message published to a Notifications topic.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PublishedMessage {
    /// The message's OCID (`PublishResult.messageId`).
    pub message_id: String,
    /// The topic.
    pub topic_id: String,
    /// The title, if sent.
    pub title: Option<String>,
    /// The body.
    pub body: String,
    /// When it was published (RFC 3339, the emulator's clock).
    pub time: String,
    /// The active subscriptions of the topic it was delivered to.
    pub delivered_to: Vec<String>,
}

/// A log entry received by Logging ingestion's `PutLogs`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IngestedLogEntry {
    /// The log.
    pub log_id: String,
    /// The batch's source.
    pub source: String,
    /// The batch's type.
    pub kind: String,
    /// The batch's subject.
    pub subject: Option<String>,
    /// The entry's id.
    pub id: String,
    /// The entry's time (or the batch's default time).
    pub time: String,
    /// The entry's data.
    pub data: String,
}

impl Emulator {
    /// The messages published to Notifications topics, oldest first.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = oci_emulator::Emulator::builder().start().await?;
    /// for m in emulator.published_messages() {
    ///     println!("{} -> {:?}: {}", m.topic_id, m.delivered_to, m.body);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn published_messages(&self) -> Vec<PublishedMessage> {
        let state = self.shared.lock();
        state
            .planes
            .notifications
            .published
            .iter()
            .map(|p| PublishedMessage {
                message_id: p.message_id.clone(),
                topic_id: p.topic_id.clone(),
                title: p.title.clone(),
                body: p.body.clone(),
                time: p.time_stamp.clone(),
                delivered_to: p.delivered_to.clone(),
            })
            .collect()
    }

    /// The entries Logging ingestion received for a log (every log with `None`), oldest first.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let emulator = oci_emulator::Emulator::builder().start().await?;
    /// for e in emulator.log_entries(Some("ocid1.log.oc1..example")) {
    ///     println!("{} {} {}", e.time, e.source, e.data);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn log_entries(&self, log_id: Option<&str>) -> Vec<IngestedLogEntry> {
        let state = self.shared.lock();
        state
            .planes
            .logs
            .iter()
            .filter(|e| log_id.map_or(true, |id| e.log_id == id))
            .map(|e| IngestedLogEntry {
                log_id: e.log_id.clone(),
                source: e.source.clone(),
                kind: e.kind.clone(),
                subject: e.subject.clone(),
                id: e.id.clone(),
                time: e.time.clone(),
                data: e.data.clone(),
            })
            .collect()
    }
}
