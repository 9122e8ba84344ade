import FoundationEssentials

// MARK: - RolloutState

/// Where a workload's rollout stands, decided exactly as `kubectl rollout status` decides it.
public enum RolloutState: Sendable, Equatable {
    /// Every pod runs the current template.
    case complete(String)
    /// Still going; the message is kubectl's waiting line.
    case progressing(String)
    /// It will not complete by waiting (progress deadline exceeded, or a strategy kubectl cannot follow).
    case failed(String)

    /// Whether the rollout is complete.
    public var isComplete: Bool { if case .complete = self { true } else { false } }

    public var message: String {
        switch self {
        case .complete(let text), .progressing(let text), .failed(let text): text
        }
    }

    /// Evaluates a workload's status (kubectl `polymorphichelpers` status viewers).
    public static func evaluate(_ workload: Workload) -> RolloutState {
        switch workload {
        case .deployment(let deployment): evaluate(deployment)
        case .statefulSet(let set): evaluate(set)
        case .daemonSet(let set): evaluate(set)
        }
    }

    static func evaluate(_ deployment: Deployment) -> RolloutState {
        let name = deployment.metadata.name ?? ""
        let status = deployment.status
        guard (deployment.metadata.generation ?? 0) <= (status?.observedGeneration ?? 0) else {
            return .progressing("Waiting for deployment spec update to be observed...")
        }
        if let progressing = status?.conditions?.first(where: { $0.type == "Progressing" }), progressing.reason == "ProgressDeadlineExceeded" {
            return .failed("deployment \"\(name)\" exceeded its progress deadline")
        }
        let wanted = deployment.spec.replicas ?? 1
        let updated = status?.updatedReplicas ?? 0
        let replicas = status?.replicas ?? 0
        let available = status?.availableReplicas ?? 0
        if updated < wanted {
            return .progressing("Waiting for deployment \"\(name)\" rollout to finish: \(updated) out of \(wanted) new replicas have been updated...")
        }
        if replicas > updated {
            return .progressing("Waiting for deployment \"\(name)\" rollout to finish: \(replicas - updated) old replicas are pending termination...")
        }
        if available < updated {
            return .progressing("Waiting for deployment \"\(name)\" rollout to finish: \(available) of \(updated) updated replicas are available...")
        }
        return .complete("deployment \"\(name)\" successfully rolled out")
    }

    static func evaluate(_ set: StatefulSet) -> RolloutState {
        if let type = set.spec.updateStrategy?.type, type != "RollingUpdate" {
            return .failed("rollout status is only available for RollingUpdate strategy type")
        }
        let status = set.status
        let observed = status?.observedGeneration ?? 0
        if observed == 0 || (set.metadata.generation ?? 0) > observed {
            return .progressing("Waiting for statefulset spec update to be observed...")
        }
        let wanted = set.spec.replicas ?? 1
        let ready = status?.readyReplicas ?? 0
        if ready < wanted {
            return .progressing("Waiting for \(wanted - ready) pods to be ready...")
        }
        if let partition = set.spec.updateStrategy?.rollingUpdate?.partition, partition > 0 {
            let updated = status?.updatedReplicas ?? 0
            if updated < wanted - partition {
                return .progressing("Waiting for partitioned roll out to finish: \(updated) out of \(wanted - partition) new pods have been updated...")
            }
            return .complete("partitioned roll out complete: \(updated) new pods have been updated...")
        }
        if status?.updateRevision != status?.currentRevision {
            return .progressing(
                "waiting for statefulset rolling update to complete \(status?.updatedReplicas ?? 0) pods at revision \(status?.updateRevision ?? "")...")
        }
        return .complete("statefulset rolling update complete \(status?.currentReplicas ?? 0) pods at revision \(status?.currentRevision ?? "")...")
    }

    static func evaluate(_ set: DaemonSet) -> RolloutState {
        let name = set.metadata.name ?? ""
        if let type = set.spec.updateStrategy?.type, type != "RollingUpdate" {
            return .failed("rollout status is only available for RollingUpdate strategy type")
        }
        let status = set.status
        guard (set.metadata.generation ?? 0) <= (status?.observedGeneration ?? 0) else {
            return .progressing("Waiting for daemon set spec update to be observed...")
        }
        let desired = status?.desiredNumberScheduled ?? 0
        let updated = status?.updatedNumberScheduled ?? 0
        let available = status?.numberAvailable ?? 0
        if updated < desired {
            return .progressing("Waiting for daemon set \"\(name)\" rollout to finish: \(updated) out of \(desired) new pods have been updated...")
        }
        if available < desired {
            return .progressing("Waiting for daemon set \"\(name)\" rollout to finish: \(available) of \(desired) updated pods are available...")
        }
        return .complete("daemon set \"\(name)\" successfully rolled out")
    }
}

