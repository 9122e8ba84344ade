import Foundation

/// The simulated Kubernetes API server's request handling (JSON only).
final class KubernetesAPI: Sendable {
    /// The cluster state.
    let store: ObjectStore
    /// Issues and verifies ServiceAccount tokens.
    let tokens: ServiceAccountTokens
    /// The token of the kubeconfig's token context (a cluster admin).
    let adminToken: String
    /// RBAC.
    let authorizer: Authorizer

    /// The API over a store.
    init(store: ObjectStore, tokens: ServiceAccountTokens, adminToken: String) {
        self.store = store
        self.tokens = tokens
        self.adminToken = adminToken
        self.authorizer = Authorizer(store: store)
    }

    /// A parsed resource path.
    struct Target {
        var type: ResourceType
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    // MARK: Entry

    /// Handles one request.
    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        let path = request.path.hasSuffix("/") && request.path.count > 1 ? String(request.path.dropLast()) : request.path
        if ["/version", "/healthz", "/readyz", "/livez"].contains(path) {
            if path == "/version" { return .json(200, Discovery.version) }
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain")], body: Array("ok".utf8))
        }
        guard let authenticated = authenticate(request) else { return APIError.unauthorized.response }
        let user: UserInfo
        switch impersonate(request, as: authenticated) {
        case .success(let u): user = u
        case .failure(let error):
            var response = error.response
            response.principal = authenticated.name
            return response
        }
        var response: HTTPResponse
        do {
            response = try await route(request, path: path, user: user)
        } catch let error as APIError {
            response = error.response
        } catch {
            response = APIError(code: 500, reason: "InternalError", message: "\(error)").response
        }
        response.principal = user.name
        return response
    }

    /// Authenticates like kube-apiserver's union authenticator: a verified client certificate first (kubectl sends
    /// its kubeconfig's certificate even when `--token` is given, and the certificate wins), then a bearer token.
    private func authenticate(_ request: HTTPRequest) -> UserInfo? {
        if let cert = request.clientCertificate {
            return UserInfo(name: cert.commonName, groups: cert.organizations + ["system:authenticated"])
        }
        if let auth = request.header("Authorization") {
            guard auth.hasPrefix("Bearer ") else { return nil }
            let token = String(auth.dropFirst(7)).trimmed
            if token == adminToken { return UserInfo(name: "sandbox-token-admin", groups: ["system:masters", "system:authenticated"]) }
            guard let (ns, name) = tokens.verify(token, audience: ServiceAccountTokens.apiAudience),
                store.get(.serviceAccounts, namespace: ns, name: name) != nil
            else { return nil }
            return UserInfo(
                name: "system:serviceaccount:\(ns):\(name)",
                groups: ["system:serviceaccounts", "system:serviceaccounts:\(ns)", "system:authenticated"])
        }
        return nil
    }

    /// Applies `Impersonate-User` / `Impersonate-Group` (`kubectl --as`, `--as-group`): only cluster admins may
    /// impersonate, as with the default RBAC of a real cluster. A ServiceAccount name also gets its groups.
    private func impersonate(_ request: HTTPRequest, as user: UserInfo) -> Result<UserInfo, APIError> {
        guard let name = request.header("Impersonate-User"), !name.isEmpty else { return .success(user) }
        guard user.isAdmin else {
            return .failure(
                APIError(
                    code: 403, reason: "Forbidden",
                    message:
                        "users \"\(name)\" is forbidden: User \"\(user.name)\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
                    details: ["name": .string(name), "kind": "users"]))
        }
        var groups = request.headers["Impersonate-Group"]
        let parts = name.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 4, parts[0] == "system", parts[1] == "serviceaccount" {
            groups += ["system:serviceaccounts", "system:serviceaccounts:\(parts[2])"]
        }
        if !groups.contains("system:authenticated") { groups.append("system:authenticated") }
        return .success(UserInfo(name: name, groups: groups))
    }

