//! Output order: a stable topological sort. Items come out in construction order except where
//! a dependency requires another item first; a cycle is an error naming its members.

use std::collections::BTreeSet;

/// Orders `count` items so that for every edge `(item, dependency)` the dependency comes
/// first; among items that are free to go, the lowest index goes first. On a cycle, returns
/// the indices of one cycle, in dependency order.
pub(crate) fn stable_topological(
    count: usize,
    edges: &[(usize, usize)],
) -> Result<Vec<usize>, Vec<usize>> {
    let mut dependencies: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); count];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(item, dependency) in edges {
        if item != dependency && dependencies[item].insert(dependency) {
            dependents[dependency].push(item);
        } else if item == dependency {
            return Err(vec![item]);
        }
    }
    let mut waiting: Vec<usize> = dependencies.iter().map(BTreeSet::len).collect();
    let mut ready: BTreeSet<usize> = (0..count).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(next) = ready.pop_first() {
        order.push(next);
        for &dependent in &dependents[next] {
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    if order.len() == count {
        return Ok(order);
    }
    Err(find_cycle(&dependencies, &waiting))
}

/// Walks dependencies from an item that never became ready until an item repeats.
fn find_cycle(dependencies: &[BTreeSet<usize>], waiting: &[usize]) -> Vec<usize> {
    let start = waiting.iter().position(|&w| w > 0).unwrap_or(0);
    let mut path = vec![start];
    let mut current = start;
    loop {
        let next = dependencies[current]
            .iter()
            .copied()
            .find(|&d| waiting[d] > 0)
            .unwrap_or(start);
        if let Some(position) = path.iter().position(|&p| p == next) {
            let mut cycle = path.split_off(position);
            cycle.reverse();
            return cycle;
        }
        path.push(next);
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn construction_order_is_kept_without_dependencies() {
        assert_eq!(stable_topological(4, &[]), Ok(vec![0, 1, 2, 3]));
    }

    #[test]
    fn dependencies_come_first_and_the_rest_stays_stable() {
        // 0 depends on 3, 1 depends on 2
        assert_eq!(
            stable_topological(5, &[(0, 3), (1, 2)]),
            Ok(vec![2, 1, 3, 0, 4])
        );
    }

    #[test]
    fn cycles_are_reported_with_their_members() {
        let cycle = stable_topological(4, &[(0, 1), (1, 2), (2, 0), (3, 0)]).unwrap_err();
        let mut members = cycle.clone();
        members.sort();
        assert_eq!(members, vec![0, 1, 2]);
        assert_eq!(stable_topological(2, &[(1, 1)]), Err(vec![1]));
    }
}
