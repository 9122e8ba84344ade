import Foundation

/// Checks a pod spec (as decoded JSON) against the Pod Security Standards "baseline" and "restricted" profiles,
/// written from https://kubernetes.io/docs/concepts/security/pod-security-standards/ (controls as of v1.34).
///
/// It works on the rendered JSON, not on the Swift types, so any field the generator emits is seen, including ones
/// a typed check would not know about.
struct PodSecurityChecker {
    /// One violated control.
    struct Violation: Equatable, CustomStringConvertible {
        var control: String
        var field: String
        var detail: String
        var description: String { "\(control): \(field) \(detail)" }
    }

    private(set) var violations: [Violation] = []

    /// The violations of `podSpec` (a `PodSpec` object) and the pod's `metadata` (for AppArmor annotations).
    static func restricted(podSpec: [String: Any], podMetadata: [String: Any] = [:]) -> [Violation] {
        var checker = PodSecurityChecker()
        checker.checkBaseline(podSpec, podMetadata)
        checker.checkRestricted(podSpec)
        return checker.violations
    }

    private mutating func fail(_ control: String, _ field: String, _ detail: String) {
        violations.append(Violation(control: control, field: field, detail: detail))
    }

    /// `(fieldPrefix, container)` for containers, initContainers and ephemeralContainers.
    private func containers(_ spec: [String: Any]) -> [(String, [String: Any])] {
        ["containers", "initContainers", "ephemeralContainers"].flatMap { key in
            ((spec[key] as? [[String: Any]]) ?? []).enumerated().map { ("spec.\(key)[\($0.offset)]", $0.element) }
        }
    }

    private static func bool(_ value: Any?) -> Bool? { value as? Bool }

    // MARK: Baseline

    private mutating func checkBaseline(_ spec: [String: Any], _ metadata: [String: Any]) {
        let podContext = spec["securityContext"] as? [String: Any] ?? [:]
        let all = containers(spec)

        // HostProcess: undefined or false.
        if Self.bool((podContext["windowsOptions"] as? [String: Any])?["hostProcess"]) == true {
            fail("HostProcess", "spec.securityContext.windowsOptions.hostProcess", "must be unset or false")
        }
        for (path, container) in all {
            let context = container["securityContext"] as? [String: Any] ?? [:]
            if Self.bool((context["windowsOptions"] as? [String: Any])?["hostProcess"]) == true {
                fail("HostProcess", "\(path).securityContext.windowsOptions.hostProcess", "must be unset or false")
            }
        }

        // Host namespaces: hostNetwork, hostPID, hostIPC undefined or false.
        for key in ["hostNetwork", "hostPID", "hostIPC"] where Self.bool(spec[key]) == true {
            fail("Host Namespaces", "spec.\(key)", "must be unset or false")
        }

        // Privileged containers.
        for (path, container) in all {
            let context = container["securityContext"] as? [String: Any] ?? [:]
            if Self.bool(context["privileged"]) == true { fail("Privileged Containers", "\(path).securityContext.privileged", "must be unset or false") }

            // Capabilities: add only from the baseline set.
            let baselineAdd: Set = [
                "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
                "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
            ]
            let added = ((context["capabilities"] as? [String: Any])?["add"] as? [String]) ?? []
            for capability in added where !baselineAdd.contains(capability) {
                fail("Capabilities", "\(path).securityContext.capabilities.add", "adds \(capability)")
            }

            // Host ports: undefined or 0.
            for (index, port) in ((container["ports"] as? [[String: Any]]) ?? []).enumerated() {
                if let hostPort = port["hostPort"] as? Int, hostPort != 0 {
                    fail("Host Ports", "\(path).ports[\(index)].hostPort", "must be unset or 0")
                }
            }

            // SELinux, /proc mount, seccomp (not Unconfined), AppArmor (field form).
            checkSELinux(context["seLinuxOptions"] as? [String: Any], "\(path).securityContext.seLinuxOptions")
            if let procMount = context["procMount"] as? String, procMount != "Default" {
                fail("/proc Mount Type", "\(path).securityContext.procMount", "must be unset or Default")
            }
            if ((context["seccompProfile"] as? [String: Any])?["type"] as? String) == "Unconfined" {
                fail("Seccomp", "\(path).securityContext.seccompProfile.type", "must not be Unconfined")
            }
            checkAppArmor(context["appArmorProfile"] as? [String: Any], "\(path).securityContext.appArmorProfile")
        }

        // HostPath volumes.
        let volumes = (spec["volumes"] as? [[String: Any]]) ?? []
        for (index, volume) in volumes.enumerated() where volume["hostPath"] != nil {
            fail("HostPath Volumes", "spec.volumes[\(index)].hostPath", "must be unset")
        }

        checkSELinux(podContext["seLinuxOptions"] as? [String: Any], "spec.securityContext.seLinuxOptions")
        if ((podContext["seccompProfile"] as? [String: Any])?["type"] as? String) == "Unconfined" {
            fail("Seccomp", "spec.securityContext.seccompProfile.type", "must not be Unconfined")
        }
        checkAppArmor(podContext["appArmorProfile"] as? [String: Any], "spec.securityContext.appArmorProfile")

        // AppArmor (annotation form): runtime/default or localhost/*.
        for (key, value) in (metadata["annotations"] as? [String: String]) ?? [:]
        where key.hasPrefix("container.apparmor.security.beta.kubernetes.io/") {
            if value != "runtime/default" && !value.hasPrefix("localhost/") {
                fail("AppArmor", "metadata.annotations[\(key)]", "must be runtime/default or localhost/*")
            }
        }

        // Sysctls: only the safe set.
        let safeSysctls: Set = [
            "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ]
        for (index, sysctl) in ((podContext["sysctls"] as? [[String: Any]]) ?? []).enumerated() {
            if let name = sysctl["name"] as? String, !safeSysctls.contains(name) {
                fail("Sysctls", "spec.securityContext.sysctls[\(index)].name", "\(name) is not a safe sysctl")
            }
        }
    }

    private mutating func checkSELinux(_ options: [String: Any]?, _ path: String) {
        guard let options else { return }
        let allowedTypes: Set = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]
        if let type = options["type"] as? String, !allowedTypes.contains(type) { fail("SELinux", "\(path).type", "\(type) is not allowed") }
        for key in ["user", "role"] where options[key] != nil { fail("SELinux", "\(path).\(key)", "must be unset") }
    }