    private func route(_ request: HTTPRequest, path: String, user: UserInfo) async throws -> HTTPResponse {
        let segments = path.split(separator: "/").map(String.init)
        if segments.first == "openapi" { return try Discovery.openAPI(segments) }
        if segments == ["api"] { return .json(200, Discovery.apiVersions(host: request.header("Host"))) }
        if segments == ["apis"] { return .json(200, Discovery.groupList) }
        let rest: ArraySlice<String>
        let group: String
        let version: String
        if segments.first == "api", segments.count >= 2 {
            group = ""
            version = segments[1]
            rest = segments.dropFirst(2)
        } else if segments.first == "apis", segments.count >= 2 {
            if segments.count == 2 {
                guard let g = Discovery.group(segments[1]) else { throw APIError.pathNotFound(path) }
                return .json(200, g)
            }
            group = segments[1]
            version = segments[2]
            rest = segments.dropFirst(3)
        } else {
            throw APIError.pathNotFound(path)
        }
        if rest.isEmpty {
            guard let list = Discovery.resourceList(group: group, version: version) else { throw APIError.pathNotFound(path) }
            return .json(200, list)
        }
        let s = Array(rest)
        var namespace: String?
        var resourceName: String
        var name: String?
        var sub: String?
        if s[0] == "namespaces", s.count >= 3, !(s.count == 3 && ["status", "finalize"].contains(s[2])) {
            namespace = s[1]
            resourceName = s[2]
            name = s.count > 3 ? s[3] : nil
            sub = s.count > 4 ? s[4] : nil
            if s.count > 5 { throw APIError.pathNotFound(path) }
        } else {
            resourceName = s[0]
            name = s.count > 1 ? s[1] : nil
            sub = s.count > 2 ? s[2] : nil
            if s.count > 3 { throw APIError.pathNotFound(path) }
        }
        guard let type = ResourceType.find(group: group, version: version, resource: resourceName) else {
            throw APIError.pathNotFound(path)
        }
        if type.namespaced == false, namespace != nil { throw APIError.pathNotFound(path) }
        if type.resource == "namespaces", let name { namespace = name }
        if let sub, !type.subresources.contains(sub) { throw APIError.pathNotFound(path) }
        let target = Target(type: type, namespace: type.namespaced ? namespace : nil, name: name, subresource: sub)
        return try await dispatch(request, target: target, user: user)
    }

    // MARK: Dispatch

    private func verb(_ request: HTTPRequest, _ target: Target) -> String {
        switch request.method {
        case "GET", "HEAD":
            if target.name != nil { return "get" }
            return ["true", "1"].contains(request.queryValue("watch") ?? "") ? "watch" : "list"
        case "POST": return target.subresource != nil ? "create" : "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return target.name == nil ? "deletecollection" : "delete"
        default: return request.method.lowercased()
        }
    }

    private func dispatch(_ request: HTTPRequest, target: Target, user: UserInfo) async throws -> HTTPResponse {
        let verb = verb(request, target)
        var authName = target.name
        var fieldSelector: FieldSelector?
        if let text = request.queryValue("fieldSelector"), !text.isEmpty {
            do { fieldSelector = try FieldSelector(text) } catch let e as SelectorError { throw APIError.badRequest(e.message) }
            if authName == nil { authName = fieldSelector?.pinnedName }
        }
        let authNamespace = target.type.resource == "namespaces" ? target.name : target.namespace
        if !authorizer.allows(user, verb: verb, type: target.type, subresource: target.subresource, namespace: authNamespace, name: authName) {
            throw APIError.forbidden(target.type, name: target.name, user: user.name, verb: verb, namespace: authNamespace, subresource: target.subresource)
        }
        let dryRun = request.query["dryRun"]?.contains("All") ?? false
        switch verb {
        case "get":
            guard
                let object = store.get(target.type, namespace: target.namespace ?? "", name: target.name!)
                    ?? EventTwins.get(target.type, namespace: target.namespace ?? "", name: target.name!, store: store)
            else {
                throw APIError.notFound(target.type, target.name!)
            }
            if TableConverter.wanted(request) {
                let meta: JSON = ["resourceVersion": object[path: ["metadata", "resourceVersion"]] ?? ""]
                return .json(200, TableConverter.table(target.type, items: [object], listMetadata: meta, includeObject: request.queryValue("includeObject")))
            }
            return .json(200, object)
        case "list", "watch":
            return try list(request, target: target, fieldSelector: fieldSelector, watch: verb == "watch")
        case "create":
            if target.type.resource == "selfsubjectaccessreviews" { return try accessReview(request, user: user) }
            if target.subresource == "token" { return try tokenRequest(request, target: target) }
            return try create(request, target: target, dryRun: dryRun)
        case "update":
            return try update(request, target: target, dryRun: dryRun)
        case "patch":
            return try patch(request, target: target, dryRun: dryRun)
        case "delete":
            return try delete(request, target: target, dryRun: dryRun)
        case "deletecollection":
            let items = try selectItems(request, target: target, fieldSelector: fieldSelector)
            for item in items where !dryRun {
                try store.write(target.type, namespace: item.namespace, name: item.name) { _ in .delete }
            }
            return .json(
                200,
                [
                    "kind": .string(target.type.kind + "List"), "apiVersion": .string(target.type.groupVersion), "metadata": [:],
                    "items": .array(items.map(\.json)),
                ])
        default:
            throw APIError.methodNotAllowed(request.method)
        }
    }

