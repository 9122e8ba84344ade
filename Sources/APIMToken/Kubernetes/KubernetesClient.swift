import FoundationEssentials

// MARK: - PatchType

/// The patch formats the API server accepts.
public enum PatchType: String, Sendable {
    /// RFC 7386 JSON merge patch.
    case merge = "application/merge-patch+json"
    /// Kubernetes strategic merge patch (what `kubectl rollout restart` sends).
    case strategicMerge = "application/strategic-merge-patch+json"
    /// RFC 6902 JSON patch.
    case json = "application/json-patch+json"
    /// Server-side apply.
    case apply = "application/apply-patch+yaml"
}

/// Options every write accepts.
public struct WriteOptions: Sendable {
    /// `fieldManager`, recorded in `managedFields`.
    public var fieldManager: String?
    /// `dryRun=All`: the server validates and answers but stores nothing.
    public var dryRun: Bool
    /// `force` (server-side apply only): take over conflicting fields.
    public var force: Bool

    /// Creates options.
    public init(fieldManager: String? = "kubectl-apimtoken", dryRun: Bool = false, force: Bool = false) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
        self.force = force
    }
}

// MARK: - KubernetesClient

/// A small typed client of the Kubernetes API over an `HTTPTransport` that already authenticates and retries.
public struct KubernetesClient: Sendable {
    /// The API server's base URL.
    public let server: URL
    /// The transport (auth, retry and user-agent middleware around `CurlTransport`).
    public let transport: any HTTPTransport
    /// The per-request time limit (`--request-timeout`); nil means the transport's own.
    public var requestTimeout: Duration?
    /// Page size for lists.
    public var pageSize: Int

    /// Creates a client.
    public init(server: URL, transport: any HTTPTransport, requestTimeout: Duration? = nil, pageSize: Int = 500) {
        self.server = server
        self.transport = transport
        self.requestTimeout = requestTimeout
        self.pageSize = pageSize
    }

    // MARK: Reads

    /// GET one object.
    public func get<Object: KubernetesObject>(_ type: Object.Type, name: String, namespace: String?) async throws -> Object {
        let data = try await call(.get, "get", Object.resourceType, namespace: namespace, name: name)
        return try decode(Object.self, data, action: "get", type: Object.resourceType)
    }

    /// GET one object, or nil when it does not exist.
    public func getIfPresent<Object: KubernetesObject>(_ type: Object.Type, name: String, namespace: String?) async throws -> Object? {
        do {
            return try await get(type, name: name, namespace: namespace)
        } catch let error as KubernetesAPIError where error.isNotFound {
            return nil
        }
    }

    /// LIST objects in `namespace` (nil: all namespaces), following `continue` tokens to the end.
    public func list<Object: KubernetesObject>(
        _ type: Object.Type, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil
    ) async throws -> [Object] {
        try await list(type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector) { $0 }
    }

    /// LIST objects, keeping from each page only what `keep` returns: a list of ten thousand workloads of which two
    /// thousand are gateways is never held whole, only a page at a time.
    public func list<Object: KubernetesObject, Kept>(
        _ type: Object.Type, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil,
        keeping keep: (Object) throws -> Kept?
    ) async throws -> [Kept] {
        var items: [Kept] = []
        var token: String?
        var seen = Set<String>()
        repeat {
            let page = try await listPage(
                type, namespace: namespace, labelSelector: labelSelector, fieldSelector: fieldSelector, continue: token)
            items += try page.items.compactMap(keep)
            token = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
            // A server that hands back a token it gave before, or pages without end, would keep this loop going.
            if let next = token, !seen.insert(next).inserted || seen.count > Self.maximumPages {
                throw KubernetesAPIError(
                    statusCode: 500, verb: "list", resource: Object.resourceType.plural, name: nil, namespace: namespace,
                    status: MetaStatus(message: "the server's continue tokens did not end after \(seen.count) pages"), server: server.absoluteString)
            }
        } while token != nil
        return items
    }

    /// The most pages one LIST follows (at the default page size, millions of objects).
    static let maximumPages = 10_000

    /// One page of a LIST.
    public func listPage<Object: KubernetesObject>(
        _ type: Object.Type, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil,
        continue token: String? = nil, limit: Int? = nil
    ) async throws -> ObjectList<Object> {
        var query: [(String, String)] = [("limit", String(limit ?? pageSize))]
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let token { query.append(("continue", token)) }
        let data = try await call(.get, "list", Object.resourceType, namespace: namespace, name: nil, query: query)
        return try decode(ObjectList<Object>.self, data, action: "list", type: Object.resourceType)
    }

    // MARK: Writes

    /// POST a new object; returns what the server stored.
    @discardableResult
    public func create<Object: KubernetesObject>(_ object: Object, namespace: String?, options: WriteOptions = WriteOptions()) async throws -> Object {
        let body = try KubeJSON.encoder.encode(object)
        let data = try await call(
            .post, "create", Object.resourceType, namespace: namespace, name: nil, query: writeQuery(options),
            body: body, contentType: "application/json", nameForMessages: object.metadata.name)
        return try decode(Object.self, data, action: "create", type: Object.resourceType)
    }

    /// PATCH an object with `patch` of `type`; returns the object after the patch.
    @discardableResult
    public func patch<Object: KubernetesObject>(
        _ objectType: Object.Type, name: String, namespace: String?, patch: Data, type: PatchType,
        options: WriteOptions = WriteOptions()
    ) async throws -> Object {
        let data = try await patchRaw(Object.resourceType, name: name, namespace: namespace, patch: patch, type: type, options: options)
        return try decode(Object.self, data, action: "patch", type: Object.resourceType)
    }

