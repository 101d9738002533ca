//! The time window a report covers, and how dates on the command line are read.
//!
//! `--until` defaults to now; `--since` to 365 days before `--until`. A plain
//! date (`2026-08-17`) as `--until` means the end of that day (UTC), so that
//! "as of 2026-08-17" includes everything that happened on it; as `--since`
//! it means the start of the day. `90d` means 90 days before `--until`.
//! "Now" honours `SOURCE_DATE_EPOCH`, the reproducible-builds convention,
//! so that a whole run can be pinned to a moment.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// A half-open interval of time: `since < t <= until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Window {
    /// The start (excluded), RFC 3339 UTC.
    pub since: DateTime<Utc>,
    /// The end (included), RFC 3339 UTC: "as of".
    pub until: DateTime<Utc>,
}

impl Window {
    /// Whether `t` falls inside the window.
    #[must_use]
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.since < t && t <= self.until
    }

    /// Whether `other` lies entirely inside this window.
    #[must_use]
    pub fn covers(&self, other: &Window) -> bool {
        self.since <= other.since && other.until <= self.until
    }

    /// Length in days.
    #[must_use]
    pub fn days(&self) -> f64 {
        days_between(self.since, self.until)
    }

    /// Builds the window from the command line's `--since` and `--until`.
    ///
    /// # Errors
    /// A date that does not parse, or a window that ends before it starts.
    pub fn from_args(
        since: Option<&str>,
        until: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Window, Error> {
        WindowArgs::parse(since, until)?.resolve(now)
    }
}

/// `--since` and `--until`, parsed once. A relative `--since` (`90d`) is
/// kept as a count of days, so that saved evidence can anchor the same
/// arguments at its own end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowArgs {
    since: Option<Date>,
    until: Option<Date>,
}

/// A parsed date: a moment, or a count of days before the window's end
/// (only `--since` reads `90d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Date {
    At(DateTime<Utc>),
    DaysBefore(i64),
}

impl WindowArgs {
    /// Parses `--since` and `--until`; [`WindowArgs::resolve`] anchors them.
    ///
    /// # Errors
    /// A date that does not parse.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<WindowArgs, Error> {
        Ok(WindowArgs {
            until: until
                .map(|s| parse_date(s, "--until", Bound::Until))
                .transpose()?,
            since: since
                .map(|s| parse_date(s, "--since", Bound::Since))
                .transpose()?,
        })
    }

    /// Whether `--since` or `--until` was given.
    #[must_use]
    pub fn given(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    /// The window of `--since` that ends at `until`, whatever `--until`
    /// says: the window of one point of a history, the same as
    /// `--until <until>` with this `--since`.
    ///
    /// # Errors
    /// A start out of the calendar's range, or a window that ends before it starts.
    pub fn ending_at(&self, until: DateTime<Utc>) -> Result<Window, Error> {
        WindowArgs {
            since: self.since,
            until: Some(Date::At(until)),
        }
        .resolve(until)
    }

    /// Whether `--since` is a fixed moment rather than a number of days.
    #[must_use]
    pub fn since_is_fixed(&self) -> bool {
        matches!(self.since, Some(Date::At(_)))
    }

    /// The window these arguments name when "now" is `anchor`: `--until`
    /// defaults to it, and a relative `--since` counts back from `--until`.
    ///
    /// # Errors
    /// A start out of the calendar's range, or a window that ends before it starts.
    pub fn resolve(&self, anchor: DateTime<Utc>) -> Result<Window, Error> {
        let until = match self.until {
            Some(Date::At(t)) => t,
            Some(Date::DaysBefore(days)) => days_before(anchor, days)?,
            None => anchor,
        };
        let since = match self.since {
            Some(Date::At(t)) => t,
            Some(Date::DaysBefore(days)) => days_before(until, days)?,
            None => days_before(until, 365)?,
        };
        if since >= until {
            return Err(Error::Usage(format!(
                "the window is empty: --since {} is not before --until {}",
                since.format("%Y-%m-%d %H:%M:%S UTC"),
                until.format("%Y-%m-%d %H:%M:%S UTC")
            )));
        }
        Ok(Window { since, until })
    }
}

/// `days` days before `t`, or an error when that is outside the calendar chrono supports.
///
/// # Errors
/// A date before the year -262143.
pub fn days_before(t: DateTime<Utc>, days: i64) -> Result<DateTime<Utc>, Error> {
    Duration::try_days(days)
        .and_then(|d| t.checked_sub_signed(d))
        .ok_or_else(|| Error::Usage(format!("{days} days before {t} is out of range")))
}

/// Days between two instants, as a fraction.
#[must_use]
pub fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let secs = (to - from).num_seconds() as f64;
    secs / 86_400.0
}

#[derive(Clone, Copy)]
enum Bound {
    Since,
    Until,
}

