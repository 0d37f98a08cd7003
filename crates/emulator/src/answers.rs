//! Recognising the emulator's own answers in a test.

/// Whether `err` is the emulator's answer to an operation it routes but does not emulate: 501
/// `NotImplemented`, naming the operation, with an `opc-request-id`.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let emu = oci_emulator::Emulator::builder().start().await?;
/// let client = emu.client_builder().build()?;
/// let err = oci_identity::IdentityClient::new(client)
///     .list_db_credentials()
///     .user_id("ocid1.user.oc1..x")
///     .send()
///     .await
///     .err()
///     .ok_or("ListDbCredentials is not emulated")?;
/// assert!(oci_emulator::is_not_emulated(&err, "ListDbCredentials"), "{err}");
/// emu.shutdown().await;
/// # Ok(()) }
/// ```
///
/// Every operation of a service the emulator routes (by the service crate's generated
/// operation table) is answered: emulated, or this 501, never a 404 that could be mistaken for
/// a missing resource. Tests use it to pin what is not emulated yet.
pub fn is_not_emulated(err: &oci_core::Error, operation: &str) -> bool {
    err.status().map(|s| s.as_u16()) == Some(501)
        && err.code() == Some("NotImplemented")
        && err.message().contains(operation)
        && err.opc_request_id().is_some()
}
