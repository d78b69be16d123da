//! Work on every item of a list, split between the cores: reading and validating a project's
//! stores, finding their hashes again when an older workspace is opened.

use super::Result;

/// At most this many threads share the work.
const MAX_THREADS: usize = 4;

/// `f` of every item, in order. Up to `alone_up_to` items (or on a machine with one core) are
/// worked on the calling thread; more are split into one part per core, each on a thread of
/// its own. The first error is returned; a panic on a thread is raised again here.
pub(super) fn map_on_threads<T: Sync, R: Send>(
    items: &[T],
    alone_up_to: usize,
    f: impl Fn(&T) -> Result<R> + Sync,
) -> Result<Vec<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS);
    if threads < 2 || items.len() <= alone_up_to {
        return items.iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per_thread)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Result<Vec<R>>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(done) => out.extend(done?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::WorkspaceError;

    #[test]
    fn every_item_is_worked_in_order_alone_or_on_threads() {
        let items: Vec<usize> = (0..10_000).collect();
        for alone_up_to in [0, 100_000] {
            let doubled = map_on_threads(&items, alone_up_to, |i| Ok(i * 2)).expect("works");
            assert_eq!(doubled, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
    }

    #[test]
    fn an_error_of_any_part_is_returned() {
        let items: Vec<usize> = (0..10_000).collect();
        let failed = map_on_threads(&items, 0, |&i| {
            if i == 9_999 {
                Err(WorkspaceError::Damaged("the last one".into()))
            } else {
                Ok(i)
            }
        });
        assert!(matches!(failed, Err(WorkspaceError::Damaged(m)) if m == "the last one"));
    }
}
