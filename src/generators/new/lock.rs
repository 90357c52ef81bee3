//! The app's Cargo.lock (issue 7): the dependency versions this release of tspawn was built and
//! tested with, so a user's first `cargo run` builds what CI built.
//!
//! `templates/lock/app.lock` is the lock cargo writes for a new app named `app`, trimmed from
//! this workspace's own Cargo.lock. One lock serves every driver: the app's Cargo.toml makes the
//! vendored runtime a workspace member, and cargo resolves a lock with every feature of every
//! member, so it holds all three drivers and every column-type feature (`chrono`, `decimal`,
//! `uuid`, `json`) whichever the app turns on. tests/app_lock.rs checks that the stored lock is
//! current and prints the command that refreshes it.
//!
//! This module renames the app's package and writes the lock exactly as cargo would for that
//! name, so cargo leaves the file as it is:
//! - packages are sorted by name (as strings), then version (semver), then source, with the
//!   app's path package before a registry one;
//! - a dependency is named by its name alone when only one package has that name, by
//!   `name version` when only one has that version, else `name version (source)` (cargo's
//!   `encodable_package_id`), so an app named like a crate of the lock re-spells its references.

use std::cmp::Ordering;

/// The name of the app's own package in the stored lock.
const PLACEHOLDER: &str = "app";

/// The stored lock, with the placeholder app in it.
const STORED: &str = include_str!("../../../templates/lock/app.lock");

/// The Cargo.lock of a new app whose package is named `app` (Cargo.toml's `package.name`), the
/// same for every driver.
pub fn render(app: &str) -> String {
    lock_for(STORED, app)
}

/// One `[[package]]` entry: its identity and its dependencies, resolved to package indices.
struct Package<'a> {
    name: &'a str,
    version: &'a str,
    source: Option<&'a str>,
    /// The entry's lines before `dependencies = [` (name, version, source, checksum).
    head: Vec<&'a str>,
    dependencies: Option<Vec<usize>>,
}

/// `lock` (cargo's text, with a path package named [`PLACEHOLDER`]) with that package renamed
/// to `app`, placed and referred to as cargo does.
fn lock_for(lock: &str, app: &str) -> String {
    let mut chunks = lock.split("\n\n");
    let header = chunks.next().expect("a lock has a header");
    let entries: Vec<&str> = chunks.collect();
    let mut packages: Vec<Package> = entries.iter().map(|e| parse(e)).collect();
    let deps: Vec<Option<Vec<usize>>> = entries
        .iter()
        .map(|e| dependency_specs(e).map(|specs| specs.map(|s| find(&packages, s)).collect()))
        .collect();
    for (package, deps) in packages.iter_mut().zip(deps) {
        package.dependencies = deps;
    }
    let own = packages
        .iter()
        .position(|p| p.name == PLACEHOLDER && p.source.is_none())
        .expect("the stored lock holds the placeholder app");
    packages[own].name = app;

    let mut order: Vec<usize> = (0..packages.len()).collect();
    order.sort_by(|&a, &b| compare(&packages[a], &packages[b]));
    let mut out = String::from(header);
    for &index in &order {
        out.push_str("\n\n");
        out.push_str(&write(&packages, index));
    }
    out.push('\n');
    out
}

fn parse(entry: &str) -> Package<'_> {
    let value = |key: &str| {
        entry.lines().find_map(|line| {
            let rest = line.strip_prefix(key)?.strip_prefix(" = \"")?;
            rest.strip_suffix('"')
        })
    };
    Package {
        name: value("name").expect("a package has a name"),
        version: value("version").expect("a package has a version"),
        source: value("source"),
        head: entry
            .lines()
            .take_while(|line| *line != "dependencies = [")
            .collect(),
        dependencies: None,
    }
}

/// The dependency lines of an entry, as written (`name`, `name version` or
/// `name version (source)`).
fn dependency_specs(entry: &str) -> Option<impl Iterator<Item = &str>> {
    let (_, list) = entry.split_once("dependencies = [\n")?;
    Some(
        list.lines()
            .filter_map(|line| line.strip_prefix(" \"").and_then(|l| l.strip_suffix("\","))),
    )
}

/// The index of the package a dependency spec names.
fn find(packages: &[Package], spec: &str) -> usize {
    let mut parts = spec.splitn(3, ' ');
    let name = parts.next();
    let version = parts.next();
    let source = parts
        .next()
        .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    packages
        .iter()
        .position(|p| {
            Some(p.name) == name
                && version.is_none_or(|v| v == p.version)
                && source.is_none_or(|s| Some(s) == p.source)
        })
        .unwrap_or_else(|| panic!("the stored lock names {spec:?}, which it does not hold"))
}

fn write(packages: &[Package], index: usize) -> String {
    let package = &packages[index];
    let mut lines: Vec<String> = package
        .head
        .iter()
        .map(|line| {
            if line.starts_with("name = ") {
                format!("name = \"{}\"", package.name)
            } else {
                line.to_string()
            }
        })
        .collect();
    if let Some(deps) = &package.dependencies {
        lines.push("dependencies = [".into());
        lines.extend(deps.iter().map(|&d| format!(" \"{}\",", spec(packages, d))));
        lines.push("]".into());
    }
    lines.join("\n")
}

