//! Rule b: no files that import from each other, directly or round a longer circle.

use super::resolve::Edge;
use super::tree::{Crate, FileId};
use super::violation::Violation;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub fn check(krate: &Crate, edges: &[Edge]) -> Vec<Violation> {
    // The first reference from one file to another is the evidence shown for that step.
    let mut graph: BTreeMap<FileId, BTreeMap<FileId, &Edge>> = BTreeMap::new();
    for edge in edges {
        graph
            .entry(edge.from)
            .or_default()
            .entry(edge.to)
            .or_insert(edge);
    }
    strongly_connected(krate.files.len(), &graph)
        .into_iter()
        .filter(|set| set.len() > 1)
        .map(|set| {
            let mut files: Vec<String> = set.iter().map(|&f| krate.files[f].path.clone()).collect();
            files.sort();
            let steps = shortest_circle(&set, &graph)
                .windows(2)
                .map(|pair| {
                    let edge = graph[&pair[0]][&pair[1]];
                    format!(
                        "{}:{} `{}` → {}",
                        krate.files[edge.from].path,
                        edge.line,
                        edge.path,
                        krate.files[edge.to].path
                    )
                })
                .collect();
            Violation::Cycle { files, steps }
        })
        .collect()
}

type Graph<'a> = BTreeMap<FileId, BTreeMap<FileId, &'a Edge>>;

/// Tarjan's strongly connected components.
fn strongly_connected(nodes: usize, graph: &Graph) -> Vec<BTreeSet<FileId>> {
    struct State {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<FileId>,
        next: usize,
        sets: Vec<BTreeSet<FileId>>,
    }
    fn visit(node: FileId, graph: &Graph, state: &mut State) {
        state.index[node] = Some(state.next);
        state.low[node] = state.next;
        state.next += 1;
        state.stack.push(node);
        state.on_stack[node] = true;
        for &next in graph
            .get(&node)
            .into_iter()
            .flat_map(|targets| targets.keys())
        {
            match state.index[next] {
                None => {
                    visit(next, graph, state);
                    state.low[node] = state.low[node].min(state.low[next]);
                }
                Some(index) if state.on_stack[next] => {
                    state.low[node] = state.low[node].min(index);
                }
                Some(_) => {}
            }
        }
        if Some(state.low[node]) == state.index[node] {
            let mut set = BTreeSet::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack[member] = false;
                set.insert(member);
                if member == node {
                    break;
                }
            }
            state.sets.push(set);
        }
    }
    let mut state = State {
        index: vec![None; nodes],
        low: vec![0; nodes],
        on_stack: vec![false; nodes],
        stack: Vec::new(),
        next: 0,
        sets: Vec::new(),
    };
    for node in 0..nodes {
        if state.index[node].is_none() {
            visit(node, graph, &mut state);
        }
    }
    state.sets
}

/// A shortest circle through the set's first file, start and end included.
fn shortest_circle(set: &BTreeSet<FileId>, graph: &Graph) -> Vec<FileId> {
    let start = *set.first().expect("a component has a member");
    let mut came_from: BTreeMap<FileId, FileId> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in graph
            .get(&node)
            .into_iter()
            .flat_map(|targets| targets.keys())
        {
            if !set.contains(&next) {
                continue;
            }
            if next == start {
                let mut circle = vec![start, node];
                let mut at = node;
                while at != start {
                    at = came_from[&at];
                    circle.push(at);
                }
                circle.reverse();
                return circle;
            }
            if let std::collections::btree_map::Entry::Vacant(slot) = came_from.entry(next) {
                slot.insert(node);
                queue.push_back(next);
            }
        }
    }
    vec![start]
}
