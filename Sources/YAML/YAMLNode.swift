import FoundationEssentials

/// A parsed YAML document as plain values: aliases already expanded (within a budget),
/// merge keys (`<<`) applied, scalars kept as text with their resolved YAML type.
///
/// Not `indirect`: the collections' arrays already hold the children out of line, and a boxed case costs one more
/// allocation (and release) per node (4 MiB of deep nesting, two million small collections: 0.90 s of CPU and 189 MiB
/// boxed, about 0.80 s and 158 MiB not; Benchmarks/kubeconfig_scaling.py).
public enum YAMLNode: Sendable, Equatable {
    /// What a plain scalar resolves to under YAML's core schema; quoted scalars are always `.string`.
    public enum ScalarKind: Sendable, Equatable {
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
    case sequence([YAMLNode])
    /// A mapping, keys in document order (a repeated key keeps its first position and its last value, as in kubectl).
    case mapping([Entry])

    /// One key/value pair of a mapping.
    public struct Entry: Sendable, Equatable {
        /// The key's text.
        public var key: String
        public var value: YAMLNode

        public init(key: String, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    /// The value under `key` when this is a mapping.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The text of a scalar (any kind), `nil` for null, collections or absence.
    public var text: String? {
        if case .scalar(let text, _) = self { return text }
        return nil
    }
}
