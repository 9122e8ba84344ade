import Crypto
import Foundation

/// Discovery documents and a minimal OpenAPI v3, generated from `ResourceType.all`.
enum Discovery {
    /// `/version`.
    static let version: JSON = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-apimtoken-sandbox", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    /// `/api`.
    static func apiVersions(host: String?) -> JSON {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(host ?? "127.0.0.1")]],
        ]
    }

    private static var groups: [String] {
        var seen: [String] = []
        for t in ResourceType.all where !t.group.isEmpty && !seen.contains(t.group) { seen.append(t.group) }
        return seen
    }

    private static func groupJSON(_ name: String) -> JSON {
        let gv: JSON = ["groupVersion": .string("\(name)/v1"), "version": "v1"]
        return ["name": .string(name), "versions": [gv], "preferredVersion": gv]
    }

    /// `/apis`.
    static let groupList: JSON = ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(groupJSON))]

    /// `/apis/{group}`.
    static func group(_ name: String) -> JSON? {
        guard groups.contains(name) else { return nil }
        var g = groupJSON(name)
        g["kind"] = "APIGroup"
        g["apiVersion"] = "v1"
        return g
    }

    /// `/api/v1` or `/apis/{group}/{version}`.
    static func resourceList(group: String, version: String) -> JSON? {
        let types = ResourceType.all.filter { $0.group == group && $0.version == version }
        guard !types.isEmpty else { return nil }
        var resources: [JSON] = []
        for t in types {
            var r: JSON = [
                "name": .string(t.resource), "singularName": .string(t.singular), "namespaced": .bool(t.namespaced),
                "kind": .string(t.kind), "verbs": .array(t.verbs.map { .string($0) }),
            ]
            if !t.shortNames.isEmpty { r["shortNames"] = .array(t.shortNames.map { .string($0) }) }
            if ["deployments", "statefulsets", "daemonsets", "pods", "jobs", "cronjobs"].contains(t.resource) { r["categories"] = ["all"] }
            resources.append(r)
            for sub in t.subresources {
                let kind = sub == "token" ? "TokenRequest" : t.kind
                let verbs: JSON = sub == "token" ? ["create"] : ["get", "patch", "update"]
                var s: JSON = [
                    "name": .string("\(t.resource)/\(sub)"), "singularName": "", "namespaced": .bool(t.namespaced), "kind": .string(kind), "verbs": verbs,
                ]
                if sub == "token" {
                    s["group"] = "authentication.k8s.io"
                    s["version"] = "v1"
                }
                resources.append(s)
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(resources),
        ]
    }

    // MARK: OpenAPI v3

    private static func gvPath(_ t: ResourceType) -> String { t.group.isEmpty ? "api/\(t.version)" : "apis/\(t.group)/\(t.version)" }

    /// The OpenAPI v3 document of one group/version: each kind's item path with a PATCH operation that carries
    /// `x-kubernetes-group-version-kind` and the `fieldValidation`, `dryRun`, `fieldManager` and `force` parameters
    /// (what kubectl's query-parameter verifier looks for), plus a permissive schema per kind.
    static func openAPIDocument(_ gv: String) -> JSON? {
        let types = ResourceType.all.filter { gvPath($0) == gv }
        guard !types.isEmpty else { return nil }
        var paths: [String: JSON] = [:]
        var schemas: [String: JSON] = [:]
        let params: JSON = .array(
            ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map {
                ["name": .string($0), "in": "query", "schema": ["type": .string($0 == "force" ? "boolean" : "string")], "uniqueItems": true]
            })
        for t in types {
            let gvk: JSON = ["group": .string(t.group), "version": .string(t.version), "kind": .string(t.kind)]
            let schemaName = "io.k8s.sandbox.\(t.group.isEmpty ? "core" : t.group).\(t.version).\(t.kind)"
            schemas[schemaName] = [
                "type": "object", "description": .string("\(t.kind) (schema simplified by apimtoken-sandbox)"),
                "x-kubernetes-group-version-kind": [gvk],
                "properties": ["apiVersion": ["type": "string"], "kind": ["type": "string"], "metadata": ["type": "object"]],
            ]
            let ref: JSON = ["$ref": .string("#/components/schemas/\(schemaName)")]
            let response: JSON = ["200": ["description": "OK", "content": ["application/json": ["schema": ref]]]]
            func op(_ action: String) -> JSON {
                [
                    "operationId": .string("\(action)\(t.kind)"), "x-kubernetes-action": .string(action), "x-kubernetes-group-version-kind": gvk,
                    "responses": response, "parameters": params,
                ]
            }
            let item =
                t.namespaced
                ? "/\(gvPath(t))/namespaces/{namespace}/\(t.resource)/{name}" : "/\(gvPath(t))/\(t.resource)/{name}"
            paths[item] = ["get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete")]
            let collection = t.namespaced ? "/\(gvPath(t))/namespaces/{namespace}/\(t.resource)" : "/\(gvPath(t))/\(t.resource)"
            paths[collection] = ["get": op("list"), "post": op("post")]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .object(paths), "components": ["schemas": .object(schemas)],
        ]
    }

    private static func hash(_ gv: String) -> String {
        let digest = SHA512.hash(data: Array((openAPIDocument(gv) ?? .null).encoded()))
        return digest.map { String(format: "%02X", $0) }.joined().prefix(128).description
    }

    /// `/openapi/v3` and `/openapi/v3/{gv…}`.
    static func openAPI(_ segments: [String]) throws -> HTTPResponse {
        guard segments.count >= 2, segments[1] == "v3" else { throw APIError.pathNotFound("/" + segments.joined(separator: "/")) }
        if segments.count == 2 {
            var paths: [String: JSON] = [:]
            for t in ResourceType.all where paths[gvPath(t)] == nil {
                paths[gvPath(t)] = ["serverRelativeURL": .string("/openapi/v3/\(gvPath(t))?hash=\(hash(gvPath(t)))")]
            }
            return .json(200, ["paths": .object(paths)])
        }
        let gv = segments.dropFirst(2).joined(separator: "/")
        guard let doc = openAPIDocument(gv) else { throw APIError.pathNotFound("/openapi/v3/\(gv)") }
        return .json(200, doc)
    }
}
