//! A rate limiter shared by every request of one profile, and the backoff between retries.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Spaces request starts evenly: at most `qps` a second, whatever the concurrency.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `qps` requests a second; 0 means no limit. Each slot is 1% wider than 1/qps so that
    /// scheduling jitter never puts `qps + 1` requests in one second at the server.
    pub fn new(qps: u32) -> RateLimiter {
        let interval = if qps == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(1.01 / f64::from(qps))
        };
        RateLimiter {
            interval,
            next: Mutex::new(None),
        }
    }

    /// The time between two request starts; zero without a limit.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits for the next free slot.
    pub async fn acquire(&self) {
        let wait = {
            let mut next = match self.next.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Holds every request back for `pause` (after a 429).
    pub fn pause(&self, pause: Duration) {
        let mut next = match self.next.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let until = Instant::now() + pause;
        *next = Some(next.map_or(until, |n| n.max(until)));
    }
}

/// Exponential backoff with jitter: about `base * 2^attempt`, between half and all of it,
/// capped at `max`.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    let capped = exp.min(max);
    capped.mul_f64(0.5 + fastrand::f64() * 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn twenty_requests_at_ten_a_second_take_about_two_seconds() {
        let limiter = std::sync::Arc::new(RateLimiter::new(10));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let l = limiter.clone();
            tasks.push(tokio::spawn(async move {
                l.acquire().await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.expect("task"));
        }
        times.sort();
        let last = times[19] - start;
        assert!(
            last >= Duration::from_millis(1900) && last < Duration::from_millis(2000),
            "{last:?}"
        );
        // No one-second window holds more than ten starts.
        for w in times.windows(11) {
            assert!(w[10] - w[0] >= Duration::from_secs(1));
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(500);
        let max = Duration::from_secs(8);
        for attempt in 0..10 {
            let d = backoff(attempt, base, max);
            let full = base.saturating_mul(1 << attempt).min(max);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
    }
}
