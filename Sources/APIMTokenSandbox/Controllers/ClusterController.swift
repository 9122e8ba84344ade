import Crypto
import Foundation

/// Rollout speed and the simulated gateway's behaviour.
public struct ControllerOptions: Sendable {
    /// How long a new pod takes from creation to running (and Ready if its probes pass).
    public var podStartDelay: TimeInterval
    /// The pause between two rollout steps of one workload.
    public var stepInterval: TimeInterval

    /// Options; the defaults suit tests (a one-replica rollout completes in well under two seconds).
    public init(podStartDelay: TimeInterval = 0.3, stepInterval: TimeInterval = 0.2) {
        self.podStartDelay = podStartDelay
        self.stepInterval = stepInterval
    }
}

// MARK: - ClusterController

/// The simulated kube-controller-manager and kubelet: Deployments, StatefulSets and DaemonSets get pods and a
/// status as the real controllers would set them; each gateway pod captures its token when it starts and carries a
/// condition saying whether that token authenticates against the simulated APIM.
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`.
final class ClusterController: @unchecked Sendable {
    /// What the simulated kubelet remembers about a running pod.
    private struct PodRuntime {
        var started: Date
        var readyAt: Date
        var captured: Bool
        var token: String?
        var isGateway: Bool
        var configError: String?
    }

    private struct WorkloadMemory {
        var revisions: [String: Int] = [:]
        var lastStep = Date.distantPast
        var lastProgress = Date()
        var lastCounts: [Int] = []
    }

    /// The cluster state it reconciles.
    let store: ObjectStore
    /// The simulated APIM that gateway pods authenticate against.
    let azure: AzureState
    /// Rollout speed.
    let options: ControllerOptions
    private let lock = NSLock()
    private var pods: [String: PodRuntime] = [:]
    private var workloads: [String: WorkloadMemory] = [:]
    private var neverReady: Set<String> = []
    private var readyDespiteBadToken = false
    private var ipCounter = 10
    private var task: Task<Void, Never>?
    /// Bumped by the behaviour switches, which change pods without a write.
    private var switchesVersion = 0
    /// The store revision, Azure key version and switches version the last pass saw.
    private var seen = (store: -1, azure: -1, switches: -1)
    /// Whether the last pass found nothing in flight (no writes, no pod starting, no rollout step due).
    private var settled = false
    private var lastPass = Date.distantPast

    /// How often a settled cluster is re-examined anyway, for changes that only time brings (token expiry,
    /// progress deadlines).
    static let settledInterval: TimeInterval = 2

    /// The annotation that names the gateway a pod serves (used for the "for this gateway" check).
    static let gatewayAnnotation = "sandbox.apimtoken.dev/gateway"
    /// The annotation that makes a workload's pods never become Ready.
    static let neverReadyAnnotation = "sandbox.apimtoken.dev/never-ready"

    /// A stopped controller; call ``start()``.
    init(store: ObjectStore, azure: AzureState, options: ControllerOptions) {
        self.store = store
        self.azure = azure
        self.options = options
    }

    /// Starts the reconcile loop.
    func start() {
        let tick = max(0.02, min(0.1, min(options.podStartDelay, options.stepInterval) / 2))
        task = Task { [weak self] in
            while !Task.isCancelled {
                self?.reconcile()
                try? await Task.sleep(nanoseconds: UInt64(tick * 1e9))
            }
        }
    }

    /// Stops it.
    func stop() { task?.cancel() }

    /// Makes a workload's pods never become Ready (`kind` is `Deployment`, `StatefulSet` or `DaemonSet`).
    func setNeverReady(kind: String, namespace: String, name: String, _ value: Bool) {
        lock.withLock {
            if value { neverReady.insert("\(kind)/\(namespace)/\(name)") } else { neverReady.remove("\(kind)/\(namespace)/\(name)") }
            switchesVersion += 1
        }
    }

    /// The real gateway bug: pods report Ready even when their token does not authenticate.
    func setReadyDespiteBadToken(_ value: Bool) {
        lock.withLock {
            readyDespiteBadToken = value
            switchesVersion += 1
        }
    }

    /// The token a pod captured at start (for tests; never logged).
    func capturedToken(podUID: String) -> String? { lock.withLock { pods[podUID]?.token } }

    // MARK: Reconcile

    /// One pass over every workload and pod, unless the cluster is settled and nothing changed since the last pass
    /// (then only every ``settledInterval``), so that an idle sandbox with many gateways costs almost no CPU.
    func reconcile() {
        let now = Date()
        let before = (store: store.currentRevision, azure: azure.version, switches: lock.withLock { switchesVersion })
        let idle = lock.withLock { settled && seen == before && now.timeIntervalSince(lastPass) < Self.settledInterval }
        if idle { return }
        let deployments = store.list(.deployments, namespace: nil).items
        let statefulSets = store.list(.statefulSets, namespace: nil).items
        let daemonSets = store.list(.daemonSets, namespace: nil).items
        for d in deployments { reconcileDeployment(d.json, now: now) }
        for s in statefulSets { reconcileStatefulSet(s.json, now: now) }
        for d in daemonSets { reconcileDaemonSet(d.json, now: now) }
        // Garbage collection: the pods of a deleted workload go too (background cascading deletion).
        let owners = Set((deployments + statefulSets + daemonSets).compactMap { $0.json[path: ["metadata", "uid"]]?.stringValue })
        for p in store.list(.pods, namespace: nil).items {
            if let owner = p.json[path: ["metadata", "annotations", "sandbox.apimtoken.dev/owner-uid"]]?.stringValue, !owners.contains(owner) {
                deletePod(p.json)
            } else {
                reconcilePod(p.json, now: now)
            }
        }
        let live = Set(store.list(.pods, namespace: nil).items.compactMap { $0.json[path: ["metadata", "uid"]]?.stringValue })
        let after = store.currentRevision
        lock.withLock {
            pods = pods.filter { live.contains($0.key) }
            let starting = pods.values.contains { $0.configError == nil && (!$0.captured || $0.readyAt > now) }
            let stepping = workloads.values.contains { now.timeIntervalSince($0.lastStep) < options.stepInterval * 2 }
            settled = after == before.store && !starting && !stepping
            seen = (after, before.azure, before.switches)
            lastPass = now
        }
    }

    private static func templateHash(_ template: JSON?) -> String {
        let digest = SHA256.hash(data: (template ?? .null).encoded())
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(digest.prefix(10).map { alphabet[Int($0) % alphabet.count] })
    }

    private func ownedPods(_ workload: JSON) -> [JSON] {
        let uid = workload[path: ["metadata", "uid"]]?.stringValue ?? ""
        let ns = workload[path: ["metadata", "namespace"]]?.stringValue ?? ""
        return store.list(.pods, namespace: ns).items.map(\.json).filter { pod in
            (pod[path: ["metadata", "annotations", "sandbox.apimtoken.dev/owner-uid"]]?.stringValue) == uid
        }
    }

    private func isReady(_ pod: JSON) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }

    private func createPod(for workload: JSON, kind: String, name: String, hashLabel: (String, String), extraLabels: [String: JSON] = [:]) {
        let ns = workload[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let template = workload[path: ["spec", "template"]] ?? [:]
        var labels = template[path: ["metadata", "labels"]]?.objectValue ?? [:]
        labels[hashLabel.0] = .string(hashLabel.1)
        labels.merge(extraLabels) { _, b in b }
        var annotations = template[path: ["metadata", "annotations"]]?.objectValue ?? [:]
        annotations["sandbox.apimtoken.dev/owner-uid"] = workload[path: ["metadata", "uid"]]
        let ownerName =
            kind == "Deployment"
            ? "\(workload[path: ["metadata", "name"]]?.stringValue ?? "")-\(hashLabel.1)" : (workload[path: ["metadata", "name"]]?.stringValue ?? "")
        var spec = template["spec"] ?? [:]
        spec["nodeName"] = "sandbox-node"
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
        let pod: JSON = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": .string(ns), "labels": .object(labels), "annotations": .object(annotations),
                "ownerReferences": [
                    [
                        "apiVersion": "apps/v1", "kind": .string(kind == "Deployment" ? "ReplicaSet" : kind), "name": .string(ownerName),
                        "uid": workload[path: ["metadata", "uid"]] ?? "", "controller": true, "blockOwnerDeletion": true,
                    ]
                ],
            ],
            "spec": spec,
            "status": ["phase": "Pending", "qosClass": "BestEffort"],
        ]
        _ = try? store.write(.pods, namespace: ns, name: name) { current in
            if current != nil { throw APIError.alreadyExists(.pods, name) }
            return .put(pod)
        }
    }

    private func deletePod(_ pod: JSON) {
        let ns = pod[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
        _ = try? store.write(.pods, namespace: ns, name: name) { _ in .delete }
    }

    private func writeStatus(_ type: ResourceType, _ workload: JSON, status: JSON, annotations: [String: JSON] = [:]) {
        let ns = workload[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let name = workload[path: ["metadata", "name"]]?.stringValue ?? ""
        _ = try? store.write(type, namespace: ns, name: name) { current in
            guard var current else { throw APIError.notFound(type, name) }
            var merged = status
            // Keep condition transition times when a condition's status did not change.
            if let old = current[path: ["status", "conditions"]]?.arrayValue, let new = status["conditions"]?.arrayValue {
                merged["conditions"] = .array(
                    new.map { c in
                        guard let o = old.first(where: { $0["type"] == c["type"] }), o["status"] == c["status"], o["reason"] == c["reason"] else { return c }
                        var kept = c
                        kept["lastTransitionTime"] = o["lastTransitionTime"]
                        kept["lastUpdateTime"] = o["lastUpdateTime"] ?? c["lastUpdateTime"]
                        return kept
                    })
            }
            current["status"] = merged
            for (k, v) in annotations { current.set(["metadata", "annotations", k], v) }
            return .put(current)
        }
    }

    private func neverReadyFor(kind: String, _ workload: JSON) -> Bool {
        let ns = workload[path: ["metadata", "namespace"]]?.stringValue ?? ""
        let name = workload[path: ["metadata", "name"]]?.stringValue ?? ""
        if workload[path: ["metadata", "annotations", Self.neverReadyAnnotation]]?.stringValue == "true" { return true }
        return lock.withLock { neverReady.contains("\(kind)/\(ns)/\(name)") }
    }

    private func memory(_ workload: JSON) -> WorkloadMemory {
        lock.withLock { workloads[workload[path: ["metadata", "uid"]]?.stringValue ?? ""] ?? WorkloadMemory() }
    }

    private func setMemory(_ workload: JSON, _ m: WorkloadMemory) {
        lock.withLock { workloads[workload[path: ["metadata", "uid"]]?.stringValue ?? ""] = m }
    }

    private func condition(_ type: String, _ status: Bool?, _ reason: String, _ message: String, now: Date) -> JSON {
        [
            "type": .string(type), "status": .string(status.map { $0 ? "True" : "False" } ?? "Unknown"), "reason": .string(reason), "message": .string(message),
            "lastTransitionTime": .string(Timestamps.format(now)), "lastUpdateTime": .string(Timestamps.format(now)),
        ]
    }

    // MARK: Deployment

    private func reconcileDeployment(_ d: JSON, now: Date) {
        let name = d[path: ["metadata", "name"]]?.stringValue ?? ""
        let desired = d[path: ["spec", "replicas"]]?.intValue ?? 1
        let paused = d[path: ["spec", "paused"]]?.boolValue ?? false
        let hash = Self.templateHash(d[path: ["spec", "template"]])
        var mem = memory(d)
        if mem.revisions[hash] == nil {
            mem.revisions[hash] = (mem.revisions.values.max() ?? 0) + 1
            mem.lastProgress = now
        }
        let owned = ownedPods(d)
        let newPods = owned.filter { $0[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue == hash }
        let oldPods = owned.filter { $0[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue != hash }
        let readyNew = newPods.filter(isReady).count
        if !paused, now.timeIntervalSince(mem.lastStep) >= options.stepInterval {
            var acted = false
            if newPods.count < desired, owned.count < desired + 1 {
                createPod(for: d, kind: "Deployment", name: "\(name)-\(hash)-\(Names.suffix(5))", hashLabel: ("pod-template-hash", hash))
                acted = true
            } else if newPods.count > desired {
                deletePod(newPods.first(where: { !isReady($0) }) ?? newPods.last!)
                acted = true
            }
            // reconcileOldReplicaSets with the default maxSurge 25% (up) / maxUnavailable 25% (down): old pods may go
            // while the rest keeps minAvailable, not counting new pods that are not available yet. With two old
            // ReplicaSets (a restart during a rollout) this is what lets the rollout move on.
            let minAvailable = desired - desired / 4
            let maxScaledDown = owned.count - minAvailable - (newPods.count - readyNew)
            if !oldPods.isEmpty, maxScaledDown > 0 {
                deletePod(oldPods.first(where: { !isReady($0) }) ?? oldPods[0])
                acted = true
            }
            if acted { mem.lastStep = now }
        }
        let after = ownedPods(d)
        let updated = after.filter { $0[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue == hash }
        let ready = after.filter(isReady).count
        let available = ready
        let counts = [after.count, updated.count, ready]
        if counts != mem.lastCounts {
            mem.lastCounts = counts
            mem.lastProgress = now
        }
        let complete = updated.count == desired && after.count == desired && updated.filter(isReady).count == desired
        if complete { mem.lastProgress = now }
        let deadline = TimeInterval(d[path: ["spec", "progressDeadlineSeconds"]]?.intValue ?? 600)
        let rsName = "\(name)-\(hash)"
        let progressing: JSON
        if paused {
            progressing = condition("Progressing", nil, "DeploymentPaused", "Deployment is paused", now: now)
        } else if complete {
            progressing = condition("Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(rsName)\" has successfully progressed.", now: now)
        } else if now.timeIntervalSince(mem.lastProgress) > deadline {
            progressing = condition("Progressing", false, "ProgressDeadlineExceeded", "ReplicaSet \"\(rsName)\" has timed out progressing.", now: now)
        } else {
            progressing = condition("Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"\(rsName)\" is progressing.", now: now)
        }
        let maxUnavailable = desired / 4
        let availableCondition =
            available >= desired - maxUnavailable
            ? condition("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", now: now)
            : condition("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now: now)
        var status: JSON = [
            "observedGeneration": d[path: ["metadata", "generation"]] ?? 1, "replicas": .int(after.count), "updatedReplicas": .int(updated.count),
            "readyReplicas": .int(ready), "availableReplicas": .int(available), "conditions": [availableCondition, progressing],
        ]
        if desired - available > 0 { status["unavailableReplicas"] = .int(desired - available) }
        if ready == 0 { status["readyReplicas"] = nil }
        if available == 0 { status["availableReplicas"] = nil }
        setMemory(d, mem)
        if d["status"].map({ Self.sameIgnoringTimes($0, status) }) != true
            || d[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue != String(mem.revisions[hash]!)
        {
            writeStatus(.deployments, d, status: status, annotations: ["deployment.kubernetes.io/revision": .string(String(mem.revisions[hash]!))])
        }
    }

    private static func sameIgnoringTimes(_ a: JSON, _ b: JSON) -> Bool {
        func strip(_ j: JSON) -> JSON {
            var j = j
            if let cs = j["conditions"]?.arrayValue {
                j["conditions"] = .array(
                    cs.map {
                        var c = $0
                        c["lastTransitionTime"] = nil
                        c["lastUpdateTime"] = nil
                        c["lastProbeTime"] = nil
                        return c
                    })
            }
            return j
        }
        return strip(a) == strip(b)
    }

    // MARK: StatefulSet

    private func reconcileStatefulSet(_ s: JSON, now: Date) {
        let name = s[path: ["metadata", "name"]]?.stringValue ?? ""
        let desired = s[path: ["spec", "replicas"]]?.intValue ?? 1
        let onDelete = s[path: ["spec", "updateStrategy", "type"]]?.stringValue == "OnDelete"
        let partition = s[path: ["spec", "updateStrategy", "rollingUpdate", "partition"]]?.intValue ?? 0
        let revision = "\(name)-\(Self.templateHash(s[path: ["spec", "template"]]))"
        var mem = memory(s)
        let owned = ownedPods(s)
        func ordinal(_ p: JSON) -> Int { Int((p[path: ["metadata", "name"]]?.stringValue ?? "").split(separator: "-").last ?? "") ?? -1 }
        if now.timeIntervalSince(mem.lastStep) >= options.stepInterval {
            let byOrdinal = Dictionary(owned.map { (ordinal($0), $0) }, uniquingKeysWith: { a, _ in a })
            if let missing = (0..<desired).first(where: { byOrdinal[$0] == nil }) {
                if (0..<missing).allSatisfy({ byOrdinal[$0].map(isReady) ?? false }) {
                    createPod(
                        for: s, kind: "StatefulSet", name: "\(name)-\(missing)", hashLabel: ("controller-revision-hash", revision),
                        extraLabels: [
                            "statefulset.kubernetes.io/pod-name": .string("\(name)-\(missing)"), "apps.kubernetes.io/pod-index": .string(String(missing)),
                        ])
                    mem.lastStep = now
                }
            } else if let extra = owned.filter({ ordinal($0) >= desired }).max(by: { ordinal($0) < ordinal($1) }) {
                deletePod(extra)
                mem.lastStep = now
            } else if !onDelete, owned.allSatisfy(isReady),
                let stale = owned.filter({ $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue != revision && ordinal($0) >= partition })
                    .max(by: { ordinal($0) < ordinal($1) })
            {
                deletePod(stale)
                mem.lastStep = now
            }
        }
        let after = ownedPods(s)
        let updated = after.filter { $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue == revision }
        let ready = after.filter(isReady).count
        var currentRevision = s[path: ["status", "currentRevision"]]?.stringValue ?? revision
        if updated.count == desired, after.count == desired, ready == desired { currentRevision = revision }
        let current = after.filter { $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue == currentRevision }.count
        var status: JSON = [
            "observedGeneration": s[path: ["metadata", "generation"]] ?? 1, "replicas": .int(after.count), "readyReplicas": .int(ready),
            "availableReplicas": .int(ready), "currentReplicas": .int(current), "updatedReplicas": .int(updated.count),
            "currentRevision": .string(currentRevision), "updateRevision": .string(revision), "collisionCount": 0,
        ]
        if ready == 0 { status["readyReplicas"] = nil }
        setMemory(s, mem)
        if s["status"] != status { writeStatus(.statefulSets, s, status: status) }
    }

    // MARK: DaemonSet

    private func reconcileDaemonSet(_ d: JSON, now: Date) {
        let name = d[path: ["metadata", "name"]]?.stringValue ?? ""
        let hash = Self.templateHash(d[path: ["spec", "template"]])
        let onDelete = d[path: ["spec", "updateStrategy", "type"]]?.stringValue == "OnDelete"
        var mem = memory(d)
        let owned = ownedPods(d)
        if now.timeIntervalSince(mem.lastStep) >= options.stepInterval {
            if owned.isEmpty {
                createPod(for: d, kind: "DaemonSet", name: "\(name)-\(Names.suffix(5))", hashLabel: ("controller-revision-hash", hash))
                mem.lastStep = now
            } else if owned.count > 1 {
                deletePod(owned.first { $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue != hash } ?? owned[1])
                mem.lastStep = now
            } else if !onDelete, owned[0][path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue != hash {
                deletePod(owned[0])
                mem.lastStep = now
            }
        }
        let after = ownedPods(d)
        let updated = after.filter { $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue == hash }.count
        let ready = after.filter(isReady).count
        let status: JSON = [
            "observedGeneration": d[path: ["metadata", "generation"]] ?? 1, "desiredNumberScheduled": 1, "currentNumberScheduled": .int(after.count),
            "updatedNumberScheduled": .int(updated), "numberReady": .int(ready), "numberAvailable": .int(ready),
            "numberMisscheduled": 0, "numberUnavailable": .int(max(0, 1 - ready)),
        ]
        setMemory(d, mem)
        if d["status"] != status { writeStatus(.daemonSets, d, status: status) }
    }

    // MARK: Pods (the kubelet)

    private func ownerNeverReady(_ pod: JSON) -> Bool {
        guard let owner = pod[path: ["metadata", "ownerReferences"]]?.arrayValue?.first, let uid = owner["uid"]?.stringValue else { return false }
        let ns = pod[path: ["metadata", "namespace"]]?.stringValue ?? ""
        for (type, kind) in [(ResourceType.deployments, "Deployment"), (.statefulSets, "StatefulSet"), (.daemonSets, "DaemonSet")] {
            if let w = store.list(type, namespace: ns).items.first(where: { $0.json[path: ["metadata", "uid"]]?.stringValue == uid }) {
                return neverReadyFor(kind: kind, w.json)
            }
        }
        return false
    }

    /// Resolves `config.service.auth` for the first container that sets it (env literal, secretKeyRef,
    /// configMapKeyRef, or envFrom). Returns (isGateway, value, error).
    private func resolveGatewayAuth(_ pod: JSON) -> (Bool, String?, String?) {
        let ns = pod[path: ["metadata", "namespace"]]?.stringValue ?? ""
        for container in pod[path: ["spec", "containers"]]?.arrayValue ?? [] {
            let image = container["image"]?.stringValue ?? ""
            var isGateway = image.contains("azure-api-management/gateway")
            var value: String?
            for source in container["envFrom"]?.arrayValue ?? [] {
                if let ref = source[path: ["secretRef", "name"]]?.stringValue {
                    guard let secret = store.get(.secrets, namespace: ns, name: ref) else {
                        if source[path: ["secretRef", "optional"]]?.boolValue == true { continue }
                        return (true, nil, "secret \"\(ref)\" not found")
                    }
                    for key in ["config.service.auth", "config.service.auth.key"] {
                        if let b64 = secret[path: ["data", key]]?.stringValue, let data = Data(base64Encoded: b64) {
                            value = String(decoding: data, as: UTF8.self)
                            isGateway = true
                        }
                    }
                }
                if let ref = source[path: ["configMapRef", "name"]]?.stringValue, let cm = store.get(.configMaps, namespace: ns, name: ref),
                    let v = cm[path: ["data", "config.service.auth"]]?.stringValue
                {
                    value = v
                    isGateway = true
                }
            }
            for env in container["env"]?.arrayValue ?? [] where env["name"]?.stringValue == "config.service.auth" {
                isGateway = true
                if let literal = env["value"]?.stringValue { value = literal }
                if let ref = env[path: ["valueFrom", "secretKeyRef"]] {
                    let name = ref["name"]?.stringValue ?? ""
                    let key = ref["key"]?.stringValue ?? ""
                    guard let secret = store.get(.secrets, namespace: ns, name: name) else {
                        if ref["optional"]?.boolValue == true { continue }
                        return (true, nil, "secret \"\(name)\" not found")
                    }
                    guard let b64 = secret[path: ["data", key]]?.stringValue, let data = Data(base64Encoded: b64) else {
                        if ref["optional"]?.boolValue == true { continue }
                        return (true, nil, "couldn't find key \(key) in Secret \(ns)/\(name)")
                    }
                    value = String(decoding: data, as: UTF8.self)
                }
                if let ref = env[path: ["valueFrom", "configMapKeyRef"]] {
                    let name = ref["name"]?.stringValue ?? ""
                    guard let cm = store.get(.configMaps, namespace: ns, name: name), let v = cm[path: ["data", ref["key"]?.stringValue ?? ""]]?.stringValue
                    else {
                        return (true, nil, "configmap \"\(name)\" not found")
                    }
                    value = v
                }
            }
            if isGateway { return (true, value, nil) }
        }
        return (false, nil, nil)
    }

    private func reconcilePod(_ pod: JSON, now: Date) {
        guard let uid = pod[path: ["metadata", "uid"]]?.stringValue else { return }
        var runtime =
            lock.withLock { pods[uid] }
            ?? PodRuntime(started: now, readyAt: now.addingTimeInterval(options.podStartDelay), captured: false, token: nil, isGateway: false)
        if !runtime.captured {
            let (isGateway, value, error) = resolveGatewayAuth(pod)
            runtime.isGateway = isGateway
            if let error {
                runtime.configError = error
            } else {
                runtime.configError = nil
                runtime.captured = true
                runtime.token = value
                runtime.started = now
                runtime.readyAt = now.addingTimeInterval(options.podStartDelay)
            }
        }
        let (bug, ip): (Bool, Int) = lock.withLock {
            pods[uid] = runtime
            if pod[path: ["status", "podIP"]] == nil { ipCounter += 1 }
            return (readyDespiteBadToken, ipCounter)
        }
        let startTime = pod[path: ["status", "startTime"]]?.stringValue ?? Timestamps.format(runtime.started)
        let running = runtime.captured && now >= runtime.readyAt
        var conditions: [JSON] = [condition("PodScheduled", true, "", "", now: now), condition("Initialized", true, "", "", now: now)]
        var ready = running
        var auth: GatewayAuthentication?
        if runtime.isGateway, runtime.captured {
            let expected = pod[path: ["metadata", "annotations", Self.gatewayAnnotation]]?.stringValue
            auth = GatewayAuthentication.evaluate(runtime.token, expectedGateway: expected, azure: azure, now: now)
            if !(auth!.authenticated) && !bug { ready = false }
        }
        if ownerNeverReady(pod) { ready = false }
        conditions.append(condition("ContainersReady", ready, ready ? "" : "ContainersNotReady", ready ? "" : "containers with unready status", now: now))
        conditions.append(condition("Ready", ready, ready ? "" : "ContainersNotReady", ready ? "" : "containers with unready status", now: now))
        if let auth {
            conditions.append(condition(GatewayAuthentication.conditionType, auth.authenticated, auth.reason, auth.message, now: now))
        }
        conditions = conditions.map {
            var c = $0
            c["lastUpdateTime"] = nil
            if c["reason"]?.stringValue == "" {
                c["reason"] = nil
                c["message"] = nil
            }
            return c
        }
        let containerStatuses: [JSON] = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).map { c in
            var state: JSON
            if let error = runtime.configError {
                state = ["waiting": ["reason": "CreateContainerConfigError", "message": .string(error)]]
            } else if running {
                state = ["running": ["startedAt": .string(Timestamps.format(runtime.readyAt))]]
            } else {
                state = ["waiting": ["reason": "ContainerCreating"]]
            }
            return [
                "name": c["name"] ?? "", "image": c["image"] ?? "", "imageID": .string("sandbox://\(c["image"]?.stringValue ?? "")"), "ready": .bool(ready),
                "started": .bool(running), "restartCount": 0, "state": state,
            ]
        }
        let status: JSON = [
            "phase": .string(running ? "Running" : "Pending"), "startTime": .string(startTime), "hostIP": "10.0.0.10",
            "podIP": pod[path: ["status", "podIP"]] ?? .string("10.244.\(ip / 250).\(ip % 250)"), "qosClass": "BestEffort",
            "conditions": .array(conditions), "containerStatuses": .array(containerStatuses),
        ]
        if pod["status"].map({ Self.sameIgnoringTimes($0, status) }) != true {
            writeStatus(.pods, pod, status: status)
        }
    }
}
