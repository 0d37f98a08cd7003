//! Notifications (`/20181201`): topics and subscriptions (ACTIVE at once, except EMAIL
//! subscriptions, which stay PENDING until confirmed: the emulator sends no mail), and
//! `PublishMessage`, recorded with the subscriptions it reached (`Emulator::published_messages`).

use serde::{Deserialize, Serialize};

use super::common::{check_compartment, TagsIn};
use crate::error::ApiError;
use crate::http::{self as h, Reply};
use crate::planes::ons::{Subscription, Topic};
use crate::shared::{Call, Shared};
use crate::util;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTopic {
    name: String,
    compartment_id: String,
    description: Option<String>,
    #[serde(flatten)]
    tags: TagsIn,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateSubscription {
    topic_id: String,
    compartment_id: String,
    protocol: String,
    endpoint: String,
    #[serde(flatten)]
    tags: TagsIn,
}

#[derive(Deserialize)]
struct MessageDetails {
    title: Option<String>,
    body: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TopicOut<'a> {
    #[serde(flatten)]
    topic: &'a Topic,
    api_endpoint: String,
}

fn view<'a>(call: &Call, topic: &'a Topic) -> TopicOut<'a> {
    TopicOut {
        topic,
        api_endpoint: format!("{}/20181201/topics/{}", call.origin(), topic.topic_id),
    }
}

const PROTOCOLS: [&str; 6] = [
    "EMAIL",
    "HTTPS",
    "SLACK",
    "PAGERDUTY",
    "ORACLE_FUNCTIONS",
    "SMS",
];

/// Handles one authenticated Notifications request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    let q = &call.query;
    match call.op {
        "CreateTopic" => {
            let b: CreateTopic = h::parse_json(call.body.bytes())?;
            let mut state = shared.lock();
            check_compartment(&state, &b.compartment_id)?;
            let ons = &state.planes.notifications;
            if ons.topics.iter().any(|t| t.name == b.name) {
                return Err(ApiError::new(
                    409,
                    "Conflict",
                    format!("topic `{}` exists", b.name),
                ));
            }
            let topic = Topic {
                name: b.name,
                topic_id: state.next_ocid("onstopic"),
                short_topic_id: util::derived_text(state.seed, "topic", state.counter, 10),
                compartment_id: b.compartment_id,
                lifecycle_state: "ACTIVE".to_owned(),
                description: b.description,
                time_created: util::rfc3339(call.now_ms),
                etag: state.next_etag(),
                freeform_tags: b.tags.freeform_tags,
                defined_tags: b.tags.defined_tags,
            };
            state.planes.notifications.topics.push(topic.clone());
            h::json(200, &view(&call, &topic))
        }
        "GetTopic" => {
            let state = shared.lock();
            let t = state
                .planes
                .notifications
                .topics
                .iter()
                .find(|t| t.topic_id == call.param(0));
            h::json(
                200,
                &view(&call, t.ok_or_else(|| ApiError::not_found("Topic"))?),
            )
        }
        "ListTopics" => {
            let state = shared.lock();
            let compartment = h::required(q, "compartmentId")?;
            let items: Vec<TopicOut<'_>> = state
                .planes
                .notifications
                .topics
                .iter()
                .filter(|t| t.compartment_id == compartment)
                .filter(|t| q.get("name").map_or(true, |n| &t.name == n))
                .map(|t| view(&call, t))
                .collect();
            h::json(200, &items)
        }
        "CreateSubscription" => {
            let b: CreateSubscription = h::parse_json(call.body.bytes())?;
            if !PROTOCOLS.contains(&b.protocol.as_str()) {
                return Err(ApiError::invalid(format!(
                    "unknown protocol `{}`",
                    b.protocol
                )));
            }
            let mut state = shared.lock();
            check_compartment(&state, &b.compartment_id)?;
            if !state
                .planes
                .notifications
                .topics
                .iter()
                .any(|t| t.topic_id == b.topic_id)
            {
                return Err(ApiError::not_found("Topic"));
            }
            let sub = Subscription {
                id: state.next_ocid("onssubscription"),
                lifecycle_state: if b.protocol == "EMAIL" {
                    "PENDING"
                } else {
                    "ACTIVE"
                }
                .to_owned(),
                topic_id: b.topic_id,
                protocol: b.protocol,
                endpoint: b.endpoint,
                compartment_id: b.compartment_id,
                created_time: call.now_ms,
                etag: state.next_etag(),
                freeform_tags: b.tags.freeform_tags,
                defined_tags: b.tags.defined_tags,
            };
            state.planes.notifications.subscriptions.push(sub.clone());
            h::json(200, &sub)
        }
        "GetSubscription" => {
            let state = shared.lock();
            let s = state
                .planes
                .notifications
                .subscriptions
                .iter()
                .find(|s| s.id == call.param(0));
            h::json(200, s.ok_or_else(|| ApiError::not_found("Subscription"))?)
        }
        "ListSubscriptions" => {
            let state = shared.lock();
            let compartment = h::required(q, "compartmentId")?;
            let items: Vec<&Subscription> = state
                .planes
                .notifications
                .subscriptions
                .iter()
                .filter(|s| s.compartment_id == compartment)
                .filter(|s| q.get("topicId").map_or(true, |t| &s.topic_id == t))
                .collect();
            h::json(200, &items)
        }
        "PublishMessage" => {
            let b: MessageDetails = h::parse_json(call.body.bytes())?;
            if b.body.len() > 64 * 1024 {
                return Err(ApiError::invalid("the message body is limited to 64 KiB"));
            }
            let mut state = shared.lock();
            let topic = call.param(0);
            if !state
                .planes
                .notifications
                .topics
                .iter()
                .any(|t| t.topic_id == topic)
            {
                return Err(ApiError::not_found("Topic"));
            }
            let id = state.next_ocid("onsmessage");
            let time = util::rfc3339(call.now_ms);
            let published = state
                .planes
                .notifications
                .publish(id, topic, b.title, b.body, time);
            h::json(
                202,
                &serde_json::json!({
                    "messageId": published.message_id, "timeStamp": published.time_stamp
                }),
            )
        }
        other => Err(super::not_implemented("Notifications", other)),
    }
}
