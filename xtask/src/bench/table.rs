//! The benchmark's one table: rows of figures, printed aligned and written as Markdown.

use std::time::Duration;

/// One line of the table; empty cells print as `—`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub measure: String,
    pub ours: String,
    pub floor: String,
    pub ratio: String,
    pub target: String,
}

impl Row {
    pub fn new(measure: impl Into<String>, ours: impl Into<String>) -> Self {
        Self {
            measure: measure.into(),
            ours: ours.into(),
            ..Self::default()
        }
    }

    pub fn floor(mut self, floor: impl Into<String>) -> Self {
        self.floor = floor.into();
        self
    }

    pub fn ratio(mut self, ratio: Option<f64>) -> Self {
        self.ratio = ratio.map(format_ratio).unwrap_or_default();
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = target.into();
        self
    }
}

const HEADER: [&str; 5] = ["measure", "spotify-mcp", "floor", "ratio", "target"];

/// A Markdown table whose columns are padded, so it reads the same in a terminal.
pub fn render(rows: &[Row]) -> String {
    let cells = |row: &Row| -> [String; 5] {
        [&row.measure, &row.ours, &row.floor, &row.ratio, &row.target].map(|cell| {
            if cell.is_empty() {
                "—".to_string()
            } else {
                cell.clone()
            }
        })
    };
    let body: Vec<[String; 5]> = rows.iter().map(cells).collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for line in &body {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [String; 5]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(column, (cell, width))| {
                let pad = " ".repeat(width - cell.chars().count());
                // Figures align right, names left.
                if column == 0 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(HEADER.map(String::from));
    // Each cell's rule spans its padding too; figures' columns are marked right-aligned.
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(column, &w)| {
            if column == 0 {
                "-".repeat(w + 2)
            } else {
                format!("{}:", "-".repeat(w + 1))
            }
        })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for cells in body {
        out.push_str(&line(cells));
    }
    out
}

/// `850 µs`, `12.3 ms`, `1.20 s`.
pub fn format_duration(duration: Duration) -> String {
    let micros = duration.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// A count with thousands separators: `139,436`.
pub fn format_count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn format_ratio(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

/// Kibibytes from /proc's kB figures, as `5.1 MB` (MiB, as `ps` and /proc count).
pub fn format_kib(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_markdown_with_aligned_columns() {
        let rows = [
            Row::new("cold start", "6.10 ms")
                .floor("4.00 ms")
                .ratio(Some(1.5))
                .target("≤ 3×"),
            Row::new("tools/list bytes", "139,436"),
        ];
        let table = render(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("| measure "), "{table}");
        assert!(
            lines[1].starts_with("|-") && lines[1].ends_with(":|"),
            "{table}"
        );
        assert!(lines[2].contains("| 1.50× |"), "{table}");
        assert!(
            lines[3].ends_with("— |      — |"),
            "empty cells are dashes: {table}"
        );
        let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{table}");
    }

    #[test]
    fn figures_are_readable() {
        assert_eq!(format_duration(Duration::from_micros(850)), "850 µs");
        assert_eq!(format_duration(Duration::from_micros(12_345)), "12.35 ms");
        assert_eq!(format_duration(Duration::from_millis(1_200)), "1.20 s");
        assert_eq!(format_count(139_436), "139,436");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_000_000), "1,000,000");
        assert_eq!(format_kib(5_222), "5.1 MB");
    }
}
