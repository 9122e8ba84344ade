import Foundation

/// A stored object with its cached encoding.
struct StoredObject: Sendable {
    /// The object.
    var json: JSON
    /// Its JSON encoding (lists and watches send it as is).
    var bytes: [UInt8]
    /// Its resourceVersion.
    var resourceVersion: Int
    /// Its namespace (empty for cluster-scoped kinds).
    var namespace: String
    /// Its name.
    var name: String
}

/// What a write closure decides.
enum WriteDecision: Sendable {
    /// Store this object.
    case put(JSON)
    /// Remove the object.
    case delete
}

// MARK: - ObjectStore

/// The cluster's state: every object, a global resourceVersion counter, a short event history and live watches.
///
/// `@unchecked Sendable`: all mutable state is guarded by `lock`; watch continuations are thread-safe. The lock is
/// recursive because write closures read field ownership (server-side apply) while the write holds it.
final class ObjectStore: @unchecked Sendable {
    private struct Watcher {
        var storageKey: String
        var namespace: String?
        var filter: @Sendable (JSON) -> Bool
        var continuation: AsyncStream<[UInt8]>.Continuation
    }

    private struct Event {
        var storageKey: String
        var type: String
        var stored: StoredObject
    }

    private let lock = NSRecursiveLock()
    private var revision = 1000
    private var objects: [String: [String: StoredObject]] = [:]
    private var history: [Event] = []
    private var watchers: [UUID: Watcher] = [:]
    /// Field ownership for server-side apply: object uid → field path → manager.
    private var owners: [String: [String: String]] = [:]
    /// Each type's objects sorted by namespace and name; dropped on every write to the type.
    private var sortedCache: [String: [StoredObject]] = [:]

    /// Kinds whose metadata.generation tracks spec changes.
    private static let generational: Set<String> = [
        "apps/deployments", "apps/statefulsets", "apps/daemonsets", "batch/cronjobs", "batch/jobs",
    ]

    /// The current global resourceVersion.
    var currentRevision: Int { lock.withLock { revision } }

    private static func key(_ namespace: String, _ name: String) -> String { namespace + "/" + name }

    /// One object.
    func get(_ type: ResourceType, namespace: String, name: String) -> JSON? {
        lock.withLock { objects[type.storageKey]?[Self.key(namespace, name)]?.json }
    }

    /// Objects of a type (in one namespace, or all), sorted by namespace and name, plus the list resourceVersion.
    ///
    /// The sorted array is cached per type until the next write to that type, so repeated and paged lists of many
    /// objects cost a copy, not a sort.
    func list(_ type: ResourceType, namespace: String?) -> (items: [StoredObject], revision: Int) {
        lock.withLock {
            let sorted: [StoredObject]
            if let cached = sortedCache[type.storageKey] {
                sorted = cached
            } else {
                sorted = (objects[type.storageKey] ?? [:]).values.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
                sortedCache[type.storageKey] = sorted
            }
            guard let namespace else { return (sorted, revision) }
            return (sorted.filter { $0.namespace == namespace }, revision)
        }
    }

    /// Reads, decides and writes one object atomically. The closure sees the current object (or nil) and may throw
    /// to abort. Returns the stored result (nil after a delete). With `dryRun` nothing is stored.
    @discardableResult
    func write(
        _ type: ResourceType, namespace: String, name: String, dryRun: Bool = false, manager: FieldManager? = nil,
        _ decide: (JSON?) throws -> WriteDecision
    ) throws -> (old: JSON?, new: JSON?) {
        try lock.withLock {
            let key = Self.key(namespace, name)
            let current = objects[type.storageKey]?[key]
            let decision = try decide(current?.json)
            switch decision {
            case .delete:
                guard let current else { return (nil, nil) }
                if dryRun { return (current.json, nil) }
                revision += 1
                objects[type.storageKey]?[key] = nil
                sortedCache[type.storageKey] = nil
                var gone = current
                gone.json.set(["metadata", "resourceVersion"], .string(String(revision)))
                gone.bytes = gone.json.encoded()
                if let uid = current.json[path: ["metadata", "uid"]]?.stringValue { owners[uid] = nil }
                publish(Event(storageKey: type.storageKey, type: "DELETED", stored: gone))
                return (current.json, nil)
            case .put(var object):
                let nextRevision = revision + 1
                object.set(["metadata", "name"], .string(name))
                if type.namespaced { object.set(["metadata", "namespace"], .string(namespace)) }
                object.set(["apiVersion"], .string(type.groupVersion))
                object.set(["kind"], .string(type.kind))
                if let current {
                    let old = current.json
                    object.set(["metadata", "uid"], old[path: ["metadata", "uid"]])
                    object.set(["metadata", "creationTimestamp"], old[path: ["metadata", "creationTimestamp"]])
                    if Self.generational.contains(type.storageKey) {
                        let generation = old[path: ["metadata", "generation"]]?.intValue ?? 1
                        object.set(["metadata", "generation"], .int(old["spec"] != object["spec"] ? generation + 1 : generation))
                    }
                    // managedFields are the server's: keep the stored ones, then record this writer if anything changed.
                    object.set(["metadata", "managedFields"], old[path: ["metadata", "managedFields"]])
                    if old == Self.withRevision(object, old[path: ["metadata", "resourceVersion"]]) {
                        return (old, old)  // no-op writes keep their resourceVersion, as the real server does
                    }
                } else {
                    object.set(["metadata", "managedFields"], nil)
                    object.set(["metadata", "uid"], .string(UUID().uuidString.lowercased()))
                    object.set(["metadata", "creationTimestamp"], .string(Timestamps.now()))
                    if Self.generational.contains(type.storageKey) { object.set(["metadata", "generation"], 1) }
                }
                if let manager {
                    object.set(["metadata", "managedFields"], manager.record(in: object[path: ["metadata", "managedFields"]], apiVersion: type.groupVersion))
                }
                object.set(["metadata", "resourceVersion"], .string(String(nextRevision)))
                if dryRun { return (current?.json, object) }
                revision = nextRevision
                let stored = StoredObject(
                    json: object, bytes: object.encoded(), resourceVersion: nextRevision, namespace: namespace, name: name)
                objects[type.storageKey, default: [:]][key] = stored
                sortedCache[type.storageKey] = nil
                publish(Event(storageKey: type.storageKey, type: current == nil ? "ADDED" : "MODIFIED", stored: stored))
                return (current?.json, object)
            }
        }
    }

