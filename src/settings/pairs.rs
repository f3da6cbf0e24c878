//! Which (account, Region) pairs triage watches: repeatable `--profile` and
//! `--region` (every profile in every Region), else the config's
//! `[[accounts]]` (each in its `regions`), else the one profile and Region
//! of the flags, config or environment.

use super::config::AccountEntry;

/// One account in one Region, as asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PairSpec {
    /// The account's name in tables and JSON (`[[accounts]] name`, else the
    /// profile, else `default`).
    pub name: String,
    pub profile: Option<String>,
    /// None: the profile's (or the environment's) Region.
    pub region: Option<String>,
    /// `production = true` in its `[[accounts]]` entry.
    pub production: bool,
    /// A simulated pair's scenario (`--demo=saas,staging`): a built-in name
    /// or a file.
    pub scenario: Option<String>,
    /// `flow_logs_role` of its `[[accounts]]` entry.
    pub flow_logs_role: Option<String>,
}

impl PairSpec {
    /// `name/region` (the Region `default` when the profile decides it).
    pub fn label(&self) -> String {
        format!(
            "{}/{}",
            self.name,
            self.region.as_deref().unwrap_or("default")
        )
    }
}

/// The pairs, in the order given. `profile`/`region` are the single values
/// the rest of the settings resolved (flag, config, environment).
pub(crate) fn resolve(
    flag_profiles: &[String],
    flag_regions: &[String],
    accounts: &[AccountEntry],
    profile: Option<&str>,
    region: Option<&str>,
) -> Vec<PairSpec> {
    let named = |profile: Option<&str>, region: Option<&str>| PairSpec {
        name: profile.unwrap_or("default").to_string(),
        profile: profile.map(str::to_string),
        region: region.map(str::to_string),
        production: false,
        scenario: None,
        flow_logs_role: None,
    };
    if flag_profiles.len() > 1 || flag_regions.len() > 1 {
        let profiles: Vec<Option<&str>> = if flag_profiles.is_empty() {
            vec![profile]
        } else {
            flag_profiles.iter().map(|p| Some(p.as_str())).collect()
        };
        let regions: Vec<Option<&str>> = if flag_regions.is_empty() {
            vec![region]
        } else {
            flag_regions.iter().map(|r| Some(r.as_str())).collect()
        };
        let mut pairs = Vec::new();
        for p in &profiles {
            for r in &regions {
                let mut pair = named(*p, *r);
                if let Some(entry) = accounts.iter().find(|a| a.profile.as_deref() == *p) {
                    pair.name = entry_name(entry);
                    pair.production = entry.production;
                    pair.flow_logs_role.clone_from(&entry.flow_logs_role);
                }
                pairs.push(pair);
            }
        }
        return dedup(pairs);
    }
    if flag_profiles.is_empty() && flag_regions.is_empty() && !accounts.is_empty() {
        let mut pairs = Vec::new();
        for entry in accounts {
            let regions: Vec<Option<&str>> = if entry.regions.is_empty() {
                vec![region]
            } else {
                entry.regions.iter().map(|r| Some(r.as_str())).collect()
            };
            for r in regions {
                pairs.push(PairSpec {
                    name: entry_name(entry),
                    profile: entry.profile.clone(),
                    region: r.map(str::to_string),
                    production: entry.production,
                    scenario: None,
                    flow_logs_role: entry.flow_logs_role.clone(),
                });
            }
        }
        return dedup(pairs);
    }
    vec![named(profile, region)]
}

/// An entry's name, else its profile's, else `default`.
fn entry_name(entry: &AccountEntry) -> String {
    match (entry.name.trim(), &entry.profile) {
        ("", Some(profile)) => profile.clone(),
        ("", None) => "default".into(),
        (name, _) => name.to_string(),
    }
}

/// The same pair asked for twice is read once.
fn dedup(pairs: Vec<PairSpec>) -> Vec<PairSpec> {
    let mut out: Vec<PairSpec> = Vec::new();
    for pair in pairs {
        if !out
            .iter()
            .any(|p| p.profile == pair.profile && p.region == pair.region)
        {
            out.push(pair);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, profile: &str, regions: &[&str], production: bool) -> AccountEntry {
        AccountEntry {
            name: name.into(),
            profile: Some(profile.into()),
            regions: regions.iter().map(|r| r.to_string()).collect(),
            production,
            flow_logs_role: None,
        }
    }

    #[test]
    fn one_profile_and_region_is_one_pair() {
        let pairs = resolve(&[], &[], &[], Some("prod"), Some("eu-west-1"));
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].label(), "prod/eu-west-1");
    }

    #[test]
    fn repeated_flags_give_every_profile_in_every_region() {
        let accounts = [entry("Production", "prod", &[], true)];
        let pairs = resolve(
            &["prod".into(), "staging".into()],
            &["eu-west-1".into(), "us-east-1".into()],
            &accounts,
            None,
            None,
        );
        let labels: Vec<String> = pairs.iter().map(PairSpec::label).collect();
        assert_eq!(
            labels,
            [
                "Production/eu-west-1",
                "Production/us-east-1",
                "staging/eu-west-1",
                "staging/us-east-1"
            ]
        );
        assert!(pairs[0].production && !pairs[2].production);
    }

    #[test]
    fn accounts_from_the_config_each_in_their_regions_and_no_pair_twice() {
        let accounts = [
            entry(
                "prod",
                "prod-oncall",
                &["eu-west-1", "us-east-1", "eu-west-1"],
                true,
            ),
            AccountEntry {
                name: "shared".into(),
                profile: Some("shared".into()),
                regions: vec![],
                production: false,
                flow_logs_role: None,
            },
        ];
        let pairs = resolve(&[], &[], &accounts, None, Some("eu-central-1"));
        let labels: Vec<String> = pairs.iter().map(PairSpec::label).collect();
        assert_eq!(
            labels,
            ["prod/eu-west-1", "prod/us-east-1", "shared/eu-central-1"]
        );
        // A flag wins over the config's list.
        let pairs = resolve(&["adhoc".into()], &[], &accounts, Some("adhoc"), None);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].profile.as_deref(), Some("adhoc"));
    }
}
