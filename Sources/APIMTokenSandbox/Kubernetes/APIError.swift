/// A Kubernetes API failure, rendered as a real `metav1.Status`.
struct APIError: Error, Sendable {
    /// The HTTP status.
    var code: Int
    /// The `StatusReason` (`NotFound`, `Conflict`, …).
    var reason: String
    /// The human-readable message.
    var message: String
    /// The `details` object, or null.
    var details: JSON = .null

    /// The `Status` body.
    var status: JSON {
        var s: JSON = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
            "reason": .string(reason), "code": .int(code),
        ]
        if !details.isNull { s["details"] = details }
        return s
    }

    /// The HTTP response.
    var response: HTTPResponse { .json(code, status) }

    private static func details(_ type: ResourceType?, _ name: String?, causes: [JSON]? = nil, kind: String? = nil) -> JSON {
        var d: JSON = [:]
        if let name { d["name"] = .string(name) }
        if let type {
            if !type.group.isEmpty { d["group"] = .string(type.group) }
            d["kind"] = .string(kind ?? type.resource)
        }
        if let causes { d["causes"] = .array(causes) }
        return d
    }

    /// 404 for a named object.
    static func notFound(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(type.resource)\(type.group.isEmpty ? "" : "." + type.group) \"\(name)\" not found",
            details: details(type, name))
    }

    /// 409 AlreadyExists for a create.
    static func alreadyExists(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(type.resource)\(type.group.isEmpty ? "" : "." + type.group) \"\(name)\" already exists",
            details: details(type, name))
    }

    /// 409 Conflict for a stale resourceVersion.
    static func conflict(_ type: ResourceType, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message:
                "Operation cannot be fulfilled on \(type.resource)\(type.group.isEmpty ? "" : "." + type.group) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: details(type, name))
    }

    /// 409 for server-side apply field-manager conflicts.
    static func applyConflict(_ type: ResourceType, _ name: String, _ conflicts: [(field: String, manager: String)]) -> APIError {
        let causes: [JSON] = conflicts.map {
            ["reason": "FieldManagerConflict", "message": .string("conflict with \"\($0.manager)\" using \(type.groupVersion)"), "field": .string($0.field)]
        }
        let lines = conflicts.map { "- \($0.manager) \(type.groupVersion): \($0.field)" }.joined(separator: "\n")
        return APIError(
            code: 409, reason: "Conflict",
            message: "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): \(lines)",
            details: details(type, name, causes: causes))
    }

    /// 422 for an invalid field value.
    static func invalid(_ type: ResourceType, _ name: String, field: String, value: String, detail: String) -> APIError {
        let cause: JSON = ["reason": "FieldValueInvalid", "message": .string("Invalid value: \(value): \(detail)"), "field": .string(field)]
        return APIError(
            code: 422, reason: "Invalid",
            message: "\(type.kind) \"\(name)\" is invalid: \(field): Invalid value: \(value): \(detail)",
            details: details(type, name, causes: [cause], kind: type.kind))
    }

    /// 422 for fields that may not change (`Forbidden`), one cause per field, as `field.ErrorList` aggregates them.
    static func forbiddenFields(_ type: ResourceType, _ name: String, fields: [String], detail: String) -> APIError {
        let causes: [JSON] = fields.map { ["reason": "FieldValueForbidden", "message": .string("Forbidden: \(detail)"), "field": .string($0)] }
        let list = fields.map { "\($0): Forbidden: \(detail)" }
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return APIError(
            code: 422, reason: "Invalid", message: "\(type.kind) \"\(name)\" is invalid: \(joined)",
            details: details(type, name, causes: causes, kind: type.kind))
    }

    /// 422 for a missing required field.
    static func required(_ type: ResourceType, _ name: String, field: String) -> APIError {
        let cause: JSON = ["reason": "FieldValueRequired", "message": "Required value", "field": .string(field)]
        return APIError(
            code: 422, reason: "Invalid", message: "\(type.kind) \"\(name)\" is invalid: \(field): Required value",
            details: details(type, name, causes: [cause], kind: type.kind))
    }

    /// 403 with the message kube-apiserver writes.
    static func forbidden(_ type: ResourceType, name: String?, user: String, verb: String, namespace: String?, subresource: String?) -> APIError {
        let resource = subresource.map { "\(type.resource)/\($0)" } ?? type.resource
        let object =
            name.map { "\(type.resource)\(type.group.isEmpty ? "" : "." + type.group) \"\($0)\"" }
            ?? "\(type.resource)\(type.group.isEmpty ? "" : "." + type.group)"
        let scope = namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        return APIError(
            code: 403, reason: "Forbidden",
            message: "\(object) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\" in API group \"\(type.group)\"\(scope)",
            details: details(type, name))
    }

    /// 400 BadRequest.
    static func badRequest(_ message: String) -> APIError { APIError(code: 400, reason: "BadRequest", message: message) }

    /// 401 for a missing or bad credential.
    static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    /// 405 MethodNotAllowed.
    static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    /// 415 for a body type the server does not read.
    static func unsupportedMedia(_ type: String) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message:
                "the body of the request was in an unknown format - accepted media types include: application/json, application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json, application/apply-patch+yaml (got \(type))"
        )
    }

    /// 404 for an unknown path.
    static func pathNotFound(_ path: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "the server could not find the requested resource",
            details: ["causes": [["reason": "UnexpectedServerResponse", "message": .string("404 page not found: \(path)")]]])
    }
}
