//! The request pacer that `readiness batch` shares between the projects it
//! collects at once: one token's budget, spent evenly.
//!
//! GitHub limits a token twice (<https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api>):
//!
//! - the primary limit: 5,000 REST requests an hour (`core`) and 5,000
//!   GraphQL points an hour (`graphql`), each counted down in the
//!   `x-ratelimit-remaining` header of every answer, until `x-ratelimit-reset`;
//! - secondary limits: at most 900 points a minute for REST (a GET is one
//!   point) and 2,000 for GraphQL, and no bursts.
//!
//! The pacer learns each resource's budget from `GET /rate_limit` (which
//! costs nothing) and from the headers of every answer, counts down the
//! requests it lets through before their answers arrive, and spaces the
//! requests of each resource so that a minute never holds more than its
//! secondary limit. When a budget is spent it either refuses the request
//! ([`Refusal`]: the batch stops and lists what remains) or, with
//! `wait_for_reset`, sleeps until the reset.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::time::Instant;

/// GitHub's secondary limit for REST: 900 points a minute, a GET being one.
pub const REST_PER_MINUTE: u32 = 900;
/// GitHub's secondary limit for GraphQL: 2,000 points a minute; a query
/// of 100 nodes with their first 10 comments costs one or two.
pub const GRAPHQL_PER_MINUTE: u32 = 2_000;

/// The two budgets a token has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Rest,
    GraphQl,
}

impl Resource {
    /// The resource a request to `path` draws on.
    #[must_use]
    pub fn of(path: &str) -> Resource {
        if path == "/graphql" {
            Resource::GraphQl
        } else {
            Resource::Rest
        }
    }

    /// The budget's name, as the summary says it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Resource::Rest => "REST (core)",
            Resource::GraphQl => "GraphQL",
        }
    }
}

/// How the pacer spaces requests and what it does when a budget is spent.
#[derive(Debug, Clone, Copy)]
pub struct PacerSettings {
    /// At most this many REST requests a minute.
    pub rest_per_minute: u32,
    /// At most this many GraphQL requests a minute.
    pub graphql_per_minute: u32,
    /// Sleep until the reset instead of refusing once a budget is spent.
    pub wait_for_reset: bool,
}

impl Default for PacerSettings {
    fn default() -> PacerSettings {
        PacerSettings {
            rest_per_minute: REST_PER_MINUTE,
            graphql_per_minute: GRAPHQL_PER_MINUTE,
            wait_for_reset: false,
        }
    }
}

/// A request the pacer did not let through: the budget is spent until `reset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub resource: &'static str,
    /// When the budget comes back (Unix seconds).
    pub reset: i64,
}

/// One resource's budget as last heard, and the next free slot.
#[derive(Debug, Default)]
struct Budget {
    /// Requests left until `reset`, as GitHub last said (the lowest count
    /// heard in this window: answers arrive out of order, and a 304 leaves
    /// it as it was); `None` until GitHub has said (an Enterprise server
    /// without limits never does).
    remaining: Option<u64>,
    /// Requests let through whose answer has not arrived: they will count.
    in_flight: u64,
    limit: Option<u64>,
    reset: i64,
    next_slot: Option<Instant>,
}

/// What the pacer has seen, for the batch summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    pub reset: i64,
}

/// A request the pacer let through, until its answer arrives (or it fails).
#[derive(Debug)]
pub struct Admitted<'a> {
    pacer: &'a Pacer,
    r: Resource,
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.pacer.finish(self.r);
    }
}

/// The shared pacer. Its lock is never held across an await.
#[derive(Debug)]
pub struct Pacer {
    settings: PacerSettings,
    budgets: Mutex<[Budget; 2]>,
}

fn index(r: Resource) -> usize {
    match r {
        Resource::Rest => 0,
        Resource::GraphQl => 1,
    }
}

impl Pacer {
    #[must_use]
    pub fn new(settings: PacerSettings) -> Pacer {
        Pacer {
            settings,
            budgets: Mutex::new([Budget::default(), Budget::default()]),
        }
    }

    fn interval(&self, r: Resource) -> Duration {
        let per_minute = match r {
            Resource::Rest => self.settings.rest_per_minute,
            Resource::GraphQl => self.settings.graphql_per_minute,
        };
        Duration::from_secs(60) / per_minute.max(1)
    }

