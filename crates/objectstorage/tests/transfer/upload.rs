//! Uploads: single put or multipart, parallel parts within the bound, files, streams and readers,
//! settings checked before any request.

use crate::env::*;

#[tokio::test]
async fn small_content_is_one_put_object_with_content_md5() {
    let env = env().await;
    let data = content(300 * 1024, 1);
    let (seen, progress) = recorder();
    let out = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "small.bin",
            UploadSource::bytes(data.clone()),
        )
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(out.parts, 1);
    assert_eq!(out.upload_id, None);
    assert!(out.etag.is_some());
    assert_eq!(env.ops("PutObject"), vec![Some(200)]);
    assert!(env.ops("CreateMultipartUpload").is_empty());
    assert!(env.ops("UploadPart").is_empty());
    // The service checked our Content-MD5 and echoes its own.
    use base64::Engine as _;
    let md5 = base64::engine::general_purpose::STANDARD.encode(md5_of(&data));
    assert_eq!(out.content_md5.as_deref(), Some(md5.as_str()));
    assert_eq!(sha(&env.get("small.bin").await), sha(&data));
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Progress {
            bytes_done: data.len() as u64,
            total_bytes: data.len() as u64
        }]
    );
}

#[tokio::test]
async fn content_of_exactly_one_part_is_still_a_single_put() {
    let env = env().await;
    let data = content(MIB as usize, 2);
    let out = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "edge.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    assert_eq!(out.parts, 1);
    assert_eq!(env.ops("PutObject").len(), 1);
    assert!(env.ops("UploadPart").is_empty());
}

#[tokio::test]
async fn large_content_goes_multipart_and_round_trips_byte_exact() {
    let env = env().await;
    let data = content(5 * MIB as usize + 12345, 3);
    let (seen, progress) = recorder();
    let out = env
        .tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "dir/big.bin",
            UploadSource::bytes(data.clone()),
        )
        .content_type("application/x-test")
        .metadata("origin", "transfer-test")
        .progress(progress)
        .send()
        .await
        .unwrap();
    assert_eq!(out.parts, 6);
    assert_eq!(out.part_size, MIB);
    assert!(out.upload_id.is_some());
    assert!(out
        .multipart_md5
        .as_deref()
        .is_some_and(|m| m.ends_with("-6")));
    assert_eq!(env.ops("CreateMultipartUpload"), vec![Some(200)]);
    assert_eq!(env.ops("UploadPart"), vec![Some(200); 6]);
    assert_eq!(env.ops("CommitMultipartUpload"), vec![Some(200)]);
    assert!(env.ops("PutObject").is_empty());
    // Every part went with its Content-MD5 and the right length; in-memory parts are slices.
    let parts = env.probe.parts.lock().unwrap().clone();
    assert!(parts.iter().all(|p| p.md5_header && p.replayable));
    let mut lens: Vec<u64> = parts.iter().map(|p| p.len.unwrap()).collect();
    lens.sort_unstable();
    assert_eq!(lens, vec![12345, MIB, MIB, MIB, MIB, MIB]);

    assert_eq!(sha(&env.get("dir/big.bin").await), sha(&data));
    let head = env
        .os
        .head_object()
        .namespace_name(&env.ns)
        .bucket_name(BUCKET)
        .object_name("dir/big.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type.as_deref(), Some("application/x-test"));
    assert_eq!(
        head.opc_meta.get("origin").map(String::as_str),
        Some("transfer-test")
    );
    assert_eq!(env.open_uploads().await, 0);

    // Progress: one call per part, increasing, ending at the total.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 6);
    assert!(seen.windows(2).all(|w| w[0].bytes_done < w[1].bytes_done));
    assert!(seen.iter().all(|p| p.total_bytes == data.len() as u64));
    assert_eq!(seen.last().unwrap().bytes_done, data.len() as u64);
}

