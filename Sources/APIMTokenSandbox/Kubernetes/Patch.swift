import Foundation

/// The patch formats the API server accepts.
enum Patch {
    /// RFC 7386 JSON merge patch.
    static func merge(_ target: JSON, _ patch: JSON) -> JSON {
        guard case .object(let p) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (k, v) in p {
            if v.isNull { result[k] = nil } else { result[k] = merge(result[k] ?? .null, v) }
        }
        return .object(result)
    }

    /// Merge keys of the lists strategic merge patch merges by key (a subset of the Kubernetes schema).
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
        "volumes": "name", "imagePullSecrets": "name", "volumeMounts": "mountPath", "ports": "containerPort",
        "volumeDevices": "devicePath", "hostAliases": "ip", "tolerations": "key", "conditions": "type",
        "ownerReferences": "uid", "secrets": "name", "topologySpreadConstraints": "topologyKey",
        "resourceClaims": "name", "finalizers": "",
    ]

    /// Kubernetes strategic merge patch: maps merge, lists with a merge key merge by that key, `$patch: delete`
    /// and `$patch: replace` directives and `$setElementOrder`/`$retainKeys`/`$deleteFromPrimitiveList` keys are
    /// understood (the last three are accepted and ignored).
    static func strategic(_ target: JSON, _ patch: JSON, field: String? = nil) -> JSON {
        switch patch {
        case .object(var p):
            if p["$patch"]?.stringValue == "replace" {
                p["$patch"] = nil
                return .object(p)
            }
            if p["$patch"]?.stringValue == "delete" { return .null }
            var result = target.objectValue ?? [:]
            for (k, v) in p {
                if k.hasPrefix("$setElementOrder/") || k.hasPrefix("$deleteFromPrimitiveList/") || k == "$retainKeys"
                    || k == "$patch"
                {
                    continue
                }
                if v.isNull {
                    result[k] = nil
                } else {
                    let merged = strategic(result[k] ?? .null, v, field: k)
                    result[k] = merged.isNull ? nil : merged
                }
            }
            return .object(result)
        case .array(let items):
            guard let field, let key = mergeKeys[field], !key.isEmpty, var existing = target.arrayValue else {
                if let field, mergeKeys[field] == "", let existing = target.arrayValue {
                    var out = existing  // primitive lists with merge semantics (finalizers): union
                    for item in items where !out.contains(item) { out.append(item) }
                    return .array(out)
                }
                return .array(items.map { stripDirectives($0) })
            }
            for item in items {
                let id = item[key]
                if let index = existing.firstIndex(where: { $0[key] == id && id != nil }) {
                    if item["$patch"]?.stringValue == "delete" {
                        existing.remove(at: index)
                    } else {
                        existing[index] = strategic(existing[index], item, field: nil)
                    }
                } else if item["$patch"]?.stringValue != "delete" {
                    existing.append(stripDirectives(item))
                }
            }
            return .array(existing)
        default:
            return patch
        }
    }

    private static func stripDirectives(_ value: JSON) -> JSON {
        guard case .object(var o) = value else { return value }
        for k in o.keys where k.hasPrefix("$") { o[k] = nil }
        return .object(o.mapValues { stripDirectives($0) })
    }

    /// An RFC 6902 JSON patch failure.
    struct JSONPatchError: Error {
        var message: String
    }

    /// RFC 6902 JSON patch.
    static func jsonPatch(_ target: JSON, _ operations: JSON) throws -> JSON {
        guard let ops = operations.arrayValue else { throw JSONPatchError(message: "a JSON patch must be an array") }
        var doc = target
        for op in ops {
            guard let name = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw JSONPatchError(message: "each operation needs op and path")
            }
            let tokens = try pointer(path)
            switch name {
            case "add": doc = try apply(doc, tokens, .add(op["value"] ?? .null))
            case "replace":
                guard doc.at(tokens) != nil else { throw JSONPatchError(message: "replace operation does not apply: doc is missing path: \(path)") }
                doc = try apply(doc, tokens, .replace(op["value"] ?? .null))
            case "remove":
                guard doc.at(tokens) != nil else { throw JSONPatchError(message: "remove operation does not apply: doc is missing path: \(path)") }
                doc = try apply(doc, tokens, .remove)
            case "test":
                guard doc.at(tokens) == (op["value"] ?? .null) else { throw JSONPatchError(message: "testing value \(path) failed") }
            case "move", "copy":
                guard let from = op["from"]?.stringValue, let value = doc.at(try pointer(from)) else {
                    throw JSONPatchError(message: "\(name) operation does not apply: missing from")
                }
                if name == "move" { doc = try apply(doc, try pointer(from), .remove) }
                doc = try apply(doc, tokens, .add(value))
            default: throw JSONPatchError(message: "Unexpected kind: \(name)")
            }
        }
        return doc
    }

    private enum Edit {
        case add(JSON)
        case replace(JSON)
        case remove
    }

    private static func pointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw JSONPatchError(message: "invalid JSON pointer \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func apply(_ doc: JSON, _ tokens: [String], _ edit: Edit) throws -> JSON {
        guard let first = tokens.first else {
            switch edit {
            case .add(let v), .replace(let v): return v
            case .remove: return .null
            }
        }
        let rest = Array(tokens.dropFirst())
        switch doc {
        case .object(var o):
            if rest.isEmpty {
                switch edit {
                case .add(let v), .replace(let v): o[first] = v
                case .remove: o[first] = nil
                }
            } else {
                guard let child = o[first] else { throw JSONPatchError(message: "missing path element \(first)") }
                o[first] = try apply(child, rest, edit)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                switch edit {
                case .add(let v):
                    if first == "-" {
                        a.append(v)
                    } else {
                        guard let i = Int(first), i >= 0, i <= a.count else { throw JSONPatchError(message: "index out of range") }
                        a.insert(v, at: i)
                    }
                case .replace(let v):
                    guard let i = Int(first), a.indices.contains(i) else { throw JSONPatchError(message: "index out of range") }
                    a[i] = v
                case .remove:
                    guard let i = Int(first), a.indices.contains(i) else { throw JSONPatchError(message: "index out of range") }
                    a.remove(at: i)
                }
            } else {
                guard let i = Int(first), a.indices.contains(i) else { throw JSONPatchError(message: "index out of range") }
                a[i] = try apply(a[i], rest, edit)
            }
            return .array(a)
        default:
            throw JSONPatchError(message: "path \(first) does not lead into an object or array")
        }
    }
}

extension JSON {
    /// The value at JSON-pointer tokens.
    func at(_ tokens: [String]) -> JSON? {
        var current: JSON? = self
        for t in tokens {
            switch current {
            case .object(let o)?: current = o[t]
            case .array(let a)?: current = Int(t).flatMap { a.indices.contains($0) ? a[$0] : nil }
            default: return nil
            }
        }
        return current
    }
}