    /// Waits for `r`'s next slot and counts the request against its budget.
    ///
    /// # Errors
    /// The budget is spent and the pacer does not wait for the reset.
    pub async fn admit(&self, r: Resource) -> Result<(), Refusal> {
        loop {
            let (slot, wait) = {
                let Ok(mut all) = self.budgets.lock() else {
                    return Ok(());
                };
                let b = &mut all[index(r)];
                let now_s = Utc::now().timestamp();
                if b.remaining.is_some() && now_s > b.reset {
                    // The window has turned: the next answer says the new budget.
                    b.remaining = None;
                }
                if b.remaining.is_some_and(|left| left <= b.in_flight) {
                    if !self.settings.wait_for_reset {
                        return Err(Refusal {
                            resource: r.name(),
                            reset: b.reset,
                        });
                    }
                    let secs = u64::try_from(b.reset.saturating_sub(now_s)).unwrap_or(0) + 1;
                    (None, Some(Duration::from_secs(secs)))
                } else {
                    let now = Instant::now();
                    let slot = b.next_slot.map_or(now, |s| s.max(now));
                    b.next_slot = Some(slot + self.interval(r));
                    b.in_flight += 1;
                    (Some(slot), None)
                }
            };
            match (slot, wait) {
                (Some(slot), _) => {
                    tokio::time::sleep_until(slot).await;
                    return Ok(());
                }
                (None, Some(wait)) => tokio::time::sleep(wait).await,
                (None, None) => return Ok(()),
            }
        }
    }

    /// As [`Pacer::admit`], with a guard that calls [`Pacer::finish`] when dropped.
    ///
    /// # Errors
    /// As [`Pacer::admit`].
    pub async fn admit_guarded(&self, r: Resource) -> Result<Admitted<'_>, Refusal> {
        self.admit(r).await?;
        Ok(Admitted { pacer: self, r })
    }

    /// The answer to a request [`Pacer::admit`] let through on `r` has
    /// arrived, or the request failed without one.
    pub fn finish(&self, r: Resource) {
        if let Ok(mut all) = self.budgets.lock() {
            let b = &mut all[index(r)];
            b.in_flight = b.in_flight.saturating_sub(1);
        }
    }

    /// Reads the rate-limit headers of an answer to a request on `r`.
    pub fn observe(&self, r: Resource, header: &dyn Fn(&str) -> Option<String>) {
        let num = |name: &str| header(name).and_then(|v| v.trim().parse::<i64>().ok());
        let (Some(remaining), Some(reset)) =
            (num("x-ratelimit-remaining"), num("x-ratelimit-reset"))
        else {
            return;
        };
        // The header names its resource; trust it over the path.
        let r = match header("x-ratelimit-resource").as_deref() {
            Some("graphql") => Resource::GraphQl,
            Some("core") | None => r,
            Some(_) => return,
        };
        self.set(r, num("x-ratelimit-limit"), remaining, reset);
    }

    /// Reads the answer of `GET /rate_limit`: both budgets at once.
    pub fn observe_rate_limit(&self, body: &Value) {
        for (name, r) in [("core", Resource::Rest), ("graphql", Resource::GraphQl)] {
            let res = &body["resources"][name];
            if let (Some(remaining), Some(reset)) =
                (res["remaining"].as_i64(), res["reset"].as_i64())
            {
                self.set(r, res["limit"].as_i64(), remaining, reset);
            }
        }
    }

    fn set(&self, r: Resource, limit: Option<i64>, remaining: i64, reset: i64) {
        let Ok(mut all) = self.budgets.lock() else {
            return;
        };
        let b = &mut all[index(r)];
        let remaining = u64::try_from(remaining).unwrap_or(0);
        b.remaining = Some(match b.remaining {
            // Answers arrive out of order: within one window the lowest count wins.
            Some(mine) if reset == b.reset => mine.min(remaining),
            _ => remaining,
        });
        b.reset = reset;
        if let Some(l) = limit.and_then(|l| u64::try_from(l).ok()) {
            b.limit = Some(l);
        }
    }

    /// What is known of `r`'s budget.
    #[must_use]
    pub fn seen(&self, r: Resource) -> Seen {
        self.budgets.lock().map_or_else(
            |_| Seen::default(),
            |all| {
                let b = &all[index(r)];
                Seen {
                    limit: b.limit,
                    remaining: b.remaining,
                    reset: b.reset,
                }
            },
        )
    }
}

