//! Waiting for a time without the runtime's timer: a short-lived thread sleeps and wakes the
//! task, so async sessions work on any executor and on tokio runtimes built without
//! `enable_time`. Used only where the session waits anyway (a full pool, a retry's pause).

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::oneshot;

/// Completes after `duration`.
pub(crate) async fn sleep(duration: Duration) {
    let (done, wait) = oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("tablemodel-timer".into())
        .spawn(move || {
            std::thread::sleep(duration);
            let _ = done.send(());
        });
    match spawned {
        Ok(_) => {
            let _ = wait.await;
        }
        // No thread to be had: wait on this one rather than not at all.
        Err(_) => std::thread::sleep(duration),
    }
}

/// `future`'s output, or `None` when `duration` passes first.
pub(crate) async fn timeout<T>(duration: Duration, future: impl Future<Output = T>) -> Option<T> {
    let mut future = pin!(future);
    let mut timer = pin!(sleep(duration));
    poll_fn(|cx| {
        if let Poll::Ready(out) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(out));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}