/// How cargo names a package in a dependency list: by as little as tells it apart.
fn spec(packages: &[Package], index: usize) -> String {
    let package = &packages[index];
    let named = packages.iter().filter(|p| p.name == package.name);
    if named.clone().count() == 1 {
        return package.name.to_owned();
    }
    if named.filter(|p| p.version == package.version).count() == 1 {
        return format!("{} {}", package.name, package.version);
    }
    let source = package.source.expect("a registry package shares the name");
    format!("{} {} ({source})", package.name, package.version)
}

/// Cargo's order of packages: name, version, then source (a path package first).
fn compare(a: &Package, b: &Package) -> Ordering {
    a.name
        .cmp(b.name)
        .then_with(|| compare_versions(a.version, b.version))
        .then_with(|| a.source.is_some().cmp(&b.source.is_some()))
        .then_with(|| a.source.cmp(&b.source))
}

/// Semver order (semver.org §11, plus build metadata compared last as the `semver` crate does).
fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| {
        let (v, build) = v.split_once('+').unwrap_or((v, ""));
        let (core, pre) = v.split_once('-').unwrap_or((v, ""));
        let core: Vec<u64> = core.split('.').map(|n| n.parse().unwrap_or(0)).collect();
        (core, pre.to_owned(), build.to_owned())
    };
    let (core_a, pre_a, build_a) = parts(a);
    let (core_b, pre_b, build_b) = parts(b);
    core_a
        .cmp(&core_b)
        .then_with(|| match (pre_a.is_empty(), pre_b.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => compare_identifiers(&pre_a, &pre_b),
        })
        .then_with(|| compare_identifiers(&build_a, &build_b))
}

/// Dot-separated identifiers: numbers numerically and before words, words as ASCII, a shorter
/// list first when one is a prefix of the other.
fn compare_identifiers(a: &str, b: &str) -> Ordering {
    let key = |id: &str| match id.parse::<u64>() {
        Ok(n) => (0, n, String::new()),
        Err(_) => (1, 0, id.to_owned()),
    };
    let a = a.split('.').filter(|s| !s.is_empty()).map(key);
    let b = b.split('.').filter(|s| !s.is_empty()).map(key);
    a.cmp(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "# This file is automatically @generated by Cargo.\n\
        version = 4\n\n\
        [[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"bytes\",\n]\n\n\
        [[package]]\nname = \"bytes\"\nversion = \"1.2.0\"\nsource = \"registry+x\"\n\n\
        [[package]]\nname = \"user\"\nversion = \"1.0.0\"\nsource = \"registry+x\"\n\
        dependencies = [\n \"bytes\",\n \"wasite\",\n]\n\n\
        [[package]]\nname = \"wasite\"\nversion = \"0.1.0\"\nsource = \"registry+x\"\n";

    #[test]
    fn the_placeholder_lock_is_written_as_it_is() {
        assert_eq!(lock_for(LOCK, "app"), LOCK);
    }

    #[test]
    fn the_app_moves_to_its_place_by_name() {
        let lock = lock_for(LOCK, "chat");
        let names: Vec<&str> = lock
            .lines()
            .filter_map(|l| l.strip_prefix("name = "))
            .collect();
        assert_eq!(names, ["\"bytes\"", "\"chat\"", "\"user\"", "\"wasite\""]);
        let last = "[[package]]\nname = \"wasite\"\nversion = \"0.1.0\"\nsource = \"registry+x\"\n";
        assert!(
            lock.ends_with(&format!("\"wasite\",\n]\n\n{last}")),
            "{lock}"
        );
    }

    #[test]
    fn a_crate_of_the_apps_name_is_named_by_version_then_source() {
        let lock = lock_for(LOCK, "bytes");
        assert!(lock.contains(" \"bytes 1.2.0\",\n \"wasite\",\n"), "{lock}");
        assert!(lock.contains("[[package]]\nname = \"bytes\"\nversion = \"0.1.0\"\ndependencies"));
        let lock = lock_for(LOCK, "wasite");
        assert!(lock.contains(" \"wasite 0.1.0 (registry+x)\",\n"), "{lock}");
        let path_first = lock.find("name = \"wasite\"\nversion = \"0.1.0\"\ndependencies");
        let registry = lock.find("name = \"wasite\"\nversion = \"0.1.0\"\nsource");
        assert!(path_first < registry, "{lock}");
    }

    #[test]
    fn versions_sort_as_semver() {
        for (a, b) in [
            ("0.9.0", "0.10.0"),
            ("1.0.0-alpha", "1.0.0"),
            ("1.0.0-alpha.2", "1.0.0-alpha.10"),
            ("1.0.0-2", "1.0.0-alpha"),
            ("0.1.0", "0.1.0+wasi"),
        ] {
            assert_eq!(compare_versions(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(compare_versions(b, a), Ordering::Greater, "{b} > {a}");
        }
    }
}
