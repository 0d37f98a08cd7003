//! Paginators: a list operation as a [`Stream`] of pages or of items.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! # use oci_core::pagination::Paginated;
//! # async fn run<R: Paginated + Clone>(client: oci_core::Client, request: R) -> Result<(), oci_core::Error>
//! # where R::Item: std::fmt::Debug {
//! let mut items = oci_core::pagination::items(client, request);
//! while let Some(item) = items.try_next().await? {
//!     println!("{item:?}");
//! }
//! # Ok(()) }
//! ```
//!
//! Each page is one [`Client::send`]: the client's retry policy applies to that page only, so
//! no retry loop is ever nested inside another. The stream stops after the first error, which it
//! yields; the pages before it have been yielded already.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::stream::{self, StreamExt};

use crate::{Client, Error, Request};

/// A list operation that can be continued from a token.
///
/// Generated list operations implement it: most take the `opc-next-page` response header back as
/// the `page` query parameter; Object Storage `ListObjects` takes the body's `nextStartWith` back
/// as `start`.
pub trait Paginated: Request + Clone {
    /// One element of a page.
    type Item: Send + 'static;

    /// Sets the continuation token on the request (`page`, or `start` for `ListObjects`).
    fn set_token(&mut self, token: String);

    /// The token for the next page, or `None` on the last page.
    fn next_token(output: &Self::Output) -> Option<String>;

    /// The page's items.
    fn into_items(output: Self::Output) -> Vec<Self::Item>;
}

/// A boxed stream, the type of every paginator.
pub struct Paginator<T> {
    inner: Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>,
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Paginator")
    }
}

impl<T> Stream for Paginator<T> {
    type Item = Result<T, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// The pages of a list operation, starting from `request` (its token, if set, is the first page).
pub fn pages<R: Paginated>(client: Client, request: R) -> Paginator<R::Output> {
    let state = Some((client, request));
    let s = stream::unfold(state, |state| async move {
        let (client, request) = state?;
        let mut next = request.clone();
        match client.send(request).await {
            Ok(output) => {
                let state = match R::next_token(&output) {
                    Some(token) if !token.is_empty() => {
                        next.set_token(token);
                        Some((client, next))
                    }
                    _ => None,
                };
                Some((Ok(output), state))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Paginator { inner: Box::pin(s) }
}

/// The items of every page of a list operation, in order.
pub fn items<R: Paginated>(client: Client, request: R) -> Paginator<R::Item> {
    items_of::<R>(pages(client, request))
}

/// Fetches the first page, then gives every item (the first page's, then the rest's) as a
/// stream; an error on the first page is this call's error.
///
/// ```no_run
/// use futures_util::TryStreamExt;
/// # use oci_core::pagination::Paginated;
/// # async fn run<R: Paginated>(client: oci_core::Client, request: R) -> Result<(), oci_core::Error>
/// # where R::Item: std::fmt::Debug {
/// // A missing bucket, a throttled first page: an `Err` here, before any answer is started.
/// let mut items = oci_core::pagination::first_page_then_rest(client, request).await?;
/// // The answer's status is decided; the items are streamed into its body.
/// while let Some(item) = items.try_next().await? {
///     println!("{item:?}");
/// }
/// # Ok(()) }
/// ```
///
/// It is how a service proxies a listing with a correct status: the status and headers of an
/// HTTP answer go out before its body, so the first page decides them (a 404 for a missing
/// bucket, a 503 when throttled: see [`Error::http_status`]) and the rest is streamed without
/// holding every page in memory. An error on a later page can only end the stream, as with
/// [`items`]. Generated list builders have it as `.first_page_then_rest()`.
pub async fn first_page_then_rest<R: Paginated>(
    client: Client,
    request: R,
) -> Result<Paginator<R::Item>, Error> {
    let mut pages = pages(client, request);
    let first = match pages.next().await {
        Some(page) => page?,
        None => {
            return Ok(Paginator {
                inner: Box::pin(stream::empty()),
            })
        }
    };
    let first = stream::iter(R::into_items(first).into_iter().map(Ok));
    Ok(Paginator {
        inner: Box::pin(first.chain(items_of::<R>(pages))),
    })
}

/// The items of a stream of pages.
fn items_of<R: Paginated>(pages: Paginator<R::Output>) -> Paginator<R::Item> {
    let s = pages.flat_map(|page| match page {
        Ok(output) => stream::iter(
            R::into_items(output)
                .into_iter()
                .map(Ok)
                .collect::<Vec<_>>(),
        ),
        Err(e) => stream::iter(vec![Err(e)]),
    });
    Paginator { inner: Box::pin(s) }
}
