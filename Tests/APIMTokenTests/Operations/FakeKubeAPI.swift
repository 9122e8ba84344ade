import Foundation

@testable import APIMToken

/// A tiny in-memory API server for operation tests: objects by path, resourceVersion preconditions on merge
/// patches, strategic restart patches, events, scripted failures, and a log of every request.
final class FakeKubeAPI: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var objects: [String: [String: Any]] = [:]
    private var version = 100
    private(set) var log: [String] = []
    /// Answers to give instead of the real one, by "METHOD path", consumed in order.
    var failures: [String: [Int]] = [:]
    /// Writes whose answer is lost, by "METHOD path": the patch is applied, then this status is answered instead.
    var lost: [String: [Int]] = [:]
    /// Called after each successful write (to simulate a concurrent writer or a controller).
    var afterWrite: ((String, inout [String: [String: Any]]) -> Void)?
    /// Called before each patch is applied (to simulate a writer that gets there first).
    var beforeWrite: ((String, inout [String: [String: Any]]) -> Void)?

    let server = URL(string: "https://fake.test")!

    func put(_ path: String, _ object: [String: Any]) {
        lock.withLock {
            var object = object
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            version += 1
            metadata["resourceVersion"] = String(version)
            object["metadata"] = metadata
            objects[path] = object
        }
    }

    func object(_ path: String) -> [String: Any]? { lock.withLock { objects[path] } }
    var requests: [String] { lock.withLock { log } }

    /// The objects directly under a collection path.
    func objects(under path: String) -> [[String: Any]] {
        lock.withLock { objects.filter { $0.key.hasPrefix(path + "/") }.sorted { $0.key < $1.key }.map(\.value) }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try lock.withLock { try handle(request) }
    }

    private func handle(_ request: HTTPRequest) throws -> HTTPResponse {
        let path = request.url.path
        let key = "\(request.method.rawValue) \(path)"
        log.append(key)
        if var queue = failures[key], !queue.isEmpty {
            let status = queue.removeFirst()
            failures[key] = queue
            return .json(status, ["kind": "Status", "code": status, "reason": status == 409 ? "Conflict" : "Forbidden", "message": "scripted \(status)"])
        }
        switch request.method {
        case .get:
            if let object = objects[path] { return .json(200, object) }
            let plurals: Set<String> = ["secrets", "configmaps", "deployments", "statefulsets", "daemonsets", "pods", "cronjobs", "events"]
            if plurals.contains(String(path.split(separator: "/").last ?? "")) {
                let items = objects.filter { $0.key.hasPrefix(path + "/") && !$0.key.dropFirst(path.count + 1).contains("/") }
                    .sorted { $0.key < $1.key }.map(\.value)
                return .json(200, ["metadata": [String: Any](), "items": items])
            }
            return .json(404, ["kind": "Status", "code": 404, "reason": "NotFound", "message": "\(path) not found"])
        case .post:
            var object = try JSONSerialization.jsonObject(with: request.body ?? Data()) as! [String: Any]
            let name = (object["metadata"] as? [String: Any])?["name"] as? String ?? "x"
            version += 1
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            metadata["resourceVersion"] = String(version)
            object["metadata"] = metadata
            objects[path + "/" + name] = object
            afterWrite?(path + "/" + name, &objects)
            return .json(201, object)
        case .patch:
            beforeWrite?(path, &objects)
            guard var object = objects[path] else { return .json(404, ["kind": "Status", "code": 404, "reason": "NotFound"]) }
            let patch = try JSONSerialization.jsonObject(with: request.body ?? Data()) as! [String: Any]
            let current = (object["metadata"] as? [String: Any])?["resourceVersion"] as? String
            if let wanted = (patch["metadata"] as? [String: Any])?["resourceVersion"] as? String, wanted != current {
                return .json(409, ["kind": "Status", "code": 409, "reason": "Conflict", "message": "the object has been modified"])
            }
            object = Self.merge(object, patch)
            version += 1
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            metadata["resourceVersion"] = String(version)
            if path.contains("/deployments/") { metadata["generation"] = ((metadata["generation"] as? Int) ?? 1) + 1 }
            object["metadata"] = metadata
            objects[path] = object
            afterWrite?(path, &objects)
            if var queue = lost[key], !queue.isEmpty {
                let status = queue.removeFirst()
                lost[key] = queue
                return .json(status, ["kind": "Status", "code": status, "reason": "InternalError", "message": "the answer was lost"])
            }
            return .json(200, objects[path]!)
        default:
            return .json(405, [:])
        }
    }

    static func merge(_ base: [String: Any], _ patch: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in patch {
            if value is NSNull {
                result[key] = nil
            } else if let nested = value as? [String: Any], let existing = result[key] as? [String: Any] {
                result[key] = merge(existing, nested)
            } else {
                result[key] = value
            }
        }
        return result
    }
}

/// An issuer that signs like APIM (shape only) and counts calls.
final class FakeIssuer: GatewayTokenIssuer, @unchecked Sendable {
    let gatewayName: String
    private let lock = NSLock()
    private(set) var generated: [(GatewayKeyType, Date)] = []
    private(set) var regenerated: [GatewayKeyType] = []
    var tokenGateway: String?
    var failure: (any Error)?

    init(gateway: String) { gatewayName = gateway }

    func generateToken(keyType: GatewayKeyType, expiry: Date) async throws -> Redacted<String> {
        if let failure { throw failure }
        lock.withLock { generated.append((keyType, expiry)) }
        let stamp = RFC3339.formatMinutes(expiry).filter(\.isNumber)
        return Redacted("\(tokenGateway ?? gatewayName)&\(stamp)&\(keyType == .primary ? "UFJJTUFSWQ==" : "U0VDT05EQVJZ")")
    }

    func regenerateKey(_ keyType: GatewayKeyType) async throws {
        lock.withLock { regenerated.append(keyType) }
    }
}
