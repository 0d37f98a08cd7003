//! Queue (`/20210201`): queues and work requests (`admin`), messages (`messages`: put, get with
//! a visibility timeout and a long poll on the emulator's clock, update, delete, stats).
//!
//! A queue's `messagesEndpoint` is `<origin>/endpoints/queue/<queueId>` (`route::MOUNT`); the
//! message operations answer there and on the plain path alike.

mod admin;
mod messages;

use crate::error::{ApiError, ApiResult};
use crate::http::Reply;
use crate::planes::queue::QueueData;
use crate::shared::{Call, Shared};

/// Handles one authenticated Queue request.
pub(crate) async fn handle(shared: &Shared, call: Call) -> Reply {
    match call.op {
        "CreateQueue" | "GetQueue" | "ListQueues" | "DeleteQueue" | "GetWorkRequest" => {
            admin::handle(shared, &call)
        }
        "PutMessages" | "GetMessages" | "UpdateMessage" | "DeleteMessage" | "DeleteMessages"
        | "GetStats" => messages::handle(shared, call).await,
        other => Err(super::not_implemented("Queue", other)),
    }
}

/// A queue by id.
fn find<'a>(queues: &'a [QueueData], id: &str) -> ApiResult<&'a QueueData> {
    queues
        .iter()
        .find(|q| q.queue.id == id)
        .ok_or_else(|| ApiError::not_found("Queue"))
}

/// A queue by id, to change.
fn find_mut<'a>(queues: &'a mut [QueueData], id: &str) -> ApiResult<&'a mut QueueData> {
    queues
        .iter_mut()
        .find(|q| q.queue.id == id)
        .ok_or_else(|| ApiError::not_found("Queue"))
}