    // MARK: Read

    private func selectItems(_ request: HTTPRequest, target: Target, fieldSelector: FieldSelector?) throws -> [StoredObject] {
        var labelSelector: LabelSelector?
        if let text = request.queryValue("labelSelector"), !text.isEmpty {
            do { labelSelector = try LabelSelector(text) } catch let e as SelectorError { throw APIError.badRequest(e.message) }
        }
        var items = EventTwins.merged(store.list(target.type, namespace: target.namespace).items, type: target.type, namespace: target.namespace, store: store)
        if labelSelector != nil || fieldSelector != nil {
            items = items.filter { (labelSelector?.matches(object: $0.json) ?? true) && (fieldSelector?.matches(object: $0.json) ?? true) }
        }
        return items
    }

    private func list(_ request: HTTPRequest, target: Target, fieldSelector: FieldSelector?, watch: Bool) throws -> HTTPResponse {
        var labelSelector: LabelSelector?
        if let text = request.queryValue("labelSelector"), !text.isEmpty {
            do { labelSelector = try LabelSelector(text) } catch let e as SelectorError { throw APIError.badRequest(e.message) }
        }
        if watch {
            let rvText = request.queryValue("resourceVersion") ?? ""
            let since = rvText.isEmpty || rvText == "0" ? nil : Int(rvText)
            let timeout = min(Double(request.queryValue("timeoutSeconds") ?? "") ?? 1800, 1800)
            let ls = labelSelector
            let fs = fieldSelector
            guard
                let stream = store.watch(
                    target.type, namespace: target.namespace, since: since, timeout: timeout,
                    filter: { object in
                        (ls?.matches(object: object) ?? true) && (fs?.matches(object: object) ?? true)
                    })
            else {
                let gone = APIError(code: 410, reason: "Expired", message: "too old resource version: \(rvText)")
                let frame = Array("{\"type\":\"ERROR\",\"object\":".utf8) + gone.status.encoded() + Array("}\n".utf8)
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: frame)
            }
            var response = HTTPResponse(status: 200, headers: [("Content-Type", "application/json")])
            response.body = .stream(stream)
            return response
        }
        let (own, revision) = store.list(target.type, namespace: target.namespace)
        let all = EventTwins.merged(own, type: target.type, namespace: target.namespace, store: store)
        var items = all
        if labelSelector != nil || fieldSelector != nil {
            items = items.filter { (labelSelector?.matches(object: $0.json) ?? true) && (fieldSelector?.matches(object: $0.json) ?? true) }
        }
        var remaining: Int?
        var next: String?
        if let token = request.queryValue("continue"), !token.isEmpty {
            guard let data = Base64URL.decode(Substring(token)), let after = String(bytes: data, encoding: .utf8) else {
                throw APIError.badRequest("continue key is not valid")
            }
            // Items are sorted by (namespace, name); a namespace never contains "/", so the key splits at the first.
            let parts = after.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let key = (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            var low = 0
            var high = items.count
            while low < high {
                let mid = (low + high) / 2
                if (items[mid].namespace, items[mid].name) <= key { low = mid + 1 } else { high = mid }
            }
            items = Array(items[low...])
        }
        if let limit = Int(request.queryValue("limit") ?? ""), limit > 0, items.count > limit {
            remaining = items.count - limit
            items = Array(items.prefix(limit))
            if let last = items.last { next = Base64URL.encode(Array("\(last.namespace)/\(last.name)".utf8)) }
        }
        if TableConverter.wanted(request) {
            var meta: JSON = ["resourceVersion": .string(String(revision))]
            if let next { meta["continue"] = .string(next) }
            if let remaining { meta["remainingItemCount"] = .int(remaining) }
            return .json(
                200, TableConverter.table(target.type, items: items.map(\.json), listMetadata: meta, includeObject: request.queryValue("includeObject")))
        }
        var body: [UInt8] = []
        body.reserveCapacity(items.reduce(200) { $0 + $1.bytes.count + 1 })
        body += Array("{\"apiVersion\":\"\(target.type.groupVersion)\",\"items\":[".utf8)
        for (i, item) in items.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            body += item.bytes
        }
        body += Array("],\"kind\":\"\(target.type.kind)List\",\"metadata\":".utf8)
        var meta: JSON = ["resourceVersion": .string(String(revision))]
        if let next { meta["continue"] = .string(next) }
        if let remaining { meta["remainingItemCount"] = .int(remaining) }
        body += meta.encoded() + Array("}".utf8)
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    // MARK: Write