    private mutating func checkAppArmor(_ profile: [String: Any]?, _ path: String) {
        guard let type = profile?["type"] as? String else { return }
        if type != "RuntimeDefault" && type != "Localhost" { fail("AppArmor", "\(path).type", "must be RuntimeDefault or Localhost") }
    }

    // MARK: Restricted

    private mutating func checkRestricted(_ spec: [String: Any]) {
        let podContext = spec["securityContext"] as? [String: Any] ?? [:]
        let all = containers(spec)

        // Volume types: only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.
        let allowedVolumeSources: Set = [
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
        ]
        for (index, volume) in ((spec["volumes"] as? [[String: Any]]) ?? []).enumerated() {
            for key in volume.keys where key != "name" && !allowedVolumeSources.contains(key) {
                fail("Volume Types", "spec.volumes[\(index)].\(key)", "is not an allowed volume type")
            }
        }

        let podRunAsNonRoot = Self.bool(podContext["runAsNonRoot"])
        let podSeccomp = (podContext["seccompProfile"] as? [String: Any])?["type"] as? String
        if let uid = podContext["runAsUser"] as? Int, uid == 0 {
            fail("Running as Non-root user", "spec.securityContext.runAsUser", "must not be 0")
        }
        if podRunAsNonRoot == false { fail("Running as Non-root", "spec.securityContext.runAsNonRoot", "must not be false") }
        if let podSeccomp, podSeccomp != "RuntimeDefault", podSeccomp != "Localhost" {
            fail("Seccomp", "spec.securityContext.seccompProfile.type", "must be RuntimeDefault or Localhost")
        }

        for (path, container) in all {
            let context = container["securityContext"] as? [String: Any] ?? [:]
            // Privilege escalation: must be false (ephemeral containers too).
            if Self.bool(context["allowPrivilegeEscalation"]) != false {
                fail("Privilege Escalation", "\(path).securityContext.allowPrivilegeEscalation", "must be false")
            }
            // Running as non-root: pod-level true, or every container true; never false on a container.
            let runAsNonRoot = Self.bool(context["runAsNonRoot"])
            if runAsNonRoot == false || (runAsNonRoot == nil && podRunAsNonRoot != true) {
                fail("Running as Non-root", "\(path).securityContext.runAsNonRoot", "must be true (here or on the pod)")
            }
            if let uid = context["runAsUser"] as? Int, uid == 0 {
                fail("Running as Non-root user", "\(path).securityContext.runAsUser", "must not be 0")
            }
            // Seccomp: RuntimeDefault or Localhost, here or on the pod.
            let seccomp = (context["seccompProfile"] as? [String: Any])?["type"] as? String
            if let seccomp {
                if seccomp != "RuntimeDefault" && seccomp != "Localhost" {
                    fail("Seccomp", "\(path).securityContext.seccompProfile.type", "must be RuntimeDefault or Localhost")
                }
            } else if podSeccomp == nil {
                fail("Seccomp", "\(path).securityContext.seccompProfile.type", "must be set here or on the pod")
            }
            // Capabilities: drop ALL; add only NET_BIND_SERVICE.
            let capabilities = context["capabilities"] as? [String: Any] ?? [:]
            if !((capabilities["drop"] as? [String]) ?? []).contains("ALL") {
                fail("Capabilities", "\(path).securityContext.capabilities.drop", "must include ALL")
            }
            for capability in (capabilities["add"] as? [String]) ?? [] where capability != "NET_BIND_SERVICE" {
                fail("Capabilities", "\(path).securityContext.capabilities.add", "may only add NET_BIND_SERVICE, not \(capability)")
            }
        }
    }
}
