//! The machine and revision a run measured, for BENCHMARKS.md.

use std::process::Command;

#[derive(Debug, Clone)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    pub memory: String,
    pub date: String,
    pub commit: String,
    pub kernel: String,
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn proc_field(file: &str, name: &str) -> Option<String> {
    std::fs::read_to_string(file)
        .ok()?
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            (key.trim() == name).then(|| value.trim().to_string())
        })
}

/// How long [`busy_share`] watches the CPUs.
pub const IDLE_WINDOW: std::time::Duration = std::time::Duration::from_secs(2);

/// The share of all CPUs busy over [`IDLE_WINDOW`], from /proc/stat, taken while the bench itself
/// is idle: other work on the machine skews the figures. (The load average would still count the
/// build that ran just before.)
pub fn busy_share() -> Option<f64> {
    let before = cpu_times()?;
    std::thread::sleep(IDLE_WINDOW);
    let after = cpu_times()?;
    let total = after.0.checked_sub(before.0)?;
    let idle = after.1.checked_sub(before.1)?;
    (total > 0).then(|| 1.0 - idle as f64 / total as f64)
}

/// (all jiffies, idle + iowait jiffies) of the `cpu` line of /proc/stat.
fn cpu_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    parse_cpu_line(stat.lines().next()?)
}

fn parse_cpu_line(line: &str) -> Option<(u64, u64)> {
    let mut fields = line.split_whitespace();
    (fields.next()? == "cpu").then_some(())?;
    let values: Vec<u64> = fields.filter_map(|f| f.parse().ok()).collect();
    let idle = values.get(3)? + values.get(4).copied().unwrap_or(0);
    Some((values.iter().sum(), idle))
}

impl Machine {
    pub fn describe() -> Self {
        let commit =
            output("git", &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|| "unknown".into());
        let dirty = output("git", &["status", "--porcelain", "--untracked-files=no"])
            .is_some_and(|s| !s.is_empty());
        Self {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model: proc_field("/proc/cpuinfo", "model name")
                .unwrap_or_else(|| "unknown".into()),
            memory: proc_field("/proc/meminfo", "MemTotal")
                .and_then(|kb| kb.trim_end_matches("kB").trim().parse::<f64>().ok())
                .map_or_else(
                    || "unknown".into(),
                    |kib| format!("{:.1} GiB", kib / (1024.0 * 1024.0)),
                ),
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
                .unwrap_or_else(|| "unknown".into()),
            commit: if dirty {
                format!("{commit} (with uncommitted changes)")
            } else {
                commit
            },
            kernel: output("uname", &["-sr"]).unwrap_or_else(|| "unknown".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_cpu_line() {
        let line = "cpu  100 0 50 800 50 0 0 0 0 0";
        assert_eq!(parse_cpu_line(line), Some((1000, 850)));
        assert_eq!(parse_cpu_line("cpu0 1 2 3 4"), None);
    }
}
