//! The scale rows as a Markdown section of BENCHMARKS.md, between markers of their own: a run
//! replaces that section only, so the hand-written text around it survives.

use super::{Backend, Scale, Step};
use crate::bench::machine::Machine;
use std::fmt::Write;
use std::time::Duration;

pub const BEGIN: &str = "<!-- cargo xtask bench: scale rows (begin) -->";
pub const END: &str = "<!-- cargo xtask bench: scale rows (end) -->";

/// Targets of issue 17.
const WARM_RESOLVE_TARGET_NS: u64 = 20_000;
const P99_RATIO_TARGET: f64 = 2.0;
const RSS_PER_IDLE_USER_TARGET_BYTES: f64 = 2_048.0;

/// `text` with its scale section replaced by `section` (appended when it has none).
pub fn splice(text: &str, section: &str) -> String {
    let block = format!("{BEGIN}\n{section}{END}\n");
    match (text.find(BEGIN), text.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            let after = &text[end + END.len()..];
            format!(
                "{}{block}{}",
                &text[..begin],
                after.strip_prefix('\n').unwrap_or(after)
            )
        }
        _ => format!("{}\n\n{block}", text.trim_end()),
    }
}

pub fn section(scale: &Scale, machine: &Machine, busy: Option<f64>) -> String {
    let mut out = String::from("## Many users on two replicas (issue 17)\n\n");
    let plan = scale.plan;
    let shared = match busy {
        Some(share) if share > 0.10 => format!(
            "**The machine was shared**: {:.0}% of its CPUs were busy with other work just \
             before these rows ran; latencies and rates are pessimistic.",
            share * 100.0
        ),
        Some(share) => format!(
            "The machine was quiet ({:.0}% busy) just before.",
            share * 100.0
        ),
        None => "How busy the machine was is unknown.".into(),
    };
    let _ = write!(
        out,
        "Written by `cargo xtask bench` (`--scale` for these rows alone). {cpus} CPUs ({cpu}), \
         {date}, commit {commit}. {shared}\n\n\
         Two `serve --transport http --multi-user` replicas (release builds) share one database, \
         one Redis ({redis}), the encryption key and the public URL. Users and their sealed \
         grants are seeded through the store API (`src/bin/bench-scale-seed.rs`); {sessions} \
         sessions (session *i* on replica *i* mod 2, acting for active person *i* mod people) \
         are driven by {workers} workers, one call in flight each, {calls} calls per tool and \
         step: `get_album` (cache hits) and `get_playback_state` (per person, never cached) \
         against the fake Spotify. *single user*: the same {sessions} sessions all acting for \
         one person. Token resolution is `UserBearer::user_of` on a fresh resolver, over \
         {samples} tokens: cold (first sight: the store) then warm (its cache). RSS: VmRSS of \
         each replica after the step's calls.\n\n",
        cpus = machine.cpus,
        cpu = machine.cpu_model,
        date = machine.date,
        commit = machine.commit,
        redis = scale.redis,
        sessions = plan.sessions,
        workers = plan.workers,
        calls = plan.calls,
        samples = plan.samples,
    );
    out.push_str(
        "| store | users (active) | get_album calls/s | p50 / p99 | get_playback_state calls/s \
         | p50 / p99 | resolve warm p50 / p99 | resolve cold p50 / p99 | RSS A / B | seeding |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for backend in &scale.backends {
        rows(&mut out, backend);
    }
    out.push('\n');
    for backend in &scale.backends {
        targets(&mut out, backend);
    }
    for skipped in &scale.skipped {
        let _ = writeln!(out, "- Not measured: {skipped}.");
    }
    out.push('\n');
    out
}

fn rows(out: &mut String, backend: &Backend) {
    let single = backend.single_user;
    let _ = writeln!(
        out,
        "| {} ({}) | single user | {:.0} | {} | | | | | | |",
        backend.name,
        backend.origin,
        single.rate,
        latency(single.latency.p50, single.latency.p99),
    );
    for step in &backend.steps {
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {:.0} | {} | {:.0} | {} | {} | {} | {} / {} | {:.1} s |",
            backend.name,
            thousands(step.users),
            thousands(step.people),
            step.album.rate,
            latency(step.album.latency.p50, step.album.latency.p99),
            step.playback.rate,
            latency(step.playback.latency.p50, step.playback.latency.p99),
            nanos(step.resolve_warm_ns),
            nanos(step.resolve_cold_ns),
            mb(step.rss_kib[0]),
            mb(step.rss_kib[1]),
            step.seed_secs,
        );
    }
}

/// The targets, met or not, for one backend.
fn targets(out: &mut String, backend: &Backend) {
    let Some(last) = backend.steps.last() else {
        return;
    };
    let warm = backend
        .steps
        .iter()
        .map(|s| s.resolve_warm_ns[0])
        .max()
        .unwrap_or(0);
    let ratio = last.album.latency.p99.as_secs_f64()
        / backend.single_user.latency.p99.as_secs_f64().max(1e-9);
    let _ = writeln!(
        out,
        "- {}: warm token resolution p50 at most {} (target < 20 µs: {}); `get_album` p99 at \
         {} users {:.2}× the single user's (target ≤ {P99_RATIO_TARGET}×: {}); {}",
        backend.name,
        duration_ns(warm),
        met(warm < WARM_RESOLVE_TARGET_NS),
        thousands(last.users),
        ratio,
        met(ratio <= P99_RATIO_TARGET),
        growth(&backend.steps),
    );
}

/// RSS growth per user between consecutive steps, summed over both replicas.
fn growth(steps: &[Step]) -> String {
    let parts: Vec<String> = steps
        .windows(2)
        .map(|pair| {
            let (before, after) = (&pair[0], &pair[1]);
            let grew = (after.rss_kib[0] + after.rss_kib[1]) as f64
                - (before.rss_kib[0] + before.rss_kib[1]) as f64;
            let per_user = grew * 1024.0 / (after.users - before.users) as f64;
            let idle = after.people == before.people;
            format!(
                "{} → {} users: {:+.0} bytes per {} user{}",
                thousands(before.users),
                thousands(after.users),
                per_user,
                if idle { "idle" } else { "added" },
                if idle {
                    format!(
                        " (target < 2 KB: {})",
                        met(per_user < RSS_PER_IDLE_USER_TARGET_BYTES)
                    )
                } else {
                    String::new()
                },
            )
        })
        .collect();
    format!("RSS (A + B) {}.", parts.join("; "))
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

fn latency(p50: Duration, p99: Duration) -> String {
    format!("{} / {}", millis(p50), millis(p99))
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn nanos([p50, p99]: [u64; 2]) -> String {
    format!("{} / {}", duration_ns(p50), duration_ns(p99))
}

fn duration_ns(ns: u64) -> String {
    if ns < 1_000_000 {
        format!("{:.1} µs", ns as f64 / 1000.0)
    } else {
        format!("{:.2} ms", ns as f64 / 1e6)
    }
}

fn mb(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 / 1024.0)
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_only_its_own_section() {
        let hand = "# Benchmarks\n\nhand text\n";
        let once = splice(hand, "rows 1\n");
        assert!(once.starts_with("# Benchmarks\n\nhand text\n\n"));
        assert!(once.contains("rows 1"));
        let twice = splice(&format!("{once}\n## Later hand section\n"), "rows 2\n");
        assert!(!twice.contains("rows 1") && twice.contains("rows 2"));
        assert!(twice.contains("hand text") && twice.contains("## Later hand section"));
        assert_eq!(twice.matches(BEGIN).count(), 1);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
