//! Downloads: parallel ranges to a file, in order to a writer, small and empty objects, a
//! broken body resumed, an object changed mid-way.

use crate::env::*;

#[tokio::test]
async fn downloads_in_parallel_ranges_to_a_file() {
    let env = env().await;
    let data = content(5 * MIB as usize + 99, 13);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "down.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("down.bin");
    std::fs::write(&path, b"old content to be replaced").unwrap();
    let (seen, progress) = recorder();
    let out = env
        .tm(3)
        .download_to_file(&env.ns, BUCKET, "down.bin", &path)
        .progress(progress)
        .await
        .unwrap();
    assert_eq!(out.bytes, data.len() as u64);
    assert_eq!(out.chunks, 6);
    assert_eq!(env.ops("HeadObject"), vec![Some(200)]);
    assert_eq!(env.ops("GetObject"), vec![Some(206); 6]);
    assert_eq!(sha(&std::fs::read(&path).unwrap()), sha(&data));
    // No temporary file is left next to the target.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
    assert_eq!(seen.last().unwrap().bytes_done, data.len() as u64);
}

#[tokio::test]
async fn downloads_to_a_writer_in_order() {
    let env = env().await;
    let data = content(4 * MIB as usize + 1, 14);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "ordered.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    // Later ranges answer faster than earlier ones; the output stays in order.
    env.emu.add_fault(
        Fault::latency(Duration::from_millis(80))
            .operation("GetObject")
            .nth(1),
    );
    let mut out = Vec::new();
    let done = env
        .tm(3)
        .download_to_writer(&env.ns, BUCKET, "ordered.bin", &mut out)
        .await
        .unwrap();
    assert_eq!(done.chunks, 5);
    assert_eq!(env.ops("GetObject").len(), 5);
    assert_eq!(sha(&out), sha(&data));
}

#[tokio::test]
async fn a_small_object_is_one_streamed_get() {
    let env = env().await;
    let data = content(200 * 1024, 15);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "tiny.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.bin");
    let out = env
        .tm(3)
        .download_to_file(&env.ns, BUCKET, "tiny.bin", &path)
        .await
        .unwrap();
    assert_eq!(out.chunks, 1);
    assert_eq!(env.ops("GetObject"), vec![Some(200)]);
    assert_eq!(std::fs::read(&path).unwrap(), data.to_vec());
}

#[tokio::test]
async fn an_empty_object_round_trips() {
    let env = env().await;
    env.tm(3)
        .upload(&env.ns, BUCKET, "empty", UploadSource::bytes(Bytes::new()))
        .await
        .unwrap();
    let mut out = Vec::new();
    let done = env
        .tm(3)
        .download_to_writer(&env.ns, BUCKET, "empty", &mut out)
        .await
        .unwrap();
    assert_eq!(done.bytes, 0);
    assert!(out.is_empty());
}

#[tokio::test]
async fn a_range_whose_body_breaks_is_resumed_where_it_stopped() {
    let env = env_with(|b| b.body_stall_timeout(Duration::from_millis(100))).await;
    let data = content(3 * MIB as usize, 16);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "stall.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    env.emu.clear_journal();
    // The second range stalls after 100 KiB; the stall guard breaks it, the manager resumes.
    env.emu
        .add_fault(Fault::stall_body(100 * 1024).operation("GetObject").nth(2));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stall.bin");
    env.tm(3)
        .download_to_file(&env.ns, BUCKET, "stall.bin", &path)
        .await
        .unwrap();
    let gets: Vec<String> = env
        .emu
        .journal()
        .into_iter()
        .filter(|e| e.operation == "GetObject")
        .map(|e| e.path)
        .collect();
    assert_eq!(gets.len(), 4, "3 ranges + 1 resume: {gets:?}");
    assert_eq!(sha(&std::fs::read(&path).unwrap()), sha(&data));
}

#[tokio::test]
async fn an_object_changed_mid_download_fails_instead_of_mixing_versions() {
    let env = env().await;
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "moving.bin",
            UploadSource::bytes(content(3 * MIB as usize, 17)),
        )
        .await
        .unwrap();
    // Overwrite the object while the first ranges are delayed.
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(150)).operation("GetObject"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moving.bin");
    let tm = env.tm(1);
    let download = tm
        .download_to_file(&env.ns, BUCKET, "moving.bin", &path)
        .send();
    let overwrite = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        env.os
            .put_object()
            .namespace_name(&env.ns)
            .bucket_name(BUCKET)
            .object_name("moving.bin")
            .put_object_body(Body::from("replaced"))
            .send()
            .await
            .unwrap();
    };
    let (result, ()) = tokio::join!(download, overwrite);
    let err = result.unwrap_err();
    assert_eq!(
        err.status(),
        Some(http::StatusCode::PRECONDITION_FAILED),
        "{err}"
    );
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn a_download_cancelled_mid_way_leaves_the_target_untouched_and_no_temporary_file() {
    use oci_objectstorage::transfer::{is_cancelled, CancellationToken};
    let env = env().await;
    let data = content(3 * MIB as usize, 19);
    env.tm(1)
        .upload(&env.ns, BUCKET, "c.bin", UploadSource::bytes(data))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("c.bin");
    std::fs::write(&target, b"old").unwrap();
    let token = CancellationToken::new();
    let t = token.clone();
    env.emu.clear_journal();
    // Cancelled while the first of three ranges is being written.
    let err = env
        .tm(1)
        .download_to_file(&env.ns, BUCKET, "c.bin", &target)
        .progress(move |_| t.cancel())
        .cancel_token(token)
        .await
        .unwrap_err();
    assert!(is_cancelled(&err), "{err}");
    assert_eq!(
        env.ops("GetObject").len(),
        1,
        "no range after the cancellation"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["c.bin"]);
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
}
