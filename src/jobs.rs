//! Long work (imports, exports, backups, generation) runs on named background threads. The
//! work function reports progress and checks for cancellation through a [`JobControl`]; the
//! UI polls [`Job`]s once per frame and draws a progress bar with a Cancel button.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

/// The user cancelled the job; whatever it was writing was rolled back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled: nothing was changed")]
pub struct Cancelled;

/// Progress and cancellation shared between a job and whoever watches it.
#[derive(Debug, Default)]
pub struct JobControl {
    cancel: AtomicBool,
    done: AtomicU64,
    total: AtomicU64,
    stage: Mutex<String>,
}

impl JobControl {
    /// A control nobody watches (CLI, tests).
    #[must_use]
    pub fn detached() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// How many units of work there are (rows, bytes, records).
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Marks `n` more units done.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Sets the units done.
    pub fn set_done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// Names the current step ("Reading tracks", "Checking the copy").
    pub fn set_stage(&self, stage: &str) {
        if let Ok(mut s) = self.stage.lock() {
            stage.clone_into(&mut s);
        }
    }

    /// Asks the job to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once cancel was asked for: call it between units of work and let `?`
    /// unwind the transaction.
    ///
    /// # Errors
    /// [`Cancelled`] when the user pressed Cancel.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// (done, total, stage) for drawing.
    #[must_use]
    pub fn snapshot(&self) -> (u64, u64, String) {
        let stage = self.stage.lock().map(|s| s.clone()).unwrap_or_default();
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
            stage,
        )
    }

    /// Fraction done, 0..=1 (0 while the total is unknown).
    #[must_use]
    pub fn fraction(&self) -> f32 {
        let (done, total, _) = self.snapshot();
        if total == 0 {
            0.0
        } else {
            (done as f32 / total as f32).clamp(0.0, 1.0)
        }
    }
}

/// A running background job producing a `T`.
pub struct Job<T> {
    pub title: String,
    pub control: Arc<JobControl>,
    result: Receiver<T>,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a thread named `name`; `wake` is called when it finishes (e.g. to
    /// request a repaint).
    ///
    /// # Errors
    /// When the OS cannot start a thread.
    pub fn spawn(
        name: &str,
        title: impl Into<String>,
        wake: impl Fn() + Send + 'static,
        work: impl FnOnce(&JobControl) -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        let control = Arc::new(JobControl::default());
        let (tx, rx) = channel();
        let shared = Arc::clone(&control);
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let value = work(&shared);
                let _ = tx.send(value);
                wake();
            })?;
        Ok(Self {
            title: title.into(),
            control,
            result: rx,
        })
    }

    /// The result once the job is done; `None` while it runs.
    #[must_use]
    pub fn poll(&self) -> Option<T> {
        self.result.try_recv().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reports_progress_and_can_be_cancelled() {
        let (go_tx, go_rx) = channel::<()>();
        let job = Job::spawn(
            "test-job",
            "Counting",
            || {},
            move |control| {
                control.set_total(10);
                control.advance(3);
                let _ = go_rx.recv();
                control.check().map(|()| 42)
            },
        )
        .expect("spawn");
        while job.control.snapshot().0 < 3 {
            std::thread::yield_now();
        }
        assert!((job.control.fraction() - 0.3).abs() < 1e-6);
        job.control.cancel();
        go_tx.send(()).expect("go");
        let result = loop {
            if let Some(r) = job.poll() {
                break r;
            }
            std::thread::yield_now();
        };
        assert_eq!(result, Err(Cancelled));
    }
}
