//! Streaming (`/20180418`): stream pools and streams (`admin`), messages with partitions and
//! cursors (`messages`).
//!
//! A stream's `messagesEndpoint` is `<origin>/endpoints/streaming/<streamPoolId>`
//! (`route::MOUNT`); the message operations answer there and on the plain path alike.

mod admin;
mod messages;

use crate::error::{ApiError, ApiResult};
use crate::http::Reply;
use crate::planes::streaming::StreamData;
use crate::shared::{Call, ReqBody, Shared};

/// The largest `PutMessages` body.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Handles one authenticated Streaming request.
pub(crate) async fn handle(shared: &Shared, mut call: Call) -> Reply {
    if call.op == "PutMessages" {
        // Signed without its body (as OCI's SDKs send it): read it here.
        let body = call.take_body().read(MAX_BODY).await?;
        call.body = ReqBody::Bytes(body);
    }
    match call.op {
        "CreateStreamPool" | "GetStreamPool" | "ListStreamPools" | "CreateStream" | "GetStream"
        | "ListStreams" | "DeleteStream" => admin::handle(shared, &call),
        "PutMessages" | "GetMessages" | "CreateCursor" => messages::handle(shared, &call),
        other => Err(super::not_implemented("Streaming", other)),
    }
}

/// A stream by id, to read or append.
fn find_mut<'a>(streams: &'a mut [StreamData], id: &str) -> ApiResult<&'a mut StreamData> {
    streams
        .iter_mut()
        .find(|s| s.stream.id == id)
        .ok_or_else(|| ApiError::not_found("Stream"))
}
