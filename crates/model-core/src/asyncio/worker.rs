//! The threads sessions run on: each holds at most one [`Session`], and with it one pooled
//! connection, and runs the jobs an [`AsyncSession`](super::AsyncSession) sends it in order.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::timer::timeout;

use crate::engine::engine::Engine;
use crate::orm::session::{Savepoint, Session};
use crate::sql::error::{Error, Result};

/// What a worker thread holds between jobs: the session it runs, if any, and the savepoints of
/// its open [`AsyncNested`](super::AsyncNested) guards, innermost last.
#[derive(Default)]
pub(crate) struct Held {
    pub(crate) session: Option<Session>,
    pub(crate) savepoints: Vec<Savepoint>,
    /// Why there is no session: opening it failed (the error, until an operation reports it)
    /// or a panic closed it.
    gone: Option<Gone>,
}

enum Gone {
    OpenFailed(Error),
    Reported(String),
}

impl Held {
    /// Opens the session on a connection of `engine`; a failure is kept for the session's
    /// first operation to report.
    pub(crate) fn open(&mut self, engine: &Engine) {
        match engine.session() {
            Ok(session) => self.session = Some(session),
            Err(e) => self.gone = Some(Gone::OpenFailed(e)),
        }
    }

    /// The session, or the error saying why there is none: the error that opening it met
    /// (once, then a reminder of it), or that a panic closed it.
    pub(crate) fn session(&mut self) -> Result<&mut Session> {
        if let Some(session) = self.session.as_mut() {
            return Ok(session);
        }
        Err(match self.gone.take() {
            Some(Gone::OpenFailed(e)) => {
                self.gone = Some(Gone::Reported(e.to_string()));
                e
            }
            Some(Gone::Reported(why)) => {
                let out = Error::Pool(format!("this async session has no connection: {why}"));
                self.gone = Some(Gone::Reported(why));
                out
            }
            None => Error::Statement(
                "this async session is closed: a panic inside it rolled its transaction back"
                    .into(),
            ),
        })
    }

    /// Ends the session: a transaction still open is rolled back and the connection goes back
    /// to the pool.
    pub(crate) fn close(&mut self) {
        // Savepoints refer to the session's transaction, which ends with it.
        self.savepoints.clear();
        self.session = None;
        self.gone = None;
    }
}

pub(crate) type Job = Box<dyn FnOnce(&mut Held) + Send>;

/// One thread and the queue of jobs it runs, in the order they were sent.
pub(crate) struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    fn spawn() -> Result<Worker> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("tablemodel-session".into())
            .spawn(move || {
                let mut held = Held::default();
                // Ends when every sender is gone: the engine and its sessions were dropped.
                while let Ok(job) = queue.recv() {
                    job(&mut held);
                }
            })
            .map_err(|e| Error::Pool(format!("cannot start a session thread: {e}")))?;
        Ok(Worker { jobs })
    }

    /// Sends `job` without waiting for it.
    pub(crate) fn send(&self, job: Job) {
        // The thread only ends once every sender is dropped, and `self` holds one.
        let _ = self.jobs.send(job);
    }

    /// Runs `work` on the thread and waits, without blocking the runtime, for its result.
    ///
    /// A future dropped before it completes leaves the job to finish on the thread: the
    /// session's state stays what the job made it, and later jobs run after it. A panic in
    /// `work` closes the session (its transaction rolls back) and resumes in the caller.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Held) -> R + Send + 'static,
    ) -> R {
        let (reply, answer) = oneshot::channel::<std::thread::Result<R>>();
        self.send(Box::new(move |held| {
            let out = catch_unwind(AssertUnwindSafe(|| work(held)));
            if out.is_err() {
                held.close();
            }
            let _ = reply.send(out);
        }));
        match answer.await {
            Ok(Ok(out)) => out,
            Ok(Err(panic)) => resume_unwind(panic),
            // The job was dropped unrun, which only a thread that ended can do.
            Err(_) => {
                resume_unwind(Box::new("tablemodel session thread ended") as Box<dyn Any + Send>)
            }
        }
    }
}

/// The worker threads of one [`AsyncEngine`](super::AsyncEngine): at most one per pooled
/// connection, started when first needed and kept idle between sessions.
pub(crate) struct Workers {
    /// Taken only by `drop`.
    engine: Option<Engine>,
    idle: Mutex<Vec<Worker>>,
    permits: Arc<Semaphore>,
}

/// A worker lent to one session (or one [`AsyncEngine::run_sync`](super::AsyncEngine::run_sync)
/// call), with the permit that counts it against the pool size. Dropping it (with the session,
/// or with a future cancelled mid-way) sends the job that closes the worker's session, rolling
/// back a transaction left open, and only then returns the worker and its permit: a connection
/// never returns to the pool inside a transaction, and the pool size holds while jobs run.
pub(crate) struct Lease {
    pub(crate) worker: Worker,
    /// Taken by `drop`.
    permit: Option<OwnedSemaphorePermit>,
    home: Arc<Workers>,
}

impl Workers {
    pub(crate) fn new(engine: Engine, size: u32) -> Arc<Workers> {
        Arc::new(Workers {
            engine: Some(engine),
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size.max(1) as usize)),
        })
    }

    pub(crate) fn engine(&self) -> Engine {
        self.engine
            .clone()
            .expect("the engine is taken only when the workers are dropped")
    }

    /// A worker of its own for the caller, waiting (without blocking) while all are lent, at
    /// most the engine's connect timeout.
    pub(crate) async fn lease(self: &Arc<Self>) -> Result<Lease> {
        let engine = self.engine();
        let wait = engine.connect_timeout();
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => match timeout(wait, self.permits.clone().acquire_owned()).await {
                Some(Ok(permit)) => permit,
                Some(Err(_)) => return Err(Error::Pool("the async engine is closed".into())),
                None => return Err(pool_full(&engine, wait)),
            },
        };
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let worker = match idle {
            Some(worker) => worker,
            None => Worker::spawn()?,
        };
        Ok(Lease {
            worker,
            permit: Some(permit),
            home: self.clone(),
        })
    }
}

/// The error of a session that waited `wait` for a connection in vain.
fn pool_full(engine: &Engine, wait: std::time::Duration) -> Error {
    let size = engine.pool_size();
    let (held, advice) = if size == 1 {
        (
            "the pool's one connection is".to_owned(),
            "The pool has one connection (`pool_size(1)`, or an in-memory SQLite database, which \
             has only one): end (drop or `close`) the session that holds it before starting \
             another",
        )
    } else {
        (
            format!("all {size} of the pool's connections are"),
            "End sessions sooner, or raise the pool size or the connect timeout",
        )
    };
    Error::Pool(format!(
        "no database connection became free in {wait:?}: {held} held by open sessions. {advice}"
    ))
}

impl Lease {
    /// Closes the worker's session now and waits until it is closed; dropping the lease then
    /// has nothing left to close.
    pub(crate) async fn close(self) {
        self.worker.run(Held::close).await;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let permit = self.permit.take();
        let home = self.home.clone();
        let again = Worker {
            jobs: self.worker.jobs.clone(),
        };
        self.worker.send(Box::new(move |held| {
            held.close();
            home.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(again);
            drop(permit);
        }));
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        // A PostgreSQL connection closes by blocking on its driver's runtime, which tokio
        // refuses on its own threads: the pool is dropped on a thread of its own.
        let engine = self.engine.take();
        let _ = std::thread::Builder::new()
            .name("tablemodel-dispose".into())
            .spawn(move || drop(engine));
    }
}
