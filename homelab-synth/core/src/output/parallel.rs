//! Work spread over one thread per core: the slice is cut into contiguous chunks, the first
//! handled by the calling thread and each other by one scoped thread, and the results come
//! back in input order, so the outcome is the same as a sequential loop.

/// Applies `work` to every item, in parallel, returning the results in input order or the
/// first error (in input order).
pub(crate) fn map_in_parallel<T, R, E, F>(items: &[T], work: F) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
    F: Fn(&T) -> Result<R, E> + Sync,
{
    map_owned_in_parallel(items.iter().collect(), work)
}

/// [`map_in_parallel`] over owned items: each item is handed to `work` by value, so it is
/// dropped as soon as its result is made rather than when every item is done.
pub(crate) fn map_owned_in_parallel<T, R, E, F>(items: Vec<T>, work: F) -> Result<Vec<R>, E>
where
    T: Send,
    R: Send,
    E: Send,
    F: Fn(T) -> Result<R, E> + Sync,
{
    let workers = std::thread::available_parallelism().map_or(1, usize::from);
    if workers == 1 || items.len() < 2 {
        return items.into_iter().map(&work).collect();
    }
    let chunk = items.len().div_ceil(workers);
    let mut items = items.into_iter();
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(workers);
    loop {
        let part: Vec<T> = items.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        chunks.push(part);
    }
    let work = &work;
    let mut chunks = chunks.into_iter();
    let first = chunks.next().unwrap_or_default();
    let parts: Vec<Result<Vec<R>, E>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .map(|part| scope.spawn(move || part.into_iter().map(work).collect()))
            .collect();
        // the calling thread takes the first chunk rather than waiting
        let mut parts = vec![first.into_iter().map(work).collect()];
        parts.extend(
            handles
                .into_iter()
                .map(|handle| handle.join().expect("worker thread panicked")),
        );
        parts
    });
    let mut results = Vec::new();
    for part in parts {
        results.extend(part?);
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_input_order_and_the_first_error_wins() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled: Result<Vec<u32>, ()> = map_in_parallel(&items, |n| Ok(n * 2));
        assert_eq!(
            doubled.unwrap(),
            items.iter().map(|n| n * 2).collect::<Vec<_>>()
        );
        let failed: Result<Vec<u32>, u32> =
            map_in_parallel(&items, |&n| if n % 300 == 299 { Err(n) } else { Ok(n) });
        assert_eq!(failed, Err(299));
    }

    #[test]
    fn owned_items_give_the_same_results_as_borrowed_ones() {
        let items: Vec<String> = (0..1000).map(|n| n.to_string()).collect();
        let lengths: Result<Vec<usize>, ()> =
            map_owned_in_parallel(items.clone(), |text| Ok(text.len()));
        assert_eq!(
            lengths,
            map_in_parallel(&items, |text| Ok::<_, ()>(text.len()))
        );
        let failed: Result<Vec<String>, String> = map_owned_in_parallel(items, |text| {
            if text.ends_with("99") {
                Err(text)
            } else {
                Ok(text)
            }
        });
        assert_eq!(failed, Err("99".to_owned()));
    }
}