/// When a budget comes back, as the summary says it.
#[must_use]
pub fn reset_text(reset: i64) -> String {
    DateTime::from_timestamp(reset, 0).map_or_else(
        || "an unknown time".to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |n| {
            pairs
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[tokio::test]
    async fn a_spent_budget_is_refused_until_its_reset() {
        let p = Pacer::new(PacerSettings::default());
        let reset = Utc::now().timestamp() + 600;
        let reset_s = reset.to_string();
        p.observe(
            Resource::Rest,
            &headers(&[
                ("x-ratelimit-remaining", "2"),
                ("x-ratelimit-reset", &reset_s),
                ("x-ratelimit-limit", "5000"),
            ]),
        );
        assert!(p.admit(Resource::Rest).await.is_ok());
        assert!(p.admit(Resource::Rest).await.is_ok());
        // Two in flight: the two left are promised.
        let refused = p.admit(Resource::Rest).await.unwrap_err();
        assert_eq!(refused.reset, reset);
        // GraphQL has its own budget.
        assert!(p.admit(Resource::GraphQl).await.is_ok());
        // One comes back a 304, which costs nothing: one is left.
        p.observe(
            Resource::Rest,
            &headers(&[
                ("x-ratelimit-remaining", "2"),
                ("x-ratelimit-reset", &reset_s),
            ]),
        );
        p.finish(Resource::Rest);
        assert!(p.admit(Resource::Rest).await.is_ok());
        assert!(p.admit(Resource::Rest).await.is_err());
        // The other two answers say the budget is spent.
        for _ in 0..2 {
            p.observe(
                Resource::Rest,
                &headers(&[
                    ("x-ratelimit-remaining", "0"),
                    ("x-ratelimit-reset", &reset_s),
                ]),
            );
            p.finish(Resource::Rest);
        }
        assert!(p.admit(Resource::Rest).await.is_err());
        // An older answer that says more is left does not raise the count.
        p.observe(
            Resource::Rest,
            &headers(&[
                ("x-ratelimit-remaining", "4"),
                ("x-ratelimit-reset", &reset_s),
            ]),
        );
        assert!(p.admit(Resource::Rest).await.is_err());
        assert_eq!(p.seen(Resource::Rest).limit, Some(5000));
        // A new window (another reset) brings a new budget.
        let later = (reset + 3600).to_string();
        p.observe(
            Resource::Rest,
            &headers(&[
                ("x-ratelimit-remaining", "4999"),
                ("x-ratelimit-reset", &later),
            ]),
        );
        assert!(p.admit(Resource::Rest).await.is_ok());
    }

    #[tokio::test]
    async fn requests_are_spaced_to_the_secondary_limit() {
        // 6,000 a minute: one every 10 ms.
        let p = Pacer::new(PacerSettings {
            rest_per_minute: 6_000,
            ..PacerSettings::default()
        });
        let start = Instant::now();
        for _ in 0..21 {
            p.admit(Resource::Rest).await.unwrap();
        }
        // 20 intervals: never a burst.
        assert!(
            start.elapsed() >= Duration::from_millis(200),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(
            Pacer::new(PacerSettings::default()).interval(Resource::Rest),
            Duration::from_secs(60) / 900
        );
    }

    #[tokio::test]
    async fn waiting_for_the_reset_sleeps_instead_of_refusing() {
        let now = Utc::now().timestamp();
        let spent = |reset: i64| {
            serde_json::json!({"resources": {"core": {"limit": 5000, "remaining": 0, "reset": reset},
                "graphql": {"limit": 5000, "remaining": 10, "reset": reset}}})
        };
        let waiting = Pacer::new(PacerSettings {
            wait_for_reset: true,
            ..PacerSettings::default()
        });
        waiting.observe_rate_limit(&spent(now + 1));
        assert_eq!(waiting.seen(Resource::GraphQl).remaining, Some(10));
        let start = Instant::now();
        waiting.admit(Resource::Rest).await.unwrap();
        assert!(
            start.elapsed() >= Duration::from_millis(900),
            "{:?}",
            start.elapsed()
        );
        // Without waiting, the same budget is refused at once; one whose
        // reset has passed is asked again.
        let refusing = Pacer::new(PacerSettings::default());
        refusing.observe_rate_limit(&spent(now + 600));
        assert!(refusing.admit(Resource::Rest).await.is_err());
        refusing.observe_rate_limit(&spent(now - 5));
        assert!(refusing.admit(Resource::Rest).await.is_ok());
    }
}
