import Foundation

/// A parsed kubeconfig document as plain values: aliases already expanded (within a budget),
/// merge keys (`<<`) applied, scalars kept as text with their resolved YAML type.
///
/// Not `indirect`: the collections' arrays already hold the children out of line, and a boxed case would cost one
/// more allocation (and release) per node, a quarter of the time of a 4 MiB file of two million small collections.
enum KubeConfigNode: Sendable, Equatable {
    /// What a plain scalar resolves to under YAML's core schema; quoted scalars are always `.string`.
    enum ScalarKind: Sendable, Equatable {
        /// Text.
        case string
        /// `true`/`false` (and YAML 1.1 spellings).
        case bool
        /// An integer.
        case int
        /// A floating-point number.
        case float
    }

    /// `null`, `~` or an empty value.
    case null
    /// A scalar's text and resolved kind.
    case scalar(String, ScalarKind)
    /// A sequence.
    case sequence([KubeConfigNode])
    /// A mapping, keys in document order (a repeated key keeps its first position and its last value, as in kubectl).
    case mapping([Entry])

    /// One key/value pair of a mapping.
    struct Entry: Sendable, Equatable {
        /// The key's text.
        var key: String
        /// The value.
        var value: KubeConfigNode
    }

    /// The value under `key` when this is a mapping.
    subscript(key: String) -> KubeConfigNode? {
        guard case .mapping(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The text of a scalar (any kind), `nil` for null, collections or absence.
    var text: String? {
        if case .scalar(let text, _) = self { return text }
        return nil
    }

    /// The value as JSON-compatible Foundation objects (for `KUBERNETES_EXEC_INFO`'s `spec.cluster.config`).
    var jsonObject: Any {
        switch self {
        case .null: return NSNull()
        case .scalar(let text, .bool): return ["true", "yes", "on", "y"].contains(text.lowercased())
        case .scalar(let text, .int): return Int(text).map { $0 as Any } ?? text
        case .scalar(let text, .float): return Double(text).map { $0 as Any } ?? text
        case .scalar(let text, .string): return text
        case .sequence(let items): return items.map(\.jsonObject)
        case .mapping(let entries):
            var object: [String: Any] = [:]
            for entry in entries where object[entry.key] == nil { object[entry.key] = entry.value.jsonObject }
            return object
        }
    }
}
