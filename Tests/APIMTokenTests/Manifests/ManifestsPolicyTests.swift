import Foundation
import Testing

@testable import APIMToken

/// The pod passes Pod Security "restricted", checked on the rendered JSON.
@Suite struct ManifestsPodSecurityTests {
    /// The CronJob's pod template (metadata, spec) from the rendered `List`.
    static func renderedPod(_ identity: CronJobIdentity, _ workload: WorkloadReference) throws -> (metadata: [String: Any], spec: [String: Any]) {
        let objects = try InstallManifests(ManifestFixtures.configuration(identity, workload: workload)).objects
        let list = try JSONSerialization.jsonObject(with: Data(ManifestRenderer.json(objects).utf8)) as! [String: Any]
        let cronJob = (list["items"] as! [[String: Any]]).first { $0["kind"] as? String == "CronJob" }!
        let template =
            ((((cronJob["spec"] as! [String: Any])["jobTemplate"] as! [String: Any])["spec"] as! [String: Any])["template"]
                as! [String: Any])
        return (template["metadata"] as? [String: Any] ?? [:], template["spec"] as! [String: Any])
    }

    @Test(arguments: ManifestFixtures.cases.map(\.0))
    func generatedPodPassesRestricted(_ stem: String) throws {
        let (_, identity, workload) = ManifestFixtures.cases.first { $0.0 == stem }!
        let pod = try Self.renderedPod(identity, workload)
        let violations = PodSecurityChecker.restricted(podSpec: pod.spec, podMetadata: pod.metadata)
        #expect(violations.isEmpty, "\(violations)")
        // Beyond the standard: the root filesystem is read-only.
        let container = (pod.spec["containers"] as! [[String: Any]])[0]
        #expect((container["securityContext"] as? [String: Any])?["readOnlyRootFilesystem"] as? Bool == true)
    }

    @Test func checkerCatchesEachKindOfViolation() {
        let bad: [String: Any] = [
            "hostNetwork": true,
            "securityContext": ["runAsUser": 0, "sysctls": [["name": "kernel.msgmax", "value": "1"]]],
            "volumes": [["name": "h", "hostPath": ["path": "/"]]],
            "containers": [
                [
                    "name": "c", "image": "i",
                    "ports": [["containerPort": 80, "hostPort": 80]],
                    "securityContext": [
                        "privileged": true, "allowPrivilegeEscalation": true,
                        "capabilities": ["add": ["SYS_ADMIN"]],
                        "seccompProfile": ["type": "Unconfined"],
                    ] as [String: Any],
                ] as [String: Any]
            ],
        ]
        let controls = Set(PodSecurityChecker.restricted(podSpec: bad).map(\.control))
        for control in [
            "Host Namespaces", "Privileged Containers", "Capabilities", "HostPath Volumes", "Host Ports", "Sysctls", "Seccomp",
            "Volume Types", "Privilege Escalation", "Running as Non-root", "Running as Non-root user",
        ] {
            #expect(controls.contains(control), "missed \(control)")
        }
        // The default (minimal) pod is baseline but not restricted.
        let minimal: [String: Any] = ["containers": [["name": "c", "image": "i"]]]
        let minimalControls = Set(PodSecurityChecker.restricted(podSpec: minimal).map(\.control))
        #expect(minimalControls == ["Privilege Escalation", "Running as Non-root", "Seccomp", "Capabilities"])
    }
}