fn parse_date(text: &str, flag: &str, bound: Bound) -> Result<Date, Error> {
    let t = text.trim();
    if let Some(days) = t.strip_suffix('d').and_then(|n| n.parse::<i64>().ok())
        && matches!(bound, Bound::Since)
        && days > 0
        && days < 1_000_000
    {
        return Ok(Date::DaysBefore(days));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(Date::At(dt.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        let day = match bound {
            Bound::Since => d,
            Bound::Until => d.succ_opt().unwrap_or(d),
        };
        let start = Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN));
        let back = Duration::seconds(i64::from(matches!(bound, Bound::Until)));
        return start
            .checked_sub_signed(back)
            .map(Date::At)
            .ok_or_else(|| Error::Usage(format!("{flag} {t:?} is out of range")));
    }
    let relative = if matches!(bound, Bound::Since) {
        ", or a number of days before --until such as 90d"
    } else {
        ""
    };
    Err(Error::Usage(format!(
        "{flag} {t:?} is not a date: use YYYY-MM-DD or an RFC 3339 time such as 2026-08-17T12:00:00Z{relative}"
    )))
}

/// The current time, or `SOURCE_DATE_EPOCH` (seconds since 1970) when set.
///
/// # Errors
/// `SOURCE_DATE_EPOCH` set to something that is not a number of seconds.
pub fn now() -> Result<DateTime<Utc>, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.trim().is_empty() => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| Utc.timestamp_opt(secs, 0).single())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH={s:?} is not a number of seconds since 1970"
                ))
            }),
        _ => Ok(Utc::now()),
    }
}

/// "Now" as recorded in what a run writes (when data was fetched): like
/// [`now`], `SOURCE_DATE_EPOCH` when it is set, so that a pinned run writes
/// the same bytes every time; the clock when it is not (or is not a number).
#[must_use]
pub fn recorded_now() -> DateTime<Utc> {
    now().unwrap_or_else(|_| Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn default_window_is_the_365_days_up_to_now() {
        let now = at("2026-11-24T10:00:00Z");
        let w = Window::from_args(None, None, now).unwrap();
        assert_eq!(w.until, now);
        assert_eq!(w.since, at("2025-11-24T10:00:00Z"));
    }

    #[test]
    fn a_plain_until_date_includes_that_whole_day() {
        let w = Window::from_args(None, Some("2026-08-17"), at("2026-11-24T10:00:00Z")).unwrap();
        assert_eq!(w.until, at("2026-08-17T23:59:59Z"));
        assert!(w.contains(at("2026-08-17T23:00:00Z")));
        assert!(!w.contains(at("2026-08-18T00:00:00Z")));
    }

    #[test]
    fn since_can_be_relative_to_until() {
        let w = Window::from_args(
            Some("90d"),
            Some("2026-08-17T00:00:00Z"),
            at("2030-01-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(w.since, at("2026-05-19T00:00:00Z"));
        assert_eq!(
            Window::from_args(Some("2026-01-01"), None, at("2026-11-24T00:00:00Z"))
                .unwrap()
                .since,
            at("2026-01-01T00:00:00Z")
        );
    }

    /// Arguments parsed once anchor anywhere: a relative `--since` counts
    /// back from each anchor (saved evidence's end), an absolute one stays.
    #[test]
    fn parsed_arguments_anchor_at_any_end() {
        let relative = WindowArgs::parse(Some("30d"), None).unwrap();
        assert!(relative.given());
        for end in ["2026-03-01T00:00:00Z", "2026-11-24T12:00:00Z"] {
            let w = relative.resolve(at(end)).unwrap();
            assert_eq!((w.until, w.until - w.since), (at(end), Duration::days(30)));
        }
        let fixed = WindowArgs::parse(Some("2026-01-01"), Some("2026-02-01")).unwrap();
        assert_eq!(
            fixed.resolve(at("2030-01-01T00:00:00Z")).unwrap(),
            Window::from_args(
                Some("2026-01-01"),
                Some("2026-02-01"),
                at("2020-01-01T00:00:00Z")
            )
            .unwrap()
        );
        assert!(!WindowArgs::parse(None, None).unwrap().given());
    }

    #[test]
    fn bad_dates_and_empty_windows_are_usage_errors() {
        let now = at("2026-11-24T10:00:00Z");
        let e = Window::from_args(Some("last tuesday"), None, now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--since \"last tuesday\" is not a date"), "{e}");
        let e = Window::from_args(Some("2026-12-01"), Some("2026-01-01"), now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("the window is empty"), "{e}");
        // The edges of the calendar are errors, not panics.
        let e = Window::from_args(None, Some("-262143-01-02"), now)
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("is out of range"), "{e}");
        let e = Window::from_args(Some("999999d"), Some("-262000-01-01"), now)
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("is out of range"), "{e}");
    }
}
