import FoundationEssentials

/// The process environment as a value, injected so that tests control it.
public struct Environment: Sendable, Equatable {
    /// Every variable, by name.
    public var values: [String: String]

    /// Creates an environment from explicit values.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The environment of this process.
    public static var process: Environment { Environment(ProcessInfo.processInfo.environment) }

    /// The value of `name`, or `nil` when it is unset or empty.
    public subscript(name: String) -> String? {
        get {
            guard let value = values[name], !value.isEmpty else { return nil }
            return value
        }
        set { values[name] = newValue }
    }

    /// The first set, non-empty value among `names`, with the name that supplied it.
    public func first(_ names: [String]) -> (name: String, value: String)? {
        for name in names {
            if let value = self[name] { return (name, value) }
        }
        return nil
    }

    /// The user's home directory (`HOME`, falling back to the password database).
    public var homeDirectory: String {
        if let home = self["HOME"] { return home }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }
}
