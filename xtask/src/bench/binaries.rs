//! The programs a run measures: building them, finding them, and handing a debug run over to
//! the optimized driver.

use super::error::BenchError;
use super::plan::{Options, Plan, Rows};
use std::path::{Path, PathBuf};

pub struct Binaries {
    pub server: PathBuf,
    pub floor: PathBuf,
    /// `bench-scale-seed`: users and grants into the store for the scale rows.
    pub seeder: PathBuf,
}

impl Binaries {
    /// The release builds under the target directory.
    pub fn release(root: &Path) -> Self {
        let release = target_dir(root).join("release");
        Binaries {
            server: release.join("spotify-mcp"),
            floor: release.join("bench-floor"),
            seeder: release.join("bench-scale-seed"),
        }
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The profile the measuring side (this program, with the fake and the clients) is built with.
const DRIVER_PROFILE: &str = "bench-tools";

/// Release builds of the server (as a user builds it) and of the floor, separately, so the
/// server's features are its own; and an optimized build of this program to drive them.
pub fn build(root: &Path) -> Result<(), BenchError> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for args in [
        &[
            "build",
            "--release",
            "-p",
            "spotify-mcp",
            "--bin",
            "spotify-mcp",
            "--bin",
            "bench-scale-seed",
        ][..],
        &["build", "--release", "-p", "xtask", "--bin", "bench-floor"][..],
        &[
            "build",
            "--profile",
            DRIVER_PROFILE,
            "-p",
            "xtask",
            "--bin",
            "xtask",
        ][..],
    ] {
        let command = format!("cargo {}", args.join(" "));
        eprintln!("bench: {command}");
        let status = std::process::Command::new(&cargo)
            .args(args)
            .current_dir(root)
            .status()
            .map_err(|e| BenchError::Spawn(command.clone(), e))?;
        if !status.success() {
            return Err(BenchError::Build(command));
        }
    }
    Ok(())
}

/// An unoptimized client measures itself more than the servers: runs the optimized build of this
/// program with the same options instead.
pub fn hand_over(root: &Path, options: &Options) -> Result<(), BenchError> {
    let driver = target_dir(root).join(DRIVER_PROFILE).join("xtask");
    if !driver.exists() {
        return Err(BenchError::Build(format!(
            "{} is missing: run `cargo xtask bench` without --no-build once",
            driver.display()
        )));
    }
    let mut command = std::process::Command::new(&driver);
    command.args(["bench", "--no-build"]);
    if options.plan == Plan::QUICK {
        command.arg("--quick");
    }
    if options.rows == Rows::ScaleOnly {
        command.arg("--scale");
    }
    // Only a --quick run has no output, and the driver's --quick means the same.
    if let Some(path) = &options.output {
        command.arg("--output").arg(path);
    }
    let status = command
        .status()
        .map_err(|e| BenchError::Spawn(driver.display().to_string(), e))?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::Protocol(format!(
            "the bench driver exited with {status}"
        )))
    }
}
