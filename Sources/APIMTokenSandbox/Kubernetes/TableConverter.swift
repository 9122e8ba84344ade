import Foundation

/// Server-side printing: the `meta.k8s.io/v1` `Table` that `kubectl get` asks for (`Accept: …;as=Table;…`), with the
/// columns kube-apiserver prints for each kind, so that `kubectl get pods` shows READY and STATUS as on a real
/// cluster. Kinds without their own columns get NAME and AGE, as custom resources do.
enum TableConverter {
    /// Whether the request asks for a Table (kubectl lists `as=Table` first and plain JSON as the fallback).
    static func wanted(_ request: HTTPRequest) -> Bool {
        guard let accept = request.header("Accept") else { return false }
        return accept.split(separator: ",").contains { part in
            let params = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return params.contains("as=Table") && params.contains("g=meta.k8s.io") && (params.contains("v=v1") || params.contains("v=v1beta1"))
        }
    }

    /// The Table for `items`; `includeObject` is the request's `includeObject` (`None`, `Metadata` (default),
    /// `Object`).
    static func table(_ type: ResourceType, items: [JSON], listMetadata: JSON, includeObject: String?, now: Date = Date()) -> JSON {
        let columns = Self.columns(type)
        let rows: [JSON] = items.map { item in
            var row: JSON = ["cells": .array(columns.map { $0.cell(item, now) })]
            switch includeObject ?? "Metadata" {
            case "None": break
            case "Object": row["object"] = item
            default:
                row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": item["metadata"] ?? [:]]
            }
            return row
        }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": listMetadata,
            "columnDefinitions": .array(
                columns.map {
                    [
                        "name": .string($0.name), "type": .string($0.type), "format": .string($0.format), "description": .string($0.description),
                        "priority": .int($0.priority),
                    ]
                }),
            "rows": .array(rows),
        ]
    }

    // MARK: Columns

    /// One column: its definition and how to compute its cell.
    struct Column: Sendable {
        var name: String
        var type = "string"
        var format = ""
        var description = ""
        var priority = 0
        var cell: @Sendable (JSON, Date) -> JSON
    }

    private static let nameColumn = Column(name: "Name", format: "name", description: "Name must be unique within a namespace.") { object, _ in
        .string(object[path: ["metadata", "name"]]?.stringValue ?? "")
    }

    private static let ageColumn = Column(
        name: "Age", description: "CreationTimestamp is a timestamp representing the server time when this object was created."
    ) {
        .string(age($0[path: ["metadata", "creationTimestamp"]]?.stringValue, now: $1))
    }

    private static func int(_ name: String, priority: Int = 0, _ path: [String]) -> Column {
        Column(name: name, type: "integer", priority: priority) { object, _ in .int(object[path: path]?.intValue ?? 0) }
    }

    private static func string(_ name: String, priority: Int = 0, _ value: @escaping @Sendable (JSON) -> String) -> Column {
        Column(name: name, priority: priority) { object, _ in .string(value(object)) }
    }

    private static func containers(_ object: JSON) -> [JSON] {
        object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
    }

    private static func columns(_ type: ResourceType) -> [Column] {
        switch (type.group, type.resource) {
        case ("", "pods"):
            return [
                nameColumn,
                string("Ready") { pod in
                    let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
                    let total = pod[path: ["spec", "containers"]]?.arrayValue?.count ?? statuses.count
                    return "\(statuses.filter { $0["ready"]?.boolValue == true }.count)/\(total)"
                },
                string("Status", podStatus),
                Column(name: "Restarts", type: "string") { pod, _ in
                    .string(String((pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }))
                },
                ageColumn,
                string("IP", priority: 1) { $0[path: ["status", "podIP"]]?.stringValue ?? "<none>" },
                string("Node", priority: 1) { $0[path: ["spec", "nodeName"]]?.stringValue ?? "<none>" },
            ]
        case ("apps", "deployments"):
            return [
                nameColumn,
                string("Ready") { "\($0[path: ["status", "readyReplicas"]]?.intValue ?? 0)/\($0[path: ["spec", "replicas"]]?.intValue ?? 1)" },
                int("Up-to-date", ["status", "updatedReplicas"]),
                int("Available", ["status", "availableReplicas"]),
                ageColumn,
                string("Containers", priority: 1) { containers($0).compactMap { $0["name"]?.stringValue }.joined(separator: ",") },
                string("Images", priority: 1) { containers($0).compactMap { $0["image"]?.stringValue }.joined(separator: ",") },
            ]
        case ("apps", "statefulsets"):
            return [
                nameColumn,
                string("Ready") { "\($0[path: ["status", "readyReplicas"]]?.intValue ?? 0)/\($0[path: ["spec", "replicas"]]?.intValue ?? 1)" },
                ageColumn,
                string("Containers", priority: 1) { containers($0).compactMap { $0["name"]?.stringValue }.joined(separator: ",") },
                string("Images", priority: 1) { containers($0).compactMap { $0["image"]?.stringValue }.joined(separator: ",") },
            ]
        case ("apps", "daemonsets"):
            return [
                nameColumn, int("Desired", ["status", "desiredNumberScheduled"]), int("Current", ["status", "currentNumberScheduled"]),
                int("Ready", ["status", "numberReady"]), int("Up-to-date", ["status", "updatedNumberScheduled"]),
                int("Available", ["status", "numberAvailable"]),
                string("Node Selector") { object in
                    let selector = object[path: ["spec", "template", "spec", "nodeSelector"]]?.objectValue ?? [:]
                    return selector.isEmpty ? "<none>" : selector.keys.sorted().map { "\($0)=\(selector[$0]?.stringValue ?? "")" }.joined(separator: ",")
                },
                ageColumn,
            ]
        case ("", "secrets"):
            return [
                nameColumn, string("Type") { $0["type"]?.stringValue ?? "Opaque" },
                Column(name: "Data", type: "string") { object, _ in
                    .string(String((object["data"]?.objectValue?.count ?? 0) + (object["stringData"]?.objectValue?.count ?? 0)))
                },
                ageColumn,
            ]
        case ("", "configmaps"):
            return [
                nameColumn,
                Column(name: "Data", type: "string") { object, _ in
                    .string(String((object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)))
                },
                ageColumn,
            ]
        case ("", "serviceaccounts"):
            return [nameColumn, Column(name: "Secrets", type: "string") { object, _ in .string(String(object["secrets"]?.arrayValue?.count ?? 0)) }, ageColumn]
        case ("", "namespaces"):
            return [nameColumn, string("Status") { $0[path: ["status", "phase"]]?.stringValue ?? "Active" }, ageColumn]
        case ("batch", "cronjobs"):
            return [
                nameColumn, string("Schedule") { $0[path: ["spec", "schedule"]]?.stringValue ?? "" },
                string("Timezone") { $0[path: ["spec", "timeZone"]]?.stringValue ?? "<none>" },
                string("Suspend") { ($0[path: ["spec", "suspend"]]?.boolValue ?? false) ? "True" : "False" },
                Column(name: "Active", type: "integer") { object, _ in .int(object[path: ["status", "active"]]?.arrayValue?.count ?? 0) },
                Column(name: "Last Schedule") { object, now in
                    .string(object[path: ["status", "lastScheduleTime"]]?.stringValue.map { age($0, now: now) } ?? "<none>")
                },
                ageColumn,
            ]
        case ("batch", "jobs"):
            return [
                nameColumn,
                string("Status") { job in
                    let conditions = job[path: ["status", "conditions"]]?.arrayValue ?? []
                    if conditions.contains(where: { $0["type"]?.stringValue == "Complete" && $0["status"]?.stringValue == "True" }) { return "Complete" }
                    if conditions.contains(where: { $0["type"]?.stringValue == "Failed" && $0["status"]?.stringValue == "True" }) { return "Failed" }
                    return "Running"
                },
                string("Completions") { "\($0[path: ["status", "succeeded"]]?.intValue ?? 0)/\($0[path: ["spec", "completions"]]?.intValue ?? 1)" },
                Column(name: "Duration") { job, now in
                    guard let start = job[path: ["status", "startTime"]]?.stringValue.flatMap(Timestamps.parse) else { return "" }
                    let end = job[path: ["status", "completionTime"]]?.stringValue.flatMap(Timestamps.parse) ?? now
                    return .string(humanDuration(end.timeIntervalSince(start)))
                },
                ageColumn,
            ]
        case ("", "events"), ("events.k8s.io", "events"):
            return [
                Column(name: "Last Seen") { event, now in
                    let last =
                        event["lastTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue ?? event[path: ["series", "lastObservedTime"]]?.stringValue
                        ?? event["deprecatedLastTimestamp"]?.stringValue ?? event[path: ["metadata", "creationTimestamp"]]?.stringValue
                    return .string(age(last, now: now))
                },
                string("Type") { $0["type"]?.stringValue ?? "" },
                string("Reason") { $0["reason"]?.stringValue ?? "" },
                string("Object") { event in
                    let ref = event["involvedObject"] ?? event["regarding"] ?? [:]
                    return "\((ref["kind"]?.stringValue ?? "").lowercased())/\(ref["name"]?.stringValue ?? "")"
                },
                string("Message") { $0["message"]?.stringValue ?? $0["note"]?.stringValue ?? "" },
            ]
        case ("rbac.authorization.k8s.io", "roles"):
            return [nameColumn, string("Created At") { $0[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "" }]
        case ("rbac.authorization.k8s.io", "rolebindings"):
            return [
                nameColumn,
                string("Role") { "\($0[path: ["roleRef", "kind"]]?.stringValue ?? "")/\($0[path: ["roleRef", "name"]]?.stringValue ?? "")" },
                ageColumn,
            ]
        default:
            return [nameColumn, ageColumn]
        }
    }

    /// The STATUS column of a pod, as kubectl's printer derives it.
    private static func podStatus(_ pod: JSON) -> String {
        if pod[path: ["metadata", "deletionTimestamp"]] != nil { return "Terminating" }
        for status in pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
            if let reason = status[path: ["state", "waiting", "reason"]]?.stringValue { return reason }
            if let reason = status[path: ["state", "terminated", "reason"]]?.stringValue { return reason }
        }
        return pod[path: ["status", "reason"]]?.stringValue ?? pod[path: ["status", "phase"]]?.stringValue ?? "Unknown"
    }

    // MARK: Durations

    /// Kubernetes' `duration.HumanDuration` of the time since `timestamp` (`<unknown>` when absent).
    static func age(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = Timestamps.parse(timestamp) else { return "<unknown>" }
        return humanDuration(now.timeIntervalSince(date))
    }

    /// Kubernetes' `duration.HumanDuration`: `45s`, `3m12s`, `25m`, `5h3m`, `20h`, `3d4h`, `40d`, `2y10d`.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