    /// PATCH any resource (CRDs included); returns the raw JSON the server answered.
    @discardableResult
    public func patchRaw(
        _ resource: ResourceType, name: String, namespace: String?, patch: Data, type: PatchType,
        options: WriteOptions = WriteOptions()
    ) async throws -> Data {
        var query = writeQuery(options)
        if type == .apply && options.force { query.append(("force", "true")) }
        return try await call(
            .patch, type == .apply ? "apply" : "patch", resource, namespace: namespace, name: name, query: query, body: patch,
            contentType: type.rawValue)
    }

    /// Server-side apply of an encodable object (typed or not) as `fieldManager`.
    @discardableResult
    public func apply<Object: Encodable>(
        _ object: Object, resource: ResourceType, name: String, namespace: String?, options: WriteOptions
    ) async throws -> Data {
        precondition(options.fieldManager != nil, "server-side apply needs a field manager")
        let body = try KubeJSON.encoder.encode(object)
        return try await patchRaw(resource, name: name, namespace: namespace, patch: body, type: .apply, options: options)
    }

    /// DELETE an object; returns false when it was already gone.
    @discardableResult
    public func delete(
        _ resource: ResourceType, name: String, namespace: String?, propagation: String? = "Background", dryRun: Bool = false
    ) async throws -> Bool {
        var query: [(String, String)] = []
        if let propagation { query.append(("propagationPolicy", propagation)) }
        if dryRun { query.append(("dryRun", "All")) }
        do {
            _ = try await call(.delete, "delete", resource, namespace: namespace, name: name, query: query)
            return true
        } catch let error as KubernetesAPIError where error.isNotFound {
            return false
        }
    }

    // MARK: Polling

    /// GETs the object every `interval` until `done` returns a value, or `timeout` passes (then nil).
    ///
    /// Polling instead of a watch keeps the needed RBAC to `get` on one object name, and each step is bounded.
    public func poll<Object: KubernetesObject, Result: Sendable>(
        _ type: Object.Type, name: String, namespace: String?, interval: Duration, timeout: Duration, clock: any WallClock,
        until done: (Object) throws -> Result?
    ) async throws -> Result? {
        let deadline = clock.now().addingTimeInterval(timeout.seconds)
        while true {
            let object = try await get(type, name: name, namespace: namespace)
            if let result = try done(object) { return result }
            if clock.now() >= deadline { return nil }
            try await clock.sleep(for: interval)
        }
    }

    // MARK: Plumbing

    private func writeQuery(_ options: WriteOptions) -> [(String, String)] {
        var query: [(String, String)] = []
        if let manager = options.fieldManager { query.append(("fieldManager", manager)) }
        if options.dryRun { query.append(("dryRun", "All")) }
        return query
    }

    /// The URL of `resource` (collection or object) with `query`.
    func url(_ resource: ResourceType, namespace: String?, name: String?, query: [(String, String)]) -> URL {
        var components = URLComponents(url: server, resolvingAgainstBaseURL: false)!
        let base = components.percentEncodedPath.hasSuffix("/") ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
        components.percentEncodedPath = base + resource.path(namespace: namespace, name: name)
        if !query.isEmpty {
            components.percentEncodedQuery = query.map { "\($0.0)=\(Self.escapeQuery($0.1))" }.joined(separator: "&")
        }
        return components.url!
    }

    private static func escapeQuery(_ value: String) -> String {
        value.percentEncoded(allowing: FormEncoding.isUnreserved)
    }

    private func call(
        _ method: HTTPMethod, _ verb: String, _ resource: ResourceType, namespace: String?, name: String?,
        query: [(String, String)] = [], body: Data? = nil, contentType: String? = nil, nameForMessages: String? = nil
    ) async throws -> Data {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let contentType { headers.add("Content-Type", contentType) }
        let request = HTTPRequest(
            method: method, url: url(resource, namespace: namespace, name: name, query: query), headers: headers, body: body,
            timeout: requestTimeout)
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as TransportError {
            var action = "\(verb) \(resource)"
            if let name = name ?? nameForMessages { action += " \"\(name)\"" }
            throw KubernetesConnectionError(underlying: error, server: server.absoluteString, action: action)
        }
        guard (200..<300).contains(response.status) else {
            let status = try? KubeJSON.decoder.decode(MetaStatus.self, from: response.body)
            throw KubernetesAPIError(
                statusCode: response.status, verb: verb, resource: resource.description, name: name ?? nameForMessages,
                namespace: resource.namespaced ? namespace : nil, status: status, server: server.absoluteString)
        }
        return response.body
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data, action: String, type resource: ResourceType) throws -> T {
        do {
            return try KubeJSON.decoder.decode(T.self, from: data)
        } catch {
            throw KubernetesResponseError(action: "\(action) \(resource)", server: server.absoluteString, detail: Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, let context): return "missing \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: return "undecodable"
        }
    }
}

// MARK: - KubernetesResponseError

/// The API server answered with something that is not the expected object (exit 5).
public struct KubernetesResponseError: APIMTokenError {
    /// What was being done.
    public var action: String
    /// The cluster's address.
    public var server: String
    /// What did not decode (a field path, never a value).
    public var detail: String

    public var exitStatus: ExitStatus { .kubernetesAPI }
    public var description: String { "unexpected answer to \(action) from \(server): \(detail)" }
    public var remedy: String? { "check that the context points at a Kubernetes API server" }
}

// MARK: - KubeJSON

/// JSON coders with Kubernetes conventions: RFC 3339 times, sorted keys, base64 `[]byte`.
public enum KubeJSON {
    /// A decoder that accepts RFC 3339 with or without fractional seconds.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time")
            }
            return date
        }
        return decoder
    }

    /// An encoder that writes RFC 3339 UTC seconds and sorted keys.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }
}