#[tokio::test]
async fn parts_are_sent_in_parallel_up_to_the_bound() {
    let env = env().await;
    // Each part takes at least 150 ms at the emulator, so parts in flight overlap.
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(150)).operation("UploadPart"));
    let data = content(7 * MIB as usize, 4);
    env.tm(3)
        .upload(
            &env.ns,
            BUCKET,
            "parallel.bin",
            UploadSource::bytes(data.clone()),
        )
        .await
        .unwrap();
    assert_eq!(env.ops("UploadPart").len(), 7);
    assert_eq!(env.probe.max_in_flight.load(Ordering::SeqCst), 3);

    let env = self::env().await;
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(100)).operation("UploadPart"));
    env.tm(1)
        .upload(
            &env.ns,
            BUCKET,
            "serial.bin",
            UploadSource::bytes(content(3 * MIB as usize, 5)),
        )
        .await
        .unwrap();
    assert_eq!(env.probe.max_in_flight.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_file_is_streamed_part_by_part_from_disk() {
    let env = env().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("source.bin");
    let data = content(3 * MIB as usize + 777, 9);
    std::fs::write(&path, &data).unwrap();
    // The first attempt of part 2 fails: its retry re-opens the file range.
    env.emu.add_fault(
        Fault::status(500, "InternalServerError")
            .operation("UploadPart")
            .nth(2),
    );
    let out = env
        .tm(2)
        .upload(&env.ns, BUCKET, "from-file.bin", UploadSource::file(&path))
        .await
        .unwrap();
    assert_eq!(out.parts, 4);
    // Each part body is a replayable stream of exactly its range, never the file in memory.
    let parts = env.probe.parts.lock().unwrap().clone();
    assert_eq!(parts.len(), 5);
    assert!(parts
        .iter()
        .all(|p| !p.in_memory && p.replayable && p.md5_header));
    assert!(parts
        .iter()
        .all(|p| p.len == Some(MIB) || p.len == Some(777)));
    assert_eq!(sha(&env.get("from-file.bin").await), sha(&data));
}

#[tokio::test]
async fn a_small_file_is_one_streamed_put() {
    let env = env().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.txt");
    std::fs::write(&path, b"hello, object storage").unwrap();
    env.tm(3)
        .upload(&env.ns, BUCKET, "small.txt", UploadSource::file(&path))
        .content_type("text/plain")
        .await
        .unwrap();
    assert_eq!(env.ops("PutObject"), vec![Some(200)]);
    assert_eq!(&env.get("small.txt").await[..], b"hello, object storage");
}

#[tokio::test]
async fn a_stream_is_read_one_part_at_a_time() {
    let env = env().await;
    env.emu
        .add_fault(Fault::latency(Duration::from_millis(30)).operation("UploadPart"));
    let data = content(8 * MIB as usize, 10);
    let pulled = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let worst = Arc::new(AtomicU64::new(0));
    // 64 KiB chunks, counting what the manager has pulled from the stream.
    let chunks: Vec<Bytes> = data.chunks(64 * 1024).map(Bytes::copy_from_slice).collect();
    let p = pulled.clone();
    let stream = futures_util::stream::iter(chunks.into_iter().map(move |c| {
        p.fetch_add(c.len() as u64, Ordering::SeqCst);
        Ok::<_, std::io::Error>(c)
    }));
    // At every part attempt, bytes pulled but not yet stored must fit in parallelism parts.
    let (pl, dn, w) = (pulled.clone(), done.clone(), worst.clone());
    *env.probe.on_part.lock().unwrap() = Some(Box::new(move || {
        let held = pl.load(Ordering::SeqCst) - dn.load(Ordering::SeqCst);
        w.fetch_max(held, Ordering::SeqCst);
    }));
    let d = done.clone();
    let out = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "streamed.bin",
            UploadSource::stream(stream, data.len() as u64),
        )
        .progress(move |p| d.store(p.bytes_done, Ordering::SeqCst))
        .await
        .unwrap();
    assert_eq!(out.parts, 8);
    let worst = worst.load(Ordering::SeqCst);
    assert!(worst <= 2 * MIB, "held {worst} bytes at once");
    assert!(worst >= MIB, "at least the part being sent: {worst}");
    assert_eq!(sha(&env.get("streamed.bin").await), sha(&data));
}

#[tokio::test]
async fn a_reader_source_uploads() {
    let env = env().await;
    let data = content(2 * MIB as usize + 5, 12);
    let reader = std::io::Cursor::new(data.to_vec());
    let out = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "reader.bin",
            UploadSource::reader(reader, data.len() as u64),
        )
        .await
        .unwrap();
    assert_eq!(out.parts, 3);
    assert_eq!(sha(&env.get("reader.bin").await), sha(&data));
}

#[tokio::test]
async fn bad_settings_are_rejected_before_any_request() {
    let env = env().await;
    for b in [
        TransferManager::builder(env.os.clone()).part_size(1024),
        TransferManager::builder(env.os.clone()).part_size(51 * 1024 * MIB),
        TransferManager::builder(env.os.clone()).parallelism(0),
        TransferManager::builder(env.os.clone()).download_chunk_size(10),
    ] {
        assert!(b.build().unwrap_err().is_invalid_request());
    }
    let err = env
        .tm(2)
        .upload(&env.ns, BUCKET, "x", UploadSource::bytes("x"))
        .part_size(100)
        .await
        .unwrap_err();
    assert!(err.is_invalid_request());
    let err = env
        .tm(2)
        .upload(
            &env.ns,
            BUCKET,
            "x",
            UploadSource::file("/definitely/not/here.bin"),
        )
        .await
        .unwrap_err();
    assert!(err.is_invalid_request(), "{err}");
    let stream =
        futures_util::stream::iter([Ok::<_, std::io::Error>(content(3 * MIB as usize, 1))]);
    let err = env
        .tm(2)
        .upload(&env.ns, BUCKET, "", UploadSource::stream(stream, 3 * MIB))
        .await
        .unwrap_err();
    assert!(err.is_invalid_request(), "{err}");
    let err = env
        .tm(2)
        .download_to_writer(&env.ns, "", "x", Vec::new())
        .await
        .unwrap_err();
    assert!(err.is_invalid_request(), "{err}");
    assert!(env.emu.journal().is_empty());
}
