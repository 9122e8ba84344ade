/// Leaf field paths of an object, as server-side apply tracks ownership (`.spec.template.spec.containers[name="gw"].image`).
enum FieldPaths {
    /// Fields nobody owns.
    private static let ignored: Set<String> = [
        ".apiVersion", ".kind", ".metadata.name", ".metadata.namespace", ".metadata.resourceVersion", ".metadata.uid",
        ".metadata.creationTimestamp", ".metadata.generation", ".metadata.managedFields",
    ]

    /// Every leaf path with its value. Lists with a merge key recurse by key; other lists are atomic.
    static func leaves(_ object: JSON) -> [String: JSON] {
        var out: [String: JSON] = [:]
        walk(object, path: "", field: nil, into: &out)
        for k in ignored { out[k] = nil }
        out = out.filter { !$0.key.hasPrefix(".status") }
        return out
    }

    private static func walk(_ value: JSON, path: String, field: String?, into out: inout [String: JSON]) {
        switch value {
        case .object(let o) where !o.isEmpty:
            for (k, v) in o { walk(v, path: path + "." + k, field: k, into: &out) }
        case .array(let a):
            if let field, let key = Patch.mergeKeys[field], !key.isEmpty, a.allSatisfy({ $0[key] != nil }), !a.isEmpty {
                for item in a {
                    let id = item[key].map { $0.stringValue ?? $0.text } ?? ""
                    walk(item, path: path + "[\(key)=\"\(id)\"]", field: nil, into: &out)
                }
            } else {
                out[path] = value
            }
        default:
            out[path] = value
        }
    }
}
