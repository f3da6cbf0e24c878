//! The flags every triage command shares.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Args)]
pub struct GlobalFlags {
    /// AWS profile (from ~/.aws/config: SSO, roles, keys); repeat it to watch several accounts
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Vec<String>,

    /// AWS region (default: the profile's or AWS_REGION); repeat it to watch several
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Vec<String>,

    /// Send AWS calls to this endpoint instead (an emulator, a VPC endpoint)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Watch only this cluster (repeatable; default: every cluster in the region)
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Vec<String>,

    /// Use the built-in simulated account instead of AWS (`--demo` or `--demo=SCENARIO|FILE`)
    #[arg(long, global = true, value_name = "SCENARIO", num_args = 0..=1,
          require_equals = true, default_missing_value = "saas")]
    pub demo: Option<String>,

    /// Refuse every call that would change the account
    #[arg(long, global = true)]
    pub read_only: bool,

    /// Share incident timelines with other responders through CloudWatch Logs
    #[arg(long, global = true)]
    pub share: bool,

    /// Config file (default: $XDG_CONFIG_HOME/triage/config.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A folder of runbooks searched first (repeatable)
    #[arg(long = "runbooks", global = true, value_name = "DIR")]
    pub runbooks: Vec<PathBuf>,

    /// Where incidents are kept (default: $XDG_DATA_HOME/triage/incidents)
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Colour theme: dark, light, high-contrast, or one in the config dir's themes/
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
}
