//! Waiting for a time without the runtime's timer (the futures-timer crate's global timer
//! thread), so async sessions work on any executor and on tokio runtimes built without
//! `enable_time`. Used only where the session waits anyway (a full pool, a retry's pause).

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use futures_timer::Delay;

/// Completes after `duration`.
pub(crate) async fn sleep(duration: Duration) {
    Delay::new(duration).await;
}

/// `future`'s output, or `None` when `duration` passes first.
pub(crate) async fn timeout<T>(duration: Duration, future: impl Future<Output = T>) -> Option<T> {
    let mut future = pin!(future);
    let mut timer = pin!(Delay::new(duration));
    poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}
