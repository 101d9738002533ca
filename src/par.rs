//! A parallel map over a slice on scoped threads: the work of fitting
//! thousands of benchmark series spread over the machine's cores, results
//! in input order, so that output does not depend on the thread count.

use std::num::NonZeroUsize;

/// How many threads [`map`] uses: `READINESS_THREADS` when set to a
/// positive number, else the cores available.
#[must_use]
pub fn threads() -> usize {
    std::env::var("READINESS_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

/// `items.iter().map(f).collect()`, on up to `threads` threads: contiguous
/// chunks, one per thread, joined in order. One thread (or few items) runs
/// inline.
pub fn map_with<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                // A panic in `f` is a bug; carry it to the caller as if inline.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        out
    })
}

/// [`map_with`] on [`threads`] threads.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_with(items, threads(), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_results_do_not_depend_on_threads() {
        let items: Vec<u64> = (0..1001).collect();
        let inline: Vec<u64> = items.iter().map(|x| x * x + 1).collect();
        for threads in [1, 2, 3, 7, 64, 5000] {
            assert_eq!(
                map_with(&items, threads, |x| x * x + 1),
                inline,
                "{threads}"
            );
        }
        assert!(map_with(&Vec::<u64>::new(), 4, |x| *x).is_empty());
    }
}