// MARK: - Restarter

/// Restarts workloads as `kubectl rollout restart` does and waits as `kubectl rollout status` does.
public struct Restarter: Sendable {
    /// The cluster.
    public var client: KubernetesClient
    public var clock: any WallClock
    /// How often the rollout is polled.
    public var pollInterval: Duration

    /// Creates a restarter.
    public init(client: KubernetesClient, clock: any WallClock, pollInterval: Duration = .seconds(1)) {
        self.client = client
        self.clock = clock
        self.pollInterval = pollInterval
    }

    /// Reads a workload by reference.
    public func fetch(_ reference: WorkloadReference, namespace: String) async throws -> Workload {
        try await client.fetch(reference, namespace: namespace)
    }

    /// Why a restart of `workload` would not roll its pods, or nil when it would.
    public static func refusal(_ workload: Workload) -> String? {
        switch workload {
        case .deployment(let deployment) where deployment.spec.paused == true:
            return
                "\(workload.reference) is paused, so a restart would not roll its pods; resume it first: kubectl rollout resume \(workload.reference) -n \(workload.metadata.namespace ?? "")"
        case .statefulSet(let set) where set.spec.updateStrategy?.type == "OnDelete":
            return
                "\(workload.reference) uses the OnDelete update strategy, so a restart would not roll its pods; delete its pods yourself after the token is written, or pass --no-restart"
        case .daemonSet(let set) where set.spec.updateStrategy?.type == "OnDelete":
            return
                "\(workload.reference) uses the OnDelete update strategy, so a restart would not roll its pods; delete its pods yourself after the token is written, or pass --no-restart"
        default:
            return nil
        }
    }

    /// The strategic-merge patch `kubectl rollout restart` sends.
    public static func restartPatch(at date: Date) -> Data {
        let body: JSONValue = ["spec": ["template": ["metadata": ["annotations": [Annotations.restartedAt: .string(RFC3339.format(date))]]]]]
        return body.encoded
    }

    /// Restarts one workload; returns it as the server answered.
    @discardableResult
    public func restart(_ reference: WorkloadReference, namespace: String) async throws -> Workload {
        let patch = Self.restartPatch(at: clock.now())
        let options = WriteOptions(fieldManager: Annotations.fieldManager)
        switch reference.kind {
        case .deployment:
            return .deployment(
                try await client.patch(Deployment.self, name: reference.name, namespace: namespace, patch: patch, type: .strategicMerge, options: options))
        case .statefulset:
            return .statefulSet(
                try await client.patch(StatefulSet.self, name: reference.name, namespace: namespace, patch: patch, type: .strategicMerge, options: options))
        case .daemonset:
            return .daemonSet(
                try await client.patch(DaemonSet.self, name: reference.name, namespace: namespace, patch: patch, type: .strategicMerge, options: options))
        }
    }

    /// Waits until every rollout completes, one fails, or `deadline` passes: one deadline for them all, so N
    /// workloads never wait N × `--timeout`. An API server that stops answering (a restart, an outage) is asked again
    /// with back-off until the deadline. Throws `RolloutIncompleteError` (exit 7).
    public func waitForRollouts(
        _ references: [WorkloadReference], namespace: String, deadline: Date, progress: @Sendable (String) -> Void
    ) async throws {
        var last = ""
        var backoff = pollInterval
        for reference in references {
            while true {
                let state: RolloutState
                do {
                    state = RolloutState.evaluate(try await fetch(reference, namespace: namespace))
                    backoff = pollInterval
                } catch let error as any APIMTokenError where RotateOperation.isTransient(error) {
                    guard clock.now() < deadline else {
                        throw RolloutIncompleteError(
                            workload: reference.description, state: "the API server did not answer: \(error.description)", timedOut: true)
                    }
                    progress("The API server did not answer (\(error.description)); asking again.")
                    try await clock.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                    continue
                }
                if state.message != last {
                    progress(state.message)
                    last = state.message
                }
                switch state {
                case .complete: break
                case .failed(let message):
                    throw RolloutIncompleteError(workload: reference.description, state: message, timedOut: false)
                case .progressing(let message):
                    guard clock.now() < deadline else {
                        throw RolloutIncompleteError(workload: reference.description, state: message, timedOut: true)
                    }
                    try await clock.sleep(for: pollInterval)
                    continue
                }
                break
            }
        }
    }
}