    private static func withRevision(_ object: JSON, _ rv: JSON?) -> JSON {
        var o = object
        o.set(["metadata", "resourceVersion"], rv)
        return o
    }

    /// Field owners of an object (server-side apply bookkeeping).
    func fieldOwners(uid: String) -> [String: String] { lock.withLock { owners[uid] ?? [:] } }

    /// Replaces the field owners of an object.
    func setFieldOwners(uid: String, _ value: [String: String]) { lock.withLock { owners[uid] = value } }

    // MARK: Watch

    private func publish(_ event: Event) {
        history.append(event)
        if history.count > 20000 { history.removeFirst(5000) }
        for (_, w) in watchers where w.storageKey == event.storageKey {
            if let ns = w.namespace, ns != event.stored.namespace { continue }
            guard w.filter(event.stored.json) else { continue }
            w.continuation.yield(Self.frame(event.type, event.stored.bytes))
        }
    }

    private static func frame(_ type: String, _ object: [UInt8]) -> [UInt8] {
        Array("{\"type\":\"\(type)\",\"object\":".utf8) + object + Array("}\n".utf8)
    }

    /// A stream of watch events (JSON lines). With `since` nil, the current objects come first as ADDED.
    /// Returns nil when `since` is older than the retained history (the caller answers 410 Gone).
    func watch(
        _ type: ResourceType, namespace: String?, since: Int?, timeout: TimeInterval,
        filter: @escaping @Sendable (JSON) -> Bool
    ) -> AsyncStream<[UInt8]>? {
        let id = UUID()
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let ok: Bool = lock.withLock {
            if let since {
                if let first = history.first, since < first.stored.resourceVersion - 1 { return false }
                for e in history where e.storageKey == type.storageKey && e.stored.resourceVersion > since {
                    if let namespace, e.stored.namespace != namespace { continue }
                    if filter(e.stored.json) { continuation.yield(Self.frame(e.type, e.stored.bytes)) }
                }
            } else {
                for (_, o) in objects[type.storageKey] ?? [:] where namespace == nil || o.namespace == namespace {
                    if filter(o.json) { continuation.yield(Self.frame("ADDED", o.bytes)) }
                }
            }
            watchers[id] = Watcher(storageKey: type.storageKey, namespace: namespace, filter: filter, continuation: continuation)
            return true
        }
        guard ok else {
            continuation.finish()
            return nil
        }
        continuation.onTermination = { [weak self] _ in self?.lock.withLock { _ = self?.watchers.removeValue(forKey: id) } }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(max(1, timeout) * 1e9))
            continuation.finish()
        }
        return stream
    }

    /// Ends every watch (at shutdown).
    func finishAllWatches() {
        let all = lock.withLock {
            let w = watchers
            watchers.removeAll()
            return w
        }
        for (_, w) in all { w.continuation.finish() }
    }
}

// MARK: - Timestamps

/// RFC 3339 timestamps as Kubernetes writes them (seconds precision, UTC).
///
/// Formatting is done by hand (`gmtime_r`): the controllers stamp every condition on every pass, and creating a
/// date formatter each time cost more than the rest of a pass.
enum Timestamps {
    /// Now.
    static func now() -> String { format(Date()) }

    /// A date, `2026-11-23T10:54:08Z`.
    static func format(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return
            "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }

    private static let parsers = LockedParsers()

    /// Parses RFC 3339 with or without fractional seconds.
    static func parse(_ text: String) -> Date? { parsers.parse(text) }
}

// MARK: - LockedParsers

/// Two cached ISO 8601 parsers shared under a lock.
///
/// `@unchecked Sendable`: the formatters are only used under `lock`.
private final class LockedParsers: @unchecked Sendable {
    private let lock = NSLock()
    private let plain: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f
    }()
    private let fractional: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    /// Parses RFC 3339, with or without fractional seconds.
    func parse(_ text: String) -> Date? {
        lock.withLock { plain.date(from: text) ?? fractional.date(from: text) }
    }
}

// MARK: - FieldManager

/// Who writes an object, for `metadata.managedFields` (manager, operation, time; the field set itself is left empty).
struct FieldManager: Sendable {
    /// The field manager (`fieldManager` query parameter, or the client's default).
    var name: String
    /// `Update` or `Apply`.
    var operation: String
    /// The subresource written (`status`), if any.
    var subresource: String?

    /// `entries` with this manager's entry (same manager, operation and subresource) stamped now, as the API server does.
    func record(in entries: JSON?, apiVersion: String) -> JSON {
        var list = entries?.arrayValue ?? []
        list.removeAll {
            $0["manager"]?.stringValue == name && $0["operation"]?.stringValue == operation && $0["subresource"]?.stringValue == subresource
        }
        var entry: JSON = [
            "manager": .string(name), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(Timestamps.now()), "fieldsType": "FieldsV1", "fieldsV1": .object([:]),
        ]
        if let subresource { entry.set(["subresource"], .string(subresource)) }
        list.append(entry)
        return .array(list)
    }
}
