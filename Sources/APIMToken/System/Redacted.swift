/// Holds a secret (token, key, client secret, bearer token) so that it never prints.
///
/// `description`, `debugDescription`, string interpolation, `dump` and `Mirror` all show `<redacted>`.
/// Read the value only where it is sent or written: `secret.value`.
public struct Redacted<Value: Sendable>: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself.
    public let value: Value

    /// Wraps a secret.
    public init(_ value: Value) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension Redacted: Equatable where Value: Equatable {}
extension Redacted: Hashable where Value: Hashable {}
