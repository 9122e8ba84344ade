import FoundationEssentials

/// A document to print as YAML: the JSON data model, which is all that kubectl's `-o yaml` prints (it converts
/// through JSON too).
public indirect enum YAMLValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case sequence([YAMLValue])
    /// Members in any order: the emitter sorts them (see ``YAMLEmitter``).
    case mapping([(String, YAMLValue)])

    public static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.sequence(let a), .sequence(let b)): a == b
        case (.mapping(let a), .mapping(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}

extension YAMLValue: Decodable {
    /// Decodes any JSON value. Integers that fit `Int64` stay integers, as sigs.k8s.io/yaml keeps them.
    public init(from decoder: any Decoder) throws {
        if var items = try? decoder.unkeyedContainer() {
            var values: [YAMLValue] = []
            while !items.isAtEnd { values.append(try items.decode(YAMLValue.self)) }
            self = .sequence(values)
            return
        }
        if let members = try? decoder.container(keyedBy: AnyKey.self) {
            self = .mapping(try members.allKeys.map { ($0.stringValue, try members.decode(YAMLValue.self, forKey: $0)) })
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? value.decode(Int64.self) {
            self = .integer(integer)
        } else if let number = try? value.decode(Double.self) {
            self = .number(number)
        } else {
            self = .string(try value.decode(String.self))
        }
    }

    /// The JSON document `data` as a value.
    public init(json data: Data) throws {
        self = try JSONDecoder().decode(YAMLValue.self, from: data)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
