//! A queue worker: long-poll, process, delete; a failed job comes back; graceful shutdown.
//!
//! Run with `cargo run --example queue_worker --features queue`. Against the in-process
//! emulator: a producer puts six jobs, one of which fails on its first attempt. The worker
//! long-polls (`timeoutInSeconds`), processes each job and deletes it with its receipt. The
//! failing job is not deleted: the worker shortens its visibility timeout (`UpdateMessage`) so
//! Queue redelivers it (at-least-once) and the next attempt succeeds; a job that fails
//! `MAX_ATTEMPTS` times would be dropped to a dead-letter log. The worker stops gracefully on
//! ctrl-c, or once it has handled `STOP_AFTER` jobs: it finishes the job in hand and leaves
//! the rest on the queue.

use std::time::Duration;

use oci_emulator::Emulator;
use oci_tower::queue::models::{
    CreateQueueDetails, GetMessage, PutMessagesDetails, PutMessagesDetailsEntry,
    UpdateMessageDetails,
};
use oci_tower::queue::{QueueAdminClient, QueueClient};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Stop after this many jobs are done.
const STOP_AFTER: usize = 6;
/// Give up on a job after this many deliveries.
const MAX_ATTEMPTS: i64 = 3;

/// The work: `job-3` fails on its first delivery.
fn process(m: &GetMessage) -> Result<(), String> {
    if m.content == "job-3" && m.delivery_count == 1 {
        return Err("downstream timed out".into());
    }
    Ok(())
}

async fn create_queue(admin: &QueueAdminClient, compartment: &str) -> Result<String, BoxError> {
    let created = admin
        .create_queue()
        .create_queue_details(CreateQueueDetails {
            display_name: "jobs".into(),
            compartment_id: compartment.into(),
            visibility_in_seconds: Some(30),
            ..Default::default()
        })
        .send()
        .await?;
    let wr = created.opc_work_request_id.ok_or("no work request")?;
    let wr = admin
        .get_work_request()
        .work_request_id(wr)
        .send()
        .await?
        .body;
    Ok(wr
        .resources
        .first()
        .ok_or("no queue in the work request")?
        .identifier
        .clone())
}

async fn worker(queue: QueueClient, id: String) -> Result<usize, BoxError> {
    let mut done = 0;
    let shutdown = tokio::signal::ctrl_c();
    tokio::pin!(shutdown);
    while done < STOP_AFTER {
        let poll = queue
            .get_messages()
            .queue_id(id.clone())
            .timeout_in_seconds(5) // long poll: answers as soon as a job is visible
            .limit(2)
            .send();
        let batch = tokio::select! {
            _ = &mut shutdown => { println!("ctrl-c: stopping"); break; }
            got = poll => got?.body.messages,
        };
        for m in batch {
            match process(&m) {
                Ok(()) => {
                    queue
                        .delete_message()
                        .queue_id(id.clone())
                        .message_receipt(m.receipt.clone())
                        .send()
                        .await?;
                    done += 1;
                    println!("  {} done (delivery {})", m.content, m.delivery_count);
                }
                Err(e) if m.delivery_count >= MAX_ATTEMPTS => {
                    println!(
                        "  {} failed {} times ({e}): dead-lettered",
                        m.content, m.delivery_count
                    );
                    queue
                        .delete_message()
                        .queue_id(id.clone())
                        .message_receipt(m.receipt.clone())
                        .send()
                        .await?;
                }
                Err(e) => {
                    // Not deleted: it comes back. Sooner than the 30 s default, in 1 s.
                    println!("  {} failed ({e}): retry in 1 s", m.content);
                    queue
                        .update_message()
                        .queue_id(id.clone())
                        .message_receipt(m.receipt.clone())
                        .update_message_details(UpdateMessageDetails {
                            visibility_in_seconds: 1,
                        })
                        .send()
                        .await?;
                }
            }
        }
    }
    Ok(done)
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let emulator = Emulator::builder().start().await?;
    let client = emulator.client_builder().build()?;
    let admin = QueueAdminClient::new(client);
    let id = create_queue(&admin, emulator.tenancy_id()).await?;
    let q = admin.get_queue().queue_id(id.clone()).send().await?.body;
    // The queue's data plane, at its messagesEndpoint, with the same stack and credentials.
    let queue = q.messages_client(&admin)?;

    let messages = (1..=STOP_AFTER)
        .map(|i| PutMessagesDetailsEntry {
            content: format!("job-{i}"),
            ..Default::default()
        })
        .collect();
    queue
        .put_messages()
        .queue_id(id.clone())
        .put_messages_details(PutMessagesDetails { messages })
        .send()
        .await?;
    println!("queued {STOP_AFTER} jobs on {id}");

    let started = std::time::Instant::now();
    let done =
        tokio::time::timeout(Duration::from_secs(30), worker(queue.clone(), id.clone())).await??;
    let stats = queue.get_stats().queue_id(id).send().await?.body;
    println!(
        "worker stopped after {done} jobs in {:.1}s; left on the queue: {} visible, {} in flight",
        started.elapsed().as_secs_f32(),
        stats.queue.visible_messages,
        stats.queue.in_flight_messages
    );
    assert_eq!(done, STOP_AFTER);
    emulator.shutdown().await;
    Ok(())
}
