//! A small network of test hosts for suites that need clients on different addresses (included
//! with `#[path]`): network namespaces this test creates, each with a veth pair into a bridge in
//! the test's own namespace. The addresses are 203.0.113.0/24 (TEST-NET-3, RFC 5737: never
//! routed anywhere), so nothing here can reach or be reached from a real network. Needs root.

#![allow(dead_code)] // each suite uses a different part

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The address of the bridge, in the test's own namespace: where the hosts reach its servers.
pub const GATEWAY: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1));

/// One host: a network namespace with one interface on the bridge.
pub struct Host {
    pub namespace: String,
    pub address: IpAddr,
}

impl Host {
    /// `program` run on this host (its network is the host's; files, D-Bus and display are
    /// shared with the test).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.namespace])
            .arg(program);
        command
    }
}

/// A bridge and its hosts; dropping it removes them all.
pub struct TestNetwork {
    bridge: String,
    hosts: Vec<String>,
}

static NETWORKS: AtomicUsize = AtomicUsize::new(0);

fn ip(args: &[&str]) {
    let output = Command::new("ip")
        .args(args)
        .output()
        .expect("ip (iproute2)");
    assert!(
        output.status.success(),
        "ip {}: {} (creating network namespaces needs root)",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr).trim()
    );
}

impl TestNetwork {
    /// A bridge at [`GATEWAY`]/24. Only one network can hold that prefix at a time on a machine;
    /// suites that build one run their tests one by one.
    pub fn new() -> Self {
        let tag = format!(
            "{}{}",
            std::process::id(),
            NETWORKS.fetch_add(1, Ordering::Relaxed)
        );
        let bridge = format!("sesbr{tag}");
        ip(&["link", "add", &bridge, "type", "bridge"]);
        let network = Self {
            bridge,
            hosts: Vec::new(),
        };
        ip(&[
            "addr",
            "add",
            &format!("{GATEWAY}/24"),
            "dev",
            &network.bridge,
        ]);
        ip(&["link", "set", &network.bridge, "up"]);
        network
    }

    /// A new host named `name` at 203.0.113.`last`.
    pub fn host(&mut self, name: &str, last: u8) -> Host {
        let namespace = format!("sesame-{name}-{}", self.bridge.trim_start_matches("sesbr"));
        ip(&["netns", "add", &namespace]);
        self.hosts.push(namespace.clone());
        // At most 14 characters (Linux allows 15): "sesv", the pid, the counter, `last`.
        let outside = format!("sesv{}{last}", self.bridge.trim_start_matches("sesbr"));
        ip(&[
            "link", "add", &outside, "type", "veth", "peer", "name", "eth0", "netns", &namespace,
        ]);
        ip(&["link", "set", &outside, "master", &self.bridge, "up"]);
        let address = IpAddr::V4(Ipv4Addr::new(203, 0, 113, last));
        ip(&[
            "-n",
            &namespace,
            "addr",
            "add",
            &format!("{address}/24"),
            "dev",
            "eth0",
        ]);
        ip(&["-n", &namespace, "link", "set", "eth0", "up"]);
        ip(&["-n", &namespace, "link", "set", "lo", "up"]);
        Host { namespace, address }
    }
}

impl Drop for TestNetwork {
    fn drop(&mut self) {
        // Deleting a namespace deletes its end of the veth pair, and with it the other end.
        for namespace in &self.hosts {
            let _ = Command::new("ip")
                .args(["netns", "del", namespace])
                .status();
        }
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .status();
    }
}
