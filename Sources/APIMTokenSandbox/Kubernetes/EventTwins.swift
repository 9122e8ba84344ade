import Foundation

/// Core `v1` Events and `events.k8s.io/v1` Events are one resource on a real cluster, served by two APIs: an Event
/// created through either shows up in both. The sandbox stores them apart and makes each API's reads (get and list,
/// not watch) include the other API's Events, converted as kube-apiserver converts them.
enum EventTwins {
    /// The `events.k8s.io/v1` type.
    static let eventsV1 = ResourceType.find(group: "events.k8s.io", version: "v1", resource: "events")!

    /// The other API's Event type, when `type` is an Event type.
    static func twin(of type: ResourceType) -> ResourceType? {
        guard type.resource == "events" else { return nil }
        return type.group.isEmpty ? eventsV1 : ResourceType.events
    }

    /// Converts an Event to the shape of `type` (`v1` or `events.k8s.io/v1`).
    static func convert(_ event: JSON, to type: ResourceType) -> JSON {
        type.group.isEmpty ? toCore(event) : toEventsV1(event)
    }

    private static let renames: [(core: String, v1: String)] = [
        ("involvedObject", "regarding"), ("message", "note"), ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"), ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
        ("reportingComponent", "reportingController"),
    ]

    /// `events.k8s.io/v1` → `v1`.
    static func toCore(_ event: JSON) -> JSON {
        var out = event
        for (core, v1) in renames {
            out[core] = event[v1]
            out[v1] = nil
        }
        out["apiVersion"] = "v1"
        return out
    }

    /// `v1` → `events.k8s.io/v1`.
    static func toEventsV1(_ event: JSON) -> JSON {
        var out = event
        for (core, v1) in renames {
            out[v1] = event[core]
            out[core] = nil
        }
        if out["reportingController"] == nil, let component = event[path: ["source", "component"]] { out["reportingController"] = component }
        out["apiVersion"] = "events.k8s.io/v1"
        return out
    }

    /// `items` plus the twin API's Events (converted) that `items` does not already hold, sorted by namespace and name.
    static func merged(_ items: [StoredObject], type: ResourceType, namespace: String?, store: ObjectStore) -> [StoredObject] {
        guard let twin = twin(of: type) else { return items }
        let others = store.list(twin, namespace: namespace).items
        guard !others.isEmpty else { return items }
        let own = Set(items.map { $0.namespace + "/" + $0.name })
        var all = items
        for item in others where !own.contains(item.namespace + "/" + item.name) {
            let converted = convert(item.json, to: type)
            all.append(
                StoredObject(json: converted, bytes: converted.encoded(), resourceVersion: item.resourceVersion, namespace: item.namespace, name: item.name))
        }
        return all.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    /// The twin API's Event of that name, converted, when `type` is an Event type.
    static func get(_ type: ResourceType, namespace: String, name: String, store: ObjectStore) -> JSON? {
        guard let twin = twin(of: type), let event = store.get(twin, namespace: namespace, name: name) else { return nil }
        return convert(event, to: type)
    }
}
