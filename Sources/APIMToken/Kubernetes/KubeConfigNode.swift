import FoundationEssentials
import YAML

/// A kubeconfig (or exec credential) document as the YAML module parsed it.
typealias KubeConfigNode = YAMLNode

extension YAMLNode {
    /// The value as JSON (for `KUBERNETES_EXEC_INFO`'s `spec.cluster.config`).
    var jsonValue: JSONValue {
        switch self {
        case .null: return .null
        case .scalar(let text, .bool): return .bool(["true", "yes", "on", "y"].contains(text.lowercased()))
        case .scalar(let text, .int): return Int64(text).map(JSONValue.integer) ?? .string(text)
        case .scalar(let text, .float): return Double(text).flatMap { $0.isFinite ? JSONValue.number($0) : nil } ?? .string(text)
        case .scalar(let text, .string): return .string(text)
        case .sequence(let items): return .array(items.map(\.jsonValue))
        case .mapping(let entries):
            var object: [String: JSONValue] = [:]
            for entry in entries where object[entry.key] == nil { object[entry.key] = entry.value.jsonValue }
            return .object(object)
        }
    }
}