/// The Role is least privilege: namespaced, no wildcards, names on every get/patch, list only for rollout waits.
@Suite struct ManifestsRBACTests {
    static func role(_ workload: WorkloadReference) throws -> Role {
        let manifests = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil), workload: workload))
        for case .role(let role) in manifests.objects { return role }
        throw ConfigurationError("no Role")
    }

    @Test(arguments: WorkloadReference.Kind.allCases)
    func roleIsMinimal(_ kind: WorkloadReference.Kind) throws {
        let role = try Self.role(WorkloadReference(kind: kind, name: "demo"))
        #expect(role.kind == "Role", "namespaced, never a ClusterRole")
        for rule in role.rules {
            for value in rule.apiGroups + rule.resources + rule.verbs + (rule.resourceNames ?? []) {
                #expect(!value.contains("*"), "wildcard in \(rule)")
            }
            #expect(Set(rule.verbs).isSubset(of: ["get", "patch", "create"]), "unexpected verb in \(rule)")
            #expect(!rule.verbs.contains("watch") && !rule.verbs.contains("list") && !rule.verbs.contains("delete") && !rule.verbs.contains("update"))
            if rule.verbs.contains("get") || rule.verbs.contains("patch") {
                #expect(rule.resourceNames?.count == 1, "get/patch must name exactly one object: \(rule)")
                #expect(rule.resources.count == 1)
            }
        }
        let byResource = Dictionary(grouping: role.rules, by: { $0.resources.joined(separator: ",") })
        #expect(byResource["secrets"]?.first == PolicyRule(apiGroups: [""], resources: ["secrets"], resourceNames: ["demo-token"], verbs: ["get", "patch"]))
        #expect(
            byResource[kind.resourceType.plural]?.first
                == PolicyRule(apiGroups: ["apps"], resources: [kind.resourceType.plural], resourceNames: ["demo"], verbs: ["get", "patch"]))
        #expect(byResource["events"]?.first == PolicyRule(apiGroups: [""], resources: ["events"], verbs: ["create"]))
        #expect(role.rules.count == 3)
        // Only the workload's own kind is named.
        let otherKinds = WorkloadReference.Kind.allCases.filter { $0 != kind }.map(\.resourceType.plural)
        #expect(role.rules.allSatisfy { Set($0.resources).isDisjoint(with: otherKinds) })
    }

    @Test func bindingGrantsTheRoleToTheServiceAccountOnly() throws {
        let manifests = try InstallManifests(ManifestFixtures.configuration(.workloadIdentity(clientID: "c", tenantID: nil)))
        for case .roleBinding(let binding) in manifests.objects {
            #expect(binding.roleRef == .init(apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "apimtoken-demo"))
            #expect(binding.subjects == [.init(kind: "ServiceAccount", name: "apimtoken-demo", namespace: "apim")])
            return
        }
        Issue.record("no RoleBinding")
    }
}

/// The aad-pod-identity objects have the shape of the `aadpodidentity.k8s.io/v1` CRDs (which kubernetes-validate
/// has no schema for): `AzureIdentitySpec{type int, resourceID, clientID}`, `AzureIdentityBindingSpec{azureIdentity,
/// selector}`, and the pod carries `aadpodidbinding: <selector>`.
@Suite struct ManifestsAADPodIdentityTests {
    @Test func objectsMatchTheCRDFields() throws {
        let identity = CronJobIdentity.aadPodIdentity(
            resourceID: "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i", clientID: "cid")
        let objects = try InstallManifests(ManifestFixtures.configuration(identity)).objects
        let list = try JSONSerialization.jsonObject(with: Data(ManifestRenderer.json(objects).utf8)) as! [String: Any]
        let items = list["items"] as! [[String: Any]]
        let azureIdentity = try #require(items.first { $0["kind"] as? String == "AzureIdentity" })
        let identitySpec = try #require(azureIdentity["spec"] as? [String: Any])
        #expect(Set(identitySpec.keys) == ["type", "resourceID", "clientID"])
        #expect(identitySpec["type"] as? Int == 0, "0 is a user-assigned managed identity")
        #expect(identitySpec["clientID"] as? String == "cid")
        let binding = try #require(items.first { $0["kind"] as? String == "AzureIdentityBinding" })
        let bindingSpec = try #require(binding["spec"] as? [String: Any])
        #expect(Set(bindingSpec.keys) == ["azureIdentity", "selector"])
        #expect(bindingSpec["azureIdentity"] as? String == (azureIdentity["metadata"] as? [String: Any])?["name"] as? String)
        let pod = try ManifestsPodSecurityTests.renderedPod(identity, .init(kind: .deployment, name: "demo"))
        #expect((pod.metadata["labels"] as? [String: String])?["aadpodidbinding"] == bindingSpec["selector"] as? String)
        for item in [azureIdentity, binding] { #expect(item["apiVersion"] as? String == "aadpodidentity.k8s.io/v1") }
    }
}
