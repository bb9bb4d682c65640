//! What a process's cgroup says about it: the systemd unit it runs in and
//! the container it belongs to, read from the text of `/proc/PID/cgroup`.
//! Pure: no file is read here, so every layout is tested as text.
//!
//! A line is `hierarchy:controllers:path`. Under cgroup v2 there is one
//! line, `0::/path`; under v1 one per hierarchy, systemd's being
//! `N:name=systemd:/path`. The paths name units as systemd lays them out
//! (`system.slice/cron.service`, `user.slice/user-1000.slice/
//! user@1000.service/app.slice/foo.service`) and containers as their
//! runtimes do: docker `docker-<id>.scope` (systemd driver) or
//! `/docker/<id>` (cgroupfs driver), podman `libpod-<id>.scope`,
//! containerd and Kubernetes `cri-containerd-<id>.scope` or
//! `kubepods/<class>/pod<uid>/<id>`, CRI-O `crio-<id>.scope`.

use super::Context;

/// Suffixes of the units a process can run in (slices only group them).
const UNIT_SUFFIXES: &[&str] = &[".service", ".scope", ".socket", ".mount", ".swap"];

/// The unit and container of the process whose cgroup file reads `text`.
pub fn parse(text: &str) -> Context {
    let paths = paths(text);
    Context {
        unit: paths.iter().find_map(|p| innermost(p, unit)),
        container: paths.iter().find_map(|p| innermost(p, container)),
        ..Context::default()
    }
}

/// The cgroup paths of the file, the most telling first: the unified (v2)
/// hierarchy's, then systemd's v1 one, then the others.
fn paths(text: &str) -> Vec<&str> {
    let mut lines: Vec<(u8, &str)> = text
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let (hierarchy, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            let rank = match (hierarchy, controllers) {
                ("0", "") => 0,
                (_, "name=systemd") => 1,
                _ => 2,
            };
            Some((rank, path))
        })
        .collect();
    lines.sort_by_key(|(rank, _)| *rank);
    lines.into_iter().map(|(_, path)| path).collect()
}

/// The last component of `path` that `pick` recognises: nested cgroups
/// (a unit inside a user's manager, a container inside a unit) name the
/// process's own one last.
fn innermost(path: &str, pick: fn(&str) -> Option<String>) -> Option<String> {
    path.split('/').rev().find_map(pick)
}

fn unit(component: &str) -> Option<String> {
    UNIT_SUFFIXES
        .iter()
        .any(|s| component.len() > s.len() && component.ends_with(s))
        .then(|| component.to_string())
}

/// A container id: 64 hex digits, alone (cgroupfs drivers) or as
/// `<runtime>-<id>.scope` (systemd drivers). podman's `libpod-conmon-`
/// scope holds its monitor, not the container.
fn container(component: &str) -> Option<String> {
    let id = match component.strip_suffix(".scope") {
        Some(scope) if !scope.contains("-conmon-") => scope.rsplit_once('-')?.1,
        Some(_) => return None,
        None => component,
    };
    is_container_id(id).then(|| id.to_string())
}

fn is_container_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";

    fn of(text: &str) -> (Option<String>, Option<String>) {
        let c = parse(text);
        (c.unit, c.container)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn a_system_service_under_cgroup_v2() {
        assert_eq!(
            of("0::/system.slice/cron.service\n"),
            (some("cron.service"), None)
        );
    }

    #[test]
    fn a_user_unit_is_the_innermost_unit() {
        let text = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-foo.service\n";
        assert_eq!(of(text), (some("app-foo.service"), None));
        let session = "0::/user.slice/user-1000.slice/session-3.scope\n";
        assert_eq!(of(session), (some("session-3.scope"), None));
    }

    #[test]
    fn a_leaf_cgroup_inside_a_unit_names_the_unit() {
        let text = "0::/system.slice/containerd.service/init\n";
        assert_eq!(of(text), (some("containerd.service"), None));
    }

    #[test]
    fn the_root_and_slices_name_no_unit() {
        assert_eq!(of("0::/\n"), (None, None));
        assert_eq!(of("0::/user.slice\n"), (None, None));
        assert_eq!(of(""), (None, None));
    }

    #[test]
    fn docker_with_the_systemd_driver() {
        let text = format!("0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(of(&text), (Some(format!("docker-{ID}.scope")), some(ID)));
    }

    #[test]
    fn docker_with_the_cgroupfs_driver_under_v1() {
        let text = format!(
            "12:pids:/docker/{ID}\n11:memory:/docker/{ID}\n1:name=systemd:/docker/{ID}\n0::/\n"
        );
        assert_eq!(of(&text), (None, some(ID)));
    }

    #[test]
    fn v1_prefers_systemds_hierarchy_for_the_unit() {
        let text = "4:cpu,cpuacct:/\n1:name=systemd:/system.slice/ssh.service\n0::/\n";
        assert_eq!(of(text), (some("ssh.service"), None));
    }

    #[test]
    fn podman_rootless_and_its_monitor() {
        let text = format!(
            "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{ID}.scope/container\n"
        );
        assert_eq!(of(&text), (Some(format!("libpod-{ID}.scope")), some(ID)));
        let conmon = format!("0::/machine.slice/libpod-conmon-{ID}.scope\n");
        assert_eq!(
            of(&conmon),
            (Some(format!("libpod-conmon-{ID}.scope")), None)
        );
    }

    #[test]
    fn kubernetes_with_containerd_and_the_systemd_driver() {
        let text = format!(
            "0::/kubepods.slice/kubepods-burstable.slice/\
             kubepods-burstable-pod0a1b2c3d_4e5f_6789_abcd_ef0123456789.slice/\
             cri-containerd-{ID}.scope\n"
        );
        assert_eq!(of(&text).1, some(ID));
    }

    #[test]
    fn kubernetes_with_the_cgroupfs_driver() {
        let text =
            format!("0::/kubepods/besteffort/pod0a1b2c3d-4e5f-6789-abcd-ef0123456789/{ID}\n");
        assert_eq!(of(&text), (None, some(ID)));
    }

    #[test]
    fn near_misses_are_no_container() {
        let short = &ID[..63];
        let upper = ID.to_uppercase();
        for path in [
            format!("0::/docker/{short}\n"),
            format!("0::/docker/{upper}\n"),
            format!("0::/system.slice/docker-{short}.scope\n"),
        ] {
            assert_eq!(of(&path).1, None, "{path}");
        }
    }

    #[test]
    fn lines_without_three_parts_are_skipped() {
        assert_eq!(
            of("garbage\n0::/system.slice/a.service\n"),
            (some("a.service"), None)
        );
    }
}