    private func parseBody(_ request: HTTPRequest) throws -> JSON {
        if request.contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
            throw APIError.unsupportedMedia(request.contentType)  // JSON only (see the package notes)
        }
        do { return try JSON.parse(request.body) } catch {
            throw APIError.badRequest("the object provided is unrecognized or not JSON: \(error)")
        }
    }

    private func create(_ request: HTTPRequest, target: Target, dryRun: Bool) throws -> HTTPResponse {
        guard target.name == nil, target.subresource == nil else { throw APIError.methodNotAllowed("POST") }
        var object = try parseBody(request)
        guard object.objectValue != nil else { throw APIError.badRequest("the object provided is not a JSON object") }
        try checkKind(object, target.type)
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            name = prefix + Names.suffix(5)
        }
        guard !name.isEmpty else { throw APIError.required(target.type, "", field: "metadata.name") }
        if let ns = object[path: ["metadata", "namespace"]]?.stringValue, let t = target.namespace, ns != t {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let namespace = target.namespace ?? ""
        if target.type.namespaced {
            guard !namespace.isEmpty else { throw APIError.badRequest("a namespace is required for \(target.type.resource)") }
            guard store.get(.namespaces, namespace: "", name: namespace) != nil else {
                throw APIError(
                    code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
                    details: ["name": .string(namespace), "kind": "namespaces"])
            }
        }
        object.set(["metadata", "name"], .string(name))
        object = try Validation.normalize(object, type: target.type, name: name, old: nil)
        if target.type.subresources.contains("status") { object["status"] = nil }
        if target.type.resource == "namespaces" { object["status"] = ["phase": "Active"] }
        let manager = request.queryValue("fieldManager") ?? Names.defaultManager(request)
        let (_, stored) = try store.write(
            target.type, namespace: namespace, name: name, dryRun: dryRun, manager: FieldManager(name: manager, operation: "Update")
        ) { current in
            if current != nil { throw APIError.alreadyExists(target.type, name) }
            return .put(object)
        }
        if !dryRun, let stored { recordUpdate(stored, old: nil, manager: manager) }
        return .json(201, stored ?? object)
    }

    private func update(_ request: HTTPRequest, target: Target, dryRun: Bool) throws -> HTTPResponse {
        guard let name = target.name else { throw APIError.methodNotAllowed("PUT") }
        var object = try parseBody(request)
        try checkKind(object, target.type)
        if let bodyName = object[path: ["metadata", "name"]]?.stringValue, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let manager = request.queryValue("fieldManager") ?? Names.defaultManager(request)
        let (old, stored) = try store.write(
            target.type, namespace: target.namespace ?? "", name: name, dryRun: dryRun,
            manager: FieldManager(name: manager, operation: "Update", subresource: target.subresource)
        ) { current in
            guard let current else { throw APIError.notFound(target.type, name) }
            if let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty,
                rv != current[path: ["metadata", "resourceVersion"]]?.stringValue
            {
                throw APIError.conflict(target.type, name)
            }
            object = try self.finish(object, current: current, target: target)
            return .put(object)
        }
        if !dryRun, let stored { recordUpdate(stored, old: old, manager: manager) }
        return .json(200, stored ?? object)
    }

    /// Applies the status-subresource split and validation to a proposed new version of an existing object.
    private func finish(_ proposed: JSON, current: JSON, target: Target) throws -> JSON {
        var object = proposed
        if target.type.subresources.contains("status") {
            if target.subresource == "status" {
                var merged = current
                merged["status"] = object["status"]
                object = merged
            } else {
                object["status"] = current["status"]
            }
        }
        return try Validation.normalize(object, type: target.type, name: target.name ?? "", old: current)
    }

    private func patch(_ request: HTTPRequest, target: Target, dryRun: Bool) throws -> HTTPResponse {
        guard let name = target.name else { throw APIError.methodNotAllowed("PATCH") }
        let contentType = request.contentType
        let patch = try parseBody(request)
        let isApply = contentType == "application/apply-patch+yaml"
        guard isApply || ["application/merge-patch+json", "application/strategic-merge-patch+json", "application/json-patch+json"].contains(contentType) else {
            throw APIError.unsupportedMedia(contentType)
        }
        if contentType == "application/strategic-merge-patch+json", target.type.group == "aadpodidentity.k8s.io" {
            throw APIError.unsupportedMedia(contentType)  // custom resources do not support strategic merge patch
        }
        let manager = request.queryValue("fieldManager") ?? (isApply ? "" : Names.defaultManager(request))
        if isApply {
            guard !manager.isEmpty else {
                throw APIError(code: 400, reason: "BadRequest", message: "PATCH /apply requires fieldManager")
            }
            try checkKind(patch, target.type)
        }
        let force = ["true", "1"].contains(request.queryValue("force") ?? "")
        var conflictsFound: [(String, String)] = []
        var applyLeaves: [String: JSON] = [:]
        let (old, stored) = try store.write(
            target.type, namespace: target.namespace ?? "", name: name, dryRun: dryRun,
            manager: FieldManager(name: manager, operation: isApply ? "Apply" : "Update", subresource: target.subresource)
        ) { current in
            if isApply {
                var applied = patch
                applied.set(["metadata", "name"], .string(name))
                applyLeaves = FieldPaths.leaves(applied)
                guard let current else {
                    guard target.subresource == nil else { throw APIError.notFound(target.type, name) }
                    if target.type.namespaced {
                        guard self.store.get(.namespaces, namespace: "", name: target.namespace ?? "") != nil else {
                            throw APIError(
                                code: 404, reason: "NotFound", message: "namespaces \"\(target.namespace ?? "")\" not found",
                                details: ["name": .string(target.namespace ?? ""), "kind": "namespaces"])
                        }
                    }
                    var object = try Validation.normalize(applied, type: target.type, name: name, old: nil)
                    if target.type.subresources.contains("status") { object["status"] = nil }
                    return .put(object)
                }
                if let rv = applied[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty,
                    rv != current[path: ["metadata", "resourceVersion"]]?.stringValue
                {
                    throw APIError.conflict(target.type, name)
                }
                let uid = current[path: ["metadata", "uid"]]?.stringValue ?? ""
                let owners = self.store.fieldOwners(uid: uid)
                let currentLeaves = FieldPaths.leaves(current)
                for (path, value) in applyLeaves.sorted(by: { $0.key < $1.key }) {
                    if let owner = owners[path], owner != manager, let existing = currentLeaves[path], existing != value {
                        conflictsFound.append((path, owner))
                    }
                }
                if !conflictsFound.isEmpty, !force {
                    throw APIError.applyConflict(target.type, name, conflictsFound.map { (field: $0.0, manager: $0.1) })
                }
                var merged = Patch.strategic(current, applied)
                merged.set(["metadata", "resourceVersion"], current[path: ["metadata", "resourceVersion"]])
                return .put(try self.finish(merged, current: current, target: target))
            }
            guard let current else { throw APIError.notFound(target.type, name) }
            var result: JSON
            switch contentType {
            case "application/json-patch+json":
                do { result = try Patch.jsonPatch(current, patch) } catch let e as Patch.JSONPatchError {
                    throw APIError(code: 422, reason: "Invalid", message: e.message)
                }
            case "application/merge-patch+json":
                guard patch.objectValue != nil else { throw APIError.badRequest("a merge patch must be a JSON object") }
                result = Patch.merge(current, patch)
            default:
                guard patch.objectValue != nil else { throw APIError.badRequest("a strategic merge patch must be a JSON object") }
                result = Patch.strategic(current, patch)
            }
            if let rv = result[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty,
                rv != current[path: ["metadata", "resourceVersion"]]?.stringValue
            {
                throw APIError.conflict(target.type, name)
            }
            if result[path: ["metadata", "name"]]?.stringValue != name {
                throw APIError.badRequest("the name of the object cannot be changed by a patch")
            }
            return .put(try self.finish(result, current: current, target: target))
        }
        if !dryRun, let stored {
            if isApply {
                let uid = stored[path: ["metadata", "uid"]]?.stringValue ?? ""
                var owners = store.fieldOwners(uid: uid)
                for path in applyLeaves.keys { owners[path] = manager }
                store.setFieldOwners(uid: uid, owners)
            } else {
                recordUpdate(stored, old: old, manager: manager)
            }
        }
        return .json(old == nil ? 201 : 200, stored ?? .null)
    }

    /// Records `manager` as the owner of every field an update set or changed.
    private func recordUpdate(_ new: JSON, old: JSON?, manager: String) {
        let uid = new[path: ["metadata", "uid"]]?.stringValue ?? ""
        let before = old.map(FieldPaths.leaves) ?? [:]
        var owners = store.fieldOwners(uid: uid)
        for (path, value) in FieldPaths.leaves(new) where before[path] != value { owners[path] = manager }
        store.setFieldOwners(uid: uid, owners)
    }

    private func delete(_ request: HTTPRequest, target: Target, dryRun: Bool) throws -> HTTPResponse {
        guard let name = target.name else { throw APIError.methodNotAllowed("DELETE") }
        let options = request.body.isEmpty ? JSON.null : ((try? JSON.parse(request.body)) ?? .null)
        let (old, _) = try store.write(target.type, namespace: target.namespace ?? "", name: name, dryRun: dryRun) { current in
            guard let current else { throw APIError.notFound(target.type, name) }
            if let rv = options[path: ["preconditions", "resourceVersion"]]?.stringValue,
                rv != current[path: ["metadata", "resourceVersion"]]?.stringValue
            {
                throw APIError(
                    code: 409, reason: "Conflict",
                    message:
                        "Operation cannot be fulfilled on \(target.type.resource) \"\(name)\": Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")"
                )
            }
            if let uid = options[path: ["preconditions", "uid"]]?.stringValue, uid != current[path: ["metadata", "uid"]]?.stringValue {
                throw APIError(
                    code: 409, reason: "Conflict",
                    message:
                        "Operation cannot be fulfilled on \(target.type.resource) \"\(name)\": Precondition failed: UID in precondition: \(uid), UID in object meta: \(current[path: ["metadata", "uid"]]?.stringValue ?? "")"
                )
            }
            return .delete
        }
        if target.type.resource == "namespaces", !dryRun {
            for type in ResourceType.all where type.namespaced && type.version == "v1" {
                for item in store.list(type, namespace: name).items {
                    _ = try? store.write(type, namespace: name, name: item.name) { _ in .delete }
                }
            }
        }
        var details: JSON = ["name": .string(name), "kind": .string(target.type.resource)]
        if !target.type.group.isEmpty { details["group"] = .string(target.type.group) }
        details["uid"] = old?[path: ["metadata", "uid"]] ?? .null
        return .json(200, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "details": details])
    }

    private func checkKind(_ object: JSON, _ type: ResourceType) throws {
        let kind = object["kind"]?.stringValue ?? ""
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        if !kind.isEmpty, kind != type.kind {
            throw APIError.badRequest("the kind of the object (\(kind)) does not match the kind of the resource (\(type.kind))")
        }
        if !apiVersion.isEmpty, apiVersion != type.groupVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(type.groupVersion))")
        }
    }

    // MARK: Special resources

    private func accessReview(_ request: HTTPRequest, user: UserInfo) throws -> HTTPResponse {
        var review: JSON
        if request.contentType.hasPrefix("application/vnd.kubernetes.protobuf") {
            // `kubectl auth can-i` sends this one in protobuf; the answer may be JSON (client-go decodes by the
            // response's Content-Type).
            do { review = try KubernetesProtobuf.selfSubjectAccessReview(request.body) } catch {
                throw APIError.badRequest("the SelfSubjectAccessReview protobuf body could not be decoded")
            }
        } else {
            review = try parseBody(request)
        }
        let attributes = review[path: ["spec", "resourceAttributes"]] ?? [:]
        let group = attributes["group"]?.stringValue ?? ""
        let resource = attributes["resource"]?.stringValue ?? ""
        let allowed: Bool
        if let type = ResourceType.all.first(where: { $0.group == group && $0.resource == resource }) {
            allowed = authorizer.allows(
                user, verb: attributes["verb"]?.stringValue ?? "", type: type,
                subresource: attributes["subresource"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                namespace: attributes["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                name: attributes["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
        } else {
            allowed = user.isAdmin
        }
        review["apiVersion"] = "authorization.k8s.io/v1"
        review["kind"] = "SelfSubjectAccessReview"
        review["status"] = ["allowed": .bool(allowed), "reason": .string(allowed ? "RBAC: allowed" : "")]
        return .json(201, review)
    }

    private func tokenRequest(_ request: HTTPRequest, target: Target) throws -> HTTPResponse {
        guard target.type.resource == "serviceaccounts", let name = target.name, let ns = target.namespace else {
            throw APIError.methodNotAllowed("POST")
        }
        guard let account = store.get(.serviceAccounts, namespace: ns, name: name) else { throw APIError.notFound(target.type, name) }
        var body = (try? JSON.parse(request.body)) ?? [:]
        let audiences = (body[path: ["spec", "audiences"]]?.arrayValue ?? []).compactMap(\.stringValue)
        let seconds = body[path: ["spec", "expirationSeconds"]]?.intValue ?? 3600
        let issued = try tokens.issue(
            namespace: ns, name: name, uid: account[path: ["metadata", "uid"]]?.stringValue ?? "",
            audiences: audiences.isEmpty ? [ServiceAccountTokens.apiAudience] : audiences, lifetime: TimeInterval(seconds))
        body["apiVersion"] = "authentication.k8s.io/v1"
        body["kind"] = "TokenRequest"
        body.set(["metadata", "name"], .string(name))
        body.set(["metadata", "namespace"], .string(ns))
        body["status"] = ["token": .string(issued.token), "expirationTimestamp": .string(Timestamps.format(issued.expires))]
        return .json(201, body)
    }
}

// MARK: - Names

/// Random name suffixes and default field managers.
enum Names {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// A random suffix like the ones generateName and controllers use.
    static func suffix(_ length: Int) -> String { String((0..<length).map { _ in alphabet.randomElement()! }) }

    /// The field manager the real server derives from the User-Agent when none is given.
    static func defaultManager(_ request: HTTPRequest) -> String {
        let agent = request.header("User-Agent") ?? "unknown"
        return String(agent.split(separator: "/").first ?? "unknown")
    }
}
